"""One IFC4 file of the sample campus being written with ifcopenshell.api.

`IfcWriter` sets up what every file needs (project, SI units, contexts, then the
georeferencing, which needs the Model context to exist) and offers the few shapes
the campus uses: an axis-aligned box extruded upwards, and a straight run extruded
along its own axis. Placements are created directly, relative to the container's
placement, and set only after the product is contained or aggregated (`place_later`,
`apply_placements`): the api re-relativises already placed products through the
slow `geometry.edit_object_placement`, which is not needed here. `finish` gives
every IfcRoot its GlobalId from the seed and its logical key (relationships and
property sets get a key from the file label and their position in the file) and
fills in the header.
"""

from __future__ import annotations

from typing import Any

import ifcopenshell
import ifcopenshell.api.context
import ifcopenshell.api.georeference
import ifcopenshell.api.root
import ifcopenshell.api.unit

from bim_import.sample.geometry import Box, Point3, rounded
from bim_import.sample.georef import campus_georeference
from bim_import.sample.guids import global_id
from bim_import.sample.mep import Profile, Run

__all__ = ["IfcWriter", "box_origin", "run_frame"]

Entity = Any  # ifcopenshell.entity_instance (untyped)
PROJECT_NAME = "Wenzhou sample campus"
ORIGINATING_SYSTEM = "campus-twin sample generator"


def box_origin(box: Box) -> Point3:
    """Placement origin used for a box: centre of its bottom face."""
    x, y = box.rect.centre
    return (x, y, box.z0)


def run_frame(run: Run) -> tuple[Point3, Point3, Point3]:
    """Local axes (x, y, z) of a run: z along the run, x horizontal across it."""
    z = run.axis
    x: Point3 = (1.0, 0.0, 0.0) if z[0] == 0.0 else (0.0, 1.0, 0.0)
    y = (z[1] * x[2] - z[2] * x[1], z[2] * x[0] - z[0] * x[2], z[0] * x[1] - z[1] * x[0])
    return x, (y[0] + 0.0, y[1] + 0.0, y[2] + 0.0), z


class IfcWriter:
    """An IFC4 file under construction, with the caches that keep it small."""

    def __init__(self, seed: int, label: str, project_key: str):
        self.seed = seed
        self.label = label
        self.file = ifcopenshell.file(schema="IFC4")
        self._keys: dict[int, str] = {}
        self._directions: dict[Point3, Entity] = {}
        self._profiles: dict[tuple[str, float, float], Entity] = {}
        self._pending: list[tuple[Entity, Entity]] = []
        self.project = self.create("IfcProject", project_key, PROJECT_NAME)
        length = ifcopenshell.api.unit.add_si_unit(self.file, unit_type="LENGTHUNIT")
        units = [length] + [
            ifcopenshell.api.unit.add_si_unit(self.file, unit_type=kind)
            for kind in ("AREAUNIT", "VOLUMEUNIT", "PLANEANGLEUNIT")
        ]
        ifcopenshell.api.unit.assign_unit(self.file, units=units)
        model = ifcopenshell.api.context.add_context(self.file, context_type="Model")
        self.body = ifcopenshell.api.context.add_context(
            self.file,
            context_type="Model",
            context_identifier="Body",
            target_view="MODEL_VIEW",
            parent=model,
        )
        geo = campus_georeference()
        ifcopenshell.api.georeference.add_georeferencing(self.file, name=f"EPSG:{geo.epsg}")
        ifcopenshell.api.georeference.edit_georeferencing(
            self.file,
            projected_crs={
                "Name": f"EPSG:{geo.epsg}",
                "Description": "CGCS2000 / 3-degree Gauss-Kruger CM 120E",
                "MapUnit": length,
            },
            coordinate_operation={
                "Eastings": geo.eastings,
                "Northings": geo.northings,
                "OrthogonalHeight": geo.orthogonal_height_m,
                "XAxisAbscissa": 1.0,
                "XAxisOrdinate": 0.0,
                "Scale": 1.0,
            },
        )

    def create(
        self, ifc_class: str, key: str, name: str | None = None, predefined_type: str | None = None
    ) -> Entity:
        """An IfcRoot entity (via the api) whose GlobalId will come from `key`."""
        entity = ifcopenshell.api.root.create_entity(
            self.file, ifc_class=ifc_class, name=name, predefined_type=predefined_type
        )
        self.tag(entity, key)
        return entity

    def tag(self, entity: Entity, key: str) -> None:
        self._keys[entity.id()] = key

    def direction(self, vector: Point3) -> Entity:
        if vector not in self._directions:
            self._directions[vector] = self.file.createIfcDirection(vector)
        return self._directions[vector]

    def placement(
        self,
        relative_to: Entity | None,
        offset: Point3,
        x_axis: Point3 | None = None,
        z_axis: Point3 | None = None,
    ) -> Entity:
        """An IfcLocalPlacement at `offset` from `relative_to` (no rotation by default)."""
        location = self.file.createIfcCartesianPoint(tuple(rounded(v) for v in offset))
        axes = self.file.createIfcAxis2Placement3D(
            location,
            self.direction(z_axis) if z_axis else None,
            self.direction(x_axis) if x_axis else None,
        )
        return self.file.createIfcLocalPlacement(relative_to, axes)

    def place_later(self, product: Entity, placement: Entity) -> None:
        """Give `product` this placement once it sits in its spatial container."""
        self._pending.append((product, placement))

    def apply_placements(self) -> None:
        for product, placement in self._pending:
            product.ObjectPlacement = placement
        self._pending.clear()

    def _profile(self, shape: str, a: float, b: float) -> Entity:
        key = (shape, a, b)
        if key not in self._profiles:
            f = self.file
            if shape == "pipe":
                profile = f.createIfcCircleHollowProfileDef("AREA", None, None, a / 2, b)
            elif shape == "round":
                profile = f.createIfcCircleProfileDef("AREA", None, None, a / 2)
            else:
                profile = f.createIfcRectangleProfileDef("AREA", None, None, a, b)
            self._profiles[key] = profile
        return self._profiles[key]

    def _shape(self, profile: Entity, depth_m: float) -> Entity:
        solid = self.file.createIfcExtrudedAreaSolid(
            profile, None, self.direction((0.0, 0.0, 1.0)), rounded(depth_m)
        )
        representation = self.file.createIfcShapeRepresentation(
            self.body, "Body", "SweptSolid", [solid]
        )
        return self.file.createIfcProductDefinitionShape(None, None, [representation])

    def box_shape(self, box: Box) -> Entity:
        """Body of a box, for a product placed at box_origin(box)."""
        profile = self._profile("rect", box.rect.width_m, box.rect.depth_m)
        return self._shape(profile, box.z1 - box.z0)

    def run_shape(self, run: Run) -> Entity:
        """Body of a run, for a product placed at run.start with run_frame(run) axes."""
        p: Profile = run.profile
        return self._shape(self._profile(p.shape, p.size_m, p.other_m), run.length_m)

    def _canonical_order(self) -> None:
        """Lists the api assembles from sets come out in a different order on each run;
        put them in creation order so the same seed writes the same bytes."""
        for rel in self.file.by_type("IfcRelationship"):
            for name in ("RelatedObjects", "RelatedElements", "RelatedCoverings"):
                members = getattr(rel, name, None) if hasattr(rel, name) else None
                if members and len(members) > 1:
                    setattr(rel, name, sorted(members, key=lambda e: e.id()))
        for assignment in self.file.by_type("IfcUnitAssignment"):
            assignment.Units = sorted(assignment.Units, key=lambda e: e.id())

    def finish(self, file_name: str, time_stamp: str) -> ifcopenshell.file:
        """Set every GlobalId, a stable order of related objects and the header."""
        self._canonical_order()
        for entity in self.file.by_type("IfcRoot"):
            key = self._keys.get(entity.id(), f"{self.label}#{entity.id()}")
            entity.GlobalId = global_id(self.seed, key)
        header = self.file.header.file_name
        header.name = file_name
        header.time_stamp = time_stamp
        header.author = ("campus-twin",)
        header.organization = ("campus-twin",)
        header.originating_system = ORIGINATING_SYSTEM
        header.authorization = "none"
        return self.file
