"""`twin sites`, `twin export imdf`, `twin utilities import`, run as a user runs them."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from tests.processes import run_twin


def test_sites_json_and_table(duplex_db: Path) -> None:
    result = run_twin("sites", "--json", db=duplex_db)
    assert result.returncode == 0, result.stderr
    (site,) = json.loads(result.stdout)
    assert site["site_code"] == "DX01" and site["placed_by"] == "lat_lon"
    assert round(site["longitude_deg"], 4) == -87.6394 and round(site["latitude_deg"], 4) == 41.8744
    assert (site["buildings"], site["rooms"]) == (1, 21)
    table = run_twin("sites", db=duplex_db)
    assert table.returncode == 0 and "DX01" in table.stdout and "-87.639400" in table.stdout


def test_export_imdf(duplex_db: Path, tmp_path: Path) -> None:
    target = tmp_path / "dx01.zip"
    result = run_twin("export", "imdf", "DX01", str(target), "--language", "en", db=duplex_db)
    assert result.returncode == 0, result.stderr
    with zipfile.ZipFile(target) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        assert manifest["language"] == "en"
        assert len(json.loads(archive.read("unit.geojson"))["features"]) == 21
    missing = run_twin("export", "imdf", "DX9", str(tmp_path / "x.zip"), db=duplex_db)
    assert missing.returncode == 2
    assert missing.stderr.strip().startswith("error: unknown site 'DX9'")
    assert len(missing.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "x.zip").exists()


def test_utilities_import_bad_input(duplex_db: Path, tmp_path: Path) -> None:
    path = tmp_path / "lines.geojson"
    path.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"id": "W1", "depth_m": 1.2, "medium": "cold water"},
                        "geometry": {"type": "LineString", "coordinates": [[-87.6394, 41.8744]]},
                    }
                ],
            }
        )
    )
    before = run_twin("sites", "--json", db=duplex_db).stdout
    result = run_twin("utilities", "import", str(path), "--site", "DX01", db=duplex_db)
    assert result.returncode == 2
    message = result.stderr.strip()
    assert "feature 0 (W1)" in message and "diameter_m" in message and "two positions" in message
    assert "Traceback" not in result.stderr
    assert run_twin("sites", "--json", db=duplex_db).stdout == before


def test_utilities_import_json(duplex_db: Path, tmp_path: Path) -> None:
    path = tmp_path / "gas.geojson"
    path.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {
                            "id": "G1",
                            "depth_m": 0.8,
                            "diameter_m": 0.05,
                            "medium": "gas",
                        },
                        "geometry": {
                            "type": "LineString",
                            "coordinates": [[-87.6396, 41.8742], [-87.6395, 41.8742]],
                        },
                    }
                ],
            }
        )
    )
    result = run_twin("utilities", "import", str(path), "--json", db=duplex_db)
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert (summary["site_code"], summary["segments"]) == ("DX01", 1)
    assert len(summary["warnings"]) == 2  # the duplex has no gas service entry
