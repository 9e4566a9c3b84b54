"""Round segments rebuilt as cylinders, checked against the geometry kernel's meshes."""

from __future__ import annotations

from pathlib import Path

import ifcopenshell
import ifcopenshell.util.unit
import numpy as np
import pytest

from bim_import.geometry import products_needing_geometry, tessellate
from bim_import.meshes import mesh_axis
from bim_import.reader import read_model
from bim_import.segments import CYLINDER_SIDES, circular_sweep, sweep_ends
from bim_import.structure import ModelIndex


@pytest.fixture(scope="module")
def sample_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    campus = pytest.importorskip("bim_import.sample.campus")
    out = tmp_path_factory.mktemp("segments") / "campus.ifc"
    return Path(campus.write_sample_campus(out, buildings=1, seed=1).ifc_files[0])


def _one_port_round_segments(
    model: ifcopenshell.file, index: ModelIndex, length: float
) -> list[ifcopenshell.entity_instance]:
    return [
        segment
        for segment in model.by_type("IfcFlowSegment")
        if circular_sweep(segment, length) is not None and len(index.ports(segment)) != 2
    ]


def test_a_connection_with_one_port_is_a_cylinder_along_its_own_extrusion(
    sample_file: Path,
) -> None:
    model = ifcopenshell.open(str(sample_file))
    index = ModelIndex(model)
    length = ifcopenshell.util.unit.calculate_unit_scale(model)
    segments = _one_port_round_segments(model, index, length)
    assert segments, "the sample's site connections (one port each) are round segments"
    kernel = tessellate(model, segments).meshes
    for segment in segments:
        sweep = circular_sweep(segment, length)
        assert sweep is not None
        radius, depth = sweep
        start, end = sweep_ends(segment, index.world_matrix(segment.ObjectPlacement), length)
        assert np.linalg.norm(end - start) == pytest.approx(depth)
        # the kernel's hollow tube has the same axis (either way round) and outer diameter
        axis, diameter = mesh_axis(kernel[segment.id()])
        ends = sorted(map(tuple, np.round(axis, 6)))
        assert ends == sorted(map(tuple, np.round([start, end], 6)))
        assert diameter == pytest.approx(2 * radius, abs=1e-9)


def test_the_sample_is_read_without_the_kernel(sample_file: Path) -> None:
    parsed = read_model(sample_file)
    model = ifcopenshell.open(str(sample_file))
    index = ModelIndex(model)
    length = ifcopenshell.util.unit.calculate_unit_scale(model)
    # every product with a body has a mesh, and the one-port connections are cylinders
    bodies = {product.GlobalId for product in products_needing_geometry(model)}
    assert bodies <= set(parsed.meshes)
    for segment in _one_port_round_segments(model, index, length):
        assert len(parsed.meshes[segment.GlobalId].vertices) == 2 * CYLINDER_SIDES + 2
    by_id = {element.source.global_id: element for element in parsed.elements}
    for segment in _one_port_round_segments(model, index, length):
        radius, _ = circular_sweep(segment, length) or (0.0, 0.0)
        assert by_id[segment.GlobalId].outer_diameter_m == pytest.approx(2 * radius)
