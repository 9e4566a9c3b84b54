"""Read one IFC file into plain records: the spatial structure, rooms, services, meshes.

`read_model(path)` is the importer's single entry point into IFC. It never raises
for a half-broken model: products that fail to tessellate, duplicate GlobalIds and
malformed site coordinates become warnings naming the GlobalId. It raises
`ModelImportError` only for a file it cannot read at all (see `bim_import.open`).
"""

from __future__ import annotations

import gc
import logging
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import ifcopenshell
import ifcopenshell.util.element
import ifcopenshell.util.placement
import numpy as np

from bim_import.attributes import attribute_or, unit_scale
from bim_import.bodies import body_meshes
from bim_import.geometry import (
    DEFAULT_KERNEL,
    mesh_axis,
    products_needing_geometry,
    tessellate,
)
from bim_import.georef import read_georeference
from bim_import.linear import matvec, norm
from bim_import.open import open_model
from bim_import.ports import declared_connections, read_ports
from bim_import.segments import circular_sweep, cylinder_meshes, matches_ports, sweep_ends
from bim_import.services import classify_element, system_medium, valve_details
from bim_import.spaces import UnitScales, read_room
from bim_import.structure import ModelIndex
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
_OBJECT_PLACEMENT = 5  # IfcProduct.ObjectPlacement, by position
_NAME = 2  # IfcRoot.Name, by position (faster than by name; the same in every schema)


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

    def release_stored(self) -> None:
        """Drop the rooms, services and meshes once they are stored.

        What the import does after storing them (connections inferred, spatial
        relations) reads the store; their memory then serves that work instead of
        adding to the import's peak. The structure, warnings and space boundaries stay.
        """
        self.rooms = []
        self.elements = []
        self.ports = []
        self.connections = []
        self.meshes = {}


class _Ids:
    """Record ids: the GlobalId, or `GlobalId~stepid` for the second and later holders of one.

    Only the renamed holders are kept; any other id is the entity's GlobalId, read
    again when asked for (a map of all ~80k on a campus-sized model holds ~10 MiB).
    """

    def __init__(self, model: ifcopenshell.file, warn: Callable[[str], None]) -> None:
        self._renamed: dict[int, str] = {}
        roots = model.by_type("IfcRoot")
        # GlobalId by position (faster than by name); most files have no duplicate, and
        # telling so needs no step ids
        if len({entity.get_argument(0) for entity in roots}) == len(roots):
            return
        first: dict[str, int] = {}
        later: dict[str, list[int]] = {}
        for entity in roots:
            global_id = entity.get_argument(0)  # GlobalId by position: faster than by name
            step_id = entity.id()
            if first.setdefault(global_id, step_id) != step_id:
                later.setdefault(global_id, []).append(step_id)
        for global_id, step_ids in later.items():
            kinds = Counter(model.by_id(i).is_a() for i in [first[global_id], *step_ids])
            warn(
                f"duplicate GlobalId {global_id} on {len(step_ids) + 1} entities "
                f"({', '.join(sorted(kinds))}); "
                f"the later ones are kept as {global_id}~<step id>"
            )
            for step_id in step_ids:
                self._renamed[step_id] = f"{global_id}~{step_id}"

    def __call__(self, entity: ifcopenshell.entity_instance) -> str:
        renamed = self._renamed.get(entity.id()) if self._renamed else None
        return renamed if renamed is not None else str(entity.get_argument(0))


def read_model(
    path: Path,
    kernel: str = DEFAULT_KERNEL,
    processes: int = 1,
    progress: Callable[[str], None] | None = None,
) -> ParsedModel:
    """Read `path`; raise `ModelImportError` when it is not a readable IFC file.

    Python's cycle collector is paused while the file is read (see
    `_cycle_collection_paused`).
    """
    with _cycle_collection_paused():
        return _read_model(path, kernel, processes, progress)


@contextmanager
def _cycle_collection_paused() -> Iterator[None]:
    """Python's cycle collector off for the duration, then back as it was.

    Reading makes hundreds of thousands of long-lived objects (entity proxies,
    records, matrices) and no reference cycles: on the 20-building sample and on
    every file of ../shared/ifc the collector ran five full passes and freed nothing,
    ~0.2 s of a ~2.2 s read. Objects are still freed by reference counting as before;
    a cycle made meanwhile waits for the next collection after this one. Process-wide:
    a concurrent reader that finds it already paused leaves it to the first to resume.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _read_model(
    path: Path,
    kernel: str,
    processes: int,
    progress: Callable[[str], None] | None,
) -> ParsedModel:
    step = progress or (lambda _message: None)
    step("opening")
    model = open_model(path)
    file_name = path.name
    warnings: list[ImportWarning] = []

    def warn(message: str) -> None:
        warnings.append(ImportWarning(file_name, message))

    ids = _Ids(model, warn)
    index = ModelIndex(model)
    length = unit_scale(model)
    units = UnitScales(
        length=length,
        area=unit_scale(model, "AREAUNIT"),
        volume=unit_scale(model, "VOLUMEUNIT"),
    )

    entities, distribution = _elements(model)
    ports_of = read_ports(((entity.id(), ids(entity)) for entity in distribution), index, length)
    step("tessellating")
    round_radii = _round_segments(entities, ports_of, index, length)
    analytic = {step_id: mesh for step_id, (mesh, _) in round_radii.items()}
    candidates = [p for p in products_needing_geometry(model) if p.id() not in analytic]
    angle = unit_scale(model, "PLANEANGLEUNIT")
    analytic.update(body_meshes(candidates, index, length, angle))
    # only what numpy could not build goes to the kernel; with nothing, it never starts
    needing = [p for p in candidates if p.id() not in analytic]
    tessellation = tessellate(model, needing, kernel, processes)
    for product in tessellation.failed:
        warn(f"{product.is_a()} {ids(product)} could not be tessellated; it has no body")
    by_step_id = analytic
    by_step_id.update(tessellation.meshes)
    del candidates, needing, tessellation
    index.release_ports_and_placements()

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
        building = index.ancestor(storey, "IfcBuilding")
        if building is None:
            warn(f"IfcBuildingStorey {ids(storey)} ({storey.Name}) belongs to no building; skipped")
            continue
        if storey.ObjectPlacement is not None:
            elevation = float(index.world_matrix(storey.ObjectPlacement)[2, 3]) * length
        else:
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
        storey = index.ancestor(space, "IfcBuildingStorey")
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
                typed=index.element_type_by_id(space.id()) is not None,
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
    kinds: dict[tuple[str, str | None], ElementKind] = {}
    # what many elements share is read once: where each parent lies (storey and
    # building ids) and each type object's class and name
    located: dict[int, tuple[str | None, str | None]] = {}
    typed: dict[int, tuple[str, str | None]] = {}
    for entity in entities:
        step_id = entity.id()
        record_id = ids(entity)
        element_type = index.element_type_by_id(step_id)
        ifc_class = entity.is_a()
        type_class = type_name = None
        if element_type is not None:
            type_info = typed.get(element_type.id())
            if type_info is None:
                type_info = typed[element_type.id()] = (
                    element_type.is_a(),
                    _shared(element_type.get_argument(_NAME)),
                )
            type_class, type_name = type_info
        # the kind depends on the classes alone: classify once per (class, type class)
        kind = kinds.get((ifc_class, type_class))
        if kind is None:
            kind = kinds[(ifc_class, type_class)] = classify_element(entity, element_type)
        parent = index.parent_by_id(step_id)
        where = located.get(parent.id() if parent is not None else 0)
        if where is None:
            where = located[parent.id() if parent is not None else 0] = _location(
                entity, index, ids, single_building
            )
        storey_id, building_id = where
        # the texts that repeat from element to element are kept once, not once per element
        record = ElementRecord(
            source=SourceRef(file_name, record_id, sys.intern(ifc_class)),
            kind=kind,
            name=_shared(entity.get_argument(_NAME)),
            type_name=type_name,
            predefined_type=_shared(index.predefined_type(entity)),
            storey_global_id=storey_id,
            building_global_id=building_id,
            system_global_ids=members.get(step_id, []),
        )
        mesh = by_step_id.get(step_id)
        if mesh is not None:
            meshes[record_id] = mesh
        element_ports = ports_of.get(step_id, [])
        ports.extend(element_ports)
        if kind in SEGMENT_KINDS:
            round_segment = round_radii.get(step_id)
            _segment_axis(record, element_ports, mesh, round_segment[1] if round_segment else None)
        if kind == ElementKind.VALVE:
            record.ifc_valve_type, record.normally_open = valve_details(entity, element_type)
        elements.append(record)
    # what only the loop above needed: freed, it serves the connections read next
    del entities, by_step_id, round_radii, ports_of

    step("reading connections")
    boundary_pairs = _space_boundary_pairs(model, ids, index)
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


def _location(
    entity: ifcopenshell.entity_instance,
    index: ModelIndex,
    ids: _Ids,
    single_building: str | None,
) -> tuple[str | None, str | None]:
    """The record ids of the storey and the building an element lies in (by its parent).

    An element in no building belongs to the only building of a one-building file,
    unless it lies at the site itself.
    """
    storey = index.ancestor(entity, "IfcBuildingStorey")
    building = index.ancestor(entity, "IfcBuilding")
    at_site = building is None and index.ancestor(entity, "IfcSite") is not None
    building_id = ids(building) if building is not None else (None if at_site else single_building)
    return _shared(ids(storey)) if storey is not None else None, _shared(building_id)


def _shared(text: str | None) -> str | None:
    """`text`, or the equal string already in use (names, classes, ids repeat a lot)."""
    return sys.intern(text) if text is not None else None


def _elements(
    model: ifcopenshell.file,
) -> tuple[list[ifcopenshell.entity_instance], list[ifcopenshell.entity_instance]]:
    """The elements of every root class, each once, and the distribution elements among them.

    The distribution elements come first (`_ELEMENT_ROOTS` begins with their class),
    so they are the list's head: no element's class needs asking.
    """
    found: dict[int, ifcopenshell.entity_instance] = {}
    distribution_count = 0
    for root in _ELEMENT_ROOTS:
        try:
            entities = model.by_type(root)
        except RuntimeError:
            continue
        for entity in entities:
            found[entity.id()] = entity
        if root == "IfcDistributionElement":
            distribution_count = len(found)
    everything = list(found.values())
    return everything, everything[:distribution_count]


def _round_segments(
    entities: list[ifcopenshell.entity_instance],
    ports_of: dict[int, list[PortRecord]],
    index: ModelIndex,
    length_scale: float,
) -> dict[int, tuple[Mesh, float]]:
    """Mesh and radius (m) of the flow segments that are a circle swept straight.

    The cylinder runs between the segment's two ports where they lie as far apart as
    the sweep is long, else along the extrusion itself (a service connection with one
    port): either way the kernel is not needed for it.
    """
    keys, starts, ends, radii = [], [], [], []
    for entity in entities:
        if not entity.is_a("IfcFlowSegment"):
            continue
        sweep = circular_sweep(entity, length_scale)
        if sweep is None:
            continue
        placed = [p.position for p in ports_of.get(entity.id(), ()) if p.position is not None]
        between_ports = len(placed) == 2 and matches_ports(
            sweep[1], np.array(placed[0]), np.array(placed[1])
        )
        if between_ports:
            start, end = np.array(placed[0]), np.array(placed[1])
        elif sweep[1] > 0:
            world = index.world_matrix(entity.get_argument(_OBJECT_PLACEMENT))
            start, end = sweep_ends(entity, world, length_scale)
        else:
            continue
        keys.append(entity.id())
        starts.append(start)
        ends.append(end)
        radii.append(sweep[0])
    if not keys:
        return {}
    meshes = cylinder_meshes(np.array(starts), np.array(ends), np.array(radii))
    return dict(zip(keys, zip(meshes, radii, strict=True), strict=True))


def _segment_axis(
    record: ElementRecord, ports: list[PortRecord], mesh: Mesh | None, radius_m: float | None
) -> None:
    """A segment's axis from its two ports, else from its mesh; diameter from the mesh.

    `radius_m` is the radius of a round segment rebuilt between its ports: its
    diameter, which the mesh would only repeat.
    """
    has_mesh = mesh is not None and not mesh.is_empty
    placed = [p.position for p in ports if p.position is not None]
    if len(placed) == 2 and placed[0] != placed[1]:
        record.axis = np.array(placed, dtype=float)
        if radius_m is not None:
            record.outer_diameter_m = 2.0 * radius_m
        else:
            record.outer_diameter_m = (
                _radial_extent(mesh, record.axis) if mesh and has_mesh else None
            )
    elif mesh is not None and has_mesh:
        record.axis, record.outer_diameter_m = mesh_axis(mesh)


def _radial_extent(mesh: Mesh, axis: FloatArray) -> float:
    start, end = axis[0], axis[-1]
    direction = (end - start) / norm(end - start)
    offsets = mesh.vertices - start
    along = matvec(offsets, direction)
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
        predefined = attribute_or(system, "PredefinedType")
        record = SystemRecord(
            SourceRef(file_name, ids(system), system.is_a()),
            system.Name or attribute_or(system, "LongName") or "",
            predefined,
            system_medium(system.Name, predefined),
        )
        systems.append(record)
        for rel in system.IsGroupedBy or ():
            for member in rel.RelatedObjects or ():
                members.setdefault(member.id(), []).append(record.source.global_id)
    return systems, members


def _space_boundary_pairs(
    model: ifcopenshell.file, ids: _Ids, index: ModelIndex
) -> set[tuple[str, str]] | None:
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
                if index.ancestor(first, "IfcBuildingStorey") == index.ancestor(
                    second, "IfcBuildingStorey"
                ):
                    pairs.add((ids(first), ids(second)))
    return pairs
