"""Read one site's (or the whole campus's) planning data from the store into a `PlanningState`.

Office rooms are the active rooms whose usage (after local edits) is `office`. A
room's capacity is its `capacity` local edit, else as many desks as its area holds
at the smallest allowance of the level (at least one). A disposed room is not
available. Storeys are ordered by elevation within each building, from 0.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from sqlalchemy import Engine, select

from models.errors import BadInput
from twin.planning.org import site_standards
from twin.planning.state import Department, Person, PlanningState, PlanRoom
from twin.rooms import list_rooms
from twin.store import schema as t

__all__ = ["default_capacity", "load_planning_state"]


def default_capacity(area_m2: float, allowance_m2: Mapping[str, float] | None) -> int:
    """Desks a room without a set capacity takes: its area over the smallest allowance."""
    smallest = min(allowance_m2.values()) if allowance_m2 else 9.0
    return max(1, math.floor(area_m2 / smallest + 1e-9))


def load_planning_state(engine: Engine, site_code: str | None) -> PlanningState:
    """The office rooms, departments, staff and standard of `site_code` (None: every site).

    With `site_code` None every site with a level must share one level (the state
    has one allowance table). Raises BadInput for an unknown site or one without a
    standards level (`twin org level SITE LEVEL`).
    """
    with engine.connect() as conn:
        sites = conn.execute(select(t.sites.c.site_code).order_by(t.sites.c.site_code)).scalars()
        known = list(sites)
        if site_code is not None:
            wanted = site_code.strip().upper()
            if wanted not in known:
                raise BadInput(f"unknown site {site_code!r}; sites: {', '.join(known) or 'none'}")
            chosen = [wanted]
        else:
            chosen = known
        tables = {site: site_standards(conn, site) for site in chosen}
        levelled = {site: found for site, found in tables.items() if found[0] is not None}
        if not levelled:
            raise BadInput(
                f"no standards level set for {', '.join(chosen) or 'any site'}; "
                "`twin org level SITE LEVEL` chooses one"
            )
        distinct = {found[0] for found in levelled.values()}
        if len(distinct) > 1:
            raise BadInput(
                f"the sites have different levels ({', '.join(sorted(str(x) for x in distinct))});"
                " plan one site at a time"
            )
        level, standards = next(iter(levelled.values()))
        assert level is not None
        allowance = standards.allowance_m2(level)
        departments = conn.execute(
            select(t.departments)
            .where(t.departments.c.site_code.in_(chosen))
            .order_by(t.departments.c.department_code)
        ).all()
        codes = {row.department_code for row in departments}
        staff = conn.execute(
            select(t.staff).where(t.staff.c.department_code.in_(codes)).order_by(t.staff.c.staff_id)
        ).all()
        order: dict[str, int] = {}
        storeys = conn.execute(
            select(t.storeys.c.storey_code, t.storeys.c.building_code).order_by(
                t.storeys.c.building_code, t.storeys.c.elevation_m, t.storeys.c.storey_code
            )
        ).all()
        per_building: dict[str, int] = {}
        for storey, building in storeys:
            order[storey] = per_building.get(building, 0)
            per_building[building] = order[storey] + 1
        disposed = set(
            conn.execute(
                select(t.room_lifecycle.c.room_code).where(
                    t.room_lifecycle.c.disposed_on.is_not(None)
                )
            ).scalars()
        )
    rooms = []
    for room in list_rooms(engine, usage="office"):
        if room["site_code"] not in chosen:
            continue
        area = room["net_floor_area_m2"] or 0.0
        capacity = room["capacity"]
        department = room["department"] if room["department"] in codes else None
        rooms.append(
            PlanRoom(
                room_code=room["room_code"],
                building_code=room["building_code"],
                storey_code=room["storey_code"],
                storey_index=order.get(room["storey_code"], 0),
                usage=room["usage"],
                area_m2=area,
                capacity=capacity if capacity is not None else default_capacity(area, allowance),
                available=room["room_code"] not in disposed,
                department=department,
            )
        )
    return PlanningState(
        level=level,
        allowance_m2=allowance,
        departments=tuple(
            Department(row.department_code, row.name, row.parent_code) for row in departments
        ),
        staff=tuple(
            Person(row.staff_id, row.name, row.department_code, row.rank, row.room_code)
            for row in staff
        ),
        rooms=tuple(rooms),
        site_code=site_code.strip().upper() if site_code else None,
        meta={"sites": ",".join(sorted(levelled))},
    )
