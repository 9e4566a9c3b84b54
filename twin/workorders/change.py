"""Change work orders: open one, assign, start, comment, close, reopen.

Each operation is one transaction that checks the order's state, changes it and
appends one event (time, who, how they came in, what) to its history; the history is
only ever appended to. When a check fails nothing is stored. The states run
open -> assigned -> in_progress -> closed; an open order can be closed straight away
(a false alarm), a closed one reopened (back to assigned when it has an assignee).
Closing and reopening need a note saying why.

>>> sorted(ALLOWED_FROM["close"])
['assigned', 'in_progress', 'open']
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, update

from models.errors import BadInput, UnknownAlarm, WorkOrderStateError
from twin.campus import find_element
from twin.rooms import lookup_room
from twin.store import schema as t
from twin.workorders.read import PRIORITIES, find_work_order, work_order_detail

__all__ = [
    "ALLOWED_FROM",
    "Actor",
    "assign_work_order",
    "close_work_order",
    "comment_work_order",
    "open_work_order",
    "reopen_work_order",
    "split_target",
    "start_work_order",
]

ALLOWED_FROM: dict[str, frozenset[str]] = {
    "assign": frozenset({"open", "assigned", "in_progress"}),
    "start": frozenset({"assigned"}),
    "close": frozenset({"open", "assigned", "in_progress"}),
    "reopen": frozenset({"closed"}),
}
TITLE_MAX = 200
TEXT_MAX = 5000


@dataclass(frozen=True)
class Actor:
    """Who makes a change (`name`) and how they came in (`via`: "cli", "admin key …")."""

    name: str
    via: str


def _now_text(now: datetime | None) -> str:
    moment = now or datetime.now(UTC)
    if moment.tzinfo is None:
        raise BadInput("a time without a time zone; give it one")
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _text(value: str | None, what: str, limit: int = TEXT_MAX, empty: str | None = None) -> str:
    """`value` stripped; `BadInput` (saying `empty`, if given) when blank or too long."""
    cleaned = (value or "").strip()
    if not cleaned:
        raise BadInput(empty or f"{what} is empty; write one")
    if len(cleaned) > limit:
        raise BadInput(f"{what} is {len(cleaned)} characters long; at most {limit}")
    return cleaned


def _actor(by: Actor) -> Actor:
    return Actor(_text(by.name, "who makes the change", TITLE_MAX), by.via)


def split_target(text: str) -> tuple[str | None, str | None]:
    """`(room_code, None)` when `text` has the shape of a room code, else `(None, element_id)`.

    A room code has four parts (`WZ01-B01-F02-003K`), an element id two or three
    (`WZ01-B01-E000421`), so a mistyped room code is still judged as a room code and
    rejected for its check character, not looked up as an element.

    >>> split_target("wz01-b01-f02-003k")
    ('wz01-b01-f02-003k', None)
    >>> split_target("WZ01-B01-E000421")
    (None, 'WZ01-B01-E000421')
    """
    cleaned = text.strip()
    return (cleaned, None) if cleaned.count("-") == 3 else (None, cleaned)


def _alarm_target(conn: Connection, alarm_id: int) -> tuple[Any, str | None, str | None]:
    """The alarm row and the room or element it is about (None for a building or site)."""
    a = t.alarms.c
    alarm = conn.execute(
        select(a.alarm_id, a.room_code, a.code, a.message).where(a.alarm_id == alarm_id)
    ).first()
    if alarm is None:
        raise UnknownAlarm(f"no alarm has id {alarm_id}; `twin alarms list` lists them")
    if alarm.room_code:
        return alarm, alarm.room_code, None
    if alarm.code:
        found = conn.execute(
            select(t.elements.c.element_id).where(t.elements.c.element_id == alarm.code)
        ).scalar()
        if found is not None:
            return alarm, None, str(found)
    return alarm, None, None


def _resolve_target(
    conn: Connection, room_code: str | None, element_id: str | None
) -> tuple[str | None, str | None, str | None]:
    """(room code, element id, building code) of the target, checked against the store."""
    if room_code and element_id:
        raise BadInput("a work order is against a room or an element, not both")
    if room_code:
        room = lookup_room(conn, room_code)
        if room.status != "active":
            raise BadInput(
                f"room {room.room_code} was retired on {room.retired_at}; "
                "open the work order against a room in use"
            )
        return room.room_code, None, room.building_code
    if element_id:
        element = find_element(conn, element_id)
        return None, element.element_id, element.building_code
    raise BadInput("say which room or element the work order is for (or the alarm it is from)")


def _from_alarm(
    conn: Connection, alarm_id: int, room_code: str | None, element_id: str | None
) -> tuple[Any, str | None, str | None]:
    """The alarm and the target: the alarm's room or element, or the one given for it."""
    alarm, alarm_room, alarm_element = _alarm_target(conn, alarm_id)
    w = t.work_orders.c
    active = conn.execute(
        select(w.work_order_id, w.state).where(w.alarm_id == alarm_id, w.state != "closed")
    ).first()
    if active is not None:
        raise WorkOrderStateError(
            f"alarm {alarm_id} already has work order {active.work_order_id} ({active.state}); "
            "comment on that one"
        )
    if alarm_room is None and alarm_element is None:
        if not (room_code or element_id):
            raise BadInput(
                f"alarm {alarm_id} is not about one room or element ({alarm.code}); "
                "say which room or element the work order is for"
            )
        return alarm, room_code, element_id
    if room_code or element_id:
        given = _resolve_target(conn, room_code, element_id)[:2]
        if given != (alarm_room, alarm_element):
            raise BadInput(
                f"alarm {alarm_id} is about {alarm_room or alarm_element}, "
                f"not {given[0] or given[1]}; leave the room or element out"
            )
    return alarm, alarm_room, alarm_element


def open_work_order(
    engine: Engine,
    by: Actor,
    *,
    title: str | None = None,
    room_code: str | None = None,
    element_id: str | None = None,
    alarm_id: int | None = None,
    description: str = "",
    priority: str = "normal",
    now: datetime | None = None,
) -> dict[str, Any]:
    """Open a work order against a room or element, or from an alarm; the new order.

    From an alarm, the room or element is the alarm's and the title defaults to the
    alarm's message; an alarm has at most one work order not yet closed.
    """
    by = _actor(by)
    if priority not in PRIORITIES:
        raise BadInput(f"unknown priority {priority!r}; one of: {', '.join(PRIORITIES)}")
    if len(description) > TEXT_MAX:
        raise BadInput(f"the description is {len(description)} characters long; at most {TEXT_MAX}")
    at = _now_text(now)
    with engine.begin() as conn:
        note = None
        if alarm_id is not None:
            alarm, room_code, element_id = _from_alarm(conn, alarm_id, room_code, element_id)
            title = title or f"alarm {alarm_id}: {alarm.message}"
            note = f"from alarm {alarm_id}"
        room, element, building = _resolve_target(conn, room_code, element_id)
        result = conn.execute(
            insert(t.work_orders).values(
                room_code=room,
                element_id=element,
                building_code=building,
                alarm_id=alarm_id,
                title=_text(title, "the title", TITLE_MAX),
                description=description.strip(),
                priority=priority,
                state="open",
                opened_at=at,
                opened_by=by.name,
                updated_at=at,
            )
        )
        work_order_id: int = result.inserted_primary_key[0]  # type: ignore[index]
        _record(conn, work_order_id, at, "opened", by, "open", None, note)
    return work_order_detail(engine, work_order_id)


def _record(
    conn: Connection,
    work_order_id: int,
    at: str,
    event: str,
    by: Actor,
    state: str,
    assignee: str | None,
    note: str | None,
) -> None:
    conn.execute(
        insert(t.work_order_events).values(
            work_order_id=work_order_id,
            at=at,
            event=event,
            by=by.name,
            via=by.via,
            state=state,
            assignee=assignee,
            note=note,
        )
    )


def _hint(action: str, state: str) -> str:
    if state == "closed":
        return "reopen it first"
    if action == "start" and state == "open":
        return "assign it first"
    allowed = sorted(ALLOWED_FROM[action])
    return f"only an order that is {' or '.join(allowed)} can"


def _change(
    engine: Engine,
    work_order_id: int,
    action: str | None,
    event: str,
    by: Actor,
    now: datetime | None,
    *,
    to: str | None = None,
    assignee: str | None = None,
    note: str | None = None,
) -> dict[str, Any]:
    """Check `action` is allowed in the order's state, change it, append `event`.

    `to` is the new state (None keeps it; "reopen" picks open or assigned), `action`
    None allows any state (a comment). The update is guarded by the state read, so two
    clerks changing one order at once cannot both succeed from the same state.
    """
    by = _actor(by)
    at = _now_text(now)
    w = t.work_orders.c
    with engine.begin() as conn:
        row = find_work_order(conn, work_order_id)
        if action is not None and row.state not in ALLOWED_FROM[action]:
            raise WorkOrderStateError(
                f"work order {work_order_id} is {row.state}, so it cannot be {event}; "
                + _hint(action, row.state)
            )
        kept_assignee = assignee or row.assignee
        if action == "reopen":
            to = "assigned" if kept_assignee else "open"
        state = to or row.state
        values: dict[str, Any] = {"state": state, "assignee": kept_assignee, "updated_at": at}
        if to == "closed":
            values["closed_at"] = at
        elif to is not None:
            values["closed_at"] = None
        changed = conn.execute(
            update(t.work_orders)
            .where(w.work_order_id == work_order_id, w.state == row.state)
            .values(**values)
        ).rowcount
        if not changed:
            raise WorkOrderStateError(
                f"work order {work_order_id} changed while this change was made; look again"
            )
        _record(conn, work_order_id, at, event, by, state, assignee, note)
    return work_order_detail(engine, work_order_id)


def assign_work_order(
    engine: Engine, work_order_id: int, assignee: str, by: Actor, now: datetime | None = None
) -> dict[str, Any]:
    """Assign (or hand over) an order that is not closed; it becomes assigned."""
    who = _text(assignee, "the assignee", TITLE_MAX)
    return _change(
        engine, work_order_id, "assign", "assigned", by, now, to="assigned", assignee=who
    )


def start_work_order(
    engine: Engine, work_order_id: int, by: Actor, now: datetime | None = None
) -> dict[str, Any]:
    """Mark an assigned order in progress."""
    return _change(engine, work_order_id, "start", "started", by, now, to="in_progress")


def comment_work_order(
    engine: Engine, work_order_id: int, text: str, by: Actor, now: datetime | None = None
) -> dict[str, Any]:
    """Add a comment to an order in any state; the state stays."""
    note = _text(text, "the comment")
    return _change(engine, work_order_id, None, "commented", by, now, note=note)


def close_work_order(
    engine: Engine, work_order_id: int, note: str, by: Actor, now: datetime | None = None
) -> dict[str, Any]:
    """Close an order with a note saying what was done (or why nothing was)."""
    needed = f"closing work order {work_order_id} needs a note saying what was done"
    text = _text(note, "the closing note", empty=needed)
    return _change(engine, work_order_id, "close", "closed", by, now, to="closed", note=text)


def reopen_work_order(
    engine: Engine, work_order_id: int, note: str, by: Actor, now: datetime | None = None
) -> dict[str, Any]:
    """Reopen a closed order with a note saying why; back to assigned when it has an assignee."""
    needed = f"reopening work order {work_order_id} needs a note saying why"
    text = _text(note, "the reopening note", empty=needed)
    return _change(engine, work_order_id, "reopen", "reopened", by, now, note=text)
