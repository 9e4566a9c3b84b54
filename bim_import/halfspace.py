"""Meshes minus half-space solids, in numpy and shapely, without the geometry kernel.

Authoring tools trim walls and slabs under a roof with `IfcBooleanClippingResult`:
a body minus an `IfcHalfSpaceSolid` (everything on one side of a plane), an
`IfcBoxedHalfSpace` (the same; its box only bounds it) or an
`IfcPolygonalBoundedHalfSpace` (the half space cut down to an infinite prism over
a polygon). Starting ifcopenshell's geometry kernel for these few bodies would cost
more memory than the whole rest of an import, so the cut is done here: every
triangle is clipped by the plane at once (numpy, over all triangles), then the
opening is closed by a cap, triangulated from the cut edges with shapely.

Conventions (IFC, checked against the kernel on the real files in `../shared/ifc`):
the plane is the `IfcPlane`'s Position (its Location and Axis, in the operand's
coordinates); AgreementFlag TRUE means the plane's normal points *away* from the
half-space solid, so the removed side is the one behind the normal, and FALSE means
the removed side is the one the normal points to. The polygonal boundary lies in
the XY plane of the half space's own Position (in the operand's coordinates too,
not the plane's), and the prism runs along that Position's Z both ways.
"""

from __future__ import annotations

import ifcopenshell
import numpy as np
import shapely

from bim_import.extrusions import curve_outline
from bim_import.structure import axis2placement_matrix
from models.geometry import FloatArray, Mesh

__all__ = ["clip_mesh", "subtract_half_space"]

_IndexArray = np.ndarray
# Vertices closer to a cutting plane than this share of the mesh's size count as on it.
_RELATIVE_TOLERANCE = 1e-7


def subtract_half_space(mesh: Mesh, operand: ifcopenshell.entity_instance) -> Mesh | None:
    """`mesh` minus the half-space solid `operand`, both in the same coordinates (file units).

    IfcHalfSpaceSolid (BaseSurface IfcPlane with its Position; AgreementFlag: which side
    is the solid), IfcBoxedHalfSpace (as a half space; Enclosure is only a bound),
    IfcPolygonalBoundedHalfSpace (the half space limited to the prism of PolygonalBoundary,
    an IfcPolyline / IfcIndexedPolyCurve in the XY plane of Position, extruded along its Z).
    Returns a closed triangle mesh (caps added where the cut opens the body), or None when
    it cannot (anything else; geom3's caller then leaves the product to the kernel).

    Exact cases: a plain or boxed half space; a polygonal-bounded one whose boundary
    holds all of the body's part in the half space (a plane cut) or none of it (the
    body unchanged). When the boundary holds only part of it, the boundary must be
    convex and the result is the union of closed pieces that meet on the side planes
    of the prism (exact volume and bounds, but the touching caps stay in the mesh);
    a non-convex boundary that cuts the body partly gives None, as do base surfaces
    other than an IfcPlane and boundaries of arcs or curves.
    """
    kind = operand.is_a()
    if kind not in ("IfcHalfSpaceSolid", "IfcBoxedHalfSpace", "IfcPolygonalBoundedHalfSpace"):
        return None
    plane = _solid_side(operand)
    if plane is None:
        return None
    point, normal = plane
    if kind != "IfcPolygonalBoundedHalfSpace":
        return clip_mesh(mesh, point, normal)
    boundary = _boundary(operand)
    if boundary is None:
        return None
    return _subtract_bounded(mesh, point, normal, *boundary)


def _solid_side(operand: ifcopenshell.entity_instance) -> tuple[FloatArray, FloatArray] | None:
    """A point of the base plane and its unit normal pointing into the solid, or None."""
    surface = operand.BaseSurface
    if not surface.is_a("IfcPlane"):
        return None
    matrix = axis2placement_matrix(surface.Position)
    normal = matrix[:3, 2] if operand.AgreementFlag is False else -matrix[:3, 2]
    return matrix[:3, 3].copy(), normal / np.linalg.norm(normal)


def _boundary(
    operand: ifcopenshell.entity_instance,
) -> tuple[shapely.Polygon, FloatArray] | None:
    """The boundary polygon in its own frame and that frame's 4x4 matrix, or None."""
    outline = curve_outline(operand.PolygonalBoundary)
    if outline is None:
        return None
    return shapely.Polygon(outline), axis2placement_matrix(operand.Position)


def clip_mesh(mesh: Mesh, point: FloatArray, normal: FloatArray) -> Mesh:
    """The part of the closed `mesh` behind the plane, where `(x - point) · normal <= 0`.

    `point` and `normal` are `(3,) float`. Triangles crossing the plane are split
    (all at once), those in front dropped, and where the body is cut open a cap on
    the plane closes it again, facing along `normal`. The result is empty when the
    whole body lies in front.

    >>> from bim_import.extrusions import prism_mesh
    >>> cube = prism_mesh(np.array([[0.0, 0], [1, 0], [1, 1], [0, 1]]), np.array([0, 0, 1.0]))
    >>> lower = clip_mesh(cube, np.array([0.0, 0.0, 0.25]), np.array([0.0, 0.0, 1.0]))
    >>> from bim_import.meshes import mesh_volume_m3
    >>> float(lower.vertices[:, 2].max()), round(mesh_volume_m3(lower), 9)
    (0.25, 0.25)
    """
    vertices, faces = _welded(mesh)
    if len(faces) == 0:
        return Mesh(vertices, faces.astype(np.uint32))
    distance = (vertices - point) @ normal
    tolerance = _RELATIVE_TOLERANCE * max(float(np.ptp(vertices, axis=0).max()), 1.0)
    distance[np.abs(distance) <= tolerance] = 0.0
    if (distance <= 0).all():
        return Mesh(vertices, faces.astype(np.uint32))
    vertices, faces, on_plane = _split(vertices, faces, distance)
    faces = _without_faces_turned_away(vertices, faces, on_plane, normal)
    vertices, cap = _cap(vertices, faces, on_plane, point, normal)
    return _compacted(vertices, np.vstack([faces, cap]))


def _welded(mesh: Mesh) -> tuple[FloatArray, _IndexArray]:
    """Vertices without exact duplicates, and faces without repeated corners."""
    vertices, inverse = np.unique(mesh.vertices, axis=0, return_inverse=True)
    faces = inverse.reshape(-1)[mesh.faces.astype(np.int64)]
    return vertices, faces[_proper(faces)]


def _proper(faces: _IndexArray) -> np.ndarray:
    return (
        (faces[:, 0] != faces[:, 1]) & (faces[:, 1] != faces[:, 2]) & (faces[:, 2] != faces[:, 0])
    )


def _split(
    vertices: FloatArray, faces: _IndexArray, distance: FloatArray
) -> tuple[FloatArray, _IndexArray, np.ndarray]:
    """Keep the triangles behind the plane, split the crossing ones, drop the rest.

    Returns the vertices (the cut points appended, one per crossed edge, so that
    neighbouring triangles share them), the kept faces and which vertices are on
    the plane.
    """
    ahead = distance[faces] > 0
    count = ahead.sum(axis=1)
    one = _rolled(faces[count == 1], np.argmax(ahead[count == 1], axis=1))
    two = _rolled(faces[count == 2], np.argmin(ahead[count == 2], axis=1))
    # the ends of each edge that may cross: first the vertex ahead, then the one behind
    ahead_ends = np.concatenate([one[:, 0], one[:, 0], two[:, 1], two[:, 2]])
    behind_ends = np.concatenate([one[:, 1], one[:, 2], two[:, 0], two[:, 0]])
    vertices, points = _edge_points(vertices, distance, ahead_ends, behind_ends)
    one_ab, one_ac, two_ba, two_ca = np.split(
        points, [len(one), 2 * len(one), 2 * len(one) + len(two)]
    )
    kept = np.vstack(
        [
            faces[count == 0],
            np.column_stack([one_ab, one[:, 1], one[:, 2]]),
            np.column_stack([one_ab, one[:, 2], one_ac]),
            np.column_stack([two[:, 0], two_ba, two_ca]),
        ]
    )
    on_plane = np.concatenate([distance == 0, np.ones(len(vertices) - len(distance), bool)])
    return vertices, kept[_proper(kept)], on_plane


def _rolled(faces: _IndexArray, first: np.ndarray) -> _IndexArray:
    """Each face's corners turned (orientation kept) so that corner `first` comes first."""
    order = (first[:, None] + np.arange(3)) % 3
    return np.take_along_axis(faces, order, axis=1)


def _edge_points(
    vertices: FloatArray, distance: FloatArray, ahead: _IndexArray, behind: _IndexArray
) -> tuple[FloatArray, _IndexArray]:
    """Where each edge (ahead, behind) meets the plane: the behind end when it is on it."""
    crossing = distance[behind] < 0
    low = np.minimum(ahead[crossing], behind[crossing])
    high = np.maximum(ahead[crossing], behind[crossing])
    keys, inverse = np.unique(low * len(vertices) + high, return_inverse=True)
    low, high = keys // len(vertices), keys % len(vertices)
    # from the sorted ends, so both triangles of an edge get the very same point
    share = distance[low] / (distance[low] - distance[high])
    cut = vertices[low] + share[:, None] * (vertices[high] - vertices[low])
    points = behind.copy()
    points[crossing] = len(vertices) + inverse.reshape(-1)
    return np.vstack([vertices, cut]), points


def _without_faces_turned_away(
    vertices: FloatArray, faces: _IndexArray, on_plane: np.ndarray, normal: FloatArray
) -> _IndexArray:
    """Drop faces lying in the plane with the body in front of them (it was cut away)."""
    flat = on_plane[faces].all(axis=1)
    if not flat.any():
        return faces
    corners = vertices[faces[flat]]
    facing = np.cross(corners[:, 1] - corners[:, 0], corners[:, 2] - corners[:, 0]) @ normal
    keep = np.ones(len(faces), bool)
    keep[np.flatnonzero(flat)[facing < 0]] = False
    return faces[keep]


def _open_edges(faces: _IndexArray, count: int) -> _IndexArray:
    """Directed edges `(k, 2)` whose reverse no face has: where the surface is open."""
    edges = np.concatenate([faces[:, [0, 1]], faces[:, [1, 2]], faces[:, [2, 0]]])
    forward = edges[:, 0] * count + edges[:, 1]
    backward = edges[:, 1] * count + edges[:, 0]
    return edges[~np.isin(forward, backward)]


def _plane_basis(normal: FloatArray) -> FloatArray:
    """`(2, 3)` unit vectors u, v in the plane with u × v = normal."""
    helper = np.array([1.0, 0.0, 0.0]) if abs(normal[0]) < 0.9 else np.array([0.0, 1.0, 0.0])
    u = np.cross(helper, normal)
    u /= np.linalg.norm(u)
    return np.array([u, np.cross(normal, u)])


def _cap(
    vertices: FloatArray,
    faces: _IndexArray,
    on_plane: np.ndarray,
    point: FloatArray,
    normal: FloatArray,
) -> tuple[FloatArray, _IndexArray]:
    """Triangles closing the cut: the open edges on the plane made into polygons."""
    edges = _open_edges(faces, len(vertices))
    edges = edges[on_plane[edges].all(axis=1)]
    if len(edges) == 0:
        return vertices, np.empty((0, 3), np.int64)
    basis = _plane_basis(normal)
    flat = (vertices - point) @ basis.T
    area = shapely.build_area(shapely.multilinestrings(flat[edges]))
    triangles = shapely.get_parts(shapely.constrained_delaunay_triangles(area))
    corners = shapely.get_coordinates(triangles).reshape(-1, 4, 2)[:, :3]
    lookup = {tuple(flat[i]): int(i) for i in np.unique(edges)}
    vertices, cap = _indexed(vertices, corners, lookup, point, basis)
    first, second, third = (corners[:, n] for n in range(3))
    (ax, ay), (bx, by) = (second - first).T, (third - first).T
    turn = ax * by - ay * bx
    return vertices, np.where((turn < 0)[:, None], cap[:, ::-1], cap)


def _indexed(
    vertices: FloatArray,
    corners: FloatArray,
    lookup: dict[tuple[float, ...], int],
    point: FloatArray,
    basis: FloatArray,
) -> tuple[FloatArray, _IndexArray]:
    """Corner indices of the cap triangles; a corner not on an open edge becomes a vertex."""
    added: list[FloatArray] = []
    indices = np.empty(corners.shape[:2], np.int64)
    for (row, column), corner in zip(
        np.ndindex(indices.shape), corners.reshape(-1, 2), strict=True
    ):
        key = (float(corner[0]), float(corner[1]))
        if key not in lookup:
            lookup[key] = len(vertices) + len(added)
            added.append(point + corner @ basis)
        indices[row, column] = lookup[key]
    return (np.vstack([vertices, *added]) if added else vertices), indices


def _compacted(vertices: FloatArray, faces: _IndexArray) -> Mesh:
    used, inverse = np.unique(faces, return_inverse=True)
    return Mesh(vertices[used], inverse.reshape(-1, 3).astype(np.uint32))


def _subtract_bounded(
    mesh: Mesh, point: FloatArray, normal: FloatArray, boundary: shapely.Polygon, frame: FloatArray
) -> Mesh | None:
    """`mesh` minus the half space in front of the plane and inside the boundary's prism."""
    inside_half = clip_mesh(mesh, point, -normal)
    if inside_half.is_empty:
        return clip_mesh(mesh, point, normal)
    plan = (inside_half.vertices - frame[:3, 3]) @ frame[:3, :2]
    hull = shapely.MultiPoint(plan).convex_hull
    tolerance = _RELATIVE_TOLERANCE * max(float(np.ptp(mesh.vertices, axis=0).max()), 1.0)
    if hull.within(boundary.buffer(tolerance)):
        return clip_mesh(mesh, point, normal)
    if not hull.intersects(boundary.buffer(-tolerance)):
        return mesh
    if not boundary.equals(boundary.convex_hull):
        return None
    pieces = [clip_mesh(mesh, point, normal)]
    rest = inside_half
    for side_point, side_normal in _side_planes(boundary, frame):
        pieces.append(clip_mesh(rest, side_point, -side_normal))
        rest = clip_mesh(rest, side_point, side_normal)
    return _joined([piece for piece in pieces if not piece.is_empty])


def _side_planes(
    boundary: shapely.Polygon, frame: FloatArray
) -> list[tuple[FloatArray, FloatArray]]:
    """Each side of the (convex) boundary's prism: a point and the outward unit normal."""
    ring = np.asarray(shapely.orient_polygons(boundary).exterior.coords)  # counter-clockwise
    starts, ends = ring[:-1], ring[1:]
    along = ends - starts
    outward = np.column_stack([along[:, 1], -along[:, 0], np.zeros(len(along))])
    outward /= np.linalg.norm(outward, axis=1)[:, None]
    points = np.column_stack([starts, np.zeros(len(starts))]) @ frame[:3, :3].T + frame[:3, 3]
    return list(zip(points, outward @ frame[:3, :3].T, strict=True))


def _joined(meshes: list[Mesh]) -> Mesh:
    offsets = np.cumsum([0] + [len(mesh.vertices) for mesh in meshes[:-1]])
    return Mesh(
        np.vstack([mesh.vertices for mesh in meshes]),
        np.vstack(
            [mesh.faces + offset for mesh, offset in zip(meshes, offsets, strict=True)]
        ).astype(np.uint32),
    )
