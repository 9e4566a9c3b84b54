"""One site as an IMDF 1.0 archive (OGC Community Standard 20-094): venue to openings.

The archive holds `manifest.json` and one FeatureCollection per feature type:
address, venue (the site), building, level (one per storey), unit (one per active
room with a footprint) and opening (one per door with a body on a storey). Ids are
UUID v5 of the twin's codes, so a second export gives the same ids. Units carry
the IMDF category their usage maps to; levels are stacked by their storey code
(F01 is ordinal 0, B1 is -1). Geometry is RFC 7946 WGS84, counter-clockwise.

>>> feature_id("unit", "WZ01-B01-F01-001H") == feature_id("unit", "WZ01-B01-F01-001H")
True
"""

from __future__ import annotations

import io
import json
import re
import uuid
import zipfile
from datetime import UTC, datetime
from typing import Any

import numpy as np
import shapely
from sqlalchemy import Engine, select

from models.services import ElementKind
from twin.geo.footprints import WALL_GAP_M, footprints_of
from twin.geo.geojson import BOUNDARY_MARGIN_M, site_boundary, to_wgs84
from twin.geo.sites import placed_frame, resolve_site
from twin.rooms import room_summaries
from twin.store import schema as t

__all__ = [
    "FEATURE_TYPES",
    "IMDF_VERSION",
    "UNIT_CATEGORY_BY_USAGE",
    "feature_id",
    "imdf_archive",
    "level_ordinal",
    "unit_category",
]

IMDF_VERSION = "1.0.0"
FEATURE_TYPES = ("address", "venue", "building", "level", "unit", "opening")
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:campus-twin:imdf")
# Our usage categories (bim_import/usage.toml) to IMDF UNIT-CATEGORY values.
UNIT_CATEGORY_BY_USAGE = {
    "office": "office",
    "meeting": "conferenceroom",
    "circulation": "walkway",
    "sanitary": "restroom",
    "pantry": "kitchen",
    "storage": "storage",
    "plant": "nonpublic",
    "it": "serverroom",
    "residential": "room",
}
_STAIRS = re.compile(r"stair|treppe|楼梯", re.IGNORECASE)


def feature_id(feature_type: str, code: str) -> str:
    """A stable FEATURE-ID: UUID v5 of the feature type and the twin's code."""
    return str(uuid.uuid5(NAMESPACE, f"{feature_type}:{code}"))


def unit_category(usage: str, name: str | None, long_name: str | None) -> str:
    """The IMDF unit category for a room of `usage` (stairs told apart by name)."""
    if usage == "circulation" and _STAIRS.search(f"{name or ''} {long_name or ''}"):
        return "stairs"
    return UNIT_CATEGORY_BY_USAGE.get(usage, "unspecified")


def level_ordinal(storey: str, top: int) -> int:
    """Stacking position of a storey code: F01 → 0, F03 → 2, B1 → -1, RF → above `top`.

    >>> [level_ordinal(code, 6) for code in ("F01", "F03", "B2", "RF")]
    [0, 2, -2, 7]
    """
    if storey.startswith("F") and storey[1:].isdigit():
        return int(storey[1:]) - 1
    if storey.startswith("B") and storey[1:].isdigit():
        return -int(storey[1:])
    return top + 1


def _feature(
    feature_type: str, code: str, geometry: Any, properties: dict[str, Any]
) -> dict[str, Any]:
    return {
        "id": feature_id(feature_type, code),
        "type": "Feature",
        "feature_type": feature_type,
        "geometry": None if geometry is None else json.loads(shapely.to_geojson(geometry)),
        "properties": properties,
    }


def _point(geometry: Any) -> dict[str, Any]:
    point = shapely.point_on_surface(geometry)
    return {"type": "Point", "coordinates": [round(point.x, 7), round(point.y, 7)]}


def imdf_archive(
    engine: Engine,
    site_code: str,
    language: str = "zh-CN",
    country: str = "CN",
    created: datetime | None = None,
) -> bytes:
    """The site's IMDF archive as zip bytes; the caller writes or sends them.

    Raises `UnknownCode` for an unknown site and `BadInput` for a site that nothing
    places on the earth.
    """
    with engine.connect() as conn:
        site = resolve_site(conn, site_code)
        frame = placed_frame(conn, site)
        buildings = conn.execute(
            select(t.buildings)
            .where(t.buildings.c.site_code == site.site_code)
            .order_by(t.buildings.c.building_code)
        ).all()
        codes = [b.building_code for b in buildings]
        storeys = conn.execute(
            select(t.storeys)
            .where(t.storeys.c.building_code.in_(codes))
            .order_by(t.storeys.c.storey_code)
        ).all()
        rooms = conn.execute(
            select(t.rooms)
            .where(
                t.rooms.c.building_code.in_(codes),
                t.rooms.c.status == "active",
                t.rooms.c.footprint_wkb.is_not(None),
            )
            .order_by(t.rooms.c.room_code)
        ).all()
        summaries = room_summaries(conn, rooms)
        doors = conn.execute(
            select(t.elements.c.element_id, t.elements.c.storey_code, t.meshes.c.vertices)
            .join(t.meshes, t.meshes.c.owner_id == t.elements.c.element_id)
            .where(
                t.elements.c.building_code.in_(codes),
                t.elements.c.kind == ElementKind.DOOR.value,
                t.elements.c.storey_code.is_not(None),
            )
            .order_by(t.elements.c.element_id)
        ).all()
        footprints = footprints_of(conn, codes)

    def labels(text: str) -> dict[str, str]:
        return {language: text}

    address_code = f"{site.site_code}-address"
    address = _feature(
        "address",
        address_code,
        None,
        {
            "address": site.long_name or site.name,
            "unit": None,
            "locality": site.name,
            "province": None,
            "country": country,
            "postal_code": None,
            "postal_code_ext": None,
            "postal_code_vanity": None,
        },
    )
    outlines = list(footprints.values()) or list(shapely.from_wkb([r.footprint_wkb for r in rooms]))
    venue_shape = site_boundary(outlines)
    if venue_shape is None:
        venue_shape = shapely.Point(0, 0).buffer(BOUNDARY_MARGIN_M, quad_segs=4)
    venue_geometry = to_wgs84(venue_shape, frame)
    venue = _feature(
        "venue",
        site.site_code,
        venue_geometry,
        {
            "category": "governmentfacility",
            "restriction": None,
            "name": labels(site.long_name or site.name),
            "alt_name": labels(site.site_code),
            "hours": None,
            "phone": None,
            "website": None,
            "display_point": _point(venue_geometry),
            "address_id": address["id"],
        },
    )
    building_features = []
    for building in buildings:
        outline = footprints.get(building.building_code)
        building_features.append(
            _feature(
                "building",
                building.building_code,
                None,
                {
                    "name": labels(building.long_name or building.name),
                    "alt_name": labels(building.building_code),
                    "category": "unspecified",
                    "restriction": None,
                    "display_point": _point(to_wgs84(outline, frame)) if outline else None,
                    "address_id": address["id"],
                },
            )
        )
    room_shapes = shapely.from_wkb([r.footprint_wkb for r in rooms]) if rooms else np.array([])
    by_storey: dict[str, list[int]] = {}
    for index, room in enumerate(rooms):
        by_storey.setdefault(room.storey_code, []).append(index)
    tops: dict[str, int] = {}
    for storey in storeys:
        if storey.code.startswith("F") and storey.code[1:].isdigit():
            tops[storey.building_code] = max(
                tops.get(storey.building_code, 0), int(storey.code[1:])
            )
    level_features = []
    level_ids: dict[str, str] = {}
    for storey in storeys:
        members = by_storey.get(storey.storey_code, [])
        if members:
            grown = shapely.buffer(room_shapes[members], WALL_GAP_M, join_style="mitre")
            shape = shapely.buffer(shapely.union_all(grown), -WALL_GAP_M, join_style="mitre")
        else:
            shape = footprints.get(storey.building_code)
        if shape is None or shape.is_empty:
            continue
        geometry = to_wgs84(shape, frame)
        feature = _feature(
            "level",
            storey.storey_code,
            geometry,
            {
                "category": "unspecified",
                "restriction": None,
                "outdoor": False,
                "ordinal": level_ordinal(storey.code, tops.get(storey.building_code, 1) - 1),
                "name": labels(storey.name or storey.code),
                "short_name": labels(storey.code),
                "display_point": _point(geometry),
                "address_id": None,
                "building_ids": [feature_id("building", storey.building_code)],
            },
        )
        level_ids[storey.storey_code] = feature["id"]
        level_features.append(feature)
    unit_features = []
    unit_geometries = to_wgs84(room_shapes, frame) if len(rooms) else []
    for room, summary, geometry in zip(rooms, summaries, unit_geometries, strict=True):
        if room.storey_code not in level_ids:
            continue
        unit_features.append(
            _feature(
                "unit",
                room.room_code,
                geometry,
                {
                    "category": unit_category(summary["usage"], summary["name"], room.long_name),
                    "restriction": None,
                    "accessibility": None,
                    "name": labels(summary["long_name"] or summary["name"]),
                    "alt_name": labels(room.room_code),
                    "level_id": level_ids[room.storey_code],
                    "display_point": _point(geometry),
                },
            )
        )
    opening_features = []
    for door in doors:
        if door.storey_code not in level_ids:
            continue
        line = _door_line(np.frombuffer(door.vertices, dtype="<f8").reshape(-1, 3)[:, :2])
        if line is None:
            continue
        opening_features.append(
            _feature(
                "opening",
                door.element_id,
                to_wgs84(line, frame),
                {
                    "category": "pedestrian",
                    "accessibility": None,
                    "access_control": None,
                    "door": None,
                    "name": None,
                    "alt_name": labels(door.element_id),
                    "display_point": None,
                    "level_id": level_ids[door.storey_code],
                },
            )
        )
    collections = {
        "address": [address],
        "venue": [venue],
        "building": building_features,
        "level": level_features,
        "unit": unit_features,
        "opening": opening_features,
    }
    manifest = {
        "version": IMDF_VERSION,
        "created": (created or datetime.now(UTC)).isoformat(timespec="seconds"),
        "generated_by": "campus-twin 0.1.0",
        "language": language,
        "extensions": None,
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", json.dumps(manifest, indent=2))
        for feature_type in FEATURE_TYPES:
            collection = {"type": "FeatureCollection", "features": collections[feature_type]}
            archive.writestr(f"{feature_type}.geojson", json.dumps(collection, ensure_ascii=False))
    return buffer.getvalue()


def _door_line(points: Any) -> shapely.LineString | None:
    """The door's width in plan: the mid-line of its plan rectangle along the long side."""
    if len(points) < 3:
        return None
    rectangle = shapely.oriented_envelope(shapely.multipoints(points))
    if not isinstance(rectangle, shapely.Polygon):
        return None
    corners = np.asarray(rectangle.exterior.coords)[:4]
    sides = np.linalg.norm(np.roll(corners, -1, axis=0) - corners, axis=1)
    long = int(np.argmax(sides))
    # The mid-line joins the midpoints of the two short sides.
    a = (corners[(long + 1) % 4] + corners[(long + 2) % 4]) / 2
    b = (corners[(long + 3) % 4] + corners[long % 4]) / 2
    if np.linalg.norm(a - b) < 0.1:
        return None
    return shapely.LineString([a, b])
