"""Where services run relative to rooms, and which rooms are neighbours: plan geometry.

A room is a prism over its footprint split into zones by height: `floor` (the slab
under its finished floor), `open` (floor to finished ceiling), `ceiling` (the void
from the finished ceiling to the underside of the slab above). A wall is a prism
over its own footprint. A segment's axis is clipped against these prisms; a zone is
listed when the segment runs at least `MIN_ZONE_M` in it, a wall only when the
segment runs at least `MIN_WALL_RUN_M` inside it (a pipe that merely crosses a wall
is not "in the wall").

All inputs are plain shapely polygons and numpy arrays in site coordinates (m).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import shapely

from bim_import.linear import matvec, norm
from models.geometry import FloatArray

__all__ = [
    "MIN_WALL_RUN_M",
    "MIN_ZONE_M",
    "Prism",
    "RoomPlan",
    "RoomVolume",
    "SegmentRun",
    "adjacent_rooms",
    "axes_inside",
    "room_volumes",
    "rooms_containing",
    "segment_runs",
]

MIN_ZONE_M = 0.05
MIN_WALL_RUN_M = 0.5
DEFAULT_SLAB_M = 0.25
WALL_REACH_M = 0.35  # a wall bounds a room when it lies this close to the room's outline
MAX_WALL_GAP_M = 0.6  # rooms further apart than this do not share one wall
MIN_SHARED_M = 0.5  # rooms must face each other over at least this length
_ZONE_NAMES = ("floor", "open", "ceiling")  # from bottom to top


@dataclass(frozen=True)
class Prism:
    """A footprint extruded from `bottom_m` to `top_m`."""

    footprint: shapely.Polygon
    bottom_m: float
    top_m: float


@dataclass(frozen=True)
class RoomVolume:
    """A room's zones: floor [floor_bottom, floor), open [floor, ceiling), void [ceiling, top)."""

    key: str
    storey: str
    footprint: shapely.Polygon
    floor_bottom_m: float
    floor_m: float
    ceiling_m: float
    void_top_m: float

    def zones(self) -> tuple[tuple[str, float, float], ...]:
        return (
            (_ZONE_NAMES[0], self.floor_bottom_m, self.floor_m),
            (_ZONE_NAMES[1], self.floor_m, self.ceiling_m),
            (_ZONE_NAMES[2], self.ceiling_m, self.void_top_m),
        )


@dataclass(frozen=True)
class SegmentRun:
    element: str
    room: str
    where: str
    length_m: float


@dataclass(frozen=True)
class RoomPlan:
    """What a room's zones are worked out from: its footprint, floor and top (m).

    `finish_ceiling_height_m` is the declared height of the finished ceiling over the
    floor, when the model gives one.
    """

    key: str
    storey: str
    footprint: shapely.Polygon
    floor_m: float
    top_m: float
    finish_ceiling_height_m: float | None = None


def _overlapping(footprints: npt.NDArray[np.object_], prisms: Sequence[Prism]) -> list[list[Prism]]:
    """For each footprint, the prisms covering half of it (or of themselves) or over 1 m²."""
    found: list[list[Prism]] = [[] for _ in footprints]
    if not prisms or not len(footprints):
        return found
    outlines = np.array([prism.footprint for prism in prisms], dtype=object)
    room_of, prism_of = shapely.STRtree(outlines).query(footprints, predicate="intersects")
    overlap = shapely.area(shapely.intersection(outlines[prism_of], footprints[room_of]))
    smaller = np.minimum(shapely.area(footprints)[room_of], shapely.area(outlines)[prism_of])
    kept = (overlap >= 0.5 * smaller) | (overlap > 1.0)
    for room, prism in zip(room_of[kept].tolist(), prism_of[kept].tolist(), strict=True):
        found[room].append(prisms[prism])
    return found


def room_volumes(
    rooms: Sequence[RoomPlan], slabs: Sequence[Prism], ceilings: Sequence[Prism]
) -> list[RoomVolume]:
    """The zones of each room, all rooms matched against slabs and ceilings at once.

    The finished ceiling comes from the declared FinishCeilingHeight, else the
    underside of a ceiling covering over the room, else the top of the space. The
    void ends at the underside of the lowest slab above the ceiling, else at the top
    of the space. The floor zone is the slab whose top is the room's floor.
    """
    footprints = np.array([room.footprint for room in rooms], dtype=object)
    undeclared = [
        k
        for k, room in enumerate(rooms)
        if room.finish_ceiling_height_m is None or room.finish_ceiling_height_m <= 0
    ]
    covering: list[list[Prism]] = [[] for _ in rooms]
    for k, found in zip(undeclared, _overlapping(footprints[undeclared], ceilings), strict=True):
        covering[k] = found
    volumes = []
    for room, ceilings_over, slabs_near in zip(
        rooms, covering, _overlapping(footprints, slabs), strict=True
    ):
        floor_m, top_m = room.floor_m, room.top_m
        ceiling_m: float | None = None
        if room.finish_ceiling_height_m is not None and room.finish_ceiling_height_m > 0:
            ceiling_m = floor_m + room.finish_ceiling_height_m
        else:
            undersides = [
                c.bottom_m for c in ceilings_over if floor_m + 1.0 < c.bottom_m < top_m + 0.05
            ]
            if undersides:
                ceiling_m = min(undersides)
        if ceiling_m is None:
            ceiling_m = top_m
        void_top_m = top_m
        floor_bottom_m = floor_m - DEFAULT_SLAB_M
        above = [s.bottom_m for s in slabs_near if s.bottom_m >= ceiling_m - 0.01]
        if above:
            void_top_m = min(above)
        under = [s.bottom_m for s in slabs_near if abs(s.top_m - floor_m) <= 0.15]
        if under:
            floor_bottom_m = min(under)
        void_top_m = max(void_top_m, ceiling_m)
        volumes.append(
            RoomVolume(
                room.key,
                room.storey,
                room.footprint,
                floor_bottom_m,
                floor_m,
                ceiling_m,
                void_top_m,
            )
        )
    return volumes


def _intervals_of_clip(
    clipped: shapely.Geometry, start: FloatArray, end: FloatArray, plan_length: float
) -> list[tuple[float, float]]:
    """Parameter intervals of the segment covered by `clipped`, its plan cut by a polygon."""
    if plan_length < 1e-6:  # a vertical piece: its plan is a point, in or out
        return [] if clipped.is_empty else [(0.0, 1.0)]
    direction = (end[:2] - start[:2]) / plan_length**2
    intervals = []
    for part in getattr(clipped, "geoms", [clipped]):
        if not isinstance(part, shapely.LineString) or part.is_empty:
            continue
        ts = matvec(np.asarray(part.coords) - start[:2], direction)
        intervals.append((float(ts.min()), float(ts.max())))
    return intervals


def axes_inside(
    axes: Sequence[FloatArray],
    regions: Sequence[shapely.Geometry],
    lows_m: Sequence[float],
    highs_m: Sequence[float],
) -> list[list[tuple[FloatArray, FloatArray]]]:
    """For each `(k, 3) float` polyline, its straight pieces in plan region i, low ≤ z ≤ high.

    Each piece is a (start, end) pair of `(3,) float` points, in the order of the axis.
    All plans are clipped against their regions in one vectorised call.
    """
    owners, starts, ends = [], [], []
    for index, axis in enumerate(axes):
        for start, end in _pieces(np.asarray(axis, dtype=float)):
            owners.append(index)
            starts.append(start)
            ends.append(end)
    found: list[list[tuple[FloatArray, FloatArray]]] = [[] for _ in axes]
    if not owners:
        return found
    start_array, end_array = np.array(starts), np.array(ends)
    plans, plan_lengths = _plans(start_array, end_array)
    region_array = np.empty(len(owners), dtype=object)
    region_array[:] = [regions[i] for i in owners]
    clips = shapely.intersection(plans, region_array)
    for k, owner in enumerate(owners):
        start, end = start_array[k], end_array[k]
        low, high = lows_m[owner], highs_m[owner]
        z0, z1 = start[2], end[2]
        for t0, t1 in _intervals_of_clip(clips[k], start, end, plan_lengths[k]):
            if abs(z1 - z0) < 1e-9:
                if not low <= z0 <= high:
                    continue
                lo, hi = t0, t1
            else:
                ta, tb = sorted(((low - z0) / (z1 - z0), (high - z0) / (z1 - z0)))
                lo, hi = max(t0, ta), min(t1, tb)
            if hi > lo + 1e-9:
                found[owner].append((start + lo * (end - start), start + hi * (end - start)))
    return found


@dataclass(frozen=True)
class _Edges:
    """The boundary edges of an array of polygons, exterior and holes, grouped by polygon.

    The edges of polygon g are rows `first[g]:first[g + 1]` of `starts` and `ends`,
    `(e, 2) float` plan points.
    """

    first: npt.NDArray[np.intp]
    starts: FloatArray
    ends: FloatArray

    @classmethod
    def of(cls, polygons: npt.NDArray[np.object_]) -> _Edges:
        rings, ring_polygon = shapely.get_rings(polygons, return_index=True)
        coords, coord_ring = shapely.get_coordinates(rings, return_index=True)
        edge = np.flatnonzero(coord_ring[1:] == coord_ring[:-1])
        counts = np.bincount(ring_polygon[coord_ring[edge]], minlength=len(polygons))
        first = np.zeros(len(polygons) + 1, dtype=np.intp)
        np.cumsum(counts, out=first[1:])
        return cls(first, coords[edge], coords[edge + 1])


def _clip_to_polygons(
    starts: FloatArray,
    ends: FloatArray,
    plan_lengths: FloatArray,
    polygons: npt.NDArray[np.object_],
    edges: _Edges,
    piece_of: npt.NDArray[np.intp],
    polygon_of: npt.NDArray[np.intp],
) -> tuple[npt.NDArray[np.intp], FloatArray, FloatArray]:
    """Where each piece's plan lies in its polygon: (pair index, t0, t1) of each interval.

    Pair k is piece `piece_of[k]` (from `starts` to `ends`) against polygon
    `polygon_of[k]`. The answer is what `shapely.intersection` of the plan with the
    polygon gives (closed polygons: a run along an edge is inside), worked out in
    array arithmetic: the piece is cut where it crosses or runs along an edge, and
    each cut interval is inside when its midpoint is; touching intervals are joined,
    so a run through the polygon is one interval. Intervals come in the order of the
    pairs and, within one, along the piece; a vertical piece (a point in plan) is
    (0, 1) when its point lies in the polygon.
    """
    upright = plan_lengths[piece_of] < 1e-6
    vertical = np.flatnonzero(upright)
    pairs = np.flatnonzero(~upright)
    origin = starts[piece_of[pairs], :2]
    along = ends[piece_of[pairs], :2] - origin
    # every pair against every edge of its polygon
    owners = polygon_of[pairs]
    counts = edges.first[owners + 1] - edges.first[owners]
    row = np.repeat(np.arange(len(pairs)), counts)
    offsets = np.zeros(len(pairs) + 1, dtype=np.intp)
    np.cumsum(counts, out=offsets[1:])
    edge = np.repeat(edges.first[owners], counts) + np.arange(len(row)) - offsets[row]
    edge_start = edges.starts[edge]
    edge_vector = edges.ends[edge] - edge_start
    to_edge = edge_start - origin[row]
    direction = along[row]
    denominator = direction[:, 0] * edge_vector[:, 1] - direction[:, 1] * edge_vector[:, 0]
    across_edge = to_edge[:, 0] * edge_vector[:, 1] - to_edge[:, 1] * edge_vector[:, 0]
    across_piece = to_edge[:, 0] * direction[:, 1] - to_edge[:, 1] * direction[:, 0]
    crossing = denominator != 0
    with np.errstate(divide="ignore", invalid="ignore"):
        t = across_edge / denominator
        u = across_piece / denominator
    crossing &= (u >= 0) & (u <= 1) & (t > 0) & (t < 1)
    # an edge on the piece's line cuts it at the edge's two ends
    # (their neighbours' crossings cut there too, unless rounding puts them just off it)
    collinear = np.flatnonzero((denominator == 0) & (across_piece == 0))
    on_line, line_direction = to_edge[collinear], direction[collinear]
    squared = np.einsum("ij,ij->i", along, along)[row[collinear]]
    ends_t = np.concatenate(
        [
            np.einsum("ij,ij->i", on_line, line_direction) / squared,
            np.einsum("ij,ij->i", on_line + edge_vector[collinear], line_direction) / squared,
        ]
    )
    ends_row = np.tile(row[collinear], 2)
    within = (ends_t > 0) & (ends_t < 1)
    everyone = np.arange(len(pairs))
    cut_row = np.concatenate([row[crossing], ends_row[within], everyone, everyone])
    cut_t = np.concatenate([t[crossing], ends_t[within], np.zeros(len(pairs)), np.ones(len(pairs))])
    order = np.lexsort((cut_t, cut_row))
    cut_row, cut_t = cut_row[order], cut_t[order]
    interval = np.flatnonzero((cut_row[1:] == cut_row[:-1]) & (cut_t[1:] > cut_t[:-1]))
    lo, hi, of = cut_t[interval], cut_t[interval + 1], cut_row[interval]
    middle = origin[of] + (0.5 * (lo + hi))[:, None] * along[of]
    inside = shapely.intersects_xy(polygons[owners[of]], middle[:, 0], middle[:, 1])
    lo, hi, of = lo[inside], hi[inside], of[inside]
    # inside intervals that touch form one run: it starts at its first, ends at its last
    starts_run = np.ones(len(of), dtype=bool)
    starts_run[1:] = (of[1:] != of[:-1]) | (lo[1:] != hi[:-1])
    joined = np.flatnonzero(starts_run)
    last = np.append(joined[1:], len(of))[: len(joined)] - 1  # before the next run starts
    pair = np.concatenate([pairs[of[joined]], vertical])
    t0 = np.concatenate([lo[joined], np.zeros(len(vertical))])
    t1 = np.concatenate([hi[last], np.ones(len(vertical))])
    if len(vertical):
        points = starts[piece_of[vertical], :2]
        inside_vertical = shapely.intersects_xy(
            polygons[polygon_of[vertical]], points[:, 0], points[:, 1]
        )
        keep = np.r_[np.ones(len(joined), dtype=bool), inside_vertical]
        pair, t0, t1 = pair[keep], t0[keep], t1[keep]
    order = np.argsort(pair, kind="stable")
    return pair[order], t0[order], t1[order]


def _lengths_in_height(
    starts: FloatArray,
    ends: FloatArray,
    lengths: FloatArray,
    t0: FloatArray,
    t1: FloatArray,
    low: FloatArray,
    high: FloatArray,
) -> FloatArray:
    """Length of each piece's part with parameter in [t0, t1] and low ≤ z < high."""
    z0, z1 = starts[:, 2], ends[:, 2]
    level = np.abs(z1 - z0) < 1e-9
    with np.errstate(divide="ignore", invalid="ignore"):
        ta = (low - z0) / (z1 - z0)
        tb = (high - z0) / (z1 - z0)
    lo = np.maximum(t0, np.minimum(ta, tb))
    hi = np.minimum(t1, np.maximum(ta, tb))
    sloped = np.maximum(0.0, hi - lo) * lengths
    flat = np.where((low <= z0) & (z0 < high), (t1 - t0) * lengths, 0.0)
    return np.where(level, flat, sloped)


def _pieces(axis: FloatArray) -> Iterable[tuple[FloatArray, FloatArray]]:
    for index in range(len(axis) - 1):
        if norm(axis[index + 1] - axis[index]) > 1e-9:
            yield axis[index], axis[index + 1]


def _plans(starts: FloatArray, ends: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Plan geometries of 3D pieces (points for vertical ones) and their plan lengths."""
    plan_lengths = np.linalg.norm(ends[:, :2] - starts[:, :2], axis=1)
    vertical = plan_lengths < 1e-6
    plans = np.empty(len(starts), dtype=object)
    plans[~vertical] = shapely.linestrings(
        np.stack([starts[~vertical, :2], ends[~vertical, :2]], axis=1)
    )
    plans[vertical] = shapely.points(starts[vertical, :2])
    return plans, plan_lengths


def segment_runs(
    segments: Sequence[tuple[str, FloatArray]],
    rooms: Sequence[RoomVolume],
    walls: Sequence[Prism],
) -> list[SegmentRun]:
    """Every (segment, room, zone) with the length the segment runs there.

    `segments` pairs an element id with its axis, a `(k, 3) float` polyline. Every
    straight piece is matched against every room and wall in a few vectorised
    queries and clips; only the interval arithmetic runs per pair.
    """
    if not rooms or not segments:
        return []
    axes = [np.asarray(axis, dtype=float) for _, axis in segments]
    points = np.concatenate(axes)
    owner = np.repeat(np.arange(len(axes)), [len(axis) for axis in axes])
    # straight pieces: consecutive points of one axis, zero-length ones left out
    first = np.flatnonzero(
        (owner[1:] == owner[:-1]) & (np.linalg.norm(points[1:] - points[:-1], axis=1) > 1e-9)
    )
    if not len(first):
        return []
    starts, ends = points[first], points[first + 1]
    elements = [segments[k][0] for k in owner[first].tolist()]
    plans, plan_lengths = _plans(starts, ends)
    z_low, z_high = np.minimum(starts[:, 2], ends[:, 2]), np.maximum(starts[:, 2], ends[:, 2])
    footprints = np.array([room.footprint for room in rooms], dtype=object)
    bottoms = np.array([room.floor_bottom_m for room in rooms])
    tops = np.array([room.void_top_m for room in rooms])
    piece_of, room_of = shapely.STRtree(footprints).query(plans, predicate="intersects")
    near = (z_high[piece_of] >= bottoms[room_of]) & (z_low[piece_of] < tops[room_of])
    piece_of, room_of = piece_of[near], room_of[near]
    piece_lengths = np.linalg.norm(ends - starts, axis=1)
    pair, t0, t1 = _clip_to_polygons(
        starts, ends, plan_lengths, footprints, _Edges.of(footprints), piece_of, room_of
    )
    at, room_at = piece_of[pair], room_of[pair]
    # zone bounds of each room, in the order of RoomVolume.zones()
    bands = np.array(
        [[room.floor_bottom_m, room.floor_m, room.ceiling_m, room.void_top_m] for room in rooms]
    )[room_at]
    lengths: dict[tuple[str, str, str], float] = {}
    runs = np.stack(
        [
            _lengths_in_height(
                starts[at], ends[at], piece_lengths[at], t0, t1, bands[:, zone], bands[:, zone + 1]
            )
            for zone in range(3)
        ],
        axis=1,
    )
    # a zero adds nothing to a sum, and a sum of nothing is never kept: only the pieces
    # that run some way in a zone are summed, in the order of the pairs, zone by zone
    hit, zone_of = np.nonzero((bands[:, 1:] > bands[:, :-1]) & (runs != 0))
    for p, r, zone, length in zip(
        at[hit].tolist(),
        room_at[hit].tolist(),
        zone_of.tolist(),
        runs[hit, zone_of].tolist(),
        strict=True,
    ):
        key = (elements[p], rooms[r].key, _ZONE_NAMES[zone])
        lengths[key] = lengths.get(key, 0.0) + length
    if walls:
        pieces = (elements, starts, ends, plans, plan_lengths, piece_lengths)
        _wall_runs(*pieces, rooms, walls, lengths)
    # most (piece, room, zone) sums are nothing: left out before sorting, not after
    kept = [
        (key, length)
        for key, length in lengths.items()
        if length >= (MIN_WALL_RUN_M if key[2] == "wall" else MIN_ZONE_M)
    ]
    return [
        SegmentRun(element, room, where, round(length, 3))
        for (element, room, where), length in sorted(kept)
    ]


def _wall_runs(
    elements: Sequence[str],
    starts: FloatArray,
    ends: FloatArray,
    plans: FloatArray,
    plan_lengths: FloatArray,
    piece_lengths: FloatArray,
    rooms: Sequence[RoomVolume],
    walls: Sequence[Prism],
    lengths: dict[tuple[str, str, str], float],
) -> None:
    """Add the runs inside walls (at least `MIN_WALL_RUN_M`) to the rooms they bound.

    A run inside a wall is credited to each room the wall bounds along it: the rooms
    within `WALL_REACH_M` of the run whose outline lies within 5 cm of the wall, for
    the part of the run in that reach and between the wall's and the room's heights.
    Every step is one vectorised call over all the runs.
    """
    footprints = np.array([room.footprint for room in rooms], dtype=object)
    reach = shapely.buffer(footprints, WALL_REACH_M, join_style="mitre")
    outlines = np.array([wall.footprint for wall in walls], dtype=object)
    piece_of, wall_of = shapely.STRtree(outlines).query(plans, predicate="intersects")
    pair, t0, t1 = _clip_to_polygons(
        starts, ends, plan_lengths, outlines, _Edges.of(outlines), piece_of, wall_of
    )
    at, wall_at = piece_of[pair], wall_of[pair]
    bottoms = np.array([wall.bottom_m for wall in walls])
    tops = np.array([wall.top_m for wall in walls])
    inside = _lengths_in_height(
        starts[at], ends[at], piece_lengths[at], t0, t1, bottoms[wall_at], tops[wall_at]
    )
    runs = np.flatnonzero(inside >= MIN_WALL_RUN_M)
    if not len(runs):
        return
    # each run in a wall as a piece of its own
    at, wall_at, t0, t1 = at[runs], wall_at[runs], t0[runs], t1[runs]
    run_starts = starts[at] + t0[:, None] * (ends[at] - starts[at])
    run_ends = starts[at] + t1[:, None] * (ends[at] - starts[at])
    run_plans, run_plan_lengths = _plans(run_starts, run_ends)
    run_of, room_of = shapely.STRtree(reach).query(run_plans, predicate="intersects")
    bounds = shapely.distance(footprints[room_of], outlines[wall_at[run_of]]) <= 0.05
    run_of, room_of = run_of[bounds], room_of[bounds]
    sub, sub_t0, sub_t1 = _clip_to_polygons(
        run_starts, run_ends, run_plan_lengths, reach, _Edges.of(reach), run_of, room_of
    )
    run_at, room_at = run_of[sub], room_of[sub]
    wall_of_run = wall_at[run_at]
    floors = np.array([room.floor_m for room in rooms])[room_at]
    void_tops = np.array([room.void_top_m for room in rooms])[room_at]
    credited = _lengths_in_height(
        run_starts[run_at],
        run_ends[run_at],
        np.linalg.norm(run_ends - run_starts, axis=1)[run_at],
        sub_t0,
        sub_t1,
        np.maximum(bottoms[wall_of_run], floors),
        np.minimum(tops[wall_of_run], void_tops),
    )
    for k in np.flatnonzero(credited > 0).tolist():
        key = (elements[int(at[run_at[k]])], rooms[int(room_at[k])].key, "wall")
        lengths[key] = lengths.get(key, 0.0) + float(credited[k])


def rooms_containing(
    points: Sequence[tuple[str, FloatArray]], rooms: Sequence[RoomVolume]
) -> list[tuple[str, str]]:
    """(key, room) for each point inside a room's prism between its floor and void top."""
    if not rooms or not points:
        return []
    tree = shapely.STRtree([room.footprint for room in rooms])
    where = np.array([point[:3] for _, point in points], dtype=float)
    point_of, room_of = tree.query(shapely.points(where[:, :2]), predicate="intersects")
    bottoms = np.array([room.floor_bottom_m for room in rooms])
    tops = np.array([room.void_top_m for room in rooms])
    heights = where[point_of, 2]
    inside = (bottoms[room_of] <= heights) & (heights < tops[room_of])
    point_of, room_of = point_of[inside], room_of[inside]
    # the first room the tree gives for each point, as one query per point would
    _, first = np.unique(point_of, return_index=True)
    return [
        (points[p][0], rooms[r].key)
        for p, r in zip(point_of[first].tolist(), room_of[first].tolist(), strict=True)
    ]


def adjacent_rooms(
    rooms: Sequence[RoomVolume], doors: Sequence[shapely.Polygon] = ()
) -> list[tuple[str, str, str]]:
    """Pairs of rooms on one storey that face each other across one wall, with `via`.

    Two rooms are neighbours when they lie at most `MAX_WALL_GAP_M` apart and each
    one's outline runs within that gap of the other over at least `MIN_SHARED_M`
    (rooms touching only at a corner are not). `via` is `door` when a door lies in
    the gap between them, else `wall`.
    """
    if len(rooms) < 2:
        return []
    footprints = np.array([room.footprint for room in rooms], dtype=object)
    storeys = np.array([room.storey for room in rooms], dtype=object)
    left, right = shapely.STRtree(footprints).query(
        footprints, predicate="dwithin", distance=MAX_WALL_GAP_M
    )
    candidate = (left < right) & (storeys[left] == storeys[right])
    left, right = left[candidate], right[candidate]
    # every candidate pair in a few vectorised calls
    a, b = footprints[left], footprints[right]
    gaps = shapely.distance(a, b) + 0.02
    reach_a, reach_b = shapely.buffer(a, gaps), shapely.buffer(b, gaps)
    shared_a = shapely.length(shapely.intersection(shapely.get_exterior_ring(a), reach_b))
    shared_b = shapely.length(shapely.intersection(shapely.get_exterior_ring(b), reach_a))
    facing = np.flatnonzero(np.minimum(shared_a, shared_b) >= MIN_SHARED_M)
    through_door = np.zeros(len(facing), dtype=bool)
    if len(doors) and len(facing):
        between = shapely.intersection(reach_a[facing], reach_b[facing])
        hits, _ = shapely.STRtree(list(doors)).query(between, predicate="intersects")
        through_door[hits] = True
    pairs = []
    for k, door in zip(facing.tolist(), through_door.tolist(), strict=True):
        key_a, key_b = sorted((rooms[int(left[k])].key, rooms[int(right[k])].key))
        pairs.append((key_a, key_b, "door" if door else "wall"))
    return sorted(pairs)
