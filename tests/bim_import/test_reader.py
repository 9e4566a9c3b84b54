"""Half-broken models import what they can and name each problem with its GlobalId."""

from __future__ import annotations

from pathlib import Path

import ifcopenshell
import numpy as np
import pytest
from sqlalchemy import Engine, func, select

from bim_import.reader import read_model
from twin.importer import import_models
from twin.store import schema as t


@pytest.fixture
def damaged_duplex(shared_ifc: Path, tmp_path: Path) -> tuple[Path, str, str]:
    model = ifcopenshell.open(str(shared_ifc / "duplex.ifc"))
    spaces = model.by_type("IfcSpace")
    spaces[1].GlobalId = spaces[0].GlobalId
    wall = model.by_type("IfcWallStandardCase")[0]
    for representation in wall.Representation.Representations:
        for item in representation.Items:
            if item.is_a("IfcExtrudedAreaSolid"):
                item.Depth = 0.0
                item.SweptArea.XDim = 0.0
    path = tmp_path / "damaged.ifc"
    model.write(str(path))
    return path, spaces[0].GlobalId, wall.GlobalId


def test_duplicate_global_ids_and_untessellated_products_are_reported(
    damaged_duplex: tuple[Path, str, str],
) -> None:
    path, duplicate, wall = damaged_duplex
    parsed = read_model(path)
    assert len(parsed.rooms) == 21
    messages = [w.message for w in parsed.warnings]
    assert any(f"duplicate GlobalId {duplicate}" in m for m in messages)
    assert any(f"IfcWallStandardCase {wall} could not be tessellated" in m for m in messages)
    assert len({room.source.global_id for room in parsed.rooms}) == 21


def test_damaged_model_still_imports_every_room(
    damaged_duplex: tuple[Path, str, str], store: Engine
) -> None:
    path, duplicate, _ = damaged_duplex
    summary = import_models(store, [path], site_code="DX01")
    assert summary.counts["rooms"] == 21
    assert any(duplicate in w for w in summary.warnings)
    with store.connect() as conn:
        assert conn.execute(select(func.count()).select_from(t.rooms)).scalar() == 21


def test_building_without_services_or_rooms_is_imported_with_a_warning(
    shared_ifc: Path, store: Engine
) -> None:
    summary = import_models(store, [shared_ifc / "duplex.ifc"], site_code="DX01")
    assert "building DX01-B01 has no services (pipes, ducts, cables…)" in summary.warnings
    summary = import_models(store, [shared_ifc / "Elektro_080729.ifc"], site_code="EL01")
    assert "building EL01-B01 has no rooms (no IfcSpace)" in summary.warnings


def test_segments_have_axes_diameters_systems_and_media(shared_ifc: Path) -> None:
    parsed = read_model(shared_ifc / "b03_heating_with_building_blenderBIM.ifc")
    pipes = [e for e in parsed.elements if e.kind == "pipe_segment"]
    assert len(pipes) == 100
    for pipe in pipes:
        assert pipe.axis is not None and pipe.axis.shape[1] == 3
        assert pipe.outer_diameter_m is not None and 0.005 < pipe.outer_diameter_m < 0.5
    media = {s.medium for s in parsed.systems}
    assert "heating" in media
    valves = [e for e in parsed.elements if e.kind == "valve"]
    assert len(valves) == 11


def test_ports_and_rooms_read_by_a_second_process_give_the_same_records(
    tmp_path: Path,
) -> None:
    campus = pytest.importorskip("bim_import.sample.campus")
    path = Path(campus.write_sample_campus(tmp_path / "c.ifc", buildings=1, seed=1).ifc_files[0])
    through_binding = read_model(path, second_process=False)
    from_text = read_model(path, second_process=True)
    assert len(from_text.ports) > 1000 and len(from_text.connections) > 500
    assert from_text.ports == through_binding.ports
    assert from_text.connections == through_binding.connections
    assert from_text.warnings == through_binding.warnings
    assert [r.source for r in from_text.rooms] == [r.source for r in through_binding.rooms]
    for ours_room, their_room in zip(from_text.rooms, through_binding.rooms, strict=True):
        assert ours_room.net_floor_area_m2 == their_room.net_floor_area_m2
        assert ours_room.usage == their_room.usage
        assert ours_room.footprint is not None and their_room.footprint is not None
        assert np.array_equal(ours_room.footprint, their_room.footprint)
    assert len(from_text.elements) == len(through_binding.elements)
    for ours, theirs in zip(from_text.elements, through_binding.elements, strict=True):
        assert ours.source == theirs.source
        assert ours.outer_diameter_m == theirs.outer_diameter_m
        assert (ours.axis is None) == (theirs.axis is None)
        if ours.axis is not None and theirs.axis is not None:
            assert np.array_equal(ours.axis, theirs.axis)
    assert from_text.meshes.keys() == through_binding.meshes.keys()
    for key, mesh in from_text.meshes.items():
        assert np.array_equal(mesh.vertices, through_binding.meshes[key].vertices)
