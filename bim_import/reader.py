"""Read one IFC file into plain records: the spatial structure, rooms, services, meshes.

`read_model(path)` is the importer's single entry point into IFC. It never raises
for a half-broken model: products that fail to tessellate, duplicate GlobalIds and
malformed site coordinates become warnings naming the GlobalId. It raises
`ModelImportError` only for a file it cannot read at all (see `bim_import.open`).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import ifcopenshell
import ifcopenshell.util.element
import ifcopenshell.util.placement
import ifcopenshell.util.unit
import numpy as np

from bim_import.geometry import (
    DEFAULT_KERNEL,
    mesh_axis,
    products_needing_geometry,
    tessellate,
)
from bim_import.georef import read_georeference
from bim_import.open import open_model
from bim_import.ports import declared_connections, read_ports
from bim_import.services import classify_element, system_medium, valve_details
from bim_import.spaces import UnitScales, read_room
from models.campus import BuildingRecord, Georeference, RoomRecord, SiteRecord, StoreyRecord
from models.geometry import FloatArray, Mesh, SourceRef
from models.services import (
    SEGMENT_KINDS,
    ConnectionRecord,
    ElementKind,
    ElementRecord,
    PortRecord,
    SystemRecord,
)

__all__ = ["ImportWarning", "ParsedModel", "read_model"]

log = logging.getLogger(__name__)
_NOT_SYSTEMS = ("IfcZone", "IfcStructuralAnalysisModel", "IfcBuildingSystem", "IfcBuiltSystem")
_ELEMENT_ROOTS = ("IfcDistributionElement", "IfcBuildingElement", "IfcBuiltElement")


@dataclass(frozen=True)
class ImportWarning:
    """A problem the import survived, naming the file and, where there is one, the GlobalId."""

    file: str
    message: str


@dataclass
class ParsedModel:
    """Everything read from one file, keyed by record id (the GlobalId, made unique)."""

    path: Path
    schema: str
    site: SiteRecord | None
    buildings: list[BuildingRecord]
    storeys: list[StoreyRecord]
    rooms: list[RoomRecord]
    elements: list[ElementRecord]
    ports: list[PortRecord]
    connections: list[ConnectionRecord]
    systems: list[SystemRecord]
    meshes: dict[str, Mesh]
    space_boundary_pairs: set[tuple[str, str]] | None
    warnings: list[ImportWarning] = field(default_factory=list)

    @property
    def georeference(self) -> Georeference:
        return self.site.georeference if self.site else Georeference()


class _Ids:
    """Record ids: the GlobalId, or `GlobalId~stepid` for the second and later holders of one."""

    def __init__(self, model: ifcopenshell.file, warn: Callable[[str], None]) -> None:
        holders: dict[str, list[ifcopenshell.entity_instance]] = {}
        for entity in model.by_type("IfcRoot"):
            holders.setdefault(entity.GlobalId, []).append(entity)
        self._renamed: dict[int, str] = {}
        for global_id, entities in holders.items():
            if len(entities) > 1:
                kinds = Counter(entity.is_a() for entity in entities)
                warn(
                    f"duplicate GlobalId {global_id} on {len(entities)} entities "
                    f"({', '.join(sorted(kinds))}); "
                    f"the later ones are kept as {global_id}~<step id>"
                )
                for entity in entities[1:]:
                    self._renamed[entity.id()] = f"{global_id}~{entity.id()}"

    def __call__(self, entity: ifcopenshell.entity_instance) -> str:
        return self._renamed.get(entity.id(), entity.GlobalId)


def _parent(product: ifcopenshell.entity_instance) -> ifcopenshell.entity_instance | None:
    return ifcopenshell.util.element.get_aggregate(
        product
    ) or ifcopenshell.util.element.get_container(product)


def _ancestor(
    product: ifcopenshell.entity_instance, class_name: str
) -> ifcopenshell.entity_instance | None:
    seen = 0
    node = _parent(product)
    while node is not None and seen < 32:
        if node.is_a(class_name):
            return node
        if node.is_a("IfcSite") or node.is_a("IfcProject"):
            return None
        node = _parent(node)
        seen += 1
    return None


def _world_z(product: ifcopenshell.entity_instance, length_scale: float) -> float | None:
    if product.ObjectPlacement is None:
        return None
    matrix = ifcopenshell.util.placement.get_local_placement(product.ObjectPlacement)
    return float(matrix[2, 3]) * length_scale


def read_model(
    path: Path,
    kernel: str = DEFAULT_KERNEL,
    processes: int = 1,
    progress: Callable[[str], None] | None = None,
) -> ParsedModel:
    """Read `path`; raise `ModelImportError` when it is not a readable IFC file."""
    step = progress or (lambda _message: None)
    step("opening")
    model = open_model(path)
    file_name = path.name
    warnings: list[ImportWarning] = []

    def warn(message: str) -> None:
        warnings.append(ImportWarning(file_name, message))

    ids = _Ids(model, warn)
    length = ifcopenshell.util.unit.calculate_unit_scale(model)
    units = UnitScales(
        length=length,
        area=ifcopenshell.util.unit.calculate_unit_scale(model, "AREAUNIT"),
        volume=ifcopenshell.util.unit.calculate_unit_scale(model, "VOLUMEUNIT"),
    )

    step("tessellating")
    tessellation = tessellate(model, products_needing_geometry(model), kernel, processes)
    for product in tessellation.failed:
        warn(f"{product.is_a()} {ids(product)} could not be tessellated; it has no body")
    by_step_id = tessellation.meshes

    step("reading structure")
    site_entity = next(iter(model.by_type("IfcSite")), None)
    site = None
    if site_entity is not None:
        georef_problems: list[str] = []
        georeference = read_georeference(model, georef_problems)
        for problem in georef_problems:
            warn(problem)
        site = SiteRecord(
            SourceRef(file_name, ids(site_entity), site_entity.is_a()),
            site_entity.Name or "",
            site_entity.LongName,
            georeference,
        )
    buildings = [
        BuildingRecord(SourceRef(file_name, ids(b), b.is_a()), b.Name or "", b.LongName)
        for b in model.by_type("IfcBuilding")
    ]
    storeys = []
    for storey in model.by_type("IfcBuildingStorey"):
        building = _ancestor(storey, "IfcBuilding")
        if building is None:
            warn(f"IfcBuildingStorey {ids(storey)} ({storey.Name}) belongs to no building; skipped")
            continue
        elevation = _world_z(storey, length)
        if elevation is None:
            elevation = float(storey.Elevation or 0.0) * length
        storeys.append(
            StoreyRecord(
                SourceRef(file_name, ids(storey), storey.is_a()),
                ids(building),
                storey.Name or "",
                elevation,
            )
        )
    storey_ids = {s.source.global_id for s in storeys}

    step("reading rooms")
    rooms = []
    for space in model.by_type("IfcSpace"):
        storey = _ancestor(space, "IfcBuildingStorey")
        if storey is None or ids(storey) not in storey_ids:
            warn(f"IfcSpace {ids(space)} ({space.Name}) is on no storey; skipped")
            continue
        room_warnings: list[str] = []
        rooms.append(
            read_room(
                space,
                ids(space),
                file_name,
                ids(storey),
                by_step_id.get(space.id()),
                units,
                room_warnings,
            )
        )
        for message in room_warnings:
            warn(message)

    step("reading services")
    systems, members = _read_systems(model, ids, file_name)
    elements: list[ElementRecord] = []
    ports: list[PortRecord] = []
    meshes: dict[str, Mesh] = {
        ids(space): by_step_id[space.id()]
        for space in model.by_type("IfcSpace")
        if space.id() in by_step_id
    }
    single_building = ids(model.by_type("IfcBuilding")[0]) if len(buildings) == 1 else None
    for entity in _elements(model):
        record_id = ids(entity)
        kind = classify_element(entity)
        storey = _ancestor(entity, "IfcBuildingStorey")
        building = _ancestor(entity, "IfcBuilding")
        at_site = building is None and _ancestor(entity, "IfcSite") is not None
        building_id = (
            ids(building) if building is not None else (None if at_site else single_building)
        )
        element_type = ifcopenshell.util.element.get_type(entity)
        record = ElementRecord(
            source=SourceRef(file_name, record_id, entity.is_a()),
            kind=kind,
            name=entity.Name,
            type_name=element_type.Name if element_type is not None else None,
            predefined_type=ifcopenshell.util.element.get_predefined_type(entity),
            storey_global_id=ids(storey) if storey is not None else None,
            building_global_id=building_id,
            system_global_ids=members.get(entity.id(), []),
        )
        mesh = by_step_id.get(entity.id())
        if mesh is not None:
            meshes[record_id] = mesh
        element_ports = read_ports(entity, length) if entity.is_a("IfcDistributionElement") else []
        ports.extend(element_ports)
        if kind in SEGMENT_KINDS:
            _segment_axis(record, element_ports, mesh)
        if kind == ElementKind.VALVE:
            record.ifc_valve_type, record.normally_open = valve_details(entity)
        elements.append(record)

    step("reading connections")
    boundary_pairs = _space_boundary_pairs(model, ids)
    return ParsedModel(
        path=path,
        schema=model.schema_identifier,
        site=site,
        buildings=buildings,
        storeys=storeys,
        rooms=rooms,
        elements=elements,
        ports=ports,
        connections=declared_connections(model),
        systems=systems,
        meshes=meshes,
        space_boundary_pairs=boundary_pairs,
        warnings=warnings,
    )


def _elements(model: ifcopenshell.file) -> list[ifcopenshell.entity_instance]:
    found: dict[int, ifcopenshell.entity_instance] = {}
    for root in _ELEMENT_ROOTS:
        try:
            entities = model.by_type(root)
        except RuntimeError:
            continue
        for entity in entities:
            found[entity.id()] = entity
    return list(found.values())


def _segment_axis(record: ElementRecord, ports: list[PortRecord], mesh: Mesh | None) -> None:
    """A segment's axis from its two ports, else from its mesh; diameter from the mesh."""
    diameter = None
    axis = None
    if mesh is not None and not mesh.is_empty:
        axis, diameter = mesh_axis(mesh)
    placed = [p.position for p in ports if p.position is not None]
    if len(placed) == 2 and placed[0] != placed[1]:
        axis = np.array(placed, dtype=float)
        if mesh is not None and not mesh.is_empty:
            diameter = _radial_extent(mesh, axis)
    record.axis = axis
    record.outer_diameter_m = diameter


def _radial_extent(mesh: Mesh, axis: FloatArray) -> float:
    start, end = axis[0], axis[-1]
    direction = (end - start) / np.linalg.norm(end - start)
    offsets = mesh.vertices - start
    along = offsets @ direction
    radial = np.linalg.norm(offsets - np.outer(along, direction), axis=1)
    return float(2.0 * radial.max())


def _read_systems(
    model: ifcopenshell.file, ids: _Ids, file_name: str
) -> tuple[list[SystemRecord], dict[int, list[str]]]:
    systems: list[SystemRecord] = []
    members: dict[int, list[str]] = {}
    for system in model.by_type("IfcSystem"):
        if any(system.is_a(skip) for skip in _NOT_SYSTEMS):
            continue
        predefined = getattr(system, "PredefinedType", None)
        record = SystemRecord(
            SourceRef(file_name, ids(system), system.is_a()),
            system.Name or getattr(system, "LongName", None) or "",
            predefined,
            system_medium(system.Name, predefined),
        )
        systems.append(record)
        for rel in system.IsGroupedBy or ():
            for member in rel.RelatedObjects or ():
                members.setdefault(member.id(), []).append(record.source.global_id)
    return systems, members


def _space_boundary_pairs(model: ifcopenshell.file, ids: _Ids) -> set[tuple[str, str]] | None:
    """Pairs of spaces on one storey bounded by the same wall or door, or None if unknown."""
    rels = model.by_type("IfcRelSpaceBoundary")
    if not rels:
        return None
    by_element: dict[int, set[ifcopenshell.entity_instance]] = {}
    for rel in rels:
        element = rel.RelatedBuildingElement
        space = rel.RelatingSpace
        if element is None or space is None or not space.is_a("IfcSpace"):
            continue
        if element.is_a("IfcWall") or element.is_a("IfcDoor"):
            by_element.setdefault(element.id(), set()).add(space)
    pairs: set[tuple[str, str]] = set()
    for spaces in by_element.values():
        ordered = sorted(spaces, key=ids)
        for i, first in enumerate(ordered):
            for second in ordered[i + 1 :]:
                if _ancestor(first, "IfcBuildingStorey") == _ancestor(second, "IfcBuildingStorey"):
                    pairs.add((ids(first), ids(second)))
    return pairs
