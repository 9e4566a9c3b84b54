"""Faceted bodies and surfaces tessellated with numpy: Breps, surface models, face sets.

`IfcFacetedBrep` (and the outer shell of `IfcFacetedBrepWithVoids`),
`IfcFaceBasedSurfaceModel` and `IfcShellBasedSurfaceModel` are lists of planar faces,
each an outer `IfcPolyLoop` and maybe holes; the IFC4 `IfcTriangulatedFaceSet` and
`IfcPolygonalFaceSet` give the same as indices into a point list. Their mesh is those
faces triangulated:
triangles as they are, quads split along the diagonal that keeps both halves facing
the quad's way (done for all of them at once), any other face projected onto its plane
and triangulated with its holes (`bim_import.triangulation`). A loop whose
`Orientation` is false runs the other way. Vertices are welded by their
`IfcCartesianPoint`, so a closed shell gives a closed mesh. Surface models (and some
Breps) list their faces in no consistent winding, as the kernel takes them; the
triangles are turned to agree with their neighbours and each closed piece to face
outwards (`consistently_wound`), as the kernel gives them: volumes and footprints read
the winding. Faces bounded by anything but poly loops give None (the kernel's job);
faces of no area are dropped.
"""

from __future__ import annotations

import ifcopenshell
import numpy as np
import numpy.typing as npt

from bim_import.attributes import attribute_or
from bim_import.linear import matvec, norm
from bim_import.triangulation import IndexArray, ring_triangles
from models.geometry import FloatArray, Mesh

__all__ = ["FACETED_CLASSES", "consistently_wound", "faceted_mesh"]

FACETED_CLASSES = (
    "IfcFacetedBrep",
    "IfcFacetedBrepWithVoids",
    "IfcFaceBasedSurfaceModel",
    "IfcShellBasedSurfaceModel",
    "IfcTriangulatedFaceSet",
    "IfcPolygonalFaceSet",
)

# Attributes by position: IfcManifoldSolidBrep Outer 0; IfcFaceBasedSurfaceModel
# FbsmFaces 0; IfcShellBasedSurfaceModel SbsmBoundary 0; IfcConnectedFaceSet CfsFaces
# 0; IfcFace Bounds 0; IfcFaceBound Bound 0, Orientation 1; IfcPolyLoop Polygon 0;
# IfcCartesianPoint Coordinates 0.


def faceted_mesh(item: ifcopenshell.entity_instance) -> Mesh | None:
    """The triangles of a faceted item, in its own coordinates (file units), or None."""
    if item.is_a() in ("IfcTriangulatedFaceSet", "IfcPolygonalFaceSet"):
        return _face_set_mesh(item)
    if item.is_a() in ("IfcFacetedBrep", "IfcFacetedBrepWithVoids"):
        shells = [item.get_argument(0)]
    elif item.is_a() in ("IfcFaceBasedSurfaceModel", "IfcShellBasedSurfaceModel"):
        shells = list(item.get_argument(0))
    else:
        return None
    welded = _Welded()
    loops: list[list[IndexArray]] = []
    for shell in shells:
        for face in shell.get_argument(0):
            face_loops = welded.loops(face)
            if face_loops is None:
                return None
            loops.append(face_loops)
    return _mesh(welded.vertices(), loops)


def _mesh(vertices: FloatArray, loops: list[list[IndexArray]]) -> Mesh | None:
    faces = np.vstack([np.empty((0, 3), dtype=np.int64), *_triangles(loops, vertices)])
    if len(faces) == 0:
        return None
    return Mesh(vertices, consistently_wound(faces, vertices).astype(np.uint32))


def _face_set_mesh(item: ifcopenshell.entity_instance) -> Mesh | None:
    """An IfcTriangulatedFaceSet or IfcPolygonalFaceSet (indices count from 1).

    Read by name: the attributes' positions differ between IFC4 and IFC4X3.
    """
    vertices = np.array(item.Coordinates.CoordList, dtype=float).reshape(-1, 3)
    lookup = np.arange(len(vertices))
    if item.PnIndex:  # the face indices point into PnIndex, which points into the list
        lookup = np.array(item.PnIndex, dtype=np.int64) - 1
    if item.is_a("IfcTriangulatedFaceSet"):
        triangles = lookup[np.array(item.CoordIndex, dtype=np.int64).reshape(-1, 3) - 1]
        loops = [[triangle] for triangle in triangles]
    else:
        loops = [
            [lookup[np.array(ring, dtype=np.int64) - 1] for ring in _face_rings(face)]
            for face in item.Faces
        ]
    return _mesh(vertices, loops)


def _face_rings(face: ifcopenshell.entity_instance) -> list[tuple[int, ...]]:
    """An IfcIndexedPolygonalFace's outer ring, then its voids (...WithVoids)."""
    return [face.CoordIndex, *(attribute_or(face, "InnerCoordIndices") or ())]


class _Welded:
    """Loops as indices into one vertex list, one vertex per IfcCartesianPoint."""

    def __init__(self) -> None:
        self._index: dict[int, int] = {}
        self._coordinates: list[tuple[float, ...]] = []

    def loops(self, face: ifcopenshell.entity_instance) -> list[IndexArray] | None:
        """The face's outer loop first, then its holes; None if a bound is no poly loop."""
        outer: list[IndexArray] = []
        inner: list[IndexArray] = []
        for bound in face.get_argument(0):
            loop = bound.get_argument(0)
            if not loop.is_a("IfcPolyLoop"):
                return None
            indices = np.array([self._vertex(point) for point in loop.get_argument(0)])
            if not bound.get_argument(1):
                indices = indices[::-1]
            (outer if bound.is_a("IfcFaceOuterBound") else inner).append(indices)
        if not outer:  # no bound marked outer: the first is
            if not inner:
                return []
            outer, inner = inner[:1], inner[1:]
        return outer[:1] + outer[1:] + inner

    def _vertex(self, point: ifcopenshell.entity_instance) -> int:
        number = self._index.get(point.id())
        if number is None:
            number = self._index[point.id()] = len(self._coordinates)
            coordinates = tuple(float(v) for v in point.get_argument(0))
            self._coordinates.append(coordinates + (0.0,) * (3 - len(coordinates)))
        return number

    def vertices(self) -> FloatArray:
        return np.array(self._coordinates, dtype=float).reshape(-1, 3)


def _triangles(loops: list[list[IndexArray]], vertices: FloatArray) -> list[IndexArray]:
    """Triangles of every face: triangles and quads at once, the others one by one."""
    simple = [face[0] for face in loops if len(face) == 1 and len(face[0]) in (3, 4)]
    parts = [np.array([t for t in simple if len(t) == 3], dtype=np.int64).reshape(-1, 3)]
    quads = np.array([q for q in simple if len(q) == 4], dtype=np.int64).reshape(-1, 4)
    parts.append(_quad_triangles(quads, vertices))
    for face in loops:
        if face and (len(face) > 1 or len(face[0]) > 4):
            parts.append(_polygon_triangles(face, vertices))
    return parts


def _quad_triangles(quads: IndexArray, vertices: FloatArray) -> IndexArray:
    a, b, c, d = (vertices[quads[:, n]] for n in range(4))
    # split along a-c unless its two halves face opposite ways (a concave corner at b or d)
    along_ac = np.einsum("ij,ij->i", _cross(b - a, c - a), _cross(c - a, d - a)) >= 0
    first = np.where(along_ac[:, None], quads[:, [0, 1, 2]], quads[:, [1, 2, 3]])
    second = np.where(along_ac[:, None], quads[:, [0, 2, 3]], quads[:, [1, 3, 0]])
    return np.vstack([first, second])


def _polygon_triangles(face: list[IndexArray], vertices: FloatArray) -> IndexArray:
    """A planar face with holes, projected onto its plane; faces of no area give none."""
    normal = _newell_normal(vertices[face[0]])
    length = norm(normal)
    if length < 1e-12:
        return np.empty((0, 3), dtype=np.int64)
    normal /= length
    helper = np.array([1.0, 0.0, 0.0]) if abs(normal[0]) < 0.9 else np.array([0.0, 1.0, 0.0])
    u = _cross(normal[None], helper[None])[0]
    u /= norm(u)
    v = _cross(normal[None], u[None])[
        0
    ]  # u, v, normal right-handed: counter-clockwise in plan is outwards
    rings = [
        np.column_stack([matvec(vertices[loop], u), matvec(vertices[loop], v)]) for loop in face
    ]
    triangles = ring_triangles(rings)
    if triangles is None:
        return np.empty((0, 3), dtype=np.int64)
    return np.concatenate(face)[triangles]


def _newell_normal(points: FloatArray) -> FloatArray:
    following = np.concatenate([points[1:], points[:1]])
    return np.array(
        [
            np.sum((points[:, 1] - following[:, 1]) * (points[:, 2] + following[:, 2])),
            np.sum((points[:, 2] - following[:, 2]) * (points[:, 0] + following[:, 0])),
            np.sum((points[:, 0] - following[:, 0]) * (points[:, 1] + following[:, 1])),
        ]
    )


def consistently_wound(triangles: IndexArray, vertices: FloatArray) -> IndexArray:
    """`triangles` ((m, 3) indices) turned so that neighbours agree and closed pieces face out.

    Two triangles sharing an edge agree when they run along it in opposite directions.
    Where they do not (surface models list faces either way), each connected piece
    takes the winding of its first triangle. Then each closed piece that encloses a
    negative volume is turned over. (trimesh's `fix_normals` does the like, but loading
    trimesh costs ~67 MiB, more than the geometry kernel this module saves.)
    """
    count = len(triangles)
    directed = triangles[:, [0, 1, 1, 2, 2, 0]].reshape(-1, 2)
    low, high = directed.min(axis=1), directed.max(axis=1)
    keys = low * (int(high.max(initial=0)) + 1) + high
    order = np.argsort(keys)
    shared = keys[order[1:]] == keys[order[:-1]]
    first, second = order[:-1][shared], order[1:][shared]
    forward = directed[:, 0] < directed[:, 1]
    # neighbours running along the shared edge the same way disagree: one must turn
    disagree = forward[first] == forward[second]
    # an edge used by exactly two triangles: one pair, not part of a longer run
    pair = shared & ~np.concatenate([[False], shared[:-1]]) & ~np.concatenate([shared[1:], [False]])
    closed = np.zeros(len(keys), dtype=bool)
    closed[order[:-1][pair]] = closed[order[1:][pair]] = True
    closed_corners = closed.reshape(-1, 3)
    if disagree.any():
        turned, piece = _spread_winding(count, first // 3, second // 3, disagree)
        wound = np.where(turned[:, None], triangles[:, ::-1], triangles)
    else:  # the common case: only the pieces are needed, found without a Python loop
        wound, piece = triangles.copy(), _pieces(count, first // 3, second // 3)
    # the labels in use (np.unique would load numpy.ma: ~1 MiB the import otherwise spares)
    for number in np.flatnonzero(np.bincount(piece)).tolist():
        members = piece == number
        if closed_corners[members].all() and _signed_volume(vertices, wound[members]) < 0:
            wound[members] = wound[members][:, ::-1]
    return wound


def _pieces(count: int, first: IndexArray, second: IndexArray) -> IndexArray:
    """A label per triangle, equal within each connected piece (vectorised union-find)."""
    labels = np.arange(count)
    while True:
        lowest = np.minimum(labels[first], labels[second])
        np.minimum.at(labels, first, lowest)
        np.minimum.at(labels, second, lowest)
        labels = labels[labels]  # pointer jumping: each label to its label's label
        if (labels[first] == labels[second]).all():
            return labels


def _spread_winding(
    count: int, first: IndexArray, second: IndexArray, disagree: npt.NDArray[np.bool_]
) -> tuple[npt.NDArray[np.bool_], IndexArray]:
    """Which triangles to turn over, and the connected piece of each.

    Triangles `first[k]` and `second[k]` are neighbours, and `disagree[k]` says whether
    one must turn for the two to agree. Each piece takes the winding of its lowest
    triangle, spread depth first. The neighbours are held as arrays (each triangle's
    run of them in the order of the pairs), not as a list of tuples per triangle: a
    surface model of a few thousand faces held ~1.4 MiB of those at once.
    """
    sources = np.column_stack([first, second]).ravel()
    order = np.argsort(sources, kind="stable")
    others = np.column_stack([second, first]).ravel()[order]
    flips = np.repeat(disagree, 2)[order]
    bounds = np.searchsorted(sources[order], np.arange(count + 1)).tolist()
    turned = np.zeros(count, dtype=bool)
    piece = np.full(count, -1, dtype=np.int64)
    pieces = 0
    for start in range(count):
        if piece[start] >= 0:
            continue
        piece[start] = pieces
        queue = [start]
        while queue:
            current = queue.pop()
            run = slice(bounds[current], bounds[current + 1])
            for other, flip in zip(others[run].tolist(), flips[run].tolist(), strict=True):
                if piece[other] < 0:
                    piece[other] = pieces
                    turned[other] = turned[current] != flip
                    queue.append(other)
        pieces += 1
    return turned, piece


def _signed_volume(vertices: FloatArray, triangles: IndexArray) -> float:
    a, b, c = (vertices[triangles[:, n]] for n in range(3))
    return float(np.einsum("ij,ij->i", a, _cross(b, c)).sum())


def _cross(a: FloatArray, b: FloatArray) -> FloatArray:
    """Row-wise cross products of `(n, 3)` arrays (np.cross is slow on small arrays)."""
    return np.column_stack(
        [
            a[:, 1] * b[:, 2] - a[:, 2] * b[:, 1],
            a[:, 2] * b[:, 0] - a[:, 0] * b[:, 2],
            a[:, 0] * b[:, 1] - a[:, 1] * b[:, 0],
        ]
    )
