"""The least over-standard area any plan must have: a bound on one term of the cost.

`least_over_standard10` adds to stage 1's bound (people changing storey, storeys, gaps)
to bound the whole cost cheaply; the stronger bound on everything at once is the
keep-or-vacate model's (`solver_keep`).
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from ortools.sat.python import cp_model

from twin.planning.solver_common import (
    Group,
    StoreyInfo,
    allowance_levels,
    area10,
    new_solver,
    room_fillable10,
)

__all__ = ["PlanRoomSize", "least_over_standard10"]


@dataclass(frozen=True)
class PlanRoomSize:
    desks: int
    area10: int
    fillable10: int

    def seats(self, level10: int) -> int:
        """Seats for people of allowance ≥ `level10` in one room of this size."""
        return min(self.desks, self.area10 // level10)


def least_over_standard10(
    groups: Sequence[Group], storeys: Sequence[StoreyInfo], time_limit_s: float = 0.0
) -> float:
    """A bound on the over-standard area (tenths of m²) of any plan that seats everyone.

    It bounds the over-standard term alone, so it adds to a bound on the other terms
    (stage 1's). With no time, the cheapest cover of the whole entitlement by rooms taken
    fractionally, in order of area per m² they can be filled to. With time, also CP-SAT's
    bound on a model of departments and room sizes, campus-wide (`_least_waste_by_size`):
    each department uses whole rooms of its own, so its share is rounded up to rooms.
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
    fractional = max(0.0, used_area - total) if need <= 0 else 0.0
    if time_limit_s <= 0:
        return fractional
    return max(fractional, _least_waste_by_size(groups, storeys, time_limit_s))


def _least_waste_by_size(
    groups: Sequence[Group], storeys: Sequence[StoreyInfo], time_limit_s: float
) -> float:
    """CP-SAT's bound on the least over-standard area when departments take whole rooms.

    `m[d, size]` rooms of a size (desks, area, what it can be filled to) department d uses,
    anywhere on the campus; together at most the rooms of that size there are. A
    department's rooms must hold its entitlement and seats for each allowance level. Any
    plan gives each department rooms of its own, so it is a solution: the bound holds.
    """
    started = time.monotonic()
    levels = allowance_levels(groups)
    sizes: dict[PlanRoomSize, int] = defaultdict(int)
    for storey in storeys:
        for room in storey.rooms:
            size = PlanRoomSize(room.capacity, area10(room.area_m2), room_fillable10(room, levels))
            if size.fillable10 > 0:
                sizes[size] += 1
    by_department: dict[str, list[Group]] = defaultdict(list)
    for group in groups:
        by_department[group.department].append(group)
    model = cp_model.CpModel()
    area: list[cp_model.LinearExprT] = []
    per_size: dict[PlanRoomSize, list[cp_model.IntVar]] = defaultdict(list)
    for department, members in by_department.items():
        people = sum(len(g.members) for g in members)
        uses = []
        for size, count in sizes.items():
            var = model.new_int_var(0, min(count, people), f"m_{department}_{size}")
            uses.append((var, size))
            per_size[size].append(var)
        entitlement = sum(g.allowance10 * len(g.members) for g in members)
        model.add(sum(size.fillable10 * var for var, size in uses) >= entitlement)
        for level in levels:
            big = sum(len(g.members) for g in members if g.allowance10 >= level)
            if big:
                model.add(sum(size.seats(level) * var for var, size in uses) >= big)
        area += [size.area10 * var for var, size in uses]
    for size, count in sizes.items():
        model.add(sum(per_size[size]) <= count)
    model.minimize(sum(area))
    solver = new_solver(time_limit_s, started)
    status = solver.solve(model)
    if status == cp_model.INFEASIBLE or status == cp_model.MODEL_INVALID:
        return 0.0  # no plan seats everyone; the caller reports that, not a bound
    total = sum(g.allowance10 * len(g.members) for g in groups)
    return max(0.0, solver.best_objective_bound - total)
