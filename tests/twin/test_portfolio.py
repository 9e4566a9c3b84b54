"""The synthetic portfolio: what it writes into a real SQLite store, and what it refuses."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import shapely
from pyproj import Transformer
from sqlalchemy import func, select

from models.codes import RoomCode
from models.errors import BadInput
from twin.campus import sites as list_sites
from twin.geo.footprints import building_outline
from twin.geo.sites import map_sites
from twin.portfolio import PortfolioSummary, generate_portfolio, plan_portfolio
from twin.rooms import list_rooms
from twin.store import open_store
from twin.store import schema as t
from viewer.gltf import building_glb


@pytest.fixture(scope="module")
def portfolio(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, PortfolioSummary]:
    db = tmp_path_factory.mktemp("portfolio") / "twin.db"
    engine = open_store(str(db))
    summary = generate_portfolio(engine, sites=25, seed=7, full_3d=1)
    engine.dispose()
    return db, summary


def test_counts_match_the_store(portfolio: tuple[Path, PortfolioSummary]) -> None:
    db, summary = portfolio
    engine = open_store(str(db))
    with engine.connect() as conn:
        count = lambda table: conn.execute(select(func.count()).select_from(table)).scalar()  # noqa: E731
        assert count(t.sites) == summary.sites == 25
        assert count(t.buildings) == summary.buildings
        assert count(t.storeys) == summary.storeys
        assert count(t.rooms) == summary.rooms
    assert summary.full_3d_sites == ["PV0001"]
    assert sum(summary.counts_by_city.values()) == 25


def test_rooms_have_valid_codes_and_footprints_matching_their_area(
    portfolio: tuple[Path, PortfolioSummary],
) -> None:
    engine = open_store(str(portfolio[0]))
    with engine.connect() as conn:
        rows = conn.execute(
            select(t.rooms.c.room_code, t.rooms.c.footprint_wkb, t.rooms.c.net_floor_area_m2).where(
                t.rooms.c.source_file == "sample-portfolio"
            )
        ).all()
    assert len(rows) > 500
    for code, wkb, area in rows:
        assert str(RoomCode.parse(code)) == code
        footprint = shapely.from_wkb(wkb)
        assert footprint.is_valid and footprint.exterior.is_ccw
        assert footprint.area == pytest.approx(area, abs=0.01)
    # Rooms of one storey tile it without overlapping.
    storey = [shapely.from_wkb(w) for c, w, _ in rows if c.startswith("PV0002-B01-F01-")]
    union = shapely.union_all(storey)
    assert union.area == pytest.approx(sum(p.area for p in storey), rel=1e-9)


def test_every_site_is_placed_by_a_consistent_georeference(
    portfolio: tuple[Path, PortfolioSummary],
) -> None:
    engine = open_store(str(portfolio[0]))
    sites = list_sites(engine)
    assert all(site["buildings"] >= 1 for site in sites)
    for site in sites:
        # Zhejiang: every site lies in the province's box.
        assert 118.0 < site["longitude_deg"] < 123.0 and 27.0 < site["latitude_deg"] < 31.5
        to_wgs84 = Transformer.from_crs(site["epsg"], 4326, always_xy=True)
        lon, lat = to_wgs84.transform(site["eastings_m"], site["northings_m"])
        assert (lon, lat) == pytest.approx((site["longitude_deg"], site["latitude_deg"]), abs=1e-6)
        assert math.hypot(site["x_axis_abscissa"], site["x_axis_ordinate"]) == pytest.approx(1.0)
    full = next(site for site in sites if site["site_code"] == "PV0001")
    # The full-3D site was imported from the sample campus (at 120.70 E) and then moved.
    assert full["name"].startswith("Wenzhou ")
    assert full["buildings"] == 3


def test_full_3d_site_has_services_and_synthetic_buildings_draw(
    portfolio: tuple[Path, PortfolioSummary],
) -> None:
    engine = open_store(str(portfolio[0]))
    with engine.connect() as conn:
        pipes = conn.execute(
            select(func.count()).select_from(t.elements).where(t.elements.c.site_code == "PV0001")
        ).scalar()
    assert pipes and pipes > 100
    model = building_glb(engine, "PV0002-B01")
    assert model.rooms == len(list_rooms(engine, building="PV0002-B01"))
    assert model.triangles == 12 * model.rooms


def test_same_seed_gives_the_same_plan_and_another_seed_another() -> None:
    assert plan_portfolio(40, seed=3) == plan_portfolio(40, seed=3)
    assert plan_portfolio(40, seed=3) != plan_portfolio(40, seed=4)


def test_taken_codes_are_refused_and_nothing_changes(tmp_path: Path) -> None:
    engine = open_store(str(tmp_path / "twin.db"))
    generate_portfolio(engine, sites=3, seed=1, full_3d=0)
    before = list_rooms(engine)
    with pytest.raises(BadInput, match="already holds site PV0001"):
        generate_portfolio(engine, sites=5, seed=2, full_3d=0)
    assert list_rooms(engine) == before
    generate_portfolio(engine, sites=2, seed=2, full_3d=0, prefix="QA")
    assert len(list_sites(engine)) == 5


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"sites": 0}, "--sites must be 1 to 9999"),
        ({"sites": 3, "full_3d": 4}, "--full-3d must be 0 to 3"),
        ({"sites": 3, "prefix": "pv-"}, "--prefix"),
    ],
)
def test_bad_arguments_are_bad_input(arguments: dict[str, object], message: str) -> None:
    with pytest.raises(BadInput, match=message):
        plan_portfolio(**arguments)  # type: ignore[arg-type]


def test_building_footprints_and_vacancy_are_what_the_map_reads(
    portfolio: tuple[Path, PortfolioSummary],
) -> None:
    engine = open_store(str(portfolio[0]))
    with engine.connect() as conn:
        stored = dict(
            conn.execute(
                select(t.building_footprints.c.building_code, t.building_footprints.c.footprint_wkb)
            ).all()
        )
        assert len(stored) == portfolio[1].buildings  # generated ones, and the imported ones
        for code in ("PV0002-B01", "PV0003-B01"):
            outline = building_outline(conn, code)
            assert outline is not None
            assert shapely.from_wkb(stored[code]).equals(outline[0])
    features = {f["id"]: f["properties"] for f in map_sites(engine)["features"]}
    assert len(features) == 25
    for code in ("PV0002", "PV0003", "PV0004"):
        offices = [r for r in list_rooms(engine, usage="office") if r["site_code"] == code]
        unassigned = sum(1 for room in offices if room["department"] is None)
        assert features[code]["vacancy"] == pytest.approx(unassigned / len(offices), abs=1e-3)
    assert any(0 < p["vacancy"] < 0.5 for p in features.values() if p["vacancy"] is not None)
