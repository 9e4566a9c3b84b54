"""Triangles of a plane polygon with holes, as indices into its own corner points.

Shared by the caps of extruded profiles (`bim_import.extrusions`) and the faces of
faceted surfaces (`bim_import.faces`): both need the triangles of a polygon given as
rings of points and must keep their own vertex numbering, so the triangles come back
as indices, not coordinates. A convex ring without holes is a fan; anything else goes
through shapely's constrained Delaunay triangulation, which adds no points.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import shapely

from bim_import.linear import dot
from models.geometry import FloatArray

__all__ = ["IndexArray", "ring_triangles", "signed_area"]

IndexArray = npt.NDArray[np.int64]


def signed_area(ring: FloatArray) -> float:
    """Area of a `(k, 2) float` ring without its closing point; positive counter-clockwise."""
    x, y = ring[:, 0], ring[:, 1]
    return 0.5 * (dot(x, _following(y)) - dot(_following(x), y))


def ring_triangles(rings: list[FloatArray]) -> IndexArray | None:
    """Counter-clockwise triangles covering the outer ring `rings[0]` minus the holes.

    Each ring is `(k, 2) float` without its closing point; the result is `(m, 3)`
    indices into the rings stacked in order. None when the rings are no valid polygon
    (self-intersecting, holes outside).

    >>> ring_triangles([np.array([[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]])]).tolist()
    [[0, 1, 2], [0, 2, 3]]
    """
    points = np.vstack(rings)
    if len(rings) == 1 and _is_convex(rings[0]):
        count = len(rings[0])
        k = np.arange(1, count - 1)
        fan = np.column_stack([np.zeros(count - 2, dtype=np.int64), k, k + 1])
        return fan if signed_area(rings[0]) > 0 else fan[:, ::-1]
    polygon = shapely.Polygon(rings[0], rings[1:])
    if not polygon.is_valid:
        return None
    triangles = shapely.constrained_delaunay_triangles(polygon)
    corners = shapely.get_coordinates(triangles).reshape(-1, 4, 2)[:, :3]
    faces = _indices_of(corners.reshape(-1, 2), points).reshape(-1, 3)
    first, second, third = (points[faces[:, n]] for n in range(3))
    cross = (second - first)[:, 0] * (third - first)[:, 1] - (second - first)[:, 1] * (
        third - first
    )[:, 0]
    return np.where((cross < 0)[:, None], faces[:, ::-1], faces)


def _is_convex(ring: FloatArray) -> bool:
    edges = _following(ring) - ring
    turns = edges[:, 0] * _following(edges[:, 1]) - edges[:, 1] * _following(edges[:, 0])
    return bool((turns >= -1e-12).all() or (turns <= 1e-12).all())


def _following(values: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """`values` shifted one place back along the first axis (np.roll, without its cost)."""
    return np.concatenate([values[1:], values[:1]])


def _indices_of(found: FloatArray, points: FloatArray) -> IndexArray:
    """The index in `points` of each row of `found` (GEOS returns the input coordinates)."""
    lookup = {tuple(point): number for number, point in enumerate(points.tolist())}
    indices = [lookup.get(tuple(point), -1) for point in found.tolist()]
    result = np.array(indices, dtype=np.int64)
    missing = result < 0
    if missing.any():  # rounded on the way through GEOS: the nearest corner
        distances = np.linalg.norm(found[missing][:, None, :] - points[None, :, :], axis=2)
        result[missing] = distances.argmin(axis=1)
    return result
