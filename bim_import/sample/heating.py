"""Heating supply and return, from the boiler in a services building to its neighbours.

The plant room of each services building holds a gas boiler, a circulating pump
with one check valve on its discharge, a normally closed bypass between supply and
return, and a main valve on each. Underground site pipes carry supply and return to
the office block and annex of the same group. In each of those, a supply and a
return riser stand in the shaft; per storey an isolating valve feeds pipes laid in
the floor slab along both exterior walls, with a radiator per office or meeting
room, so supply and return form one loop through every radiator. The site gas main
ends at a gas valve in the plant room, piped to the boiler.
"""

from __future__ import annotations

from dataclasses import dataclass

from bim_import.sample.geometry import Box, Point3, point, rect, rounded
from bim_import.sample.layout import BuildingPlan, RoomPlan, StoreyPlan
from bim_import.sample.mep import MepPlan, NetworkBuilder, Tip
from bim_import.sample.runs import (
    HEATING_RETURN_SLAB_M,
    HEATING_SUPPLY_SLAB_M,
    SITE_HEATING_RETURN_Z,
    SITE_HEATING_SUPPLY_Z,
    SOUTH,
    UP,
    ShaftSpots,
    line_run,
    pipe,
    riser,
)
from bim_import.sample.site import plant_room

__all__ = ["RADIATOR_KINDS", "lay_heating"]

RADIATOR_KINDS = {"office", "shared_office", "meeting"}
RISER_JUNCTION_M = 0.5  # above each floor
PLANT_Z_M = 1.0  # plant pipes above the basement floor


@dataclass(frozen=True)
class _Side:
    """Supply or return: system, slab depth, line offset from the exterior wall, where the
    radiator connection sits in the room, and the street line of the site pipe."""

    system: str
    outward: bool
    label: str
    slab_m: float
    line_m: float
    radiator_dx_m: float
    street_offset_m: float


SUPPLY = _Side(
    system="Heating supply",
    outward=True,
    label="supply",
    slab_m=HEATING_SUPPLY_SLAB_M,
    line_m=0.2,
    radiator_dx_m=0.5,
    street_offset_m=2.0,
)
RETURN = _Side(
    system="Heating return",
    outward=False,
    label="return",
    slab_m=HEATING_RETURN_SLAB_M,
    line_m=0.3,
    radiator_dx_m=1.5,
    street_offset_m=2.6,
)


def _valve(
    b: NetworkBuilder, tip: Tip, name: str, axis: Point3 | None = None, normally_open: bool = True
) -> Tip:
    return b.inline(tip, "IfcValve", "ISOLATING", name, 0.2, axis=axis, normally_open=normally_open)


def _radiator_box(room: RoomPlan, x_m: float, z_m: float) -> Box:
    if room.band == "south":
        y0, y1 = room.rect.y0 + 0.1, room.rect.y0 + 0.4
    else:
        y0, y1 = room.rect.y1 - 0.4, room.rect.y1 - 0.1
    return Box(rect(x_m - 0.05, y0, x_m + 1.05, y1), rounded(z_m + 0.1), rounded(z_m + 0.7))


def _storey_loop(
    b: NetworkBuilder, side: _Side, storey: StoreyPlan, tip: Tip, radiators: dict[str, str]
) -> None:
    """One storey's valve, slab pipes along both bands and radiator connections."""
    z = storey.elevation_m
    tip = _valve(b, tip, f"Heating {side.label} valve {storey.name}", axis=SOUTH)
    x = tip.point[0]
    south_y = rounded(storey.shaft.rect.y0 + side.line_m)
    z_slab = rounded(z + side.slab_m)
    tip = b.route(
        tip,
        [point(x, south_y, tip.point[2]), point(x, south_y, z_slab)],
        pipe(0.035),
        f"Heating {side.label}",
    )
    junction = Tip(b.fitting(tip), tip.point)
    north_rooms = [r for r in storey.rooms if r.band == "north"]
    north_y = rounded(north_rooms[0].rect.y1 - side.line_m)
    for band, start in (("south", junction), ("north", None)):
        rooms = sorted(
            (r for r in storey.rooms if r.band == band and r.kind in RADIATOR_KINDS),
            key=lambda r: r.rect.x0,
        )
        if start is None:
            start = b.pipe_to(
                junction, point(x, north_y, z_slab), pipe(0.028), f"Heating {side.label}"
            )
        tips, segments = line_run(
            b,
            start,
            [rounded(r.rect.x0 + side.radiator_dx_m) for r in rooms],
            pipe(0.028),
            f"Heating {side.label}",
        )
        b.mep.landmarks.setdefault(f"{storey.key}/heating_{side.label}_main", segments[0])
        for room, branch in zip(rooms, tips, strict=True):
            up = b.pipe_to(
                branch,
                point(branch.point[0], branch.point[1], z + 0.15),
                pipe(0.022),
                "Radiator connection",
            )
            if side.outward:
                box = _radiator_box(room, branch.point[0], z)
                radiators[room.key] = b.terminal(
                    up, "IfcSpaceHeater", "RADIATOR", "Radiator", box, room.key
                )
            else:
                b.join(up, radiators[room.key], add_system=True)


def _building_loop(
    b: NetworkBuilder,
    side: _Side,
    building: BuildingPlan,
    entry: Tip,
    radiators: dict[str, str],
) -> None:
    b = b.for_owner(building.key)
    name = "entry" if side.outward else "exit"
    tip = _valve(b, entry, f"Heating {side.label} {name} valve", axis=UP)
    levels = [tip.point[2]] + [s.elevation_m + RISER_JUNCTION_M for s in building.storeys[1:]]
    rising = riser(b, tip, levels, (0.0, -0.1, 0.0), pipe(0.054), f"Heating {side.label} riser")
    for storey, segment in zip(building.storeys, rising.segments, strict=False):
        b.mep.landmarks[f"{storey.key}/heating_{side.label}_riser"] = segment
    for storey, branch in zip(building.storeys, rising.branches, strict=True):
        _storey_loop(b, side, storey, branch, radiators)


def _riser_spot(building: BuildingPlan, side: _Side) -> tuple[float, float]:
    spots = ShaftSpots.of(building)
    return spots.heating_supply if side.outward else spots.heating_return


def _site_pipes(
    b: NetworkBuilder, side: _Side, plant_tip: Tip, street_y: float, served: list[BuildingPlan]
) -> list[Tip]:
    """From the plant room valve to below each served building's riser, then up."""
    b = b.for_owner(None)
    x, _, z = plant_tip.point
    tip = b.pipe_to(
        plant_tip,
        point(x, street_y - side.street_offset_m, z),
        pipe(0.089),
        f"Site heating {side.label}",
    )
    spots = [_riser_spot(building, side) for building in served]
    tips, _ = line_run(
        b, tip, [x_riser for x_riser, _ in spots], pipe(0.089), f"Site heating {side.label}"
    )
    entries = []
    for building, (x_riser, y_riser), branch in zip(served, spots, tips, strict=True):
        rise_to = building.storeys[0].elevation_m + RISER_JUNCTION_M - 0.2
        entries.append(
            b.route(
                branch,
                [point(x_riser, y_riser, z), point(x_riser, y_riser, rise_to)],
                pipe(0.076),
                f"Site heating {side.label}",
            )
        )
    return entries


def lay_heating(
    mep: MepPlan, plant: BuildingPlan, served: list[BuildingPlan], gas_entry: Tip | None
) -> None:
    """Boiler plant in `plant`'s basement, site pipes, and loops in `served` buildings."""
    hx, hy = plant_room(plant)
    floor = plant.storeys[0].elevation_m
    z = rounded(floor + PLANT_Z_M)
    room = plant.storeys[0].rooms_of_kind("boiler")[0]
    sup = NetworkBuilder(mep, SUPPLY.system, plant.key)
    ret = NetworkBuilder(mep, RETURN.system, plant.key, outward=False)
    boiler = sup.new(
        "IfcBoiler",
        "WATER",
        "Boiler",
        room_key=room.key,
        box=Box(rect(hx + 0.9, hy + 2.0, hx + 2.1, hy + 3.0), floor, floor + 1.6),
    )
    mep.elements[boiler].systems.append(RETURN.system)
    mep.sources.add(boiler)

    tip = sup.pipe_to(
        Tip(boiler, point(hx + 2.1, hy + 2.7, z)),
        point(hx + 2.4, hy + 2.7, z),
        pipe(0.089),
        "Heating supply",
    )
    tip = sup.inline(tip, "IfcPump", "CIRCULATOR", "Heating pump", 0.4, width_m=0.3)
    tip = sup.inline(tip, "IfcValve", "CHECK", "Pump check valve", 0.2)
    tip = sup.pipe_to(tip, point(hx + 3.6, hy + 2.7, z), pipe(0.089), "Heating supply")
    bypass = Tip(sup.fitting(tip), tip.point)
    tip = sup.route(
        bypass,
        [
            point(hx + 4.2, hy + 2.7, z),
            point(hx + 4.2, hy + 2.7, -1.0),
            point(hx + 4.2, hy + 0.8, SITE_HEATING_SUPPLY_Z),
        ],
        pipe(0.089),
        "Heating supply",
    )
    supply_out = _valve(sup, tip, "Heating supply main valve")

    tip = ret.pipe_to(
        Tip(boiler, point(hx + 2.1, hy + 2.2, z)),
        point(hx + 3.6, hy + 2.2, z),
        pipe(0.089),
        "Heating return",
    )
    return_tee = ret.fitting(tip)
    tip = ret.route(
        Tip(return_tee, tip.point),
        [
            point(hx + 4.8, hy + 2.2, z),
            point(hx + 4.8, hy + 2.2, -1.2),
            point(hx + 4.8, hy + 0.8, SITE_HEATING_RETURN_Z),
        ],
        pipe(0.089),
        "Heating return",
    )
    return_out = _valve(ret, tip, "Heating return main valve")

    radiators: dict[str, str] = {}
    street_y = served[0].footprint.y0
    for side, builder, plant_tip in ((SUPPLY, sup, supply_out), (RETURN, ret, return_out)):
        entries = _site_pipes(builder, side, plant_tip, street_y, served)
        for building, entry in zip(served, entries, strict=True):
            _building_loop(builder, side, building, entry, radiators)

    tip = _valve(sup, bypass, "Heating bypass valve", axis=SOUTH, normally_open=False)
    tip = sup.pipe_to(tip, point(hx + 3.6, hy + 2.2, z), pipe(0.054), "Heating bypass")
    sup.join(tip, return_tee)

    if gas_entry is not None:
        gas = NetworkBuilder(mep, "Gas", plant.key)
        tip = gas.inline(
            gas_entry, "IfcValve", "GASCOCK", "Gas entry valve", 0.2, normally_open=True
        )
        x_gas = tip.point[0]
        tip = gas.route(
            tip,
            [
                point(x_gas, hy + 2.5, tip.point[2]),
                point(x_gas, hy + 2.5, z - 0.5),
                point(hx + 0.9, hy + 2.5, z - 0.5),
            ],
            pipe(0.032),
            "Gas pipe",
        )
        mep.landmarks[f"{plant.key}/gas_pipe"] = tip.element
        gas.join(tip, boiler, add_system=True)
