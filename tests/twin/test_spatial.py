"""Zones of a room and where a segment runs, on a plan small enough to work out by hand.

Two offices side by side, 4 m × 5 m each, separated by a 0.15 m partition; floor at
0, finished ceiling at 2.8, slab above from 3.35 to 3.6, slab below from -0.25 to 0.
"""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from twin import spatial

WEST = shapely.box(0.0, 0.0, 4.0, 5.0)
EAST = shapely.box(4.15, 0.0, 8.15, 5.0)
PARTITION = spatial.Prism(shapely.box(4.0, 0.0, 4.15, 5.0), 0.0, 3.35)
SLAB_ABOVE = spatial.Prism(shapely.box(-1, -1, 10, 6), 3.35, 3.6)
SLAB_BELOW = spatial.Prism(shapely.box(-1, -1, 10, 6), -0.25, 0.0)
CEILING = spatial.Prism(shapely.box(0.0, 0.0, 8.15, 5.0), 2.8, 2.82)


def _volume(
    key: str, footprint: shapely.Polygon, declared: float | None = None
) -> spatial.RoomVolume:
    plan = spatial.RoomPlan(key, "F01", footprint, 0.0, 3.35, declared)
    (volume,) = spatial.room_volumes([plan], [SLAB_ABOVE, SLAB_BELOW], [CEILING])
    return volume


@pytest.fixture
def rooms() -> list[spatial.RoomVolume]:
    return [_volume("west", WEST), _volume("east", EAST)]


def test_zones_come_from_ceiling_covering_and_slabs(rooms: list[spatial.RoomVolume]) -> None:
    west = rooms[0]
    assert (west.floor_bottom_m, west.floor_m, west.ceiling_m, west.void_top_m) == (
        -0.25,
        0.0,
        2.8,
        3.35,
    )
    declared = _volume("west", WEST, declared=2.6)
    assert declared.ceiling_m == pytest.approx(2.6)


def test_pipe_in_ceiling_void_across_both_offices(rooms: list[spatial.RoomVolume]) -> None:
    axis = np.array([[1.0, 2.5, 3.1], [7.0, 2.5, 3.1]])
    runs = spatial.segment_runs([("pipe", axis)], rooms, [PARTITION])
    assert {(r.room, r.where): r.length_m for r in runs} == {
        ("west", "ceiling"): pytest.approx(3.0),
        ("east", "ceiling"): pytest.approx(2.85),
    }


def test_heating_pipe_in_the_slab_is_under_the_floor(rooms: list[spatial.RoomVolume]) -> None:
    axis = np.array([[0.5, 1.0, -0.08], [3.5, 1.0, -0.08]])
    runs = spatial.segment_runs([("heating", axis)], rooms, [PARTITION])
    assert [(r.room, r.where, r.length_m) for r in runs] == [("west", "floor", 3.0)]


def test_drop_inside_the_partition_is_in_the_wall_of_both_rooms(
    rooms: list[spatial.RoomVolume],
) -> None:
    axis = np.array([[4.075, 2.0, 3.2], [4.075, 2.0, 1.0]])
    runs = spatial.segment_runs([("drop", axis)], rooms, [PARTITION])
    assert {(r.room, r.where) for r in runs} == {("west", "wall"), ("east", "wall")}
    assert all(r.length_m == pytest.approx(2.2) for r in runs)


def test_a_pipe_crossing_the_wall_is_not_in_the_wall(rooms: list[spatial.RoomVolume]) -> None:
    axis = np.array([[3.0, 2.0, 1.0], [5.0, 2.0, 1.0]])
    runs = spatial.segment_runs([("crossing", axis)], rooms, [PARTITION])
    assert {(r.room, r.where) for r in runs} == {("west", "open"), ("east", "open")}


def test_riser_through_the_floor(rooms: list[spatial.RoomVolume]) -> None:
    axis = np.array([[1.0, 1.0, -0.25], [1.0, 1.0, 3.6]])
    runs = {
        (r.room, r.where): r.length_m for r in spatial.segment_runs([("riser", axis)], rooms, [])
    }
    assert runs == {
        ("west", "floor"): pytest.approx(0.25),
        ("west", "open"): pytest.approx(2.8),
        ("west", "ceiling"): pytest.approx(0.55),
    }


def test_neighbours_share_a_wall_corner_contact_does_not_count(
    rooms: list[spatial.RoomVolume],
) -> None:
    diagonal = _volume("diagonal", shapely.box(8.3, 5.15, 10.0, 8.0))
    across = _volume("across", shapely.box(0.0, 7.0, 4.0, 10.0))
    door = shapely.box(4.0, 2.0, 4.15, 2.9)
    pairs = spatial.adjacent_rooms([*rooms, diagonal, across], [door])
    assert pairs == [("east", "west", "door")]
    assert spatial.adjacent_rooms([*rooms, diagonal, across]) == [("east", "west", "wall")]


def test_rooms_on_other_storeys_are_not_neighbours() -> None:
    west = _volume("west", WEST)
    upstairs = spatial.RoomVolume("up", "F02", EAST, 3.35, 3.6, 6.4, 6.95)
    assert spatial.adjacent_rooms([west, upstairs]) == []


def test_terminal_serves_the_room_it_stands_in(rooms: list[spatial.RoomVolume]) -> None:
    found = spatial.rooms_containing(
        [("tap", np.array([5.0, 1.0, 1.0])), ("outside", np.array([20.0, 1.0, 1.0]))], rooms
    )
    assert found == [("tap", "east")]


def _geos_intervals(
    line: shapely.LineString, polygon: shapely.Polygon
) -> list[tuple[float, float]]:
    """The parameter intervals of `line` inside `polygon` by GEOS, touching ones joined."""
    start, end = np.asarray(line.coords)
    along = end - start
    found = []
    for part in shapely.get_parts(shapely.intersection(line, polygon)):
        if isinstance(part, shapely.LineString) and not part.is_empty:
            ts = (np.asarray(part.coords) - start) @ along / (along @ along)
            found.append((float(ts.min()), float(ts.max())))
    joined: list[tuple[float, float]] = []
    for t0, t1 in sorted(found):
        if joined and t0 <= joined[-1][1] + 1e-12:
            joined[-1] = (joined[-1][0], max(joined[-1][1], t1))
        else:
            joined.append((t0, t1))
    return joined


def test_pieces_are_clipped_to_polygons_as_geos_clips_them() -> None:
    # grid-aligned pieces: many run along edges, through corners, touch vertices
    polygons = np.array(
        [
            shapely.Polygon([(0, 0), (6, 0), (6, 2), (2, 2), (2, 6), (0, 6)]),  # L-shape
            shapely.Polygon(
                [(0, 0), (8, 0), (8, 8), (0, 8)], [[(2, 2), (5, 2), (5, 5), (2, 5)]]
            ),  # with a hole
            shapely.Polygon([(4, 0), (8, 4), (4, 8), (0, 4)]),  # diamond
            shapely.box(3.0, 3.0, 3.15, 7.0),  # a thin wall
        ],
        dtype=object,
    )
    rng = np.random.default_rng(7)
    grid = rng.integers(-1, 10, size=(400, 2, 2)).astype(float)
    grid[::7] += rng.random((len(grid[::7]), 2, 2))  # and some off the grid
    starts = np.column_stack([grid[:, 0], np.zeros(len(grid))])
    ends = np.column_stack([grid[:, 1], np.ones(len(grid))])
    starts[::13, :2] = ends[::13, :2]  # vertical pieces: a point in plan
    plan_lengths = np.linalg.norm(ends[:, :2] - starts[:, :2], axis=1)
    piece_of = np.repeat(np.arange(len(grid)), len(polygons))
    polygon_of = np.tile(np.arange(len(polygons)), len(grid))
    pair, t0, t1 = spatial._clip_to_polygons(
        starts, ends, plan_lengths, polygons, spatial._Edges.of(polygons), piece_of, polygon_of
    )
    assert list(pair) == sorted(pair)
    ours: dict[int, list[tuple[float, float]]] = {}
    for k, lo, hi in zip(pair.tolist(), t0.tolist(), t1.tolist(), strict=True):
        ours.setdefault(k, []).append((lo, hi))
    checked = 0
    for k in range(len(piece_of)):
        polygon = polygons[polygon_of[k]]
        start, end = starts[piece_of[k], :2], ends[piece_of[k], :2]
        if plan_lengths[piece_of[k]] < 1e-6:
            expected = [(0.0, 1.0)] if polygon.intersects(shapely.Point(start)) else []
        else:
            expected = _geos_intervals(shapely.LineString([start, end]), polygon)
        found = ours.get(k, [])
        assert len(found) == len(expected), (start, end, polygon, found, expected)
        assert np.allclose(np.reshape(found, (-1, 2)), np.reshape(expected, (-1, 2)), atol=1e-9)
        checked += bool(expected)
    assert checked > 300  # most pairs meet: the comparison is not of empty lists


def test_rooms_matched_at_once_get_the_zones_they_get_one_by_one() -> None:
    plans = [
        spatial.RoomPlan("west", "F01", WEST, 0.0, 3.35),
        spatial.RoomPlan("east", "F01", EAST, 0.0, 3.35, 2.6),  # declared ceiling
        spatial.RoomPlan("yard", "F01", shapely.box(20.0, 0.0, 24.0, 5.0), 0.0, 3.0),  # no slab
    ]
    slabs, ceilings = [SLAB_ABOVE, SLAB_BELOW], [CEILING]
    together = spatial.room_volumes(plans, slabs, ceilings)
    assert together == [spatial.room_volumes([plan], slabs, ceilings)[0] for plan in plans]
    zones = [(v.floor_bottom_m, v.ceiling_m, v.void_top_m) for v in together]
    assert zones == [(-0.25, 2.8, 3.35), (-0.25, pytest.approx(2.6), 3.35), (-0.25, 3.0, 3.0)]
