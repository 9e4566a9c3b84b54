"""Cold water, sprinklers and drainage inside one building.

Cold water: entry valve, a riser in the shaft (one segment per storey, floor to
floor), per storey a junction and an isolating valve, a branch in the corridor
ceiling void, sub-branches into the ceiling void of each toilet or pantry, and a
drop inside a partition wall to a tap. Sprinklers take their water from the riser
base, rise beside it and feed heads along the corridor. Drainage runs the other
way: from each toilet pan down through the slab into the ceiling void below, into
the soil stack in the shaft, and out under the building to the site sewer.
"""

from __future__ import annotations

from bim_import.sample.geometry import Box, moved, point, rect, rounded
from bim_import.sample.layout import BuildingPlan, RoomPlan, StoreyPlan
from bim_import.sample.mep import MepPlan, NetworkBuilder, Tip
from bim_import.sample.runs import (
    DRAIN_BELOW_FLOOR_M,
    SPRINKLER_MAIN_M,
    UP,
    WATER_MAIN_M,
    ShaftSpots,
    corridor_line_y,
    line_run,
    pipe,
    riser,
)

__all__ = ["lay_drainage", "lay_water"]

TAP_KINDS = {
    "office": {"toilet", "pantry"},
    "annex": {"toilet", "pantry"},
    "services": {"boiler", "pump", "storage"},
}
TAP_HEIGHT_M = 1.0
HEAD_SPACING_M = 6.0


def _drop_wall(storey: StoreyPlan, room: RoomPlan) -> tuple[float, float]:
    """Centre plane x of the partition the tap's drop runs in, and the side (-1 west).

    The partition away from the shaft, unless that side is an exterior wall.
    """
    band = sorted((r for r in storey.rooms if r.band == room.band), key=lambda r: r.rect.x0)
    index = band.index(room)
    west_ok, east_ok = index > 0, index < len(band) - 1
    prefer_west = room.band != "south" or room.rect.x1 <= storey.shaft.rect.x0
    if (prefer_west and west_ok) or not east_ok:
        return rounded(room.rect.x0 - 0.075), -1.0
    return rounded(room.rect.x1 + 0.075), 1.0


def _tap(dcw: NetworkBuilder, storey: StoreyPlan, room: RoomPlan, tip: Tip, wall_x: float) -> None:
    z_main = storey.elevation_m + WATER_MAIN_M
    y_mid = room.rect.centre[1]
    inward = 1.0 if wall_x < room.rect.x0 else -1.0
    tip = dcw.route(
        tip,
        [point(wall_x + 0.4 * inward, y_mid, z_main), point(wall_x, y_mid, z_main)],
        pipe(0.025),
        "Water branch",
    )
    tap_z = storey.elevation_m + TAP_HEIGHT_M
    tip = dcw.pipe_to(tip, point(wall_x, y_mid, tap_z), pipe(0.025), "Water drop")
    dcw.mep.landmarks.setdefault(f"{storey.key}/water_drop", tip.element)
    face = room.rect.x0 if inward > 0 else room.rect.x1
    x_front = face + 0.45 * inward
    basin = Box(
        rect(min(wall_x, x_front), y_mid - 0.25, max(wall_x, x_front), y_mid + 0.25),
        rounded(tap_z - 0.2),
        tap_z,
    )
    kind = "WASHHANDBASIN" if room.kind == "toilet" else "SINK"
    dcw.terminal(tip, "IfcSanitaryTerminal", kind, "Tap", basin, room.key)


def _water_branch(
    dcw: NetworkBuilder, building: BuildingPlan, storey: StoreyPlan, tip: Tip
) -> None:
    z_main = storey.elevation_m + WATER_MAIN_M
    tip = dcw.inline(
        tip,
        "IfcValve",
        "ISOLATING",
        f"Water branch valve {storey.name}",
        0.2,
        axis=UP,
        normally_open=True,
    )
    y_line = corridor_line_y(storey, 0.0)
    x = tip.point[0]
    tip = dcw.route(
        tip, [point(x, tip.point[1], z_main), point(x, y_line, z_main)], pipe(0.032), "Water branch"
    )
    rooms = sorted(
        (r for r in storey.rooms if r.kind in TAP_KINDS[building.kind]), key=lambda r: r.key
    )
    if not rooms:
        raise ValueError(f"{storey.key} has no room with a tap")
    walls = [_drop_wall(storey, room) for room in rooms]
    outlets = [rounded(x_wall - 0.4 * side) for x_wall, side in walls]
    tips, segments = line_run(dcw, tip, outlets, pipe(0.032), "Water branch")
    dcw.mep.landmarks[f"{storey.key}/water_branch"] = segments[0]
    for room, branch, (x_wall, _) in zip(rooms, tips, walls, strict=True):
        _tap(dcw, storey, room, branch, x_wall)


def _sprinklers(mep: MepPlan, building: BuildingPlan, base: Tip, spots: ShaftSpots) -> None:
    spr = NetworkBuilder(mep, "Sprinkler", building.key)
    z = base.point[2]
    tip = spr.pipe_to(base, point(*spots.sprinkler, z), pipe(0.065), "Sprinkler feed")
    tip = spr.inline(
        tip, "IfcValve", "ISOLATING", "Sprinkler riser valve", 0.2, axis=UP, normally_open=True
    )
    levels = [tip.point[2]] + [s.elevation_m + 0.6 for s in building.storeys[1:]]
    rising = riser(spr, tip, levels, (-0.1, 0.0, 0.0), pipe(0.065), "Sprinkler riser")
    for storey, branch in zip(building.storeys, rising.branches, strict=True):
        corridor = storey.corridor
        tip = spr.inline(
            branch,
            "IfcValve",
            "ISOLATING",
            f"Sprinkler branch valve {storey.name}",
            0.2,
            axis=UP,
            normally_open=True,
        )
        x = tip.point[0]
        z_main = storey.elevation_m + SPRINKLER_MAIN_M
        y_line = corridor_line_y(storey, -0.4)
        tip = spr.route(
            tip,
            [point(x, tip.point[1], z_main), point(x, y_line, z_main)],
            pipe(0.05),
            "Sprinkler main",
        )
        heads = []
        x_head = corridor.rect.x0 + 1.5
        while x_head <= corridor.rect.x1 - 1.5:
            if abs(x_head - x) > 0.3:
                heads.append(rounded(x_head))
            x_head += HEAD_SPACING_M
        tips, segments = line_run(spr, tip, heads, pipe(0.05), "Sprinkler main")
        mep.landmarks[f"{storey.key}/sprinkler_main"] = segments[0]
        head_z = corridor.ceiling_z_m
        for head in tips:
            drop = spr.pipe_to(
                head,
                moved(head.point, dz=head_z + 0.05 - head.point[2]),
                pipe(0.025),
                "Sprinkler drop",
            )
            spr.terminal(
                drop,
                "IfcFireSuppressionTerminal",
                "SPRINKLER",
                "Sprinkler head",
                Box.around((drop.point[0], drop.point[1], head_z), (0.1, 0.1, 0.1)),
                corridor.key,
            )


def lay_water(mep: MepPlan, building: BuildingPlan, entry: Tip) -> None:
    """Cold water (and sprinklers, except in the services building) from the entry."""
    spots = ShaftSpots.of(building)
    dcw = NetworkBuilder(mep, "Domestic cold water", building.key)
    tip = dcw.inline(entry, "IfcValve", "ISOLATING", "Water entry valve", 0.2, normally_open=True)
    if tip.point[:2] != spots.water:  # entered through a basement wall
        tip = dcw.pipe_to(tip, point(*spots.water, tip.point[2]), pipe(0.05), "Water riser")
    levels = [tip.point[2]] + [s.elevation_m for s in building.storeys[1:]]
    rising = riser(dcw, tip, levels, (-0.1, 0.0, 0.0), pipe(0.05), "Water riser")
    for storey, segment in zip(building.storeys, rising.segments, strict=False):
        mep.landmarks[f"{storey.key}/water_riser"] = segment
    for storey, branch in zip(building.storeys, rising.branches, strict=True):
        _water_branch(dcw, building, storey, branch)
    if building.kind != "services":
        base = Tip(rising.junctions[0], moved(point(*spots.water, levels[0]), dx=0.1))
        _sprinklers(mep, building, base, spots)


def lay_drainage(mep: MepPlan, building: BuildingPlan, entry: Tip) -> None:
    """Toilet pans to the soil stack and down to the site sewer connection at entry."""
    drn = NetworkBuilder(mep, "Drainage", building.key, outward=False)
    levels = [s.elevation_m + DRAIN_BELOW_FLOOR_M for s in building.storeys]
    stack = riser(drn, entry, levels, (0.0, 0.0, 0.0), pipe(0.11), "Soil stack", top_junction=True)
    for storey, junction in zip(building.storeys, stack.junctions, strict=True):
        at = point(*entry.point[:2], storey.elevation_m + DRAIN_BELOW_FLOOR_M)
        for toilet in storey.rooms_of_kind("toilet"):
            x_pan = toilet.rect.centre[0]
            tip = drn.route(
                Tip(junction, at),
                [point(x_pan, at[1], at[2]), point(x_pan, at[1], storey.elevation_m)],
                pipe(0.11),
                "Drain",
            )
            pan = Box.around((x_pan, at[1], storey.elevation_m), (0.4, 0.7, 0.4), bottom=True)
            drn.terminal(tip, "IfcSanitaryTerminal", "TOILETPAN", "Toilet pan", pan, toilet.key)
