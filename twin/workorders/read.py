"""Read work orders: one with its full history, or many filtered by where and how far along.

Reads return plain dicts keyed as the API answers them. A work order is against a room
(`room_code`) or an element (`element_id`), never both; `building_code` is the
building of either, so a building's orders list in one indexed query.

>>> STATES
('open', 'assigned', 'in_progress', 'closed')
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Engine, func, select

from models.errors import BadInput, UnknownWorkOrder
from twin.rooms import lookup_room, resolve_building_code
from twin.store import schema as t

__all__ = [
    "ACTIVE",
    "PRIORITIES",
    "STATES",
    "find_work_order",
    "list_work_orders",
    "work_order_detail",
    "work_orders_of_alarm",
]

STATES = ("open", "assigned", "in_progress", "closed")
ACTIVE = "active"
"""The state filter for every order not yet closed (open, assigned or in progress)."""
PRIORITIES = ("low", "normal", "high", "urgent")

_FIELDS = (
    "work_order_id",
    "title",
    "description",
    "priority",
    "state",
    "room_code",
    "element_id",
    "building_code",
    "alarm_id",
    "assignee",
    "opened_at",
    "opened_by",
    "updated_at",
    "closed_at",
)


def _public(row: Any) -> dict[str, Any]:
    values = row._mapping
    return {field: values[field] for field in _FIELDS}


def find_work_order(conn: Connection, work_order_id: int) -> Any:
    """The `work_orders` row with this id; `UnknownWorkOrder` when there is none."""
    row = conn.execute(
        select(t.work_orders).where(t.work_orders.c.work_order_id == work_order_id)
    ).first()
    if row is None:
        raise UnknownWorkOrder(
            f"no work order has id {work_order_id}; `twin wo list` or `GET /api/work-orders` "
            "lists them"
        )
    return row


def work_order_detail(engine: Engine, work_order_id: int) -> dict[str, Any]:
    """One work order with its history, oldest event first."""
    e = t.work_order_events.c
    with engine.connect() as conn:
        row = find_work_order(conn, work_order_id)
        events = conn.execute(
            select(e.at, e.event, e.by, e.via, e.state, e.assignee, e.note)
            .where(e.work_order_id == work_order_id)
            .order_by(e.event_id)
        ).all()
    return {**_public(row), "history": [dict(event._mapping) for event in events]}


def _state_condition(state: str) -> Any:
    """The `where` clause for a state filter: one of `STATES`, or `ACTIVE`."""
    wanted = state.strip().lower()
    if wanted == ACTIVE:
        return t.work_orders.c.state != "closed"
    if wanted not in STATES:
        raise BadInput(
            f"unknown work order state {state!r}; one of: {', '.join(STATES)}, "
            f"or {ACTIVE} (every state but closed)"
        )
    return t.work_orders.c.state == wanted


def list_work_orders(
    engine: Engine,
    *,
    room: str | None = None,
    building: str | None = None,
    element: str | None = None,
    state: str | None = None,
    assignee: str | None = None,
) -> list[dict[str, Any]]:
    """Work orders matching every filter given, newest first.

    `room` is a room code (a mistyped one raises `InvalidRoomCode`, an unknown one
    `UnknownRoomCode` with the closest codes), `building` `SITE-Bnn` or a bare `Bnn`,
    `state` one of `STATES` or `ACTIVE`, `assignee` matched in any case.
    """
    w = t.work_orders.c
    query = select(t.work_orders).order_by(w.work_order_id.desc())
    if state:
        query = query.where(_state_condition(state))
    if building:
        query = query.where(w.building_code == resolve_building_code(engine, building))
    if element:
        query = query.where(w.element_id == element.strip().upper())
    if assignee:
        query = query.where(func.lower(w.assignee) == assignee.strip().lower())
    with engine.connect() as conn:
        if room:
            query = query.where(w.room_code == lookup_room(conn, room).room_code)
        return [_public(row) for row in conn.execute(query)]


def work_orders_of_alarm(engine: Engine, alarm_id: int) -> list[dict[str, Any]]:
    """The work orders opened from an alarm (id, state, title, assignee), oldest first."""
    w = t.work_orders.c
    with engine.connect() as conn:
        rows = conn.execute(
            select(w.work_order_id, w.state, w.title, w.assignee)
            .where(w.alarm_id == alarm_id)
            .order_by(w.work_order_id)
        ).all()
    return [dict(row._mapping) for row in rows]
