"""Underground site mains of the sample campus: water, gas and sewer.

Each main starts at a municipal connection south-west of the campus, runs north in
a trunk along the west edge and east along the street in front of each row of
buildings; a service pipe leaves it for each building and ends inside the building
(at the riser shaft, or through the basement wall into the plant room). These
pipes belong to the site, not to a building: in split mode they go to the site file
and their last port is left coincident with the building's first port.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bim_import.sample.geometry import Point3, point
from bim_import.sample.layout import BuildingPlan, CampusLayout
from bim_import.sample.mep import MepPlan, NetworkBuilder, Profile, Tip
from bim_import.sample.runs import (
    SITE_GAS_Z,
    SITE_SEWER_Z,
    SITE_WATER_Z,
    WEST,
    ShaftSpots,
    line_run,
    pipe,
)

__all__ = ["SiteTips", "lay_site_mains", "plant_room"]

CONNECTION_Y_M = -20.0


@dataclass
class SiteTips:
    """Where each building's part of a network begins (the site pipe's open end)."""

    water: dict[str, Tip] = field(default_factory=dict)
    sewer: dict[str, Tip] = field(default_factory=dict)
    gas: dict[str, Tip] = field(default_factory=dict)


@dataclass(frozen=True)
class _Main:
    system: str
    trunk_x: float
    street_offset_m: float  # south of the row's building faces
    z: float
    main: Profile
    service: Profile
    connection_name: str
    valve_name: str | None
    outward: bool = True


def plant_room(building: BuildingPlan) -> tuple[float, float]:
    """South-west inner corner of the services building's boiler room."""
    room = building.storeys[0].rooms_of_kind("boiler")[0]
    return room.rect.x0, room.rect.y0


def _trunk(builder: NetworkBuilder, spec: _Main, street_ys: list[float]) -> list[Tip]:
    """The trunk north from the municipal connection, one tip per street."""
    tip = builder.start(
        point(spec.trunk_x, CONNECTION_Y_M, spec.z),
        point(spec.trunk_x, CONNECTION_Y_M + 5.0, spec.z),
        spec.main,
        spec.connection_name,
    )
    if spec.outward:
        builder.mep.sources.add(tip.element)
    if spec.valve_name:
        tip = builder.inline(
            tip, "IfcValve", "ISOLATING", spec.valve_name, 0.3, width_m=0.2, normally_open=True
        )
    street_tips = []
    for number, y in enumerate(street_ys):
        tip = builder.pipe_to(tip, point(spec.trunk_x, y, spec.z), spec.main, "Site trunk main")
        if number == len(street_ys) - 1:
            street_tips.append(tip)
        else:
            junction = builder.fitting(tip)
            street_tips.append(Tip(junction, tip.point))
            tip = Tip(junction, tip.point)
    return street_tips


def _lay_main(
    mep: MepPlan,
    layout: CampusLayout,
    spec: _Main,
    entries: dict[str, list[Point3]],
    end_junction_row: int | None = None,
) -> tuple[dict[str, Tip], list[list[str]], Tip | None]:
    """Trunk, street mains and service pipes; entries maps building -> route points.

    Returns the tip where each building takes over, the street mains' segments per
    row, and the junction at the east end of end_junction_row's street main.
    """
    builder = NetworkBuilder(mep, spec.system, None, outward=spec.outward)
    by_row: dict[int, list[BuildingPlan]] = {}
    for building in layout.buildings:
        if building.key in entries:
            by_row.setdefault(building.row, []).append(building)
    rows = sorted(by_row)
    street_ys = [layout.row_y_m[row] - spec.street_offset_m for row in rows]
    tips: dict[str, Tip] = {}
    mains: list[list[str]] = []
    end: Tip | None = None
    for row, street_tip in zip(rows, _trunk(builder, spec, street_ys), strict=True):
        buildings = by_row[row]
        outlets = [entries[b.key][0][0] for b in buildings]
        branch_tips, segments = line_run(
            builder,
            street_tip,
            outlets,
            spec.main,
            "Site street main",
            end_junction=row == end_junction_row,
        )
        mains.append(segments)
        for building, tip in zip(buildings, branch_tips, strict=True):
            if row == end_junction_row and building is buildings[-1]:
                end = tip
            tips[building.key] = builder.route(
                tip, entries[building.key], spec.service, "Site service pipe"
            )
    return tips, mains, end


def _water_entries(layout: CampusLayout) -> dict[str, list[Point3]]:
    entries = {}
    for building in layout.buildings:
        x, y = ShaftSpots.of(building).water
        lowest = building.storeys[0]
        if lowest.elevation_m < 0:  # through the basement wall into the shaft
            y_in = lowest.shaft.rect.y0 + 0.6
            entries[building.key] = [point(x, y_in, SITE_WATER_Z)]
        else:  # under the building, then up through the slab into the shaft
            entries[building.key] = [
                point(x, y, SITE_WATER_Z),
                point(x, y, lowest.elevation_m + 0.2),
            ]
    return entries


def _lay_water(mep: MepPlan, layout: CampusLayout, tips: SiteTips) -> None:
    spec = _Main(
        system="Domestic cold water",
        trunk_x=-10.0,
        street_offset_m=4.0,
        z=SITE_WATER_Z,
        main=pipe(0.11),
        service=pipe(0.063),
        connection_name="Municipal water connection",
        valve_name="Site water main valve",
    )
    entries = _water_entries(layout)
    found, mains, standby_junction = _lay_main(mep, layout, spec, entries, end_junction_row=0)
    assert standby_junction is not None
    tips.water.update(found)
    mep.landmarks["site/water_main"] = mains[0][min(1, len(mains[0]) - 1)]
    # A standby connection at the east end of the first street, normally closed.
    builder = NetworkBuilder(mep, "Domestic cold water", None)
    x_end, y_street, z = standby_junction.point
    x_standby = x_end + 6.0
    tip = builder.start(
        point(x_standby, CONNECTION_Y_M, z),
        point(x_standby, y_street, z),
        spec.service,
        "Standby water connection",
    )
    mep.sources.add(tip.element)
    tip = builder.inline(
        tip,
        "IfcValve",
        "ISOLATING",
        "Standby connection valve",
        0.3,
        axis=WEST,
        normally_open=False,
    )
    tip = builder.pipe_to(tip, point(x_end, y_street, z), spec.service, "Standby connection")
    builder.join(tip, standby_junction.element)


def _lay_sewer(mep: MepPlan, layout: CampusLayout, tips: SiteTips) -> None:
    spec = _Main(
        system="Drainage",
        trunk_x=-12.0,
        street_offset_m=8.0,
        z=SITE_SEWER_Z,
        main=pipe(0.16),
        service=pipe(0.11),
        connection_name="Sewer outfall",
        valve_name=None,
        outward=False,
    )
    entries = {}
    for building in layout.buildings:
        if building.kind != "services":
            x, y = ShaftSpots.of(building).stack
            entries[building.key] = [point(x, y, SITE_SEWER_Z)]
    if entries:
        found, _, _ = _lay_main(mep, layout, spec, entries)
        tips.sewer.update(found)


def _lay_gas(mep: MepPlan, layout: CampusLayout, tips: SiteTips) -> None:
    spec = _Main(
        system="Gas",
        trunk_x=-8.0,
        street_offset_m=6.0,
        z=SITE_GAS_Z,
        main=pipe(0.09),
        service=pipe(0.05),
        connection_name="Municipal gas connection",
        valve_name="Site gas main valve",
    )
    entries = {}
    for building in layout.buildings:
        if building.kind == "services":
            x0, y0 = plant_room(building)
            entries[building.key] = [point(x0 + 0.6, y0 + 0.6, SITE_GAS_Z)]
    if entries:
        found, _, _ = _lay_main(mep, layout, spec, entries)
        tips.gas.update(found)


def lay_site_mains(mep: MepPlan, layout: CampusLayout) -> SiteTips:
    """Lay the water, sewer and gas mains; return where each building takes over."""
    tips = SiteTips()
    _lay_water(mep, layout, tips)
    _lay_sewer(mep, layout, tips)
    _lay_gas(mep, layout, tips)
    return tips
