"""Stage 2: rooms within a storey (or a few storeys), for the staff counts stage 1 chose.

Per room: at most `capacity` people, their allowances within its area, one department.
The cost is people leaving their room and the area of occupied rooms (which, less the
fixed total entitlement, is the over-standard area). The model is seeded with a full hint
— every variable — from "keep current seats, then first fit" (PLANNING-NOTES: a partial
hint is silently dropped). When the seed cannot seat everyone, the model is elastic: a
group may fall short at a large penalty, and the caller seats those people elsewhere.
"""

from __future__ import annotations

import itertools
import time
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from ortools.sat.python import cp_model

from twin.planning.scenario import Preferences
from twin.planning.solver_common import (
    AREA_SCALE,
    Group,
    area10,
    new_solver,
    room_fillable10,
    status_name,
)
from twin.planning.solver_greedy import Seating
from twin.planning.state import PlanRoom

__all__ = ["RoomPlan", "plan_rooms", "seed_rooms"]

UNSEATED_PENALTY10 = 10_000_000

GroupKey = tuple[str, str]


@dataclass
class RoomPlan:
    """Members of each group per room, and the solver's figures."""

    seats: dict[GroupKey, dict[str, int]]
    status: str
    objective10: float
    bound10: float
    unseated: dict[GroupKey, int] = field(default_factory=dict)


def seed_rooms(
    rooms: Sequence[PlanRoom],
    demand: Mapping[GroupKey, int],
    groups: Mapping[GroupKey, Group],
    allowance_m2: dict[str, float],
) -> RoomPlan:
    """Keep current seats in `rooms` up to each group's demand, then first fit.

    Status "SEED"; `unseated` counts whom first fit could not place.
    """
    seating = Seating(rooms, allowance_m2)
    here = {room.room_code for room in rooms}
    keep, others = [], []
    for key, count in demand.items():
        members = groups[key].members
        local = [p for p in members if p.room_code in here][:count]
        keep += local
        chosen = {p.staff_id for p in local}
        rest = [p for p in members if p.staff_id not in chosen]
        others += [replace(p, room_code=None) for p in rest[: count - len(local)]]
    displaced = seating.keep_current(keep)
    left = seating.first_fit([replace(p, room_code=None) for p in displaced] + others)
    seats: dict[GroupKey, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    people = {p.staff_id: p for p in keep + others}
    for staff_id, code in seating.assignment.items():
        person = people[staff_id]
        seats[person.department, person.rank][str(code)] += 1
    unseated: dict[GroupKey, int] = defaultdict(int)
    for person in left:
        unseated[person.department, person.rank] += 1
    nan = float("nan")
    return RoomPlan({k: dict(v) for k, v in seats.items()}, "SEED", nan, nan, dict(unseated))


def _break_symmetry(
    model: cp_model.CpModel,
    rooms: Sequence[PlanRoom],
    y: Mapping[tuple[str, str], cp_model.IntVar],
    now: Mapping[GroupKey, Mapping[str, int]],
) -> None:
    """Of identical empty rooms on a storey, use the first ones first.

    Rooms of one storey with the same area and desks and nobody in them now cost the same
    whoever sits there, so any plan can be rearranged to fill them in order; saying so
    spares CP-SAT from trying every permutation.
    """
    held = {code for current in now.values() for code in current}
    flags: dict[str, list[cp_model.IntVar]] = defaultdict(list)
    for (_, code), flag in y.items():
        flags[code].append(flag)
    alike: dict[tuple[str, str, int, int], list[str]] = defaultdict(list)
    for room in rooms:
        if room.room_code not in held and flags.get(room.room_code):
            kind = (room.building_code, room.storey_code, area10(room.area_m2), room.capacity)
            alike[kind].append(room.room_code)
    for codes in alike.values():
        for first, second in itertools.pairwise(codes):
            model.add(sum(flags[first]) >= sum(flags[second]))


def plan_rooms(
    rooms: Sequence[PlanRoom],
    demand: Mapping[GroupKey, int],
    groups: Mapping[GroupKey, Group],
    preferences: Preferences,
    time_limit_s: float,
    allowance_m2: dict[str, float],
    hint: RoomPlan | None = None,
) -> RoomPlan:
    """Seat `demand` (members per group) in `rooms` at least cost.

    When the hint leaves people unseated, the model is the elastic one (see the module).
    """
    started = time.monotonic()
    elastic = hint is not None and bool(hint.unseated)
    demand = {key: count for key, count in demand.items() if count > 0}
    model = cp_model.CpModel()
    n: dict[tuple[GroupKey, str], cp_model.IntVar] = {}
    y: dict[tuple[str, str], cp_model.IntVar] = {}
    stay: dict[tuple[GroupKey, str], cp_model.IntVar] = {}
    unseated: dict[GroupKey, cp_model.IntVar] = {}
    by_room: dict[str, list[tuple[Group, cp_model.IntVar]]] = defaultdict(list)
    room_by_code = {room.room_code: room for room in rooms}
    now = {key: groups[key].current_by_room(room_by_code) for key in demand}
    for key, count in demand.items():
        group = groups[key]
        current = now[key]
        placed = []
        for room in rooms:
            upper = min(room.capacity, area10(room.area_m2) // group.allowance10, count)
            if upper <= 0:
                continue
            var = model.new_int_var(0, upper, f"n_{key}_{room.room_code}")
            n[key, room.room_code] = var
            by_room[room.room_code].append((group, var))
            placed.append(var)
            if current.get(room.room_code):
                s = model.new_int_var(
                    0, min(upper, current[room.room_code]), f"s_{key}_{room.room_code}"
                )
                model.add(s <= var)
                stay[key, room.room_code] = s
        if elastic:
            unseated[key] = model.new_int_var(0, count, f"u_{key}")
            placed.append(unseated[key])
        model.add(sum(placed) == count)
    cost10: list[cp_model.LinearExprT] = []
    allowances = tuple(sorted({g.allowance10 for g in groups.values()}))
    for room in rooms:
        present = by_room.get(room.room_code)
        if not present:
            continue
        departments: dict[str, list[cp_model.IntVar]] = defaultdict(list)
        for group, var in present:
            departments[group.department].append(var)
        for department, vars_ in departments.items():
            flag = model.new_bool_var(f"y_{department}_{room.room_code}")
            y[department, room.room_code] = flag
            model.add(sum(vars_) <= room.capacity * flag)
            cost10.append(preferences.over_standard_m2 * area10(room.area_m2) * flag)
        model.add_at_most_one(y[d, room.room_code] for d in departments)
        # Entitlement within what the room can be filled to, and only if it is used: the
        # second half gives the LP a real bound on the over-standard area.
        in_use = sum(y[d, room.room_code] for d in departments)
        fill = room_fillable10(room, allowances)
        model.add(sum(g.allowance10 * var for g, var in present) <= fill * in_use)
    _break_symmetry(model, rooms, y, now)
    cost10.append(-preferences.move * AREA_SCALE * sum(stay.values()))
    storey_of = {room.room_code: (room.building_code, room.storey_code) for room in rooms}
    used: dict[tuple[str, tuple[str, str]], cp_model.IntVar] = {}
    if len(set(storey_of.values())) > 1 and preferences.storey:
        # Several storeys at once (a local re-solve): count the storeys each department uses.
        for (department, code), flag in y.items():
            where = (department, storey_of[code])
            if where not in used:
                used[where] = model.new_bool_var(f"used_{department}_{where[1]}")
            model.add_implication(flag, used[where])
        cost10.append(preferences.storey * AREA_SCALE * sum(used.values()))
    if unseated:
        cost10.append(UNSEATED_PENALTY10 * sum(unseated.values()))
    model.minimize(sum(cost10))
    if hint is not None:
        seats = hint.seats
        for (key, code), var in n.items():
            model.add_hint(var, seats.get(key, {}).get(code, 0))
        for (department, code), flag in y.items():
            model.add_hint(
                flag, any(seats.get(k, {}).get(code, 0) for k in demand if k[0] == department)
            )
        for (key, code), s in stay.items():
            model.add_hint(s, min(now[key].get(code, 0), seats.get(key, {}).get(code, 0)))
        for key, u in unseated.items():
            model.add_hint(u, hint.unseated.get(key, 0))
        occupied = {
            (group_key[0], storey_of[code])
            for group_key, per_room in seats.items()
            for code, count in per_room.items()
            if count
        }
        for where, flag in used.items():
            model.add_hint(flag, where in occupied)
    solver = new_solver(time_limit_s, started)
    status = solver.solve(model)
    name = status_name(status)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return RoomPlan({}, name, float("nan"), float("nan"), dict(demand))
    result: dict[GroupKey, dict[str, int]] = defaultdict(dict)
    for (key, code), var in n.items():
        value = int(solver.value(var))
        if value:
            result[key][code] = value
    short = {key: int(solver.value(u)) for key, u in unseated.items() if solver.value(u) > 0}
    return RoomPlan(dict(result), name, solver.objective_value, solver.best_objective_bound, short)
