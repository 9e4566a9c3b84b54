"""The architectural plan of the sample campus as plain data, in site coordinates.

`plan_campus(buildings)` turns the room schedules of `programme` into rectangles:
rooms (net area inside the walls), walls (exterior 0.3 m, partitions 0.15 m),
doors from every room to its corridor, storey elevations and heights. Nothing here
knows about IFC; the IFC writer and the answer file both read this plan, which is
what makes the answer file an independent oracle for the importer.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from bim_import.sample.geometry import Rect, rect, rounded
from bim_import.sample.programme import (
    ROOM_KINDS,
    STOREY_HEIGHT_M,
    BandRoom,
    BuildingProgramme,
    StoreyProgramme,
    Usage,
    campus_programmes,
)

__all__ = [
    "DOOR_HEIGHT_M",
    "EXTERIOR_WALL_M",
    "PARTITION_M",
    "SLAB_M",
    "BuildingPlan",
    "CampusLayout",
    "DoorPlan",
    "RoomPlan",
    "StoreyPlan",
    "WallPlan",
    "plan_campus",
]

EXTERIOR_WALL_M = 0.3
PARTITION_M = 0.15
SLAB_M = 0.25
DOOR_WIDTH_M = 0.9
DOOR_HEIGHT_M = 2.1
GROUP_PITCH_M = 120.0  # one group = office block, annex, services building
ROW_PITCH_M = 40.0
GROUPS_PER_ROW = 3
_OFFSET_IN_GROUP_M = {"office": 0.0, "annex": 50.0, "services": 90.0}


@dataclass(frozen=True)
class RoomPlan:
    """One room (IfcSpace): net footprint inside the walls, floor and ceiling heights."""

    key: str
    building_key: str
    storey_key: str
    number: str
    long_name: str
    kind: str
    usage: Usage
    band: str  # "south", "north" or "corridor"
    rect: Rect
    floor_z_m: float
    height_m: float  # floor to the underside of the slab above
    ceiling_m: float | None  # finished ceiling above the floor, None without one
    declared_area_m2: float
    finish_ceiling_quantity: bool

    @property
    def top_z_m(self) -> float:
        return rounded(self.floor_z_m + self.height_m)

    @property
    def ceiling_z_m(self) -> float:
        """Underside of the finished ceiling; the slab underside when there is none."""
        if self.ceiling_m is None:
            return self.top_z_m
        return rounded(self.floor_z_m + self.ceiling_m)


@dataclass(frozen=True)
class WallPlan:
    """A straight wall, a rectangle in plan from slab top to slab underside."""

    key: str
    rect: Rect
    floor_z_m: float
    height_m: float
    is_external: bool

    @property
    def runs_along_x(self) -> bool:
        return self.rect.width_m > self.rect.depth_m


@dataclass(frozen=True)
class DoorPlan:
    """A door in the wall between a room and its corridor."""

    key: str
    room_key: str
    wall_key: str
    rect: Rect
    floor_z_m: float


@dataclass(frozen=True)
class StoreyPlan:
    """One storey: elevation (slab top), clear height, rooms, walls and doors."""

    key: str
    building_key: str
    name: str
    elevation_m: float
    height_m: float
    rooms: tuple[RoomPlan, ...]
    walls: tuple[WallPlan, ...]
    doors: tuple[DoorPlan, ...]

    def rooms_of_kind(self, kind: str) -> list[RoomPlan]:
        return [room for room in self.rooms if room.kind == kind]

    @property
    def corridor(self) -> RoomPlan:
        return self.rooms_of_kind("corridor")[0]

    @property
    def shaft(self) -> RoomPlan:
        return self.rooms_of_kind("shaft")[0]


@dataclass(frozen=True)
class BuildingPlan:
    """One building: footprint in site coordinates and its storeys, lowest first."""

    key: str  # "B01"
    index: int
    kind: str
    name: str
    group: int
    row: int
    footprint: Rect
    storeys: tuple[StoreyPlan, ...]

    @property
    def roof_z_m(self) -> float:
        """Underside of the roof slab (top of the top storey's walls)."""
        top = self.storeys[-1]
        return rounded(top.elevation_m + top.height_m)


@dataclass(frozen=True)
class CampusLayout:
    """All buildings of the campus and the street rows that carry the site mains."""

    buildings: tuple[BuildingPlan, ...]
    row_y_m: tuple[float, ...]  # south face of the buildings of each row
    area_mismatch_room: str | None

    def rooms(self) -> Iterator[RoomPlan]:
        for building in self.buildings:
            for storey in building.storeys:
                yield from storey.rooms

    def storeys(self) -> Iterator[StoreyPlan]:
        for building in self.buildings:
            yield from building.storeys


def _band_widths(band: tuple[BandRoom, ...], interior_length_m: float) -> list[float]:
    """Widths of a band's rooms; the one room without a width takes the rest."""
    fixed = sum(room.width_m or 0.0 for room in band)
    rest = interior_length_m - fixed - PARTITION_M * (len(band) - 1)
    fillers = [room for room in band if room.width_m is None]
    if len(fillers) != 1 or rest < 2.4:
        raise ValueError(f"band does not fit {interior_length_m} m: {band}")
    return [rounded(room.width_m if room.width_m is not None else rest) for room in band]


class _StoreyDrafter:
    """Draws one storey of one building; keeps the running room and wall numbers."""

    def __init__(self, programme: BuildingProgramme, key: str, origin: tuple[float, float]):
        self.programme = programme
        self.building_key = key
        self.x0, self.y0 = origin
        p = programme
        self.length_m = rounded(p.interior_length_m + 2 * EXTERIOR_WALL_M)
        self.south_y = (self.y0 + EXTERIOR_WALL_M, self.y0 + EXTERIOR_WALL_M + p.band_depth_m)
        corridor_y0 = self.south_y[1] + PARTITION_M
        self.corridor_y = (corridor_y0, corridor_y0 + p.corridor_width_m)
        north_y0 = self.corridor_y[1] + PARTITION_M
        self.north_y = (north_y0, north_y0 + p.band_depth_m)
        self.depth_m = rounded(self.north_y[1] + EXTERIOR_WALL_M - self.y0)

    @property
    def footprint(self) -> Rect:
        return rect(self.x0, self.y0, self.x0 + self.length_m, self.y0 + self.depth_m)

    def storey(self, storey: StoreyProgramme, height_m: float) -> StoreyPlan:
        self.storey_key = f"{self.building_key}/{storey.name}"
        self.storey_name = storey.name
        self.z = storey.elevation_m
        self.height_m = height_m
        self.rooms: list[RoomPlan] = []
        self.walls: list[WallPlan] = []
        self.doors: list[DoorPlan] = []
        self._exterior_and_corridor_walls()
        self._band(storey.south, "south", self.south_y)
        self._band(storey.north, "north", self.north_y)
        x0 = self.x0 + EXTERIOR_WALL_M
        x1 = x0 + self.programme.interior_length_m
        corridor = rect(x0, self.corridor_y[0], x1, self.corridor_y[1])
        self._room(BandRoom("corridor", None), "corridor", corridor)
        return StoreyPlan(
            self.storey_key,
            self.building_key,
            storey.name,
            self.z,
            height_m,
            tuple(self.rooms),
            tuple(self.walls),
            tuple(self.doors),
        )

    def _wall(self, x0: float, y0: float, x1: float, y1: float, external: bool) -> WallPlan:
        wall = WallPlan(
            f"{self.storey_key}/W{len(self.walls) + 1:02d}",
            rect(x0, y0, x1, y1),
            self.z,
            self.height_m,
            external,
        )
        self.walls.append(wall)
        return wall

    def _exterior_and_corridor_walls(self) -> None:
        x0, y0, t = self.x0, self.y0, EXTERIOR_WALL_M
        x1, y1 = x0 + self.length_m, y0 + self.depth_m
        self._wall(x0, y0, x1, y0 + t, True)
        self._wall(x0, y1 - t, x1, y1, True)
        self._wall(x0, y0 + t, x0 + t, y1 - t, True)
        self._wall(x1 - t, y0 + t, x1, y1 - t, True)
        self.corridor_walls = {
            "south": self._wall(x0 + t, self.south_y[1], x1 - t, self.corridor_y[0], False),
            "north": self._wall(x0 + t, self.corridor_y[1], x1 - t, self.north_y[0], False),
        }

    def _band(self, band: tuple[BandRoom, ...], side: str, span: tuple[float, float]) -> None:
        x = self.x0 + EXTERIOR_WALL_M
        widths = _band_widths(band, self.programme.interior_length_m)
        for index, (spec, width) in enumerate(zip(band, widths, strict=True)):
            if index:
                self._wall(x, span[0], x + PARTITION_M, span[1], False)
                x += PARTITION_M
            room = self._room(spec, side, rect(x, span[0], x + width, span[1]))
            wall = self.corridor_walls[side]
            door = rect(x + 0.3, wall.rect.y0, x + 0.3 + DOOR_WIDTH_M, wall.rect.y1)
            self.doors.append(DoorPlan(f"{room.key}/door", room.key, wall.key, door, self.z))
            x += width

    def _room(self, spec: BandRoom, band: str, rect: Rect) -> RoomPlan:
        kind = ROOM_KINDS[spec.kind]
        number = len(self.rooms) + 1
        has_ceiling = kind.has_ceiling and self.programme.ceiling_m is not None
        room = RoomPlan(
            key=f"{self.storey_key}/R{number:03d}",
            building_key=self.building_key,
            storey_key=self.storey_key,
            number=f"{self.storey_name}-{number:03d}",
            long_name=spec.long_name or kind.names[self.programme.language],
            kind=spec.kind,
            usage=kind.usage,
            band=band,
            rect=rect,
            floor_z_m=self.z,
            height_m=self.height_m,
            ceiling_m=self.programme.ceiling_m if has_ceiling else None,
            declared_area_m2=round(rect.area_m2 * spec.declared_area_factor, 4),
            finish_ceiling_quantity=has_ceiling and self.programme.finish_ceiling_quantity,
        )
        self.rooms.append(room)
        return room


def _plan_building(programme: BuildingProgramme, index: int) -> BuildingPlan:
    group = index // 3
    row, column = divmod(group, GROUPS_PER_ROW)
    origin = (column * GROUP_PITCH_M + _OFFSET_IN_GROUP_M[programme.kind], row * ROW_PITCH_M)
    key = f"B{index + 1:02d}"
    drafter = _StoreyDrafter(programme, key, origin)
    storeys = []
    levels = programme.storeys
    for number, storey in enumerate(levels):
        above = levels[number + 1].elevation_m if number + 1 < len(levels) else None
        top = above if above is not None else storey.elevation_m + STOREY_HEIGHT_M
        storeys.append(drafter.storey(storey, rounded(top - SLAB_M - storey.elevation_m)))
    return BuildingPlan(
        key, index, programme.kind, programme.name, group, row, drafter.footprint, tuple(storeys)
    )


def plan_campus(buildings: int) -> CampusLayout:
    """The architectural plan of a campus of `buildings` buildings (1 to 200)."""
    plans = tuple(
        _plan_building(programme, index)
        for index, programme in enumerate(campus_programmes(buildings))
    )
    rows = (len(plans) - 1) // (3 * GROUPS_PER_ROW) + 1
    mismatched = [
        room.key
        for plan in plans
        for storey in plan.storeys
        for room in storey.rooms
        if room.declared_area_m2 != round(room.rect.area_m2, 4)
    ]
    return CampusLayout(
        plans,
        tuple(row * ROW_PITCH_M for row in range(rows)),
        mismatched[0] if mismatched else None,
    )
