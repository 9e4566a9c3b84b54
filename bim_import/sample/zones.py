"""Which rooms each segment passes, and where; which rooms are neighbours.

Computed from the plan alone (rectangles and heights), never from the IFC. For a
room with its floor at z0, finished ceiling at zc (the slab underside zs when it has
none) and slab underside at zs, within its footprint: `floor` is z0-0.25 <= z < z0,
`open` z0 <= z < zc, `ceiling` zc <= z < zs. `wall` is inside a wall that bounds
the room, over the stretch of wall beside the room, listed only from 0.5 m of run;
other portions shorter than 0.05 m are not listed. The `*_grow_m` and `z_shift_m`
arguments move every boundary a little so a test can prove no segment sits on one.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import shapely

from bim_import.sample.geometry import Box, Rect, length_inside_m, rect, rounded
from bim_import.sample.layout import SLAB_M, CampusLayout, RoomPlan, StoreyPlan, WallPlan
from bim_import.sample.mep import MepPlan

__all__ = ["MIN_LENGTH_M", "MIN_WALL_LENGTH_M", "Passage", "adjacent_rooms", "segment_passages"]

MIN_LENGTH_M = 0.05
MIN_WALL_LENGTH_M = 0.5
_TOUCH_M = 1e-6


@dataclass(frozen=True)
class Passage:
    """A segment's run through one zone of one room."""

    room_key: str
    where: str  # "floor", "open", "ceiling" or "wall"
    length_m: float


def _wall_beside(wall: WallPlan, room: RoomPlan) -> Rect | None:
    """The stretch of `wall` that bounds `room`, or None when it does not bound it."""
    w, r = wall.rect, room.rect
    if wall.runs_along_x:
        touches = abs(r.y0 - w.y1) < _TOUCH_M or abs(r.y1 - w.y0) < _TOUCH_M
        lo, hi = max(w.x0, r.x0), min(w.x1, r.x1)
        return rect(lo, w.y0, hi, w.y1) if touches and hi - lo > 0.01 else None
    touches = abs(r.x0 - w.x1) < _TOUCH_M or abs(r.x1 - w.x0) < _TOUCH_M
    lo, hi = max(w.y0, r.y0), min(w.y1, r.y1)
    return rect(w.x0, lo, w.x1, hi) if touches and hi - lo > 0.01 else None


def _zones(
    storey: StoreyPlan, room_grow_m: float, wall_grow_m: float, z_shift_m: float
) -> list[tuple[str, str, Box]]:
    """(room key, where, box) for every zone of every room of a storey."""
    zones = []
    for room in storey.rooms:
        z0, zc, zs = (z + z_shift_m for z in (room.floor_z_m, room.ceiling_z_m, room.top_z_m))
        footprint = room.rect.grown(room_grow_m)
        zones.append((room.key, "floor", Box(footprint, z0 - SLAB_M, z0)))
        zones.append((room.key, "open", Box(footprint, z0, zc)))
        if zc < zs - 1e-9:
            zones.append((room.key, "ceiling", Box(footprint, zc, zs)))
        for wall in storey.walls:
            beside = _wall_beside(wall, room)
            if beside is not None:
                zones.append((room.key, "wall", Box(beside.grown(wall_grow_m), z0, zs)))
    return zones


@dataclass(frozen=True)
class _StoreyZones:
    """The zones of one storey as arrays, for a vectorised first test."""

    z0: float
    z1: float
    names: list[tuple[str, str]]  # (room key, where)
    boxes: list[Box]
    lo: np.ndarray  # (n, 3) float
    hi: np.ndarray  # (n, 3) float

    @staticmethod
    def of(
        storey: StoreyPlan, room_grow_m: float, wall_grow_m: float, z_shift_m: float
    ) -> _StoreyZones:
        zones = _zones(storey, room_grow_m, wall_grow_m, z_shift_m)
        return _StoreyZones(
            storey.elevation_m - SLAB_M - 0.5,
            storey.elevation_m + storey.height_m + 0.5,
            [(room, where) for room, where, _ in zones],
            [box for _, _, box in zones],
            np.array([box.lo for _, _, box in zones]),
            np.array([box.hi for _, _, box in zones]),
        )


def segment_passages(
    layout: CampusLayout,
    mep: MepPlan,
    room_grow_m: float = 0.0,
    wall_grow_m: float = 0.0,
    z_shift_m: float = 0.0,
) -> dict[str, list[Passage]]:
    """For every segment (pipe, cable, tray), the rooms it passes and where."""
    storeys = [
        [_StoreyZones.of(s, room_grow_m, wall_grow_m, z_shift_m) for s in building.storeys]
        for building in layout.buildings
    ]
    footprints = shapely.STRtree(
        [shapely.box(*_bounds(b.footprint.grown(0.5))) for b in layout.buildings]
    )
    segments = [e for e in mep.elements.values() if e.run is not None]
    runs = np.array([[*e.run.start, *e.run.end] for e in segments if e.run is not None])
    lo, hi = np.minimum(runs[:, :3], runs[:, 3:]), np.maximum(runs[:, :3], runs[:, 3:])
    plans = shapely.box(lo[:, 0] - 1e-6, lo[:, 1] - 1e-6, hi[:, 0] + 1e-6, hi[:, 1] + 1e-6)
    near: dict[int, list[int]] = defaultdict(list)
    for segment, found in zip(*footprints.query(plans, predicate="intersects"), strict=True):
        near[int(segment)].append(int(found))
    passages: dict[str, list[Passage]] = {}
    for number, element in enumerate(segments):
        assert element.run is not None
        start, end = element.run.start, element.run.end
        low, high = lo[number], hi[number]
        lengths: dict[tuple[str, str], float] = defaultdict(float)
        for index in sorted(near[number]):
            for zones in storeys[index]:
                if high[2] < zones.z0 or low[2] > zones.z1:
                    continue
                touching = np.all((zones.lo <= high) & (low <= zones.hi), axis=1)
                for zone in np.flatnonzero(touching):
                    lengths[zones.names[zone]] += length_inside_m(start, end, zones.boxes[zone])
        passages[element.key] = [
            Passage(room_key, where, rounded(round(length, 3)))
            for (room_key, where), length in sorted(lengths.items())
            if length >= (MIN_WALL_LENGTH_M if where == "wall" else MIN_LENGTH_M)
        ]
    return passages


def _bounds(r: Rect) -> tuple[float, float, float, float]:
    return (r.x0, r.y0, r.x1, r.y1)


def adjacent_rooms(layout: CampusLayout) -> set[tuple[str, str]]:
    """Pairs of room keys (sorted) facing each other across one wall over >= 0.5 m,
    or joined by a door."""
    pairs: set[tuple[str, str]] = set()
    for storey in layout.storeys():
        by_key = {room.key: room for room in storey.rooms}
        for wall in storey.walls:
            beside = [(room, _wall_beside(wall, room)) for room in storey.rooms]
            bounding = [(room, stretch) for room, stretch in beside if stretch is not None]
            for i, (a, stretch_a) in enumerate(bounding):
                for b, stretch_b in bounding[i + 1 :]:
                    if _same_side(wall, a, b):
                        continue
                    if wall.runs_along_x:
                        overlap = min(stretch_a.x1, stretch_b.x1) - max(stretch_a.x0, stretch_b.x0)
                    else:
                        overlap = min(stretch_a.y1, stretch_b.y1) - max(stretch_a.y0, stretch_b.y0)
                    if overlap >= MIN_WALL_LENGTH_M - 1e-9:
                        pairs.add((min(a.key, b.key), max(a.key, b.key)))
        for door in storey.doors:
            room, corridor = by_key[door.room_key], storey.corridor
            pairs.add((min(room.key, corridor.key), max(room.key, corridor.key)))
    return pairs


def _same_side(wall: WallPlan, a: RoomPlan, b: RoomPlan) -> bool:
    if wall.runs_along_x:
        return (a.rect.y0 > wall.rect.y0) == (b.rect.y0 > wall.rect.y0)
    return (a.rect.x0 > wall.rect.x0) == (b.rect.x0 > wall.rect.x0)
