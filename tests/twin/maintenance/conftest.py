"""One imported three-building sample campus for the maintenance query tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from tests.maintenance_sample import SampleCampus
from twin.store import open_store


@pytest.fixture(scope="session")
def campus(tmp_path_factory: pytest.TempPathFactory) -> SampleCampus:
    return SampleCampus.build(tmp_path_factory.mktemp("maintenance"), buildings=3)


@pytest.fixture(scope="session")
def engine(campus: SampleCampus) -> Iterator[Engine]:
    engine = open_store(str(campus.db))
    yield engine
    engine.dispose()
