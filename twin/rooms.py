"""Read rooms and buildings from the twin, and record local edits to rooms.

Reads return plain dicts whose keys are the ones the API uses. A room's name,
usage, department and capacity are the local edit when there is one, else what
the model says; edits live apart from the model so every re-import keeps them.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, func, insert, select, update

from models.codes import RoomCode, unknown_room_code
from models.errors import BadInput, UnknownBuilding
from twin.store import schema as t

__all__ = [
    "EDITABLE_FIELDS",
    "campus_info",
    "list_rooms",
    "lookup_room",
    "resolve_building_code",
    "room_detail",
    "set_room",
    "write_room_edits",
]

EDITABLE_FIELDS = ("name", "long_name", "usage", "department", "capacity")


def resolve_building_code(engine: Engine, text: str) -> str:
    """`SITE-Bnn` as given, or a bare `Bnn` when exactly one site has it."""
    cleaned = text.strip().upper()
    with engine.connect() as conn:
        if "-" in cleaned:
            found = conn.execute(
                select(t.buildings.c.building_code).where(t.buildings.c.building_code == cleaned)
            ).scalar()
            if found is None:
                raise UnknownBuilding(f"unknown building {text!r}; `twin info` lists them")
            return str(found)
        matches = (
            conn.execute(select(t.buildings.c.building_code).where(t.buildings.c.number == cleaned))
            .scalars()
            .all()
        )
    if len(matches) == 1:
        return str(matches[0])
    if not matches:
        raise UnknownBuilding(f"unknown building {text!r}; `twin info` lists them")
    raise UnknownBuilding(
        f"building {text!r} is ambiguous ({', '.join(sorted(matches))}); write it as SITE-{cleaned}"
    )


def campus_info(engine: Engine) -> list[dict[str, Any]]:
    """Counts per site and building: storeys, active and retired rooms, area, elements."""
    with engine.connect() as conn:
        buildings = conn.execute(
            select(t.buildings, t.sites.c.name.label("site_name"))
            .join(t.sites, t.sites.c.site_code == t.buildings.c.site_code)
            .order_by(t.buildings.c.building_code)
        ).all()
        storeys: dict[str, int] = dict(
            conn.execute(
                select(t.storeys.c.building_code, func.count()).group_by(t.storeys.c.building_code)
            ).all()
        )
        room_counts: dict[tuple[str, str], tuple[int, float]] = {
            (row[0], row[1]): (row[2], row[3] or 0.0)
            for row in conn.execute(
                select(
                    t.rooms.c.building_code,
                    t.rooms.c.status,
                    func.count(),
                    func.sum(t.rooms.c.net_floor_area_m2),
                ).group_by(t.rooms.c.building_code, t.rooms.c.status)
            )
        }
        kinds: dict[str, dict[str, int]] = {}
        for building, kind, count in conn.execute(
            select(t.elements.c.building_code, t.elements.c.kind, func.count()).group_by(
                t.elements.c.building_code, t.elements.c.kind
            )
        ):
            kinds.setdefault(building or "", {})[kind] = count
    result = []
    for row in buildings:
        active = room_counts.get((row.building_code, "active"), (0, 0.0))
        retired = room_counts.get((row.building_code, "retired"), (0, 0.0))
        result.append(
            {
                "site_code": row.site_code,
                "site_name": row.site_name,
                "building_code": row.building_code,
                "name": row.name,
                "storeys": storeys.get(row.building_code, 0),
                "rooms": active[0],
                "retired_rooms": retired[0],
                "net_floor_area_m2": round(active[1], 2),
                "elements": kinds.get(row.building_code, {}),
            }
        )
    return result


def _edits(conn: Any, codes: list[str]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for chunk in range(0, len(codes), 500):
        for row in conn.execute(
            select(t.room_edits).where(t.room_edits.c.room_code.in_(codes[chunk : chunk + 500]))
        ):
            found.setdefault(row.room_code, {})[row.field] = json.loads(row.value)
    return found


def _room_summary(row: Any, edits: dict[str, Any]) -> dict[str, Any]:
    return {
        "room_code": row.room_code,
        "site_code": row.room_code.split("-")[0],
        "building_code": row.building_code,
        "storey_code": row.storey_code,
        "storey": row.storey_code.split("-")[-1],
        "name": edits.get("name", row.name),
        "long_name": edits.get("long_name", row.long_name),
        "usage": edits.get("usage", row.usage),
        "department": edits.get("department"),
        "capacity": edits.get("capacity"),
        "net_floor_area_m2": _round(row.net_floor_area_m2),
        "height_m": _round(row.height_m),
        "status": row.status,
    }


def _add_planning_fields(conn: Any, rooms: list[dict[str, Any]]) -> None:
    """How offices stand against the area standard (`twin.planning.standing`)."""
    from twin.planning.standing import add_area_standing

    add_area_standing(conn, rooms)


def _round(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


def list_rooms(
    engine: Engine,
    building: str | None = None,
    storey: str | None = None,
    usage: str | None = None,
    retired: bool = False,
) -> list[dict[str, Any]]:
    """Rooms in code order; active only unless `retired`. Filters match edited values."""
    query = select(t.rooms).order_by(t.rooms.c.room_code)
    if building:
        query = query.where(t.rooms.c.building_code == resolve_building_code(engine, building))
    if storey:
        wanted = storey.strip().upper()
        column = t.rooms.c.storey_code
        query = query.where(
            column == wanted if wanted.count("-") == 2 else column.like(f"%-{wanted}")
        )
    if not retired:
        query = query.where(t.rooms.c.status == "active")
    with engine.connect() as conn:
        rows = conn.execute(query).all()
        edits = _edits(conn, [row.room_code for row in rows])
        rooms = [_room_summary(row, edits.get(row.room_code, {})) for row in rows]
        _add_planning_fields(conn, rooms)
    if usage:
        rooms = [room for room in rooms if room["usage"] == usage.strip().lower()]
    return rooms


def lookup_room(conn: Any, code: str) -> Any:
    """The stored row of room `code` (any case); InvalidRoomCode / UnknownRoomCode else."""
    parsed = RoomCode.parse(code)
    row = conn.execute(select(t.rooms).where(t.rooms.c.room_code == str(parsed))).first()
    if row is None:
        known = conn.execute(
            select(t.rooms.c.room_code).where(t.rooms.c.status == "active")
        ).scalars()
        raise unknown_room_code(str(parsed), known)
    return row


def room_detail(engine: Engine, code: str) -> dict[str, Any]:
    """Everything about one room: identity, size, neighbours, services through it, history.

    Raises `InvalidRoomCode` for a malformed code or wrong check character and
    `UnknownRoomCode` (with the closest codes) for a valid code no room has.
    """
    with engine.connect() as conn:
        row = lookup_room(conn, code)
        edits = _edits(conn, [row.room_code]).get(row.room_code, {})
        neighbours = conn.execute(
            select(t.adjacency).where(
                (t.adjacency.c.room_a == row.room_code) | (t.adjacency.c.room_b == row.room_code)
            )
        ).all()
        services = conn.execute(
            select(
                t.runs_through.c.element_id,
                t.runs_through.c.where,
                t.runs_through.c.length_m,
                t.elements.c.kind,
                t.elements.c.medium,
                t.elements.c.outer_diameter_m,
                t.elements.c.global_id,
                t.elements.c.name,
            )
            .join(t.elements, t.elements.c.element_id == t.runs_through.c.element_id)
            .where(t.runs_through.c.room_code == row.room_code)
            .order_by(t.runs_through.c.where, t.runs_through.c.element_id)
        ).all()
        systems: dict[str, list[str]] = {}
        ids = [s.element_id for s in services]
        for element, name in conn.execute(
            select(t.element_systems.c.element_id, t.systems.c.name)
            .join(t.systems, t.systems.c.system_id == t.element_systems.c.system_id)
            .where(t.element_systems.c.element_id.in_(ids))
        ):
            systems.setdefault(element, []).append(name)
        storey = conn.execute(
            select(t.storeys).where(t.storeys.c.storey_code == row.storey_code)
        ).first()
        history = conn.execute(
            select(t.room_events.c.at, t.room_events.c.kind, t.room_events.c.detail)
            .where(t.room_events.c.room_code == row.room_code)
            .order_by(t.room_events.c.event_id)
        ).all()
        detail = _room_summary(row, edits)
        _add_planning_fields(conn, [detail])
    detail.update(
        {
            "object_type": row.object_type,
            "usage_from_model": row.usage,
            "area_source": row.area_source,
            "declared_area_m2": _round(row.declared_area_m2),
            "volume_m3": _round(row.volume_m3),
            "floor_elevation_m": _round(row.floor_elevation_m, 3),
            "finish_ceiling_m": _round(row.finish_ceiling_m, 3),
            "void_top_m": _round(row.void_top_m, 3),
            "storey_name": storey.name if storey else None,
            "storey_elevation_m": _round(storey.elevation_m, 3) if storey else None,
            "global_id": row.global_id,
            "source_file": row.source_file,
            "created_at": row.created_at,
            "retired_at": row.retired_at,
            "neighbours": sorted(
                (
                    {"room_code": n.room_b if n.room_a == row.room_code else n.room_a, "via": n.via}
                    for n in neighbours
                ),
                key=lambda n: n["room_code"],
            ),
            "services": [
                {
                    "element_id": s.element_id,
                    "kind": s.kind,
                    "system": ", ".join(sorted(systems.get(s.element_id, []))) or None,
                    "medium": s.medium,
                    "outer_diameter_m": _round(s.outer_diameter_m, 4),
                    "where": s.where,
                    "length_m": _round(s.length_m),
                    "global_id": s.global_id,
                }
                for s in services
            ],
            "edits": edits,
            "history": [
                {"at": h.at, "event": h.kind, "detail": json.loads(h.detail) if h.detail else {}}
                for h in history
            ],
        }
    )
    return detail


def set_room(engine: Engine, code: str, changes: dict[str, Any]) -> dict[str, Any]:
    """Record local edits to a room; they survive every re-import. Returns the room."""
    from bim_import.usage import usage_categories

    unknown = sorted(set(changes) - set(EDITABLE_FIELDS))
    if unknown:
        raise BadInput(f"cannot set {', '.join(unknown)}; editable: {', '.join(EDITABLE_FIELDS)}")
    if "usage" in changes:
        usage = str(changes["usage"]).strip().lower()
        if usage not in usage_categories():
            raise BadInput(
                f"unknown usage {changes['usage']!r}; one of: {', '.join(usage_categories())}"
            )
        changes["usage"] = usage
    if "capacity" in changes and (
        not isinstance(changes["capacity"], int) or changes["capacity"] < 0
    ):
        raise BadInput(f"capacity must be a whole number ≥ 0, not {changes['capacity']!r}")
    with engine.begin() as conn:
        row = lookup_room(conn, code)
        write_room_edits(conn, row.room_code, changes)
    return room_detail(engine, row.room_code)


def write_room_edits(conn: Connection, room_code: str, changes: dict[str, Any]) -> None:
    """Upsert local edits of a stored room and record an `edited` event, in `conn`'s transaction.

    The caller has checked the room code and the values (`set_room` does; so does the
    department allocation of `twin.planning.org`).
    """
    at = datetime.now(UTC).isoformat(timespec="seconds")
    for field, value in changes.items():
        encoded = json.dumps(value, ensure_ascii=False)
        updated = conn.execute(
            update(t.room_edits)
            .where(t.room_edits.c.room_code == room_code, t.room_edits.c.field == field)
            .values(value=encoded, edited_at=at)
        ).rowcount
        if not updated:
            conn.execute(
                insert(t.room_edits).values(
                    room_code=room_code, field=field, value=encoded, edited_at=at
                )
            )
    conn.execute(
        insert(t.room_events).values(
            room_code=room_code,
            at=at,
            kind="edited",
            detail=json.dumps(changes, ensure_ascii=False),
        )
    )
