"""Small IFC4 models written by hand, one product per body, for geometry tests.

Lengths are metres (the project's unit is set to metres), angles degrees, so that the
kernel's meshes and ours can be compared without conversions.
"""

from __future__ import annotations

from collections.abc import Sequence

import ifcopenshell
import ifcopenshell.api

__all__ = ["HandmadeModel"]


class HandmadeModel:
    """An IFC4 file with a project, metre and degree units and a Body context."""

    def __init__(self) -> None:
        self.file = ifcopenshell.file(schema="IFC4")
        run = ifcopenshell.api.run
        run("root.create_entity", self.file, ifc_class="IfcProject", name="handmade")
        metre = run("unit.add_si_unit", self.file, unit_type="LENGTHUNIT")
        degree = run("unit.add_conversion_based_unit", self.file, name="degree")
        run("unit.assign_unit", self.file, units=[metre, degree])
        model = run("context.add_context", self.file, context_type="Model")
        self.body = run(
            "context.add_context",
            self.file,
            context_type="Model",
            context_identifier="Body",
            target_view="MODEL_VIEW",
            parent=model,
        )

    def point(self, *coordinates: float) -> ifcopenshell.entity_instance:
        return self.file.createIfcCartesianPoint([float(c) for c in coordinates])

    def direction(self, *ratios: float) -> ifcopenshell.entity_instance:
        return self.file.createIfcDirection([float(r) for r in ratios])

    def placement(
        self,
        location: Sequence[float] = (0.0, 0.0, 0.0),
        axis: Sequence[float] | None = None,
        ref_direction: Sequence[float] | None = None,
    ) -> ifcopenshell.entity_instance:
        return self.file.createIfcAxis2Placement3D(
            self.point(*location),
            self.direction(*axis) if axis is not None else None,
            self.direction(*ref_direction) if ref_direction is not None else None,
        )

    def polyline(self, points: Sequence[Sequence[float]]) -> ifcopenshell.entity_instance:
        return self.file.createIfcPolyline([self.point(*p) for p in points])

    def extrusion(
        self,
        profile: ifcopenshell.entity_instance,
        depth: float,
        position: ifcopenshell.entity_instance | None = None,
        direction: Sequence[float] = (0.0, 0.0, 1.0),
    ) -> ifcopenshell.entity_instance:
        return self.file.createIfcExtrudedAreaSolid(
            profile, position or self.placement(), self.direction(*direction), depth
        )

    def poly_loop_face(
        self, outer: Sequence[Sequence[float]], holes: Sequence[Sequence[Sequence[float]]] = ()
    ) -> ifcopenshell.entity_instance:
        """A face of poly loops; coordinates of equal points give one IfcCartesianPoint."""
        bounds = [self.file.createIfcFaceOuterBound(self._loop(outer), True)]
        bounds += [self.file.createIfcFaceBound(self._loop(hole), True) for hole in holes]
        return self.file.createIfcFace(bounds)

    def _loop(self, points: Sequence[Sequence[float]]) -> ifcopenshell.entity_instance:
        if not hasattr(self, "_points"):
            self._points: dict[tuple[float, ...], ifcopenshell.entity_instance] = {}
        found = []
        for p in points:
            key = tuple(float(c) for c in p)
            if key not in self._points:
                self._points[key] = self.point(*key)
            found.append(self._points[key])
        return self.file.createIfcPolyLoop(found)

    def product(
        self,
        items: Sequence[ifcopenshell.entity_instance],
        location: Sequence[float] = (0.0, 0.0, 0.0),
        axis: Sequence[float] | None = None,
        ref_direction: Sequence[float] | None = None,
    ) -> ifcopenshell.entity_instance:
        """A building element proxy placed at `location` whose Body is `items`."""
        product = ifcopenshell.api.run(
            "root.create_entity", self.file, ifc_class="IfcBuildingElementProxy"
        )
        product.ObjectPlacement = self.file.createIfcLocalPlacement(
            None, self.placement(location, axis, ref_direction)
        )
        representation = self.file.createIfcShapeRepresentation(
            self.body, "Body", "SolidModel", list(items)
        )
        product.Representation = self.file.createIfcProductDefinitionShape(
            None, None, [representation]
        )
        return product

    def representation_map(
        self, items: Sequence[ifcopenshell.entity_instance], origin: ifcopenshell.entity_instance
    ) -> ifcopenshell.entity_instance:
        representation = self.file.createIfcShapeRepresentation(
            self.body, "Body", "SolidModel", list(items)
        )
        return self.file.createIfcRepresentationMap(origin, representation)
