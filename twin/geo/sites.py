"""Sites on one map: where each site is, and its key figures.

`site_summaries` reads every site with its position (WGS84 and its grid), buildings,
rooms, net floor area, vacancy, open alarms and whether 3D meshes exist, in a
handful of grouped queries whatever the number of sites; `map_sites` turns them
into the GeoJSON FeatureCollection the map page clusters.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from typing import Any

import numpy as np
from sqlalchemy import (
    Connection,
    Engine,
    Integer,
    and_,
    delete,
    func,
    insert,
    literal,
    select,
    type_coerce,
)

from models.codes import closest_codes
from models.errors import BadInput, UnknownCode
from twin.geo.crs import WGS84, SiteFrame, frame_for, georeference_of, transformer
from twin.store import schema as t

__all__ = [
    "OFFICE_USAGE",
    "OPEN_ALARM_STATES",
    "map_sites",
    "placed_frame",
    "record_placement",
    "resolve_site",
    "room_totals",
    "site_frame",
    "site_summaries",
]

OFFICE_USAGE = "office"
# The alarm states that are still open (layers.alarms.OPEN_STATES; twin may not import layers).
OPEN_ALARM_STATES = ("raised", "acknowledged")
COORDINATE_DIGITS = 7


def record_placement(conn: Connection, site_code: str, placed_by: str | None) -> None:
    """Remember that a site's georeference came from elsewhere than its models."""
    conn.execute(delete(t.site_placements).where(t.site_placements.c.site_code == site_code))
    if placed_by:
        conn.execute(insert(t.site_placements).values(site_code=site_code, placed_by=placed_by))


def resolve_site(conn: Connection, text: str) -> Any:
    """The `sites` row of a site code; `UnknownCode` with the closest codes otherwise."""
    wanted = text.strip().upper()
    row = conn.execute(select(t.sites).where(t.sites.c.site_code == wanted)).first()
    if row is None:
        known = list(conn.execute(select(t.sites.c.site_code)).scalars())
        closest = closest_codes(wanted, known)
        hint = (
            f"; closest: {', '.join(closest)}" if closest else f"; sites: {', '.join(known[:10])}"
        )
        raise UnknownCode(f"unknown site {text!r}{hint}", closest)
    return row


def site_frame(conn: Connection, row: Any) -> SiteFrame | None:
    """The frame of a `sites` row, or None when nothing places the site."""
    placed_by = conn.execute(
        select(t.site_placements.c.placed_by).where(t.site_placements.c.site_code == row.site_code)
    ).scalar()
    return frame_for(georeference_of(row), placed_by)


def placed_frame(conn: Connection, row: Any) -> SiteFrame:
    """The frame of a site that must be on the map; `BadInput` when nothing places it."""
    frame = site_frame(conn, row)
    if frame is None:
        raise BadInput(
            f"site {row.site_code} has no georeference (no map conversion, no latitude/"
            "longitude); place it with [site.georeference] in the campus manifest and re-import"
        )
    return frame


def site_summaries(engine: Engine, idle: Mapping[str, bool] | None = None) -> list[dict[str, Any]]:
    """Every site in code order with its position and key figures (see docs/geo-contract.md).

    `idle` maps the room codes whose use was measured to whether they are idle
    (`layers.utilisation` knows); without it vacancy counts unallocated offices only.
    """
    with engine.connect() as conn:
        sites = conn.execute(select(t.sites).order_by(t.sites.c.site_code)).all()
        placements = dict(
            conn.execute(select(t.site_placements.c.site_code, t.site_placements.c.placed_by)).all()
        )
        buildings: dict[str, int] = dict(
            conn.execute(
                select(t.buildings.c.site_code, func.count()).group_by(t.buildings.c.site_code)
            ).all()
        )
        rooms = room_totals(conn, by_site=True)
        vacancy = _vacancy(conn, idle)
        alarms = _open_alarms(conn)
        with_meshes = set(
            conn.execute(
                select(t.buildings.c.site_code)
                .where(
                    t.buildings.c.building_code.in_(
                        select(t.meshes.c.building_code)
                        .where(t.meshes.c.building_code.is_not(None))
                        .distinct()
                    )
                )
                .distinct()
            ).scalars()
        )
    frames = [frame_for(georeference_of(row), placements.get(row.site_code)) for row in sites]
    origins = _origins_lonlat(frames)
    result = []
    for row, frame, origin in zip(sites, frames, origins, strict=True):
        lon = lat = None
        if origin is not None:
            lon, lat = (round(v, COORDINATE_DIGITS) for v in origin)
        count, area = rooms.get(row.site_code, (0, 0.0))
        result.append(
            {
                "site_code": row.site_code,
                "name": row.name,
                "longitude_deg": lon,
                "latitude_deg": lat,
                "epsg": row.epsg,
                "placed_by": frame.placed_by if frame else None,
                "buildings": buildings.get(row.site_code, 0),
                "rooms": count,
                "net_floor_area_m2": area,
                "vacancy": vacancy.get(row.site_code),
                "open_alarms": None if alarms is None else alarms.get(row.site_code, 0),
                "has_3d": row.site_code in with_meshes,
            }
        )
    return result


def _origins_lonlat(frames: list[SiteFrame | None]) -> list[tuple[float, float] | None]:
    """`SiteFrame.origin_lonlat` of every frame, one pyproj call per plane CRS."""
    found: list[tuple[float, float] | None] = [None] * len(frames)
    by_crs: dict[str, list[int]] = {}
    for n, frame in enumerate(frames):
        if frame is None:
            continue
        if frame.reference_lonlat is not None:
            found[n] = frame.reference_lonlat
        else:
            by_crs.setdefault(frame.crs, []).append(n)
    for crs, indexes in by_crs.items():
        chosen = [frames[n] for n in indexes]
        # The origin (0, 0) of a frame is its (origin_e, origin_n) on the plane.
        east = np.array([frame.origin_e for frame in chosen if frame is not None])
        north = np.array([frame.origin_n for frame in chosen if frame is not None])
        lon, lat = transformer(crs, WGS84).transform(east, north)
        for n, x, y in zip(indexes, np.atleast_1d(lon), np.atleast_1d(lat), strict=True):
            found[n] = (float(x), float(y))
    return found


def room_totals(
    conn: Connection, by_site: bool, building_codes: list[str] | None = None
) -> dict[str, tuple[int, float]]:
    """Active rooms and their net floor area (m², 2 decimals), per site or per building."""
    key = t.buildings.c.site_code if by_site else t.rooms.c.building_code
    query = (
        select(key, func.count(), func.sum(t.rooms.c.net_floor_area_m2))
        .join(t.buildings, t.buildings.c.building_code == t.rooms.c.building_code)
        .where(t.rooms.c.status == "active")
        .group_by(key)
    )
    if building_codes is not None:
        query = query.where(t.rooms.c.building_code.in_(building_codes))
    return {code: (count, round(area or 0.0, 2)) for code, count, area in conn.execute(query)}


def _vacancy(conn: Connection, idle: Mapping[str, bool] | None) -> dict[str, float | None]:
    """Share of active office rooms vacant, per site; None without such data.

    An office is vacant when the site has allocation data (some office has a
    department) and it has no department, or when `idle` (room code → idle, for
    rooms whose use was measured) says it is idle. Usage and department are read
    with local edits applied (an edit wins).
    """
    usage_edit = t.room_edits.alias("usage_edit")
    department_edit = t.room_edits.alias("department_edit")
    usage = func.coalesce(usage_edit.c.value, literal('"') + t.rooms.c.usage + literal('"'))
    has_department = and_(
        department_edit.c.value.is_not(None), department_edit.c.value.not_in(["null", '""'])
    )
    offices_of = (
        select(t.buildings.c.site_code, t.rooms.c.room_code, has_department.label("assigned"))
        .select_from(t.rooms)
        .join(t.buildings, t.buildings.c.building_code == t.rooms.c.building_code)
        .outerjoin(
            usage_edit,
            and_(usage_edit.c.room_code == t.rooms.c.room_code, usage_edit.c.field == "usage"),
        )
        .outerjoin(
            department_edit,
            and_(
                department_edit.c.room_code == t.rooms.c.room_code,
                department_edit.c.field == "department",
            ),
        )
        .where(t.rooms.c.status == "active", usage == json.dumps(OFFICE_USAGE))
    )
    if not idle:  # allocation only: counted per site by SQLite
        counted = offices_of.subquery()
        assigned = func.sum(type_coerce(counted.c.assigned, Integer))
        per_site = select(counted.c.site_code, func.count(), assigned).group_by(counted.c.site_code)
        return {
            site: round((offices - allocated) / offices, 4) if allocated else None
            for site, offices, allocated in conn.execute(per_site)
        }
    rows = conn.execute(offices_of).all()
    offices: dict[str, list[tuple[bool, bool | None]]] = {}
    for site_code, room_code, assigned in rows:
        offices.setdefault(site_code, []).append((bool(assigned), idle.get(room_code)))
    vacancy: dict[str, float | None] = {}
    for site, rooms in offices.items():
        allocated = any(assigned for assigned, _ in rooms)
        measured = any(is_idle is not None for _, is_idle in rooms)
        if not (allocated or measured):
            vacancy[site] = None
            continue
        vacant = sum((allocated and not assigned) or bool(is_idle) for assigned, is_idle in rooms)
        vacancy[site] = round(vacant / len(rooms), 4)
    return vacancy


def _open_alarms(conn: Connection) -> dict[str, int] | None:
    """Open alarms per site, or None when no alarm was ever recorded."""
    if conn.execute(select(func.count()).select_from(t.alarms)).scalar() == 0:
        return None
    counts: Counter[str] = Counter()
    for room_code, building_code, code in conn.execute(
        select(t.alarms.c.room_code, t.alarms.c.building_code, t.alarms.c.code).where(
            t.alarms.c.state.in_(OPEN_ALARM_STATES)
        )
    ):
        owner = room_code or building_code or code
        if owner:
            counts[str(owner).split("-")[0]] += 1
    return dict(counts)


MAP_PROPERTIES = (
    "site_code",
    "name",
    "epsg",
    "buildings",
    "rooms",
    "net_floor_area_m2",
    "vacancy",
    "open_alarms",
    "has_3d",
)


def map_sites(engine: Engine, idle: Mapping[str, bool] | None = None) -> dict[str, Any]:
    """Placed sites as a GeoJSON FeatureCollection of points; the rest under `unplaced`."""
    features = []
    unplaced = []
    for site in site_summaries(engine, idle):
        if site["longitude_deg"] is None:
            unplaced.append({"site_code": site["site_code"], "name": site["name"]})
            continue
        features.append(
            {
                "type": "Feature",
                "id": site["site_code"],
                "geometry": {
                    "type": "Point",
                    "coordinates": [site["longitude_deg"], site["latitude_deg"]],
                },
                "properties": {key: site[key] for key in MAP_PROPERTIES},
            }
        )
    return {"type": "FeatureCollection", "features": features, "unplaced": unplaced}
