"""Who's who, read from the store: sites' standards, departments, staff, the org change log.

Reads only; the changes are in `twin.planning.org`. Dicts have the keys the API uses.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, Engine, func, select

from models.codes import closest_codes
from models.errors import BadInput, UnknownDepartment, UnknownStaff
from twin.planning.standards import Standards, load_standards, parse_standards_toml
from twin.store import schema as t

__all__ = [
    "chosen_sites",
    "department_detail",
    "known_site",
    "list_departments",
    "list_staff",
    "org_history",
    "site_standards",
    "site_standards_info",
    "staff_detail",
    "staff_row",
    "stored_department",
    "unknown_message",
]


def unknown_message(what: str, text: str, known: Iterable[str]) -> tuple[str, list[str]]:
    """ "unknown WHAT 'TEXT'; closest: …" and the closest known codes."""
    closest = closest_codes(text, known)
    hint = f"; closest: {', '.join(closest)}" if closest else ""
    return f"unknown {what} {text!r}{hint}", closest


def site_standards(conn: Connection, site_code: str) -> tuple[str | None, Standards]:
    """The site's level (None when not chosen yet) and its standards with its overrides."""
    row = conn.execute(
        select(t.planning_sites).where(t.planning_sites.c.site_code == site_code)
    ).first()
    if row is None:
        return None, load_standards()
    override = parse_standards_toml(row.standards_toml, site_code) if row.standards_toml else None
    return row.level, load_standards(override)


def chosen_sites(conn: Connection, site_code: str | None) -> list[str]:
    """The site `site_code` names (any case), or every site in code order when None."""
    sites = list(conn.execute(select(t.sites.c.site_code).order_by(t.sites.c.site_code)).scalars())
    if site_code is None:
        return sites
    cleaned = site_code.strip().upper()
    if cleaned not in sites:
        hint = f"; sites: {', '.join(sites)}" if sites else "; import a model first"
        raise BadInput(f"unknown site {site_code!r}{hint}")
    return [cleaned]


def known_site(conn: Connection, site_code: str) -> str:
    """The stored site `site_code` names, in upper case; BadInput else."""
    return chosen_sites(conn, site_code)[0]


def site_standards_info(engine: Engine, site_code: str) -> dict[str, Any]:
    """The site's level and the allowance per rank it uses, with the check settings."""
    with engine.connect() as conn:
        site = known_site(conn, site_code)
        level, standards = site_standards(conn, site)
        own = conn.execute(
            select(t.planning_sites.c.standards_toml).where(t.planning_sites.c.site_code == site)
        ).scalar()
    document = standards.public()
    ranks: list[dict[str, Any]] = next(
        (x["ranks"] for x in document["levels"] if x["level"] == level), []
    )
    return {
        "site_code": site,
        "level": level,
        "ranks": ranks,
        "checks": document["checks"],
        "own_standards": own is not None,
        "levels": [x["level"] for x in document["levels"]],
    }


def staff_row(conn: Connection, staff_id: str) -> Any:
    wanted = staff_id.strip().upper()
    row = conn.execute(select(t.staff).where(t.staff.c.staff_id == wanted)).first()
    if row is None:
        known = conn.execute(select(t.staff.c.staff_id)).scalars().all()
        raise UnknownStaff(*unknown_message("staff id", staff_id, known))
    return row


def stored_department(conn: Connection, text: str) -> str:
    """A stored department's code from `text` in any case; UnknownDepartment else."""
    known = conn.execute(select(t.departments.c.department_code)).scalars().all()
    wanted = text.strip().upper()
    if wanted not in known:
        raise UnknownDepartment(*unknown_message("department", text, known))
    return wanted


def _allocations(conn: Connection) -> dict[str, str]:
    return {
        code: value
        for code, raw in conn.execute(
            select(t.room_edits.c.room_code, t.room_edits.c.value).where(
                t.room_edits.c.field == "department"
            )
        )
        if isinstance(value := json.loads(raw), str)
    }


def _staff_public(row: Any, site: str) -> dict[str, Any]:
    return {
        "staff_id": row.staff_id,
        "name": row.name,
        "rank": row.rank,
        "department_code": row.department_code,
        "site_code": site,
        "room_code": row.room_code,
    }


def list_departments(engine: Engine, site_code: str | None = None) -> list[dict[str, Any]]:
    """Departments in code order, with their staff count and allocated rooms."""
    with engine.connect() as conn:
        query = select(t.departments).order_by(t.departments.c.department_code)
        if site_code:
            query = query.where(t.departments.c.site_code == known_site(conn, site_code))
        rows = conn.execute(query).all()
        counts: dict[str, int] = dict(
            conn.execute(
                select(t.staff.c.department_code, func.count()).group_by(t.staff.c.department_code)
            ).all()
        )
        rooms: dict[str, list[str]] = {}
        for room, department in sorted(_allocations(conn).items()):
            rooms.setdefault(department, []).append(room)
    return [
        {
            "department_code": row.department_code,
            "name": row.name,
            "parent_code": row.parent_code,
            "site_code": row.site_code,
            "staff": counts.get(row.department_code, 0),
            "rooms": rooms.get(row.department_code, []),
        }
        for row in rows
    ]


def department_detail(engine: Engine, code: str) -> dict[str, Any]:
    """One department: its fields, its staff and its rooms; UnknownDepartment else."""
    with engine.connect() as conn:
        wanted = stored_department(conn, code)
    detail = next(d for d in list_departments(engine) if d["department_code"] == wanted)
    detail["members"] = list_staff(engine, department_code=wanted)
    detail["units"] = [
        d["department_code"] for d in list_departments(engine) if d["parent_code"] == wanted
    ]
    return detail


def list_staff(
    engine: Engine, department_code: str | None = None, site_code: str | None = None
) -> list[dict[str, Any]]:
    """Staff in id order, optionally of one department or one site."""
    query = (
        select(t.staff, t.departments.c.site_code)
        .join(t.departments, t.departments.c.department_code == t.staff.c.department_code)
        .order_by(t.staff.c.staff_id)
    )
    with engine.connect() as conn:
        if department_code:
            wanted = stored_department(conn, department_code)
            query = query.where(t.staff.c.department_code == wanted)
        if site_code:
            query = query.where(t.departments.c.site_code == known_site(conn, site_code))
        rows = conn.execute(query).all()
    return [_staff_public(row, row.site_code) for row in rows]


def org_history(
    engine: Engine, subject: str | None = None, limit: int = 200
) -> list[dict[str, Any]]:
    """The latest org changes, newest first: level, department, staff, allocation, moves."""
    if not 1 <= limit <= 10_000:
        raise BadInput(f"limit must be between 1 and 10000, not {limit}")
    query = select(t.org_events).order_by(t.org_events.c.event_id.desc()).limit(limit)
    if subject:
        query = query.where(t.org_events.c.subject == subject.strip().upper())
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    return [
        {
            "event_id": row.event_id,
            "at": row.at,
            "by": row.by,
            "kind": row.kind,
            "subject": row.subject,
            "detail": json.loads(row.detail or "{}"),
        }
        for row in rows
    ]


def staff_detail(engine: Engine, staff_id: str) -> dict[str, Any]:
    """One member of staff, with the m² their rank allows at the site's level."""
    with engine.connect() as conn:
        row = staff_row(conn, staff_id)
        site = conn.execute(
            select(t.departments.c.site_code).where(
                t.departments.c.department_code == row.department_code
            )
        ).scalar_one()
        level, standards = site_standards(conn, site)
    detail = _staff_public(row, site)
    detail["level"] = level
    detail["allowance_m2"] = standards.allowance_m2(level).get(row.rank) if level else None
    return detail
