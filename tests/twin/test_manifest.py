"""The campus manifest's [site.georeference]: placing a model that has none."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from models.errors import BadInput
from twin.manifest import load_manifest


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "campus.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_grid_placement(tmp_path: Path) -> None:
    manifest = load_manifest(
        write(
            tmp_path,
            '[site]\ncode = "EX01"\n[site.georeference]\nepsg = 4549\neastings = 568854.272\n'
            "northings = 3098639.217\nheight = 10.0\nrotation_deg = 90\n",
        )
    )
    georef = manifest.site_georeference
    assert georef is not None and georef.epsg == 4549
    assert (georef.eastings_m, georef.northings_m, georef.orthogonal_height_m) == (
        568854.272,
        3098639.217,
        10.0,
    )
    assert math.atan2(georef.x_axis_ordinate, georef.x_axis_abscissa) == pytest.approx(math.pi / 2)


def test_lat_lon_placement(tmp_path: Path) -> None:
    manifest = load_manifest(
        write(tmp_path, "[site.georeference]\nlatitude = 28.0\nlongitude = 120.7\n")
    )
    assert manifest.site_georeference is not None
    assert (manifest.site_georeference.latitude_deg, manifest.site_georeference.longitude_deg) == (
        28.0,
        120.7,
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("eastings = 1.0\nnorthings = 2.0\n", "needs epsg"),
        ('epsg = "4549"\neastings = 1.0\nnorthings = 2.0\n', "epsg must be"),
        ("latitude = 95.0\nlongitude = 1.0\n", "latitude must be"),
        ("latitude = 1.0\n", "needs epsg, eastings and northings, or latitude"),
        ("lat = 1.0\nlon = 2.0\n", "unknown keys lat, lon"),
    ],
)
def test_bad_georeference(tmp_path: Path, body: str, message: str) -> None:
    with pytest.raises(BadInput, match=message):
        load_manifest(write(tmp_path, f"[site.georeference]\n{body}"))
