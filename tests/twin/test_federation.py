"""Files of one site carried into the site's frame through their georeferences."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from pyproj import CRS, Proj, Transformer
from sqlalchemy import select

from models.campus import Georeference
from twin.federation import site_transform

E0, N0 = 568854.272, 3098639.217  # the sample site origin in EPSG:4549


def test_same_georeference_needs_no_transform() -> None:
    georef = Georeference(epsg=4549, eastings_m=E0, northings_m=N0)
    assert site_transform(georef, georef) is None
    assert site_transform(Georeference(), georef) is None


def test_file_shifted_and_turned_in_the_same_grid_by_hand() -> None:
    site = Georeference(epsg=4549, eastings_m=E0, northings_m=N0)
    # The file's origin is 100 m east and 50 m north of the site's; its x axis points north.
    file = Georeference(
        epsg=4549,
        eastings_m=E0 + 100,
        northings_m=N0 + 50,
        x_axis_abscissa=0.0,
        x_axis_ordinate=1.0,
    )
    transform = site_transform(file, site)
    assert transform is not None
    moved = transform.apply(np.array([[60.0, 0.0, 3.0], [0.0, 60.0, 3.0]]))
    # File (60, 0) is 60 m north of its origin: site (100, 110); file (0, 60) is 60 m west.
    assert moved[0] == pytest.approx([100.0, 110.0, 3.0], abs=1e-6)
    assert moved[1] == pytest.approx([40.0, 50.0, 3.0], abs=1e-6)


def test_file_placed_by_latitude_longitude_joins_a_grid_site() -> None:
    site = Georeference(epsg=4549, eastings_m=E0, northings_m=N0, orthogonal_height_m=10.0)
    lon, lat = Transformer.from_crs(4549, 4326, always_xy=True).transform(E0 + 80, N0 - 60)
    file = Georeference(latitude_deg=lat, longitude_deg=lon, elevation_m=12.5)
    transform = site_transform(file, site)
    assert transform is not None
    origin = transform.apply(np.zeros((1, 3)))[0]
    assert origin == pytest.approx([80.0, -60.0, 2.5], abs=0.005)
    # The file's axes are true east/north; the grid's are turned by the meridian
    # convergence (about 0.33° here), which the transform must carry.
    factors = Proj(CRS.from_epsg(4549)).get_factors(lon, lat)
    angle = math.degrees(math.atan2(transform.rotation[1, 0], transform.rotation[0, 0]))
    assert abs(factors.meridian_convergence) > 0.3
    assert angle == pytest.approx(factors.meridian_convergence, abs=1e-3)
    # A ground metre is a little more than a grid metre 0.7° off the central meridian.
    assert np.linalg.det(transform.rotation) == pytest.approx(factors.areal_scale, abs=1e-7)


@pytest.fixture(scope="module")
def split_files(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """The sample's building B01 as an architecture file and a services file."""
    campus = pytest.importorskip("bim_import.sample.campus")
    folder = tmp_path_factory.mktemp("federation")
    files = campus.write_sample_campus(folder / "campus.ifc", buildings=1, seed=1, split=True)
    return sorted((f for f in files.ifc_files if ".B01." in f.name), key=lambda f: f.name)


def _axes(files: list[Path], folder: Path) -> dict[str, tuple[str, np.ndarray]]:
    from twin.importer import import_models
    from twin.store import open_store
    from twin.store import schema as t

    engine = open_store(str(folder / "twin.db"))
    import_models(engine, files, site_code="WZ01")
    with engine.connect() as conn:
        rows = conn.execute(
            select(t.elements.c.global_id, t.elements.c.source_file, t.elements.c.axis_json).where(
                t.elements.c.axis_json.is_not(None)
            )
        ).all()
    engine.dispose()
    return {gid: (source, np.array(json.loads(axis))) for gid, source, axis in rows}


def test_services_file_georeferenced_elsewhere_lands_by_its_map_conversion(
    split_files: list[Path], tmp_path: Path
) -> None:
    import ifcopenshell

    arch, mep = split_files
    assert arch.name.endswith("arch.ifc") and mep.name.endswith("mep.ifc")
    # The same services model, re-georeferenced: its origin 100 m east of the site's and
    # its x axis pointing north. Its coordinates are unchanged, so each point must land
    # at site (100 - y, x).
    model = ifcopenshell.open(str(mep))
    conversion = model.by_type("IfcMapConversion")[0]
    conversion.Eastings = conversion.Eastings + 100.0
    conversion.XAxisAbscissa, conversion.XAxisOrdinate = 0.0, 1.0
    moved = tmp_path / "moved" / mep.name
    moved.parent.mkdir()
    model.write(str(moved))
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    reference = _axes([arch, mep], tmp_path / "a")
    federated = _axes([arch, moved], tmp_path / "b")
    assert set(reference) == set(federated) and len(reference) > 100
    for gid, (source, axis) in reference.items():
        expected = axis
        if source == mep.name:
            expected = np.column_stack([100.0 - axis[:, 1], axis[:, 0], axis[:, 2]])
        np.testing.assert_allclose(federated[gid][1], expected, atol=2e-3, err_msg=gid)
    # Every element with an axis is a service of the moved file (the walls have none).
    assert {s for s, _ in reference.values()} == {mep.name}


def test_a_site_keeps_its_first_frame_when_a_later_file_brings_a_map_conversion(
    split_files: list[Path], tmp_path: Path
) -> None:
    import ifcopenshell

    from twin.geo.crs import georeference_of
    from twin.geo.geojson import site_geojson
    from twin.geo.sites import site_frame
    from twin.importer import import_models
    from twin.store import open_store
    from twin.store import schema as t

    arch, mep = split_files
    # The architecture file placed only by IfcSite latitude/longitude (no map conversion).
    model = ifcopenshell.open(str(arch))
    for entity in (*model.by_type("IfcMapConversion"), *model.by_type("IfcProjectedCRS")):
        model.remove(entity)
    lat_lon_only = tmp_path / "latlon" / arch.name
    lat_lon_only.parent.mkdir()
    model.write(str(lat_lon_only))

    def lonlat_of_axes(db: Path) -> dict[str, np.ndarray]:
        engine = open_store(str(db))
        with engine.connect() as conn:
            frame = site_frame(conn, conn.execute(select(t.sites)).one())
            rows = conn.execute(
                select(t.elements.c.global_id, t.elements.c.axis_json).where(
                    t.elements.c.axis_json.is_not(None)
                )
            ).all()
        engine.dispose()
        assert frame is not None
        return {gid: frame.to_lonlat(np.array(json.loads(axis))[:, :2]) for gid, axis in rows}

    engine = open_store(str(tmp_path / "twin.db"))
    import_models(engine, [lat_lon_only], site_code="WZ01")
    rooms_before = site_geojson(engine, "WZ01", "rooms")
    import_models(engine, [mep], site_code="WZ01")
    with engine.connect() as conn:
        georef = georeference_of(conn.execute(select(t.sites)).one())
    assert georef.eastings_m is None and georef.latitude_deg == pytest.approx(28.0)
    assert site_geojson(engine, "WZ01", "rooms") == rooms_before
    engine.dispose()
    # Every service lands where the reference import (both files on the grid) puts it.
    (tmp_path / "ref").mkdir()
    reference_engine = open_store(str(tmp_path / "ref" / "twin.db"))
    import_models(reference_engine, [arch, mep], site_code="WZ01")
    reference_engine.dispose()
    ours, reference = (
        lonlat_of_axes(tmp_path / "twin.db"),
        lonlat_of_axes(tmp_path / "ref" / "twin.db"),
    )
    assert set(ours) == set(reference) and len(ours) > 100
    for gid, points in reference.items():
        np.testing.assert_allclose(ours[gid], points, atol=1e-7, err_msg=gid)  # ~1 cm
