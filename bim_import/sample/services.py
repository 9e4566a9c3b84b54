"""All services of the sample campus, laid out from the architectural plan.

`plan_services(layout)` lays the site mains first (they hand each building the tip
where its own part begins), then every building's cold water, sprinklers, drainage
and electrical services, then the heating of each group of three buildings from
the boiler of its services building, and finally puts every element in a storey.
"""

from __future__ import annotations

from bim_import.sample.heating import lay_heating
from bim_import.sample.layout import CampusLayout
from bim_import.sample.mep import MepPlan
from bim_import.sample.power import lay_power
from bim_import.sample.site import lay_site_mains
from bim_import.sample.water import lay_drainage, lay_water

__all__ = ["plan_services"]


def plan_services(layout: CampusLayout) -> MepPlan:
    """Every service element, port and joint of the campus, as plain data."""
    mep = MepPlan()
    tips = lay_site_mains(mep, layout)
    for building in layout.buildings:
        lay_water(mep, building, tips.water[building.key])
        if building.key in tips.sewer:
            lay_drainage(mep, building, tips.sewer[building.key])
        lay_power(mep, building)
    groups: dict[int, list[str]] = {}
    for building in layout.buildings:
        groups.setdefault(building.group, []).append(building.key)
    by_key = {building.key: building for building in layout.buildings}
    for members in groups.values():
        plants = [by_key[key] for key in members if by_key[key].kind == "services"]
        if plants:
            served = [by_key[key] for key in members if by_key[key].kind != "services"]
            lay_heating(mep, plants[0], served, tips.gas.get(plants[0].key))
    mep.finish({b.key: [(s.elevation_m, s.key) for s in b.storeys] for b in layout.buildings})
    return mep
