"""`/api/planning/scenarios`: run, list, show, compare, export and apply, over the real app."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from layers.keys import create_key
from tests.api.conftest import app_client
from tests.campus_stores import copy_store, sample_store
from tests.planning_stores import close_and_merge, planned_store, small_org
from twin.planning.org import staff_detail
from twin.store import open_store

pytestmark = pytest.mark.anyio


@pytest.fixture(scope="module")
def planned_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return planned_store(tmp_path_factory.mktemp("planned"))


@pytest.fixture(scope="module")
def bare_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return sample_store(tmp_path_factory.mktemp("bare"), buildings=2)


async def test_run_show_compare_export_and_apply(bare_db: Path, tmp_path: Path) -> None:
    db = copy_store(bare_db, tmp_path)
    engine = open_store(str(db))
    org = small_org(engine, tmp_path)
    admin = {"Authorization": f"Bearer {create_key(engine, 'admin')}"}
    body = close_and_merge(org["high"]).to_dict()
    async with app_client(db) as client:
        refused = await client.post("/api/planning/scenarios", json=body)
        assert refused.status_code in (401, 403)
        ran = await client.post(
            "/api/planning/scenarios",
            json=body,
            params={"site": "wz01", "time_limit_s": 5},
            headers=admin,
        )
        assert ran.status_code == 201, ran.text
        plan = ran.json()
        assert plan["status"] in ("OPTIMAL", "FEASIBLE") and plan["gap"] is not None
        assert {"kpis_before", "kpis_after", "moves", "lower_bound", "objective"} <= set(plan)
        number = plan["scenario_id"]

        listed = (await client.get("/api/planning/scenarios")).json()
        assert [s["scenario_id"] for s in listed] == [number]
        shown = (await client.get(f"/api/planning/scenarios/{number}")).json()
        assert shown["moves"] == plan["moves"] and shown["scenario"] == body
        side = await client.get("/api/planning/scenarios/compare", params={"ids": f"{number}"})
        assert side.status_code == 200 and side.json()[0]["kpis_after"] == plan["kpis_after"]

        exported = await client.get(f"/api/planning/scenarios/{number}/export.csv")
        assert exported.headers["content-type"].startswith("text/csv")
        assert list(csv.DictReader(io.StringIO(exported.text))) == plan["moves"]

        applied = await client.post(
            f"/api/planning/scenarios/{number}/apply", json={"why": "renovation"}, headers=admin
        )
        assert applied.status_code == 200, applied.text
        assert applied.json()["applied_by"].startswith("key:")
        q1 = next(m for m in plan["moves"] if m["staff_id"] == "Q1")
        assert staff_detail(engine, "Q1")["room_code"] == q1["to_room"]
        again = await client.post(
            f"/api/planning/scenarios/{number}/apply", json={"why": "again"}, headers=admin
        )
        assert again.status_code == 409 and "was applied" in again.json()["detail"]["message"]
    engine.dispose()


async def test_infeasible_scenario_is_explained_and_cannot_be_applied(planned_db: Path) -> None:
    engine = open_store(str(planned_db))
    admin = {"Authorization": f"Bearer {create_key(engine, 'admin')}"}
    engine.dispose()
    body = {
        "name": "everyone into one building, and more",
        "changes": [
            {"kind": "close", "building": "B02"},
            {"kind": "grow", "department": "FIN", "ranks": {"below_bureau": 40}},
        ],
    }
    async with app_client(planned_db) as client:
        ran = await client.post(
            "/api/planning/scenarios", json=body, params={"time_limit_s": 4}, headers=admin
        )
        assert ran.status_code == 201, ran.text
        plan = ran.json()
        assert plan["status"] == "INFEASIBLE" and plan["shortages"]
        assert plan["shortages"][0]["message"].startswith("the site lacks")
        assert all(" lacks " in s["message"] for s in plan["shortages"])
        refused = await client.post(
            f"/api/planning/scenarios/{plan['scenario_id']}/apply",
            json={"why": "x"},
            headers=admin,
        )
        assert refused.status_code == 409
        assert "does not seat everyone" in refused.json()["detail"]["message"]


async def test_bad_bodies_ids_and_limits(planned_db: Path) -> None:
    engine = open_store(str(planned_db))
    admin = {"Authorization": f"Bearer {create_key(engine, 'admin')}"}
    engine.dispose()
    async with app_client(planned_db) as client:
        bad = await client.post(
            "/api/planning/scenarios",
            json={"changes": [{"kind": "grow", "department": "NOPE", "ranks": {"x": 1}}]},
            headers=admin,
        )
        assert bad.status_code == 422
        assert bad.json()["detail"]["message"] == "changes[0].department: no department 'NOPE'"
        shape = await client.post(
            "/api/planning/scenarios", json={"changes": [{"kind": "shrink"}]}, headers=admin
        )
        assert shape.status_code == 422 and "changes[0].kind" in shape.json()["detail"]["message"]
        slow = await client.post(
            "/api/planning/scenarios",
            json={"changes": [{"kind": "close", "building": "B02"}]},
            params={"time_limit_s": 9999},
            headers=admin,
        )
        assert slow.status_code == 422
        missing = await client.get("/api/planning/scenarios/9999")
        assert missing.status_code == 404 and "no scenario 9999" in missing.text
        ids = await client.get("/api/planning/scenarios/compare", params={"ids": "1,x"})
        assert ids.status_code == 422 and "comma" in ids.json()["detail"]["message"]
