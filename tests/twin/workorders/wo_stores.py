"""The sample campus (one building) for the work-order tests, and alarms raised for real.

Alarms come from readings ingested into the store with the alarm rules watching, as
the served app raises them: a smoke sensor reading 1 raises `smoke.on` at once.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from layers import alarms
from layers.ingest import ingest_readings
from layers.sensors import SensorCreate, register_sensor
from tests.campus_stores import copy_store, sample_store
from twin.rooms import list_rooms
from twin.store import schema as t

__all__ = ["raise_smoke_alarm", "some_rooms", "some_valve", "wo_campus", "wo_campus_db"]


@pytest.fixture(scope="session")
def wo_campus_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return sample_store(tmp_path_factory.mktemp("wo-campus"), buildings=1)


@pytest.fixture
def wo_campus(wo_campus_db: Path, tmp_path: Path) -> Path:
    """A writable copy of the sample campus for one test."""
    return copy_store(wo_campus_db, tmp_path)


def some_rooms(engine: Engine, n: int = 2) -> list[str]:
    """The codes of the first `n` active rooms."""
    return [room["room_code"] for room in list_rooms(engine)[:n]]


def some_valve(engine: Engine) -> str:
    with engine.connect() as conn:
        found = conn.execute(
            select(t.elements.c.element_id)
            .where(t.elements.c.kind == "valve")
            .order_by(t.elements.c.element_id)
        ).scalar()
    assert found is not None, "the sample campus has valves"
    return str(found)


def raise_smoke_alarm(
    engine: Engine, sensor_id: str, room_code: str | None = None, code: str | None = None
) -> int:
    """Register a smoke sensor at a room or code, send it smoke; the id of the alarm raised."""
    register_sensor(
        engine, SensorCreate(id=sensor_id, kind="smoke", room_code=room_code, code=code)
    )
    ingest_readings(
        engine, [{"sensor": sensor_id, "ts": "2026-03-01T08:00:00Z", "value": True}], "http"
    )
    alarms.drain(engine)  # what the served app's alarm worker does after ingest commits
    raised = [a for a in alarms.list_alarms(engine, "raised") if a["sensor"] == sensor_id]
    assert len(raised) == 1, raised
    return int(raised[0]["alarm_id"])
