"""The answer file: what the sample campus contains, for testing the importer.

Everything here is derived from the plan (layout and services), never by reading
the written IFC back, so an importer can be checked against it. `build_answers`
assembles a `CampusAnswers`; `CampusAnswers.to_json()` gives the file's text. The
JSON keys are the dataclass fields below, in this order. Footprints are the four
corners counter-clockwise in site coordinates (metres), not closed; a split
connection is [SOURCE port GlobalId, SINK port GlobalId].
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

from bim_import.sample.georef import campus_georeference
from bim_import.sample.guids import SITE_KEY, global_id, mep_key
from bim_import.sample.isolation import isolate
from bim_import.sample.layout import CampusLayout
from bim_import.sample.mep import MepPlan
from bim_import.sample.zones import adjacent_rooms, segment_passages

__all__ = [
    "BuildingAnswer",
    "CampusAnswers",
    "Counts",
    "LeakAnswer",
    "PassageAnswer",
    "RoomAnswer",
    "SiteAnswer",
    "StoreyAnswer",
    "build_answers",
]

SCHEMA_VERSION = 1


@dataclass(frozen=True)
class SiteAnswer:
    global_id: str
    name: str
    epsg: int
    eastings: float
    northings: float
    latitude: float
    longitude: float


@dataclass(frozen=True)
class StoreyAnswer:
    global_id: str
    mep_global_id: str  # the split MEP file's storey
    name: str
    elevation_m: float


@dataclass(frozen=True)
class BuildingAnswer:
    global_id: str
    name: str
    mep_global_id: str  # the split MEP file's building: same Name, other GlobalId
    storeys: list[StoreyAnswer]


@dataclass(frozen=True)
class RoomAnswer:
    global_id: str
    name: str
    long_name: str
    usage: str
    building_global_id: str
    storey_global_id: str
    net_floor_area_m2: float  # from the geometry
    declared_area_m2: float  # Qto NetFloorArea
    height_m: float
    finish_ceiling_height_m: float | None
    footprint: list[list[float]]


@dataclass(frozen=True)
class PassageAnswer:
    room: str
    where: str  # "ceiling", "floor", "wall" or "open"
    length_m: float


@dataclass(frozen=True)
class Counts:
    buildings: int
    storeys: int
    rooms: int
    segments: int  # pipe, duct, cable and cable-carrier segments
    fittings: int
    valves: int
    terminals: int
    cables: int  # cable and cable-carrier segments
    pumps: int
    systems: int
    connections: int  # IfcRelConnectsPorts in the single file
    split_unconnected_pairs: int


@dataclass(frozen=True)
class LeakAnswer:
    element: str
    system: str
    valves_to_close: list[str]
    why: str


@dataclass(frozen=True)
class CampusAnswers:
    schema_version: int
    seed: int
    buildings_requested: int
    site: SiteAnswer
    buildings: list[BuildingAnswer]
    rooms: list[RoomAnswer]
    area_mismatch_rooms: list[str]
    adjacent: list[list[str]]
    segments: dict[str, list[PassageAnswer]]
    counts: Counts
    split_inferred_connections: list[list[str]]
    leaks: list[LeakAnswer]

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=1) + "\n"


# (building kind or "site", storey index or None, landmark, system) of the leaks.
LEAK_POINTS = (
    ("office", 2, "water_branch", "Domestic cold water"),
    ("office", 3, "water_drop", "Domestic cold water"),
    ("office", 2, "water_riser", "Domestic cold water"),
    ("office", 1, "heating_supply_main", "Heating supply"),
    ("office", 4, "sprinkler_main", "Sprinkler"),
    ("annex", 0, "heating_supply_riser", "Heating supply"),
    ("annex", 1, "heating_return_main", "Heating return"),
    ("site", None, "water_main", "Domestic cold water"),
    ("services", None, "gas_pipe", "Gas"),
)


def _leaks(layout: CampusLayout, mep: MepPlan, gid: dict[str, str]) -> list[LeakAnswer]:
    leaks = []
    for kind, level, landmark, system in LEAK_POINTS:
        if kind == "site":
            name = f"site/{landmark}"
        else:
            building = next((b for b in layout.buildings if b.kind == kind), None)
            if building is None:
                continue
            prefix = building.key if level is None else building.storeys[level].key
            name = f"{prefix}/{landmark}"
        if name not in mep.landmarks:
            continue
        element = mep.elements[mep.landmarks[name]]
        found = isolate(mep, element.key, system)
        if found is None:
            continue
        valves = [mep.elements[v].name for v in found.valves]
        place = element.storey_key or "site"
        lost = len(found.terminals_lost)
        effect = (
            f"shuts off {lost} terminal(s) in {len(found.rooms_lost)} room(s), the fewest possible"
            if lost
            else "shuts off no terminal"
        )
        why = (
            f"{element.name} ({place}) is fed through {' and '.join(valves)}; closing "
            f"{'them' if len(valves) > 1 else 'it'} {effect}."
        )
        leaks.append(LeakAnswer(gid[element.key], system, [gid[v] for v in found.valves], why))
    return leaks


def build_answers(layout: CampusLayout, mep: MepPlan, seed: int, requested: int) -> CampusAnswers:
    """The answer file for a planned campus."""
    keys = [SITE_KEY, *mep.elements, *(r.key for r in layout.rooms())]
    for building in layout.buildings:
        keys += [building.key, mep_key(building.key)]
        keys += [k for s in building.storeys for k in (s.key, mep_key(s.key))]
    keys += [port.key for element in mep.elements.values() for port in element.ports]
    gid = {key: global_id(seed, key) for key in keys}
    geo = campus_georeference()
    site = SiteAnswer(
        gid[SITE_KEY], "WZ01", geo.epsg, geo.eastings, geo.northings, geo.latitude, geo.longitude
    )
    buildings = [
        BuildingAnswer(
            gid[b.key],
            b.name,
            gid[mep_key(b.key)],
            [
                StoreyAnswer(gid[s.key], gid[mep_key(s.key)], s.name, s.elevation_m)
                for s in b.storeys
            ],
        )
        for b in layout.buildings
    ]
    rooms = [
        RoomAnswer(
            gid[r.key],
            r.number,
            r.long_name,
            r.usage.value,
            gid[r.building_key],
            gid[r.storey_key],
            round(r.rect.area_m2, 4),
            r.declared_area_m2,
            r.height_m,
            r.ceiling_m,
            [list(corner) for corner in r.rect.corners()],
        )
        for r in layout.rooms()
    ]
    passages = segment_passages(layout, mep)
    segments = {
        gid[key]: [PassageAnswer(gid[p.room_key], p.where, p.length_m) for p in found]
        for key, found in passages.items()
    }
    split_pairs = [
        [gid[c.source_port], gid[c.sink_port]]
        for c in mep.connections
        if mep.elements[c.source_element].owner != mep.elements[c.sink_element].owner
    ]
    elements = list(mep.elements.values())
    counts = Counts(
        buildings=len(layout.buildings),
        storeys=sum(len(b.storeys) for b in layout.buildings),
        rooms=len(rooms),
        segments=sum(e.is_segment for e in elements),
        fittings=sum(e.ifc_class == "IfcPipeFitting" for e in elements),
        valves=sum(e.ifc_class == "IfcValve" for e in elements),
        terminals=sum(e.is_terminal for e in elements),
        cables=sum(e.ifc_class in ("IfcCableSegment", "IfcCableCarrierSegment") for e in elements),
        pumps=sum(e.ifc_class == "IfcPump" for e in elements),
        systems=len(mep.systems_used()),
        connections=len(mep.connections),
        split_unconnected_pairs=len(split_pairs),
    )
    return CampusAnswers(
        SCHEMA_VERSION,
        seed,
        requested,
        site,
        buildings,
        rooms,
        [gid[layout.area_mismatch_room]] if layout.area_mismatch_room else [],
        sorted(sorted((gid[a], gid[b])) for a, b in adjacent_rooms(layout)),
        segments,
        counts,
        split_pairs,
        _leaks(layout, mep, gid),
    )
