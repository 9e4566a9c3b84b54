"""Prisms built with numpy against the geometry kernel's meshes of the same products."""

from __future__ import annotations

from pathlib import Path

import ifcopenshell
import ifcopenshell.util.unit
import numpy as np
import pytest

from bim_import.extrusions import curve_outline, extruded_meshes, extruded_solid_mesh, prism_mesh
from bim_import.geometry import products_needing_geometry, tessellate
from bim_import.meshes import mesh_footprint, mesh_volume_m3
from bim_import.structure import ModelIndex
from models.geometry import Mesh
from tests.conftest import SHARED_IFC, shared_manifest

OK = [row["file"] for row in shared_manifest() if row["expect"] == "ok"]


def _signed_volume(mesh: Mesh) -> float:
    triangles = mesh.vertices[mesh.faces]
    return float(
        np.einsum("ij,ij->i", triangles[:, 0], np.cross(triangles[:, 1], triangles[:, 2])).sum()
        / 6.0
    )


def _edges_each_shared_by_two(mesh: Mesh) -> bool:
    edges = np.concatenate([mesh.faces[:, [0, 1]], mesh.faces[:, [1, 2]], mesh.faces[:, [2, 0]]])
    _, counts = np.unique(np.sort(edges, axis=1), axis=0, return_counts=True)
    return bool((counts == 2).all())


def test_a_concave_outline_makes_a_closed_outward_prism() -> None:
    # an L: 3 x 2 with a 2 x 1 notch cut out of its top right, listed clockwise
    outline = np.array([[0, 0], [0, 2], [1, 2], [1, 1], [3, 1], [3, 0]], dtype=float)
    mesh = prism_mesh(outline, np.array([0.0, 0.0, 2.5]))
    assert len(mesh.faces) == 2 * 4 + 2 * 6
    assert _edges_each_shared_by_two(mesh)
    assert _signed_volume(mesh) == pytest.approx(4.0 * 2.5)  # positive: faces point out
    footprint = mesh_footprint(mesh)
    assert footprint is not None and footprint.area == pytest.approx(4.0)


def test_a_slanted_downward_extrusion_still_faces_outwards() -> None:
    square = np.array([[0, 0], [2, 0], [2, 2], [0, 2]], dtype=float)
    mesh = prism_mesh(square, np.array([0.5, 0.0, -3.0]))
    assert _signed_volume(mesh) == pytest.approx(4.0 * 3.0)
    assert mesh.vertices[:, 2].min() == pytest.approx(-3.0)


def _compare_with_kernel(model: ifcopenshell.file) -> int:
    """Assert every prism equals the kernel's mesh of its product; return how many."""
    index = ModelIndex(model)
    length = ifcopenshell.util.unit.calculate_unit_scale(model)
    ours = extruded_meshes(products_needing_geometry(model), index, length)
    kernel = tessellate(model, [model.by_id(step_id) for step_id in ours]).meshes
    for step_id, mesh in ours.items():
        theirs = kernel[step_id]
        label = f"{model.by_id(step_id).is_a()} #{step_id}"
        assert _edges_each_shared_by_two(mesh), label
        assert mesh_volume_m3(mesh) == pytest.approx(mesh_volume_m3(theirs), rel=1e-6), label
        np.testing.assert_allclose(
            mesh.vertices.min(axis=0), theirs.vertices.min(axis=0), atol=1e-6
        )
        np.testing.assert_allclose(
            mesh.vertices.max(axis=0), theirs.vertices.max(axis=0), atol=1e-6
        )
    return len(ours)


@pytest.mark.parametrize("name", OK)
def test_prisms_equal_the_kernels_meshes_in_every_real_file(name: str, shared_ifc: Path) -> None:
    _compare_with_kernel(ifcopenshell.open(str(shared_ifc / name)))


def test_some_real_files_have_prisms(shared_ifc: Path) -> None:
    counts = {
        name: _compare_with_kernel(ifcopenshell.open(str(SHARED_IFC / name)))
        for name in ("Office_A_20110811.ifc", "duplex.ifc")
    }
    assert all(count > 50 for count in counts.values()), counts


def test_the_sample_campus_needs_no_kernel_at_all(tmp_path: Path) -> None:
    campus = pytest.importorskip("bim_import.sample.campus")
    files = campus.write_sample_campus(tmp_path / "campus.ifc", buildings=1, seed=1)
    model = ifcopenshell.open(str(files.ifc_files[0]))
    prisms = _compare_with_kernel(model)
    products = products_needing_geometry(model)
    round_segments = [
        p for p in products if p.is_a("IfcFlowSegment") and not p.is_a("IfcCableCarrierSegment")
    ]
    # everything but the round pipes and cables (rebuilt from their ports) is a prism
    assert prisms == len(products) - len(round_segments)


def test_an_extruded_solid_is_placed_by_its_position() -> None:
    ifc = ifcopenshell.file(schema="IFC4")
    profile = ifc.createIfcRectangleProfileDef("AREA", None, None, 2.0, 1.0)
    position = ifc.createIfcAxis2Placement3D(
        ifc.createIfcCartesianPoint([10.0, 0.0, 0.0]),
        ifc.createIfcDirection([0.0, 0.0, 1.0]),
        ifc.createIfcDirection([0.0, 1.0, 0.0]),  # turned a quarter: x along world y
    )
    solid = ifc.createIfcExtrudedAreaSolid(
        profile, position, ifc.createIfcDirection([0.0, 0.0, 1.0]), 3.0
    )
    mesh = extruded_solid_mesh(solid)
    assert mesh is not None and _edges_each_shared_by_two(mesh)
    np.testing.assert_allclose(mesh.vertices.min(axis=0), [9.5, -1.0, 0.0], atol=1e-12)
    np.testing.assert_allclose(mesh.vertices.max(axis=0), [10.5, 1.0, 3.0], atol=1e-12)
    assert _signed_volume(mesh) == pytest.approx(6.0)


def test_curve_outline_takes_straight_closed_curves_only() -> None:
    ifc = ifcopenshell.file(schema="IFC4")
    corners = [[0.0, 0.0], [2.0, 0.0], [2.0, 1.0], [0.0, 0.0]]
    polyline = ifc.createIfcPolyline([ifc.createIfcCartesianPoint(c) for c in corners])
    outline = curve_outline(polyline)
    assert outline is not None
    np.testing.assert_allclose(outline, corners[:3])  # without the closing point
    points = ifc.createIfcCartesianPointList2D([[0.0, 0.0], [2.0, 0.0], [1.0, 1.0]])
    arc = ifc.createIfcIndexedPolyCurve(points, [ifc.createIfcArcIndex([1, 2, 3])])
    assert curve_outline(arc) is None
