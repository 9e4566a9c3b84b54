"""Site, buildings, storeys and the architecture of the sample campus, in IFC.

The site carries the name WZ01 and its latitude and longitude; each building and
storey is placed relative to its parent; spaces are aggregated under their storey
(never contained) with Pset_SpaceCommon and Qto_SpaceBaseQuantities; walls, floor
and roof slabs, ceilings (with IfcRelCoversSpaces) and doors are contained in their
storey. In split mode the MEP file's building and storeys are separate objects with
the same names and elevations but their own GlobalIds.
"""

from __future__ import annotations

from dataclasses import dataclass

import ifcopenshell.api.aggregate
import ifcopenshell.api.pset
import ifcopenshell.api.spatial

from bim_import.sample.geometry import Box, Point3
from bim_import.sample.georef import campus_georeference, compound_angle
from bim_import.sample.guids import SITE_KEY, mep_key
from bim_import.sample.ifc_file import Entity, IfcWriter, box_origin
from bim_import.sample.layout import DOOR_HEIGHT_M, SLAB_M, BuildingPlan, StoreyPlan

__all__ = ["Container", "write_architecture", "write_building", "write_site"]

SITE_NAME = "WZ01"
SITE_LONG_NAME = "Wenzhou sample campus"
CEILING_M = 0.02


@dataclass(frozen=True)
class Container:
    """A spatial element with its placement and that placement's origin in site space."""

    entity: Entity
    placement: Entity
    origin: Point3

    def relative(self, p: Point3) -> Point3:
        return (p[0] - self.origin[0], p[1] - self.origin[1], p[2] - self.origin[2])


def write_site(w: IfcWriter) -> Container:
    """The site WZ01 at the origin of the map conversion, aggregated in the project."""
    geo = campus_georeference()
    site = w.create("IfcSite", SITE_KEY, SITE_NAME)
    site.LongName = SITE_LONG_NAME
    site.CompositionType = "ELEMENT"
    site.RefLatitude = compound_angle(geo.latitude)
    site.RefLongitude = compound_angle(geo.longitude)
    site.RefElevation = geo.orthogonal_height_m
    ifcopenshell.api.aggregate.assign_object(w.file, products=[site], relating_object=w.project)
    site.ObjectPlacement = w.placement(None, (0.0, 0.0, 0.0))
    return Container(site, site.ObjectPlacement, (0.0, 0.0, 0.0))


def write_building(
    w: IfcWriter, site: Container, building: BuildingPlan, mep: bool = False
) -> dict[str, Container]:
    """The building and its storeys; returns the storeys by their plan key."""
    key = mep_key(building.key) if mep else building.key
    entity = w.create("IfcBuilding", key, building.name)
    entity.CompositionType = "ELEMENT"
    origin = (building.footprint.x0, building.footprint.y0, 0.0)
    ifcopenshell.api.aggregate.assign_object(w.file, products=[entity], relating_object=site.entity)
    entity.ObjectPlacement = w.placement(site.placement, site.relative(origin))
    storeys: dict[str, Container] = {}
    for storey in building.storeys:
        z = storey.elevation_m
        element = w.create(
            "IfcBuildingStorey", mep_key(storey.key) if mep else storey.key, storey.name
        )
        element.CompositionType = "ELEMENT"
        element.Elevation = z
        placement = w.placement(entity.ObjectPlacement, (0.0, 0.0, z))
        storeys[storey.key] = Container(element, placement, (origin[0], origin[1], z))
    ifcopenshell.api.aggregate.assign_object(
        w.file, products=[c.entity for c in storeys.values()], relating_object=entity
    )
    for container in storeys.values():
        container.entity.ObjectPlacement = container.placement
    return storeys


def _boxed(w: IfcWriter, entity: Entity, box: Box, container: Container) -> Entity:
    w.place_later(entity, w.placement(container.placement, container.relative(box_origin(box))))
    entity.Representation = w.box_shape(box)
    return entity


def _pset(w: IfcWriter, entity: Entity, name: str, properties: dict[str, object]) -> None:
    pset = ifcopenshell.api.pset.add_pset(w.file, product=entity, name=name)
    ifcopenshell.api.pset.edit_pset(w.file, pset=pset, properties=properties)


def _spaces(w: IfcWriter, storey: StoreyPlan, container: Container) -> dict[str, Entity]:
    spaces = {}
    for room in storey.rooms:
        space = w.create("IfcSpace", room.key, room.number, "INTERNAL")
        space.LongName = room.long_name
        space.CompositionType = "ELEMENT"
        _boxed(w, space, Box(room.rect, room.floor_z_m, room.top_z_m), container)
        _pset(
            w,
            space,
            "Pset_SpaceCommon",
            {
                "Reference": room.number,
                "IsExternal": False,
                "PubliclyAccessible": False,
            },
        )
        area = round(room.rect.area_m2, 4)
        quantities: dict[str, object] = {
            "NetFloorArea": room.declared_area_m2,
            "GrossFloorArea": area,
            "Height": room.height_m,
            "NetVolume": round(area * room.height_m, 4),
        }
        if room.finish_ceiling_quantity and room.ceiling_m is not None:
            quantities["FinishCeilingHeight"] = room.ceiling_m
        qto = ifcopenshell.api.pset.add_qto(w.file, product=space, name="Qto_SpaceBaseQuantities")
        ifcopenshell.api.pset.edit_qto(w.file, qto=qto, properties=quantities)
        spaces[room.key] = space
    ifcopenshell.api.aggregate.assign_object(
        w.file, products=list(spaces.values()), relating_object=container.entity
    )
    return spaces


def _storey_elements(
    w: IfcWriter,
    building: BuildingPlan,
    storey: StoreyPlan,
    container: Container,
    spaces: dict[str, Entity],
) -> list[Entity]:
    elements = []
    for wall in storey.walls:
        kind = "SOLIDWALL" if wall.is_external else "PARTITIONING"
        name = "Exterior wall" if wall.is_external else "Partition"
        entity = _boxed(
            w,
            w.create("IfcWall", wall.key, name, kind),
            Box(wall.rect, wall.floor_z_m, wall.floor_z_m + wall.height_m),
            container,
        )
        _pset(w, entity, "Pset_WallCommon", {"IsExternal": wall.is_external})
        elements.append(entity)
    slab = Box(building.footprint, storey.elevation_m - SLAB_M, storey.elevation_m)
    elements.append(
        _boxed(
            w,
            w.create("IfcSlab", f"{storey.key}/slab", f"Floor slab {storey.name}", "FLOOR"),
            slab,
            container,
        )
    )
    if storey is building.storeys[-1]:
        roof = Box(building.footprint, building.roof_z_m, building.roof_z_m + SLAB_M)
        elements.append(
            _boxed(
                w, w.create("IfcSlab", f"{building.key}/roof", "Roof slab", "ROOF"), roof, container
            )
        )
    for room in storey.rooms:
        if room.ceiling_m is None:
            continue
        ceiling = Box(room.rect, room.ceiling_z_m, room.ceiling_z_m + CEILING_M)
        covering = _boxed(
            w,
            w.create("IfcCovering", f"{room.key}/ceiling", "Suspended ceiling", "CEILING"),
            ceiling,
            container,
        )
        covers = w.create("IfcRelCoversSpaces", f"{room.key}/ceiling/covers")
        covers.RelatingSpace = spaces[room.key]
        covers.RelatedCoverings = [covering]
        elements.append(covering)
    for door in storey.doors:
        entity = _boxed(
            w,
            w.create("IfcDoor", door.key, "Door", "DOOR"),
            Box(door.rect, door.floor_z_m, door.floor_z_m + DOOR_HEIGHT_M),
            container,
        )
        entity.OverallHeight = DOOR_HEIGHT_M
        entity.OverallWidth = door.rect.width_m
        elements.append(entity)
    return elements


def write_architecture(w: IfcWriter, building: BuildingPlan, storeys: dict[str, Container]) -> None:
    """Spaces, walls, slabs, ceilings and doors of every storey of a building."""
    for storey in building.storeys:
        container = storeys[storey.key]
        spaces = _spaces(w, storey, container)
        elements = _storey_elements(w, building, storey, container, spaces)
        ifcopenshell.api.spatial.assign_container(
            w.file, products=elements, relating_structure=container.entity
        )
        w.apply_placements()
