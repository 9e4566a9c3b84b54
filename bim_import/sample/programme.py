"""What the sample buildings contain: room kinds, their names and the room schedules.

A building is a central corridor along X with one band of rooms on each side
(south and north). The schedule lists each band's rooms west to east with their
clear widths; one room per band has no width and takes what is left of the
building's interior length, so every band fits exactly. Names follow the building's
language: Chinese in the office block, English in the annex, German in the services
building. A few rooms carry a deliberate quirk (a name that matches no usage, a
declared area 10 % larger than drawn) so the importer has something to catch.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "ROOM_KINDS",
    "BandRoom",
    "BuildingProgramme",
    "RoomKind",
    "StoreyProgramme",
    "Usage",
    "campus_programmes",
]


class Usage(StrEnum):
    """The usage categories the answer file promises for each room."""

    OFFICE = "office"
    MEETING = "meeting"
    CIRCULATION = "circulation"
    SANITARY = "sanitary"
    PANTRY = "pantry"
    STORAGE = "storage"
    PLANT = "plant"
    IT = "it"
    UNCLASSIFIED = "unclassified"


@dataclass(frozen=True)
class RoomKind:
    """A kind of room: its usage, whether it has a suspended ceiling, its names."""

    code: str
    usage: Usage
    has_ceiling: bool
    names: dict[str, str]


def _kind(code: str, usage: Usage, ceiling: bool, zh: str, en: str, de: str) -> RoomKind:
    return RoomKind(code, usage, ceiling, {"zh": zh, "en": en, "de": de})


ROOM_KINDS: dict[str, RoomKind] = {
    k.code: k
    for k in (
        _kind("office", Usage.OFFICE, True, "办公室", "Office", "Büro"),
        _kind("shared_office", Usage.OFFICE, True, "办公室", "Shared office", "Büro"),
        _kind("meeting", Usage.MEETING, True, "会议室", "Meeting room", "Besprechung"),
        _kind("corridor", Usage.CIRCULATION, True, "走廊", "Corridor", "Flur"),
        _kind("stair", Usage.CIRCULATION, False, "楼梯间", "Stair", "Treppenhaus"),
        _kind("toilet", Usage.SANITARY, True, "卫生间", "Toilet", "WC"),
        _kind("pantry", Usage.PANTRY, True, "茶水间", "Pantry", "Teeküche"),
        _kind("storage", Usage.STORAGE, False, "储藏室", "Storage", "Lager"),
        _kind("archive", Usage.STORAGE, False, "档案室", "Archive", "Archiv"),
        _kind("server", Usage.IT, False, "服务器机房", "Server room", "Serverraum"),
        _kind("shaft", Usage.PLANT, False, "管井", "Riser shaft", "Technikraum"),
        _kind("plant", Usage.PLANT, False, "设备间", "Plant room", "Technikraum"),
        _kind("boiler", Usage.PLANT, False, "锅炉房", "Boiler room", "Heizraum"),
        _kind("pump", Usage.PLANT, False, "水泵房", "Pump room", "Pumpenraum"),
        _kind("unclassified", Usage.UNCLASSIFIED, False, "", "", ""),
    )
}


@dataclass(frozen=True)
class BandRoom:
    """One room of a band: its kind and clear width (None: takes the rest)."""

    kind: str
    width_m: float | None
    long_name: str | None = None  # overrides the kind's name (unclassified rooms)
    declared_area_factor: float = 1.0  # != 1 only for the deliberate area mismatch


@dataclass(frozen=True)
class StoreyProgramme:
    """The rooms of one storey, each band listed west to east."""

    name: str
    elevation_m: float
    south: tuple[BandRoom, ...]
    north: tuple[BandRoom, ...]


@dataclass(frozen=True)
class BuildingProgramme:
    """What one building is: kind, name, language, dimensions and storeys."""

    kind: str  # "office", "annex" or "services"
    name: str
    language: str
    band_depth_m: float
    corridor_width_m: float
    interior_length_m: float
    ceiling_m: float | None  # finished ceiling above the floor where rooms have one
    finish_ceiling_quantity: bool  # write Qto FinishCeilingHeight
    storeys: tuple[StoreyProgramme, ...]


STOREY_HEIGHT_M = 3.6
BASEMENT_ELEVATION_M = -4.0


def _r(
    kind: str, width_m: float | None, long_name: str | None = None, area_factor: float = 1.0
) -> BandRoom:
    return BandRoom(kind, width_m, long_name, area_factor)


def _office_storey(level: int, quirks: bool) -> StoreyProgramme:
    """One storey of the office block; level 1 is F01 at elevation 0."""
    special = {1: "archive", 2: "server"}.get(level, "office")
    third = _r("office", 3.0)
    if quirks and level == 3:
        third = _r("office", 3.0, area_factor=1.1)
    south = (
        _r("stair", 3.0),
        _r("office", 2.4),
        third,
        _r("meeting", 6.0),
        _r("toilet", 2.4),
        _r("shaft", 3.0),
        _r("toilet", 2.4),
        _r("pantry", 3.0),
        _r(special, 3.6),
        _r("shared_office", None),
    )
    first_north = _r("plant" if level == 1 else "office", 3.6)
    if quirks and level == 5:
        first_north = _r("unclassified", 3.6, long_name="Room X8")
    north = (
        first_north,
        _r("office", 3.0),
        _r("shared_office", 4.8),
        _r("meeting", 4.8),
        _r("office", 3.6),
        _r("shared_office", 7.2),
        _r("office", 3.0),
        _r("shared_office", None),
        _r("stair", 3.0),
    )
    return StoreyProgramme(f"F{level:02d}", (level - 1) * STOREY_HEIGHT_M, south, north)


def office_block(name: str, storeys: int, quirks: bool) -> BuildingProgramme:
    """Central corridor, rooms both sides, a riser shaft and two stairs per storey."""
    return BuildingProgramme(
        kind="office",
        name=name,
        language="zh",
        band_depth_m=5.0,
        corridor_width_m=2.4,
        interior_length_m=40.0,
        ceiling_m=2.8,
        finish_ceiling_quantity=True,
        storeys=tuple(_office_storey(level, quirks) for level in range(1, storeys + 1)),
    )


def _annex_storey(level: int, quirks: bool) -> StoreyProgramme:
    spare = _r("storage", 2.4)
    if quirks and level == 2:
        spare = _r("unclassified", 2.4, long_name="Room X7")
    south = (
        _r("stair", 3.0),
        _r("office", 3.0),
        _r("toilet", 2.4),
        _r("shaft", 3.0),
        _r("toilet", 2.4),
        _r("pantry", 2.4),
        _r("shared_office", 6.0),
        _r("meeting", None),
    )
    north = (
        _r("office", 3.6),
        _r("office", 3.0),
        spare,
        _r("archive", 3.6),
        _r("shared_office", 7.2),
        _r("shared_office", None),
        _r("stair", 3.0),
    )
    return StoreyProgramme(f"F{level:02d}", (level - 1) * STOREY_HEIGHT_M, south, north)


def annex(name: str, quirks: bool) -> BuildingProgramme:
    """Three storeys of offices with English room names."""
    return BuildingProgramme(
        kind="annex",
        name=name,
        language="en",
        band_depth_m=4.8,
        corridor_width_m=2.0,
        interior_length_m=30.0,
        ceiling_m=2.7,
        finish_ceiling_quantity=False,
        storeys=tuple(_annex_storey(level, quirks) for level in (1, 2, 3)),
    )


def services_building(name: str, quirks: bool) -> BuildingProgramme:
    """A basement plant room (boiler, pump, gas entry) under a ground floor of offices."""
    basement = StoreyProgramme(
        "B1",
        BASEMENT_ELEVATION_M,
        (_r("boiler", 7.2), _r("shaft", 3.0), _r("pump", None)),
        (_r("stair", 3.0), _r("storage", 6.0), _r("plant", None)),
    )
    odd = _r("unclassified", 2.4, long_name="Room X9") if quirks else _r("storage", 2.4)
    ground = StoreyProgramme(
        "F01",
        0.0,
        (_r("office", 3.6), _r("storage", 3.45), _r("shaft", 3.0), _r("office", None)),
        (_r("stair", 3.0), _r("office", 3.6), odd, _r("office", None)),
    )
    return BuildingProgramme(
        kind="services",
        name=name,
        language="de",
        band_depth_m=5.0,
        corridor_width_m=2.0,
        interior_length_m=15.6,
        ceiling_m=None,
        finish_ceiling_quantity=False,
        storeys=(basement, ground),
    )


_KIND_NAMES = {"office": "Office block", "annex": "Annex", "services": "Services building"}
EXTRA_OFFICE_STOREYS = 4


def campus_programmes(buildings: int) -> list[BuildingProgramme]:
    """The first three buildings as specified, then office/annex/services again."""
    programmes: list[BuildingProgramme] = []
    for index in range(buildings):
        kind = ("office", "annex", "services")[index % 3]
        first = index < 3
        name = _KIND_NAMES[kind] if first else f"{_KIND_NAMES[kind]} {index // 3 + 1}"
        if kind == "office":
            programmes.append(office_block(name, 7 if first else EXTRA_OFFICE_STOREYS, first))
        elif kind == "annex":
            programmes.append(annex(name, first))
        else:
            programmes.append(services_building(name, first))
    return programmes
