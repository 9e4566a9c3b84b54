"""Product bodies built with numpy, item by item, so that the geometry kernel rarely starts.

The kernel's code alone costs ~25-35 MiB of memory and most of an import's time on
real files, yet most bodies are simple: prisms (`bim_import.extrusions`), faceted
Breps and surface models (`bim_import.faces`), and mapped items that place either
somewhere else. `body_meshes` builds the one Body representation of each product from
its items, recursively: an `IfcMappedItem` is its map's representation (built once per
`IfcRepresentationMap` and shared) moved by the map's `MappingOrigin` and then by its
`MappingTarget` (`IfcCartesianTransformationOperator3D`, non-uniform scale included);
a boolean DIFFERENCE is its first operand clipped by a half space
(`bim_import.halfspace.subtract_half_space`). A product with any
item none of these builds is left out, for the kernel (`bim_import.geometry`), which
is not started at all when nothing is left.

Items come back as parts, a mesh and the matrix that places it (None: where it is),
so that a prism or a map shared by many products is moved, never copied, until the
product's mesh is joined in world coordinates (metres).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

import ifcopenshell
import numpy as np
import shapely

from bim_import.extrusions import Prisms
from bim_import.faces import FACETED_CLASSES, faceted_mesh
from bim_import.halfspace import subtract_half_space
from bim_import.linear import apply, det3, dot, matmul, norm
from bim_import.structure import ModelIndex, axis2placement_matrix, body_representations
from models.geometry import FloatArray, Mesh

__all__ = ["Part", "body_meshes", "item_mesh", "transformation_operator_matrix"]

log = logging.getLogger(__name__)

Part = tuple[Mesh, FloatArray | None]

# Attributes by position (the same in IFC2X3, IFC4 and IFC4X3): IfcProduct
# ObjectPlacement 5, Representation 6; IfcProductDefinitionShape.Representations 2;
# IfcShapeRepresentation RepresentationIdentifier 1, Items 3; IfcMappedItem
# MappingSource 0, MappingTarget 1; IfcRepresentationMap MappingOrigin 0,
# MappedRepresentation 1; IfcBooleanResult Operator 0, FirstOperand 1, SecondOperand 2;
# IfcCartesianTransformationOperator Axis1 0, Axis2 1, LocalOrigin 2, Scale 3, (3D)
# Axis3 4, (non-uniform) Scale2 5, Scale3 6.
_PLACEMENT, _ITEMS = 5, 3

# what reading a malformed item raises (None where an entity belongs, an index out of
# range, a curve GEOS cannot read); ifcopenshell raises RuntimeError for bad access
_MALFORMED = (
    AttributeError,
    TypeError,
    ValueError,
    IndexError,
    ArithmeticError,
    RuntimeError,
    shapely.errors.GEOSException,
)


def body_meshes(
    products: Iterable[ifcopenshell.entity_instance],
    index: ModelIndex,
    length_scale: float,
    angle_scale: float = 1.0,
) -> dict[int, Mesh]:
    """World-coordinate meshes (metres) by step id of the products numpy can build.

    `length_scale` is metres and `angle_scale` radians per unit of the file. Products
    with no single Body representation, with an item none of the builders handles, or
    with malformed data (an index out of range, a missing point, axes that are no
    axes) are left out: the kernel then builds them or reports them.
    """
    items = _Items(angle_scale)
    meshes: dict[int, Mesh] = {}
    for product in products:
        body = _body_items(product)
        try:
            parts = items.parts_of_all(body) if body else None
        except _MALFORMED as error:
            log.debug("%s #%s left to the kernel: %s", product.is_a(), product.id(), error)
            continue
        if parts is None:
            continue
        world = index.world_matrix(product.get_argument(_PLACEMENT))
        mesh = _join([_placed(mesh, world, matrix) for mesh, matrix in parts], length_scale)
        if not mesh.is_empty and np.isfinite(mesh.vertices).all():
            meshes[product.id()] = mesh
    return meshes


def item_mesh(item: ifcopenshell.entity_instance, angle_scale: float = 1.0) -> Mesh | None:
    """One representation item's mesh in its representation's coordinates (file units)."""
    parts = _Items(angle_scale).parts(item)
    return None if parts is None else _join([_placed(m, None, p) for m, p in parts], 1.0)


def _body_items(product: ifcopenshell.entity_instance) -> list[ifcopenshell.entity_instance]:
    bodies = body_representations(product)
    return list(bodies[0].get_argument(_ITEMS)) if len(bodies) == 1 else []


class _Items:
    """Parts of representation items, with the prisms, maps and faceted items cached."""

    def __init__(self, angle_scale: float) -> None:
        self._prisms = Prisms(angle_scale)
        self._maps: dict[int, list[Part] | None] = {}
        self._faceted: dict[int, Mesh | None] = {}

    def parts_of_all(self, items: Iterable[ifcopenshell.entity_instance]) -> list[Part] | None:
        """The parts of every item, or None as soon as one cannot be built."""
        found: list[Part] = []
        for item in items:
            parts = self.parts(item)
            if parts is None:
                return None
            found.extend(parts)
        return found

    def parts(self, item: ifcopenshell.entity_instance) -> list[Part] | None:
        builder = _BUILDERS.get(item.is_a())
        return builder(self, item) if builder is not None else None

    def _extrusion(self, solid: ifcopenshell.entity_instance) -> list[Part] | None:
        prism = self._prisms.local(solid)
        return None if prism is None else [prism]

    def _faceted_parts(self, item: ifcopenshell.entity_instance) -> list[Part] | None:
        if item.id() not in self._faceted:
            self._faceted[item.id()] = faceted_mesh(item)
        mesh = self._faceted[item.id()]
        return None if mesh is None else [(mesh, None)]

    def _mapped(self, item: ifcopenshell.entity_instance) -> list[Part] | None:
        source = item.get_argument(0)
        if source.id() not in self._maps:
            self._maps[source.id()] = self._map_parts(source)
        parts = self._maps[source.id()]
        if parts is None:
            return None
        target = transformation_operator_matrix(item.get_argument(1))
        return [
            (mesh, target if matrix is None else matmul(target, matrix)) for mesh, matrix in parts
        ]

    def _map_parts(self, source: ifcopenshell.entity_instance) -> list[Part] | None:
        """The mapped representation's parts, placed by the map's origin."""
        parts = self.parts_of_all(source.get_argument(1).get_argument(_ITEMS))
        if parts is None:
            return None
        origin = source.get_argument(0)
        if not origin.is_a("IfcAxis2Placement3D") and not origin.is_a("IfcAxis2Placement2D"):
            return None
        matrix = axis2placement_matrix(origin)
        return [(mesh, matrix if own is None else matmul(matrix, own)) for mesh, own in parts]

    def _difference(self, item: ifcopenshell.entity_instance) -> list[Part] | None:
        """A DIFFERENCE of a body and a half space (`bim_import.halfspace`)."""
        if item.get_argument(0) != "DIFFERENCE":
            return None
        first = self.parts(item.get_argument(1))
        if first is None:
            return None
        joined = _join([_placed(mesh, None, matrix) for mesh, matrix in first], 1.0)
        clipped = subtract_half_space(joined, item.get_argument(2))
        return None if clipped is None else [(clipped, None)]


# The builder of each class of item. Kept off the instances: bound methods in an
# instance's own dict make a reference cycle, and the caches (the meshes of every
# mapped and faceted item) then outlive `body_meshes` until a full collection, which
# an import may never reach: on duplex ~0.5 MiB still held when the store is written.
_BUILDERS: dict[str, Callable[[_Items, ifcopenshell.entity_instance], list[Part] | None]] = {
    "IfcExtrudedAreaSolid": _Items._extrusion,
    "IfcMappedItem": _Items._mapped,
    "IfcBooleanResult": _Items._difference,
    "IfcBooleanClippingResult": _Items._difference,
    **dict.fromkeys(FACETED_CLASSES, _Items._faceted_parts),
}


def transformation_operator_matrix(operator: ifcopenshell.entity_instance) -> FloatArray:
    """The 4x4 matrix of an IfcCartesianTransformationOperator3D (or ...NonUniform).

    The axes are the standard's `BaseAxis`: Axis3 (default z), Axis1 made
    perpendicular to it (default x), Axis2 perpendicular to both; each column is then
    scaled by Scale, Scale2 and Scale3 (both default to Scale, which defaults to 1).
    """
    z = _unit(operator.get_argument(4) if len(operator) > 4 else None, (0.0, 0.0, 1.0))
    x = _unit(operator.get_argument(0), (1.0, 0.0, 0.0) if abs(z[0]) < 0.9 else (0.0, 1.0, 0.0))
    x = _normalised(x - dot(x, z) * z)
    axis2 = operator.get_argument(1)
    y = np.cross(z, x) if axis2 is None else _unit(axis2, (0.0, 1.0, 0.0))
    y = _normalised(y - dot(y, z) * z - dot(y, x) * x)
    scale = float(operator.get_argument(3)) if operator.get_argument(3) is not None else 1.0
    scales = [scale, scale, scale]
    if len(operator) > 6:
        for axis, position in ((1, 5), (2, 6)):
            if operator.get_argument(position) is not None:
                scales[axis] = float(operator.get_argument(position))
    matrix = np.eye(4)
    matrix[:3, :3] = np.column_stack([x, y, z]) * np.array(scales)
    origin = [float(v) for v in operator.get_argument(2).get_argument(0)]
    matrix[:3, 3] = origin + [0.0] * (3 - len(origin))
    return matrix


def _unit(direction: ifcopenshell.entity_instance | None, default: tuple[float, ...]) -> FloatArray:
    if direction is None:
        return np.array(default)
    ratios = [float(v) for v in direction.get_argument(0)]
    return _normalised(np.array(ratios + [0.0] * (3 - len(ratios))))


def _normalised(vector: FloatArray) -> FloatArray:
    length = norm(vector)
    if not length > 1e-12:
        raise ValueError("a transformation axis of no length, or parallel to another")
    return vector / length


def _placed(mesh: Mesh, world: FloatArray | None, matrix: FloatArray | None) -> Mesh:
    """`mesh` moved by `world @ matrix` (either may be None: identity)."""
    total = matrix if world is None else world if matrix is None else matmul(world, matrix)
    if total is None:
        return mesh
    vertices = apply(mesh.vertices, total)
    mirrored = det3(total) < 0  # keeps the triangles facing outwards
    return Mesh(vertices, mesh.faces[:, ::-1] if mirrored else mesh.faces)


def _join(meshes: list[Mesh], scale: float) -> Mesh:
    if len(meshes) == 1:
        return Mesh(meshes[0].vertices * scale, meshes[0].faces)
    if not meshes:
        return Mesh(np.empty((0, 3)), np.empty((0, 3), dtype=np.uint32))
    offsets = np.cumsum([0] + [len(mesh.vertices) for mesh in meshes[:-1]])
    return Mesh(
        np.vstack([mesh.vertices for mesh in meshes]) * scale,
        np.vstack(
            [mesh.faces + offset for mesh, offset in zip(meshes, offsets, strict=True)]
        ).astype(np.uint32),
    )
