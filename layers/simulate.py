"""Realistic synthetic sensor streams for every room of the twin, for demos and tests.

`plan_sensors` names the sensors a campus would have — a temperature and a presence
sensor per room, a people counter in meeting rooms, power, water and gas meters per
building, manhole covers and parking bays at site level — and `register_plan` registers
them. `load_streams` reads the registered sensors back with what their values depend
on: the side of the building a room faces (its footprint's centroid against the
building's), whether it is a meeting room. `Simulator.readings(at)` then gives one
reading per due sensor: temperature following the sun round the building, presence
following working hours, meeting rooms booked in blocks, meters counting up, and now
and then a fault (a gas spike, a manhole opened, a sensor falling silent). Values
depend only on the seed, the sensor and the time, so a run can be repeated.

    >>> sim = Simulator([Stream("t-1", "temperature", "WZ01", "WZ01-B01-F01-001X", "south")], 1)
    >>> [round(r["value"], 1) for r in sim.readings(datetime(2026, 6, 1, 5, tzinfo=UTC))]
    [24.9]
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import shapely
from sqlalchemy import Engine, select

from layers.sensors import SensorCreate, register_sensor
from twin.store import schema as t

__all__ = ["Simulator", "Stream", "load_streams", "plan_sensors", "register_plan"]

PREFIX = "sim"
WORK_START_H, WORK_END_H = 8, 18
# Hour of the warmest moment by the side a room faces; north barely warms.
PEAK_HOUR = {"east": 10.0, "south": 13.0, "west": 16.0, "north": 14.0, "core": 14.0}
SWING_C = {"east": 2.0, "south": 3.0, "west": 2.5, "north": 0.8, "core": 0.5}
MANHOLES_PER_SITE, BAYS_PER_SITE = 2, 6


@dataclass(frozen=True)
class Stream:
    """One simulated sensor: id, kind, the site and code it publishes under, its room's side."""

    sensor: str
    kind: str
    site: str
    code: str
    facing: str = "core"
    meeting: bool = False
    capacity: int = 8


def _rooms(engine: Engine) -> list[Any]:
    r = t.rooms.c
    query = select(r.room_code, r.building_code, r.usage, r.net_floor_area_m2, r.footprint_wkb)
    with engine.connect() as conn:
        return list(conn.execute(query.where(r.status == "active").order_by(r.room_code)))


def plan_sensors(engine: Engine) -> list[SensorCreate]:
    """The sensors a campus like the stored one would have, with stable ids."""
    plan: list[SensorCreate] = []
    buildings: set[str] = set()
    for room in _rooms(engine):
        code = room.room_code
        plan.append(SensorCreate(id=f"{PREFIX}-t-{code}", kind="temperature", room_code=code))
        plan.append(SensorCreate(id=f"{PREFIX}-occ-{code}", kind="occupancy", room_code=code))
        if room.usage == "meeting":
            plan.append(
                SensorCreate(id=f"{PREFIX}-ppl-{code}", kind="people_count", room_code=code)
            )
        buildings.add(room.building_code)
    for building in sorted(buildings):
        for kind in ("power_meter", "water_meter", "combustible_gas"):
            plan.append(SensorCreate(id=f"{PREFIX}-{kind}-{building}", kind=kind, code=building))
    with engine.connect() as conn:
        sites = conn.execute(select(t.sites.c.site_code).order_by(t.sites.c.site_code)).scalars()
        for site in list(sites):
            for n in range(1, MANHOLES_PER_SITE + 1):
                plan.append(
                    SensorCreate(id=f"{PREFIX}-mh-{site}-{n}", kind="manhole_cover", code=site)
                )
            for n in range(1, BAYS_PER_SITE + 1):
                plan.append(
                    SensorCreate(id=f"{PREFIX}-bay-{site}-{n}", kind="parking_bay", code=site)
                )
    return plan


def register_plan(engine: Engine, plan: Iterable[SensorCreate]) -> int:
    """Register the planned sensors (those already there are left as they are); how many new."""
    return sum(1 for sensor in plan if register_sensor(engine, sensor)["created"])


def _sides(rooms: list[Any]) -> dict[str, str]:
    """Room code -> the side of its building it lies on, from footprint centroids."""
    centres: dict[str, tuple[float, float]] = {}
    for room in rooms:
        if room.footprint_wkb is not None:
            point = shapely.from_wkb(room.footprint_wkb).centroid
            centres[room.room_code] = (point.x, point.y)
    by_building: dict[str, list[tuple[float, float]]] = {}
    for room in rooms:
        if room.room_code in centres:
            by_building.setdefault(room.building_code, []).append(centres[room.room_code])
    sides: dict[str, str] = {}
    for room in rooms:
        if room.room_code not in centres:
            continue
        points = by_building[room.building_code]
        mx = sum(p[0] for p in points) / len(points)
        my = sum(p[1] for p in points) / len(points)
        dx, dy = centres[room.room_code][0] - mx, centres[room.room_code][1] - my
        if math.hypot(dx, dy) < 1.0:
            sides[room.room_code] = "core"
        elif abs(dx) > abs(dy):
            sides[room.room_code] = "east" if dx > 0 else "west"
        else:
            sides[room.room_code] = "north" if dy > 0 else "south"
    return sides


def load_streams(engine: Engine, limit: int | None = None) -> list[Stream]:
    """The registered sensors the simulator can feed, in id order, at most `limit`."""
    rooms = _rooms(engine)
    sides = _sides(rooms)
    by_code = {room.room_code: room for room in rooms}
    s = t.sensors.c
    query = select(s.sensor_id, s.kind, s.room_code, s.code).order_by(s.sensor_id)
    with engine.connect() as conn:
        sensors = list(conn.execute(query))
        query_b = select(t.buildings.c.building_code, t.buildings.c.site_code)
        buildings: dict[str, str] = {b: s for b, s in conn.execute(query_b)}
    streams: list[Stream] = []
    for sensor in sensors:
        code = sensor.room_code or sensor.code
        if code is None:
            continue
        room = by_code.get(sensor.room_code) if sensor.room_code else None
        site = buildings.get(code) or code.split("-")[0]
        capacity = max(2, int((room.net_floor_area_m2 or 16) / 2)) if room is not None else 8
        streams.append(
            Stream(
                sensor.sensor_id,
                sensor.kind,
                site,
                code,
                sides.get(code, "core"),
                room is not None and room.usage == "meeting",
                capacity,
            )
        )
    return streams[:limit] if limit is not None else streams


def _unit(seed: int, *parts: object) -> float:
    """A number in [0, 1) fixed by the seed and the parts: the same inputs, the same number."""
    text = "|".join(map(str, (seed, *parts))).encode()
    return int.from_bytes(hashlib.blake2b(text, digest_size=8).digest(), "big") / 2**64


@dataclass
class Simulator:
    """Values for `streams`, fixed by `seed` and the time; faults at `fault_rate` per hour."""

    streams: list[Stream]
    seed: int = 0
    fault_rate: float = 0.02
    # The campus's clock: working hours and the sun follow local time (China: UTC+8).
    utc_offset_h: float = 8.0
    _silent: set[str] = field(default_factory=set)

    def readings(
        self, at: datetime, streams: Iterable[Stream] | None = None
    ) -> list[dict[str, Any]]:
        """One reading per stream (all, or those given) at `at`, silent sensors left out."""
        ts = at.astimezone(UTC).isoformat().replace("+00:00", "Z")
        local = at.astimezone(timezone(timedelta(hours=self.utc_offset_h)))
        out = []
        for stream in self.streams if streams is None else streams:
            if self._falls_silent(stream, local):
                continue
            out.append({"sensor": stream.sensor, "ts": ts, "value": self.value(stream, local)})
        return out

    @property
    def silent(self) -> frozenset[str]:
        """Sensors that have fallen silent (a fault that lasts: they never report again)."""
        return frozenset(self._silent)

    def _falls_silent(self, stream: Stream, at: datetime) -> bool:
        if stream.sensor in self._silent:
            return True
        hour = at.replace(minute=0, second=0, microsecond=0)
        if _unit(self.seed, "silent", stream.sensor, hour) < self.fault_rate / 4:
            self._silent.add(stream.sensor)  # a dead sensor stays dead: "no data" alarm
            return True
        return False

    def _fault(self, stream: Stream, at: datetime) -> bool:
        hour = at.replace(minute=0, second=0, microsecond=0)
        return _unit(self.seed, "fault", stream.sensor, hour) < self.fault_rate

    def value(self, stream: Stream, at: datetime) -> float | str | bool:
        """The value of `stream` at `at`, whose own time of day counts (pass local time)."""
        hours = at.hour + at.minute / 60 + at.second / 3600
        working = at.weekday() < 5 and WORK_START_H <= hours < WORK_END_H
        noise = _unit(self.seed, stream.sensor, at.isoformat()) - 0.5
        kind = stream.kind
        if kind == "temperature":
            phase = 2 * math.pi * (hours - PEAK_HOUR[stream.facing]) / 24
            heated = 1.0 if working else -1.0
            return round(21 + SWING_C[stream.facing] * math.cos(phase) + heated + noise * 0.4, 2)
        if kind in ("occupancy", "people_count"):
            people = self._people(stream, at, working)
            return people > 0 if kind == "occupancy" else people
        if kind in ("power_meter", "water_meter"):
            return self._meter(stream, at)
        if kind == "combustible_gas":
            return 35.0 + noise * 20 if self._fault(stream, at) else round(1.0 + noise, 2)
        if kind == "manhole_cover":
            return "open" if self._fault(stream, at) else "closed"
        if kind == "parking_bay":
            busy = 0.8 if working else 0.2
            slot = at.replace(minute=at.minute // 15 * 15, second=0, microsecond=0)
            return "taken" if _unit(self.seed, stream.sensor, slot) < busy else "free"
        return 0.0

    def _people(self, stream: Stream, at: datetime, working: bool) -> int:
        if not working:
            return 0
        if stream.meeting:
            # Booked by the hour; a booking fills the room from 2 to its capacity.
            hour = at.replace(minute=0, second=0, microsecond=0)
            if _unit(self.seed, "booking", stream.sensor, hour) >= 0.45:
                return 0
            share = _unit(self.seed, "size", stream.sensor, hour)
            return 2 + int(share * max(0, stream.capacity - 1))
        lunch = 12 <= at.hour < 13
        slot = at.replace(minute=at.minute // 10 * 10, second=0, microsecond=0)
        return int(_unit(self.seed, stream.sensor, slot) < (0.35 if lunch else 0.75))

    def _meter(self, stream: Stream, at: datetime) -> float:
        """Counts up: a base consumption, more in working hours, summed by the hour."""
        per_hour = 40.0 if stream.kind == "power_meter" else 0.6
        start = datetime(2026, 1, 1, tzinfo=UTC)
        elapsed_h = max(0.0, (at - start) / timedelta(hours=1))
        days, rest = divmod(elapsed_h, 24)
        work_h = days * (WORK_END_H - WORK_START_H)
        work_h += min(max(0.0, rest - WORK_START_H), WORK_END_H - WORK_START_H)
        return round(per_hour * (0.3 * elapsed_h + work_h), 3)
