"""A lower bound on any plan's cost, from a separate relaxed model (PLANNING-NOTES).

Departments to storeys as in stage 1; below that, rooms someone sits in now are kept
individually (who of their occupants stays), and the other open rooms of a storey are
pooled by size: the model picks how many of each size to use. A storey's chosen rooms
must hold, in total, its staff's area and seats for each allowance level — but people are
not packed into particular rooms, nor rooms kept to one department. Every real plan is a
solution of this model with the same cost, so CP-SAT's bound on it bounds every plan.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from ortools.sat.python import cp_model

from twin.planning.scenario import Preferences
from twin.planning.solver_common import (
    AREA_SCALE,
    Group,
    StoreyInfo,
    allowance_levels,
    area10,
    new_solver,
    room_fillable10,
    status_name,
)
from twin.planning.solver_storeys import DepartmentStoreys

__all__ = ["Bound", "least_over_standard10", "lower_bound"]


@dataclass(frozen=True)
class Bound:
    """`value10` is ten times the bound on the cost, before the entitlement constant."""

    value10: float
    status: str
    relaxed_best10: float  # the relaxed model's best solution: the bound cannot pass it


def lower_bound(
    groups: Sequence[Group],
    storeys: Sequence[StoreyInfo],
    preferences: Preferences,
    time_limit_s: float,
) -> Bound:
    """CP-SAT's best bound on the relaxed model within `time_limit_s`, building included."""
    started = time.monotonic()
    model = cp_model.CpModel()
    ds = DepartmentStoreys(model, groups, storeys, preferences)
    levels = allowance_levels(groups)
    cost10: list[cp_model.LinearExprT] = list(ds.cost10)
    stays: list[cp_model.IntVar] = []
    for si, storey in enumerate(storeys):
        present = ds.on_storey(si)
        if not present:
            continue
        open_codes = {room.room_code: room for room in storey.rooms}
        current: dict[str, list[tuple[Group, int]]] = defaultdict(list)
        for group, _ in present:
            for code, count in group.current_by_room(open_codes).items():
                current[code].append((group, count))
        terms: list[tuple[cp_model.IntVar, PlanRoomSize]] = []  # (uses, size)
        stays_by_group: dict[int, list[cp_model.IntVar]] = defaultdict(list)
        pools: dict[PlanRoomSize, list[int]] = defaultdict(list)
        for room in storey.rooms:
            size = PlanRoomSize(room.capacity, area10(room.area_m2), room_fillable10(room, levels))
            occupants = current.get(room.room_code)
            if not occupants:
                pools[size].append(1)
                continue
            used = model.new_bool_var(f"o_{room.room_code}")
            terms.append((used, size))
            room_stays = []
            for group, count in occupants:
                upper = min(count, size.desks, size.area10 // group.allowance10)
                if upper <= 0:
                    continue
                stay = model.new_int_var(0, upper, f"st_{room.room_code}_{group.key}")
                model.add(stay <= upper * used)  # tighter than the room's desks alone
                room_stays.append((group, stay))
                stays_by_group[id(group)].append(stay)
            if room_stays:
                model.add(sum(s for _, s in room_stays) <= size.desks * used)
                model.add(sum(g.allowance10 * s for g, s in room_stays) <= size.area10)
                stays += [s for _, s in room_stays]
        for size, members in pools.items():
            pooled = model.new_int_var(0, len(members), f"m_{si}_{size.desks}_{size.area10}")
            terms.append((pooled, size))
        for group, x in present:
            if stays_by_group.get(id(group)):
                model.add(sum(stays_by_group[id(group)]) <= x)
        model.add(
            sum(g.allowance10 * x for g, x in present)
            <= sum(size.fillable10 * var for var, size in terms)
        )
        for level in levels:
            big = [x for g, x in present if g.allowance10 >= level]
            if big:
                model.add(sum(big) <= sum(size.seats(level) * var for var, size in terms))
        cost10.append(preferences.over_standard_m2 * sum(size.area10 * var for var, size in terms))
    total = sum(len(g.members) for g in groups)
    cost10.append(preferences.move * AREA_SCALE * (total - sum(stays)))
    model.minimize(sum(cost10))
    solver = new_solver(time_limit_s, started)
    status = solver.solve(model)
    found = status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    best = solver.objective_value if found else float("inf")
    return Bound(solver.best_objective_bound, status_name(status), best)


@dataclass(frozen=True)
class PlanRoomSize:
    desks: int
    area10: int
    fillable10: int

    def seats(self, level10: int) -> int:
        """Seats for people of allowance ≥ `level10` in one room of this size."""
        return min(self.desks, self.area10 // level10)


def least_over_standard10(groups: Sequence[Group], storeys: Sequence[StoreyInfo]) -> float:
    """A bound on the over-standard area (tenths of m²) of any plan that seats everyone.

    Rooms must hold the whole entitlement; the cheapest way, rooms taken fractionally in
    order of area per m² they can be filled to, wastes at least this much. It bounds the
    over-standard term alone, so it adds to a bound on the other terms (stage 1's).
    """
    need = sum(g.allowance10 * len(g.members) for g in groups)
    allowances = allowance_levels(groups)
    rooms = []
    for storey in storeys:
        for room in storey.rooms:
            fill = room_fillable10(room, allowances)
            if fill > 0:
                rooms.append((area10(room.area_m2) / fill, fill))
    used_area = 0.0
    for ratio, fill in sorted(rooms):
        take = min(fill, need)
        used_area += ratio * take
        need -= take
        if need <= 0:
            break
    total = sum(g.allowance10 * len(g.members) for g in groups)
    return max(0.0, used_area - total) if need <= 0 else 0.0
