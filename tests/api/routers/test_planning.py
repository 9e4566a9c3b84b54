"""`/api/planning` (warnings, figures) and `/api/rooms/{code}/lifecycle`, over the sample org."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from layers.keys import create_key
from layers.sensors import SensorCreate, register_sensor
from tests.api.conftest import app_client
from tests.campus_stores import copy_store
from tests.planning_stores import planned_store
from twin.planning.load import load_planning_state
from twin.store import open_store

pytestmark = pytest.mark.anyio

KINDS = {"over_standard", "idle", "lease_ending", "rent_overdue", "department_over_entitlement"}


@pytest.fixture(scope="module")
def planned_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return planned_store(tmp_path_factory.mktemp("planned"))


@pytest.fixture
async def client(planned_db: Path) -> AsyncIterator[httpx.AsyncClient]:
    async with app_client(planned_db) as client:
        yield client


async def test_warnings_of_every_kind_with_figures(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/planning/warnings", params={"site": "wz01"})
    assert response.status_code == 200
    found = response.json()
    assert {w["kind"] for w in found} == KINDS
    for warning in found:
        assert set(warning) == {"kind", "code", "message", "figures"}
        assert warning["code"] in warning["message"]
    over = next(w for w in found if w["kind"] == "over_standard")
    figures = over["figures"]
    assert figures["over_m2"] == round(figures["area_m2"] - figures["entitlement_m2"], 2) > 0
    ending = next(w for w in found if w["kind"] == "lease_ending")
    assert 0 <= ending["figures"]["days_left"] <= 90
    only = await client.get(
        "/api/planning/warnings", params=[("kind", "rent_overdue"), ("kind", "lease_ending")]
    )
    assert {w["kind"] for w in only.json()} == {"rent_overdue", "lease_ending"}
    bad = await client.get("/api/planning/warnings", params={"kind": "overstandard"})
    assert bad.status_code == 422 and "unknown warning kind" in bad.json()["detail"]["message"]
    assert (await client.get("/api/planning/warnings", params={"site": "ZZ9"})).status_code == 422


async def test_figures_per_room_person_and_department(
    client: httpx.AsyncClient, planned_db: Path
) -> None:
    state = load_planning_state(open_store(str(planned_db)), "WZ01")
    rooms = (await client.get("/api/planning/rooms", params={"site": "WZ01"})).json()
    assert len(rooms) == len(state.rooms)
    assert {r["standing"] for r in rooms} == {"within", "over", "idle"}
    people = (await client.get("/api/planning/staff", params={"site": "WZ01"})).json()
    assert len(people) == len(state.staff)
    seated = [p for p in people if p["room_code"]]
    assert all(p["actual_m2"] >= p["allowance_m2"] for p in seated)
    departments = (await client.get("/api/planning/departments", params={"site": "WZ01"})).json()
    assert sum(d["staff"] for d in departments) == len(state.staff)
    listed = (await client.get("/api/rooms", params={"usage": "office", "limit": 1000})).json()
    by_code = {r["room_code"]: r for r in listed["items"]}
    for room in rooms:
        assert by_code[room["room_code"]]["area_standard"] == room["standing"]


async def test_an_occupied_office_with_a_silent_presence_sensor_is_idle(
    planned_db: Path, tmp_path: Path
) -> None:
    db = copy_store(planned_db, tmp_path)
    engine = open_store(str(db))
    state = load_planning_state(engine, "WZ01")
    occupied = next(p.room_code for p in state.staff if p.room_code)
    register_sensor(engine, SensorCreate(id="occ-1", kind="occupancy", room_code=occupied))
    engine.dispose()
    async with app_client(db) as client:
        found = (await client.get("/api/planning/warnings", params={"kind": "idle"})).json()
    idle = next(w for w in found if w["code"] == occupied)
    assert idle["figures"]["utilisation"] == 0.0
    assert idle["figures"]["occupants"] > 0
    assert "used 0% of working time" in idle["message"]


async def test_lifecycle_history_and_new_events(planned_db: Path, tmp_path: Path) -> None:
    db = copy_store(planned_db, tmp_path)
    engine = open_store(str(db))
    admin = {"Authorization": f"Bearer {create_key(engine, 'admin')}"}
    room = load_planning_state(engine, "WZ01").rooms[5].room_code
    engine.dispose()
    end = (datetime.now(UTC).date() + timedelta(days=20)).isoformat()
    lease: dict[str, Any] = {
        "event": "lease",
        "why": "temporary space",
        "fields": {"lease_start": "2025-01-01", "lease_end": end, "rent_amount": 3000},
    }
    async with app_client(db) as client:
        path = f"/api/rooms/{room.lower()}/lifecycle"
        assert (await client.post(path, json=lease)).status_code == 401
        created = await client.post(path, json=lease, headers=admin)
        assert created.status_code == 201, created.text
        body = created.json()
        assert body["state"]["ownership"] == "leased"
        assert body["events"][-1]["by"].startswith("key:")
        assert body["events"][-1]["why"] == "temporary space"
        reversed_lease = {
            **lease,
            "fields": {**lease["fields"], "lease_start": "2030-01-01"},
        }
        bad = await client.post(path, json=reversed_lease, headers=admin)
        assert bad.status_code == 422 and "before it starts" in bad.json()["detail"]["message"]
        history = (await client.get(path)).json()
        assert [e["event"] for e in history["events"]] == ["lease"]
        warnings = (
            await client.get("/api/planning/warnings", params={"kind": "lease_ending"})
        ).json()
        assert room in {w["code"] for w in warnings}
        mistyped = room[:-1] + ("A" if room[-1] != "A" else "B")
        assert (await client.get(f"/api/rooms/{mistyped}/lifecycle")).status_code == 422
