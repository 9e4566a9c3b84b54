"""Reading events with their room, and each room's live state for the colour modes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from layers.events import bus
from layers.ingest import ingest_readings, on_stored
from layers.live import live_rooms, occupancy_now, publish_readings
from layers.sensors import SensorCreate, register_sensor
from tests.layers.live_stores import A101, duplex_copy, duplex_db
from twin.rooms import set_room
from twin.store import open_store

__all__ = ["duplex_copy", "duplex_db"]

A102 = "DX01-B01-F01-002A"


@pytest.mark.parametrize(
    ("people", "present", "capacity", "level"),
    [
        (0, None, 10, "empty"),
        (4, None, 10, "under_half"),
        (5, None, 10, "over_half"),
        (12, None, 10, "full"),
        (3, None, None, "in_use"),
        (None, 1.0, 10, "in_use"),
        (None, 0.0, None, "empty"),
        (None, None, 10, None),
    ],
)
def test_how_full_a_room_is(
    people: float | None, present: float | None, capacity: int | None, level: str | None
) -> None:
    assert occupancy_now(people, present, capacity) == level


def test_stored_readings_are_published_with_their_room(duplex_copy: Path) -> None:
    engine = open_store(str(duplex_copy))
    register_sensor(engine, SensorCreate(id="t-1", kind="temperature", room_code=A101))
    register_sensor(engine, SensorCreate(id="pc-1", kind="people_count", room_code=A102))
    set_room(engine, A102, {"capacity": 4})
    on_stored(publish_readings)
    seen: list[dict[str, Any]] = []
    bus.add_callback(seen.append)
    try:
        items = [
            {"sensor": "t-1", "ts": "2026-03-02T09:00:00+08:00", "value": 21.0},
            {"sensor": "t-1", "ts": "2026-03-02T09:05:00+08:00", "value": 22.5},
            {"sensor": "pc-1", "ts": "2026-03-02T09:05:00+08:00", "value": 4},
        ]
        ingest_readings(engine, items, "http")
        ingest_readings(engine, items[:1], "http")  # a duplicate: no event
    finally:
        bus.remove_callback(seen.append)
    mine = [e for e in seen if e["type"] == "reading" and e["sensor"] in ("t-1", "pc-1")]
    assert [(e["sensor"], e["room_code"], e["ts"], e["value"]) for e in mine] == [
        ("t-1", A101, "2026-03-02T01:00:00Z", 21.0),
        ("t-1", A101, "2026-03-02T01:05:00Z", 22.5),
        ("pc-1", A102, "2026-03-02T01:05:00Z", 4.0),
    ]
    rooms = live_rooms(engine)
    assert rooms[A101]["temperature"] == 22.5 and rooms[A101]["occupancy_now"] is None
    assert rooms[A102]["occupancy_now"] == "full" and rooms[A102]["capacity"] == 4
    assert set(live_rooms(engine, [A102])) == {A102}
