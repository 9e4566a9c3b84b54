"""Building outlines in site metres, kept in `building_footprints`.

A building's footprint is the union of its rooms' footprints on every storey,
with the gaps the walls leave between rooms closed by growing each room by half a
metre and shrinking the union back; a building without rooms gets the plan hull
of its meshes. Computed once per import (so the map reads one row per building),
and computed on the fly for a building that has no stored row.
"""

from __future__ import annotations

import numpy as np
import shapely
from sqlalchemy import Connection, delete, insert, select

from twin.store import schema as t

__all__ = ["WALL_GAP_M", "building_outline", "footprints_of", "refresh_footprints"]

WALL_GAP_M = 0.5


def building_outline(conn: Connection, building_code: str) -> tuple[shapely.Geometry, str] | None:
    """The building's outline and where it came from (`rooms` or `meshes`), or None."""
    blobs = conn.execute(
        select(t.rooms.c.footprint_wkb).where(
            t.rooms.c.building_code == building_code,
            t.rooms.c.status == "active",
            t.rooms.c.footprint_wkb.is_not(None),
        )
    ).scalars()
    rooms = shapely.from_wkb(np.array(list(blobs), dtype=object))
    rooms = rooms[shapely.is_valid(rooms) & ~shapely.is_empty(rooms)] if len(rooms) else rooms
    if len(rooms):
        grown = shapely.buffer(rooms, WALL_GAP_M, join_style="mitre")
        outline = shapely.buffer(shapely.union_all(grown), -WALL_GAP_M, join_style="mitre")
        if not outline.is_empty:
            return shapely.normalize(outline), "rooms"
    points = [
        np.frombuffer(blob, dtype="<f8").reshape(-1, 3)[:, :2]
        for blob in conn.execute(
            select(t.meshes.c.vertices).where(t.meshes.c.building_code == building_code)
        ).scalars()
    ]
    if points:
        hull = shapely.convex_hull(shapely.multipoints(np.concatenate(points)))
        if isinstance(hull, shapely.Polygon) and hull.area > 0:
            return hull, "meshes"
    return None


def refresh_footprints(conn: Connection, building_code: str) -> None:
    """Recompute and store one building's footprint (none stored when it has no outline)."""
    conn.execute(
        delete(t.building_footprints).where(t.building_footprints.c.building_code == building_code)
    )
    found = building_outline(conn, building_code)
    if found is not None:
        outline, source = found
        conn.execute(
            insert(t.building_footprints).values(
                building_code=building_code, footprint_wkb=shapely.to_wkb(outline), source=source
            )
        )


def footprints_of(conn: Connection, building_codes: list[str]) -> dict[str, shapely.Geometry]:
    """Footprints of the buildings, from the store, computed where none is stored."""
    stored = dict(
        conn.execute(
            select(
                t.building_footprints.c.building_code, t.building_footprints.c.footprint_wkb
            ).where(t.building_footprints.c.building_code.in_(building_codes))
        ).all()
    )
    found: dict[str, shapely.Geometry] = {}
    for code in building_codes:
        if code in stored:
            found[code] = shapely.from_wkb(stored[code])
        else:
            computed = building_outline(conn, code)
            if computed is not None:
                found[code] = computed[0]
    return found
