"""`/api/org`: reads are open, writes need an admin key, bad bodies answer 4xx with the reason."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from layers.keys import create_key
from tests.api.conftest import app_client
from tests.campus_stores import copy_store
from tests.planning_stores import planned_store
from twin.rooms import list_rooms
from twin.store import open_store

pytestmark = pytest.mark.anyio


@pytest.fixture(scope="module")
def planned_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return planned_store(tmp_path_factory.mktemp("planned"))


@pytest.fixture
async def keyed(
    planned_db: Path, tmp_path: Path
) -> AsyncIterator[tuple[httpx.AsyncClient, dict[str, str]]]:
    db = copy_store(planned_db, tmp_path)
    engine = open_store(str(db))
    keys = {role: create_key(engine, role) for role in ("gateway", "admin")}
    engine.dispose()
    async with app_client(db) as client:
        yield client, {role: f"Bearer {key}" for role, key in keys.items()}


async def test_reads_list_departments_staff_and_the_standard(
    keyed: tuple[httpx.AsyncClient, dict[str, str]],
) -> None:
    client, _ = keyed
    departments = (await client.get("/api/org/departments", params={"site": "WZ01"})).json()
    assert [d["department_code"] for d in departments][:2] == ["AGRI", "CULT"]
    fin = (await client.get("/api/org/departments/fin")).json()
    assert fin["parent_code"] == "GOV" and fin["units"] == ["FIN-TAX"]
    assert {m["department_code"] for m in fin["members"]} == {"FIN"}
    staff = (await client.get("/api/org/staff", params={"department": "FIN"})).json()
    assert staff == fin["members"]
    one = (await client.get(f"/api/org/staff/{staff[0]['staff_id'].lower()}")).json()
    assert one["level"] == "municipal" and one["allowance_m2"] in (9.0, 18.0, 24.0)
    standard = (await client.get("/api/org/sites/WZ01/standards")).json()
    assert {r["rank"]: r["area_m2"] for r in standard["ranks"]}["mayor"] == 42
    missing = await client.get("/api/org/departments/FNI")
    assert missing.status_code == 404
    assert missing.json()["detail"]["closest"] == ["FIN"]
    assert (await client.get("/api/org/staff/NOBODY")).status_code == 404


async def test_writes_need_an_admin_key_and_are_checked(
    keyed: tuple[httpx.AsyncClient, dict[str, str]], planned_db: Path
) -> None:
    client, keys = keyed
    body = {"name": "New Hire", "rank": "below_bureau", "department_code": "HR"}
    assert (await client.put("/api/org/staff/N1", json=body)).status_code == 401
    wrong = await client.put(
        "/api/org/staff/N1", json=body, headers={"Authorization": keys["gateway"]}
    )
    assert wrong.status_code == 403
    admin = {"Authorization": keys["admin"]}
    created = await client.put("/api/org/staff/N1", json=body, headers=admin)
    assert created.status_code == 200, created.text
    assert created.json()["department_code"] == "HR"
    bad_rank = await client.put(
        "/api/org/staff/N1", json={**body, "rank": "general"}, headers=admin
    )
    assert bad_rank.status_code == 422
    assert "unknown rank 'general' for the municipal level" in bad_rank.json()["detail"]["message"]
    meeting = next(r["room_code"] for r in list_rooms(open_store(str(planned_db)), usage="meeting"))
    seat = await client.put("/api/org/staff/N1", json={**body, "room_code": meeting}, headers=admin)
    assert seat.status_code == 422 and "not an office" in seat.json()["detail"]["message"]
    extra = await client.put("/api/org/staff/N1", json={**body, "salary": 1}, headers=admin)
    assert extra.status_code == 422
    dept = await client.put(
        "/api/org/departments/LEGAL",
        json={"name": "Legal affairs", "parent_code": "GOV"},
        headers=admin,
    )
    assert dept.status_code == 200 and dept.json()["parent_code"] == "GOV"
    office = next(r["room_code"] for r in list_rooms(open_store(str(planned_db)), usage="office"))
    allocated = await client.put(
        f"/api/org/rooms/{office}", json={"department_code": "legal"}, headers=admin
    )
    assert allocated.json() == {"room_code": office, "department_code": "LEGAL"}
    room = (await client.get(f"/api/rooms/{office}")).json()
    assert room["department"] == "LEGAL"
    gone = await client.delete("/api/org/staff/N1", headers=admin)
    assert gone.status_code == 204
    assert (await client.get("/api/org/staff/N1")).status_code == 404


async def test_csv_import_reports_bad_rows_by_line(
    keyed: tuple[httpx.AsyncClient, dict[str, str]],
) -> None:
    client, keys = keyed
    admin = {"Authorization": keys["admin"], "Content-Type": "text/csv"}
    text = "department_code,name,parent_code\nLAB,Labour,GOV\nBAD,,GOV\n"
    bad = await client.post("/api/org/import/departments", content=text, headers=admin)
    assert bad.status_code == 422
    assert "departments.csv:line 3: name empty" in bad.json()["detail"]["message"]
    assert (await client.get("/api/org/departments/LAB")).status_code == 404
    good = await client.post(
        "/api/org/import/departments", content=text.replace("BAD,,", "BAD,Bad,"), headers=admin
    )
    assert good.json() == {"departments": 2, "allocations": 0, "staff": 0}
    unknown = await client.post("/api/org/import/people", content=text, headers=admin)
    assert unknown.status_code == 422


async def test_the_level_can_be_changed_with_own_standards(
    keyed: tuple[httpx.AsyncClient, dict[str, str]],
) -> None:
    client, keys = keyed
    admin = {"Authorization": keys["admin"]}
    toml = "[levels.municipal.ranks.below_bureau]\narea_m2 = 10\n"
    changed = await client.put(
        "/api/org/sites/WZ01/standards",
        json={"level": "municipal", "standards_toml": toml},
        headers=admin,
    )
    assert changed.status_code == 200
    assert {r["rank"]: r["area_m2"] for r in changed.json()["ranks"]}["below_bureau"] == 10
    refused = await client.put(
        "/api/org/sites/WZ01/standards", json={"level": "county"}, headers=admin
    )
    assert refused.status_code == 422 and "lacks" in refused.json()["detail"]["message"]
