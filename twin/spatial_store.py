"""Compute and store a building's spatial relations: room zones, segment runs, neighbours.

Reads the building's rooms and element meshes from the store, derives plan
outlines (walls and doors by convex hull, slabs and ceilings by the union of their
triangles), and writes `runs_through`, `adjacency` and each room's zone heights.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from sqlalchemy import Connection, bindparam, delete, func, insert, or_, select, update

from bim_import.forked import Deferred
from bim_import.meshes import mesh_footprint, mesh_hulls
from models.geometry import Mesh
from models.services import SEGMENT_KINDS
from twin import spatial
from twin.store import schema as t
from twin.store.bulk import insert_rows

__all__ = ["compute_building_spatial", "compute_buildings_spatial"]

_PRISM_KINDS = ("wall", "slab", "covering", "door")
# the share of a campus's buildings a second process computes, by their elements: this
# process also runs what the import does meanwhile
_SECOND_SHARE = 0.55


@dataclass
class _Inputs:
    """What a building's spatial relations are computed from, as read from the store."""

    building_code: str
    rooms: list[Any]
    prism_rows: list[Any]
    segments: list[tuple[str, str]]
    terminals: list[tuple[str, bytes, bytes]]
    boundary_pairs: set[tuple[str, str]] | None

    @property
    def codes(self) -> list[str]:
        return [room.room_code for room in self.rooms]


@dataclass
class _Outputs:
    """A building's zones, segment runs, served rooms and neighbours, to be stored."""

    volumes: list[tuple[str, float | None, float | None, float | None]]
    runs: list[tuple[str, str, str, float]]
    serves: list[tuple[str, str]]
    pairs: list[tuple[str, str, str]]


def _prisms(rows: list[Any]) -> dict[str, list[spatial.Prism]]:
    found: dict[str, list[spatial.Prism]] = {kind: [] for kind in _PRISM_KINDS}
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
    inputs = _gather(conn, building_code, boundary_pairs)
    _write(conn, inputs, _compute(inputs))


def compute_buildings_spatial(
    conn: Connection,
    buildings: Sequence[tuple[str, set[tuple[str, str]] | None]],
    meanwhile: Callable[[], None] = lambda: None,
) -> None:
    """`compute_building_spatial` for each (building code, boundary pairs), with a second
    process's help, then `meanwhile()`.

    A forked process (`bim_import.forked`) computes the first buildings, about
    `_SECOND_SHARE` of the work, from what this one read for them, while this one runs
    `meanwhile` (other work of the import that neither needs nor changes these
    relations) and computes the rest; all are stored here, building by building.
    """
    weights = [_weight(conn, code) for code, _ in buildings]
    target, taken, count = _SECOND_SHARE * sum(weights), 0, 0
    while count < len(buildings) - 1 and taken + weights[count] / 2 <= target:
        taken += weights[count]
        count += 1
    theirs = [_gather(conn, code, pairs) for code, pairs in buildings[:count]]
    with Deferred(functools.partial(_compute_all, theirs), fork=True) as second:
        meanwhile()
        mine = []
        for code, pairs in buildings[count:]:
            inputs = _gather(conn, code, pairs)
            mine.append((inputs, _compute(inputs)))
        done = list(zip(theirs, second.result(), strict=True)) + mine
    for inputs, outputs in done:
        _write(conn, inputs, outputs)


def _weight(conn: Connection, building_code: str) -> int:
    """How much computing a building's relations costs, roughly: its elements."""
    return int(
        conn.execute(
            select(func.count())
            .select_from(t.elements)
            .where(t.elements.c.building_code == building_code)
        ).scalar()
        or 0
    )


def _compute_all(buildings: list[_Inputs]) -> list[_Outputs]:
    return [_compute(inputs) for inputs in buildings]


def _gather(
    conn: Connection, building_code: str, boundary_pairs: set[tuple[str, str]] | None
) -> _Inputs:
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
    prism_rows = conn.execute(
        select(
            t.elements.c.kind, t.elements.c.predefined_type, t.meshes.c.vertices, t.meshes.c.faces
        )
        .join(t.meshes, t.meshes.c.owner_id == t.elements.c.element_id)
        .where(t.elements.c.building_code == building_code, t.elements.c.kind.in_(_PRISM_KINDS))
    ).all()
    terminals = [
        (row.element_id, row.vertices, row.faces)
        for row in conn.execute(
            select(t.elements.c.element_id, t.meshes.c.vertices, t.meshes.c.faces)
            .join(t.meshes, t.meshes.c.owner_id == t.elements.c.element_id)
            .where(t.elements.c.building_code == building_code, t.elements.c.kind == "terminal")
        )
    ]
    return _Inputs(
        building_code,
        list(rooms),
        list(prism_rows),
        _segments(conn, building_code),
        terminals,
        boundary_pairs,
    )


def _compute(inputs: _Inputs) -> _Outputs:
    prisms = _prisms(inputs.prism_rows)
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
        for room in inputs.rooms
        if room.footprint_wkb is not None and room.floor_elevation_m is not None
    ]
    volumes = spatial.room_volumes(plans, prisms["slab"], prisms["covering"])
    segments: list[tuple[str, Any]] = [
        (element_id, np.asarray(json.loads(axis_json), dtype=float))
        for element_id, axis_json in inputs.segments
    ]
    runs = spatial.segment_runs(segments, volumes, prisms["wall"])
    # terminals serve the room their body's centre lies in
    centres = [
        (element_id, Mesh.from_bytes(vertices, faces).vertices.mean(axis=0))
        for element_id, vertices, faces in inputs.terminals
    ]
    serves = spatial.rooms_containing(centres, volumes)
    if inputs.boundary_pairs is not None:
        pairs = [(a, b, "boundary") for a, b in sorted(inputs.boundary_pairs)]
    else:
        pairs = spatial.adjacent_rooms(volumes, [door.footprint for door in prisms["door"]])
    return _Outputs(
        [(v.key, v.ceiling_m, v.void_top_m, v.floor_bottom_m) for v in volumes],
        [(r.element, r.room, r.where, r.length_m) for r in runs],
        list(serves),
        list(pairs),
    )


def _write(conn: Connection, inputs: _Inputs, outputs: _Outputs) -> None:
    if outputs.volumes:
        conn.execute(
            update(t.rooms)
            .where(t.rooms.c.room_code == bindparam("code"))
            .values(
                finish_ceiling_m=bindparam("ceiling"),
                void_top_m=bindparam("void_top"),
                floor_bottom_m=bindparam("floor_bottom"),
            ),
            [
                {"code": code, "ceiling": ceiling, "void_top": void_top, "floor_bottom": bottom}
                for code, ceiling, void_top, bottom in outputs.volumes
            ],
        )
    codes = inputs.codes
    conn.execute(delete(t.runs_through).where(t.runs_through.c.room_code.in_(codes)))
    insert_rows(
        conn, t.runs_through, ("element_id", "room_code", "where", "length_m"), outputs.runs
    )
    conn.execute(delete(t.serves).where(t.serves.c.room_code.in_(codes)))
    if outputs.serves:
        conn.execute(
            insert(t.serves), [{"element_id": e, "room_code": r} for e, r in outputs.serves]
        )
    conn.execute(
        delete(t.adjacency).where(
            or_(t.adjacency.c.room_a.in_(codes), t.adjacency.c.room_b.in_(codes))
        )
    )
    if outputs.pairs:
        conn.execute(
            insert(t.adjacency),
            [{"room_a": a, "room_b": b, "via": via} for a, b, via in outputs.pairs],
        )


def _segments(conn: Connection, building_code: str) -> list[tuple[str, str]]:
    """(element id, axis JSON) of the building's segments and of the site-level ones."""
    site_code = building_code.split("-")[0]
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
    return rows
