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
import shapely.affinity
from sqlalchemy import Connection, Engine, and_, case, func, literal, select

from models.errors import BadInput, UnknownStorey
from models.geometry import FloatArray
from models.services import ElementKind
from twin.geo.crs import SiteFrame
from twin.geo.footprints import footprints_of
from twin.geo.sites import COORDINATE_DIGITS, placed_frame, resolve_site, room_totals
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
    A geometry that crosses the antimeridian is cut there (RFC 7946 §3.1.9).
    """

    def move(points: FloatArray) -> FloatArray:
        return np.round(frame.to_lonlat(points), COORDINATE_DIGITS)

    moved = shapely.remove_repeated_points(shapely.transform(geometries, move))
    bounds = np.atleast_2d(shapely.bounds(moved))
    if np.any(bounds[:, 2] - bounds[:, 0] > 180.0):
        moved = np.vectorize(_cut_at_antimeridian, otypes=[object])(moved)
    return shapely.orient_polygons(moved, exterior_cw=False)


def _cut_at_antimeridian(geometry: Any) -> Any:
    """A geometry spanning more than 180° of longitude, made continuous and cut at ±180°.

    >>> line = shapely.LineString([(179.9, 1.0), (-179.9, 1.0)])
    >>> _cut_at_antimeridian(line).geoms[1].coords[0]
    (-180.0, 1.0)
    """
    xmin, _, xmax, _ = geometry.bounds
    if xmax - xmin <= 180.0:
        return geometry
    continuous = shapely.transform(
        geometry,
        lambda p: np.column_stack([np.where(p[:, 0] < 0, p[:, 0] + 360, p[:, 0]), p[:, 1]]),
    )
    east = shapely.intersection(continuous, shapely.box(-180.0, -90.0, 180.0, 90.0))
    west = shapely.affinity.translate(
        shapely.intersection(continuous, shapely.box(180.0, -90.0, 540.0, 90.0)), xoff=-360.0
    )
    parts = [part for part in (east, west) if not part.is_empty]
    if all(isinstance(part, shapely.LineString | shapely.MultiLineString) for part in parts):
        return shapely.MultiLineString(
            [line for part in parts for line in getattr(part, "geoms", [part])]
        )
    return shapely.MultiPolygon(
        [polygon for part in parts for polygon in getattr(part, "geoms", [part])]
    )


def feature_collection(ids: Sequence[str], geometries: Any, properties: Sequence[Any]) -> str:
    """A FeatureCollection as JSON text from ids, WGS84 geometries and property dicts."""
    texts = [json.dumps(p, ensure_ascii=False) for p in properties]
    return _collection_text(ids, geometries, texts)


def _collection_text(ids: Sequence[str], geometries: Any, properties: Sequence[str]) -> str:
    """The same from property JSON texts. Ids are twin codes: no character needs escaping."""
    if not len(ids):
        return '{"type":"FeatureCollection","features":[]}'
    texts = shapely.to_geojson(np.asarray(geometries, dtype=object))
    features = [
        f'{{"type":"Feature","id":"{i}","geometry":{g},"properties":{p}}}'
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
    where = [
        t.rooms.c.building_code.in_(buildings),
        t.rooms.c.status == "active",
        t.rooms.c.footprint_wkb.is_not(None),
    ]
    if storey:
        where.append(t.rooms.c.storey_code.in_(_storey_codes(conn, site_code, buildings, storey)))
    found: list[tuple[str, bytes, str]]
    if conn.dialect.name == "sqlite":
        # SQLite writes each room's properties as JSON in C; the rows never become
        # Python dicts. Other stores take the same fields through `room_summaries`.
        edits = _site_edits(site_code)
        properties = _room_properties_json(site_code, edits.c.edits)
        found = [
            (code, wkb, text)
            for code, wkb, text in conn.execute(
                select(t.rooms.c.room_code, t.rooms.c.footprint_wkb, properties)
                .select_from(t.rooms.outerjoin(edits, edits.c.room_code == t.rooms.c.room_code))
                .where(*where)
                .order_by(t.rooms.c.room_code)
            )
        ]
    else:
        rows = conn.execute(select(t.rooms).where(*where).order_by(t.rooms.c.room_code)).all()
        found = [
            (row.room_code, row.footprint_wkb, json.dumps(summary, ensure_ascii=False))
            for row, summary in zip(rows, room_summaries(conn, rows), strict=True)
        ]
    geometries = to_wgs84(shapely.from_wkb([wkb for _, wkb, _ in found]), frame)
    return _collection_text([code for code, _, _ in found], geometries, [p for _, _, p in found])


def _site_edits(site_code: str) -> Any:
    """Each room's local edits as one JSON object, for the rooms of one site."""
    edits = t.room_edits
    return (
        select(
            edits.c.room_code,
            func.json_group_object(edits.c.field, func.json(edits.c.value)).label("edits"),
        )
        # A range on the primary key: every room code of the site starts with "SITE-".
        .where(edits.c.room_code >= f"{site_code}-", edits.c.room_code < f"{site_code}.")
        .group_by(edits.c.room_code)
        .subquery("site_edits")
    )


def _room_properties_json(site_code: str, edits: Any) -> Any:
    """`json_object` of the fields `twin.rooms.list_rooms` gives, local edits applied."""
    r = t.rooms.c

    def edited(field: str, model: Any) -> Any:
        path = f"$.{field}"
        return case(
            (func.json_type(edits, path).is_not(None), func.json_extract(edits, path)),
            else_=model,
        )

    return func.json_object(
        "room_code", r.room_code,
        "site_code", literal(site_code),
        "building_code", r.building_code,
        "storey_code", r.storey_code,
        "storey", func.substr(r.storey_code, func.length(r.building_code) + 2),
        "name", edited("name", r.name),
        "long_name", edited("long_name", r.long_name),
        "usage", edited("usage", r.usage),
        "department", func.json_extract(edits, "$.department"),
        "capacity", func.json_extract(edits, "$.capacity"),
        "net_floor_area_m2", func.round(r.net_floor_area_m2, 2),
        "height_m", func.round(r.height_m, 2),
        "status", r.status,
    )  # fmt: skip


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
    rooms = room_totals(conn, by_site=False, building_codes=list(footprints))
    placed = [b for b in buildings if b.building_code in footprints]
    properties = []
    for building in placed:
        count, area = rooms.get(building.building_code, (0, 0.0))
        properties.append(
            {
                "building_code": building.building_code,
                "name": building.name,
                "storeys": storeys.get(building.building_code, 0),
                "rooms": count,
                "net_floor_area_m2": area,
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
    outdoor = and_(
        t.elements.c.site_code == site_code,
        t.elements.c.building_code.is_(None),
        t.elements.c.kind == ElementKind.PIPE_SEGMENT.value,
        t.elements.c.axis_json.is_not(None),
    )
    rows = conn.execute(
        select(
            t.elements.c.element_id,
            t.elements.c.global_id,
            t.elements.c.medium,
            t.elements.c.outer_diameter_m,
            t.elements.c.axis_json,
        )
        .where(outdoor)
        .order_by(t.elements.c.element_id)
    ).all()
    systems: dict[str, list[str]] = {}
    for element_id, name in conn.execute(
        select(t.element_systems.c.element_id, t.systems.c.name)
        .join(t.systems, t.systems.c.system_id == t.element_systems.c.system_id)
        .join(t.elements, t.elements.c.element_id == t.element_systems.c.element_id)
        .where(outdoor)
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
