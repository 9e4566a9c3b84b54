"""Prisms over profile rings: closed, facing outwards, holes included."""

from __future__ import annotations

import numpy as np
import pytest

from bim_import.extrusions import prism_mesh
from bim_import.meshes import mesh_footprint
from models.geometry import Mesh


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
    assert mesh is not None
    assert len(mesh.faces) == 2 * 4 + 2 * 6
    assert _edges_each_shared_by_two(mesh)
    assert _signed_volume(mesh) == pytest.approx(4.0 * 2.5)  # positive: faces point out
    footprint = mesh_footprint(mesh)
    assert footprint is not None and footprint.area == pytest.approx(4.0)


def test_a_slanted_downward_extrusion_still_faces_outwards() -> None:
    square = np.array([[0, 0], [2, 0], [2, 2], [0, 2]], dtype=float)
    mesh = prism_mesh(square, np.array([0.5, 0.0, -3.0]))
    assert mesh is not None
    assert _signed_volume(mesh) == pytest.approx(4.0 * 3.0)
    assert mesh.vertices[:, 2].min() == pytest.approx(-3.0)


def test_a_profile_with_a_void_is_a_closed_prism_with_a_shaft() -> None:
    outer = np.array([[0, 0], [4, 0], [4, 3], [0, 3]], dtype=float)
    void = np.array([[1, 1], [2, 1], [2, 2], [1, 2]], dtype=float)  # same winding as outer
    mesh = prism_mesh(outer, np.array([0.0, 0.0, 2.0]), [void])
    assert mesh is not None
    assert _edges_each_shared_by_two(mesh)
    assert _signed_volume(mesh) == pytest.approx((12.0 - 1.0) * 2.0)
    footprint = mesh_footprint(mesh)
    assert footprint is not None
    assert footprint.area == pytest.approx(11.0)
    assert len(footprint.interiors) == 1


def test_a_void_outside_the_outline_is_refused() -> None:
    outer = np.array([[0, 0], [1, 0], [1, 1], [0, 1]], dtype=float)
    void = np.array([[2, 2], [3, 2], [3, 3], [2, 3]], dtype=float)
    assert prism_mesh(outer, np.array([0.0, 0.0, 1.0]), [void]) is None
