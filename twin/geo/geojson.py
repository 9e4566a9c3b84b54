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

import functools
import json
from collections.abc import Sequence
from typing import Any

import numpy as np
import shapely
import shapely.affinity
from sqlalchemy import (
    Connection,
    Engine,
    Float,
    LargeBinary,
    String,
    and_,
    bindparam,
    case,
    cast,
    exc,
    func,
    insert,
    literal_column,
    or_,
    select,
)
from sqlalchemy.dialects.sqlite import dialect as sqlite_dialect

from models.errors import BadInput, UnknownStorey
from models.geometry import FloatArray
from models.services import ElementKind
from twin.geo.crs import SiteFrame, frame_for, georeference_of
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
    if layer in ("rooms", "footprints", "pipes") and engine.dialect.name == "sqlite":
        text = _layer_sqlite(engine, site_code, layer, storey)
        if text is not None:
            return text
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
    # SQLite stores answer through `_rooms_sqlite`; other stores build the fields here.
    rows = conn.execute(select(t.rooms).where(*where).order_by(t.rooms.c.room_code)).all()
    found = [
        (row.room_code, row.footprint_wkb, json.dumps(summary, ensure_ascii=False))
        for row, summary in zip(rows, room_summaries(conn, rows), strict=True)
    ]
    geometries = to_wgs84(shapely.from_wkb([wkb for _, wkb, _ in found]), frame)
    return _collection_text([code for code, _, _ in found], geometries, [p for _, _, p in found])


# The version of the geometry text kept in `map_geometry`: bump it when
# `to_wgs84` or the GeoJSON writing changes, so older rows are made again.
GEOMETRY_FORMAT = "v1"


def _layer_sqlite(engine: Engine, site_code: str, layer: str, storey: str | None) -> str | None:
    """The rooms, footprints or pipes layer on SQLite: one fixed query writes each feature.

    Each feature's WGS84 geometry text is kept in `map_geometry`, keyed by the
    site's frame and the exact bytes of its source (footprint WKB, axis JSON);
    SQLite joins it with the properties (local edits applied) into the feature
    text, so a request costs the query. Features without a current geometry row
    are carried to WGS84 here and their rows written for the next request. None
    for footprints when a building of the site has no stored footprint (the
    general path computes it on the fly).
    """
    wanted = site_code.strip().upper()
    with engine.connect() as conn:
        raw = conn.connection.driver_connection
        assert raw is not None
        cursor = raw.execute(_SITE_SQL, (wanted,))
        found = cursor.fetchone()
        if found is None:
            resolve_site(conn, site_code)  # raises UnknownCode with the closest codes
        site = dict(zip([column[0] for column in cursor.description], found, strict=True))
        frame = frame_for(georeference_of(site), site["placed_by"])
        if frame is None:
            placed_frame(conn, resolve_site(conn, wanted))  # raises BadInput
            raise AssertionError("unreachable")
        frame_key = f"{GEOMETRY_FORMAT} {frame!r}"
        if layer == "footprints":
            (unstored,) = raw.execute(_UNSTORED_FOOTPRINTS_SQL, (wanted,)).fetchone()
            if unstored:
                return None
            sql, fixed = _footprints_query()
            params = {**fixed, "site": wanted, "frame": frame_key}
        elif layer == "pipes":
            sql, fixed = _pipes_query()
            params = {**fixed, "site": wanted, "frame": frame_key}
        else:
            storeys = None
            if storey:
                buildings = [
                    code
                    for (code,) in raw.execute(
                        "SELECT building_code FROM buildings WHERE site_code = ?", (wanted,)
                    )
                ]
                storeys = json.dumps(_storey_codes(conn, wanted, buildings, storey))
            sql, fixed = _rooms_query()
            params = {
                **fixed,
                "site": wanted,
                "lo": f"{wanted}-",
                "hi": f"{wanted}.",
                "frame": frame_key,
                "storeys": storeys,
                "standing": _site_standing(conn, raw, wanted),
            }
        rows = raw.execute(sql, params).fetchall()
    missing = [
        (code, wkb, properties) for code, wkb, properties, feature in rows if feature is None
    ]
    made: dict[str, str] = {}
    if missing:
        if layer == "pipes":  # the source is the axis polyline's JSON
            sources = [
                shapely.linestrings(np.asarray(json.loads(axis), dtype=np.float64)[:, :2])
                for _, axis, _ in missing
            ]
        else:
            sources = list(shapely.from_wkb([wkb for _, wkb, _ in missing]))
        geometries = shapely.to_geojson(
            np.asarray(to_wgs84(np.array(sources, dtype=object), frame))
        )
        _keep_geometries(engine, frame_key, missing, geometries)
        for (code, _, properties), geometry in zip(missing, geometries, strict=True):
            made[code] = (
                f'{{"type":"Feature","id":"{code}","geometry":{geometry},'
                f'"properties":{properties}}}'
            )
    features = [made[code] if feature is None else feature for code, _, _, feature in rows]
    return '{"type":"FeatureCollection","features":[' + ",".join(features) + "]}"


_UNSTORED_FOOTPRINTS_SQL = """
SELECT count(*) FROM buildings b
WHERE b.site_code = ? AND NOT EXISTS
  (SELECT 1 FROM building_footprints f WHERE f.building_code = b.building_code)
"""


def _site_standing(conn: Connection, raw: Any, site_code: str) -> str | None:
    """The planning fields of the site's rooms as a JSON object by room code.

    None (every field null) unless the site has a standards level; then the fields
    come from `twin.rooms.room_summaries`, as the rooms list has them.
    """
    level = raw.execute(
        "SELECT level FROM planning_sites WHERE site_code = ?", (site_code,)
    ).fetchone()
    if level is None or level[0] is None:
        return None
    rows = conn.execute(
        select(t.rooms)
        .where(
            t.rooms.c.building_code.in_(
                select(t.buildings.c.building_code).where(t.buildings.c.site_code == site_code)
            ),
            t.rooms.c.status == "active",
        )
        .order_by(t.rooms.c.room_code)
    ).all()
    fields = ("area_standard", "occupants", "over_standard_m2")
    return json.dumps(
        {
            room["room_code"]: [room[field] for field in fields]
            for room in room_summaries(conn, rows)
            if any(room[field] is not None for field in fields)
        }
    )


_SITE_SQL = """
SELECT s.*, p.placed_by AS placed_by
FROM sites s LEFT JOIN site_placements p ON p.site_code = s.site_code
WHERE s.site_code = ?
"""


@functools.cache
def _rooms_query() -> tuple[str, dict[str, Any]]:
    """The rooms layer's SQL, compiled once, and the values of its constant parameters.

    Parameters: `site`, `lo`/`hi` (the range of its room codes), `frame` (the frame
    key of the kept geometries) and `storeys` (a JSON array of storey codes, or null
    for every storey). Each row: room code, then either the footprint WKB and the
    properties' JSON (no geometry kept: the caller makes it) or the feature's text.
    """
    r = t.rooms.c
    edits = _site_edits()
    standing = func.json_each(bindparam("standing", type_=String)).table_valued("key", "value")
    properties = _room_properties_json(
        bindparam("site", type_=String), edits.c.edits, standing.c.value
    )
    storeys = bindparam("storeys", type_=String)
    chosen = func.json_each(storeys).table_valued("value")
    query = (
        _feature_rows(r.room_code, r.footprint_wkb, properties)
        .select_from(
            t.rooms.outerjoin(edits, edits.c.room_code == r.room_code)
            .outerjoin(standing, standing.c.key == r.room_code)
            .outerjoin(t.map_geometry, _kept_geometry(r.room_code, r.footprint_wkb))
        )
        .where(
            # A range on the primary key (every room code of the site starts with
            # "SITE-"), so SQLite reads the site's rooms in order, not every room.
            r.room_code >= bindparam("lo", type_=String),
            r.room_code < bindparam("hi", type_=String),
            r.building_code.in_(
                select(t.buildings.c.building_code).where(
                    t.buildings.c.site_code == bindparam("site", type_=String)
                )
            ),
            r.status == "active",
            r.footprint_wkb.is_not(None),
            or_(storeys.is_(None), r.storey_code.in_(select(chosen.c.value))),
        )
        .order_by(r.room_code)
    )
    return _compiled(query)


def _compiled(query: Any) -> tuple[str, dict[str, Any]]:
    """SQLite SQL with named parameters, and the values of the constant ones."""
    compiled = query.compile(dialect=sqlite_dialect(paramstyle="named"))
    fixed = {key: value for key, value in compiled.params.items() if value is not None}
    return str(compiled), fixed


def _feature_rows(code: Any, source_wkb: Any, properties: Any) -> Any:
    """The select of (code, WKB, properties, feature text) rows over `map_geometry`.

    With a kept geometry (joined as `kept`) the feature's text is written whole
    and the WKB and properties are null; without, the feature is null.
    """
    kept = t.map_geometry.c
    absent = kept.geometry.is_(None)
    feature = (
        literal_column('\'{"type":"Feature","id":"\'')
        .concat(code)
        .concat(literal_column('\'","geometry":\''))
        .concat(kept.geometry)
        .concat(literal_column("',\"properties\":'"))
        .concat(properties)
        .concat(literal_column("'}'"))
    )
    return select(code, case((absent, source_wkb)), case((absent, properties)), feature)


def _kept_geometry(code: Any, source_wkb: Any) -> Any:
    kept = t.map_geometry.c
    return and_(
        kept.code == code,
        kept.frame_key == bindparam("frame", type_=String),
        kept.source_wkb == source_wkb,
    )


@functools.cache
def _footprints_query() -> tuple[str, dict[str, Any]]:
    """The footprints layer's SQL (parameters `site`, `frame`), as `_rooms_query`."""
    b, f, r, s = t.buildings.c, t.building_footprints.c, t.rooms.c, t.storeys.c
    storeys = (
        select(func.count())
        .where(
            # A range on the primary key: every storey code starts with "BUILDING-".
            s.storey_code >= b.building_code.concat("-"),
            s.storey_code < b.building_code.concat("."),
            s.building_code == b.building_code,
        )
        .scalar_subquery()
    )
    active = and_(r.building_code == b.building_code, r.status == "active")
    rooms = select(func.count()).where(active).scalar_subquery()
    area = (
        select(func.round(func.coalesce(func.sum(r.net_floor_area_m2), 0.0), 2))
        .where(active)
        .scalar_subquery()
    )
    properties = func.json_object(
        "building_code", b.building_code,
        "name", b.name,
        "storeys", storeys,
        "rooms", rooms,
        "net_floor_area_m2", area,
    )  # fmt: skip
    query = (
        _feature_rows(b.building_code, f.footprint_wkb, properties)
        .select_from(
            t.buildings.join(t.building_footprints, f.building_code == b.building_code).outerjoin(
                t.map_geometry, _kept_geometry(b.building_code, f.footprint_wkb)
            )
        )
        .where(b.site_code == bindparam("site", type_=String))
        .order_by(b.building_code)
    )
    return _compiled(query)


def _exact_number(value: Any) -> Any:
    """A REAL as a JSON number that reads back as the same double (SQLite's own JSON
    writes 15 digits; a measured value may need 17)."""
    short = func.printf("%!.15g", value)
    return case(
        (value.is_(None), None),
        (cast(short, Float) == value, func.json(short)),
        else_=func.json(func.printf("%!.17g", value)),
    )


@functools.cache
def _pipes_query() -> tuple[str, dict[str, Any]]:
    """The pipes layer's SQL (parameters `site`, `frame`), as `_rooms_query`.

    The source of a pipe's geometry is its axis JSON (as bytes); elements whose axis
    is not a list of at least two points are left out.
    """
    e, es, sy = t.elements.c, t.element_systems.c, t.systems.c
    names = (
        select(sy.name)
        .join(t.element_systems, es.system_id == sy.system_id)
        .where(es.element_id == e.element_id)
        .order_by(sy.name)
        .correlate(t.elements)
        .subquery()
    )
    system = select(func.group_concat(names.c.name, ", ")).scalar_subquery()
    point = func.json_each(e.axis_json).table_valued("value")
    depth = (
        select(func.round(-func.min(func.json_extract(point.c.value, "$[2]")), 3))
        .select_from(point)
        .scalar_subquery()
    )
    properties = func.json_object(
        "element_id", e.element_id,
        "system", system,
        "medium", e.medium,
        "outer_diameter_m", _exact_number(e.outer_diameter_m),
        "depth_m", depth,
        "source", case((func.substr(e.global_id, 1, 8) == "geojson:", "geojson"), else_="ifc"),
    )  # fmt: skip
    axis = cast(e.axis_json, LargeBinary)
    query = (
        _feature_rows(e.element_id, axis, properties)
        .select_from(t.elements.outerjoin(t.map_geometry, _kept_geometry(e.element_id, axis)))
        .where(
            e.site_code == bindparam("site", type_=String),
            e.building_code.is_(None),
            e.kind == ElementKind.PIPE_SEGMENT.value,
            e.axis_json.is_not(None),
            func.json_array_length(e.axis_json) >= 2,
            func.json_type(e.axis_json, "$[0]") == "array",
        )
        .order_by(e.element_id)
    )
    return _compiled(query)


def _keep_geometries(
    engine: Engine, frame_key: str, rooms: Sequence[tuple[str, bytes, str]], geometries: Any
) -> None:
    """Write the geometry rows; a store that cannot take the write now is left as is."""
    rows = [
        {"code": code, "frame_key": frame_key, "source_wkb": wkb, "geometry": geometry}
        for (code, wkb, _), geometry in zip(rooms, geometries, strict=True)
    ]
    try:
        with engine.begin() as conn:
            conn.execute(insert(t.map_geometry).prefix_with("OR REPLACE"), rows)
    except exc.OperationalError:
        pass  # read-only or busy: the next request makes them again


def _site_edits() -> Any:
    """Each room's local edits as one JSON object, for the rooms of one site.

    Bound parameters `lo` and `hi`: the range of the site's room codes.
    """
    edits = t.room_edits
    lo, hi = bindparam("lo", type_=String), bindparam("hi", type_=String)
    return (
        select(
            edits.c.room_code,
            func.json_group_object(edits.c.field, func.json(edits.c.value)).label("edits"),
        )
        # A range on the primary key: every room code of the site starts with "SITE-".
        .where(edits.c.room_code >= lo, edits.c.room_code < hi)
        .group_by(edits.c.room_code)
        .subquery("site_edits")
    )


def _room_properties_json(site_code: Any, edits: Any, standing: Any) -> Any:
    """`json_object` of the fields `twin.rooms.list_rooms` gives, local edits applied.

    `standing` is a JSON array `[area_standard, occupants, over_standard_m2]` (or null).
    """
    r = t.rooms.c

    def edited(field: str, model: Any) -> Any:
        path = f"$.{field}"
        return case(
            (func.json_type(edits, path).is_not(None), func.json_extract(edits, path)),
            else_=model,
        )

    return func.json_object(
        "room_code", r.room_code,
        "site_code", site_code,
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
        "area_standard", func.json_extract(standing, "$[0]"),
        "occupants", func.json_extract(standing, "$[1]"),
        "over_standard_m2", func.json_extract(standing, "$[2]"),
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
