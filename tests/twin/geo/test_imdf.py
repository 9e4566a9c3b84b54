"""The IMDF archive against the rules of IMDF 1.0 (OGC Community Standard 20-094).

No schema package for IMDF exists in the registries, so the rules are written out
here, each with the section of the standard it comes from
(https://docs.ogc.org/cs/20-094/<Section>/index.html).
"""

from __future__ import annotations

import io
import json
import uuid
import zipfile
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import shapely

from models.errors import BadInput, UnknownCode
from twin.geo.imdf import FEATURE_TYPES, imdf_archive
from twin.rooms import list_rooms
from twin.store import open_store

# Categories (20-094 "Categories"): the values this export may use.
VENUE_CATEGORIES = {"businesscampus", "governmentfacility", "university", "conventioncenter"}
BUILDING_CATEGORIES = {"parking", "transit", "transit.bus", "transit.train", "unspecified"}
LEVEL_CATEGORIES = {"parking", "transit", "unspecified"}
OPENING_CATEGORIES = {"automobile", "bicycle", "emergencyexit", "pedestrian", "service"}
UNIT_CATEGORIES = {
    "conferenceroom",
    "kitchen",
    "nonpublic",
    "office",
    "restroom",
    "room",
    "serverroom",
    "stairs",
    "storage",
    "unspecified",
    "walkway",
}


@pytest.fixture(scope="module")
def archive(sample_db: Path) -> dict[str, Any]:
    engine = open_store(str(sample_db))
    data = imdf_archive(engine, "WZ01")
    again = imdf_archive(engine, "wz01")
    rooms = list_rooms(engine)
    engine.dispose()
    with zipfile.ZipFile(io.BytesIO(data)) as zipped:
        files = {name: json.loads(zipped.read(name)) for name in zipped.namelist()}
    with zipfile.ZipFile(io.BytesIO(again)) as zipped:
        ids_again = sorted(
            f["id"]
            for name in zipped.namelist()
            if name != "manifest.json"
            for f in json.loads(zipped.read(name))["features"]
        )
    return {"files": files, "ids_again": ids_again, "rooms": rooms}


def features(archive: dict[str, Any], feature_type: str) -> list[dict[str, Any]]:
    return list(archive["files"][f"{feature_type}.geojson"]["features"])


def is_labels(value: Any) -> bool:
    """LABELS (20-094 "Reference", Types): an object of language tag → non-empty string."""
    return (
        isinstance(value, dict)
        and bool(value)
        and all(isinstance(k, str) and isinstance(v, str) and v for k, v in value.items())
    )


def is_display_point(value: Any) -> bool:
    """DISPLAY-POINT (20-094 "Reference", Types): a GeoJSON Point in lon/lat."""
    return (
        isinstance(value, dict)
        and value.get("type") == "Point"
        and -180 <= value["coordinates"][0] <= 180
        and -90 <= value["coordinates"][1] <= 90
    )


def assert_polygonal(geometry: dict[str, Any]) -> None:
    """POLYGONAL (20-094 "Reference"): Polygon or MultiPolygon per RFC 7946 — valid,
    closed rings, exterior counter-clockwise and holes clockwise (RFC 7946 §3.1.6)."""
    assert geometry["type"] in ("Polygon", "MultiPolygon")
    shape = shapely.geometry.shape(geometry)
    assert shape.is_valid and not shape.is_empty
    polygons = geometry["coordinates"]
    if geometry["type"] == "Polygon":
        polygons = [polygons]
    for polygon in polygons:
        for n, ring in enumerate(polygon):
            assert ring[0] == ring[-1]
            assert shapely.LinearRing(ring).is_ccw == (n == 0)
            assert all(-180 <= x <= 180 and -90 <= y <= 90 for x, y in ring)


def test_archive_and_manifest(archive: dict[str, Any]) -> None:
    files = archive["files"]
    # "Reference" → Archives: a manifest.json and one <feature_type>.geojson per type.
    assert set(files) == {"manifest.json"} | {f"{kind}.geojson" for kind in FEATURE_TYPES}
    manifest = files["manifest.json"]
    # "Manifest" → Object Structure: version "1.0.0", created DATE-TIME, language.
    assert manifest["version"] == "1.0.0"
    datetime.fromisoformat(manifest["created"])
    assert isinstance(manifest["language"], str) and manifest["language"]
    for kind in FEATURE_TYPES:
        assert files[f"{kind}.geojson"]["type"] == "FeatureCollection"


def test_every_feature_has_a_uuid_and_its_type(archive: dict[str, Any]) -> None:
    ids: Counter[str] = Counter()
    for kind in FEATURE_TYPES:
        for feature in features(archive, kind):
            # "Reference" → Features: RFC 7946 Feature with an "id" (FEATURE-ID, a UUID)
            # and a "feature_type" member.
            assert feature["type"] == "Feature"
            assert feature["feature_type"] == kind
            assert str(uuid.UUID(feature["id"])) == feature["id"]
            assert isinstance(feature["properties"], dict)
            ids[feature["id"]] += 1
    # FEATURE-ID: unique within the archive, and stable: uuid5 of the codes.
    assert max(ids.values()) == 1
    assert sorted(ids) == archive["ids_again"]


def test_address_and_venue(archive: dict[str, Any]) -> None:
    (address,) = features(archive, "address")
    # "Address": no geometry; locality and country (ISO 3166) are required.
    assert address["geometry"] is None
    assert address["properties"]["locality"] and len(address["properties"]["country"]) == 2
    (venue,) = features(archive, "venue")
    # "Venue": POLYGONAL geometry; category, name (LABELS), display_point and
    # address_id are required.
    assert_polygonal(venue["geometry"])
    properties = venue["properties"]
    assert properties["category"] in VENUE_CATEGORIES
    assert is_labels(properties["name"]) and is_display_point(properties["display_point"])
    assert properties["address_id"] == address["id"]
    point = shapely.geometry.shape(properties["display_point"])
    assert shapely.geometry.shape(venue["geometry"]).contains(point)


def test_buildings_levels_units_reference_each_other(archive: dict[str, Any]) -> None:
    buildings = {f["id"]: f for f in features(archive, "building")}
    levels = {f["id"]: f for f in features(archive, "level")}
    (address,) = features(archive, "address")
    for building in buildings.values():
        # "Building": geometry null; category; address_id null or an Address.
        assert building["geometry"] is None
        assert building["properties"]["category"] in BUILDING_CATEGORIES
        assert building["properties"]["address_id"] in (None, address["id"])
    assert len(buildings) == 1 and len(levels) == 7
    for level in levels.values():
        # "Level": POLYGONAL; category, outdoor (bool), ordinal (INTEGER), name and
        # short_name (LABELS) required; building_ids reference Building features.
        assert_polygonal(level["geometry"])
        properties = level["properties"]
        assert properties["category"] in LEVEL_CATEGORIES
        assert isinstance(properties["outdoor"], bool) and isinstance(properties["ordinal"], int)
        assert is_labels(properties["name"]) and is_labels(properties["short_name"])
        assert properties["building_ids"] and set(properties["building_ids"]) <= set(buildings)
    ordinals = sorted(level["properties"]["ordinal"] for level in levels.values())
    assert ordinals == list(range(7))  # F01..F07 stacked from 0
    units = features(archive, "unit")
    assert len(units) == len(archive["rooms"])
    for unit in units:
        # "Unit": POLYGONAL; category (UNIT-CATEGORY) and level_id (a Level) required.
        assert_polygonal(unit["geometry"])
        assert unit["properties"]["category"] in UNIT_CATEGORIES
        level = levels[unit["properties"]["level_id"]]
        # unit → level → building
        assert set(level["properties"]["building_ids"]) <= set(buildings)
        assert is_display_point(unit["properties"]["display_point"])
        # A unit lies on its level's floor area.
        level_shape = shapely.geometry.shape(level["geometry"]).buffer(1e-6)
        assert level_shape.contains(shapely.geometry.shape(unit["geometry"]).centroid)


def test_unit_categories_come_from_usage(archive: dict[str, Any]) -> None:
    usage = {room["room_code"]: room["usage"] for room in archive["rooms"]}
    mapping = {"office": "office", "sanitary": "restroom", "meeting": "conferenceroom"}
    seen = set()
    for unit in features(archive, "unit"):
        (code,) = unit["properties"]["alt_name"].values()
        if usage[code] in mapping:
            assert unit["properties"]["category"] == mapping[usage[code]]
            seen.add(usage[code])
    assert seen == set(mapping)


def test_openings_are_door_lines_on_levels(archive: dict[str, Any]) -> None:
    levels = {f["id"]: f for f in features(archive, "level")}
    openings = features(archive, "opening")
    assert openings
    for opening in openings:
        # "Opening": LINE-STRING geometry; category and level_id required.
        assert opening["geometry"]["type"] == "LineString"
        line = shapely.geometry.shape(opening["geometry"])
        assert line.length > 0
        assert opening["properties"]["category"] in OPENING_CATEGORIES
        level = levels[opening["properties"]["level_id"]]
        # The door sits on its level's outline (within a wall's thickness).
        assert shapely.geometry.shape(level["geometry"]).distance(line) < 5e-6


def test_bad_sites(sample_db: Path, georef_db: Path) -> None:
    engine = open_store(str(sample_db))
    with pytest.raises(UnknownCode, match="unknown site 'XX01'"):
        imdf_archive(engine, "XX01")
    engine.dispose()
    engine = open_store(str(georef_db))
    with pytest.raises(BadInput, match="no georeference"):
        imdf_archive(engine, "EX01")
    engine.dispose()
