"""Every real IFC file in ../shared/ifc: `ok` files import faithfully, `broken` ones are refused.

The expectations are computed here straight from the files with ifcopenshell, not
from the importer's own reading.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import ifcopenshell
import ifcopenshell.util.element
import pytest
from sqlalchemy import func, select

from models.errors import ModelImportError
from tests.conftest import SHARED_IFC, shared_manifest
from twin.importer import import_models
from twin.store import open_store
from twin.store import schema as t

ROWS = shared_manifest()
OK = [row["file"] for row in ROWS if row["expect"] == "ok"]
BROKEN = [row["file"] for row in ROWS if row["expect"] == "broken"]
_DECLARED = (
    ("Qto_SpaceBaseQuantities", "NetFloorArea"),
    ("BaseQuantities", "NetFloorArea"),
    ("GSA Space Areas", "GSA BIM Area"),
    ("PSet_Revit_Dimensions", "Area"),
)


def _storey_of(space: ifcopenshell.entity_instance) -> ifcopenshell.entity_instance | None:
    node = space
    for _ in range(10):
        parent = ifcopenshell.util.element.get_aggregate(node)
        if parent is None:
            return None
        if parent.is_a("IfcBuildingStorey"):
            return parent
        node = parent
    return None


def _declared_area(space: ifcopenshell.entity_instance) -> float | None:
    psets = ifcopenshell.util.element.get_psets(space)
    for pset, prop in _DECLARED:
        value = psets.get(pset, {}).get(prop)
        if isinstance(value, float | int) and value > 0:
            return float(value)
    return None


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    if not ROWS:
        pytest.skip(f"real IFC files not found at {SHARED_IFC}")
    cache: dict[str, Any] = {}

    def load(name: str) -> Any:
        if name not in cache:
            engine = open_store(str(tmp_path_factory.mktemp("store") / "twin.db"))
            summary = import_models(engine, [SHARED_IFC / name])
            cache[name] = (engine, summary)
        return cache[name]

    return {"load": load}


@pytest.mark.skipif(not ROWS, reason=f"real IFC files not found at {SHARED_IFC}")
@pytest.mark.parametrize("name", OK)
def test_ok_file_imports_every_space_on_its_storey(name: str, imported: dict[str, Any]) -> None:
    engine, _summary = imported["load"](name)
    model = ifcopenshell.open(str(SHARED_IFC / name))
    spaces = model.by_type("IfcSpace")
    with engine.connect() as conn:
        rooms = {row.global_id: row for row in conn.execute(select(t.rooms))}
        storey_codes = dict(
            conn.execute(
                select(t.storey_global_ids.c.global_id, t.storey_global_ids.c.storey_code)
            ).all()
        )
    assert len(rooms) == len(spaces)
    for space in spaces:
        room = rooms[space.GlobalId]
        storey = _storey_of(space)
        assert storey is not None
        assert room.storey_code == storey_codes[storey.GlobalId], space.Name
        declared = _declared_area(space)
        if declared is not None:
            assert room.net_floor_area_m2 == pytest.approx(declared, rel=0.05), space.Name


@pytest.mark.skipif(not ROWS, reason=f"real IFC files not found at {SHARED_IFC}")
@pytest.mark.parametrize("name", OK)
def test_ok_file_keeps_every_declared_port_connection(name: str, imported: dict[str, Any]) -> None:
    engine, summary = imported["load"](name)
    model = ifcopenshell.open(str(SHARED_IFC / name))
    expected = len(model.by_type("IfcRelConnectsPorts"))
    with engine.connect() as conn:
        declared = conn.execute(
            select(func.count())
            .select_from(t.connections)
            .where(t.connections.c.declared.is_(True))
        ).scalar()
    assert declared == expected
    assert summary.counts["declared_connections"] == expected


@pytest.mark.skipif(not ROWS, reason=f"real IFC files not found at {SHARED_IFC}")
@pytest.mark.parametrize("name", BROKEN)
def test_broken_file_is_refused_naming_it(name: str, tmp_path: Path) -> None:
    engine = open_store(str(tmp_path / "twin.db"))
    with pytest.raises(ModelImportError) as caught:
        import_models(engine, [SHARED_IFC / name])
    assert name in str(caught.value)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(t.rooms)).scalar() == 0


def test_elektro_flow_controllers_are_switches_and_breakers_not_valves(
    shared_ifc: Path, tmp_path: Path
) -> None:
    engine = open_store(str(tmp_path / "twin.db"))
    summary = import_models(engine, [shared_ifc / "Elektro_080729.ifc"])
    assert summary.counts["valves"] == 0
    assert summary.counts["cables"] == 44
    with engine.connect() as conn:
        kinds: dict[str, int] = dict(
            conn.execute(select(t.elements.c.kind, func.count()).group_by(t.elements.c.kind)).all()
        )
    assert kinds["switch"] + kinds["protective_device"] + kinds.get("equipment", 0) >= 58
    assert any(
        "malformed RefLatitude" in w and "3sR0l_dVyHseOb00sJH0zG" in w for w in summary.warnings
    )


def test_duplex_adjacency_equals_its_space_boundaries(shared_ifc: Path, tmp_path: Path) -> None:
    model = ifcopenshell.open(str(shared_ifc / "duplex.ifc"))
    bounded: dict[int, set[str]] = {}
    for rel in model.by_type("IfcRelSpaceBoundary"):
        element = rel.RelatedBuildingElement
        if element is not None and (element.is_a("IfcWall") or element.is_a("IfcDoor")):
            bounded.setdefault(element.id(), set()).add(rel.RelatingSpace.GlobalId)
    storey = {space.GlobalId: _storey_of(space) for space in model.by_type("IfcSpace")}
    expected = {
        tuple(sorted((a, b)))
        for spaces in bounded.values()
        for a in spaces
        for b in spaces
        if a < b and storey[a] == storey[b]
    }
    engine = open_store(str(tmp_path / "twin.db"))
    import_models(engine, [shared_ifc / "duplex.ifc"])
    with engine.connect() as conn:
        code_to_gid = dict(conn.execute(select(t.rooms.c.room_code, t.rooms.c.global_id)).all())
        stored = {
            tuple(sorted((code_to_gid[a], code_to_gid[b])))
            for a, b in conn.execute(select(t.adjacency.c.room_a, t.adjacency.c.room_b))
        }
    assert len(expected) == 46
    assert stored == expected


def test_heat_exchanger_without_connections_infers_exactly_the_declared_four(
    shared_ifc: Path, tmp_path: Path
) -> None:
    model = ifcopenshell.open(str(shared_ifc / "B01_2_HeatExchanger_Pipes.ifc"))
    declared = {
        frozenset((rel.RelatingPort.GlobalId, rel.RelatedPort.GlobalId))
        for rel in model.by_type("IfcRelConnectsPorts")
    }
    assert len(declared) == 4
    for rel in model.by_type("IfcRelConnectsPorts"):
        model.remove(rel)
    stripped = tmp_path / "B01_no_connections.ifc"
    model.write(str(stripped))
    engine = open_store(str(tmp_path / "twin.db"))
    summary = import_models(engine, [stripped])
    assert summary.counts["declared_connections"] == 0
    assert summary.counts["inferred_connections"] == 4
    with engine.connect() as conn:
        rows = conn.execute(
            select(t.connections.c.port_from, t.connections.c.port_to, t.connections.c.declared)
        ).all()
        port_gid = dict(conn.execute(select(t.ports.c.port_id, t.ports.c.global_id)).all())
    assert all(not row.declared for row in rows)
    assert {frozenset((port_gid[r.port_from], port_gid[r.port_to])) for r in rows} == declared
