"""Stores made by importing real IFC files (or the generated sample campus) into a folder.

Plain functions, not fixtures, so test packages can share them with any scope.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import SHARED_IFC
from twin.importer import import_models
from twin.store import open_store

__all__ = ["copy_store", "imported_store", "sample_store"]


def imported_store(folder: Path, files_by_site: dict[str, list[str]]) -> Path:
    """A SQLite store in `folder` holding `../shared/ifc` files, one import per site.

    Skips the test when the shared files are missing.
    """
    paths = {site: [SHARED_IFC / name for name in names] for site, names in files_by_site.items()}
    missing = [str(p) for ps in paths.values() for p in ps if not p.exists()]
    if missing:
        pytest.skip(f"real IFC files not found: {', '.join(missing)} (../shared/ifc)")
    db = folder / "twin.db"
    engine = open_store(str(db))
    for site, site_paths in paths.items():
        import_models(engine, site_paths, site_code=site)
    engine.dispose()
    return db


def sample_store(folder: Path, buildings: int = 1) -> Path:
    """A store holding the generated sample campus (skips while the generator is missing)."""
    campus = pytest.importorskip(
        "bim_import.sample.campus", reason="the sample-campus generator is not there yet"
    )
    files = campus.write_sample_campus(folder / "campus.ifc", buildings=buildings, seed=1)
    db = folder / "twin.db"
    engine = open_store(str(db))
    import_models(engine, list(files.ifc_files), site_code="WZ01")
    engine.dispose()
    return db


def copy_store(db: Path, folder: Path) -> Path:
    """A copy of a closed store, for a test that changes it."""
    target = folder / db.name
    for suffix in ("", "-wal"):
        if Path(f"{db}{suffix}").exists():
            shutil.copyfile(f"{db}{suffix}", f"{target}{suffix}")
    return target
