"""Straight extrusions of profiles, tessellated with numpy: prisms.

Most bodies in a generated or a tidy authored model are one profile swept straight:
walls, slabs, spaces, doors, ceilings, beams, the boxes of fittings and terminals. Such
a body is a prism, so its triangles follow from the profile's rings alone
(`bim_import.profiles`): the rings and their copies moved along the extrusion bound the
two caps (a fan for a convex outline, constrained Delaunay triangles for any other,
holes included), and each ring edge gives a side quad (the side walls of the holes face
into the hole). `bim_import.bodies` places the prisms; it asks `Prisms.local` for each
`IfcExtrudedAreaSolid` and gets the prism in the solid's coordinates and its Position.

The meshes of rectangles and polylines match the kernel's to float precision; circles
and arcs are polygons of a fixed number of sides (see `bim_import.profiles`).
"""

from __future__ import annotations

import ifcopenshell
import numpy as np

from bim_import.linear import norm as vector_norm
from bim_import.profiles import profile_rings
from bim_import.structure import axis2placement_matrix
from bim_import.triangulation import ring_triangles, signed_area
from models.geometry import FloatArray, Mesh

__all__ = ["Prisms", "prism_mesh"]

# Attributes by position (the same in IFC2X3, IFC4 and IFC4X3): IfcExtrudedAreaSolid
# SweptArea 0, Position 1, ExtrudedDirection 2, Depth 3; IfcDirection DirectionRatios 0.
_SWEPT_AREA, _POSITION, _DIRECTION, _DEPTH = 0, 1, 2, 3


class Prisms:
    """Prisms in their solid's coordinates (file units), made once per profile and sweep.

    A model repeats a few hundred prisms thousands of times; each is built once and
    only moved per product. `angle_scale` is radians per plane angle unit of the file.
    """

    def __init__(self, angle_scale: float) -> None:
        self._angle_scale = angle_scale
        self._rings: dict[int, list[FloatArray] | None] = {}  # by profile step id
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
        if profile.id() not in self._rings:
            self._rings[profile.id()] = profile_rings(profile, self._angle_scale)
        rings = self._rings[profile.id()]
        direction = np.array([float(v) for v in ratios] + [0.0] * 3)[:3]
        norm = vector_norm(direction)
        if rings is None or not depth > 0.0 or norm < 1e-12 or abs(direction[2]) < 1e-9 * norm:
            return None
        return prism_mesh(rings[0], direction / norm * depth, rings[1:])


def prism_mesh(
    outline: FloatArray, extrusion: FloatArray, holes: list[FloatArray] | None = None
) -> Mesh | None:
    """The closed prism over `outline` ((k, 2) float, z = 0) minus `holes`, swept by `extrusion`.

    `extrusion` is `(3,) float`. The vertices are the rings (outline, then holes) and
    then their copies moved by `extrusion`; the triangles face outwards. None when the
    rings are no valid polygon.
    """
    rings = [_oriented(outline, True)] + [_oriented(hole, False) for hole in holes or []]
    cap = ring_triangles(rings)
    if cap is None:
        return None
    flat = np.vstack(rings)
    count = len(flat)
    bottom = np.column_stack([flat, np.zeros(count)])
    vertices = np.vstack([bottom, bottom + extrusion])
    i = np.arange(count)
    starts = np.cumsum([0] + [len(ring) for ring in rings[:-1]])
    j = np.concatenate(
        [
            np.roll(np.arange(len(ring)), -1) + start
            for ring, start in zip(rings, starts, strict=True)
        ]
    )
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


def _oriented(ring: FloatArray, counter_clockwise: bool) -> FloatArray:
    return ring if (signed_area(ring) > 0) == counter_clockwise else ring[::-1]
