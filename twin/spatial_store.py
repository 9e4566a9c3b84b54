"""Compute and store a building's spatial relations: room zones, segment runs, neighbours.

Reads the building's rooms and element meshes from the store, derives plan
outlines (walls and doors by convex hull, slabs and ceilings by the union of their
triangles), and writes `runs_through`, `adjacency` and each room's zone heights.
"""

from __future__ import annotations

import json

import numpy as np
import shapely
from sqlalchemy import Connection, bindparam, delete, or_, select, update

from bim_import.meshes import mesh_footprint, mesh_hulls
from models.geometry import FloatArray, Mesh
from models.services import SEGMENT_KINDS
from twin import spatial
from twin.store import schema as t
from twin.store.bulk import execute_many, insert_rows

__all__ = ["compute_building_spatial"]

_PRISM_KINDS = ("wall", "slab", "covering", "door")
_SET_ZONES = (
    update(t.rooms)
    .where(t.rooms.c.room_code == bindparam("code"))
    .values(
        finish_ceiling_m=bindparam("ceiling"),
        void_top_m=bindparam("void_top"),
        floor_bottom_m=bindparam("floor_bottom"),
    )
)
_SET_ZONES_NAMES = ("ceiling", "void_top", "floor_bottom", "code")


def _prisms(conn: Connection, building_code: str) -> dict[str, list[spatial.Prism]]:
    found: dict[str, list[spatial.Prism]] = {kind: [] for kind in _PRISM_KINDS}
    rows = conn.execute(
        select(
            t.elements.c.kind, t.elements.c.predefined_type, t.meshes.c.vertices, t.meshes.c.faces
        )
        .join(t.meshes, t.meshes.c.owner_id == t.elements.c.element_id)
        .where(t.elements.c.building_code == building_code, t.elements.c.kind.in_(_PRISM_KINDS))
    )
    bodies: list[tuple[str, Mesh]] = []
    for row in rows:
        if row.kind == "covering" and (row.predefined_type or "").upper() not in ("CEILING", ""):
            continue
        mesh = Mesh.from_bytes(row.vertices, row.faces)
        if not mesh.is_empty:
            bodies.append((row.kind, mesh))
    # straight walls and doors are outlined by their hulls, all in one call
    hulls = iter(mesh_hulls([mesh for kind, mesh in bodies if kind in ("wall", "door")]))
    for kind, mesh in bodies:
        outline = next(hulls) if kind in ("wall", "door") else mesh_footprint(mesh)
        if outline is None:
            continue
        bottom, top = mesh.z_range_m
        found[kind].append(spatial.Prism(outline, bottom, top))
    return found


def compute_building_spatial(
    conn: Connection, building_code: str, boundary_pairs: set[tuple[str, str]] | None = None
) -> None:
    """Recompute and store the building's zones, segment runs and adjacency.

    `boundary_pairs` (room-code pairs from IfcRelSpaceBoundary) replaces the
    geometric adjacency when the model carries space boundaries.
    """
    rooms = conn.execute(
        select(
            t.rooms.c.room_code,
            t.rooms.c.storey_code,
            t.rooms.c.footprint_wkb,
            t.rooms.c.floor_elevation_m,
            t.rooms.c.height_m,
            t.rooms.c.finish_ceiling_m,
        ).where(t.rooms.c.building_code == building_code, t.rooms.c.status == "active")
    ).all()
    prisms = _prisms(conn, building_code)
    plans = [
        spatial.RoomPlan(
            room.room_code,
            room.storey_code,
            shapely.from_wkb(room.footprint_wkb),
            room.floor_elevation_m,
            room.floor_elevation_m + (room.height_m or 0.0),
            room.finish_ceiling_m - room.floor_elevation_m
            if room.finish_ceiling_m is not None
            else None,
        )
        for room in rooms
        if room.footprint_wkb is not None and room.floor_elevation_m is not None
    ]
    volumes = spatial.room_volumes(plans, prisms["slab"], prisms["covering"])
    execute_many(
        conn,
        _SET_ZONES,
        [(v.ceiling_m, v.void_top_m, v.floor_bottom_m, v.key) for v in volumes],
        _SET_ZONES_NAMES,
    )
    codes = [room.room_code for room in rooms]
    _store_runs(conn, building_code, codes, volumes, prisms["wall"])
    _store_serves(conn, building_code, codes, volumes)
    conn.execute(
        delete(t.adjacency).where(
            or_(t.adjacency.c.room_a.in_(codes), t.adjacency.c.room_b.in_(codes))
        )
    )
    if boundary_pairs is not None:
        pairs = [(a, b, "boundary") for a, b in sorted(boundary_pairs)]
    else:
        pairs = spatial.adjacent_rooms(volumes, [door.footprint for door in prisms["door"]])
    insert_rows(conn, t.adjacency, ("room_a", "room_b", "via"), pairs)


def _store_serves(
    conn: Connection, building_code: str, codes: list[str], volumes: list[spatial.RoomVolume]
) -> None:
    """Terminals serve the room their body's centre lies in."""
    conn.execute(delete(t.serves).where(t.serves.c.room_code.in_(codes)))
    centres = [
        (row.element_id, Mesh.from_bytes(row.vertices, row.faces).vertices.mean(axis=0))
        for row in conn.execute(
            select(t.elements.c.element_id, t.meshes.c.vertices, t.meshes.c.faces)
            .join(t.meshes, t.meshes.c.owner_id == t.elements.c.element_id)
            .where(t.elements.c.building_code == building_code, t.elements.c.kind == "terminal")
        )
    ]
    insert_rows(
        conn, t.serves, ("element_id", "room_code"), spatial.rooms_containing(centres, volumes)
    )


def _store_runs(
    conn: Connection,
    building_code: str,
    codes: list[str],
    volumes: list[spatial.RoomVolume],
    walls: list[spatial.Prism],
) -> None:
    site_code = building_code.split("-")[0]
    conn.execute(delete(t.runs_through).where(t.runs_through.c.room_code.in_(codes)))
    segment_kinds = [kind.value for kind in SEGMENT_KINDS]
    # Two index searches (ix_elements_building): the building's segments, then the
    # site-level ones. One query with `building_code = ? OR building_code IS NULL`
    # scans every element of the site once per building.
    rows: list[tuple[str, str]] = [
        (element_id, axis)
        for element_id, axis in conn.execute(
            select(t.elements.c.element_id, t.elements.c.axis_json).where(
                t.elements.c.building_code == building_code,
                t.elements.c.kind.in_(segment_kinds),
                t.elements.c.axis_json.is_not(None),
            )
        ).all()
    ]
    site_level = conn.execute(
        select(t.elements.c.element_id, t.elements.c.axis_json, t.elements.c.site_code).where(
            t.elements.c.building_code.is_(None),
            t.elements.c.kind.in_(segment_kinds),
            t.elements.c.axis_json.is_not(None),
        )
    ).all()  # the site is checked here: in SQL it would make SQLite scan the site's elements
    rows += [(element_id, axis) for element_id, axis, site in site_level if site == site_code]
    runs = spatial.segment_runs(_axes(rows), volumes, walls)
    insert_rows(
        conn,
        t.runs_through,
        ("element_id", "room_code", "where", "length_m"),
        [(r.element, r.room, r.where, r.length_m) for r in runs],
    )


def _axes(rows: list[tuple[str, str]]) -> list[tuple[str, FloatArray]]:
    """(element id, `(k, 3) float` axis) from stored `axis_json` texts.

    The texts are parsed as one JSON document and the points become one array, of
    which each axis is a view: one conversion instead of one per segment.
    """
    if not rows:
        return []
    axes = json.loads(f"[{','.join(axis for _, axis in rows)}]")
    points = np.array([point for axis in axes for point in axis], dtype=float).reshape(-1, 3)
    ends = np.cumsum([len(axis) for axis in axes])
    return [
        (element_id, points[end - len(axis) : end])
        for (element_id, _), axis, end in zip(rows, axes, ends.tolist(), strict=True)
    ]
