"""Half-broken models import what they can and name each problem with its GlobalId."""

from __future__ import annotations

import gc
from pathlib import Path

import ifcopenshell
import pytest
from sqlalchemy import Engine, func, select

from bim_import.reader import read_model
from models.errors import ModelImportError
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


@pytest.mark.parametrize("enabled_before", [True, False])
def test_cycle_collection_is_paused_while_reading_and_restored_after(
    shared_ifc: Path, enabled_before: bool
) -> None:
    seen: list[bool] = []
    was = gc.isenabled()
    try:
        if enabled_before:
            gc.enable()
        else:
            gc.disable()
        parsed = read_model(
            shared_ifc / "B01_2_HeatExchanger_Pipes.ifc",
            progress=lambda _stage: seen.append(gc.isenabled()),
        )
        assert gc.isenabled() is enabled_before
    finally:
        (gc.enable if was else gc.disable)()
    assert parsed.connections  # the file was read through
    assert len(seen) >= 5 and not any(seen)


def test_cycle_collection_comes_back_when_reading_fails(tmp_path: Path) -> None:
    path = tmp_path / "not.ifc"
    path.write_text("not an IFC file")
    assert gc.isenabled()
    with pytest.raises(ModelImportError):
        read_model(path)
    assert gc.isenabled()
