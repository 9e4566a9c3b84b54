"""Reads of the campus besides rooms: sites, storeys, one element.

Each returns plain dicts keyed like the API's response schemas. They read the store
only; rooms are always read through `twin.rooms` so local edits apply.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, Engine, func, select

from models.codes import closest_codes
from models.errors import UnknownElement, UnknownStorey
from twin.store import schema as t

__all__ = ["element_detail", "find_element", "resolve_storey_code", "sites", "storeys"]


def sites(engine: Engine) -> list[dict[str, Any]]:
    """Every site with its georeference and how many buildings it has, in code order."""
    counts = (
        select(t.buildings.c.site_code, func.count().label("buildings"))
        .group_by(t.buildings.c.site_code)
        .subquery()
    )
    with engine.connect() as conn:
        rows = conn.execute(
            select(t.sites, func.coalesce(counts.c.buildings, 0).label("buildings"))
            .outerjoin(counts, counts.c.site_code == t.sites.c.site_code)
            .order_by(t.sites.c.site_code)
        ).all()
    return [dict(row._mapping) for row in rows]


def storeys(engine: Engine, building_code: str) -> list[dict[str, Any]]:
    """The storeys of one building, lowest first, with their active room counts."""
    counts = (
        select(t.rooms.c.storey_code, func.count().label("rooms"))
        .where(t.rooms.c.building_code == building_code, t.rooms.c.status == "active")
        .group_by(t.rooms.c.storey_code)
        .subquery()
    )
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                t.storeys.c.storey_code,
                t.storeys.c.building_code,
                t.storeys.c.code.label("storey"),
                t.storeys.c.name,
                t.storeys.c.elevation_m,
                func.coalesce(counts.c.rooms, 0).label("rooms"),
            )
            .outerjoin(counts, counts.c.storey_code == t.storeys.c.storey_code)
            .where(t.storeys.c.building_code == building_code)
            .order_by(t.storeys.c.elevation_m, t.storeys.c.storey_code)
        ).all()
    return [dict(row._mapping) for row in rows]


def resolve_storey_code(engine: Engine, building_code: str, text: str) -> str:
    """`F02` or `WZ01-B01-F02` as the building's full storey code; `UnknownStorey` else."""
    wanted = text.strip().upper()
    known = {s["storey"]: s["storey_code"] for s in storeys(engine, building_code)}
    full = wanted if wanted.count("-") == 2 else f"{building_code}-{wanted}"
    if full not in known.values():
        raise UnknownStorey(
            f"building {building_code} has no storey {text!r}; it has {', '.join(known) or 'none'}"
        )
    return full


def find_element(conn: Connection, element_id: str) -> Any:
    """The `elements` row of `element_id` (any case); `UnknownElement` with the closest ids."""
    wanted = element_id.strip().upper()
    e = t.elements
    row = conn.execute(select(e).where(e.c.element_id == wanted)).first()
    if row is None:
        prefix = wanted.rsplit("-", 1)[0]
        known = conn.execute(
            select(e.c.element_id).where(e.c.element_id.like(f"{prefix}-%"))
        ).scalars()
        closest = closest_codes(wanted, known)
        hint = f"; closest: {', '.join(closest)}" if closest else ""
        raise UnknownElement(f"unknown element {element_id!r}{hint}", closest)
    return row


def element_detail(engine: Engine, element_id: str) -> dict[str, Any]:
    """One element: what it is, its systems, the rooms it runs through or serves.

    Raises `UnknownElement` with the closest ids when no element has `element_id`.
    """
    with engine.connect() as conn:
        row = find_element(conn, element_id)
        systems = conn.execute(
            select(t.systems.c.name, t.systems.c.medium, t.systems.c.predefined_type)
            .join(t.element_systems, t.element_systems.c.system_id == t.systems.c.system_id)
            .where(t.element_systems.c.element_id == row.element_id)
            .order_by(t.systems.c.name)
        ).all()
        runs = conn.execute(
            select(t.runs_through.c.room_code, t.runs_through.c.where, t.runs_through.c.length_m)
            .where(t.runs_through.c.element_id == row.element_id)
            .order_by(t.runs_through.c.room_code, t.runs_through.c.where)
        ).all()
        served = conn.execute(
            select(t.serves.c.room_code)
            .where(t.serves.c.element_id == row.element_id)
            .order_by(t.serves.c.room_code)
        ).scalars()
        detail = dict(row._mapping)
        detail.update(
            axis_m=json.loads(detail.pop("axis_json")) if row.axis_json else None,
            systems=[dict(s._mapping) for s in systems],
            runs_through=[dict(r._mapping) for r in runs],
            serves=list(served),
        )
    return detail
