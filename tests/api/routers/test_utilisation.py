"""`GET /api/utilisation` and `/api/utilisation/idle` over a store with presence readings."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from layers.ingest import ingest_readings
from layers.sensors import SensorCreate, register_sensor
from tests.api.conftest import app_client
from tests.campus_stores import copy_store
from twin.store import open_store

pytestmark = pytest.mark.anyio

A101 = "DX01-B01-F01-001C"


@pytest.fixture
async def used(campus_db: Path, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    """A101 present for the whole of the last working day's 10:00-11:00 hour."""
    db = copy_store(campus_db, tmp_path)
    engine = open_store(str(db))
    register_sensor(engine, SensorCreate(id="occ-1", kind="occupancy", room_code=A101))
    day = datetime.now(UTC) - timedelta(days=1)
    while day.weekday() > 4:
        day -= timedelta(days=1)
    start = day.replace(hour=2, minute=0, second=0, microsecond=0)  # 10:00 in Shanghai
    items = [
        {"sensor": "occ-1", "ts": (start + timedelta(minutes=m)).isoformat(), "value": int(m < 60)}
        for m in range(0, 70, 10)
    ]
    ingest_readings(engine, items, "http")
    engine.dispose()
    async with app_client(db) as client:
        yield client


async def test_utilisation_by_storey(used: httpx.AsyncClient) -> None:
    answer = await used.get("/api/utilisation", params={"by": "storey", "since": "14d"})
    assert answer.status_code == 200
    groups = {g["key"]: g for g in answer.json()["groups"]}
    f01 = groups["DX01-B01-F01"]
    assert f01["occupied_s"] == 3600 and f01["rooms_with_sensor"] == 1
    assert f01["utilisation"] == round(3600 / f01["working_s"], 4)
    others = [g["utilisation"] for key, g in groups.items() if key != "DX01-B01-F01"]
    assert others and all(share is None for share in others)


async def test_idle_rooms_and_bad_input(used: httpx.AsyncClient) -> None:
    idle = (await used.get("/api/utilisation/idle", params={"since": "14d"})).json()
    statuses = {r["room_code"]: r["status"] for r in idle}
    assert statuses[A101] == "idle" and "unknown" in statuses.values()
    busy = (await used.get("/api/utilisation/idle", params={"since": "1d", "threshold": 0})).json()
    assert A101 not in {r["room_code"] for r in busy}
    bad = await used.get("/api/utilisation", params={"by": "floor"})
    assert bad.status_code == 422 and "storey" in bad.json()["detail"]["message"]
