"""Round segments without the geometry kernel: a cylinder between the two ports.

Pipes and cables are most of a services model (on the 20-building sample, 7,500 of
16,800 products and three quarters of the triangles) and nearly all of them are a
circle swept straight from one port to the other. Their body is rebuilt here from
the profile radius and the port positions, which is exact for such a body and a
hundred times cheaper than tessellating it. A circle swept straight whose ports do
not give its ends (a service connection with one port) is rebuilt along its own
extrusion (`sweep_ends`); a hollow circle counts as its outside. Any other body goes
to the kernel.
"""

from __future__ import annotations

import math

import ifcopenshell
import numpy as np

from bim_import.linear import matmul, matvec, norm
from bim_import.structure import axis2placement_matrix, body_representations
from models.geometry import FloatArray, Mesh

__all__ = ["CYLINDER_SIDES", "circular_sweep", "cylinder_meshes", "matches_ports", "sweep_ends"]

CYLINDER_SIDES = 12
_LENGTH_TOLERANCE = 0.02


# Attributes by position (three times faster than by name; the same in IFC2X3 and
# IFC4): IfcProduct.Representation 6, IfcProductDefinitionShape.Representations 2,
# IfcShapeRepresentation RepresentationIdentifier 1 and Items 3, IfcExtrudedAreaSolid
# SweptArea 0, Position 1, ExtrudedDirection 2 and Depth 3, IfcCircleProfileDef and
# IfcCircleHollowProfileDef Position 2 and (outer) Radius 3, IfcPlacement.Location 0,
# IfcCartesianPoint.Coordinates 0, IfcDirection.DirectionRatios 0.
_ITEMS = 3
_SWEPT_AREA, _SOLID_POSITION, _DIRECTION, _DEPTH = 0, 1, 2, 3
_PROFILE_POSITION, _RADIUS = 2, 3


def _body_items(element: ifcopenshell.entity_instance) -> list[ifcopenshell.entity_instance]:
    items: list[ifcopenshell.entity_instance] = []
    for shape in body_representations(element):
        for item in shape.get_argument(_ITEMS):
            if item.is_a("IfcMappedItem"):
                return []  # transformed by its mapping: leave it to the kernel
            items.append(item)
    return items


def _circular_solid(element: ifcopenshell.entity_instance) -> ifcopenshell.entity_instance | None:
    items = _body_items(element)
    if len(items) != 1 or not items[0].is_a("IfcExtrudedAreaSolid"):
        return None
    return items[0]


def circular_sweep(
    element: ifcopenshell.entity_instance, length_scale: float
) -> tuple[float, float] | None:
    """Radius and length (m) of a body that is one circle extruded straight, else None.

    A hollow circle (a pipe wall) counts as its outer circle: the twin draws and
    measures a segment by its outside.
    """
    solid = _circular_solid(element)
    if solid is None:
        return None
    profile = solid.get_argument(_SWEPT_AREA)
    # IfcCircleHollowProfileDef is a subtype of IfcCircleProfileDef
    if not profile.is_a("IfcCircleProfileDef") or (
        profile.get_argument(_PROFILE_POSITION) is not None and _offset(profile)
    ):
        return None
    return float(profile.get_argument(_RADIUS)) * length_scale, float(
        solid.get_argument(_DEPTH)
    ) * length_scale


def _offset(profile: ifcopenshell.entity_instance) -> bool:
    location = profile.get_argument(_PROFILE_POSITION)[0]
    return location is not None and any(abs(float(v)) > 1e-9 for v in location.get_argument(0))


def sweep_ends(
    element: ifcopenshell.entity_instance, world: FloatArray, length_scale: float
) -> tuple[FloatArray, FloatArray]:
    """Both ends (m, world) of the extrusion `circular_sweep` accepted, placed by `world`.

    For a segment whose ports do not give its ends (one port, none, or not where the
    sweep ends): the profile's centre at the start and at the end of the extrusion.
    """
    solid = _circular_solid(element)
    assert solid is not None, "sweep_ends is for the bodies circular_sweep accepts"
    position = solid.get_argument(_SOLID_POSITION)
    placed = world if position is None else matmul(world, axis2placement_matrix(position))
    ratios = [float(v) for v in solid.get_argument(_DIRECTION).get_argument(0)]
    direction = np.array(ratios + [0.0] * (3 - len(ratios)))
    direction /= norm(direction)
    depth = float(solid.get_argument(_DEPTH))
    start = matvec(placed, np.array([0.0, 0.0, 0.0, 1.0]))
    end = matvec(placed, np.append(direction * depth, 1.0))
    return start[:3] * length_scale, end[:3] * length_scale


def cylinder_meshes(
    starts: FloatArray, ends: FloatArray, radii_m: FloatArray, sides: int = CYLINDER_SIDES
) -> list[Mesh]:
    """Closed cylinders from `starts[k]` to `ends[k]` ((n, 3) float, m), radius `radii_m[k]`.

    All n cylinders are built in one pass of array arithmetic; each has 2·sides + 2
    vertices and 4·sides triangles.
    """
    directions = ends - starts
    directions /= np.linalg.norm(directions, axis=1, keepdims=True)
    helper = np.where(
        np.abs(directions[:, :1]) < 0.9, np.array([[1.0, 0.0, 0.0]]), np.array([[0.0, 1.0, 0.0]])
    )
    u = np.cross(directions, helper)
    u /= np.linalg.norm(u, axis=1, keepdims=True)
    v = np.cross(directions, u)
    angles = np.arange(sides) * (2 * math.pi / sides)
    # ring[k, s] = r_k (cos a_s u_k + sin a_s v_k)
    ring = radii_m[:, None, None] * (
        np.cos(angles)[None, :, None] * u[:, None, :]
        + np.sin(angles)[None, :, None] * v[:, None, :]
    )
    vertices = np.concatenate(
        [starts[:, None] + ring, ends[:, None] + ring, starts[:, None], ends[:, None]], axis=1
    )
    i = np.arange(sides)
    j = (i + 1) % sides
    bottom_centre, top_centre = 2 * sides, 2 * sides + 1
    faces = np.vstack(
        [
            np.column_stack([i, j, sides + j]),
            np.column_stack([i, sides + j, sides + i]),
            np.column_stack([np.full(sides, bottom_centre), j, i]),
            np.column_stack([np.full(sides, top_centre), sides + i, sides + j]),
        ]
    ).astype(np.uint32)
    return [Mesh(vertices[k], faces) for k in range(len(starts))]


def matches_ports(length_m: float, start: FloatArray, end: FloatArray) -> bool:
    """True when the ports lie as far apart as the sweep is long."""
    between = norm(end - start)
    return between > 1e-6 and abs(between - length_m) <= max(_LENGTH_TOLERANCE * length_m, 0.005)
