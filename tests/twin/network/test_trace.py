"""Traces on the sample campus (indoor and outdoor on one graph), the small network,
and the MEP models in ../shared/ifc: every trace ends, with its source or in words.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from models.errors import BadInput, UnknownElement
from tests.campus_stores import imported_store, sample_store
from tests.twin.network.small_network import PLAN, small_network_store
from twin.network.trace import trace
from twin.store import open_store
from twin.store import schema as t


@pytest.fixture(scope="module")
def campus(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    return open_store(str(sample_store(tmp_path_factory.mktemp("campus"), buildings=3)))


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    return open_store(str(small_network_store(tmp_path_factory.mktemp("small"))))


def _one(engine: Engine, **where: str) -> str:
    e = t.elements
    query = select(e.c.element_id).order_by(e.c.element_id)
    for column, value in where.items():
        query = query.where(e.c[column].like(value))
    with engine.connect() as conn:
        found = conn.execute(query).scalars().first()
    assert found is not None, where
    return found


def test_a_tap_on_f05_traces_up_to_the_site_main(campus: Engine) -> None:
    tap = _one(campus, predefined_type="WASHHANDBASIN", storey_code="WZ01-B01-F05")
    found = trace(campus, tap)
    assert found["direction"] == "upstream"
    assert found["medium"] == "water"
    assert found["path"][0] == tap
    source = found["path"][-1]
    assert found["sources"][0] == source
    by_id = {e["element_id"]: e for e in found["elements"]}
    assert by_id[source]["name"] == "Municipal water connection"
    assert by_id[source]["building_code"] is None  # the site main, outdoors
    kinds = [by_id[e]["kind"] for e in found["path"]]
    assert "valve" in kinds and "fitting" in kinds
    # the run passes the storeys below in the riser shaft and the tap's own room
    storeys = {room.rsplit("-", 1)[0] for room in found["rooms"]}
    assert {f"WZ01-B01-F0{n}" for n in range(1, 6)} <= storeys
    assert [e["distance"] for e in found["elements"]] == sorted(
        e["distance"] for e in found["elements"]
    )


def test_downstream_of_a_riser_reaches_the_taps_above_and_stops(campus: Engine) -> None:
    riser = _one(campus, name="Water riser", storey_code="WZ01-B01-F03")
    found = trace(campus, riser, "downstream")
    assert found["terminals"]
    storeys = {e["storey_code"] for e in found["elements"] if e["kind"] == "terminal"}
    assert "WZ01-B01-F07" in storeys
    assert "WZ01-B01-F01" not in storeys
    assert not found["sources"]


def test_the_heating_loop_ends_at_the_boiler_both_ways(campus: Engine) -> None:
    radiator = _one(campus, ifc_class="IfcSpaceHeater")
    up = trace(campus, radiator, "upstream")
    assert up["medium"] == "heating"
    assert [e["name"] for e in up["elements"] if e["element_id"] in up["sources"]] == ["Boiler"]
    assert "Heating pump" in {e["name"] for e in up["elements"]}
    down = trace(campus, radiator, "downstream")
    names = {e["name"] for e in down["elements"]}
    assert "Boiler" in names
    assert "Heating pump" not in names  # the walk ends at the boiler, not round the loop
    boiler = _one(campus, ifc_class="IfcBoiler")
    loop = trace(campus, boiler, "downstream")
    assert radiator in loop["terminals"]
    assert len({e["element_id"] for e in loop["elements"]}) == len(loop["elements"])


def test_the_gas_pipe_ends_at_the_boiler_without_entering_the_heating(campus: Engine) -> None:
    gas_valve = _one(campus, predefined_type="GASCOCK")
    found = trace(campus, gas_valve, "downstream")
    assert found["medium"] == "gas"
    assert {e["medium"] for e in found["elements"]} <= {"gas", "heating"}
    assert "Heating pump" not in {e["name"] for e in found["elements"]}


def test_a_loop_with_no_source_is_answered_in_words(small: Engine) -> None:
    found = trace(small, PLAN.element_id("SOIL"), "upstream")
    assert "gravity" in found["message"]
    assert found["sources"] == []
    ring = trace(small, PLAN.element_id("P2"), "upstream")
    assert PLAN.element_id("S1") in ring["sources"]
    assert PLAN.element_id("S2") not in ring["sources"]  # behind the closed standby valve
    assert PLAN.element_id("VNC") in ring["closed_valves"]


def test_a_wall_is_no_part_of_a_network(campus: Engine) -> None:
    wall = _one(campus, kind="wall")
    with pytest.raises(BadInput, match="has no ports"):
        trace(campus, wall)


def test_bad_input_is_answered_in_words(small: Engine) -> None:
    with pytest.raises(UnknownElement, match="closest"):
        trace(small, "SN01-B01-E000099")
    with pytest.raises(BadInput, match="use upstream or downstream"):
        trace(small, PLAN.element_id("P2"), "sideways")
    with pytest.raises(BadInput, match="has no ports"):
        trace(small, PLAN.element_id("RX"))


MEP_MODELS = {
    "HT01": ["b03_heating_with_building_blenderBIM.ifc"],
    "EL01": ["Elektro_080729.ifc"],
    "HX01": ["B01_2_HeatExchanger_Pipes.ifc"],
    "DF01": ["1269--Project_IfcDuctFitting.ifc"],
}


def test_every_trace_on_the_shared_mep_models_ends(tmp_path: Path) -> None:
    db = imported_store(tmp_path, MEP_MODELS)
    engine = open_store(str(db))
    with engine.connect() as conn:
        joined = sorted(set(conn.execute(select(t.connections.c.element_from)).scalars()))
    assert joined
    sources_seen = 0
    for element_id in joined:
        for direction in ("upstream", "downstream"):
            found = trace(engine, element_id, direction)
            ids = [e["element_id"] for e in found["elements"]]
            assert len(ids) == len(set(ids))
            assert found["path"][0] == element_id
            assert found["message"]
            sources_seen += bool(found["sources"])
    assert sources_seen, "the heating model's boiler is a source"
