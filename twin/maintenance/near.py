"""Which modelled services lie near a point or a drill path: a spatial index over segments.

One `SegmentIndex` per site holds every straight piece of every pipe, duct, cable
and tray axis as `(n, 3)` arrays, with a shapely `STRtree` over their plans. A query
asks the tree for the pieces whose plan lies within reach of the query's plan (a
point, or the drill path's plan), then measures the exact 3D distance from the
query to each candidate's axis and subtracts the service's radius. The index is
built once per store data version (`twin.store.data_version`) and reused.

Distances are between the query and the outside of the service (its axis distance
minus half its outer diameter, never below 0). The drill check never calls a
position safe: it lists what the model shows within clearance and says where the
model came from.
"""

from __future__ import annotations

import bisect
import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from sqlalchemy import Connection, Engine, select

from models.errors import BadInput, UnknownCode, UnknownStorey
from models.geometry import FloatArray
from twin.maintenance.provenance import (
    AS_DESIGNED,
    SEGMENT_KIND_NAMES,
    describe_service,
    model_files,
    segment_files,
    system_names,
)
from twin.rooms import lookup_room
from twin.store import data_version
from twin.store import schema as t

__all__ = [
    "DEFAULT_CLEARANCE_M",
    "DEFAULT_DEPTH_M",
    "NO_SERVICE",
    "SegmentIndex",
    "drill_check",
    "segment_distances",
    "segment_index",
    "services_near",
]

DEFAULT_CLEARANCE_M = 0.05
DEFAULT_DEPTH_M = 0.1
MAX_DEPTH_M = 5.0
MAX_RADIUS_M = 50.0
NO_SERVICE = "no modelled service within clearance"
ROOM_REACH_M = 0.5  # a drill point may lie this far outside the room's prism (in its walls)


def segment_distances(
    start: FloatArray, end: FloatArray, a: FloatArray, b: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Shortest 3D distance from the segment start→end to each segment a[i]→b[i].

    `start`, `end`: `(3,) float` (equal for a point); `a`, `b`: `(n, 3) float`.
    Returns the `(n,) float` distances and the `(n,) float` parameter along the
    query segment of each closest point (0 at `start`). Degenerate segments are
    points.

    >>> d, s = segment_distances(
    ...     np.zeros(3), np.zeros(3), np.array([[-1.0, 1.0, 0.0]]), np.array([[1.0, 1.0, 0.0]])
    ... )
    >>> float(d[0]), float(s[0])
    (1.0, 0.0)
    """
    d1 = end - start
    d2 = b - a
    r = start - a
    aa = float(d1 @ d1)
    ee = np.einsum("ij,ij->i", d2, d2)
    ff = np.einsum("ij,ij->i", d2, r)
    tiny = 1e-12
    safe_ee = np.where(ee > tiny, ee, 1.0)
    if aa <= tiny:  # a point: the closest point of each piece, fewer steps (hot path)
        tt = np.clip(ff / safe_ee, 0.0, 1.0)
        gap = a + tt[:, None] * d2 - start
        return np.sqrt(np.einsum("ij,ij->i", gap, gap)), np.zeros(len(a))
    else:
        cc = r @ d1
        bb = d2 @ d1
        denom = aa * ee - bb * bb
        s = np.where(
            denom > tiny, np.clip((bb * ff - cc * ee) / np.where(denom > tiny, denom, 1.0), 0, 1), 0
        )
        s = np.where(ee > tiny, s, np.clip(-cc / aa, 0.0, 1.0))
        tt = np.where(ee > tiny, (bb * s + ff) / safe_ee, 0.0)
        below, above = tt < 0.0, tt > 1.0
        s = np.where(below, np.clip(-cc / aa, 0.0, 1.0), s)
        s = np.where(above, np.clip((bb - cc) / aa, 0.0, 1.0), s)
        tt = np.clip(tt, 0.0, 1.0)
    closest_query = start + s[:, None] * d1
    closest_piece = a + tt[:, None] * d2
    return np.linalg.norm(closest_query - closest_piece, axis=1), s


@dataclass(frozen=True)
class SegmentIndex:
    """Every straight piece of the site's segment axes, with an STRtree over their plans.

    `starts`, `ends`: `(p, 3) float`; `piece_element`: `(p,) int` index into the
    per-element arrays `element_ids`, `radii_m` (half the outer diameter, 0 when
    unknown), `storeys` (storey code or None), `storey_numbers` (`(e,) int`, the
    storey's position in `storey_codes`, -1 for none) and `rows` (the element's
    fields). `storey_codes` lists every storey of the site, with or without segments.
    """

    site_code: str
    version: str
    starts: FloatArray
    ends: FloatArray
    piece_element: np.ndarray
    element_ids: list[str]
    radii_m: FloatArray
    storeys: np.ndarray
    storey_codes: list[str]
    storey_numbers: np.ndarray
    rows: list[dict[str, Any]]
    tree: shapely.STRtree
    max_radius_m: float

    @classmethod
    def build(cls, conn: Connection, site_code: str, version: str) -> SegmentIndex:
        rows = conn.execute(
            select(
                t.elements.c.element_id,
                t.elements.c.kind,
                t.elements.c.medium,
                t.elements.c.outer_diameter_m,
                t.elements.c.axis_json,
                t.elements.c.building_code,
                t.elements.c.storey_code,
                t.elements.c.source_file,
                t.elements.c.global_id,
            )
            .where(
                t.elements.c.site_code == site_code,
                t.elements.c.kind.in_(SEGMENT_KIND_NAMES),
                t.elements.c.axis_json.is_not(None),
            )
            .order_by(t.elements.c.element_id)
        ).all()
        systems = system_names(conn, t.systems.c.site_code == site_code)
        starts: list[FloatArray] = []
        ends: list[FloatArray] = []
        owner: list[int] = []
        for index, row in enumerate(rows):
            axis = np.asarray(json.loads(row.axis_json), dtype=float).reshape(-1, 3)
            if len(axis) == 1:
                axis = np.vstack([axis, axis])
            starts.append(axis[:-1])
            ends.append(axis[1:])
            owner.extend([index] * (len(axis) - 1))
        storey_codes = sorted(
            conn.execute(
                select(t.storeys.c.storey_code)
                .join(t.buildings, t.buildings.c.building_code == t.storeys.c.building_code)
                .where(t.buildings.c.site_code == site_code)
            ).scalars()
        )
        number_of = {code: number for number, code in enumerate(storey_codes)}
        start_array = np.vstack(starts) if starts else np.zeros((0, 3))
        end_array = np.vstack(ends) if ends else np.zeros((0, 3))
        radii = np.array([(row.outer_diameter_m or 0.0) / 2.0 for row in rows], dtype=float)
        return cls(
            site_code=site_code,
            version=version,
            starts=start_array,
            ends=end_array,
            piece_element=np.asarray(owner, dtype=np.int64),
            element_ids=[row.element_id for row in rows],
            radii_m=radii,
            storeys=np.array([row.storey_code for row in rows], dtype=object),
            storey_codes=storey_codes,
            storey_numbers=np.array(
                [number_of.get(row.storey_code, -1) for row in rows], dtype=np.int64
            ),
            rows=[
                {
                    **describe_service(row, systems),
                    "building_code": row.building_code,
                    "storey_code": row.storey_code,
                    "source_file": row.source_file,
                    "global_id": row.global_id,
                }
                for row in rows
            ],
            tree=shapely.STRtree(_plans(start_array, end_array)),
            max_radius_m=float(radii.max()) if len(radii) else 0.0,
        )

    def near_path(
        self,
        start: FloatArray,
        end: FloatArray,
        clearance_m: float,
        storey_code: str | None = None,
    ) -> list[dict[str, Any]]:
        """Services whose outside lies within `clearance_m` of the path start→end, nearest first.

        A point query passes `start == end`. Each result is the element's fields plus
        `distance_m` (to its outside), `axis_distance_m` and `along_m` (how far along
        the path the closest approach is).
        """
        # The box around the path's plan, grown by the reach, finds every piece whose plan
        # could be close enough; the exact 3D distance below decides. A box query tests
        # envelopes only, which is cheaper than a dwithin predicate on every candidate.
        reach = clearance_m + self.max_radius_m
        low = np.minimum(start[:2], end[:2]) - reach
        high = np.maximum(start[:2], end[:2]) + reach
        candidates = self.tree.query(shapely.box(low[0], low[1], high[0], high[1]))
        if storey_code is not None and len(candidates):
            wanted = self.storey_number(storey_code)
            candidates = candidates[self.storey_numbers[self.piece_element[candidates]] == wanted]
        if not len(candidates):
            return []
        distances, along = segment_distances(
            start, end, self.starts[candidates], self.ends[candidates]
        )
        owners = self.piece_element[candidates]
        outside = np.maximum(distances - self.radii_m[owners], 0.0)
        keep = outside <= clearance_m
        length = float(np.linalg.norm(end - start))
        return self.results(owners[keep], outside[keep], distances[keep], along[keep] * length)

    def results(
        self, owners: np.ndarray, outside: FloatArray, axis: FloatArray, along: FloatArray
    ) -> list[dict[str, Any]]:
        """One record per element, at its nearest piece, nearest first.

        `owners`: `(k,) int` element of each matched piece; `outside`, `axis`, `along`:
        `(k,) float` distance to the outside, to the axis, and along the query path.
        """
        seen: set[int] = set()
        found = []
        for i in np.lexsort((owners, outside)).tolist():
            owner = int(owners[i])
            if owner in seen:
                continue
            seen.add(owner)
            found.append(
                {
                    **self.rows[owner],
                    "distance_m": round(float(outside[i]), 4),
                    "axis_distance_m": round(float(axis[i]), 4),
                    "along_m": round(float(along[i]), 4),
                }
            )
        return found

    def storey_number(self, storey_code: str) -> int:
        """The storey's position in `storey_codes`; `UnknownStorey` when the site has none such."""
        wanted = storey_code.strip().upper()
        parts = wanted.split("-")
        if len(parts) != 3 or parts[0] != self.site_code:
            raise BadInput(f"storey must be written SITE-Bnn-STOREY, e.g. {self.site_code}-B01-F02")
        position = bisect.bisect_left(self.storey_codes, wanted)
        if position == len(self.storey_codes) or self.storey_codes[position] != wanted:
            building = f"{parts[0]}-{parts[1]}-"
            known = [c.split("-")[-1] for c in self.storey_codes if c.startswith(building)]
            raise UnknownStorey(
                f"building {parts[0]}-{parts[1]} has no storey {parts[2]!r}; "
                f"it has {', '.join(known) or 'none'}"
            )
        return position


def _plans(starts: FloatArray, ends: FloatArray) -> np.ndarray:
    """Plan geometry of each piece: a line, or a point for a vertical piece."""
    vertical = np.linalg.norm(ends[:, :2] - starts[:, :2], axis=1) < 1e-9
    plans = np.empty(len(starts), dtype=object)
    if (~vertical).any():
        plans[~vertical] = shapely.linestrings(
            np.stack([starts[~vertical, :2], ends[~vertical, :2]], axis=1)
        )
    if vertical.any():
        plans[vertical] = shapely.points(starts[vertical, :2])
    return plans


_cache: dict[tuple[str, str], SegmentIndex] = {}
_cache_lock = threading.Lock()


def segment_index(engine: Engine, site_code: str, version: str | None = None) -> SegmentIndex:
    """The site's index, rebuilt only when the store's data version has changed.

    `version` is the caller's reading of `data_version(engine)` when it has one
    (e.g. from a `ChangeWatch`); without it the store is asked.
    """
    version = version if version is not None else data_version(engine)
    key = (engine.url.render_as_string(hide_password=True), site_code)
    with _cache_lock:
        cached = _cache.get(key)
        if cached is not None and cached.version == version:
            return cached
    with engine.connect() as conn:
        index = SegmentIndex.build(conn, site_code, version)
    with _cache_lock:
        _cache[key] = index
    return index


def _site(engine: Engine, site: str | None) -> str:
    with engine.connect() as conn:
        query = select(t.sites.c.site_code).order_by(t.sites.c.site_code)
        known = list(conn.execute(query).scalars())
    if site is None:
        if len(known) == 1:
            return known[0]
        raise BadInput(f"coordinates are per site: give site (one of {', '.join(known) or 'none'})")
    wanted = site.strip().upper()
    if wanted not in known:
        raise UnknownCode(f"unknown site {site!r}; sites: {', '.join(known) or 'none'}", known)
    return wanted


def _point(values: Sequence[float], field: str) -> FloatArray:
    point = np.asarray(values, dtype=float)
    if point.shape != (3,) or not np.isfinite(point).all():
        raise BadInput(f"{field} must be three finite numbers x, y, z (m)")
    return point


def services_near(
    engine: Engine,
    point: Sequence[float],
    radius_m: float,
    site: str | None = None,
    storey: str | None = None,
    version: str | None = None,
) -> dict[str, Any]:
    """Every modelled service whose outside lies within `radius_m` of `point`, nearest first."""
    where = _point(point, "point")
    if not 0.0 <= radius_m <= MAX_RADIUS_M:
        raise BadInput(f"radius must be between 0 and {MAX_RADIUS_M:g} m, not {radius_m!r}")
    site_code = _site(engine, site)
    index = segment_index(engine, site_code, version)
    storey_code = None
    if storey is not None:
        storey_code = index.storey_codes[index.storey_number(storey)]
    return {
        "site_code": site_code,
        "point": [float(v) for v in where],
        "radius_m": radius_m,
        "storey_code": storey_code,
        "services": index.near_path(where, where, radius_m, storey_code),
    }


def drill_check(
    engine: Engine,
    room: str,
    point: Sequence[float],
    direction: Sequence[float],
    depth_m: float = DEFAULT_DEPTH_M,
    clearance_m: float = DEFAULT_CLEARANCE_M,
    version: str | None = None,
) -> dict[str, Any]:
    """Modelled services within clearance of a drill path, nearest first; never "safe".

    The path runs from `point` along `direction` for `depth_m`. A service is listed
    when its outside comes within `clearance_m` of the path (i.e. its axis within
    `clearance_m` + its radius). The answer names the model files searched, their
    import dates, and that positions are as designed, not as built.
    """
    start = _point(point, "point")
    heading = _point(direction, "direction")
    norm = float(np.linalg.norm(heading))
    if norm < 1e-9:
        raise BadInput("direction must not be the zero vector")
    if not 0.0 < depth_m <= MAX_DEPTH_M:
        raise BadInput(f"depth must be more than 0 and at most {MAX_DEPTH_M:g} m, not {depth_m!r}")
    if not 0.0 <= clearance_m <= 1.0:
        raise BadInput(f"clearance must be between 0 and 1 m, not {clearance_m!r}")
    with engine.connect() as conn:
        row = lookup_room(conn, room)
        site_code = row.room_code.split("-")[0]
        _check_point_in_room(row, start)
        searched = model_files(conn, site_code, segment_files(conn, site_code))
    unit = heading / norm
    end = start + unit * depth_m
    index = segment_index(engine, site_code, version)
    services = index.near_path(start, end, clearance_m)
    return {
        "room_code": row.room_code,
        "point": [float(v) for v in start],
        "direction": [round(float(v), 6) for v in unit],
        "depth_m": depth_m,
        "clearance_m": clearance_m,
        "services": services,
        "message": NO_SERVICE
        if not services
        else f"{len(services)} modelled service(s) within clearance",
        "models": searched,
        "notice": AS_DESIGNED,
    }


def _check_point_in_room(row: Any, point: FloatArray) -> None:
    """Refuse a drill point that is not in or on the room: coordinates from the wrong room."""
    if row.footprint_wkb is None or row.floor_elevation_m is None:
        return
    footprint = shapely.from_wkb(row.footprint_wkb)
    low = row.floor_bottom_m if row.floor_bottom_m is not None else row.floor_elevation_m - 0.25
    high = (
        row.void_top_m
        if row.void_top_m is not None
        else row.floor_elevation_m + (row.height_m or 0.0)
    )
    in_plan = shapely.distance(footprint, shapely.Point(point[:2])) <= ROOM_REACH_M
    if not in_plan or not low - ROOM_REACH_M <= point[2] <= high + ROOM_REACH_M:
        raise BadInput(
            f"point {[round(float(v), 3) for v in point]} is not in or on room {row.room_code}"
        )
