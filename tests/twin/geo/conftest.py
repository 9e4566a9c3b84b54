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


@pytest.fixture(scope="session")
def entry_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample's building B01 without the site file: its service entries are free ports."""
    campus = pytest.importorskip("bim_import.sample.campus")
    from twin.importer import import_models
    from twin.store import open_store

    folder = tmp_path_factory.mktemp("geo-entries")
    files = campus.write_sample_campus(folder / "campus.ifc", buildings=1, seed=1, split=True)
    db = folder / "twin.db"
    engine = open_store(str(db))
    import_models(engine, [f for f in files.ifc_files if ".B01." in f.name], site_code="WZ01")
    engine.dispose()
    return db
