"""What the live view shows: reading events on the bus, and each room's live state.

`publish_readings` is an after-store hook (`layers.ingest.on_stored`): it puts one
`{"type": "reading", ...}` event per stored reading on `layers.events.bus`, with the
room or other code its sensor is bound to. `live_rooms` gives, per room, what the
live colour modes read: the latest temperature, how full the room is now
(`occupancy_now`) and its worst open alarm (`alarm_state`). The page learns from
the events which rooms changed and asks `live_rooms` for them again, so the meaning
of a value (is 6 people in a room for 10 "over half"?) is decided here only.

>>> occupancy_now(people=6, present=None, capacity=10)
'over_half'
>>> occupancy_now(people=None, present=1.0, capacity=None)
'in_use'
"""

from __future__ import annotations

import weakref
from typing import Any

from sqlalchemy import Engine, select

from layers.events import bus
from layers.readings import latest_by_sensor, ts_text
from twin.rooms import list_rooms
from twin.store import schema as t

__all__ = ["LIVE_KINDS", "OCCUPANCY_LEVELS", "live_rooms", "occupancy_now", "publish_readings"]

LIVE_KINDS = ("temperature", "people_count", "occupancy")
OCCUPANCY_LEVELS = ("empty", "in_use", "under_half", "over_half", "full")
"""`in_use`: someone is there, but how full is unknown (presence only, or no capacity)."""

# Sensor id -> (kind, room code, code); registrations never change once made.
_bound: weakref.WeakKeyDictionary[Engine, dict[str, tuple[str, str | None, str | None]]] = (
    weakref.WeakKeyDictionary()
)


def _bindings(engine: Engine, ids: set[str]) -> dict[str, tuple[str, str | None, str | None]]:
    known = _bound.setdefault(engine, {})
    missing = sorted(ids - known.keys())
    s = t.sensors.c
    with engine.connect() as conn:
        for start in range(0, len(missing), 500):
            query = select(s.sensor_id, s.kind, s.room_code, s.code).where(
                s.sensor_id.in_(missing[start : start + 500])
            )
            for sensor_id, kind, room_code, code in conn.execute(query):
                known[sensor_id] = (kind, room_code, code)
    return known


def publish_readings(engine: Engine, rows: list[tuple[str, int, float]]) -> None:
    """Publish one reading event per stored row (an `on_stored` hook).

    Nothing is built while no one listens: ingest at full speed pays nothing for a
    live view that no page has open.
    """
    if not bus.listening:
        return
    bound = _bindings(engine, {row[0] for row in rows})
    for sensor_id, ts_us, value in rows:
        kind, room_code, code = bound.get(sensor_id, ("unknown", None, None))
        bus.publish(
            {
                "type": "reading",
                "sensor": sensor_id,
                "kind": kind,
                "room_code": room_code,
                "code": code,
                "ts": ts_text(ts_us),
                "value": value,
            }
        )


def occupancy_now(people: float | None, present: float | None, capacity: int | None) -> str | None:
    """One of `OCCUPANCY_LEVELS` from the latest people count, presence and capacity."""
    if people is not None:
        if people <= 0:
            return "empty"
        if not capacity:
            return "in_use"
        share = people / capacity
        return "full" if share >= 1 else "over_half" if share >= 0.5 else "under_half"
    if present is not None:
        return "in_use" if present > 0 else "empty"
    return None


def _alarm_states(engine: Engine) -> dict[str, str]:
    """Room code -> `raised` or `acknowledged`, the worst of its open alarms."""
    from layers.alarms import list_alarms

    states: dict[str, str] = {}
    for alarm in list_alarms(engine):
        room, state = alarm.get("room_code"), alarm.get("state")
        if room and state in ("raised", "acknowledged") and states.get(room) != "raised":
            states[room] = state
    return states


def live_rooms(engine: Engine, rooms: list[str] | None = None) -> dict[str, dict[str, Any]]:
    """Room code -> `{temperature, people, present, capacity, occupancy_now, alarm_state}`.

    Rooms with neither a live sensor nor an open alarm are left out. The newest value
    of each kind wins when a room has several sensors of it.
    """
    s = t.sensors.c
    query = select(s.sensor_id, s.kind, s.room_code).where(
        s.kind.in_(LIVE_KINDS), s.room_code.is_not(None)
    )
    if rooms is not None:
        query = query.where(s.room_code.in_(rooms))
    with engine.connect() as conn:
        sensors = conn.execute(query).all()
    latest = latest_by_sensor(engine, [row.sensor_id for row in sensors]) if sensors else {}
    values: dict[str, dict[str, tuple[str, float]]] = {}
    for sensor_id, kind, room_code in sensors:
        newest = latest.get(sensor_id)
        if newest is None:
            values.setdefault(room_code, {})
            continue
        held = values.setdefault(room_code, {}).get(kind)
        if held is None or newest["ts"] > held[0]:
            values[room_code][kind] = (newest["ts"], newest["value"])
    alarms = _alarm_states(engine)
    wanted = set(values) | {r for r in alarms if rooms is None or r in rooms}
    capacities = {
        r["room_code"]: r["capacity"] for r in list_rooms(engine) if r["room_code"] in wanted
    }
    found = {}
    for room_code in sorted(wanted & capacities.keys()):
        own = values.get(room_code, {})
        temperature, people, present = (
            own[k][1] if k in own else None for k in ("temperature", "people_count", "occupancy")
        )
        found[room_code] = {
            "temperature": temperature,
            "people": people,
            "present": present,
            "capacity": capacities[room_code],
            "occupancy_now": occupancy_now(people, present, capacities[room_code]),
            "alarm_state": alarms.get(room_code),
        }
    return found
