"""Rooms from IfcSpace: identity, usage, net floor area, height, volume and footprint.

The net floor area is taken from the first source that has it: Qto_SpaceBaseQuantities,
BaseQuantities, 'GSA Space Areas', 'PSet_Revit_Dimensions', and else the geometry; a
declared area that differs from the geometry by more than 5 % is reported.
"""

from __future__ import annotations

from dataclasses import dataclass

import ifcopenshell
import ifcopenshell.util.element
import numpy as np
import shapely

from bim_import.geometry import mesh_footprint, mesh_volume_m3
from bim_import.usage import classify_usage
from models.campus import RoomRecord
from models.geometry import Mesh, SourceRef

__all__ = ["AREA_TOLERANCE", "UnitScales", "read_room"]

AREA_TOLERANCE = 0.05
_AREA_SOURCES = (
    ("Qto_SpaceBaseQuantities", "NetFloorArea"),
    ("BaseQuantities", "NetFloorArea"),
    ("GSA Space Areas", "GSA BIM Area"),
    ("PSet_Revit_Dimensions", "Area"),
)
_CEILING_SOURCES = (
    ("Qto_SpaceBaseQuantities", "FinishCeilingHeight"),
    ("BaseQuantities", "FinishCeilingHeight"),
    ("Pset_SpaceCommon", "FinishCeilingHeight"),
)
_VOLUME_SOURCES = (
    ("Qto_SpaceBaseQuantities", "NetVolume"),
    ("BaseQuantities", "NetVolume"),
    ("PSet_Revit_Dimensions", "Volume"),
)
_READ_SETS = frozenset(
    {pset for pset, _ in _AREA_SOURCES + _CEILING_SOURCES + _VOLUME_SOURCES}
    | {"Pset_SpaceCommon", "Pset_SpaceOccupancyRequirements"}
)
# IfcSpace attributes by position (the same in IFC2X3, IFC4 and IFC4X3): Name 2,
# ObjectType 4, LongName 7; IfcRelDefinesByProperties.RelatingPropertyDefinition 5,
# IfcRoot.Name 2
_NAME, _OBJECT_TYPE, _LONG_NAME = 2, 4, 7
_RELATING_DEFINITION = 5


@dataclass(frozen=True)
class UnitScales:
    """Factors from the file's units to metres, square metres and cubic metres."""

    length: float
    area: float
    volume: float


def _first(
    psets: dict[str, dict[str, object]], sources: tuple[tuple[str, str], ...]
) -> tuple[float, str] | None:
    for pset, prop in sources:
        value = psets.get(pset, {}).get(prop)
        if isinstance(value, int | float) and value > 0:
            return float(value), f"{pset}.{prop}"
    return None


def read_room(
    space: ifcopenshell.entity_instance,
    record_id: str,
    file_name: str,
    storey_id: str,
    mesh: Mesh | None,
    units: UnitScales,
    warnings: list[str],
    typed: bool = True,
) -> RoomRecord:
    """One room; problems (area mismatch, no geometry) are appended to `warnings`.

    `typed` False says that no IfcRelDefinesByType names the space (its type object's
    property sets are then not looked for).
    """
    psets = _read_sets(space, typed)
    common = psets.get("Pset_SpaceCommon", {})
    occupancy = psets.get("Pset_SpaceOccupancyRequirements", {})
    name, long_name = space.get_argument(_NAME), space.get_argument(_LONG_NAME)
    object_type = space.get_argument(_OBJECT_TYPE)
    usage = classify_usage(
        [
            _text(common.get("Category")),
            _text(occupancy.get("OccupancyType")),
            object_type,
            long_name,
            name,
        ]
    )
    label = f"IfcSpace {record_id} ({name or ''} {long_name or ''})".replace(" )", ")")

    footprint = holes = None
    geometric_area = floor_z = top_z = geometric_volume = None
    if mesh is not None and not mesh.is_empty:
        outline = mesh_footprint(mesh)
        floor_z, top_z = mesh.z_range_m
        geometric_volume = mesh_volume_m3(mesh)
        if outline is not None:
            footprint = np.asarray(outline.exterior.coords)[:, :2]
            holes = [np.asarray(ring.coords)[:, :2] for ring in outline.interiors]
            geometric_area = float(shapely.area(outline))
    else:
        warnings.append(f"{label}: no usable geometry; footprint unknown")

    declared = _first(psets, _AREA_SOURCES)
    declared_area = declared[0] * units.area if declared else None
    area: float | None
    if declared is not None and declared_area is not None:
        area, area_source = declared_area, declared[1]
        if geometric_area and abs(declared_area - geometric_area) > AREA_TOLERANCE * geometric_area:
            warnings.append(
                f"{label}: declared area {declared_area:.2f} m² ({area_source}) differs from "
                f"the geometry's {geometric_area:.2f} m² by more than 5 %"
            )
    else:
        area, area_source = geometric_area, "geometry"

    height = None if floor_z is None or top_z is None else top_z - floor_z
    declared_volume = _first(psets, _VOLUME_SOURCES)
    volume = geometric_volume
    if declared_volume is not None:
        candidate = declared_volume[0] * units.volume
        # Some exporters write volumes in a unit other than the one declared; trust the
        # geometry when the declared figure is far from it.
        if geometric_volume is None or abs(candidate - geometric_volume) <= 0.25 * geometric_volume:
            volume = candidate
    ceiling = _first(psets, _CEILING_SOURCES)
    return RoomRecord(
        source=SourceRef(file_name, record_id, space.is_a()),
        storey_global_id=storey_id,
        name=name or "",
        long_name=long_name,
        object_type=object_type,
        usage=usage.category,
        usage_matched=usage.text,
        net_floor_area_m2=area,
        area_source=area_source,
        declared_area_m2=declared_area,
        height_m=height,
        volume_m3=volume,
        floor_elevation_m=floor_z,
        finish_ceiling_height_m=ceiling[0] * units.length if ceiling else None,
        footprint=footprint,
        holes=holes or [],
    )


def _read_sets(space: ifcopenshell.entity_instance, typed: bool) -> dict[str, dict[str, object]]:
    """What `ifcopenshell.util.element.get_psets(space)` gives for the sets a room reads.

    The same walk (the type object's sets first, then the occurrence's over them),
    without reading the sets no room needs, nor looking for a type object that no
    IfcRelDefinesByType gives.
    """
    psets: dict[str, dict[str, object]] = {}
    if typed and (element_type := ifcopenshell.util.element.get_type(space)) is not None:
        inherited = ifcopenshell.util.element.get_psets(element_type, should_inherit=False)
        psets = {name: values for name, values in inherited.items() if name in _READ_SETS}
    for rel in space.IsDefinedBy or ():
        if not rel.is_a("IfcRelDefinesByProperties"):
            continue
        definition = rel.get_argument(_RELATING_DEFINITION)
        # IfcPropertySetDefinitionSet is a defined type wrapping a list of sets
        if definition.is_a("IfcPropertySetDefinitionSet"):
            definitions = definition.wrappedValue
        else:
            definitions = (definition,)
        for member in definitions:
            name = member.get_argument(_NAME)
            if name in _READ_SETS:
                values = ifcopenshell.util.element.get_property_definition(member)
                psets.setdefault(name, {}).update(values)
    return psets


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None
