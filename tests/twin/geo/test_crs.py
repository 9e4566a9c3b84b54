"""Site frames on the earth, checked against numbers worked out by hand.

Every point is at least 50 m from its model's origin, so a unit (mm vs m) or a
Scale mistake moves it by metres or kilometres, far beyond the tolerances here.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from pyproj import Transformer
from sqlalchemy import select

from models.campus import Georeference
from tests.conftest import SHARED_IFC
from twin.geo.crs import SiteFrame, frame_for, georeference_of
from twin.geo.sites import site_frame
from twin.store import open_store
from twin.store import schema as t

# WGS84 ellipsoid, for the hand formulas of metres per degree.
A_M = 6378137.0
F = 1 / 298.257223563
E2 = F * (2 - F)


def metres_per_degree(lat_deg: float) -> tuple[float, float]:
    """(east, north) metres per degree of longitude and latitude at `lat_deg`."""
    phi = math.radians(lat_deg)
    w = math.sqrt(1 - E2 * math.sin(phi) ** 2)
    prime_vertical = A_M / w
    meridian = A_M * (1 - E2) / w**3
    return math.radians(1) * prime_vertical * math.cos(phi), math.radians(1) * meridian


def frame_of_site(db: Path, site_code: str) -> SiteFrame:
    engine = open_store(str(db))
    with engine.connect() as conn:
        row = conn.execute(select(t.sites).where(t.sites.c.site_code == site_code)).one()
        frame = site_frame(conn, row)
    engine.dispose()
    assert frame is not None
    return frame


def test_map_conversion_rotation_and_scale_by_hand() -> None:
    georef = Georeference(
        epsg=4549,
        eastings_m=568854.272,
        northings_m=3098639.217,
        x_axis_abscissa=0.8660254037844387,  # x axis 30° anticlockwise from grid east
        x_axis_ordinate=0.5,
        scale=0.9996,
    )
    frame = frame_for(georef)
    assert frame is not None and frame.placed_by == "map_conversion"
    # E = 568854.272 + 0.9996 * (120 cos30 - (-60) sin30) = 568854.272 + 0.9996 * 133.923048
    # N = 3098639.217 + 0.9996 * (120 sin30 + (-60) cos30) = 3098639.217 + 0.9996 * 8.038476
    grid = frame.to_projected(np.array([[120.0, -60.0]]))[0]
    assert grid == pytest.approx([568988.1414792, 3098647.2522604], abs=1e-6)
    lon, lat = frame.to_lonlat(np.array([[120.0, -60.0]]))[0]
    expected = Transformer.from_crs(4549, 4326, always_xy=True).transform(*grid)
    assert (lon, lat) == pytest.approx(expected, abs=1e-9)
    back = frame.from_lonlat(np.array([[lon, lat]]))[0]
    assert back == pytest.approx([120.0, -60.0], abs=1e-6)


def test_distances_scale_with_the_map_scale_only() -> None:
    for scale in (1.0, 0.9996):
        frame = frame_for(Georeference(epsg=32650, eastings_m=500000, northings_m=0, scale=scale))
        assert frame is not None
        a, b = frame.to_projected(np.array([[0.0, 0.0], [50.0, 0.0]]))
        assert float(np.linalg.norm(b - a)) == pytest.approx(50.0 * scale, abs=1e-9)


def test_reference_latitude_longitude_north_and_east_by_hand() -> None:
    frame = frame_for(Georeference(latitude_deg=28.0, longitude_deg=120.7))
    assert frame is not None and frame.placed_by == "lat_lon"
    east_m, north_m = metres_per_degree(28.0)
    north, east = frame.to_lonlat(np.array([[0.0, 100.0], [100.0, 0.0]]))
    assert north == pytest.approx([120.7, 28.0 + 100 / north_m], abs=1e-8)
    assert east == pytest.approx([120.7 + 100 / east_m, 28.0], abs=1e-8)


def test_true_north_turns_the_model() -> None:
    # TrueNorth along the model's -x (90° anticlockwise from +y): +y is east, +x south.
    frame = frame_for(Georeference(latitude_deg=28.0, longitude_deg=120.7, true_north_deg=90.0))
    assert frame is not None
    east_m, north_m = metres_per_degree(28.0)
    east, south = frame.to_lonlat(np.array([[0.0, 100.0], [100.0, 0.0]]))
    assert east == pytest.approx([120.7 + 100 / east_m, 28.0], abs=1e-8)
    assert south == pytest.approx([120.7, 28.0 - 100 / north_m], abs=1e-8)


def test_longitudes_across_the_antimeridian() -> None:
    frame = frame_for(Georeference(latitude_deg=-17.0, longitude_deg=179.9995))
    assert frame is not None
    east_m, _ = metres_per_degree(-17.0)
    lon, lat = frame.to_lonlat(np.array([[100.0, 0.0]]))[0]
    assert -180.0 <= lon <= 180.0
    assert lon == pytest.approx(179.9995 + 100 / east_m - 360.0, abs=1e-8)
    assert lat == pytest.approx(-17.0, abs=1e-8)
    assert frame.from_lonlat(np.array([[lon, lat]]))[0] == pytest.approx([100.0, 0.0], abs=1e-5)


def test_no_georeference_places_nothing() -> None:
    assert frame_for(Georeference()) is None
    # A map conversion without an EPSG code cannot be put on the earth by itself.
    assert frame_for(Georeference(eastings_m=1.0, northings_m=2.0)) is None


def test_georeference_of_a_row_fills_the_defaults() -> None:
    row: dict[str, float | None] = {key: None for key in Georeference.__dataclass_fields__}
    row.update(latitude_deg=1.5, longitude_deg=2.5)
    georef = georeference_of(row)
    assert (georef.scale, georef.x_axis_abscissa, georef.x_axis_ordinate) == (1.0, 1.0, 0.0)
    assert (georef.latitude_deg, georef.longitude_deg) == (1.5, 2.5)


def test_sample_site_is_at_120_70_e_28_00_n_in_epsg_4549(sample_db: Path) -> None:
    frame = frame_of_site(sample_db, "WZ01")
    assert frame.epsg == 4549
    lon, lat = frame.to_lonlat(np.zeros((1, 2)))[0]
    assert (lon, lat) == pytest.approx((120.70, 28.00), abs=1e-7)
    # No rotation, scale 1: grid = origin + (x, y); the origin from docs/sample-campus.md.
    grid = frame.to_projected(np.array([[100.0, 50.0]]))[0]
    assert grid == pytest.approx([568854.272 + 100.0, 3098639.217 + 50.0], abs=1e-6)


def _map_conversion(name: str) -> tuple[Any, Any]:
    import ifcopenshell

    path = SHARED_IFC / name
    if not path.exists():
        pytest.skip(f"real IFC file not found: {path} (../shared/ifc)")
    model = ifcopenshell.open(str(path))
    return model, model.by_type("IfcMapConversion")[0]


def test_building_architecture_map_conversion_in_millimetres(georef_db: Path) -> None:
    _model, conversion = _map_conversion("Building-Architecture.ifc")
    # The file's IfcProjectedCRS has MapUnit millimetre: eastings/northings are mm.
    e0, n0 = conversion.Eastings / 1000, conversion.Northings / 1000
    xa, xo = conversion.XAxisAbscissa, conversion.XAxisOrdinate
    assert (xa, xo) == pytest.approx((0.5, 0.8660254), abs=1e-6)  # 60° rotation
    frame = frame_of_site(georef_db, "BA01")
    assert frame.epsg == 32760
    # (50, 0) and (0, 80) m from the model origin, by hand:
    # E = e0 + 50*0.5, N = n0 + 50*0.866; E = e0 - 80*0.866, N = n0 + 80*0.5.
    grid = frame.to_projected(np.array([[50.0, 0.0], [0.0, 80.0]]))
    assert grid[0] == pytest.approx([e0 + 50 * xa, n0 + 50 * xo], abs=1e-6)
    assert grid[1] == pytest.approx([e0 - 80 * xo, n0 + 80 * xa], abs=1e-6)
    lon, lat = frame.to_lonlat(np.zeros((1, 2)))[0]
    expected = Transformer.from_crs(32760, 4326, always_xy=True).transform(e0, n0)
    assert (lon, lat) == pytest.approx(expected, abs=1e-9)
    assert 179.0 < lon < 180.0  # UTM zone 60 south, close to the antimeridian


def test_building_architecture_rooms_land_where_ifcopenshell_puts_them(georef_db: Path) -> None:
    import ifcopenshell.geom
    import ifcopenshell.util.geolocation as geolocation
    import shapely

    from twin.geo.geojson import site_geojson

    model, _conversion = _map_conversion("Building-Architecture.ifc")
    params = geolocation.get_helmert_transformation_parameters(model)
    settings = ifcopenshell.geom.settings()
    settings.set("use-world-coords", True)
    to_lonlat = Transformer.from_crs(32760, 4326, always_xy=True)
    expected = {}
    for space in model.by_type("IfcSpace"):
        shape = ifcopenshell.geom.create_shape(settings, space)
        verts = np.asarray(shape.geometry.verts).reshape(-1, 3)  # metres (the kernel's unit)
        # ifcopenshell's own map conversion works in project units (mm here).
        enh = np.array([geolocation.xyz2enh(x * 1000, y * 1000, 0.0, *params) for x, y, _ in verts])
        lon, lat = to_lonlat.transform(enh[:, 0] / 1000, enh[:, 1] / 1000)
        expected[space.GlobalId] = shapely.convex_hull(
            shapely.multipoints(np.column_stack([lon, lat]))
        )
    engine = open_store(str(georef_db))
    import json

    rooms = json.loads(site_geojson(engine, "BA01", "rooms"))["features"]
    with engine.connect() as conn:
        gids = dict(conn.execute(select(t.rooms.c.room_code, t.rooms.c.global_id)).all())
    engine.dispose()
    assert len(rooms) == len(expected) == 2
    for feature in rooms:
        ours = shapely.geometry.shape(feature["geometry"])
        theirs = expected[gids[feature["id"]]]
        # Same place to a few centimetres (1e-6° ≈ 0.11 m): a unit or rotation mistake
        # would put the room metres to kilometres away.
        assert ours.centroid.distance(theirs.centroid) < 5e-7
        assert ours.intersection(theirs).area / theirs.area > 0.9


def test_ifc4x3_utm_file_lands_on_its_own_reference_point(georef_db: Path) -> None:
    model, conversion = _map_conversion("geographic-referencing-utm.ifc")
    site = model.by_type("IfcSite")[0]
    ref_lat = (
        sum(v / 60**i for i, v in enumerate(site.RefLatitude[:3])) + site.RefLatitude[3] / 3.6e9
    )
    ref_lon = (
        sum(v / 60**i for i, v in enumerate(site.RefLongitude[:3])) + site.RefLongitude[3] / 3.6e9
    )
    frame = frame_of_site(georef_db, "UT01")
    lon, lat = frame.to_lonlat(np.zeros((1, 2)))[0]
    # The author wrote both the map conversion and the lat/lon: they agree to ~1 cm.
    assert (lon, lat) == pytest.approx((ref_lon, ref_lat), abs=2e-7)
    # Scale 1000 for a mm model on a metre map is read as the unit ratio (1 m = 1 m):
    # a point 50 m from the origin is 50 m away on the grid, not 50 km or 5 cm.
    e0, n0 = conversion.Eastings, conversion.Northings
    xa, xo = conversion.XAxisAbscissa, conversion.XAxisOrdinate
    norm = math.hypot(xa, xo)
    grid = frame.to_projected(np.array([[50.0, 0.0]]))[0]
    assert grid == pytest.approx([e0 + 50 * xa / norm, n0 + 50 * xo / norm], abs=1e-6)


def test_duplex_lat_lon_is_its_ifcsite_reference(georef_db: Path) -> None:
    import ifcopenshell

    path = SHARED_IFC / "duplex.ifc"
    site = ifcopenshell.open(str(path)).by_type("IfcSite")[0]
    lat = sum(v / 60**i for i, v in enumerate(site.RefLatitude[:3]))
    lon = sum(v / 60**i for i, v in enumerate(site.RefLongitude[:3]))
    if len(site.RefLatitude) > 3:
        lat += site.RefLatitude[3] / 3.6e9
        lon += site.RefLongitude[3] / 3.6e9
    frame = frame_of_site(georef_db, "DX01")
    assert frame.placed_by == "lat_lon"
    assert frame.to_lonlat(np.zeros((1, 2)))[0] == pytest.approx((lon, lat), abs=1e-9)
    assert (lon, lat) == pytest.approx((-87.6394, 41.8744), abs=1e-4)  # Chicago
