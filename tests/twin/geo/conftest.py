"""Stores the geo tests share: the sample campus, and real georeferenced files by site."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.campus_stores import imported_store, sample_store

GEO_FILES = {
    "BA01": ["Building-Architecture.ifc"],
    "UT01": ["geographic-referencing-utm.ifc"],
    "DX01": ["duplex.ifc"],
    "EX01": ["ExampleHOM_with_radiator.ifc"],
}


@pytest.fixture(scope="session")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The generated sample campus (one building) as site WZ01, at 120.70E 28.00N."""
    return sample_store(tmp_path_factory.mktemp("geo-sample"), buildings=1)


@pytest.fixture(scope="session")
def georef_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Real files: a map conversion in mm (BA01), one in IFC4X3 (UT01), IfcSite lat/lon
    (DX01) and no georeference at all (EX01)."""
    return imported_store(tmp_path_factory.mktemp("geo-real"), GEO_FILES)
