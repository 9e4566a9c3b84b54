"""Rooms measured idle feed the map's vacancy: a silent presence sensor is idle, a busy
room is not, a room without a presence or people sensor is left out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from api.room_use import idle_by_room
from layers.ingest import ingest_readings
from layers.sensors import SensorCreate, register_sensor
from models.errors import BadInput
from tests.layers.live_stores import duplex_copy, duplex_db
from twin.geo.sites import map_sites
from twin.rooms import list_rooms, set_room
from twin.store import open_store

__all__ = ["duplex_copy", "duplex_db"]

BUSY, SILENT = "DX01-B01-F01-007Z", "DX01-B01-F01-0038"


def test_idle_rooms_make_offices_vacant(duplex_copy: Path) -> None:
    engine = open_store(str(duplex_copy))
    register_sensor(engine, SensorCreate(id="pc-busy", kind="people_count", room_code=BUSY))
    register_sensor(engine, SensorCreate(id="occ-silent", kind="occupancy", room_code=SILENT))
    now = datetime.now(UTC)
    # People in BUSY every 10 minutes, day and night, for the last 8 days.
    items: list[dict[str, object]] = [
        {"sensor": "pc-busy", "ts": (now - timedelta(minutes=10 * n)).isoformat(), "value": 3}
        for n in range(1, 8 * 24 * 6)
    ]
    assert all(r.status == "stored" for r in ingest_readings(engine, items, "http"))
    idle = idle_by_room(engine, "7d")
    assert idle == {BUSY: False, SILENT: True}
    # Only offices count: make both offices (no department anywhere: no allocation data).
    for code in (BUSY, SILENT):
        set_room(engine, code, {"usage": "office"})
    offices = [r for r in list_rooms(engine) if r["usage"] == "office"]
    assert {r["room_code"] for r in offices} == {BUSY, SILENT}
    (plain,) = map_sites(engine)["features"]
    assert plain["properties"]["vacancy"] is None  # neither allocation nor use data
    (measured,) = map_sites(engine, idle)["features"]
    assert measured["properties"]["vacancy"] == 0.5
    with pytest.raises(BadInput, match="since"):
        idle_by_room(engine, "last month")
    engine.dispose()
