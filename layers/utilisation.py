"""How much rooms are used: share of working hours occupied, and peak people against capacity.

Presence (`occupancy`, 0/1) and `people_count` readings say whether a room is in use.
A reading holds until the sensor's next reading, but never longer than twice its
kind's expected interval: a silent sensor says nothing, so that time counts as not
occupied. A room is occupied while any of its sensors says so. Utilisation is the
occupied share of working time (`WorkingHours`: by default Monday to Friday
08:00–18:00 in Asia/Shanghai, set by `TWIN_WORKING_*` variables), per room and summed
over storeys, buildings and departments, overall and per hour, day or week (local
time). A room without a presence or people sensor is `unknown`, never idle.

The readings come from one SQL query; everything after is numpy over arrays of
intervals (merged per room, measured in working time through a cumulative
working-seconds function), never a Python loop per reading.

>>> parse_since("30d", datetime(2026, 3, 31, tzinfo=UTC)).isoformat()
'2026-03-01T00:00:00+00:00'
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import numpy.typing as npt
from pydantic import field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy import Engine, select

from layers.kinds import SENSOR_KINDS
from layers.readings import ts_text
from models.errors import BadInput
from twin.rooms import list_rooms
from twin.store import schema as t

__all__ = [
    "GROUPINGS",
    "OCCUPANCY_KINDS",
    "PERIODS",
    "WorkingHours",
    "idle_rooms",
    "parse_since",
    "utilisation",
]

OCCUPANCY_KINDS = ("occupancy", "people_count")
GROUPINGS = ("room", "storey", "building", "department")
PERIODS = ("hour", "day", "week")
Grouping = Literal["room", "storey", "building", "department"]
Period = Literal["hour", "day", "week"]
MAX_PERIODS = 10_000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_US = timedelta(microseconds=1)
_UNITS = {"h": 3_600, "d": 86_400, "w": 7 * 86_400}
I64 = npt.NDArray[np.int64]


class WorkingHours(BaseSettings):
    """The site's working hours: weekdays (Monday = 0) from `start` to `end`, local time."""

    model_config = SettingsConfigDict(env_prefix="TWIN_WORKING_", frozen=True, extra="ignore")

    time_zone: str = "Asia/Shanghai"
    weekdays: tuple[int, ...] = (0, 1, 2, 3, 4)
    start: time = time(8, 0)
    end: time = time(18, 0)

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, name: str) -> str:
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {name!r}, e.g. Asia/Shanghai") from None
        return name

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def public(self) -> dict[str, Any]:
        return {
            "time_zone": self.time_zone,
            "weekdays": list(self.weekdays),
            "start": self.start.isoformat("minutes"),
            "end": self.end.isoformat("minutes"),
        }


def parse_since(text: str, now: datetime | None = None) -> datetime:
    """`30d`, `12h`, `2w` before now, or an ISO 8601 time with a zone."""
    now = now or datetime.now(UTC)
    match = re.fullmatch(r"\s*(\d+)\s*([hdw])\s*", text.lower())
    if match:
        return now - timedelta(seconds=int(match[1]) * _UNITS[match[2]])
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise BadInput(f"since {text!r}: write e.g. 30d, 12h, 2w or 2026-03-01T00:00:00+08:00")
    return moment


def _us(moment: datetime) -> int:
    return (moment - _EPOCH) // _US


def _working_intervals(hours: WorkingHours, since_us: int, until_us: int) -> tuple[I64, I64]:
    """Disjoint working intervals (UTC µs) clipped to the window, in time order."""
    zone = hours.zone
    first = (_EPOCH + since_us * _US).astimezone(zone).date() - timedelta(days=1)
    last = (_EPOCH + until_us * _US).astimezone(zone).date() + timedelta(days=1)
    starts, ends = [], []
    day = first
    while day <= last:
        if day.weekday() in hours.weekdays and hours.start < hours.end:
            starts.append(_us(datetime.combine(day, hours.start, zone)))
            ends.append(_us(datetime.combine(day, hours.end, zone)))
        day += timedelta(days=1)
    s = np.clip(np.array(starts, dtype=np.int64), since_us, until_us)
    e = np.clip(np.array(ends, dtype=np.int64), since_us, until_us)
    keep = e > s
    return s[keep], e[keep]


class _WorkingClock:
    """Working microseconds from the window's start to any time: `W(t)`, vectorised."""

    def __init__(self, starts: I64, ends: I64) -> None:
        self.starts = starts
        self.lengths = ends - starts
        self.before = np.concatenate([[0], np.cumsum(self.lengths)]).astype(np.int64)

    def __call__(self, when: I64) -> I64:
        i = np.searchsorted(self.starts, when, side="right") - 1
        inside = np.clip(when - self.starts[np.maximum(i, 0)], 0, self.lengths[np.maximum(i, 0)])
        return np.where(i >= 0, self.before[np.maximum(i, 0)] + inside, 0).astype(np.int64)


def _boundaries(hours: WorkingHours, period: str, since_us: int, until_us: int) -> list[int]:
    """Local hour, day or week (from Monday) starts covering the window, as UTC µs."""
    zone = hours.zone
    local = (_EPOCH + since_us * _US).astimezone(zone)
    if period == "hour":
        moment = local.replace(minute=0, second=0, microsecond=0)
    else:
        moment = local.replace(hour=0, minute=0, second=0, microsecond=0)
        if period == "week":
            moment -= timedelta(days=moment.weekday())
    naive = moment.replace(tzinfo=None)
    step = timedelta(hours=1) if period == "hour" else timedelta(days=7 if period == "week" else 1)
    out = [_us(moment)]
    while out[-1] < until_us:
        if len(out) > MAX_PERIODS:
            raise BadInput(f"more than {MAX_PERIODS} periods: choose a longer period")
        naive += step
        out.append(_us(naive.replace(tzinfo=zone)))
    return out


def _readings(
    engine: Engine, room_index: dict[str, int], since_us: int, until_us: int
) -> tuple[I64, I64, I64, npt.NDArray[np.float64], npt.NDArray[np.bool_]]:
    """(sensor number, room index, ts µs, value, is people count) ordered by sensor, time."""
    hold_max = max(2 * SENSOR_KINDS[k].expected_interval_s for k in OCCUPANCY_KINDS) * 1_000_000
    s, r = t.sensors.c, t.readings.c
    query = (
        select(s.sensor_id, s.room_code, s.kind, r.ts_us, r.value)
        .join(t.readings, r.sensor_id == s.sensor_id)
        .where(
            s.kind.in_(OCCUPANCY_KINDS),
            s.room_code.is_not(None),
            r.ts_us >= since_us - hold_max,
            r.ts_us < until_us,
        )
        .order_by(s.sensor_id, r.ts_us)
    )
    with engine.connect() as conn:
        rows = [row for row in conn.execute(query) if row[1] in room_index]
    ids = np.array([row[0] for row in rows], dtype=object)
    change = np.concatenate([[False], ids[1:] != ids[:-1]]).astype(bool)
    return (
        np.cumsum(change).astype(np.int64),
        np.array([room_index[row[1]] for row in rows], dtype=np.int64),
        np.array([row[3] for row in rows], dtype=np.int64),
        np.array([row[4] for row in rows], dtype=np.float64),
        np.array([row[2] == "people_count" for row in rows], dtype=bool),
    )


def _occupied_intervals(
    sensor: I64,
    room: I64,
    ts: I64,
    value: npt.NDArray[np.float64],
    people: npt.NDArray[np.bool_],
    since_us: int,
    until_us: int,
) -> tuple[I64, I64, I64]:
    """Per room, the disjoint intervals (room, start, end) when some sensor said occupied."""
    holds = np.where(
        people,
        2 * SENSOR_KINDS["people_count"].expected_interval_s,
        2 * SENSOR_KINDS["occupancy"].expected_interval_s,
    ).astype(np.int64)
    following = np.append(ts[1:], until_us)
    same = np.append(sensor[1:] == sensor[:-1], False)
    end = np.minimum(np.where(same, following, until_us), ts + holds * 1_000_000)
    end = np.minimum(end, until_us)
    start = np.maximum(ts, since_us)
    keep = (value > 0) & (end > start)
    room, start, end = room[keep], start[keep] - since_us, end[keep] - since_us
    # Shift each room by a span wider than the window, so one sort and one running
    # maximum merge the intervals of every room at once without mixing rooms.
    span = np.int64(until_us - since_us + 1)
    order = np.lexsort((start, room))
    room, start, end = room[order], start[order], end[order]
    shifted_end = np.maximum.accumulate(end + room * span) if len(end) else end
    opens = np.ones(len(start), dtype=bool)
    opens[1:] = start[1:] + room[1:] * span > shifted_end[:-1]
    group = np.cumsum(opens) - 1
    merged_end = np.zeros(int(opens.sum()), dtype=np.int64)
    np.maximum.at(merged_end, group, end)
    return room[opens], start[opens] + since_us, merged_end + since_us


def _occupied_until(
    clock: _WorkingClock, rooms: I64, starts: I64, ends: I64, n_rooms: int, at: I64
) -> npt.NDArray[np.int64]:
    """(n_rooms, len(at)) occupied working µs of each room from `at[0]` to each of `at`.

    `rooms`, `starts`, `ends` are disjoint intervals sorted by room then start. Only the
    rooms that have intervals are looked at; times are taken relative to `at[0]` so
    that shifting rooms apart (room × span) stays well inside int64.
    """
    total = np.zeros((n_rooms, len(at)), dtype=np.int64)
    if len(rooms) == 0:
        return total
    origin = at[0]
    present, compact = np.unique(rooms, return_inverse=True)
    work = clock(ends) - clock(starts)
    cumulative = np.cumsum(work) - work  # before each interval, all rooms together
    room_base = cumulative[np.searchsorted(compact, np.arange(len(present)))]
    span = np.int64(max(int(at[-1]), int(ends.max())) - origin + 1)
    keys = (starts - origin) + compact * span
    grid_rooms = np.repeat(np.arange(len(present), dtype=np.int64), len(at))
    grid_at = np.tile(at, len(present))
    i = np.searchsorted(keys, (grid_at - origin) + grid_rooms * span, side="right") - 1
    j = np.maximum(i, 0)
    hit = (i >= 0) & (compact[j] == grid_rooms)
    partial = clock(np.minimum(ends[j], grid_at)) - clock(starts[j])
    found = np.where(hit, cumulative[j] - room_base[grid_rooms] + partial, 0)
    total[present] = found.reshape(len(present), len(at))
    return total


def _peaks(
    room: I64,
    ts: I64,
    value: npt.NDArray[np.float64],
    people: npt.NDArray[np.bool_],
    bounds: I64,
    n_rooms: int,
    since_us: int,
    until_us: int,
) -> npt.NDArray[np.float64]:
    """(n_rooms, periods) most people counted per period; -1 where none was counted."""
    keep = people & (ts >= since_us) & (ts < until_us)
    cell = np.searchsorted(bounds, ts[keep], side="right") - 1
    peaks = np.full(n_rooms * (len(bounds) - 1), -1.0)
    np.maximum.at(peaks, room[keep] * (len(bounds) - 1) + cell, value[keep])
    return peaks.reshape(n_rooms, len(bounds) - 1)


def _group_key(room: dict[str, Any], by: str) -> str:
    if by == "room":
        return str(room["room_code"])
    if by == "storey":
        return str(room["storey_code"])
    if by == "building":
        return str(room["building_code"])
    return str(room["department"] or "none")


def _share(part: float, whole: float) -> float | None:
    return round(part / whole, 4) if whole > 0 else None


def utilisation(
    engine: Engine,
    since: datetime,
    until: datetime | None = None,
    by: str = "room",
    period: str = "day",
    hours: WorkingHours | None = None,
    building: str | None = None,
) -> dict[str, Any]:
    """Utilisation per room, storey, building or department, overall and per period.

    Each group: `rooms`, `rooms_with_sensor`, `working_s` (summed over rooms with a
    sensor), `occupied_s`, `utilisation` (share, None when unknown), `peak_people`,
    `capacity` (local edits summed), `peak_vs_capacity`, and `periods` (local start,
    utilisation, peak people). A group's peak is the sum of its rooms' peaks: an upper
    bound of the people present at once.
    """
    if by not in GROUPINGS:
        raise BadInput(f"by {by!r}: one of {', '.join(GROUPINGS)}")
    if period not in PERIODS:
        raise BadInput(f"period {period!r}: one of {', '.join(PERIODS)}")
    hours = hours or WorkingHours()
    since_us, until_us = _us(since), _us(until or datetime.now(UTC))
    if until_us <= since_us:
        raise BadInput("until must be later than since")
    rooms = list_rooms(engine, building=building)
    index = {room["room_code"]: i for i, room in enumerate(rooms)}
    sensor, room, ts, value, people = _readings(engine, index, since_us, until_us)
    with engine.connect() as conn:
        sensed = set(
            conn.execute(
                select(t.sensors.c.room_code).where(t.sensors.c.kind.in_(OCCUPANCY_KINDS))
            ).scalars()
        )
    clock = _WorkingClock(*_working_intervals(hours, since_us, until_us))
    period_starts = _boundaries(hours, period, since_us, until_us)
    bounds: I64 = np.clip(np.array(period_starts, dtype=np.int64), since_us, until_us)
    o_rooms, o_starts, o_ends = _occupied_intervals(
        sensor, room, ts, value, people, since_us, until_us
    )
    occupied = np.diff(_occupied_until(clock, o_rooms, o_starts, o_ends, len(rooms), bounds))
    working = np.diff(clock(bounds))
    peaks = _peaks(room, ts, value, people, bounds, len(rooms), since_us, until_us)
    groups: dict[str, list[int]] = {}
    for i, r in enumerate(rooms):
        groups.setdefault(_group_key(r, by), []).append(i)
    result = []
    for key, members in groups.items():
        with_sensor = [i for i in members if rooms[i]["room_code"] in sensed]
        work_s = float(working.sum()) * len(with_sensor) / 1e6
        occ = occupied[with_sensor].sum(axis=0) / 1e6 if with_sensor else np.zeros(len(working))
        peak_rows = peaks[with_sensor] if with_sensor else np.full((0, len(working)), -1.0)
        counted = (peak_rows >= 0).any(axis=1)
        peak = float(peak_rows.max(axis=1)[counted].sum()) if counted.any() else None
        capacities = [rooms[i]["capacity"] for i in members if rooms[i]["capacity"] is not None]
        capacity = int(sum(capacities)) if capacities else None
        result.append(
            {
                "key": key,
                "rooms": len(members),
                "rooms_with_sensor": len(with_sensor),
                "working_s": work_s,
                "occupied_s": float(occ.sum()),
                "utilisation": _share(float(occ.sum()), work_s) if with_sensor else None,
                "peak_people": peak,
                "capacity": capacity,
                "peak_vs_capacity": _share(peak, capacity)
                if peak is not None and capacity
                else None,
                "periods": [
                    {
                        "start": (_EPOCH + start * _US).astimezone(hours.zone).isoformat(),
                        "utilisation": _share(
                            float(occ[k]), float(working[k]) / 1e6 * len(with_sensor)
                        )
                        if with_sensor
                        else None,
                        "peak_people": _period_peak(peak_rows[:, k]),
                    }
                    for k, start in enumerate(period_starts[:-1])
                ],
            }
        )
    return {
        "by": by,
        "period": period,
        "since": ts_text(since_us),
        "until": ts_text(until_us),
        "working_hours": hours.public(),
        "groups": sorted(result, key=lambda g: g["key"]),
    }


def _period_peak(column: npt.NDArray[np.float64]) -> float | None:
    counted = column[column >= 0]
    return float(counted.sum()) if len(counted) else None


def idle_rooms(
    engine: Engine,
    since: datetime,
    threshold: float = 0.10,
    until: datetime | None = None,
    hours: WorkingHours | None = None,
) -> list[dict[str, Any]]:
    """Rooms used less than `threshold` of working time, and rooms whose use is unknown.

    Each: `room_code`, `name`, `usage`, `department`, `storey_code`, `utilisation`
    (None when unknown) and `status` `idle` or `unknown` (no presence or people
    sensor); idle ones first, least used first.
    """
    if not 0 <= threshold <= 1:
        raise BadInput(f"threshold {threshold!r}: a share between 0 and 1, e.g. 0.1")
    report = utilisation(engine, since, until, by="room", period="week", hours=hours)
    used = {group["key"]: group for group in report["groups"]}
    found = []
    for room in list_rooms(engine):
        group = used[room["room_code"]]
        share = group["utilisation"]
        if share is not None and share >= threshold:
            continue
        found.append(
            {
                "room_code": room["room_code"],
                "name": room["name"],
                "usage": room["usage"],
                "department": room["department"],
                "storey_code": room["storey_code"],
                "utilisation": share,
                "status": "unknown" if share is None else "idle",
            }
        )
    return sorted(
        found, key=lambda r: (r["status"] != "idle", r["utilisation"] or 0, r["room_code"])
    )
