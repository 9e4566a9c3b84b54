"""A writable copy of the imported duplex per test, and the points inside its rooms."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.campus_stores import copy_store, imported_store

A101 = "DX01-B01-F01-001C"
"""Duplex room A101, ground floor (storey F01, 0 m to 3.1 m); (7.29, -13.2) is inside it."""
INSIDE_A101 = (7.29, -13.2, 1.2)


@pytest.fixture(scope="session")
def duplex_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return imported_store(tmp_path_factory.mktemp("live-duplex"), {"DX01": ["duplex.ifc"]})


@pytest.fixture
def duplex_copy(duplex_db: Path, tmp_path: Path) -> Path:
    return copy_store(duplex_db, tmp_path)
