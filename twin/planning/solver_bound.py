"""A lower bound on any plan's cost, from a separate relaxed model (PLANNING-NOTES).

Departments to storeys as in stage 1; below that, rooms someone sits in now may be kept
by one of their departments (who of their occupants stays), and a storey's rooms are
pooled by size: each department picks how many of each size it uses. A department's
rooms on a storey must hold its staff's area and seats for each allowance level — but
people are not packed into particular rooms. Every real plan is a solution of this model
with the same cost (each room it uses counted once, for its one department), so CP-SAT's
bound on it bounds every plan.
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

__all__ = ["Bound", "least_over_standard10", "lower_bound", "pooled_room_vars"]

# Up to this many pooled-room counts the relaxed model keeps departments apart.
PER_DEPARTMENT_MAX_VARS = 8_000


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
    """CP-SAT's best bound on the relaxed model within `time_limit_s`, building included.

    Per storey and department: the rooms it uses (rooms of one size taken from a pool,
    or rooms its members sit in now, kept) must hold its members' entitlement and seats
    for each allowance level. Rooms hold one department in any real plan, so each
    department's share is rounded up to whole rooms: that rounding is most of the
    over-standard area a plan cannot avoid.
    """
    started = time.monotonic()
    model = cp_model.CpModel()
    ds = DepartmentStoreys(model, groups, storeys, preferences)
    levels = allowance_levels(groups)
    cost10: list[cp_model.LinearExprT] = list(ds.cost10)
    stays: list[cp_model.IntVar] = []
    area_terms: list[cp_model.LinearExprT] = []
    # Too big to solve in time (thousands of staff): all departments of a storey share its
    # rooms, a weaker model whose bound CP-SAT does raise within the time.
    per_department = pooled_room_vars(groups, storeys) <= PER_DEPARTMENT_MAX_VARS

    def unit(group: Group) -> str:
        return group.department if per_department else ""

    for si, storey in enumerate(storeys):
        present = ds.on_storey(si)
        if not present:
            continue
        by_department: dict[str, list[tuple[Group, cp_model.IntVar]]] = defaultdict(list)
        for group, x in present:
            by_department[unit(group)].append((group, x))
        open_codes = {room.room_code: room for room in storey.rooms}
        current: dict[str, list[tuple[Group, int]]] = defaultdict(list)
        for group, _ in present:
            for code, count in group.current_by_room(open_codes).items():
                current[code].append((group, count))
        # (uses, size) of the rooms each department may count on this storey.
        terms: dict[str, list[tuple[cp_model.IntVar, PlanRoomSize]]] = defaultdict(list)
        stays_by_group: dict[int, list[cp_model.IntVar]] = defaultdict(list)
        pools: dict[PlanRoomSize, int] = defaultdict(int)
        kept_by_size: dict[PlanRoomSize, list[cp_model.IntVar]] = defaultdict(list)
        for room in storey.rooms:
            size = PlanRoomSize(room.capacity, area10(room.area_m2), room_fillable10(room, levels))
            pools[size] += 1
            occupants = current.get(room.room_code, [])
            keeps: dict[str, cp_model.IntVar] = {}
            for group, count in occupants:
                upper = min(count, size.desks, size.area10 // group.allowance10)
                if upper <= 0:
                    continue
                department = unit(group)
                if department not in keeps:
                    keeps[department] = model.new_bool_var(f"k_{room.room_code}_{department}")
                    terms[department].append((keeps[department], size))
                    kept_by_size[size].append(keeps[department])
                stay = model.new_int_var(0, upper, f"st_{room.room_code}_{group.key}")
                model.add(stay <= upper * keeps[department])
                stays_by_group[id(group)].append(stay)
                stays.append(stay)
            if len(keeps) > 1:
                model.add_at_most_one(keeps.values())
        for size, count in pools.items():
            pooled = []
            for department in by_department:
                var = model.new_int_var(0, count, f"m_{si}_{department}_{size}")
                terms[department].append((var, size))
                pooled.append(var)
            model.add(sum(pooled) + sum(kept_by_size[size]) <= count)
        for group, x in present:
            if stays_by_group.get(id(group)):
                model.add(sum(stays_by_group[id(group)]) <= x)
        for department, members in by_department.items():
            rooms = terms[department]
            model.add(
                sum(g.allowance10 * x for g, x in members)
                <= sum(size.fillable10 * var for var, size in rooms)
            )
            for level in levels:
                big = [x for g, x in members if g.allowance10 >= level]
                if big:
                    model.add(sum(big) <= sum(size.seats(level) * var for var, size in rooms))
            area_terms += [size.area10 * var for var, size in rooms]
    cost10.append(preferences.over_standard_m2 * sum(area_terms))
    total = sum(len(g.members) for g in groups)
    cost10.append(preferences.move * AREA_SCALE * (total - sum(stays)))
    model.minimize(sum(cost10))
    solver = new_solver(time_limit_s, started)
    status = solver.solve(model)
    found = status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    best = solver.objective_value if found else float("inf")
    return Bound(solver.best_objective_bound, status_name(status), best)


def pooled_room_vars(groups: Sequence[Group], storeys: Sequence[StoreyInfo]) -> int:
    """How many pooled-room counts the per-department relaxed model would have."""
    levels = allowance_levels(groups)
    departments = len({g.department for g in groups})
    sizes = 0
    for storey in storeys:
        sizes += len(
            {(r.capacity, area10(r.area_m2), room_fillable10(r, levels)) for r in storey.rooms}
        )
    return departments * sizes


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
