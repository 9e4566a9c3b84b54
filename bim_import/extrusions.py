"""Straight extrusions of simple profiles, tessellated without the geometry kernel.

Most bodies in a generated or a tidy authored model are one profile swept straight:
walls, slabs, spaces, doors, ceilings and the boxes of fittings and terminals. Such a
body is a prism, so its triangles follow from the profile outline alone: the outline
and its copy moved along the extrusion are the two caps (a fan for a convex outline,
constrained Delaunay triangles for any other), and each outline edge gives a side
quad. Here that is done with numpy for every product whose Body representation is
made only of `IfcExtrudedAreaSolid`s of a rectangle or a closed polyline,
with the placement chain applied as one 4×4 matrix per product. Anything else (Breps,
booleans, mapped items, circles, tapered or hollow profiles, arcs) is left to the kernel, and
when nothing is, the kernel is never started (its code alone is ~24 MiB of memory).

The meshes match the kernel's to float precision. Circles stay with the kernel, whose
number of sides grows with the radius (round segments between ports are rebuilt apart,
in `bim_import.segments`).
"""

from __future__ import annotations

from collections.abc import Iterable

import ifcopenshell
import numpy as np
import shapely

from bim_import.structure import ModelIndex, axis2placement_matrix
from models.geometry import FloatArray, Mesh

__all__ = ["curve_outline", "extruded_meshes", "extruded_solid_mesh", "prism_mesh"]

# Attributes by position (three times faster than by name; the same in IFC2X3, IFC4
# and IFC4X3): IfcProduct ObjectPlacement 5 and Representation 6,
# IfcProductDefinitionShape.Representations 2, IfcShapeRepresentation
# RepresentationIdentifier 1 and Items 3, IfcExtrudedAreaSolid SweptArea 0, Position
# 1, ExtrudedDirection 2, Depth 3; IfcProfileDef ProfileType 0; IfcRectangleProfileDef
# Position 2, XDim 3, YDim 4; IfcArbitraryClosedProfileDef OuterCurve 2; IfcPolyline Points 0;
# IfcIndexedPolyCurve Points 0, Segments 1; IfcCartesianPointList2D CoordList 0.
_PLACEMENT, _REPRESENTATION, _REPRESENTATIONS, _IDENTIFIER, _ITEMS = 5, 6, 2, 1, 3
_SWEPT_AREA, _POSITION, _DIRECTION, _DEPTH = 0, 1, 2, 3
_PROFILE_POSITION = 2


def extruded_meshes(
    products: Iterable[ifcopenshell.entity_instance], index: ModelIndex, length_scale: float
) -> dict[int, Mesh]:
    """World-coordinate meshes (metres) by step id of the products that are plain prisms.

    A product qualifies when its one Body representation holds only straight
    extrusions of a rectangle or a closed polyline; the others are left out
    (for the kernel). Prisms are built once per profile, depth and direction (a model
    repeats a few hundred of them thousands of times) and only moved per product.
    """
    prisms = _Prisms()
    meshes: dict[int, Mesh] = {}
    for product in products:
        items = _body_items(product)
        if not items:
            continue
        parts = []
        for item in items:
            part = prisms.local(item)
            if part is None:
                break
            parts.append(part)
        else:
            world = index.world_matrix(product.get_argument(_PLACEMENT))
            mesh = _join(
                [
                    _transformed(prism, world if position is None else world @ position)
                    for prism, position in parts
                ],
                length_scale,
            )
            if not mesh.is_empty:
                meshes[product.id()] = mesh
    return meshes


def _body_items(product: ifcopenshell.entity_instance) -> list[ifcopenshell.entity_instance]:
    representation = product.get_argument(_REPRESENTATION)
    if representation is None:
        return []
    bodies = [
        r
        for r in representation.get_argument(_REPRESENTATIONS)
        if r.get_argument(_IDENTIFIER) == "Body"
    ]
    if len(bodies) != 1:
        return []
    items = list(bodies[0].get_argument(_ITEMS))
    if not all(item.is_a() == "IfcExtrudedAreaSolid" for item in items):
        return []
    return items


class _Prisms:
    """Prisms in their solid's coordinates (file units), made once and shared."""

    def __init__(self) -> None:
        self._outlines: dict[int, FloatArray | None] = {}  # by profile step id
        self._prisms: dict[tuple[int, float, tuple[float, ...]], Mesh | None] = {}
        self._positions: dict[int, FloatArray] = {}

    def local(self, solid: ifcopenshell.entity_instance) -> tuple[Mesh, FloatArray | None] | None:
        """The solid's prism and the matrix of its Position (None: identity), or None."""
        profile, direction = solid.get_argument(_SWEPT_AREA), solid.get_argument(_DIRECTION)
        key = (profile.id(), float(solid.get_argument(_DEPTH)), tuple(direction.get_argument(0)))
        if key not in self._prisms:
            self._prisms[key] = self._prism(profile, key[1], key[2])
        prism = self._prisms[key]
        if prism is None:
            return None
        position = solid.get_argument(_POSITION)
        if position is None:
            return prism, None
        matrix = self._positions.get(position.id())
        if matrix is None:
            matrix = self._positions[position.id()] = axis2placement_matrix(position)
        return prism, matrix

    def _prism(
        self, profile: ifcopenshell.entity_instance, depth: float, ratios: tuple[float, ...]
    ) -> Mesh | None:
        if profile.id() not in self._outlines:
            self._outlines[profile.id()] = _outline(profile)
        outline = self._outlines[profile.id()]
        direction = np.array([float(v) for v in ratios] + [0.0] * 3)[:3]
        norm = float(np.linalg.norm(direction))
        if outline is None or not depth > 0.0 or norm < 1e-12 or abs(direction[2]) < 1e-9 * norm:
            return None
        return prism_mesh(outline, direction / norm * depth)


def _outline(profile: ifcopenshell.entity_instance) -> FloatArray | None:
    """The profile's closed outline, `(k, 2) float` without the closing point, or None."""
    if profile.get_argument(0) != "AREA":
        return None
    kind = profile.is_a()  # exact class: the hollow and rounded subtypes are not prisms
    if kind == "IfcRectangleProfileDef":
        half_x, half_y = float(profile.get_argument(3)) / 2.0, float(profile.get_argument(4)) / 2.0
        points = np.array(
            [[-half_x, -half_y], [half_x, -half_y], [half_x, half_y], [-half_x, half_y]]
        )
    elif kind == "IfcArbitraryClosedProfileDef":
        curve = _curve_points(profile.get_argument(2))
        if curve is None:
            return None
        return curve
    else:
        return None
    position = profile.get_argument(_PROFILE_POSITION)
    if position is not None:
        matrix = axis2placement_matrix(position)
        points = points @ matrix[:2, :2].T + matrix[:2, 3]
    return points


def extruded_solid_mesh(solid: ifcopenshell.entity_instance) -> Mesh | None:
    """An `IfcExtrudedAreaSolid`'s prism with its Position applied (file units), or None."""
    local = _Prisms().local(solid)
    if local is None:
        return None
    prism, position = local
    return prism if position is None else _transformed(prism, position)


def curve_outline(curve: ifcopenshell.entity_instance) -> FloatArray | None:
    """A closed IfcPolyline / IfcIndexedPolyCurve of straight 2D segments as `(k, 2) float`.

    Without the closing point; None for curves with arcs, 3D points or an invalid polygon.
    """
    return _curve_points(curve)


def _curve_points(curve: ifcopenshell.entity_instance) -> FloatArray | None:
    kind = curve.is_a()
    if kind == "IfcPolyline":
        coordinates = [point.get_argument(0) for point in curve.get_argument(0)]
    elif (
        kind == "IfcIndexedPolyCurve"
        and curve.get_argument(1) is None
        and curve.get_argument(0).is_a("IfcCartesianPointList2D")
    ):
        coordinates = list(curve.get_argument(0).get_argument(0))
    else:
        return None  # arcs, trimmed curves, composite curves: the kernel's job
    if any(len(c) != 2 for c in coordinates):
        return None
    points = np.array(coordinates, dtype=float)
    if len(points) > 1 and np.allclose(points[0], points[-1]):
        points = points[:-1]
    if len(points) < 3 or not shapely.Polygon(points).is_valid:
        return None
    return points


def prism_mesh(outline: FloatArray, extrusion: FloatArray) -> Mesh:
    """The closed prism over `outline` ((k, 2) float, z = 0) swept by `extrusion` ((3,) float).

    Vertices 0..k-1 are the outline, k..2k-1 the outline moved by `extrusion`; the
    triangles face outwards when the extrusion points up (z > 0).
    """
    count = len(outline)
    if _signed_area(outline) < 0:
        outline = outline[::-1]
    bottom = np.column_stack([outline, np.zeros(count)])
    vertices = np.vstack([bottom, bottom + extrusion])
    cap = _cap_triangles(outline)
    i = np.arange(count)
    j = (i + 1) % count
    faces = np.vstack(
        [
            cap[:, ::-1],
            cap + count,
            np.column_stack([i, j, j + count]),
            np.column_stack([i, j + count, i + count]),
        ]
    )
    if extrusion[2] < 0:
        faces = faces[:, ::-1]
    return Mesh(vertices, faces.astype(np.uint32))


def _signed_area(outline: FloatArray) -> float:
    x, y = outline[:, 0], outline[:, 1]
    return 0.5 * float(np.dot(x, np.roll(y, -1)) - np.dot(np.roll(x, -1), y))


def _cap_triangles(outline: FloatArray) -> np.ndarray:
    """Counter-clockwise triangles (indices into `outline`) covering the outline."""
    count = len(outline)
    edges = np.roll(outline, -1, axis=0) - outline
    turns = edges[:, 0] * np.roll(edges[:, 1], -1) - edges[:, 1] * np.roll(edges[:, 0], -1)
    if (turns >= -1e-12).all():  # convex: a fan
        k = np.arange(1, count - 1)
        return np.column_stack([np.zeros(count - 2, dtype=int), k, k + 1])
    triangles = shapely.constrained_delaunay_triangles(shapely.Polygon(outline))
    lookup = {tuple(point): number for number, point in enumerate(outline.tolist())}
    corners = shapely.get_coordinates(triangles).reshape(-1, 4, 2)[:, :3]
    faces = np.array([[lookup[tuple(c)] for c in triangle] for triangle in corners.tolist()])
    first, second, third = (outline[faces[:, n]] for n in range(3))
    area = (second - first)[:, 0] * (third - first)[:, 1] - (second - first)[:, 1] * (
        third - first
    )[:, 0]
    return np.where((area < 0)[:, None], faces[:, ::-1], faces)


def _transformed(mesh: Mesh, matrix: FloatArray) -> Mesh:
    vertices = mesh.vertices @ matrix[:3, :3].T + matrix[:3, 3]
    mirrored = np.linalg.det(matrix[:3, :3]) < 0  # keeps the triangles facing outwards
    return Mesh(vertices, mesh.faces[:, ::-1] if mirrored else mesh.faces)


def _join(meshes: list[Mesh], scale: float) -> Mesh:
    if len(meshes) == 1:
        return Mesh(meshes[0].vertices * scale, meshes[0].faces)
    offsets = np.cumsum([0] + [len(mesh.vertices) for mesh in meshes[:-1]])
    return Mesh(
        np.vstack([mesh.vertices for mesh in meshes]) * scale,
        np.vstack(
            [mesh.faces + offset for mesh, offset in zip(meshes, offsets, strict=True)]
        ).astype(np.uint32),
    )
