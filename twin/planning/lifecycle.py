"""A room's whole life under its one code (一房一码): ownership, lease and rent, upkeep, disposal.

Every change is an event with its time, who made it and why, appended to the room's
history (`room_events`, kind `lifecycle.<event>`) and never changed or deleted; the
room's lifecycle now (`room_lifecycle`) is updated in the same transaction, so the
warnings read one row per room instead of replaying the history.

Events and their fields (dates as YYYY-MM-DD):

- `ownership`: `ownership` (owned, leased, lent), `counterparty` (landlord or borrower)
- `lease`: `lease_start`, `lease_end`, `rent_amount`, `rent_period` (month, quarter,
  year), `paid_until` (optional), `counterparty` (optional)
- `rent_paid`: `paid_until`
- `maintenance`: `on` (default today), `description`
- `disposal`: `on` (default today), `how` (e.g. sold, demolished, returned)
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, update

from models.errors import BadInput
from twin.rooms import lookup_room
from twin.store import schema as t

__all__ = [
    "EVENT_FIELDS",
    "OWNERSHIPS",
    "RENT_PERIODS",
    "lifecycle_states",
    "record_lifecycle_event",
    "room_lifecycle",
]

OWNERSHIPS = ("owned", "leased", "lent")
RENT_PERIODS = ("month", "quarter", "year")
EVENT_FIELDS: dict[str, tuple[str, ...]] = {
    "ownership": ("ownership", "counterparty"),
    "lease": (
        "lease_start",
        "lease_end",
        "rent_amount",
        "rent_period",
        "paid_until",
        "counterparty",
    ),
    "rent_paid": ("paid_until",),
    "maintenance": ("on", "description"),
    "disposal": ("on", "how"),
}
_REQUIRED: dict[str, tuple[str, ...]] = {
    "ownership": ("ownership",),
    "lease": ("lease_start", "lease_end", "rent_amount"),
    "rent_paid": ("paid_until",),
    "maintenance": ("description",),
    "disposal": (),
}
_STATE_COLUMNS = (
    "ownership",
    "counterparty",
    "lease_start",
    "lease_end",
    "rent_amount",
    "rent_period",
    "paid_until",
    "last_maintenance",
    "disposed_on",
)
_PREFIX = "lifecycle."


def _date(name: str, value: Any) -> str:
    try:
        return date.fromisoformat(str(value).strip()).isoformat()
    except ValueError:
        raise BadInput(f"{name} {value!r} is not a date (YYYY-MM-DD)") from None


def _checked(kind: str, fields: Mapping[str, Any], today: date) -> dict[str, Any]:
    """The event's fields, typed and checked; BadInput names the first problem."""
    if kind not in EVENT_FIELDS:
        raise BadInput(f"unknown lifecycle event {kind!r}; one of: {', '.join(EVENT_FIELDS)}")
    given = {k: v for k, v in fields.items() if v is not None and v != ""}
    unknown = sorted(set(given) - set(EVENT_FIELDS[kind]))
    if unknown:
        raise BadInput(
            f"a {kind} event has no field {unknown[0]!r}; fields: {', '.join(EVENT_FIELDS[kind])}"
        )
    missing = [name for name in _REQUIRED[kind] if name not in given]
    if missing:
        raise BadInput(f"a {kind} event needs {', '.join(missing)}")
    result: dict[str, Any] = {}
    for name, value in given.items():
        if name in ("lease_start", "lease_end", "paid_until", "on"):
            result[name] = _date(name, value)
        elif name == "rent_amount":
            try:
                amount = float(value)
            except (TypeError, ValueError):
                raise BadInput(f"rent_amount {value!r} is not a number") from None
            if amount < 0:
                raise BadInput(f"rent_amount must be ≥ 0, not {amount:g}")
            result[name] = amount
        else:
            result[name] = str(value).strip()
    if kind == "ownership" and result["ownership"] not in OWNERSHIPS:
        raise BadInput(
            f"unknown ownership {result['ownership']!r}; one of: {', '.join(OWNERSHIPS)}"
        )
    if kind == "lease":
        if result["lease_end"] < result["lease_start"]:
            raise BadInput(
                f"the lease ends ({result['lease_end']}) before it starts ({result['lease_start']})"
            )
        result.setdefault("rent_period", "month")
        if result["rent_period"] not in RENT_PERIODS:
            raise BadInput(
                f"unknown rent_period {result['rent_period']!r}; one of: {', '.join(RENT_PERIODS)}"
            )
    if kind in ("maintenance", "disposal"):
        result.setdefault("on", today.isoformat())
    return result


def _state_row(conn: Connection, room_code: str) -> dict[str, Any]:
    row = conn.execute(
        select(t.room_lifecycle).where(t.room_lifecycle.c.room_code == room_code)
    ).first()
    if row is None:
        return dict.fromkeys(_STATE_COLUMNS)
    return {column: row._mapping[column] for column in _STATE_COLUMNS}


def _next_state(kind: str, state: dict[str, Any], fields: dict[str, Any]) -> dict[str, Any]:
    new = dict(state)
    if kind == "ownership":
        new["ownership"] = fields["ownership"]
        new["counterparty"] = fields.get("counterparty")
        if fields["ownership"] == "owned":
            for column in ("lease_start", "lease_end", "rent_amount", "rent_period", "paid_until"):
                new[column] = None
    elif kind == "lease":
        if new["ownership"] != "lent":
            new["ownership"] = "leased"
        for column in ("lease_start", "lease_end", "rent_amount", "rent_period"):
            new[column] = fields[column]
        new["paid_until"] = fields.get("paid_until", state["paid_until"])
        if "counterparty" in fields:
            new["counterparty"] = fields["counterparty"]
    elif kind == "rent_paid":
        if state["rent_amount"] is None:
            raise BadInput("the room has no lease with rent; record a lease event first")
        new["paid_until"] = fields["paid_until"]
    elif kind == "maintenance":
        new["last_maintenance"] = max(fields["on"], state["last_maintenance"] or "")
    else:
        new["disposed_on"] = fields["on"]
    return new


def record_lifecycle_event(
    engine: Engine,
    room_code: str,
    kind: str,
    fields: Mapping[str, Any],
    by: str,
    why: str,
    today: date | None = None,
) -> dict[str, Any]:
    """Append one lifecycle event to a room's history and update its state; returns both.

    `by` (who) and `why` are required: the trail must say who changed what and why.
    A disposed room takes no further events.
    """
    if not by or not by.strip():
        raise BadInput("who made the change is needed (by)")
    if not why or not why.strip():
        raise BadInput("a reason is needed (why)")
    checked = _checked(kind, fields, today or datetime.now(UTC).date())
    with engine.begin() as conn:
        row = lookup_room(conn, room_code)
        state = _state_row(conn, row.room_code)
        if state["disposed_on"]:
            raise BadInput(f"room {row.room_code} was disposed of on {state['disposed_on']}")
        new = _next_state(kind, state, checked)
        if not conn.execute(
            update(t.room_lifecycle)
            .where(t.room_lifecycle.c.room_code == row.room_code)
            .values(**new)
        ).rowcount:
            conn.execute(insert(t.room_lifecycle).values(room_code=row.room_code, **new))
        conn.execute(
            insert(t.room_events).values(
                room_code=row.room_code,
                at=datetime.now(UTC).isoformat(timespec="seconds"),
                kind=f"{_PREFIX}{kind}",
                detail=json.dumps(
                    {"by": by.strip(), "why": why.strip(), **checked}, ensure_ascii=False
                ),
            )
        )
    return room_lifecycle(engine, row.room_code)


def room_lifecycle(engine: Engine, room_code: str) -> dict[str, Any]:
    """A room's lifecycle now and every lifecycle event, oldest first."""
    with engine.connect() as conn:
        row = lookup_room(conn, room_code)
        state = _state_row(conn, row.room_code)
        events = conn.execute(
            select(t.room_events)
            .where(
                t.room_events.c.room_code == row.room_code,
                t.room_events.c.kind.like(f"{_PREFIX}%"),
            )
            .order_by(t.room_events.c.event_id)
        ).all()
    history = []
    for event in events:
        detail = json.loads(event.detail or "{}")
        history.append(
            {
                "event_id": event.event_id,
                "at": event.at,
                "event": event.kind.removeprefix(_PREFIX),
                "by": detail.pop("by", None),
                "why": detail.pop("why", None),
                "fields": detail,
            }
        )
    return {"room_code": row.room_code, "state": state, "events": history}


def lifecycle_states(engine: Engine, site_code: str | None = None) -> dict[str, dict[str, Any]]:
    """Every room's lifecycle now, by room code (rooms with no events are absent)."""
    query = select(t.room_lifecycle)
    if site_code:
        query = query.where(t.room_lifecycle.c.room_code.like(f"{site_code}-%"))
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    return {row.room_code: {c: row._mapping[c] for c in _STATE_COLUMNS} for row in rows}
