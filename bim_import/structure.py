"""Fast, cached walks over a model's relationships: placements, spatial parents, types.

ifcopenshell's utilities resolve each placement and each parent afresh; on a model
with tens of thousands of ports that repeats the same chains of placements
thousands of times. Here each placement matrix is computed once, and the spatial
tree (IfcRelAggregates, IfcRelContainedInSpatialStructure) and the type
assignments (IfcRelDefinesByType) are read once into dictionaries.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import ifcopenshell
import ifcopenshell.util.placement
import numpy as np

from bim_import.linear import matmul
from models.geometry import FloatArray

__all__ = [
    "AxesCache",
    "ModelIndex",
    "axis2placement_matrix",
    "body_representations",
    "placement_info_matrix",
]

_GENERIC_TYPES = (None, "NOTDEFINED", "USERDEFINED")
_ABSENT = 0xFFFFFFFF  # get_argument_index of an attribute the class does not have
_FORWARD = 1  # get_attribute_category of a stored (not inverse or derived) attribute


# Attributes are read by position (entity.get_argument(i), which skips entity[i]'s
# bounds check): three times faster than by name, and
# these few are read for every placement of every port. IfcDirection(DirectionRatios),
# IfcCartesianPoint(Coordinates), IfcAxis2Placement3D(Location, Axis, RefDirection),
# IfcAxis2Placement2D(Location, RefDirection), IfcLocalPlacement(PlacementRelTo,
# RelativePlacement).


def _direction(given: Sequence[float] | None, default: tuple[float, ...]) -> list[float]:
    """The unit vector of an IfcDirection's ratios, or `default` where there is none."""
    if given is None:
        return list(default)
    ratios = [float(v) for v in given]
    ratios += [0.0] * (3 - len(ratios))
    norm = math.sqrt(sum(v * v for v in ratios)) or 1.0
    return [v / norm for v in ratios]


def body_representations(
    product: ifcopenshell.entity_instance,
) -> list[ifcopenshell.entity_instance]:
    """The product's shape representations identified "Body" (by position: IfcProduct
    Representation 6, IfcProductDefinitionShape Representations 2, RepresentationIdentifier 1)."""
    representation = product.get_argument(6)
    if representation is None:
        return []
    return [r for r in representation.get_argument(2) if r.get_argument(1) == "Body"]


Axes = tuple[list[float], list[float], list[float]]
_AXES_KEPT = 256  # distinct (Axis, RefDirection) pairs an `AxesCache` holds at most


class AxesCache(dict[tuple[int, ...], Axes]):
    """Unit axes of placements by the step ids of their direction entities.

    Exporters that share direction entities (a generated campus uses eight) make
    the axes of tens of thousands of placements from a handful of pairs; exporters
    that write a direction per placement fill it up to `_AXES_KEPT` pairs and no more.
    """


def axis2placement_matrix(
    placement: ifcopenshell.entity_instance, cache: AxesCache | None = None
) -> FloatArray:
    """The 4x4 matrix of an IfcAxis2Placement2D/3D (file units)."""
    location = placement.get_argument(0)
    coordinates = location.get_argument(0) if location is not None else ()
    # each axis read once (this runs for every placement of a campus-sized model)
    axes = [placement.get_argument(i) for i in range(1, len(placement))]
    if all(axis is None for axis in axes):  # no axes: a translation
        return _placement_matrix(coordinates, None)
    flat = placement.is_a("IfcAxis2Placement2D")
    if cache is None:
        return _placement_matrix(coordinates, _axes(flat, _ratios(axes)))
    key = (flat, *(axis.id() if axis is not None else 0 for axis in axes))
    found = cache.get(key)
    if found is None:
        found = _axes(flat, _ratios(axes))
        if len(cache) < _AXES_KEPT:
            cache[key] = found
    return _placement_matrix(coordinates, found)


def _ratios(axes: list[ifcopenshell.entity_instance | None]) -> list[Sequence[float] | None]:
    return [axis.get_argument(0) if axis is not None else None for axis in axes]


def placement_info_matrix(info: dict[str, Any], cache: AxesCache) -> FloatArray | None:
    """`axis2placement_matrix` of a placement read whole by `get_info(recursive=True)`.

    One call of the binding instead of one per attribute (location, its coordinates,
    each axis and its ratios). None for anything but an IfcAxis2Placement2D/3D at an
    IfcCartesianPoint: `axis2placement_matrix` reads those.
    """
    kind = info["type"]
    if kind == "IfcAxis2Placement3D":
        axes = [info["Axis"], info["RefDirection"]]
    elif kind == "IfcAxis2Placement2D":
        axes = [info["RefDirection"]]
    else:
        return None
    location = info["Location"]
    if location is not None and location["type"] != "IfcCartesianPoint":
        return None
    coordinates = location["Coordinates"] if location is not None else ()
    if all(axis is None for axis in axes):
        return _placement_matrix(coordinates, None)
    flat = kind == "IfcAxis2Placement2D"
    key = (flat, *(axis["id"] if axis is not None else 0 for axis in axes))
    found = cache.get(key)
    if found is None:
        found = _axes(
            flat, [axis["DirectionRatios"] if axis is not None else None for axis in axes]
        )
        if len(cache) < _AXES_KEPT:
            cache[key] = found
    return _placement_matrix(coordinates, found)


def _placement_matrix(given: Sequence[float], axes: Axes | None) -> FloatArray:
    """The matrix of a placement at `given` coordinates with unit `axes` (None: a translation)."""
    coordinates = [float(v) for v in given]
    coordinates += [0.0] * (3 - len(coordinates))
    if axes is None:
        matrix = np.eye(4)
        matrix[:3, 3] = coordinates
        return matrix
    x, y, z = axes
    return np.array(
        [
            [x[0], y[0], z[0], coordinates[0]],
            [x[1], y[1], z[1], coordinates[1]],
            [x[2], y[2], z[2], coordinates[2]],
            [0.0, 0.0, 0.0, 1.0],
        ]
    )


def _axes(flat: bool, ratios: list[Sequence[float] | None]) -> Axes:
    """The unit x, y, z of a placement from its Axis and RefDirection (2D: RefDirection)."""
    if flat:
        z = [0.0, 0.0, 1.0]
        ref = _direction(ratios[0], (1.0, 0.0, 0.0))
    else:
        z = _direction(ratios[0], (0.0, 0.0, 1.0))
        ref = _direction(ratios[1], (1.0, 0.0, 0.0))
    along = sum(r * a for r, a in zip(ref, z, strict=True))
    x = [r - along * a for r, a in zip(ref, z, strict=True)]
    norm = math.sqrt(sum(v * v for v in x))
    if norm < 1e-12:  # RefDirection parallel to Axis: any perpendicular will do
        x = [1.0, 0.0, 0.0] if abs(z[0]) < 0.9 else [0.0, 1.0, 0.0]
        along = sum(r * a for r, a in zip(x, z, strict=True))
        x = [r - along * a for r, a in zip(x, z, strict=True)]
        norm = math.sqrt(sum(v * v for v in x))
    x = [v / norm for v in x]
    y = [z[1] * x[2] - z[2] * x[1], z[2] * x[0] - z[0] * x[2], z[0] * x[1] - z[1] * x[0]]
    return x, y, z


class ModelIndex:
    """Parents, types and world placements of one model, each computed once."""

    def __init__(self, model: ifcopenshell.file) -> None:
        self._placements: dict[int, FloatArray] = {}
        self._axes = AxesCache()
        self._whole_reads = not model.schema_identifier.upper().startswith("IFC4X3")
        self._ancestors: dict[tuple[int, str], ifcopenshell.entity_instance | None] = {}
        self._parent: dict[int, ifcopenshell.entity_instance] = {}
        # relationship attributes by position: (RelatingX 4, RelatedX 5) for aggregates,
        # nesting and ports; (RelatedX 4, RelatingX 5) for containment and types
        for rel in model.by_type("IfcRelContainedInSpatialStructure"):
            structure = rel.get_argument(5)
            for element in rel.get_argument(4) or ():
                self._parent.setdefault(element.id(), structure)
        for rel in model.by_type("IfcRelAggregates"):
            whole = rel.get_argument(4)
            for part in rel.get_argument(5) or ():
                self._parent[part.id()] = whole
        self._ports: dict[int, list[ifcopenshell.entity_instance]] = {}
        for rel in model.by_type("IfcRelNests"):
            nested = [o for o in rel.get_argument(5) or () if o.is_a("IfcDistributionPort")]
            if nested:
                self._ports.setdefault(rel.get_argument(4).id(), []).extend(nested)
        try:
            port_rels = model.by_type("IfcRelConnectsPortToElement")
        except RuntimeError:  # not in IFC4X3
            port_rels = []
        for rel in port_rels:
            self._ports.setdefault(rel.get_argument(5).id(), []).append(rel.get_argument(4))
        self._positions: dict[tuple[str, str], int | None] = {}
        self._type: dict[int, ifcopenshell.entity_instance] = {}
        for rel in model.by_type("IfcRelDefinesByType"):
            element_type = rel.get_argument(5)
            for element in rel.get_argument(4) or ():
                self._type[element.id()] = element_type

    def release_ports_and_placements(self) -> None:
        """Forget the ports and the cached placement matrices once every body and port is read.

        On a campus-sized model they are ~40k matrices and ~26k port entities: freed
        here, their memory serves what is read next instead of adding to the peak.
        """
        self._ports = {}
        self._placements = {}
        self._axes = AxesCache()

    def parent(self, product: ifcopenshell.entity_instance) -> ifcopenshell.entity_instance | None:
        """The whole a product is part of, or the spatial structure that contains it."""
        return self._parent.get(product.id())

    def parent_by_id(self, step_id: int) -> ifcopenshell.entity_instance | None:
        """`parent` of the product with step id `step_id`."""
        return self._parent.get(step_id)

    def ancestor(
        self, product: ifcopenshell.entity_instance, class_name: str
    ) -> ifcopenshell.entity_instance | None:
        """The nearest ancestor of `class_name`, not looking above the site."""
        parent = self.parent(product)
        if parent is None:
            return None
        key = (parent.id(), class_name)  # products on one storey share the walk up from it
        if key not in self._ancestors:
            self._ancestors[key] = self._walk_up(parent, class_name)
        return self._ancestors[key]

    def _walk_up(
        self, node: ifcopenshell.entity_instance | None, class_name: str
    ) -> ifcopenshell.entity_instance | None:
        for _ in range(32):
            if node is None:
                return None
            if node.is_a(class_name):
                return node
            if node.is_a("IfcSite") or node.is_a("IfcProject"):
                return None
            node = self.parent(node)
        return None

    def element_type(
        self, element: ifcopenshell.entity_instance
    ) -> ifcopenshell.entity_instance | None:
        return self._type.get(element.id())

    def element_type_by_id(self, step_id: int) -> ifcopenshell.entity_instance | None:
        """`element_type` of the element with step id `step_id`."""
        return self._type.get(step_id)

    def ports(self, element: ifcopenshell.entity_instance) -> list[ifcopenshell.entity_instance]:
        """The element's ports, nested (IFC4) or attached (IFC2X3), each once."""
        return self.ports_by_id(element.id())

    def ports_by_id(self, step_id: int) -> list[ifcopenshell.entity_instance]:
        """The ports of the element with step id `step_id`, each once."""
        found = self._ports.get(step_id)
        if not found:
            return []
        return list({port.id(): port for port in found}.values())

    def attribute(self, entity: ifcopenshell.entity_instance, name: str) -> Any:
        """The stored attribute `name` of `entity`, or None where its class has no such one.

        What `getattr(entity, name, None)` gives, with the attribute's position looked
        up once per class instead of by name on every read.
        """
        key = (entity.is_a(), name)
        position = self._positions.get(key, _ABSENT)
        if position == _ABSENT:
            index = entity.get_argument_index(name)
            forward = index != _ABSENT and entity.get_attribute_category(name) == _FORWARD
            position = self._positions[key] = index if forward else None
        return None if position is None else entity.get_argument(position)

    def predefined_type(self, element: ifcopenshell.entity_instance) -> str | None:
        """The occurrence's predefined type, else its type object's; user-defined names win."""
        own = self.attribute(element, "PredefinedType")
        if own == "USERDEFINED" and (object_type := self.attribute(element, "ObjectType")):
            return str(object_type)
        if own not in _GENERIC_TYPES:
            return str(own)
        element_type = self.element_type(element)
        if element_type is not None:
            typed = self.attribute(element_type, "PredefinedType")
            if typed == "USERDEFINED" and (named := self.attribute(element_type, "ElementType")):
                return str(named)
            if typed not in _GENERIC_TYPES:
                return str(typed)
        return str(own) if own else None

    def _relative_matrix(self, relative: ifcopenshell.entity_instance) -> FloatArray:
        """The matrix of a local placement's RelativePlacement, read in one call where it can be.

        Not in IFC4X3, whose placements may stand at points along a curve: reading one
        whole would walk the whole alignment.
        """
        if self._whole_reads:
            matrix = placement_info_matrix(relative.get_info(recursive=True), self._axes)
            if matrix is not None:
                return matrix
        return axis2placement_matrix(relative, self._axes)

    def world_matrix(self, placement: ifcopenshell.entity_instance | None) -> FloatArray:
        """The 4x4 world matrix of an object placement, in the file's length unit."""
        if placement is None:
            return np.eye(4)
        key = placement.id()
        cached = self._placements.get(key)
        if cached is not None:
            return cached
        if placement.is_a("IfcLocalPlacement"):
            parent = self.world_matrix(placement.get_argument(0))
            matrix = matmul(parent, self._relative_matrix(placement.get_argument(1)))
        else:  # grid and linear placements: rare, let ifcopenshell work them out
            matrix = np.asarray(ifcopenshell.util.placement.get_local_placement(placement))
        self._placements[key] = matrix
        return matrix
