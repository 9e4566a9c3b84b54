"""Plan outlines, volumes and axes of triangle meshes (numpy and shapely only).

Kept apart from `bim_import.geometry` so that the twin can use them without
loading ifcopenshell.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import shapely

from bim_import.linear import matvec
from models.geometry import FloatArray, Mesh

__all__ = ["mesh_axis", "mesh_footprint", "mesh_hulls", "mesh_volume_m3"]

_POLYGON = 3  # shapely.get_type_id of a Polygon


def mesh_footprint(mesh: Mesh, min_triangle_area_m2: float = 1e-6) -> shapely.Polygon | None:
    """The mesh's outline seen from above.

    For a closed, consistently oriented mesh the downward-facing triangles tile the
    outline exactly, and their coverage union is fast; when their projected area
    disagrees with the upward-facing ones (an open or inconsistently oriented mesh)
    every triangle's projection is unioned instead, as when the outline falls apart or
    crosses itself (downward triangles that overlap in plan break the coverage union).
    Returns the largest polygon when the projection falls apart, or None for a mesh
    with no area in plan.
    """
    triangles = mesh.vertices[mesh.faces][:, :, :2]
    edge_a = triangles[:, 1] - triangles[:, 0]
    edge_b = triangles[:, 2] - triangles[:, 0]
    signed = 0.5 * (edge_a[:, 0] * edge_b[:, 1] - edge_a[:, 1] * edge_b[:, 0])
    down, up = signed < -min_triangle_area_m2, signed > min_triangle_area_m2
    down_area, up_area = -signed[down].sum(), signed[up].sum()
    if not down.any() and not up.any():
        return None
    outline = None
    if down.any() and abs(down_area - up_area) <= 1e-3 * max(down_area, up_area):
        try:
            outline = shapely.coverage_union_all(_polygons(triangles[down]))
        except shapely.errors.GEOSException:
            outline = None
    # a coverage union that falls apart or crosses itself came from triangles overlapping
    # in plan (a window's frame and pane, the inside of a lying tube)
    if (
        outline is None
        or isinstance(outline, shapely.MultiPolygon)
        or not outline.is_valid
        or abs(shapely.area(outline) - down_area) > 1e-3 * down_area
    ):
        outline = shapely.union_all(_polygons(triangles[down | up]), grid_size=1e-4)
    if isinstance(outline, shapely.MultiPolygon):
        outline = max(outline.geoms, key=lambda polygon: polygon.area)
    if not isinstance(outline, shapely.Polygon) or outline.is_empty:
        return None
    return shapely.Polygon(
        outline.exterior, [ring for ring in outline.interiors if shapely.Polygon(ring).area > 0.01]
    )


def _polygons(triangles: FloatArray) -> FloatArray:
    return shapely.polygons(np.concatenate([triangles, triangles[:, :1]], axis=1))


def mesh_volume_m3(mesh: Mesh) -> float:
    """Enclosed volume (divergence theorem); meaningful for closed meshes only."""
    triangles = mesh.vertices[mesh.faces]
    signed = np.einsum("ij,ij->i", triangles[:, 0], np.cross(triangles[:, 1], triangles[:, 2]))
    return float(abs(signed.sum()) / 6.0)


def mesh_axis(mesh: Mesh) -> tuple[FloatArray, float]:
    """A straight axis through the mesh along its longest extent, and its outer diameter.

    The axis is the principal direction of the vertices, clipped to their extent; the
    diameter is twice the largest distance of a vertex from that line. Returns a
    `(2, 3) float` polyline and the diameter in metres.
    """
    # return_index keeps np.unique off its path that loads numpy.ma (~1 MiB of RSS)
    points = np.unique(mesh.vertices, axis=0, return_index=True)[0]
    centre = points.mean(axis=0)
    if len(points) < 2:
        return np.array([centre, centre]), 0.0
    _, _, vt = np.linalg.svd(points - centre, full_matrices=False)
    direction = vt[0]
    along = matvec(points - centre, direction)
    radial = np.linalg.norm((points - centre) - np.outer(along, direction), axis=1)
    axis = np.array([centre + along.min() * direction, centre + along.max() * direction])
    return axis, float(2.0 * radial.max())


def mesh_hulls(meshes: Sequence[Mesh]) -> list[shapely.Polygon | None]:
    """The convex hull of each mesh in plan: a cheap outline for straight walls and doors.

    None for a mesh with no area in plan. All hulls are made in one vectorised call.
    """
    if not meshes:
        return []
    points = np.concatenate([mesh.vertices[:, :2] for mesh in meshes])
    counts = [len(mesh.vertices) for mesh in meshes]
    owner = np.repeat(np.arange(len(meshes)), counts)
    # a line through a mesh's points has their hull, and unlike a multipoint it is made
    # without a Point object per vertex (~100 bytes each, most of a building's spatial pass)
    gather = shapely.linestrings if min(counts) >= 2 else shapely.multipoints
    hulls = shapely.convex_hull(gather(points, indices=owner))
    usable = (shapely.get_type_id(hulls) == _POLYGON) & (shapely.area(hulls) > 0)
    return [hull if ok else None for hull, ok in zip(hulls.tolist(), usable.tolist(), strict=True)]
