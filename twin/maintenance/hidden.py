"""The services hidden in a room's ceiling void, floor and walls, placed the way a crew measures.

The import already knows which segment runs through which zone of which room
(`runs_through`, computed by `twin.spatial_store`). This module turns each of those
rows into a position someone with a tape measure can find:

- ceiling void or floor: the height above the finished floor (negative in the floor
  slab) and the perpendicular distance from the two nearest walls of the room,
  each wall named by the compass direction it faces;
- wall: which wall (compass direction of its outward normal), the room behind it,
  how deep behind the face, the height above the floor and the distance from the
  nearer end of the wall.

Compass directions use the site's true north when the model gives one, else +Y is
north; every answer says which. A building's rooms are answered in one batch with
a handful of queries, which is what the viewer and the bench use.

>>> wall_direction(0.0)
'north'
>>> wall_direction(225.0)
'south-west'
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from shapely.geometry.polygon import orient
from sqlalchemy import Connection, Engine, select

from models.errors import BadInput
from models.geometry import FloatArray
from twin import spatial
from twin.maintenance.provenance import (
    AS_DESIGNED,
    describe_service,
    model_files,
    segment_files,
    system_names,
)
from twin.rooms import lookup_room, resolve_building_code
from twin.store import schema as t

__all__ = [
    "WHERE_CHOICES",
    "Compass",
    "RoomFaces",
    "hidden_services",
    "hidden_services_of_building",
    "parse_where",
    "room_walls",
    "wall_direction",
]

WHERE_CHOICES = ("ceiling", "floor", "wall")
_COMPASS_POINTS = (
    "north",
    "north-east",
    "east",
    "south-east",
    "south",
    "south-west",
    "west",
    "north-west",
)
MIN_WALL_FACE_M = 0.2  # shorter outline edges are corners and jogs, not walls to measure from
BEHIND_REACH_M = 0.8  # how far past the face a room counts as "behind" the wall


def parse_where(text: str | None) -> tuple[str, ...]:
    """`ceiling`, `floor`, `wall` or `all` (= all three) as the zones to answer for."""
    wanted = (text or "all").strip().lower()
    if wanted == "all":
        return WHERE_CHOICES
    if wanted in WHERE_CHOICES:
        return (wanted,)
    raise BadInput(f"where must be ceiling, floor, wall or all, not {text!r}")


def wall_direction(bearing_deg: float) -> str:
    """The compass point (of eight) nearest a bearing in degrees clockwise from north."""
    return _COMPASS_POINTS[round((bearing_deg % 360.0) / 45.0) % 8]


@dataclass(frozen=True)
class Compass:
    """How plan directions turn into bearings: true north, or +Y when the site has none.

    `true_north_deg` is the site's value: north's direction in the plan, measured
    anticlockwise from +Y (as `bim_import.georef` reads IfcGeometricRepresentationContext
    .TrueNorth).
    """

    true_north_deg: float | None

    def bearing_deg(self, vector: FloatArray) -> float:
        """Bearing of a plan vector, degrees clockwise from north, in [0, 360)."""
        angle = math.radians(self.true_north_deg or 0.0)
        north = np.array([-math.sin(angle), math.cos(angle)])
        east = np.array([math.cos(angle), math.sin(angle)])
        return math.degrees(math.atan2(float(vector @ east), float(vector @ north))) % 360.0

    def describe(self) -> dict[str, Any]:
        if self.true_north_deg is None:
            convention = "+Y is north (the site model gives no true north)"
        else:
            convention = (
                f"true north from the site model, {self.true_north_deg:.1f}° anticlockwise from +Y"
            )
        return {"true_north_deg": self.true_north_deg, "convention": convention}


@dataclass(frozen=True)
class RoomFaces:
    """The straight faces of a room's outline, each from `starts[i]` to `ends[i]` with the
    room on its left, as `(f, 2) float` arrays; `directions[i]` is the compass point its
    outward normal faces."""

    starts: FloatArray
    ends: FloatArray
    outward: FloatArray
    directions: list[str]

    @property
    def lengths_m(self) -> FloatArray:
        return np.asarray(np.linalg.norm(self.ends - self.starts, axis=1))

    @property
    def along(self) -> FloatArray:
        return np.asarray((self.ends - self.starts) / self.lengths_m[:, None])

    def inside_m(self, points: FloatArray) -> FloatArray:
        """`(n, f)`: perpendicular distance of `(n, 2)` plan points from each face, + inside."""
        return np.einsum("nfj,fj->nf", points[:, None, :] - self.starts[None], -self.outward)

    def along_m(self, points: FloatArray) -> FloatArray:
        """`(n, f)`: position of `(n, 2)` plan points along each face, from its start."""
        return np.einsum("nfj,fj->nf", points[:, None, :] - self.starts[None], self.along)

    def describe(self) -> list[dict[str, Any]]:
        return [
            {
                "wall": direction,
                "length_m": round(float(length), 3),
                "from_m": [round(float(v), 3) for v in start],
                "to_m": [round(float(v), 3) for v in end],
            }
            for direction, length, start, end in zip(
                self.directions, self.lengths_m, self.starts, self.ends, strict=True
            )
        ]


def room_walls(footprint: shapely.Polygon, compass: Compass) -> RoomFaces:
    """The faces of a room's outline at least `MIN_WALL_FACE_M` long, each with its direction."""
    outline = orient(shapely.simplify(footprint, 0.01), 1.0)
    corners = np.asarray(outline.exterior.coords)[:, :2]
    starts, ends = corners[:-1], corners[1:]
    edges = ends - starts
    lengths = np.linalg.norm(edges, axis=1)
    keep = lengths >= MIN_WALL_FACE_M
    edges, lengths = edges[keep], lengths[keep]
    outward = np.column_stack([edges[:, 1], -edges[:, 0]]) / lengths[:, None]  # right of a CCW edge
    return RoomFaces(
        starts[keep],
        ends[keep],
        outward,
        [wall_direction(compass.bearing_deg(normal)) for normal in outward],
    )


def _range(values: Iterable[float], digits: int = 3) -> list[float]:
    found = [float(v) for v in values]
    return [round(min(found), digits), round(max(found), digits)]


def _middle(pieces: Sequence[tuple[FloatArray, FloatArray]]) -> FloatArray:
    """The middle of the longest piece: where a crew would look first."""
    start, end = max(pieces, key=lambda p: float(np.linalg.norm(p[1] - p[0])))
    return np.asarray((start + end) / 2.0)


def _ends(pieces: Sequence[tuple[FloatArray, FloatArray]]) -> FloatArray:
    return np.array([point for piece in pieces for point in piece])


def _slab_position(
    pieces: Sequence[tuple[FloatArray, FloatArray]], floor_m: float, faces: RoomFaces
) -> dict[str, Any]:
    """Height above the floor and the two nearest walls, measured at the run's middle."""
    ends, middle = _ends(pieces), _middle(pieces)
    at_middle = faces.inside_m(middle[None, :2])[0]
    at_ends = faces.inside_m(ends[:, :2])
    nearest = np.argsort(np.abs(at_middle), kind="stable")[:2]
    return {
        "height_above_floor_m": round(float(middle[2]) - floor_m, 3),
        "height_range_m": _range(ends[:, 2] - floor_m),
        "walls": [
            {
                "wall": faces.directions[i],
                "distance_m": round(float(at_middle[i]), 3),
                "distance_range_m": _range(at_ends[:, i]),
            }
            for i in nearest.tolist()
        ],
    }


@dataclass(frozen=True)
class _Storey:
    """The rooms of one storey, to find the room behind a wall."""

    codes: list[str]
    footprints: np.ndarray  # (r,) shapely polygons


def _room_behind(
    faces: RoomFaces, face: int, along: FloatArray, room_code: str, storey: _Storey
) -> str | None:
    """The room on the other side of face `face` over the stretch `along` (positions on it)."""
    length = float(faces.lengths_m[face])
    lo = max(0.0, float(along.min()) - 0.05)
    hi = min(length, float(along.max()) + 0.05)
    direction = faces.along[face]
    a, b = faces.starts[face] + lo * direction, faces.starts[face] + hi * direction
    reach = faces.outward[face] * BEHIND_REACH_M
    strip = shapely.Polygon([a, b, b + reach, a + reach])
    if not len(storey.codes):
        return None
    areas = shapely.area(shapely.intersection(strip, storey.footprints))
    best, best_area = None, 0.005
    for code, area in zip(storey.codes, areas.tolist(), strict=True):
        if code != room_code and area > best_area:
            best, best_area = code, area
    return best


def _wall_position(
    pieces: Sequence[tuple[FloatArray, FloatArray]],
    floor_m: float,
    faces: RoomFaces,
    room_code: str,
    storey: _Storey,
    compass: Compass,
) -> dict[str, Any] | None:
    """Which wall, the room behind it, depth behind the face, height, distance from its end."""
    ends, middle = _ends(pieces), _middle(pieces)
    plan = middle[None, :2]
    depths = -faces.inside_m(plan)[0]
    ats = faces.along_m(plan)[0]
    lengths = faces.lengths_m
    fits = (
        (depths >= -0.01)
        & (depths <= spatial.WALL_REACH_M + 0.05)
        & (ats >= -0.05)
        & (ats <= lengths + 0.05)
    )
    if not fits.any():
        return None
    face = int(np.flatnonzero(fits)[np.argmin(depths[fits])])
    length, depth, at = float(lengths[face]), float(depths[face]), float(ats[face])
    along = faces.along_m(ends[:, :2])[:, face]
    from_start = at <= length / 2.0
    end_point = faces.starts[face] if from_start else faces.ends[face]
    centre = (faces.starts[face] + faces.ends[face]) / 2.0
    return {
        "wall": faces.directions[face],
        "room_behind": _room_behind(faces, face, along, room_code, storey),
        "depth_behind_face_m": round(depth, 3),
        "depth_range_m": _range(-faces.inside_m(ends[:, :2])[:, face]),
        "height_above_floor_m": round(float(middle[2]) - floor_m, 3),
        "height_range_m": _range(ends[:, 2] - floor_m),
        "from_wall_end": {
            "end": wall_direction(compass.bearing_deg(end_point - centre)),
            "distance_m": round(at if from_start else length - at, 3),
            "distance_range_m": _range(along if from_start else length - along),
        },
        "wall_length_m": round(length, 3),
    }


@dataclass(frozen=True)
class _RoomShape:
    code: str
    storey: str
    footprint: Any
    floor_m: float
    ceiling_m: float
    void_top_m: float
    floor_bottom_m: float

    def region(self, where: str) -> tuple[Any, float, float]:
        """The plan region and height range a segment in zone `where` lies in."""
        if where == "ceiling":
            return self.footprint, self.ceiling_m, self.void_top_m
        if where == "floor":
            return self.footprint, self.floor_bottom_m, self.floor_m
        reach = shapely.buffer(self.footprint, spatial.WALL_REACH_M, join_style="mitre")
        return shapely.difference(reach, self.footprint), self.floor_m, self.void_top_m


def _shape(row: Any) -> _RoomShape | None:
    if row.footprint_wkb is None or row.floor_elevation_m is None:
        return None
    floor = float(row.floor_elevation_m)
    top = float(row.void_top_m if row.void_top_m is not None else floor + (row.height_m or 0.0))
    return _RoomShape(
        row.room_code,
        row.storey_code,
        shapely.from_wkb(row.footprint_wkb),
        floor,
        float(row.finish_ceiling_m if row.finish_ceiling_m is not None else top),
        top,
        float(row.floor_bottom_m if row.floor_bottom_m is not None else floor - 0.25),
    )


def _answers(
    conn: Connection, rows: Sequence[Any], where: tuple[str, ...], site_code: str
) -> dict[str, dict[str, Any]]:
    """The hidden services of each room in `rows`, keyed by room code."""
    codes = [row.room_code for row in rows]
    storey_rooms: dict[str, list[tuple[str, Any]]] = defaultdict(list)
    for other in conn.execute(
        select(t.rooms.c.room_code, t.rooms.c.storey_code, t.rooms.c.footprint_wkb).where(
            t.rooms.c.storey_code.in_(sorted({row.storey_code for row in rows})),
            t.rooms.c.status == "active",
            t.rooms.c.footprint_wkb.is_not(None),
        )
    ):
        storey_rooms[other.storey_code].append(
            (other.room_code, shapely.from_wkb(other.footprint_wkb))
        )
    storeys = {
        code: _Storey([c for c, _ in found], np.array([f for _, f in found], dtype=object))
        for code, found in storey_rooms.items()
    }
    runs: dict[str, list[Any]] = defaultdict(list)
    for chunk in range(0, len(codes), 500):
        for run in conn.execute(
            select(
                t.runs_through.c.room_code,
                t.runs_through.c.element_id,
                t.runs_through.c.where,
                t.runs_through.c.length_m,
                t.elements.c.kind,
                t.elements.c.medium,
                t.elements.c.outer_diameter_m,
                t.elements.c.axis_json,
                t.elements.c.global_id,
                t.elements.c.source_file,
            )
            .join(t.elements, t.elements.c.element_id == t.runs_through.c.element_id)
            .where(
                t.runs_through.c.room_code.in_(codes[chunk : chunk + 500]),
                t.runs_through.c.where.in_(where),
                t.elements.c.axis_json.is_not(None),
            )
            .order_by(t.runs_through.c.element_id)
        ):
            runs[run.room_code].append(run)
    element_ids = sorted({run.element_id for found in runs.values() for run in found})
    systems: dict[str, str] = {}
    for chunk in range(0, len(element_ids), 500):
        wanted = t.element_systems.c.element_id.in_(element_ids[chunk : chunk + 500])
        systems.update(system_names(conn, wanted))
    north = conn.execute(
        select(t.sites.c.true_north_deg).where(t.sites.c.site_code == site_code)
    ).scalar()
    compass = Compass(None if north is None else float(north))
    searched = model_files(conn, site_code, segment_files(conn, site_code))
    order = {name: index for index, name in enumerate(WHERE_CHOICES)}
    axes: dict[str, FloatArray] = {}
    to_place: list[tuple[dict[str, Any], str, _RoomShape, RoomFaces]] = []
    clip: tuple[list[FloatArray], list[Any], list[float], list[float]] = ([], [], [], [])
    answers = {}
    for row in rows:
        room = _shape(row)
        faces = room_walls(room.footprint, compass) if room else None
        regions: dict[str, tuple[Any, float, float]] = {}
        services = []
        for run in sorted(runs[row.room_code], key=lambda r: (order[r.where], r.element_id)):
            service = {
                **describe_service(run, systems),
                "where": run.where,
                "length_m": round(run.length_m, 2),
                "global_id": run.global_id,
                "source_file": run.source_file,
                "from_m": None,
                "to_m": None,
                "position": None,
            }
            services.append(service)
            if room is None or faces is None:
                continue
            if run.element_id not in axes:
                axes[run.element_id] = np.asarray(json.loads(run.axis_json), dtype=float)
            if run.where not in regions:
                regions[run.where] = room.region(run.where)
            region, low, high = regions[run.where]
            to_place.append((service, run.where, room, faces))
            clip[0].append(axes[run.element_id])
            clip[1].append(region)
            clip[2].append(low)
            clip[3].append(high)
        answers[row.room_code] = {
            "room_code": row.room_code,
            "where": list(where),
            "floor_elevation_m": None if room is None else round(room.floor_m, 3),
            "finish_ceiling_m": None if room is None else round(room.ceiling_m, 3),
            "void_top_m": None if room is None else round(room.void_top_m, 3),
            "compass": compass.describe(),
            "walls": faces.describe() if faces is not None else [],
            "services": services,
            "models": searched,
            "notice": AS_DESIGNED,
        }
    empty = _Storey([], np.empty(0, dtype=object))
    for (service, zone, room, faces), pieces in zip(
        to_place, spatial.axes_inside(*clip), strict=True
    ):
        if not pieces:
            continue
        service["from_m"] = [round(float(v), 3) for v in pieces[0][0]]
        service["to_m"] = [round(float(v), 3) for v in pieces[-1][1]]
        if zone == "wall":
            service["position"] = _wall_position(
                pieces, room.floor_m, faces, room.code, storeys.get(room.storey, empty), compass
            )
        else:
            service["position"] = _slab_position(pieces, room.floor_m, faces)
    return answers


def hidden_services(engine: Engine, room_code: str, where: str | None = "all") -> dict[str, Any]:
    """Every pipe, duct, cable and tray segment hidden in one room, with crew positions.

    `where` is `ceiling`, `floor`, `wall` or `all`. Raises `InvalidRoomCode` for a
    mistyped code and `UnknownRoomCode` (with the closest codes) for one no room has.
    """
    zones = parse_where(where)
    with engine.connect() as conn:
        row = lookup_room(conn, room_code)
        return _answers(conn, [row], zones, row.room_code.split("-")[0])[row.room_code]


def hidden_services_of_building(
    engine: Engine, building: str, where: str | None = "all"
) -> dict[str, dict[str, Any]]:
    """`hidden_services` for every active room of a building, in one batch, by room code."""
    zones = parse_where(where)
    building_code = resolve_building_code(engine, building)
    with engine.connect() as conn:
        rows = conn.execute(
            select(t.rooms)
            .where(t.rooms.c.building_code == building_code, t.rooms.c.status == "active")
            .order_by(t.rooms.c.room_code)
        ).all()
        return _answers(conn, rows, zones, building_code.split("-")[0])
