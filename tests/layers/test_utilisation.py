"""Utilisation from synthetic presence and people readings, answers worked out by hand.

The week is Monday 2 March to Monday 9 March 2026 in Asia/Shanghai: 5 working days of
08:00–18:00, so 50 h = 180,000 s of working time per room.

- A (A102): present Mon 09:00–11:00 (readings every 10 min, then 0 at 11:00) = 7,200 s;
  Tue a lone 1 at 17:50 holds twice the 600 s interval, to 18:10, of which 600 s are
  working time; Sat 10:00–10:10 is not working time. 7,800 s → 0.04333.
- B (B102): people counted every 5 min all Wednesday 08:00–17:55 (2, and 7 at 12:00),
  each held to the next = 36,000 s; a presence sensor there too says 1 from Tue 07:30
  to 08:10, of which 08:00–08:10 = 600 s count; overlapping Wed 12:00–13:00 adds
  nothing. 36,600 s → 0.20333; peak 7 of capacity 10.
- D (A103) has a presence sensor that said nothing: 0 → idle.
- Every other room has no presence or people sensor: unknown.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import Engine

from layers.ingest import ingest_readings
from layers.sensors import SensorCreate, register_sensor
from layers.utilisation import WorkingHours, idle_rooms, parse_since, utilisation
from models.errors import BadInput
from tests.layers.live_stores import duplex_copy, duplex_db
from twin.rooms import set_room
from twin.store import open_store

__all__ = ["duplex_copy", "duplex_db"]

CST = timezone(timedelta(hours=8))
SINCE = datetime(2026, 3, 2, tzinfo=CST)
UNTIL = datetime(2026, 3, 9, tzinfo=CST)
ROOM_A, ROOM_B, ROOM_D = "DX01-B01-F01-002A", "DX01-B01-F01-007Z", "DX01-B01-F01-0038"
WEEK_S = 5 * 10 * 3600


def _at(day: int, hour: int, minute: int = 0) -> str:
    return datetime(2026, 3, day, hour, minute, tzinfo=CST).isoformat()


@pytest.fixture
def used(duplex_copy: Path) -> Engine:
    engine = open_store(str(duplex_copy))
    for sensor_id, kind, room in (
        ("occ-a", "occupancy", ROOM_A),
        ("pc-b", "people_count", ROOM_B),
        ("occ-b", "occupancy", ROOM_B),
        ("occ-d", "occupancy", ROOM_D),
        ("t-a", "temperature", ROOM_A),
    ):
        register_sensor(engine, SensorCreate(id=sensor_id, kind=kind, room_code=room))
    set_room(engine, ROOM_A, {"department": "Finance", "capacity": 4})
    set_room(engine, ROOM_B, {"department": "Finance", "capacity": 10})
    items: list[dict[str, object]] = []
    for minute in range(9 * 60, 11 * 60, 10):  # Monday, A present 09:00-11:00
        items.append({"sensor": "occ-a", "ts": _at(2, minute // 60, minute % 60), "value": 1})
    items.append({"sensor": "occ-a", "ts": _at(2, 11), "value": 0})
    items.append({"sensor": "occ-a", "ts": _at(3, 17, 50), "value": 1})
    items.append({"sensor": "occ-a", "ts": _at(7, 10), "value": 1})
    items.append({"sensor": "occ-a", "ts": _at(7, 10, 10), "value": 0})
    for minute in range(8 * 60, 18 * 60, 5):  # Wednesday, people in B all day
        value = 7 if minute == 12 * 60 else 2
        items.append({"sensor": "pc-b", "ts": _at(4, minute // 60, minute % 60), "value": value})
    items.append({"sensor": "pc-b", "ts": _at(5, 9), "value": 0})
    for hour, minute in ((7, 30), (7, 40), (7, 50), (8, 0)):
        items.append({"sensor": "occ-b", "ts": _at(3, hour, minute), "value": 1})
    items.append({"sensor": "occ-b", "ts": _at(3, 8, 10), "value": 0})
    items.append({"sensor": "occ-b", "ts": _at(4, 12), "value": 1})
    items.append({"sensor": "occ-b", "ts": _at(4, 12, 10), "value": 1})
    items.append({"sensor": "t-a", "ts": _at(2, 9), "value": 21.5})
    results = ingest_readings(engine, items, "http")
    assert all(r.status == "stored" for r in results)
    return engine


def test_room_utilisation_is_the_occupied_share_of_working_hours(used: Engine) -> None:
    report = utilisation(used, SINCE, UNTIL, by="room", period="day")
    rooms = {group["key"]: group for group in report["groups"]}
    a, b, d = rooms[ROOM_A], rooms[ROOM_B], rooms[ROOM_D]
    assert (a["occupied_s"], a["working_s"]) == (7_800, WEEK_S)
    assert a["utilisation"] == round(7_800 / WEEK_S, 4)
    assert b["occupied_s"] == 36_600 and b["utilisation"] == round(36_600 / WEEK_S, 4)
    assert (b["peak_people"], b["capacity"], b["peak_vs_capacity"]) == (7, 10, 0.7)
    assert d["utilisation"] == 0 and d["peak_people"] is None
    assert rooms["DX01-B01-F02-001X"]["utilisation"] is None  # no sensor: unknown
    days = [p["utilisation"] for p in b["periods"]]
    assert days == [0.0, round(600 / 36_000, 4), 1.0, 0.0, 0.0, None, None]
    assert b["periods"][0]["start"][:10] == "2026-03-02"
    assert b["periods"][2]["peak_people"] == 7 and b["periods"][0]["peak_people"] is None


def test_hours_are_local_working_hours(used: Engine) -> None:
    hours = utilisation(used, SINCE, SINCE + timedelta(days=1), by="room", period="hour")
    a = next(g for g in hours["groups"] if g["key"] == ROOM_A)
    shares = [p["utilisation"] for p in a["periods"]]
    assert len(shares) == 24
    assert shares[9] == shares[10] == 1.0 and shares[11] == 0.0
    assert shares[7] is None and shares[18] is None  # outside working hours


def test_working_hours_are_a_setting(used: Engine) -> None:
    saturday = WorkingHours(weekdays=(5,), start=time(8), end=time(18))
    a = next(
        g for g in utilisation(used, SINCE, UNTIL, hours=saturday)["groups"] if g["key"] == ROOM_A
    )
    assert a["working_s"] == 36_000 and a["occupied_s"] == 600
    with pytest.raises(ValueError, match="time zone"):
        WorkingHours(time_zone="Mars/Olympus")


def test_storey_building_and_department_sum_their_sensed_rooms(used: Engine) -> None:
    storeys = {g["key"]: g for g in utilisation(used, SINCE, UNTIL, by="storey")["groups"]}
    f01 = storeys["DX01-B01-F01"]
    assert (f01["rooms"], f01["rooms_with_sensor"]) == (10, 3)
    assert f01["utilisation"] == round((7_800 + 36_600) / (3 * WEEK_S), 4)
    assert storeys["DX01-B01-F02"]["utilisation"] is None
    buildings = utilisation(used, SINCE, UNTIL, by="building")["groups"]
    assert [g["key"] for g in buildings] == ["DX01-B01"]
    assert buildings[0]["occupied_s"] == 44_400
    departments = {g["key"]: g for g in utilisation(used, SINCE, UNTIL, by="department")["groups"]}
    finance = departments["Finance"]
    assert finance["utilisation"] == round(44_400 / (2 * WEEK_S), 4)
    assert (finance["peak_people"], finance["capacity"]) == (7, 14)


def test_idle_rooms_lists_idle_then_unknown(used: Engine) -> None:
    found = idle_rooms(used, SINCE, threshold=0.10, until=UNTIL)
    assert [(r["room_code"], r["status"]) for r in found[:2]] == [
        (ROOM_D, "idle"),
        (ROOM_A, "idle"),
    ]
    assert ROOM_B not in {r["room_code"] for r in found}
    assert {r["status"] for r in found[2:]} == {"unknown"}
    assert len(found) == 21 - 1
    assert ROOM_B in {r["room_code"] for r in idle_rooms(used, SINCE, 0.25, until=UNTIL)}


def test_bad_input_is_refused(used: Engine) -> None:
    with pytest.raises(BadInput, match="by"):
        utilisation(used, SINCE, UNTIL, by="floor")
    with pytest.raises(BadInput, match="threshold"):
        idle_rooms(used, SINCE, threshold=10)
    with pytest.raises(BadInput, match="since"):
        parse_since("last month")
    assert parse_since("2w", UNTIL) == UNTIL - timedelta(days=14)


def test_a_window_without_readings_is_idle_not_an_error(used: Engine) -> None:
    later = UNTIL + timedelta(days=7)
    report = utilisation(used, UNTIL, later, by="room")
    rooms = {group["key"]: group for group in report["groups"]}
    assert rooms[ROOM_B]["utilisation"] == 0.0 and rooms[ROOM_B]["peak_people"] is None
    assert rooms["DX01-B01-F02-001X"]["utilisation"] is None


def test_many_rooms_over_a_year_stay_exact() -> None:
    """Room 9,000 of 9,001, a year's window: shifting rooms apart must not overflow."""
    from layers.utilisation import _occupied_intervals, _occupied_until, _WorkingClock

    since_us = int(datetime(2026, 1, 1, tzinfo=CST).timestamp() * 1e6)
    until_us = since_us + 365 * 86_400_000_000
    hour = 3_600_000_000
    ts = np.array([since_us + 10 * hour, since_us + 10 * hour + 600_000_000], dtype=np.int64)
    rooms, starts, ends = _occupied_intervals(
        np.zeros(2, dtype=np.int64),
        np.full(2, 9_000, dtype=np.int64),
        ts,
        np.array([1.0, 0.0]),
        np.zeros(2, dtype=bool),
        since_us,
        until_us,
    )
    clock = _WorkingClock(np.array([since_us], np.int64), np.array([until_us], np.int64))
    at = np.array([since_us, since_us + 24 * hour, until_us], dtype=np.int64)
    occupied = _occupied_until(clock, rooms, starts, ends, 9_001, at)
    assert occupied[9_000].tolist() == [0, 600_000_000, 600_000_000]
    assert not occupied[:9_000].any()
