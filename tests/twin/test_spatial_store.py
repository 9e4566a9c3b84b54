"""Spatial relations recomputed for many buildings, half of them by a second process."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, delete, select

from bim_import.forked import can_fork
from tests.campus_stores import copy_store, sample_store
from twin.spatial_store import compute_buildings_spatial
from twin.store import open_store
from twin.store import schema as t


@pytest.fixture(scope="module")
def campus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return sample_store(tmp_path_factory.mktemp("spatial_store"), buildings=3)


def _relations(engine: Engine) -> dict[str, list[Any]]:
    with engine.connect() as conn:
        return {
            "runs": sorted(map(tuple, conn.execute(select(t.runs_through)).all())),
            "serves": sorted(map(tuple, conn.execute(select(t.serves)).all())),
            "adjacency": sorted(map(tuple, conn.execute(select(t.adjacency)).all())),
            "zones": sorted(
                map(
                    tuple,
                    conn.execute(
                        select(
                            t.rooms.c.room_code,
                            t.rooms.c.finish_ceiling_m,
                            t.rooms.c.void_top_m,
                            t.rooms.c.floor_bottom_m,
                        )
                    ).all(),
                )
            ),
        }


@pytest.mark.skipif(not can_fork(), reason="needs os.fork (Linux)")
def test_a_second_process_gives_the_relations_of_one_building_at_a_time(
    campus: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    engine = open_store(str(copy_store(campus, tmp_path)))
    imported = _relations(engine)  # the import computed them one building at a time
    assert imported["runs"] and imported["serves"] and imported["adjacency"]
    with engine.connect() as conn:
        buildings = sorted(conn.execute(select(t.buildings.c.building_code)).scalars())
    assert len(buildings) >= 3
    with engine.begin() as conn, caplog.at_level(logging.DEBUG, "bim_import.forked"):
        for table in (t.runs_through, t.serves, t.adjacency):
            conn.execute(delete(table))
        conn.execute(t.rooms.update().values(void_top_m=None, floor_bottom_m=None))
        compute_buildings_spatial(conn, [(code, None) for code in buildings])
    assert any(hasattr(r, "forked_peak_growth_bytes") for r in caplog.records)
    assert _relations(engine) == imported
    engine.dispose()
