"""One site's map layers: valid RFC 7946 GeoJSON, in the right place, with room fields."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import shapely
from pyproj import Transformer
from sqlalchemy import select

from models.errors import BadInput, UnknownCode, UnknownStorey
from twin.geo.geojson import site_geojson
from twin.rooms import list_rooms
from twin.store import open_store
from twin.store import schema as t

E0, N0 = 568854.272, 3098639.217  # the sample site origin in EPSG:4549 (no rotation)


def layer(db: Path, layer: str, site: str = "WZ01", storey: str | None = None) -> dict[str, Any]:
    engine = open_store(str(db))
    try:
        return json.loads(site_geojson(engine, site, layer, storey))
    finally:
        engine.dispose()


def rings(geometry: dict[str, Any]) -> list[tuple[list[list[float]], bool]]:
    """(ring, is_exterior) for every ring of a Polygon or MultiPolygon."""
    polygons = [geometry["coordinates"]]
    if geometry["type"] == "MultiPolygon":
        polygons = geometry["coordinates"]
    return [(ring, n == 0) for polygon in polygons for n, ring in enumerate(polygon)]


def assert_rfc7946(collection: dict[str, Any]) -> None:
    assert collection["type"] == "FeatureCollection"
    for feature in collection["features"]:
        assert feature["type"] == "Feature" and isinstance(feature["id"], str)
        geometry = feature["geometry"]
        coordinates = np.array(
            [p for ring, _ in rings(geometry) for p in ring]
            if "Polygon" in geometry["type"]
            else geometry["coordinates"],
            dtype=float,
        )
        assert np.all(np.abs(coordinates[:, 0]) <= 180) and np.all(np.abs(coordinates[:, 1]) <= 90)
        # 7 decimals at most (about a centimetre).
        assert np.allclose(coordinates, np.round(coordinates, 7), atol=1e-12, rtol=0)
        if "Polygon" in geometry["type"]:
            assert shapely.geometry.shape(geometry).is_valid
            for ring, exterior in rings(geometry):
                assert ring[0] == ring[-1] and len(ring) >= 4
                # RFC 7946 §3.1.6: exterior rings counter-clockwise, holes clockwise.
                assert shapely.LinearRing(ring).is_ccw == exterior


def test_rooms_carry_the_room_fields_and_land_on_the_grid(sample_db: Path) -> None:
    collection = layer(sample_db, "rooms")
    assert_rfc7946(collection)
    engine = open_store(str(sample_db))
    by_code = {r["room_code"]: r for r in list_rooms(engine)}
    with engine.connect() as conn:
        footprints = dict(
            conn.execute(
                select(t.rooms.c.room_code, t.rooms.c.footprint_wkb).where(
                    t.rooms.c.status == "active", t.rooms.c.footprint_wkb.is_not(None)
                )
            ).all()
        )
    engine.dispose()
    assert {f["id"] for f in collection["features"]} == set(footprints)
    to_wgs84 = Transformer.from_crs(4549, 4326, always_xy=True)
    for feature in collection["features"]:
        assert feature["properties"] == by_code[feature["id"]]
        # Independently: grid = origin + site metres, then pyproj to lon/lat.
        xy = np.asarray(shapely.from_wkb(footprints[feature["id"]]).exterior.coords)
        lon, lat = to_wgs84.transform(E0 + xy[:, 0], N0 + xy[:, 1])
        expected = shapely.Polygon(np.column_stack([lon, lat]))
        ours = shapely.geometry.shape(feature["geometry"])
        assert ours.symmetric_difference(expected).area < 0.02 * expected.area
        assert ours.centroid.distance(expected.centroid) < 2e-7


def test_storey_filter(sample_db: Path) -> None:
    engine = open_store(str(sample_db))
    expected = {r["room_code"] for r in list_rooms(engine, storey="F02")}
    engine.dispose()
    for storey in ("F02", "WZ01-B01-F02", "f02"):
        collection = layer(sample_db, "rooms", storey=storey)
        assert {f["id"] for f in collection["features"]} == expected
        assert {f["properties"]["storey"] for f in collection["features"]} == {"F02"}


def test_footprints_hold_their_rooms(sample_db: Path) -> None:
    footprints = layer(sample_db, "footprints")
    assert_rfc7946(footprints)
    (building,) = footprints["features"]
    assert building["id"] == "WZ01-B01"
    assert building["properties"]["storeys"] == 7 and building["properties"]["rooms"] > 100
    outline = shapely.geometry.shape(building["geometry"]).buffer(1e-7)
    rooms = [shapely.geometry.shape(f["geometry"]) for f in layer(sample_db, "rooms")["features"]]
    assert all(outline.contains(room.centroid) for room in rooms)
    boundary = layer(sample_db, "boundary")
    assert_rfc7946(boundary)
    (hull,) = boundary["features"]
    assert shapely.geometry.shape(hull["geometry"]).contains(outline)


def test_pipes_are_the_outdoor_network(sample_db: Path) -> None:
    collection = layer(sample_db, "pipes")
    assert_rfc7946(collection)
    assert collection["features"]
    engine = open_store(str(sample_db))
    with engine.connect() as conn:
        axes = dict(
            conn.execute(
                select(t.elements.c.element_id, t.elements.c.axis_json).where(
                    t.elements.c.building_code.is_(None), t.elements.c.kind == "pipe_segment"
                )
            ).all()
        )
    engine.dispose()
    assert {f["id"] for f in collection["features"]} == set(axes)
    for feature in collection["features"]:
        properties = feature["properties"]
        assert feature["geometry"]["type"] == "LineString"
        assert properties["source"] == "ifc" and properties["medium"]
        depth = -min(z for _, _, z in json.loads(axes[feature["id"]]))
        assert properties["depth_m"] == pytest.approx(depth, abs=1e-3) and depth > 0


def test_bad_requests(sample_db: Path, georef_db: Path) -> None:
    with pytest.raises(UnknownCode, match="WZ01") as unknown:
        layer(sample_db, "rooms", site="WZ02")
    assert unknown.value.closest == ["WZ01"]
    with pytest.raises(BadInput, match="unknown layer 'roofs'"):
        layer(sample_db, "roofs")
    with pytest.raises(UnknownStorey, match="F09"):
        layer(sample_db, "rooms", storey="F09")
    with pytest.raises(BadInput, match="EX01 has no georeference"):
        layer(georef_db, "footprints", site="EX01")


def test_room_edits_show_in_the_layer(sample_db: Path, tmp_path: Path) -> None:
    from tests.campus_stores import copy_store
    from twin.rooms import set_room

    db = copy_store(sample_db, tmp_path)
    engine = open_store(str(db))
    first, second = (r["room_code"] for r in list_rooms(engine)[:2])
    set_room(engine, first, {"name": 'Registry "A" 登记处', "department": "Finance", "capacity": 4})
    set_room(engine, second, {"long_name": None, "usage": "storage"})
    by_code = {r["room_code"]: r for r in list_rooms(engine)}
    engine.dispose()
    features = {f["id"]: f["properties"] for f in layer(db, "rooms")["features"]}
    assert features[first] == by_code[first] and features[first]["capacity"] == 4
    assert features[second] == by_code[second] and features[second]["long_name"] is None
    assert features == by_code


def test_geometry_across_the_antimeridian_is_cut_there() -> None:
    from models.campus import Georeference
    from twin.geo.crs import frame_for
    from twin.geo.geojson import to_wgs84

    frame = frame_for(Georeference(latitude_deg=-17.0, longitude_deg=179.9995))
    assert frame is not None
    square = shapely.box(-100.0, -100.0, 100.0, 100.0)  # 200 m square round the origin
    near = shapely.box(-80.0, -10.0, -60.0, 10.0)  # wholly east of the line
    cut, kept = to_wgs84(np.array([square, near]), frame)
    assert isinstance(cut, shapely.MultiPolygon) and len(cut.geoms) == 2
    west, east = sorted(cut.geoms, key=lambda g: g.bounds[0])
    # 200 m at 17° S is about 0.0019° of longitude; the origin is 53 m short of 180°.
    assert west.bounds[0] == -180.0 and -180.0 < west.bounds[2] < -179.99
    assert east.bounds[2] == 180.0 and 179.99 < east.bounds[0] < 180.0
    assert west.area + east.area == pytest.approx(0.0019 * 0.0018, rel=0.1)
    collection = json.loads(
        '{"type":"FeatureCollection","features":[{"type":"Feature","id":"x","geometry":'
        + shapely.to_geojson(cut)
        + ',"properties":{}}]}'
    )
    assert_rfc7946(collection)
    assert isinstance(kept, shapely.Polygon) and kept.bounds[2] < 180.0


def test_planning_fields_come_as_the_rooms_list_has_them(tmp_path: Path) -> None:
    from tests.planning_stores import planned_store

    db = planned_store(tmp_path, buildings=1)
    engine = open_store(str(db))
    by_code = {r["room_code"]: r for r in list_rooms(engine)}
    engine.dispose()
    features = {f["id"]: f["properties"] for f in layer(db, "rooms")["features"]}
    assert features == {code: by_code[code] for code in features}
    assert any(p["area_standard"] is not None for p in features.values())
    assert any(p["occupants"] for p in features.values())


def kept_geometries(db: Path) -> dict[str, str]:
    engine = open_store(str(db))
    with engine.connect() as conn:
        rows = conn.execute(select(t.map_geometry.c.code, t.map_geometry.c.geometry)).all()
    engine.dispose()
    return dict(rows)


def test_kept_geometries_follow_the_footprints_and_the_site_frame(
    sample_db: Path, tmp_path: Path
) -> None:
    """The rooms' and buildings' WGS84 geometries are kept in the store; a moved
    footprint or a moved site makes them again, and the layers are what a fresh
    computation gives."""
    from tests.campus_stores import copy_store
    from twin.geo.crs import frame_for, georeference_of
    from twin.geo.geojson import to_wgs84

    db = copy_store(sample_db, tmp_path)
    first = layer(db, "rooms")
    footprints = layer(db, "footprints")
    kept = kept_geometries(db)
    expected_codes = {f["id"] for f in first["features"] + footprints["features"]}
    assert expected_codes <= set(kept)  # (pipes of other tests on this store too)
    assert layer(db, "rooms") == first  # now answered from the kept rows
    assert layer(db, "footprints") == footprints

    def expected(engine: Any, buildings: bool = False) -> dict[str, Any]:
        with engine.connect() as conn:
            site = conn.execute(select(t.sites).where(t.sites.c.site_code == "WZ01")).one()
            rows = conn.execute(
                select(t.building_footprints.c.building_code, t.building_footprints.c.footprint_wkb)
                if buildings
                else select(t.rooms.c.room_code, t.rooms.c.footprint_wkb).where(
                    t.rooms.c.status == "active", t.rooms.c.footprint_wkb.is_not(None)
                )
            ).all()
        frame = frame_for(georeference_of(site))
        assert frame is not None
        moved = to_wgs84(shapely.from_wkb([wkb for _, wkb in rows]), frame)
        return {
            code: json.loads(shapely.to_geojson(g))
            for (code, _), g in zip(rows, moved, strict=True)
        }

    engine = open_store(str(db))
    room = first["features"][0]["id"]
    with engine.begin() as conn:
        wkb = conn.execute(
            select(t.rooms.c.footprint_wkb).where(t.rooms.c.room_code == room)
        ).scalar_one()
        shifted = shapely.affinity.translate(shapely.from_wkb(wkb), xoff=25.0)
        conn.execute(
            t.rooms.update()
            .where(t.rooms.c.room_code == room)
            .values(footprint_wkb=shapely.to_wkb(shifted))
        )
    after_move = {f["id"]: f["geometry"] for f in layer(db, "rooms")["features"]}
    assert after_move[room] != first["features"][0]["geometry"]
    assert after_move == expected(engine)
    with engine.begin() as conn:
        conn.execute(
            t.sites.update()
            .where(t.sites.c.site_code == "WZ01")
            .values(eastings_m=t.sites.c.eastings_m + 500.0)
        )
    after_site = {f["id"]: f["geometry"] for f in layer(db, "rooms")["features"]}
    assert after_site == expected(engine)
    moved_buildings = {f["id"]: f["geometry"] for f in layer(db, "footprints")["features"]}
    assert moved_buildings == expected(engine, buildings=True)
    assert all(moved_buildings[f["id"]] != f["geometry"] for f in footprints["features"])
    assert all(after_site[code] != after_move[code] for code in after_site)
    engine.dispose()


def test_sqlite_layers_equal_the_general_path(sample_db: Path) -> None:
    """On SQLite the rooms, footprints and pipes layers are written by SQL; the general
    path (the one other stores take) gives the same features from the same rows."""
    from twin.geo import geojson
    from twin.geo.sites import placed_frame, resolve_site

    engine = open_store(str(sample_db))
    with engine.connect() as conn:
        site = resolve_site(conn, "WZ01")
        frame = placed_frame(conn, site)
        buildings = conn.execute(
            select(t.buildings.c.building_code, t.buildings.c.name)
            .where(t.buildings.c.site_code == "WZ01")
            .order_by(t.buildings.c.building_code)
        ).all()
        codes = [b.building_code for b in buildings]
        general = {
            "rooms": geojson._rooms(conn, frame, "WZ01", codes, None),
            "footprints": geojson._footprints(
                conn, frame, buildings, geojson.footprints_of(conn, codes)
            ),
            "pipes": geojson._pipes(conn, frame, "WZ01"),
        }
    for name, text in general.items():
        ours = json.loads(site_geojson(engine, "WZ01", name))
        assert ours["features"] and ours == json.loads(text), name
    systems = {f["properties"]["system"] for f in json.loads(general["pipes"])["features"]}
    assert systems - {None}  # the pipes' system names are compared too
    engine.dispose()
