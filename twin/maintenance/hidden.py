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

import itertools
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
from twin.maintenance.provenance import AS_DESIGNED, model_files, segment_files
from twin.rooms import lookup_room, resolve_building_code
from twin.store import schema as t

__all__ = [
    "WHERE_CHOICES",
    "Compass",
    "WallFace",
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
class WallFace:
    """One straight face of a room's outline, from `start` to `end` with the room on its left."""

    start: FloatArray  # (2,) float
    end: FloatArray  # (2,) float
    outward: FloatArray  # (2,) float, unit normal pointing out of the room
    direction: str  # compass point the outward normal faces

    @property
    def length_m(self) -> float:
        return float(np.linalg.norm(self.end - self.start))

    @property
    def along(self) -> FloatArray:
        return (self.end - self.start) / self.length_m

    def inside_m(self, points: FloatArray) -> FloatArray:
        """Perpendicular distance of `(n, 2)` plan points from the face, positive inside."""
        return np.asarray((points - self.start) @ -self.outward)

    def along_m(self, points: FloatArray) -> FloatArray:
        """Position of `(n, 2)` plan points along the face, from `start`."""
        return np.asarray((points - self.start) @ self.along)


def room_walls(footprint: shapely.Polygon, compass: Compass) -> list[WallFace]:
    """The faces of a room's outline at least `MIN_WALL_FACE_M` long, each with its direction."""
    outline = orient(shapely.simplify(footprint, 0.01), 1.0)
    corners = np.asarray(outline.exterior.coords)[:, :2]
    faces = []
    for start, end in itertools.pairwise(corners):
        edge = end - start
        length = float(np.linalg.norm(edge))
        if length < MIN_WALL_FACE_M:
            continue
        outward = np.array([edge[1], -edge[0]]) / length  # right of a counter-clockwise edge
        faces.append(WallFace(start, end, outward, wall_direction(compass.bearing_deg(outward))))
    return faces


def _range(values: Iterable[float], digits: int = 3) -> list[float]:
    found = list(values)
    return [round(min(found), digits), round(max(found), digits)]


def _middle(pieces: Sequence[tuple[FloatArray, FloatArray]]) -> FloatArray:
    """The middle of the longest piece: where a crew would look first."""
    start, end = max(pieces, key=lambda p: float(np.linalg.norm(p[1] - p[0])))
    return np.asarray((start + end) / 2.0)


def _ends(pieces: Sequence[tuple[FloatArray, FloatArray]]) -> FloatArray:
    return np.array([point for piece in pieces for point in piece])


def _slab_position(
    pieces: Sequence[tuple[FloatArray, FloatArray]], floor_m: float, faces: Sequence[WallFace]
) -> dict[str, Any]:
    """Height above the floor and the two nearest walls, measured at the run's middle."""
    ends, middle = _ends(pieces), _middle(pieces)
    walls = sorted(
        (
            (
                float(face.inside_m(middle[None, :2])[0]),
                face.direction,
                face.inside_m(ends[:, :2]),
            )
            for face in faces
        ),
        key=lambda found: abs(found[0]),
    )[:2]
    return {
        "height_above_floor_m": round(float(middle[2]) - floor_m, 3),
        "height_range_m": _range(float(z) - floor_m for z in ends[:, 2]),
        "walls": [
            {"wall": direction, "distance_m": round(at, 3), "distance_range_m": _range(spread)}
            for at, direction, spread in walls
        ],
    }


def _room_behind(
    face: WallFace, along: FloatArray, room_code: str, neighbours: Sequence[tuple[str, Any]]
) -> str | None:
    """The room on the other side of `face` over the stretch `along` (positions on the face)."""
    lo = max(0.0, float(along.min()) - 0.05)
    hi = min(face.length_m, float(along.max()) + 0.05)
    a, b = face.start + lo * face.along, face.start + hi * face.along
    reach = face.outward * BEHIND_REACH_M
    strip = shapely.Polygon([a, b, b + reach, a + reach])
    best, best_area = None, 0.005
    for code, footprint in neighbours:
        if code == room_code:
            continue
        area = float(shapely.area(shapely.intersection(strip, footprint)))
        if area > best_area:
            best, best_area = code, area
    return best


def _wall_position(
    pieces: Sequence[tuple[FloatArray, FloatArray]],
    floor_m: float,
    faces: Sequence[WallFace],
    room_code: str,
    neighbours: Sequence[tuple[str, Any]],
    compass: Compass,
) -> dict[str, Any] | None:
    """Which wall, the room behind it, depth behind the face, height, distance from its end."""
    ends, middle = _ends(pieces), _middle(pieces)
    plan = middle[None, :2]
    candidates = []
    for face in faces:
        depth = -float(face.inside_m(plan)[0])
        at = float(face.along_m(plan)[0])
        if -0.01 <= depth <= spatial.WALL_REACH_M + 0.05 and -0.05 <= at <= face.length_m + 0.05:
            candidates.append((depth, face))
    if not candidates:
        return None
    depth, face = min(candidates, key=lambda found: found[0])
    along = face.along_m(ends[:, :2])
    at = float(face.along_m(plan)[0])
    from_start = at <= face.length_m / 2.0
    end_point = face.start if from_start else face.end
    centre = (face.start + face.end) / 2.0
    end_name = wall_direction(compass.bearing_deg(end_point - centre))
    distances = along if from_start else face.length_m - along
    return {
        "wall": face.direction,
        "room_behind": _room_behind(face, along, room_code, neighbours),
        "depth_behind_face_m": round(depth, 3),
        "depth_range_m": _range(-face.inside_m(ends[:, :2])),
        "height_above_floor_m": round(float(middle[2]) - floor_m, 3),
        "height_range_m": _range(float(z) - floor_m for z in ends[:, 2]),
        "from_wall_end": {
            "end": end_name,
            "distance_m": round(at if from_start else face.length_m - at, 3),
            "distance_range_m": _range(distances),
        },
        "wall_length_m": round(face.length_m, 3),
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


def _position(
    run: Any,
    room: _RoomShape,
    faces: Sequence[WallFace],
    neighbours: Sequence[tuple[str, Any]],
    compass: Compass,
) -> dict[str, Any]:
    axis = np.asarray(json.loads(run.axis_json), dtype=float)
    region, low, high = room.region(run.where)
    pieces = spatial.axis_inside(axis, region, low, high)
    service: dict[str, Any] = {
        "from_m": None,
        "to_m": None,
        "position": None,
    }
    if not pieces:
        return service
    service["from_m"] = [round(float(v), 3) for v in pieces[0][0]]
    service["to_m"] = [round(float(v), 3) for v in pieces[-1][1]]
    if run.where == "wall":
        service["position"] = _wall_position(
            pieces, room.floor_m, faces, room.code, neighbours, compass
        )
    else:
        service["position"] = _slab_position(pieces, room.floor_m, faces)
    return service


def _answers(
    conn: Connection, rows: Sequence[Any], where: tuple[str, ...], site_code: str
) -> dict[str, dict[str, Any]]:
    """The hidden services of each room in `rows`, keyed by room code."""
    codes = [row.room_code for row in rows]
    storeys = sorted({row.storey_code for row in rows})
    neighbours: dict[str, list[tuple[str, Any]]] = defaultdict(list)
    for other in conn.execute(
        select(t.rooms.c.room_code, t.rooms.c.storey_code, t.rooms.c.footprint_wkb).where(
            t.rooms.c.storey_code.in_(storeys),
            t.rooms.c.status == "active",
            t.rooms.c.footprint_wkb.is_not(None),
        )
    ):
        neighbours[other.storey_code].append(
            (other.room_code, shapely.from_wkb(other.footprint_wkb))
        )
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
    systems: dict[str, list[str]] = defaultdict(list)
    for chunk in range(0, len(element_ids), 500):
        for element, name in conn.execute(
            select(t.element_systems.c.element_id, t.systems.c.name)
            .join(t.systems, t.systems.c.system_id == t.element_systems.c.system_id)
            .where(t.element_systems.c.element_id.in_(element_ids[chunk : chunk + 500]))
        ):
            systems[element].append(name)
    north = conn.execute(
        select(t.sites.c.true_north_deg).where(t.sites.c.site_code == site_code)
    ).scalar()
    compass = Compass(None if north is None else float(north))
    searched = model_files(conn, site_code, segment_files(conn, site_code))
    order = {name: index for index, name in enumerate(WHERE_CHOICES)}
    answers = {}
    for row in rows:
        room = _shape(row)
        faces = room_walls(room.footprint, compass) if room else []
        services = []
        for run in sorted(runs[row.room_code], key=lambda r: (order[r.where], r.element_id)):
            service = {
                "element_id": run.element_id,
                "kind": run.kind,
                "system": ", ".join(sorted(systems.get(run.element_id, []))) or None,
                "medium": run.medium,
                "outer_diameter_m": None
                if run.outer_diameter_m is None
                else round(run.outer_diameter_m, 4),
                "where": run.where,
                "length_m": round(run.length_m, 2),
                "global_id": run.global_id,
                "source_file": run.source_file,
            }
            if room is not None:
                service.update(_position(run, room, faces, neighbours[row.storey_code], compass))
            else:
                service.update({"from_m": None, "to_m": None, "position": None})
            services.append(service)
        answers[row.room_code] = {
            "room_code": row.room_code,
            "where": list(where),
            "floor_elevation_m": None if room is None else round(room.floor_m, 3),
            "finish_ceiling_m": None if room is None else round(room.ceiling_m, 3),
            "void_top_m": None if room is None else round(room.void_top_m, 3),
            "compass": compass.describe(),
            "walls": [
                {
                    "wall": face.direction,
                    "length_m": round(face.length_m, 3),
                    "from_m": [round(float(v), 3) for v in face.start],
                    "to_m": [round(float(v), 3) for v in face.end],
                }
                for face in faces
            ],
            "services": services,
            "models": searched,
            "notice": AS_DESIGNED,
        }
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
