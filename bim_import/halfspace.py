"""Meshes minus half-space solids, in numpy and shapely, without the geometry kernel.

Authoring tools trim walls and slabs under a roof with `IfcBooleanClippingResult`:
a body minus an `IfcHalfSpaceSolid` (everything on one side of a plane), an
`IfcBoxedHalfSpace` (the same; its box only bounds it) or an
`IfcPolygonalBoundedHalfSpace` (the half space cut down to an infinite prism over
a polygon). Starting ifcopenshell's geometry kernel for these few bodies costs ~17 MiB of
peak memory on the real files (mostly its code; `bench/halfspace_bench.py`), more
than the import's memory goal leaves, so the cut is done here instead: every
triangle is clipped by the plane at once (numpy, over all triangles), then the
opening is closed by a cap, triangulated from the cut edges with shapely. A
polygonal bound is handled exactly too: the surface is split by each plane of the
bounded solid, and each of its faces is capped where it lies inside the body.

Conventions (IFC, checked against the kernel on the real files in `../shared/ifc`):
the plane is the `IfcPlane`'s Position (its Location and Axis, in the operand's
coordinates); AgreementFlag TRUE means the plane's normal points *away* from the
half-space solid, so the removed side is the one behind the normal, and FALSE means
the removed side is the one the normal points to. The polygonal boundary lies in
the XY plane of the half space's own Position (in the operand's coordinates too,
not the plane's), and the prism runs along that Position's Z both ways.
"""

from __future__ import annotations

import logging
from typing import NamedTuple

import ifcopenshell
import numpy as np
import shapely

from bim_import.linear import apply, dot, matmul, matvec, norm
from bim_import.profiles import curve_points
from bim_import.structure import axis2placement_matrix
from models.geometry import FloatArray, Mesh

__all__ = ["clip_mesh", "subtract_half_space"]

log = logging.getLogger(__name__)

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
    it cannot (anything else; `bim_import.bodies` then leaves the product to the kernel).

    Every supported case is exact. A polygonal-bounded half space whose boundary holds
    all of the body's part in the half space is a plane cut, one that holds none of
    it leaves the body unchanged; otherwise the surface is split by the plane and by
    every side of the boundary's prism, the pieces inside both are dropped and each
    face of that solid is capped where it lies inside the body (any simple boundary,
    convex or not). None for: other operands (IfcBlock, meshes, boolean results...),
    a base surface other than an IfcPlane, a boundary with arcs or that is not a
    valid polygon, a prism running parallel to the plane (a bound that would not
    bound), and a closed body whose cut came out open or whose section GEOS could not
    make into polygons (never seen in the real files or in random tests; a check).

    >>> import ifcopenshell
    >>> from bim_import.extrusions import prism_mesh
    >>> ifc = ifcopenshell.file(schema="IFC4")
    >>> roof = ifc.createIfcPlane(ifc.createIfcAxis2Placement3D(
    ...     ifc.createIfcCartesianPoint([0.0, 0.0, 2.0]), ifc.createIfcDirection([1.0, 0.0, 1.0])))
    >>> wall = prism_mesh(np.array([[0.0, 0], [2, 0], [2, 1], [0, 1]]), np.array([0, 0, 3.0]))
    >>> gable = subtract_half_space(wall, ifc.createIfcHalfSpaceSolid(roof, False))
    >>> gable.vertices.max(axis=0).round(9).tolist()  # x + z > 2 removed
    [2.0, 1.0, 2.0]
    """
    try:
        result = _subtracted(mesh, operand)
    except shapely.errors.GEOSException as error:  # a section GEOS cannot make polygons of
        log.debug("half space #%d left to the kernel: %s", operand.id(), error)
        return None
    if result is not None and not _is_closed(result) and _is_closed(Mesh(*_welded(mesh))):
        log.debug("half space #%d left to the kernel: the cut came out open", operand.id())
        return None
    return result


def _subtracted(mesh: Mesh, operand: ifcopenshell.entity_instance) -> Mesh | None:
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
    return matrix[:3, 3].copy(), normal / norm(normal)


def _boundary(
    operand: ifcopenshell.entity_instance,
) -> tuple[shapely.Polygon, FloatArray] | None:
    """The boundary polygon in its own frame and that frame's 4x4 matrix, or None."""
    outline = _boundary_outline(operand.PolygonalBoundary)
    if outline is None:
        return None
    polygon = shapely.remove_repeated_points(shapely.Polygon(outline))
    return polygon, axis2placement_matrix(operand.Position)


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
    normal = normal / norm(normal)
    vertices, faces = _welded(mesh)
    tolerance = _tolerance(vertices)
    distance = _distance(vertices, point, normal, tolerance)
    if (distance <= 0).all():
        return Mesh(vertices, faces.astype(np.uint32))
    vertices, faces, _ = _split(vertices, faces, distance)
    plane = _Face(point, normal)
    faces = faces[~_lying_on(vertices, faces, plane, tolerance)]
    vertices, cap = _cap(vertices, faces, plane, tolerance)
    return _compacted(vertices, np.vstack([faces, cap]))


def _welded(mesh: Mesh) -> tuple[FloatArray, _IndexArray]:
    """Vertices without exact duplicates, and faces without repeated corners."""
    if len(mesh.vertices) == 0:
        return np.empty((0, 3)), np.empty((0, 3), np.int64)
    vertices, inverse = np.unique(mesh.vertices, axis=0, return_inverse=True)
    faces = inverse.reshape(-1)[mesh.faces.astype(np.int64)]
    return vertices, faces[_proper(faces)]


def _tolerance(vertices: FloatArray) -> float:
    size = float(np.ptp(vertices, axis=0).max()) if len(vertices) else 0.0
    return _RELATIVE_TOLERANCE * max(size, 1.0)


def _distance(
    vertices: FloatArray, point: FloatArray, normal: FloatArray, tolerance: float
) -> FloatArray:
    """Signed distances to the plane, 0 for vertices within `tolerance` of it."""
    distance = matvec(vertices - point, normal)
    distance[np.abs(distance) <= tolerance] = 0.0
    return distance


def _proper(faces: _IndexArray) -> np.ndarray:
    return (
        (faces[:, 0] != faces[:, 1]) & (faces[:, 1] != faces[:, 2]) & (faces[:, 2] != faces[:, 0])
    )


def _split(
    vertices: FloatArray, faces: _IndexArray, distance: FloatArray
) -> tuple[FloatArray, _IndexArray, _IndexArray]:
    """The triangles split by the plane: the vertices, the faces behind it and those ahead.

    The cut points are appended to the vertices, one per crossed edge, so that the
    triangles on either side of an edge share it and the surface stays closed.
    """
    ahead = distance[faces] > 0
    count = ahead.sum(axis=1)
    one = _rolled(faces[count == 1], np.argmax(ahead[count == 1], axis=1))
    two = _rolled(faces[count == 2], np.argmin(ahead[count == 2], axis=1))
    # the ends of each edge that may cross: first the vertex ahead, then the one behind
    ahead_ends = np.concatenate([one[:, 0], one[:, 0], two[:, 1], two[:, 2]])
    behind_ends = np.concatenate([one[:, 1], one[:, 2], two[:, 0], two[:, 0]])
    vertices, points = _edge_points(vertices, distance, ahead_ends, behind_ends)
    ab, ac, ba, ca = np.split(points, np.cumsum([len(one), len(one), len(two)]))
    a, b, c = one.T
    behind_parts = [faces[count == 0], np.column_stack([ab, b, c]), np.column_stack([ab, c, ac])]
    behind = np.vstack([*behind_parts, np.column_stack([two[:, 0], ba, ca])])
    b, c = two[:, 1], two[:, 2]
    front_parts = [faces[count == 3], np.column_stack([a, ab, ac]), np.column_stack([ba, b, c])]
    in_front = np.vstack([*front_parts, np.column_stack([ba, c, ca])])
    return vertices, behind[_proper(behind)], in_front[_proper(in_front)]


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


class _Face(NamedTuple):
    """A plane (a point, the unit normal the cap faces along) and, if any, a polygon
    `(k, 3) float` on it that bounds the cap."""

    point: FloatArray
    normal: FloatArray
    polygon: FloatArray | None = None


def _lying_on(
    vertices: FloatArray, faces: _IndexArray, face: _Face, tolerance: float
) -> np.ndarray:
    """Which faces lie in the face's plane (inside its polygon, if any).

    The body's own faces there are dropped: where the body lies behind the plane the
    cap takes their place, and where it lies in front it was cut away.
    """
    distance = np.abs(matvec(vertices[faces] - face.point, face.normal))
    flat = np.asarray((distance <= tolerance).all(axis=1))
    if face.polygon is None or not flat.any():
        return flat
    basis = _plane_basis(face.normal)
    centres = matmul(vertices[faces[flat]].mean(axis=1) - face.point, basis.T)
    polygon = shapely.Polygon(matmul(face.polygon - face.point, basis.T))
    flat[np.flatnonzero(flat)] = shapely.contains_xy(polygon, centres[:, 0], centres[:, 1])
    return flat


def _cap(
    vertices: FloatArray, faces: _IndexArray, face: _Face, tolerance: float
) -> tuple[FloatArray, _IndexArray]:
    """Triangles covering the body's section by the face's plane (within its polygon).

    The section is where the faces behind the plane leave the surface open. Cap
    corners are the section's vertices where they can be (a corner that is not,
    such as a corner of the polygon inside the body, is appended to the vertices).
    """
    distance = _distance(vertices, face.point, face.normal, tolerance)
    on_plane = distance == 0
    corners_on = on_plane[faces]
    behind = faces[(distance[faces] <= 0).all(axis=1) & ~corners_on.all(axis=1)]
    edges = _open_edges(behind, len(vertices))
    edges = edges[on_plane[edges].all(axis=1)]
    if len(edges) == 0:
        return vertices, np.empty((0, 3), np.int64)
    basis = _plane_basis(face.normal)
    flat = matmul(vertices - face.point, basis.T)
    area = shapely.build_area(shapely.multilinestrings(flat[edges]))
    if face.polygon is not None:
        bound = matmul(face.polygon - face.point, basis.T)
        area = _within(area, bound, flat, edges, np.flatnonzero(on_plane), tolerance)
    triangles = shapely.get_parts(shapely.constrained_delaunay_triangles(area))
    corners = shapely.get_coordinates(triangles).reshape(-1, 4, 2)[:, :3]
    lookup = {tuple(flat[i]): int(i) for i in np.flatnonzero(on_plane)}
    corners_3d = face.point + matmul(corners, basis)
    vertices, cap = _indexed(vertices, corners_3d, corners, lookup, on_plane, tolerance)
    first, second, third = (corners[:, n] for n in range(3))
    (ax, ay), (bx, by) = (second - first).T, (third - first).T
    cap = np.where((ax * by - ay * bx < 0)[:, None], cap[:, ::-1], cap)
    return vertices, cap[_proper(cap)]  # slivers between corners merged into one vertex


def _within(
    section: shapely.Geometry,
    bound: FloatArray,
    flat: FloatArray,
    edges: _IndexArray,
    pool: _IndexArray,
    tolerance: float,
) -> shapely.Geometry:
    """The part of the section inside the polygon `bound` (`(k, 2)` corners).

    Not by overlay, which can put a stray corner where a side of `bound` runs along
    the section's outline a rounding error away: the surface was split by the planes
    through every side, so each side meets the section at its vertices (those of
    `pool` near the side). The sides are made of those vertices, the section's edges
    and the sides together are made into polygons, and those inside both are kept.
    """
    coordinates = np.vstack([flat, bound])
    lines = [np.sort(edges, axis=1)]
    for number in range(len(bound)):
        start, end = bound[number], bound[(number + 1) % len(bound)]
        ends = (len(flat) + number, len(flat) + (number + 1) % len(bound))
        lines.append(_side_chain(flat, pool, start, end, ends, tolerance))
    # return_index keeps np.unique off its path that loads numpy.ma (~1 MiB of RSS)
    unique = np.unique(np.vstack(lines), axis=0, return_index=True)[0]
    unique = unique[unique[:, 0] != unique[:, 1]]
    pieces = shapely.get_parts(shapely.polygonize(shapely.linestrings(coordinates[unique])))
    inside = _inner_points(pieces)
    keep = shapely.contains_xy(section, *inside.T) & shapely.contains_xy(
        shapely.Polygon(bound), *inside.T
    )
    return shapely.multipolygons(pieces[keep])


def _inner_points(pieces: np.ndarray) -> FloatArray:
    """A point well inside each polygon, `(k, 2)`: the centre of its largest triangle.

    (Not `point_on_surface`, which can give a point on the border, nor an overlay
    with the polygon, which misjudges sides a rounding error apart.)
    """
    points = np.empty((len(pieces), 2))
    for number, triangles in enumerate(shapely.constrained_delaunay_triangles(pieces)):
        parts = shapely.get_parts(triangles)
        points[number] = shapely.get_coordinates(parts[np.argmax(shapely.area(parts))])[:3].mean(
            axis=0
        )
    return points


def _side_chain(
    flat: FloatArray,
    pool: _IndexArray,
    start: FloatArray,
    end: FloatArray,
    ends: tuple[int, int],
    tolerance: float,
) -> _IndexArray:
    """Segments `(k, 2)` (sorted index pairs) along one side, through the vertices on it."""
    along = end - start
    offsets = flat[pool] - start
    share = matvec(offsets, along) / dot(along, along)
    gap = np.linalg.norm(offsets - share[:, None] * along, axis=1)
    margin = tolerance / np.sqrt(dot(along, along))
    near = (gap <= tolerance) & (share >= -margin) & (share <= 1 + margin)
    order = np.argsort(share[near])
    chain = list(pool[near][order])
    if not chain or share[near][order][0] > margin:
        chain.insert(0, ends[0])
    if share[near][order][-1:].max(initial=-1.0) < 1 - margin:
        chain.append(ends[1])
    chain_array = np.array(chain, dtype=np.int64)
    return np.sort(np.column_stack([chain_array[:-1], chain_array[1:]]), axis=1)


def _open_edges(faces: _IndexArray, count: int) -> _IndexArray:
    """Directed edges `(k, 2)` whose reverse no face has: where the surface is open."""
    edges = np.concatenate([faces[:, [0, 1]], faces[:, [1, 2]], faces[:, [2, 0]]])
    forward = edges[:, 0] * count + edges[:, 1]
    backward = np.sort(edges[:, 1] * count + edges[:, 0])
    if len(backward) == 0:
        return edges
    # membership by a sorted search: np.isin would load numpy.ma (~1 MiB of RSS)
    at = np.minimum(np.searchsorted(backward, forward), len(backward) - 1)
    return edges[backward[at] != forward]


def _plane_basis(normal: FloatArray) -> FloatArray:
    """`(2, 3)` unit vectors u, v in the plane with u × v = normal."""
    helper = np.array([1.0, 0.0, 0.0]) if abs(normal[0]) < 0.9 else np.array([0.0, 1.0, 0.0])
    u = np.cross(helper, normal)
    u /= norm(u)
    return np.array([u, np.cross(normal, u)])


def _indexed(
    vertices: FloatArray,
    corners_3d: FloatArray,
    corners: FloatArray,
    lookup: dict[tuple[float, ...], int],
    on_plane: np.ndarray,
    tolerance: float,
) -> tuple[FloatArray, _IndexArray]:
    """Vertex indices `(t, 3)` of the cap corners: the same 2D point, else the nearest
    vertex on the plane within the tolerance, else a new vertex."""
    indices = np.empty(corners.shape[:2], np.int64)
    pool = [vertices[on_plane]]
    pool_index = [np.flatnonzero(on_plane)]
    added: list[FloatArray] = []
    for (row, column), corner in zip(
        np.ndindex(indices.shape), corners.reshape(-1, 2), strict=True
    ):
        key = (float(corner[0]), float(corner[1]))
        if key not in lookup:
            candidates = np.vstack(pool)
            gap = np.linalg.norm(candidates - corners_3d[row, column], axis=1)
            nearest = int(np.argmin(gap)) if len(gap) else -1
            if nearest >= 0 and gap[nearest] <= 10 * tolerance:
                lookup[key] = int(np.concatenate(pool_index)[nearest])
            else:
                lookup[key] = len(vertices) + len(added)
                added.append(corners_3d[row, column])
                pool.append(corners_3d[row, column][None])
                pool_index.append(np.array([lookup[key]]))
        indices[row, column] = lookup[key]
    return (np.vstack([vertices, *added]) if added else vertices), indices


def _compacted(vertices: FloatArray, faces: _IndexArray) -> Mesh:
    used, inverse = np.unique(faces, return_inverse=True)
    return Mesh(vertices[used], inverse.reshape(-1, 3).astype(np.uint32))


def _is_closed(mesh: Mesh) -> bool:
    """Whether each edge is used as often one way as the other: watertight and oriented.

    (A cut through a reflex edge can leave two parts touching along it: four faces
    on one edge, two each way, which is still closed.)
    """
    faces = mesh.faces.astype(np.int64)
    edges = np.concatenate([faces[:, [0, 1]], faces[:, [1, 2]], faces[:, [2, 0]]])
    count = len(mesh.vertices)
    forward, forward_counts = np.unique(edges[:, 0] * count + edges[:, 1], return_counts=True)
    backward, backward_counts = np.unique(edges[:, 1] * count + edges[:, 0], return_counts=True)
    return bool(
        np.array_equal(forward, backward) and np.array_equal(forward_counts, backward_counts)
    )


def _subtract_bounded(
    mesh: Mesh, point: FloatArray, normal: FloatArray, boundary: shapely.Polygon, frame: FloatArray
) -> Mesh | None:
    """`mesh` minus the half space in front of the plane and inside the boundary's prism."""
    vertices, faces = _welded(mesh)
    tolerance = _tolerance(vertices)
    vertices, _, in_half = _split(vertices, faces, _distance(vertices, point, normal, tolerance))
    if len(in_half) == 0:
        return mesh
    # the body's part in the half space lies within the hull of these corners
    # the corners in use by bincount: np.unique would load numpy.ma (~1 MiB of RSS)
    corners = np.flatnonzero(np.bincount(in_half.ravel()))
    plan = matmul(vertices[corners] - frame[:3, 3], frame[:3, :2])
    hull = shapely.MultiPoint(plan).convex_hull
    if hull.within(boundary.buffer(tolerance)):
        return clip_mesh(mesh, point, normal)
    if not hull.intersects(boundary.buffer(-tolerance)):
        return mesh
    return _minus_bounded_prism(mesh, point, normal, boundary, frame)


def _minus_bounded_prism(
    mesh: Mesh, point: FloatArray, normal: FloatArray, boundary: shapely.Polygon, frame: FloatArray
) -> Mesh | None:
    """`mesh` minus the solid C in front of the plane and inside the boundary's prism.

    The surface is split by every plane of C (the base plane and the prism's sides),
    the pieces inside C dropped, and each face of C capped where it lies inside
    the body. None when the prism runs parallel to the plane.
    """
    faces_of_c = _faces_of_solid(point, normal, boundary, frame, mesh)
    if faces_of_c is None:
        return None
    vertices, faces = _welded(mesh)
    tolerance = _tolerance(vertices)
    for face in faces_of_c:
        distance = _distance(vertices, face.point, face.normal, tolerance)
        vertices, behind, in_front = _split(vertices, faces, distance)
        faces = np.vstack([behind, in_front])
    caps = []
    for face in faces_of_c:
        vertices, cap = _cap(vertices, faces, face, tolerance)
        caps.append(cap)
    for face in faces_of_c:
        faces = faces[~_lying_on(vertices, faces, face, tolerance)]
    centres = vertices[faces].mean(axis=1)
    plan = matmul(centres - frame[:3, 3], frame[:3, :2])
    inside = (matvec(centres - point, normal) > tolerance) & shapely.contains_xy(
        boundary, plan[:, 0], plan[:, 1]
    )
    return _compacted(vertices, np.vstack([faces[~inside], *caps]))


def _faces_of_solid(
    point: FloatArray, normal: FloatArray, boundary: shapely.Polygon, frame: FloatArray, mesh: Mesh
) -> list[_Face] | None:
    """The faces of C, each facing into C: the boundary on the plane, then the sides."""
    axis = frame[:3, 2]
    if abs(dot(axis, normal)) < 1e-9:
        return None
    ring = np.asarray(shapely.orient_polygons(boundary).exterior.coords)[:-1]  # anticlockwise
    bases = apply(np.column_stack([ring, np.zeros(len(ring))]), frame)
    on_plane = bases + np.outer(matvec(point - bases, normal) / dot(axis, normal), axis)
    reach = 10.0 * (float(np.ptp(mesh.vertices, axis=0).max()) + float(np.abs(on_plane).max()))
    away = reach * axis * np.sign(dot(axis, normal))  # along the prism, into the half space
    faces = [_Face(point, normal, on_plane)]
    for start, end in zip(on_plane, np.roll(on_plane, -1, axis=0), strict=True):
        inward = np.cross(axis, end - start)  # the boundary runs anticlockwise round the axis
        faces.append(
            _Face(
                start,
                inward / norm(inward),
                np.array([start, end, end + away, start + away]),
            )
        )
    return faces


def _boundary_outline(curve: ifcopenshell.entity_instance) -> FloatArray | None:
    """A boundary of straight 2D segments (IfcPolyline, IfcIndexedPolyCurve without arc
    segments) as a valid ring `(k, 2) float` without the closing point, else None."""
    straight = curve.is_a("IfcPolyline") or (
        curve.is_a("IfcIndexedPolyCurve") and curve.get_argument(1) is None
    )
    points = curve_points(curve, 1.0) if straight else None
    if points is None or not shapely.Polygon(points).is_valid:
        return None
    return points
