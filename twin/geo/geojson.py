"""One site's map layers as RFC 7946 GeoJSON: footprints, rooms, pipes, boundary.

Geometries are read as WKB (or axis polylines) in site metres, carried to WGS84 in
one vectorised pass (`shapely.transform` over every coordinate of the layer, one
pyproj call), rounded to 7 decimals (about a centimetre), oriented exterior
counter-clockwise, and written with GEOS's GeoJSON writer; only the properties go
through `json.dumps`. The text is returned ready to send.

>>> LAYERS
('footprints', 'rooms', 'pipes', 'boundary')
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import numpy as np
import shapely
from sqlalchemy import Connection, Engine, func, select

from models.errors import BadInput, UnknownStorey
from models.geometry import FloatArray
from models.services import ElementKind
from twin.geo.crs import SiteFrame
from twin.geo.footprints import footprints_of
from twin.geo.sites import COORDINATE_DIGITS, placed_frame, resolve_site
from twin.rooms import room_summaries
from twin.store import schema as t

__all__ = [
    "BOUNDARY_MARGIN_M",
    "LAYERS",
    "feature_collection",
    "site_boundary",
    "site_geojson",
    "to_wgs84",
]

LAYERS = ("footprints", "rooms", "pipes", "boundary")
BOUNDARY_MARGIN_M = 10.0


def to_wgs84(geometries: Sequence[Any] | Any, frame: SiteFrame) -> Any:
    """Geometries in site metres to WGS84 lon/lat, rounded, polygons counter-clockwise.

    `geometries` is one shapely geometry or an array of them; the same shape returns.
    """

    def move(points: FloatArray) -> FloatArray:
        return np.round(frame.to_lonlat(points), COORDINATE_DIGITS)

    moved = shapely.remove_repeated_points(shapely.transform(geometries, move))
    return shapely.orient_polygons(moved, exterior_cw=False)


def feature_collection(ids: Sequence[str], geometries: Any, properties: Sequence[Any]) -> str:
    """A FeatureCollection as JSON text from ids, WGS84 geometries and property dicts."""
    if not len(ids):
        return '{"type":"FeatureCollection","features":[]}'
    texts = shapely.to_geojson(np.asarray(geometries, dtype=object))
    features = [
        f'{{"type":"Feature","id":{json.dumps(i)},"geometry":{g},'
        f'"properties":{json.dumps(p, ensure_ascii=False)}}}'
        for i, g, p in zip(ids, texts, properties, strict=True)
    ]
    return '{"type":"FeatureCollection","features":[' + ",".join(features) + "]}"


def site_geojson(engine: Engine, site_code: str, layer: str, storey: str | None = None) -> str:
    """One layer of one site as GeoJSON text (see docs/geo-contract.md).

    Raises `UnknownCode` (closest codes) for an unknown site, `BadInput` for an
    unknown layer or a site that nothing places, `UnknownStorey` for a storey no
    building of the site has.
    """
    if layer not in LAYERS:
        raise BadInput(f"unknown layer {layer!r}; one of: {', '.join(LAYERS)}")
    with engine.connect() as conn:
        site = resolve_site(conn, site_code)
        frame = placed_frame(conn, site)
        buildings = conn.execute(
            select(t.buildings.c.building_code, t.buildings.c.name)
            .where(t.buildings.c.site_code == site.site_code)
            .order_by(t.buildings.c.building_code)
        ).all()
        codes = [b.building_code for b in buildings]
        if layer == "rooms":
            return _rooms(conn, frame, site.site_code, codes, storey)
        if layer == "pipes":
            return _pipes(conn, frame, site.site_code)
        footprints = footprints_of(conn, codes)
        if layer == "boundary":
            return _boundary(frame, footprints)
        return _footprints(conn, frame, buildings, footprints)


def _rooms(
    conn: Connection, frame: SiteFrame, site_code: str, buildings: list[str], storey: str | None
) -> str:
    query = (
        select(t.rooms)
        .where(
            t.rooms.c.building_code.in_(buildings),
            t.rooms.c.status == "active",
            t.rooms.c.footprint_wkb.is_not(None),
        )
        .order_by(t.rooms.c.room_code)
    )
    if storey:
        storey_codes = _storey_codes(conn, site_code, buildings, storey)
        query = query.where(t.rooms.c.storey_code.in_(storey_codes))
    rows = conn.execute(query).all()
    summaries = room_summaries(conn, rows)
    geometries = to_wgs84(shapely.from_wkb([row.footprint_wkb for row in rows]), frame)
    return feature_collection([row.room_code for row in rows], geometries, summaries)


def _storey_codes(conn: Connection, site_code: str, buildings: list[str], storey: str) -> list[str]:
    wanted = storey.strip().upper()
    known = conn.execute(
        select(t.storeys.c.storey_code, t.storeys.c.code).where(
            t.storeys.c.building_code.in_(buildings)
        )
    ).all()
    matches = [row.storey_code for row in known if wanted in (row.storey_code, row.code)]
    if not matches:
        names = sorted({row.code for row in known})
        raise UnknownStorey(
            f"site {site_code} has no storey {storey!r}; it has {', '.join(names) or 'none'}"
        )
    return matches


def _footprints(
    conn: Connection, frame: SiteFrame, buildings: Sequence[Any], footprints: dict[str, Any]
) -> str:
    storeys: dict[str, int] = dict(
        conn.execute(
            select(t.storeys.c.building_code, func.count())
            .where(t.storeys.c.building_code.in_(list(footprints)))
            .group_by(t.storeys.c.building_code)
        ).all()
    )
    rooms = {
        row.building_code: (row.rooms, row.area)
        for row in conn.execute(
            select(
                t.rooms.c.building_code,
                func.count().label("rooms"),
                func.sum(t.rooms.c.net_floor_area_m2).label("area"),
            )
            .where(t.rooms.c.building_code.in_(list(footprints)), t.rooms.c.status == "active")
            .group_by(t.rooms.c.building_code)
        )
    }
    placed = [b for b in buildings if b.building_code in footprints]
    properties = []
    for building in placed:
        count, area = rooms.get(building.building_code, (0, None))
        properties.append(
            {
                "building_code": building.building_code,
                "name": building.name,
                "storeys": storeys.get(building.building_code, 0),
                "rooms": count,
                "net_floor_area_m2": round(area or 0.0, 2),
            }
        )
    geometries = to_wgs84(np.array([footprints[b.building_code] for b in placed]), frame)
    return feature_collection([b.building_code for b in placed], geometries, properties)


def site_boundary(outlines: Sequence[Any]) -> Any:
    """The site's outline in site metres: the hull of `outlines` grown by the margin."""
    if not len(outlines):
        return None
    hull = shapely.convex_hull(shapely.union_all(list(outlines)))
    return shapely.buffer(hull, BOUNDARY_MARGIN_M, quad_segs=4)


def _boundary(frame: SiteFrame, footprints: dict[str, Any]) -> str:
    boundary = site_boundary(list(footprints.values()))
    if boundary is None:
        return feature_collection([], [], [])
    return feature_collection(
        ["boundary"],
        [to_wgs84(boundary, frame)],
        [{"source": "hull", "margin_m": BOUNDARY_MARGIN_M}],
    )


def _pipes(conn: Connection, frame: SiteFrame, site_code: str) -> str:
    rows = conn.execute(
        select(
            t.elements.c.element_id,
            t.elements.c.global_id,
            t.elements.c.medium,
            t.elements.c.outer_diameter_m,
            t.elements.c.axis_json,
        )
        .where(
            t.elements.c.site_code == site_code,
            t.elements.c.building_code.is_(None),
            t.elements.c.kind == ElementKind.PIPE_SEGMENT.value,
            t.elements.c.axis_json.is_not(None),
        )
        .order_by(t.elements.c.element_id)
    ).all()
    systems: dict[str, list[str]] = {}
    for element_id, name in conn.execute(
        select(t.element_systems.c.element_id, t.systems.c.name)
        .join(t.systems, t.systems.c.system_id == t.element_systems.c.system_id)
        .where(t.systems.c.site_code == site_code, t.systems.c.building_code.is_(None))
    ):
        systems.setdefault(element_id, []).append(name)
    ids, lines, properties = [], [], []
    for row in rows:
        axis = np.asarray(json.loads(row.axis_json), dtype=np.float64)
        if axis.ndim != 2 or len(axis) < 2:
            continue
        ids.append(row.element_id)
        lines.append(shapely.linestrings(axis[:, :2]))
        properties.append(
            {
                "element_id": row.element_id,
                "system": ", ".join(sorted(systems.get(row.element_id, []))) or None,
                "medium": row.medium,
                "outer_diameter_m": row.outer_diameter_m,
                "depth_m": round(-float(axis[:, 2].min()), 3) if axis.shape[1] > 2 else None,
                "source": "geojson" if row.global_id.startswith("geojson:") else "ifc",
            }
        )
    geometries = to_wgs84(np.array(lines, dtype=object), frame) if lines else []
    return feature_collection(ids, geometries, properties)
