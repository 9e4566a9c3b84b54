"""`layers.simulate`: a plan of sensors for every room, and streams that behave like a campus."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from layers.simulate import Simulator, Stream, load_streams, plan_sensors, register_plan
from tests.layers.live_stores import duplex_copy, duplex_db
from twin.store import open_store
from twin.store import schema as t

__all__ = ["duplex_copy", "duplex_db"]

MONDAY = datetime(2026, 6, 1, tzinfo=UTC)


def _stream(kind: str, facing: str = "core", meeting: bool = False) -> Stream:
    return Stream(f"s-{kind}-{facing}", kind, "WZ01", "WZ01-B01", facing, meeting, 10)


def _day(sim: Simulator, stream: Stream, day: datetime, step_min: int = 30) -> list[float]:
    times = [day + timedelta(minutes=m) for m in range(0, 24 * 60, step_min)]
    return [float(sim.value(stream, at)) for at in times]


def test_plan_covers_every_room_building_and_site_and_registers_once(duplex_copy: Path) -> None:
    engine = open_store(str(duplex_copy))
    with engine.connect() as conn:
        rooms = conn.execute(
            select(func.count()).select_from(t.rooms).where(t.rooms.c.status == "active")
        ).scalar_one()
    plan = plan_sensors(engine)
    kinds = [s.kind for s in plan]
    assert kinds.count("temperature") == kinds.count("occupancy") == rooms > 0
    assert {"power_meter", "water_meter", "manhole_cover", "parking_bay"} <= set(kinds)
    assert register_plan(engine, plan) == len(plan)
    assert register_plan(engine, plan) == 0
    streams = load_streams(engine)
    assert len(streams) == len(plan)
    assert {s.facing for s in streams if s.kind == "temperature"} - {"core"}
    assert len(load_streams(engine, limit=5)) == 5


def test_the_same_seed_gives_the_same_streams_another_seed_others() -> None:
    streams = [_stream(k) for k in ("temperature", "occupancy", "parking_bay", "combustible_gas")]
    at = MONDAY + timedelta(hours=10, minutes=7)
    assert Simulator(streams, 3).readings(at) == Simulator(streams, 3).readings(at)
    days = [
        [Simulator(streams, seed).value(streams[0], at + timedelta(minutes=m)) for m in range(20)]
        for seed in (3, 4)
    ]
    assert days[0] != days[1]


def test_temperature_follows_the_sun_round_the_building() -> None:
    sim = Simulator([], 1, fault_rate=0)
    east, west = _stream("temperature", "east"), _stream("temperature", "west")
    south, north = _stream("temperature", "south"), _stream("temperature", "north")
    warmest_h = {
        side.facing: _day(sim, side, MONDAY).index(max(_day(sim, side, MONDAY))) / 2
        for side in (east, west)
    }
    assert warmest_h["east"] < 13 < warmest_h["west"]
    south_day, north_day = _day(sim, south, MONDAY), _day(sim, north, MONDAY)
    assert max(south_day) - min(south_day) > max(north_day) - min(north_day)
    assert all(15 < v < 30 for v in south_day + north_day)


def test_occupancy_follows_working_hours_and_meetings_come_in_blocks() -> None:
    sim = Simulator([], 2, fault_rate=0)
    office = _stream("occupancy")
    monday = _day(sim, office, MONDAY, 10)
    assert not any(monday[: 8 * 6]) and not any(monday[18 * 6 :])
    assert sum(map(bool, monday[8 * 6 : 18 * 6])) > 30
    assert not any(_day(sim, office, MONDAY - timedelta(days=1), 10))  # Sunday
    meeting = _stream("people_count", meeting=True)
    hours = [
        {float(sim.value(meeting, MONDAY + timedelta(hours=h, minutes=m))) for m in range(0, 60, 5)}
        for h in range(8, 18)
    ]
    assert all(len(values) == 1 for values in hours)  # a booking holds for its hour
    people = [values.pop() for values in hours]
    assert 0 in people and any(2 <= p <= 10 for p in people)


def test_meters_count_up() -> None:
    sim = Simulator([], 0)
    meter = _stream("power_meter")
    values = [float(sim.value(meter, MONDAY + timedelta(minutes=17 * i))) for i in range(300)]
    assert all(b >= a for a, b in itertools.pairwise(values))
    assert values[-1] > values[0]


def test_faults_happen_gas_spikes_manholes_open_sensors_fall_silent() -> None:
    streams = [
        Stream(f"s-{kind}-{n}", kind, "WZ01", "WZ01", "core")
        for kind in ("combustible_gas", "manhole_cover", "temperature")
        for n in range(40)
    ]
    sim = Simulator(streams, 5, fault_rate=0.2)
    hours = [MONDAY + timedelta(hours=h) for h in range(48)]
    readings = [r for at in hours for r in sim.readings(at)]
    gas = [r["value"] for r in readings if r["sensor"].startswith("s-combustible_gas")]
    assert max(gas) > 25 and min(gas) < 2
    assert "open" in [r["value"] for r in readings if r["sensor"].startswith("s-manhole")]
    last = {r["sensor"] for r in sim.readings(hours[-1] + timedelta(hours=1))}
    assert len(last) < len(streams)  # some fell silent and stay so
    assert sim.silent and not last & sim.silent


def test_readings_follow_the_campus_clock_and_carry_utc_times() -> None:
    office = _stream("occupancy")
    sim = Simulator([office], 4, fault_rate=0, utc_offset_h=8)
    # 00:00-10:00 UTC is 08:00-18:00 in China: people only then.
    days = [MONDAY + timedelta(minutes=10 * i) for i in range(24 * 6)]
    present = [bool(sim.readings(at)[0]["value"]) for at in days]
    assert any(present[: 10 * 6]) and not any(present[10 * 6 :])
    assert sim.readings(MONDAY)[0]["ts"] == "2026-06-01T00:00:00Z"
