"""Faceted Breps and surface models: holes in faces, loop orientation, winding repaired."""

from __future__ import annotations

import numpy as np
import pytest

from bim_import.faces import consistently_wound, faceted_mesh
from bim_import.meshes import mesh_footprint
from tests.handmade_ifc import HandmadeModel

Point = tuple[float, float, float]

# the unit cube's faces, each listed counter-clockwise seen from outside
_CUBE: dict[str, list[Point]] = {
    "bottom": [(0, 0, 0), (0, 1, 0), (1, 1, 0), (1, 0, 0)],
    "front": [(0, 0, 0), (1, 0, 0), (1, 0, 1), (0, 0, 1)],
    "right": [(1, 0, 0), (1, 1, 0), (1, 1, 1), (1, 0, 1)],
    "back": [(1, 1, 0), (0, 1, 0), (0, 1, 1), (1, 1, 1)],
    "left": [(0, 1, 0), (0, 0, 0), (0, 0, 1), (0, 1, 1)],
}
_TOP: list[Point] = [(0, 0, 1), (1, 0, 1), (1, 1, 1), (0, 1, 1)]
_HOLE: list[Point] = [(0.25, 0.25, 1), (0.75, 0.25, 1), (0.75, 0.75, 1), (0.25, 0.75, 1)]


def _volume(vertices: np.ndarray, faces: np.ndarray) -> float:
    corners = vertices[faces]
    return float(
        np.einsum("ij,ij->i", corners[:, 0], np.cross(corners[:, 1], corners[:, 2])).sum() / 6.0
    )


def test_a_brep_cube_whose_top_has_a_hole_filled_by_another_face_is_closed() -> None:
    model = HandmadeModel()
    faces = [model.poly_loop_face(loop) for loop in _CUBE.values()]
    faces.append(model.poly_loop_face(_TOP, holes=[_HOLE]))
    faces.append(model.poly_loop_face(_HOLE))
    brep = model.file.createIfcFacetedBrep(model.file.createIfcClosedShell(faces))
    mesh = faceted_mesh(brep)
    assert mesh is not None
    assert len(mesh.vertices) == 12  # welded by IfcCartesianPoint
    edges = np.sort(mesh.faces[:, [0, 1, 1, 2, 2, 0]].reshape(-1, 2), axis=1)
    _, counts = np.unique(edges, axis=0, return_counts=True)
    assert (counts == 2).all()
    assert _volume(mesh.vertices, mesh.faces) == pytest.approx(1.0)
    footprint = mesh_footprint(mesh)
    assert footprint is not None and footprint.area == pytest.approx(1.0)


def test_a_loop_with_orientation_false_runs_the_other_way() -> None:
    model = HandmadeModel()
    reversed_bottom = model.file.createIfcFaceOuterBound(
        model.file.createIfcPolyLoop([model.point(*p) for p in _CUBE["bottom"][::-1]]), False
    )
    face = model.file.createIfcFace([reversed_bottom])
    mesh = faceted_mesh(
        model.file.createIfcFaceBasedSurfaceModel([model.file.createIfcConnectedFaceSet([face])])
    )
    assert mesh is not None
    normal = np.cross(*(mesh.vertices[mesh.faces[0, 1:]] - mesh.vertices[mesh.faces[0, 0]]))
    assert normal[2] < 0  # the bottom faces down, as its loop says once reversed


def test_a_surface_model_with_faces_wound_both_ways_comes_out_facing_outwards() -> None:
    model = HandmadeModel()
    loops = [*_CUBE.values(), _TOP]
    loops[0] = loops[0][::-1]  # the bottom faces in, as in Office_A's ceilings
    loops[3] = loops[3][::-1]
    faces = [model.poly_loop_face(loop) for loop in loops]
    surface = model.file.createIfcFaceBasedSurfaceModel(
        [model.file.createIfcConnectedFaceSet(faces)]
    )
    mesh = faceted_mesh(surface)
    assert mesh is not None
    assert _volume(mesh.vertices, mesh.faces) == pytest.approx(1.0)


def test_consistently_wound_turns_a_closed_piece_facing_in_inside_out() -> None:
    vertices = np.array([[0, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1]], dtype=float)
    inward = np.array([[0, 1, 2], [0, 3, 1], [0, 2, 3], [1, 3, 2]])[:, ::-1]
    wound = consistently_wound(inward, vertices)
    assert _volume(vertices, wound) == pytest.approx(1.0 / 6.0)


def test_each_open_piece_takes_the_winding_of_its_first_triangle() -> None:
    # two strips of two triangles, listed interleaved; in each the second runs along
    # the shared edge the same way as the first, so it is the one turned over
    vertices = np.array([[x, y, 0.0] for x, y in [(0, 0), (1, 0), (0, 1), (1, 1)]] * 2)
    vertices[4:, 2] = 5.0
    triangles = np.array([[0, 1, 2], [4, 5, 6], [1, 2, 3], [5, 6, 7]])
    wound = consistently_wound(triangles, vertices)
    assert wound.tolist() == [[0, 1, 2], [4, 5, 6], [3, 2, 1], [7, 6, 5]]


def test_a_face_bounded_by_a_curve_is_left_to_the_kernel() -> None:
    model = HandmadeModel()
    loop = model.file.createIfcEdgeLoop([])
    face = model.file.createIfcFace([model.file.createIfcFaceOuterBound(loop, True)])
    surface = model.file.createIfcFaceBasedSurfaceModel(
        [model.file.createIfcConnectedFaceSet([face])]
    )
    assert faceted_mesh(surface) is None


def test_a_triangulated_face_set_through_pn_index_is_the_cube() -> None:
    model = HandmadeModel()
    corners = sorted({p for loop in [*_CUBE.values(), _TOP] for p in loop})
    number = {p: n + 1 for n, p in enumerate(corners)}
    triangles = []
    for loop in [*_CUBE.values(), _TOP]:
        a, b, c, d = (number[p] for p in loop)
        triangles += [(a, b, c), (a, c, d)]
    # PnIndex reverses the point list: the face indices go through it
    listed = corners[::-1]
    pn_index = [len(corners) - n for n in range(len(corners))]
    face_set = model.file.createIfcTriangulatedFaceSet(
        model.file.createIfcCartesianPointList3D(listed), None, True, triangles, pn_index
    )
    mesh = faceted_mesh(face_set)
    assert mesh is not None
    assert _volume(mesh.vertices, mesh.faces) == pytest.approx(1.0)


def test_a_polygonal_face_set_with_a_void_face_is_closed() -> None:
    model = HandmadeModel()
    corners = sorted({p for loop in [*_CUBE.values(), _TOP, _HOLE] for p in loop})
    number = {p: n + 1 for n, p in enumerate(corners)}
    file = model.file
    faces = [
        file.createIfcIndexedPolygonalFace([number[p] for p in loop]) for loop in _CUBE.values()
    ]
    faces.append(
        file.createIfcIndexedPolygonalFaceWithVoids(
            [number[p] for p in _TOP], [[number[p] for p in _HOLE]]
        )
    )
    faces.append(file.createIfcIndexedPolygonalFace([number[p] for p in _HOLE]))
    face_set = file.createIfcPolygonalFaceSet(
        file.createIfcCartesianPointList3D(corners), True, faces, None
    )
    mesh = faceted_mesh(face_set)
    assert mesh is not None
    assert _volume(mesh.vertices, mesh.faces) == pytest.approx(1.0)
    footprint = mesh_footprint(mesh)
    assert footprint is not None and footprint.area == pytest.approx(1.0)
