"""Fixtures shared by the whole suite: where the real IFC files are, and fresh stores."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from twin.store import open_store

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SHARED_IFC = PROJECT_ROOT.parent / "shared" / "ifc"


def shared_manifest() -> list[dict[str, str]]:
    """Rows of ../shared/ifc/MANIFEST.tsv, or [] when the folder is missing."""
    manifest = SHARED_IFC / "MANIFEST.tsv"
    if not manifest.exists():
        return []
    with manifest.open(encoding="utf-8") as stream:
        return list(csv.DictReader(stream, delimiter="\t"))


@pytest.fixture
def shared_ifc() -> Path:
    """The folder of real IFC files written by others; skip when it is missing."""
    if not (SHARED_IFC / "MANIFEST.tsv").exists():
        pytest.skip(f"real IFC files not found at {SHARED_IFC} (../shared/ifc beside the project)")
    return SHARED_IFC


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Engine]:
    """A fresh SQLite store in tmp_path."""
    engine = open_store(str(tmp_path / "twin.db"))
    yield engine
    engine.dispose()
