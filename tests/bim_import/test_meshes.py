"""Plan outlines of meshes: hulls of walls and doors, made for many meshes at once."""

from __future__ import annotations

import numpy as np
import shapely

from bim_import.meshes import mesh_hulls
from models.geometry import Mesh


def _box(x0: float, y0: float, x1: float, y1: float) -> Mesh:
    corners = np.array(
        [[x, y, z] for z in (0.0, 3.0) for x, y in ((x0, y0), (x1, y0), (x1, y1), (x0, y1))]
    )
    faces = np.array([[0, 1, 2], [0, 2, 3], [4, 6, 5], [4, 7, 6]], dtype=np.uint32)
    return Mesh(corners, faces)


def test_each_mesh_gets_its_own_hull_in_order() -> None:
    wall, door = _box(0.0, 0.0, 5.0, 0.2), _box(2.0, -0.1, 2.9, 0.3)
    # a mesh standing in one vertical plane has no area in plan
    flat = Mesh(
        np.array([[0.0, 0.0, 0.0], [1.0, 0.0, 0.0], [1.0, 0.0, 2.0]]),
        np.array([[0, 1, 2]], dtype=np.uint32),
    )
    hulls = mesh_hulls([wall, flat, door])
    assert hulls[1] is None
    assert hulls[0] is not None and hulls[2] is not None
    assert hulls[0].equals(shapely.box(0.0, 0.0, 5.0, 0.2))
    assert hulls[2].equals(shapely.box(2.0, -0.1, 2.9, 0.3))
    assert mesh_hulls([]) == []


def test_a_one_vertex_mesh_among_others_has_no_hull() -> None:
    """A mesh collapsed to one point cannot be a line: the hulls then come from points."""
    wall = _box(0.0, 0.0, 5.0, 0.2)
    point = Mesh(np.array([[1.0, 1.0, 0.0]]), np.array([[0, 0, 0]], dtype=np.uint32))
    hulls = mesh_hulls([wall, point])
    assert hulls[1] is None
    assert hulls[0] is not None and hulls[0].equals(shapely.box(0.0, 0.0, 5.0, 0.2))


def test_hulls_of_lines_equal_hulls_of_points() -> None:
    """The hull made through a line of the vertices is the one of the vertices themselves."""
    rng = np.random.default_rng(7)
    meshes = [
        Mesh(rng.normal(size=(count, 3)), np.array([[0, 1, 2]], dtype=np.uint32))
        for count in (3, 4, 10, 57)
    ]
    for mesh, hull in zip(meshes, mesh_hulls(meshes), strict=True):
        assert hull is not None
        expected = shapely.MultiPoint(mesh.vertices[:, :2]).convex_hull
        assert shapely.to_wkb(hull) == shapely.to_wkb(expected)
