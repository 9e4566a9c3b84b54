"""`check_network` and `repair_network` on the split sample campus, whose joints between
site and building files are not written, and on the small network.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, delete, func, select, update

from bim_import.sample.campus import write_sample_campus
from models.errors import BadInput, UnknownCode
from tests.campus_stores import copy_store
from tests.twin.network.small_network import PLAN, small_network_store
from twin.importer import import_models
from twin.network.check import check_network, repair_network
from twin.network.trace import trace
from twin.store import open_store
from twin.store import schema as t


@pytest.fixture(scope="module")
def split(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    folder = tmp_path_factory.mktemp("split")
    files = write_sample_campus(folder / "campus.ifc", buildings=3, seed=1, split=True)
    engine = open_store(str(folder / "twin.db"))
    import_models(engine, list(files.ifc_files), site_code="WZ01")
    engine.dispose()
    return folder / "twin.db", json.loads(files.answers.read_text(encoding="utf-8"))


def _declared(engine: Engine) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        return [
            tuple(r)
            for r in conn.execute(
                select(t.connections)
                .where(t.connections.c.declared.is_(True))
                .order_by(t.connections.c.connection_id)
            )
        ]


def test_the_split_campus_shows_its_inferred_connections(
    split: tuple[Path, dict[str, Any]],
) -> None:
    db, answers = split
    report = check_network(open_store(str(db)), "WZ01")
    pairs = len(answers["split_inferred_connections"])
    assert report["counts"]["inferred_connections"] == pairs
    assert report["counts"]["unconnected_ports"] == 0
    assert report["counts"]["inferable_connections"] == 0


def test_repair_rejoins_site_and_buildings_and_never_touches_declared(
    split: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    source, answers = split
    engine = open_store(str(copy_store(source, tmp_path)))
    with engine.begin() as conn:
        conn.execute(delete(t.connections).where(t.connections.c.declared.is_(False)))
    pairs = len(answers["split_inferred_connections"])
    tap = _tap(engine)
    assert not trace(engine, tap)["sources"]  # cut off from the site main
    before = check_network(engine)
    assert before["counts"]["unconnected_ports"] == 2 * pairs
    assert before["counts"]["inferable_connections"] == pairs
    assert before["counts"]["dangling_segments"] > 0
    declared = _declared(engine)
    repaired = repair_network(engine, "wz01")
    assert len(repaired["added"]) == pairs
    assert repaired["counts"]["unconnected_ports"] == 0
    assert repaired["counts"]["inferred_connections"] == pairs
    assert _declared(engine) == declared
    expected = {tuple(p) for p in answers["split_inferred_connections"]}
    with engine.connect() as conn:
        gid = dict(conn.execute(select(t.ports.c.port_id, t.ports.c.global_id)).all())
    assert {(gid[a["port_from"]], gid[a["port_to"]]) for a in repaired["added"]} == expected
    assert repair_network(engine)["added"] == []
    assert trace(engine, tap)["sources"]


def _tap(engine: Engine) -> str:
    with engine.connect() as conn:
        found = conn.execute(
            select(func.min(t.elements.c.element_id)).where(
                t.elements.c.predefined_type == "WASHHANDBASIN"
            )
        ).scalar()
    assert found
    return str(found)


def test_the_snap_tolerance_decides_what_is_inferred(tmp_path: Path) -> None:
    engine = open_store(str(small_network_store(tmp_path)))
    px = PLAN.element_id("PX")
    with engine.begin() as conn:
        first, second = conn.execute(
            select(t.ports.c.port_id).where(t.ports.c.element_id == px).order_by(t.ports.c.port_id)
        ).scalars()
        # a port of another element 3 cm from PX's first port
        wc = PLAN.element_id("RX")
        conn.execute(
            t.ports.insert().values(
                element_id=wc, global_id="near", flow_direction="SOURCE", x_m=0, y_m=0, z_m=0
            )
        )
        x, y = conn.execute(
            select(t.ports.c.x_m, t.ports.c.y_m).where(t.ports.c.port_id == first)
        ).one()
        conn.execute(
            update(t.ports).where(t.ports.c.global_id == "near").values(x_m=x + 0.03, y_m=y)
        )
    report = check_network(engine)
    assert {p["element_id"] for p in report["unconnected_ports"]} == {px, wc}
    assert {d["element_id"] for d in report["dangling_segments"]} == {px}
    assert report["elements_in_no_system"] == [{"element_id": wc, "kind": "terminal", "name": "RX"}]
    assert check_network(engine, tolerance_m=0.01)["inferable_connections"] == []
    assert repair_network(engine, tolerance_m=0.01)["added"] == []
    added = repair_network(engine, tolerance_m=0.05)["added"]
    assert [(a["element_from"], a["element_to"], a["directed"]) for a in added] == [(wc, px, True)]
    assert second not in {a["port_to"] for a in added}


def test_bad_input(tmp_path: Path) -> None:
    engine = open_store(str(small_network_store(tmp_path)))
    with pytest.raises(UnknownCode, match="unknown site 'XX99'"):
        check_network(engine, "XX99")
    for tolerance in (0.0, -1.0, 2.0):
        with pytest.raises(BadInput, match="snap tolerance"):
            repair_network(engine, tolerance_m=tolerance)
