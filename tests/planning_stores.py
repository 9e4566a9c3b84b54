"""A store holding the sample campus with the sample organisation, for API, CLI and viewer tests."""

from __future__ import annotations

from pathlib import Path

from tests.campus_stores import sample_store
from twin.planning.sample_org import write_sample_org
from twin.store import open_store

__all__ = ["planned_store"]


def planned_store(folder: Path, buildings: int = 2) -> Path:
    """The sample campus (site WZ01) with `twin org sample --seed 1` loaded."""
    db = sample_store(folder, buildings=buildings)
    engine = open_store(str(db))
    write_sample_org(engine, "WZ01", seed=1)
    engine.dispose()
    return db
