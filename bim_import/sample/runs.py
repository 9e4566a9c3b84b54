"""Shapes shared by the building networks: where each riser stands in the shaft,
risers with one junction per storey, and straight runs with branches along a line.

Every building has its riser shaft in the south band, beside the corridor, at the
same place on every storey. `ShaftSpots` fixes where each service rises in it, so
the networks never share a line. `riser` and `line_run` are the two patterns every
network is made of: a vertical riser with a junction per storey, and a horizontal
main along a line (a corridor ceiling void, a slab, a street) from which branches
leave at given x positions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bim_import.sample.geometry import Point3, moved, point, rounded
from bim_import.sample.layout import BuildingPlan, RoomPlan, StoreyPlan
from bim_import.sample.mep import NetworkBuilder, Profile, Tip

__all__ = [
    "SOUTH",
    "UP",
    "WEST",
    "RiserOutlets",
    "ShaftSpots",
    "corridor_line_y",
    "corridor_wall_y",
    "line_run",
    "pipe",
    "riser",
]

UP: Point3 = (0.0, 0.0, 1.0)
SOUTH: Point3 = (0.0, -1.0, 0.0)
WEST: Point3 = (-1.0, 0.0, 0.0)

# Heights above the floor of the lines in a ceiling void, and depths in the slab.
SPRINKLER_MAIN_M = 3.0
WATER_MAIN_M = 3.1
TRAY_M = 3.2
HEATING_SUPPLY_SLAB_M = -0.10
HEATING_RETURN_SLAB_M = -0.18
DRAIN_BELOW_FLOOR_M = -0.4  # drains run in the ceiling void of the storey below

# Depths of the site mains (below ground level 0.0).
SITE_WATER_Z = -1.5
SITE_GAS_Z = -0.9
SITE_SEWER_Z = -1.8
SITE_HEATING_SUPPLY_Z = -1.0
SITE_HEATING_RETURN_Z = -1.2


def pipe(outer_diameter_m: float) -> Profile:
    """A pipe of the given outer diameter with a wall a tenth of it."""
    return Profile("pipe", outer_diameter_m, rounded(outer_diameter_m / 10))


@dataclass(frozen=True)
class ShaftSpots:
    """Where each service rises in a building's shaft (same on every storey)."""

    water: tuple[float, float]
    sprinkler: tuple[float, float]
    heating_supply: tuple[float, float]
    heating_return: tuple[float, float]
    stack: tuple[float, float]
    board: tuple[float, float]

    @staticmethod
    def of(building: BuildingPlan) -> ShaftSpots:
        shafts = {storey.shaft.rect for storey in building.storeys}
        if len(shafts) != 1:
            raise ValueError(f"{building.key}: the shaft moves between storeys")
        shaft = shafts.pop()
        x0, y0, y1 = shaft.x0, shaft.y0, shaft.y1
        return ShaftSpots(
            water=(rounded(x0 + 0.45), rounded(y1 - 0.4)),
            sprinkler=(rounded(x0 + 0.85), rounded(y1 - 0.4)),
            heating_supply=(rounded(x0 + 1.45), rounded(y1 - 0.4)),
            heating_return=(rounded(x0 + 1.85), rounded(y1 - 0.4)),
            stack=(rounded(x0 + 2.0), rounded(y0 + 0.8)),
            board=(rounded(x0 + 2.45), rounded(y0 + 2.0)),
        )


def corridor_line_y(storey: StoreyPlan, offset_m: float) -> float:
    """A line along the corridor, offset from its centre line (north positive)."""
    return rounded(storey.corridor.rect.centre[1] + offset_m)


def corridor_wall_y(room: RoomPlan, storey: StoreyPlan) -> float:
    """Centre plane of the wall between a band room and the corridor."""
    corridor = storey.corridor.rect
    if room.band == "south":
        return rounded((room.rect.y1 + corridor.y0) / 2)
    return rounded((corridor.y1 + room.rect.y0) / 2)


@dataclass(frozen=True)
class RiserOutlets:
    """What `riser` built: one branch tip per level, its junctions and segments."""

    branches: list[Tip]
    junctions: list[str]
    segments: list[str]


def riser(
    builder: NetworkBuilder,
    tip: Tip,
    levels_z: Sequence[float],
    branch_offset: Point3,
    profile: Profile,
    name: str,
    top_junction: bool = False,
) -> RiserOutlets:
    """A vertical riser from tip (already at the first level) with a junction per level.

    Each junction's branch leaves at the junction moved by branch_offset. At the top
    level the riser itself turns into the branch, unless top_junction is set.
    """
    x, y = tip.point[0], tip.point[1]
    branches, junctions, segments = [], [], []
    for number, z in enumerate(levels_z):
        at = point(x, y, z)
        if tip.point != at:
            tip = builder.pipe_to(tip, at, profile, name)
            segments.append(tip.element)
        if number == len(levels_z) - 1 and not top_junction:
            branches.append(tip)
            break
        junction = builder.fitting(tip)
        junctions.append(junction)
        branches.append(Tip(junction, moved(at, *branch_offset)))
        tip = Tip(junction, at)
    return RiserOutlets(branches, junctions, segments)


def line_run(
    builder: NetworkBuilder,
    tip: Tip,
    outlets_x: Sequence[float],
    profile: Profile,
    name: str,
    end_junction: bool = False,
) -> tuple[list[Tip], list[str]]:
    """A main along x through tip's line, with one branch tip per outlet x (same order).

    The main runs both ways from tip when outlets lie on both sides (a tee at tip, or
    tip's own fitting). Outlets at the same x share one junction. The last outlet of
    each side is the main's own end (it bends into the branch) unless end_junction.
    Returns the branch tips and the main's segment keys, nearest first.
    """
    x0 = tip.point[0]
    if any(abs(x - x0) < 1e-6 for x in outlets_x):
        raise ValueError(f"{name}: an outlet is where the main starts ({x0})")
    sides = [
        sorted((i for i, x in enumerate(outlets_x) if x < x0), key=lambda i: -outlets_x[i]),
        sorted((i for i, x in enumerate(outlets_x) if x > x0), key=lambda i: outlets_x[i]),
    ]
    sides = [side for side in sides if side]
    starts = [tip] * len(sides)
    entry_is_fitting = tip.heading is None and builder.mep.elements[tip.element].ifc_class.endswith(
        "Fitting"
    )
    if len(sides) == 2 and not entry_is_fitting:
        junction = builder.fitting(tip)
        starts = [Tip(junction, tip.point)] * 2
    tips: list[Tip | None] = [None] * len(outlets_x)
    segments: list[str] = []
    for side, current in zip(sides, starts, strict=True):
        groups: dict[float, list[int]] = {}
        for i in side:
            groups.setdefault(rounded(outlets_x[i]), []).append(i)
        for number, (x, members) in enumerate(groups.items()):
            at = point(x, tip.point[1], tip.point[2])
            current = builder.pipe_to(current, at, profile, name)
            segments.append(current.element)
            if number == len(groups) - 1 and len(members) == 1 and not end_junction:
                tips[members[0]] = current
                continue
            junction = builder.fitting(current)
            for i in members:
                tips[i] = Tip(junction, at)
            current = Tip(junction, at)
    return [t for t in tips if t is not None], segments
