"""Sites on one map: positions, unplaced sites, and their key figures."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import insert, select

from tests.campus_stores import copy_store
from tests.conftest import SHARED_IFC
from twin.geo.sites import map_sites, site_summaries
from twin.importer import import_models
from twin.manifest import load_manifest
from twin.rooms import list_rooms, set_room
from twin.store import open_store
from twin.store import schema as t


def test_placed_and_unplaced_sites(georef_db: Path) -> None:
    engine = open_store(str(georef_db))
    collection = map_sites(engine)
    by_code = {f["id"]: f for f in collection["features"]}
    assert sorted(by_code) == ["BA01", "DX01", "UT01"]
    assert [s["site_code"] for s in collection["unplaced"]] == ["EX01"]
    duplex = by_code["DX01"]
    assert duplex["geometry"]["type"] == "Point"
    assert duplex["geometry"]["coordinates"] == pytest.approx([-87.6394, 41.8744], abs=1e-4)
    assert duplex["properties"]["rooms"] == 21 and duplex["properties"]["has_3d"] is True
    assert duplex["properties"]["open_alarms"] is None  # no alarm ever recorded
    assert duplex["properties"]["vacancy"] is None  # no office has a department
    with engine.connect() as conn:
        warnings = list(conn.execute(select(t.import_warnings.c.message)).scalars())
    engine.dispose()
    assert any("EX01" in w and "local origin" in w for w in warnings)


def test_key_figures_follow_edits_and_alarms(sample_db: Path, tmp_path: Path) -> None:
    engine = open_store(str(copy_store(sample_db, tmp_path)))
    offices = [r["room_code"] for r in list_rooms(engine, usage="office")]
    assert len(offices) >= 6
    for code in offices[:3]:
        set_room(engine, code, {"department": "Finance"})
    # A room edited into an office counts as one, without a department.
    other = next(r for r in list_rooms(engine) if r["usage"] == "meeting")
    set_room(engine, other["room_code"], {"usage": "office"})
    alarm = {
        "rule": "temperature.high",
        "kind": "temperature",
        "severity": "warning",
        "message": "too warm",
        "raised_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "room_code": None,
        "building_code": None,
    }
    with engine.begin() as conn:
        conn.execute(
            insert(t.alarms),
            [
                {**alarm, "sensor_id": "s1", "room_code": offices[0], "state": "raised"},
                {**alarm, "sensor_id": "s2", "building_code": "WZ01-B01", "state": "acknowledged"},
                {**alarm, "sensor_id": "s3", "room_code": offices[1], "state": "cleared"},
            ],
        )
    (site,) = site_summaries(engine)
    # Measured use on top: an allocated office that stands idle is vacant too.
    (measured,) = site_summaries(engine, {offices[0]: True, offices[5]: False})
    rooms = list_rooms(engine)
    engine.dispose()
    assert site["rooms"] == len(rooms)
    assert site["net_floor_area_m2"] == pytest.approx(
        sum(r["net_floor_area_m2"] or 0 for r in rooms), abs=0.05
    )
    office_count = len(offices) + 1
    assert site["vacancy"] == pytest.approx(1 - 3 / office_count, abs=1e-4)
    assert measured["vacancy"] == pytest.approx(1 - 2 / office_count, abs=1e-4)
    assert site["open_alarms"] == 2
    assert site["has_3d"] is True
    assert (site["longitude_deg"], site["latitude_deg"]) == pytest.approx((120.7, 28.0), abs=1e-7)
    assert site["epsg"] == 4549 and site["placed_by"] == "map_conversion"
    assert json.dumps(site)  # plain JSON values only


def test_manifest_places_a_model_without_georeference(tmp_path: Path) -> None:
    source = SHARED_IFC / "ExampleHOM_with_radiator.ifc"
    if not source.exists():
        pytest.skip(f"real IFC file not found: {source} (../shared/ifc)")
    manifest_path = tmp_path / "campus.toml"
    manifest_path.write_text(
        '[site]\ncode = "EX01"\n[site.georeference]\nlatitude = 28.01\nlongitude = 120.71\n',
        encoding="utf-8",
    )
    engine = open_store(str(tmp_path / "twin.db"))
    summary = import_models(engine, [source], manifest=load_manifest(manifest_path))
    (site,) = site_summaries(engine)
    engine.dispose()
    assert not any("local origin" in w for w in summary.warnings)
    assert site["placed_by"] == "manifest"
    assert (site["longitude_deg"], site["latitude_deg"]) == pytest.approx((120.71, 28.01), abs=1e-9)
