"""Stores for the planning tests: the generated sample campus, with or without an organisation."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from tests.campus_stores import copy_store, sample_store
from twin.store import open_store


@pytest.fixture(scope="session")
def campus_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample campus (two buildings, site WZ01) with no organisation yet."""
    return sample_store(tmp_path_factory.mktemp("campus"), buildings=2)


@pytest.fixture
def campus(campus_db: Path, tmp_path: Path) -> Iterator[Engine]:
    """A fresh copy of the sample campus that a test may change."""
    engine = open_store(str(copy_store(campus_db, tmp_path)))
    yield engine
    engine.dispose()
