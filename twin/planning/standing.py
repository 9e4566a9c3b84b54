"""How an office room stands against the area standard: `within`, `over` or `idle`.

One rule for the checks, the warnings and the rooms list (whose dicts the viewer's
"area vs standard" colour mode reads): a room nobody sits in is idle; else it is
over standard by `area - entitlement` (the sum of its occupants' allowances) when
that exceeds the site's tolerance, within otherwise.

>>> room_standing(24.0, 18.0, 2, 0.0)
('over', 6.0)
>>> room_standing(18.0, 18.0, 2, 0.0), room_standing(18.0, 0.0, 0, 0.0)
(('within', 0.0), ('idle', 18.0))
"""

from __future__ import annotations

from typing import Any, Literal

from sqlalchemy import Connection, select

from twin.store import schema as t

__all__ = ["STANDINGS", "add_area_standing", "room_standing"]

Standing = Literal["within", "over", "idle"]
STANDINGS: tuple[Standing, ...] = ("within", "over", "idle")


def room_standing(
    area_m2: float, entitlement_m2: float, occupants: int, tolerance_m2: float
) -> tuple[Standing, float]:
    """The room's standing and its over-standard m² (the whole area when idle)."""
    if occupants == 0:
        return "idle", round(area_m2, 2)
    over = round(area_m2 - entitlement_m2, 2)
    if over > tolerance_m2:
        return "over", over
    return "within", max(over, 0.0)


def add_area_standing(conn: Connection, rooms: list[dict[str, Any]]) -> None:
    """Add `area_standard`, `occupants` and `over_standard_m2` to office room dicts.

    Rooms that are not active offices, or on a site without a standards level, get
    None. Reads the staff and the sites' standards once.
    """
    from twin.planning.org import site_standards

    for room in rooms:
        room.update(area_standard=None, occupants=None, over_standard_m2=None)
    offices = [r for r in rooms if r["usage"] == "office" and r["status"] == "active"]
    if not offices:
        return
    sites = {room["site_code"] for room in offices}
    tables = {site: site_standards(conn, site) for site in sites}
    seated: dict[str, list[str]] = {}
    query = select(t.staff.c.room_code, t.staff.c.rank).where(t.staff.c.room_code.is_not(None))
    if len(offices) <= 100:
        query = query.where(t.staff.c.room_code.in_([room["room_code"] for room in offices]))
    for room_code, rank in conn.execute(query):
        seated.setdefault(room_code, []).append(rank)
    for room in offices:
        level, standards = tables[room["site_code"]]
        if level is None:
            continue
        allowance = standards.allowance_m2(level)
        ranks = seated.get(room["room_code"], [])
        entitlement = sum(allowance.get(rank, 0.0) for rank in ranks)
        standing, over = room_standing(
            room["net_floor_area_m2"] or 0.0,
            entitlement,
            len(ranks),
            standards.checks.over_standard_tolerance_m2,
        )
        room.update(
            area_standard=standing,
            occupants=len(ranks),
            over_standard_m2=over if standing == "over" else 0.0 if standing == "within" else None,
        )
