"""Building outlines: stored at import, computed for a building without a stored row."""

from __future__ import annotations

from pathlib import Path

import shapely
from sqlalchemy import delete, select

from tests.campus_stores import copy_store
from twin.geo.footprints import building_outline, footprints_of
from twin.store import open_store
from twin.store import schema as t


def test_outline_covers_the_rooms_and_closes_the_walls(sample_db: Path, tmp_path: Path) -> None:
    engine = open_store(str(copy_store(sample_db, tmp_path)))
    with engine.begin() as conn:
        stored = conn.execute(select(t.building_footprints)).one()
        assert stored.building_code == "WZ01-B01" and stored.source == "rooms"
        rooms = shapely.from_wkb(
            list(
                conn.execute(
                    select(t.rooms.c.footprint_wkb).where(t.rooms.c.status == "active")
                ).scalars()
            )
        )
        outline = shapely.from_wkb(stored.footprint_wkb)
        # One piece without holes: the wall gaps between rooms are closed.
        assert isinstance(outline, shapely.Polygon) and not outline.interiors
        assert outline.buffer(1e-6).contains(shapely.union_all(rooms))
        assert outline.area < 1.2 * shapely.union_all(rooms).envelope.area
        conn.execute(delete(t.building_footprints))
        # Without a stored row the same outline is computed on the fly.
        again = footprints_of(conn, ["WZ01-B01"])["WZ01-B01"]
        assert again.equals_exact(outline, 1e-9)
        # A building without rooms falls back to the hull of its meshes.
        conn.execute(delete(t.room_edits))
        conn.execute(t.rooms.update().values(footprint_wkb=None))
        found = building_outline(conn, "WZ01-B01")
        assert found is not None and found[1] == "meshes"
        assert found[0].contains(outline.centroid)
        assert building_outline(conn, "WZ01-B99") is None
    engine.dispose()
