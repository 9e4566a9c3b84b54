"""The keep-or-vacate model: departments to storeys, rooms kept or pooled, waste counted.

One model that is both a lower bound on every plan's cost and a better first stage
than departments-to-storeys alone. Stage 1 (`solver_storeys`) prices people changing
storey and storeys used, but not the over-standard area and not moves within a storey:
the trade this planning is mostly about — leave people in a room too large for them, or
move them into one that fits. This model prices it:

- every open room someone sits in now may be *kept* by one of its departments: a boolean
  per stay vector (how many of each current occupants' group stay), the room's area paid
  in full, the stayers not counted as moves; its own department may fill what is left
  (desks, area and seats per allowance level bounded by what the stay vector leaves);
- every other room is *pooled*: per storey and room size (desks, area), how many are used,
  by each department (small campuses, and the plan) or shared by the departments there
  (the bound of large ones), which must fit their entitlement (what each size can be
  filled to) and seats per allowance level in them; shared pools count their rooms per
  way of filling them (`room_fills`), so that their seats are a packing;
- departments to storeys as in stage 1 (`DepartmentStoreys`): counts per group and storey,
  storeys used, gaps.

Every real plan is a solution with the same cost (a room with stayers is kept with its
exact stay vector; one without is pooled), so the model's bound bounds every plan
(`keep_bound`). Its solution, with a pool per department and each department on a few
storeys, is a plan stage 2 can seat nearly as it stands (`keep_plan`).

The model is written with the CP-SAT API and solved by HiGHS (`solver_milp`): its
strength is its LP, which HiGHS's simplex or interior point method and cuts close within
seconds (2,000 staff: bound 10,106 in about 20 s), where CP-SAT on 2 cores left the bound
at 9,843 and its best solution 10 % above HiGHS's after 60 s (measured here, same model).
"""

from __future__ import annotations

import itertools
import math
import time
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from ortools.sat.python import cp_model

from twin.planning.scenario import Preferences
from twin.planning.solver_common import (
    AREA_SCALE,
    Group,
    StoreyInfo,
    StoreyKey,
    allowance_levels,
    area10,
    fillable10,
    room_fills,
)
from twin.planning.solver_lns import first_plan, improve_plan
from twin.planning.solver_milp import Milp, MilpResult, solve_milp
from twin.planning.solver_rooms import GroupKey, RoomPlan, plan_rooms
from twin.planning.solver_storeys import DepartmentStoreys
from twin.planning.state import PlanRoom

__all__ = ["KeepBound", "KeepModel", "KeepPlan", "keep_bound", "keep_plan", "pooled_count"]

# Up to this many pool counts, each department gets its own pool (see `keep_bound`).
PER_DEPARTMENT_MAX_POOLS = 4_000
# Past this many variables the bound is the model's LP relaxation (see `keep_bound`).
MILP_MAX_VARS = 60_000
# The bound stops once it has not risen for this long: its core goes to the plan.
BOUND_STALLED_S = 10.0
# CP-SAT's time to re-pack one storey's pooled people (`_solve_pool`), and the least worth it.
POOL_SOLVE_S = 0.3
MIN_POOL_SOLVE_S = 0.1
# ... and the most for a storey where packing left someone out.
LEFT_SOLVE_S = 2.0
# A storey the packing filled past the model's rooms gets this much per m² over, up to
# REPACK_MOST_S: 2,000 staff, the new storey's 60-70 pooled people took 190-440 m² more
# than the model's rooms with 0.3 s of re-packing (the plan 500-1,100 dearer), 3-10 m²
# with 1 s (with 2 s a candidate's whole share could go to it, the other storeys skipped).
REPACK_S_PER_M2 = 0.005
REPACK_MOST_S = 1.0
# Share of `keep_plan`'s time after which its first plan on stage 1's storeys is enough
# (the rest improves it; HiGHS goes on until it has one).
FIRST_PLAN_SHARE = 0.4
# The model's best plans packed into rooms, the one seated best kept (`_candidates`): up
# to this many, within this share of the best in the model, each packed in an even share
# of the packing time and at least this many seconds after the first.
SEED_CANDIDATES = 3
SEED_CANDIDATE_GAP = 0.03
MIN_CANDIDATE_S = 0.5

# A shared pool counts its rooms per way of filling them up to this many ways; a larger
# room size (an open-plan office of 15 desks or more) keeps the room-size arithmetic.
MAX_FILLS = 200

RoomSize = tuple[int, int]  # (desks, area in tenths of m²)
_Seats = dict[GroupKey, dict[str, int]]  # members of each group per room, every storey
_Packed = dict[tuple[str, str], dict[str, int]]  # members of each group per room
_Left = dict[tuple[str, str], int]  # members of each group without a seat


@dataclass(frozen=True)
class KeepBound:
    """`value10` bounds ten times any plan's cost; `best10` is the model's best solution."""

    value10: float
    status: str
    best10: float
    seconds: float
    stats: dict[str, object] = field(default_factory=dict)


@dataclass
class _Option:
    """Keep `room` with `stays[gi]` of group gi's current occupants staying."""

    var: cp_model.IntVar
    room: str
    stays: dict[int, int]


@dataclass
class _Pool:
    """Rooms of one size on a storey, for one department or for all of the storey's.

    Counted once (`counts` holds one variable), their entitlement and seats per allowance
    level then room-size arithmetic (`fill10`, desks and area over each allowance); or,
    with `fills`, counted once per way of filling them (`room_fills`), which makes their
    seats exactly what a packing can use.
    """

    size: RoomSize
    fill10: int
    unit: str  # the department using these rooms, or "" when departments share the pool
    counts: list[cp_model.IntVar]
    fills: tuple[tuple[int, ...], ...] = ()

    @property
    def count(self) -> cp_model.LinearExprT:
        return cp_model.LinearExpr.sum(self.counts)

    def entitlement10(self, levels: Sequence[int]) -> cp_model.LinearExprT:
        """The most entitlement these rooms can hold."""
        if not self.fills:
            return self.fill10 * self.counts[0]
        held = [
            sum(n * level for n, level in zip(fill, levels, strict=True)) for fill in self.fills
        ]
        return cp_model.LinearExpr.weighted_sum(self.counts, held)

    def seats(self, levels: Sequence[int], li: int) -> cp_model.LinearExprT:
        """Seats in these rooms for people of at least allowance `levels[li]`."""
        if not self.fills:
            return min(self.size[0], self.size[1] // levels[li]) * self.counts[0]
        return cp_model.LinearExpr.weighted_sum(self.counts, [sum(f[li:]) for f in self.fills])

    def used(self, result: MilpResult) -> int:
        return sum(result.value(var) for var in self.counts)

    def count_of(
        self, levels: Sequence[int], people: Sequence[tuple[int, int]]
    ) -> cp_model.IntVar | None:
        """The count one room holding `people` (allowance, how many) adds to; None: none."""
        if not self.fills:
            return self.counts[0]
        for fill, var in zip(self.fills, self.counts, strict=True):
            if all(
                sum(n for allowance, n in people if allowance >= level) <= sum(fill[li:])
                for li, level in enumerate(levels)
            ):
                return var
        return None


class KeepModel:
    """The model and its variables: stage 1's, the kept-room options and additions, pools."""

    def __init__(
        self,
        groups: Sequence[Group],
        storeys: Sequence[StoreyInfo],
        preferences: Preferences,
        per_department: bool = False,
        allowed: Mapping[str, set[int]] | None = None,
    ) -> None:
        self.per_department = per_department
        self.groups = groups
        self.storeys = storeys
        self.model = cp_model.CpModel()
        self.ds = DepartmentStoreys(self.model, groups, storeys, preferences, allowed=allowed)
        self.levels = allowance_levels(groups)
        self.options: list[_Option] = []
        self.adds: dict[tuple[str, int], cp_model.IntVar] = {}
        self.pools: dict[int, list[_Pool]] = defaultdict(list)
        self.pooled: dict[tuple[int, int], cp_model.IntVar] = {}
        self.index = {id(g): gi for gi, g in enumerate(groups)}
        stays: list[cp_model.LinearExprT] = []
        area: list[cp_model.LinearExprT] = []
        # the variables each storey's rooms add, by index (what `storey_variables` frees)
        self.storey_range: list[range] = []
        for si in range(len(storeys)):
            first = len(self.model.proto.variables)
            self._storey(si, stays, area)
            self.storey_range.append(range(first, len(self.model.proto.variables)))
        total = sum(len(g.members) for g in groups)
        entitlement10 = sum(g.allowance10 * len(g.members) for g in groups)
        self.model.minimize(
            cp_model.LinearExpr.sum(self.ds.cost10)
            + preferences.move * AREA_SCALE * (total - cp_model.LinearExpr.sum(stays))
            + preferences.over_standard_m2 * (cp_model.LinearExpr.sum(area) - entitlement10)
        )

    def storey_variables(self, storeys: set[int]) -> list[int]:
        """Indices of every variable that says what happens on `storeys`.

        Their rooms' options, additions and pools, the groups' counts and the departments'
        use of them, and every department's span and gap (which follow from the use).
        """
        ds = self.ds
        indices = [i for si in storeys for i in self.storey_range[si]]
        indices += [var.index for (_, si), var in ds.x.items() if si in storeys]
        indices += [var.index for (_, si), var in ds.used.items() if si in storeys]
        indices += [var.index for span in ds.spans for var in span[:3]]
        return indices

    def values_of(self, seats: Mapping[tuple[str, str], Mapping[str, int]]) -> np.ndarray | None:
        """A plan (members of each group per room) as a value for each of the model's variables.

        Every room someone stays in is kept with its stay vector and the rest of its people
        added; every other room with people is pooled. None when the plan is not one of the
        model's: someone unseated, a room shared by two departments, a storey a department
        may not use, a room filled past its desks or area (the constraints are not checked
        here: `Milp.objective_of` does that).
        """
        values = np.zeros(len(self.model.proto.variables))
        ds = self.ds
        index = {g.key: gi for gi, g in enumerate(self.groups)}
        storey_of = {r.room_code: si for si, s in enumerate(self.storeys) for r in s.rooms}
        in_room: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
        on: dict[tuple[int, int], int] = defaultdict(int)
        for key, per_room in seats.items():
            for code, count in per_room.items():
                if count <= 0:
                    continue
                if key not in index or code not in storey_of:
                    return None
                in_room[code][index[key]] += count
                on[index[key], storey_of[code]] += count
        seated: dict[int, int] = defaultdict(int)
        for (gi, si), count in on.items():
            if (gi, si) not in ds.x or (self.groups[gi].department, si) not in ds.used:
                return None
            values[ds.x[gi, si].index] = count
            values[ds.used[self.groups[gi].department, si].index] = 1
            seated[gi] += count
        if any(seated[gi] != len(g.members) for gi, g in enumerate(self.groups)):
            return None
        for var, value in ds.span_values(lambda used: bool(values[used.index])):
            values[var.index] = value
        options: dict[tuple[str, frozenset[tuple[int, int]]], _Option] = {
            (o.room, frozenset(o.stays.items())): o for o in self.options
        }
        rooms = {room.room_code: room for storey in self.storeys for room in storey.rooms}
        current: dict[str, dict[int, int]] = defaultdict(dict)
        for gi, group in enumerate(self.groups):
            for code, count in group.current_by_room(rooms).items():
                current[code][gi] = count
        for si, storey in enumerate(self.storeys):
            for room in storey.rooms:
                members = in_room.get(room.room_code)
                if not members:
                    continue
                if len({self.groups[gi].department for gi in members}) > 1:
                    return None
                stays = {
                    gi: min(count, current[room.room_code].get(gi, 0))
                    for gi, count in members.items()
                }
                stays = {gi: k for gi, k in stays.items() if k}
                if stays:
                    option = options.get((room.room_code, frozenset(stays.items())))
                    if option is None:
                        return None
                    values[option.var.index] = 1
                    for gi, count in members.items():
                        if count > stays.get(gi, 0):
                            add = self.adds.get((room.room_code, gi))
                            if add is None:
                                return None
                            values[add.index] = count - stays.get(gi, 0)
                    continue
                unit = self.groups[next(iter(members))].department if self.per_department else ""
                size = (room.capacity, area10(room.area_m2))
                pool = next((p for p in self.pools[si] if p.size == size and p.unit == unit), None)
                if pool is None:
                    return None
                people = [(self.groups[gi].allowance10, n) for gi, n in members.items()]
                counted = pool.count_of(self.levels, people)
                if counted is None:
                    return None
                values[counted.index] += 1
                for gi, count in members.items():
                    values[self.pooled[gi, si].index] += count
        return values

    def _storey(
        self, si: int, stays: list[cp_model.LinearExprT], area: list[cp_model.LinearExprT]
    ) -> None:
        model = self.model
        present = [(self.index[id(g)], g, x) for g, x in self.ds.on_storey(si)]
        if not present:
            return
        storey = self.storeys[si]
        open_rooms = {room.room_code: room for room in storey.rooms}
        current: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for gi, group, _ in present:
            for code, count in group.current_by_room(open_rooms).items():
                current[code].append((gi, count))
        placed: dict[int, list[cp_model.LinearExprT]] = defaultdict(list)
        kept_by_size: dict[RoomSize, list[cp_model.IntVar]] = defaultdict(list)
        sizes: dict[RoomSize, int] = defaultdict(int)
        for room in storey.rooms:
            size = (room.capacity, area10(room.area_m2))
            sizes[size] += 1
            if room.room_code in current:
                chosen = self._kept_room(room, current[room.room_code], present, placed)
                for option in chosen:
                    stays += [k * option.var for k in option.stays.values()]
                    area.append(size[1] * option.var)
                    # Someone staying puts the department on the storey: in the LP a
                    # department's few people there otherwise paid a fraction of it.
                    department = self.groups[next(iter(option.stays))].department
                    model.add(option.var <= self.ds.used[department, si])
                kept_by_size[size] += [option.var for option in chosen]
        units = sorted({g.department for _, g, _ in present}) if self.per_department else [""]
        for size, count in sizes.items():
            fill = fillable10(size[0], size[1], self.levels)
            if fill <= 0:
                continue
            uses = []
            # The bound's shared pools count their rooms per way of filling them: a packing
            # exactly, which lifts the bound (2,000 staff: 10,110 -> 10,126; 5,000:
            # 22,216 -> 22,240). The plan's pools per department keep the arithmetic: in
            # the same time HiGHS's first plan of that larger model came 3-9 % dearer.
            fills = () if self.per_department else room_fills(*size, self.levels, MAX_FILLS)
            for unit in units:
                name = f"pool_{si}_{size[0]}_{size[1]}_{unit}"
                counts = [
                    model.new_int_var(0, count, f"{name}_{k}") for k in range(len(fills) or 1)
                ]
                pool = _Pool(size, fill, unit, counts, fills)
                self.pools[si].append(pool)
                area.append(size[1] * pool.count)
                uses.append(pool.count)
            model.add(cp_model.LinearExpr.sum(uses) + sum(kept_by_size[size]) <= count)
        pooled: dict[str, list[tuple[Group, cp_model.IntVar]]] = defaultdict(list)
        for gi, group, x in present:
            var = model.new_int_var(0, len(group.members), f"pooled_{gi}_{si}")
            model.add(x == var + cp_model.LinearExpr.sum(placed[gi]))
            self.pooled[gi, si] = var
            pooled[group.department if self.per_department else ""].append((group, var))
        for unit, members in pooled.items():
            pools = [p for p in self.pools[si] if p.unit == unit]
            model.add(
                sum(g.allowance10 * v for g, v in members)
                <= sum(p.entitlement10(self.levels) for p in pools)
            )
            for li, level in enumerate(self.levels):
                big = [v for g, v in members if g.allowance10 >= level]
                if big:
                    model.add(sum(big) <= sum(p.seats(self.levels, li) for p in pools))

    def _kept_room(
        self,
        room: PlanRoom,
        occupants: list[tuple[int, int]],
        present: list[tuple[int, Group, cp_model.IntVar]],
        placed: dict[int, list[cp_model.LinearExprT]],
    ) -> list[_Option]:
        """One boolean per way of keeping `room` (stay vector of one department)."""
        model = self.model
        room_area10 = area10(room.area_m2)
        by_department: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for gi, count in occupants:
            by_department[self.groups[gi].department].append((gi, count))
        chosen: list[_Option] = []
        for department, members in by_department.items():
            left: list[tuple[int, int, cp_model.IntVar]] = []  # desks, area left, option
            for combo in itertools.product(*(range(count + 1) for _, count in members)):
                people = sum(combo)
                entitled = sum(
                    self.groups[gi].allowance10 * k
                    for (gi, _), k in zip(members, combo, strict=True)
                )
                if people == 0 or people > room.capacity or entitled > room_area10:
                    continue
                var = model.new_bool_var(f"keep_{room.room_code}_{len(chosen)}")
                option = _Option(
                    var,
                    room.room_code,
                    {gi: k for (gi, _), k in zip(members, combo, strict=True) if k},
                )
                chosen.append(option)
                self.options.append(option)
                for gi, k in option.stays.items():
                    placed[gi].append(k * var)
                if people < room.capacity:
                    left.append((room.capacity - people, room_area10 - entitled, var))
            if left:
                self._fill(room, department, left, present, placed)
        if len(chosen) > 1:
            model.add_at_most_one(option.var for option in chosen)
        return chosen

    def _fill(
        self,
        room: PlanRoom,
        department: str,
        left: list[tuple[int, int, cp_model.IntVar]],
        present: list[tuple[int, Group, cp_model.IntVar]],
        placed: dict[int, list[cp_model.LinearExprT]],
    ) -> None:
        """Members of the keeping department added to what a kept room has left."""
        model = self.model
        adds: list[tuple[Group, cp_model.IntVar]] = []
        for gi, group, _ in present:
            if group.department != department:
                continue
            upper = max(min(desks, space // group.allowance10) for desks, space, _ in left)
            if upper <= 0:
                continue
            var = model.new_int_var(0, upper, f"add_{room.room_code}_{gi}")
            self.adds[room.room_code, gi] = var
            placed[gi].append(var)
            adds.append((group, var))
        if not adds:
            return
        model.add(sum(v for _, v in adds) <= sum(desks * o for desks, _, o in left))
        model.add(
            sum(g.allowance10 * v for g, v in adds)
            <= sum(fillable10(desks, space, self.levels) * o for desks, space, o in left)
        )
        for level in self.levels:
            big = [v for g, v in adds if g.allowance10 >= level]
            if big:
                model.add(
                    sum(big) <= sum(min(desks, space // level) * o for desks, space, o in left)
                )


def pooled_count(groups: Sequence[Group], storeys: Sequence[StoreyInfo]) -> int:
    """How many pool counts the model would have with a pool per department."""
    departments = len({g.department for g in groups})
    return departments * sum(
        len({(r.capacity, area10(r.area_m2)) for r in storey.rooms}) for storey in storeys
    )


def keep_bound(
    groups: Sequence[Group],
    storeys: Sequence[StoreyInfo],
    preferences: Preferences,
    time_limit_s: float,
) -> KeepBound:
    """HiGHS's bound on the model within `time_limit_s` seconds, building included.

    Small campuses get a pool per department (a room holds one department, so each
    department's share of a storey is rounded up to whole rooms: at a few hundred staff the
    bound is then often the optimum); past `PER_DEPARTMENT_MAX_POOLS` the departments of a
    storey share its pool (2,000 staff: the root's cuts in about 20 s; 5,000: the LP
    relaxation of the presolved model, in about 25 s). It stops early once it has not
    risen for `BOUND_STALLED_S` seconds.
    """
    started = time.monotonic()
    per_department = pooled_count(groups, storeys) <= PER_DEPARTMENT_MAX_POOLS
    keep = KeepModel(groups, storeys, preferences, per_department)
    # The interior point method solves the root LP at 5,000 staff in seconds where dual
    # simplex had not finished in a minute; at 2,000 staff both reach the same bound. Past
    # MILP_MAX_VARS even the root's cuts do not finish beside the plan: the LP alone, of
    # the model as HiGHS's presolve tightened it (5,000 staff: 22,216 against the
    # written model's 21,697).
    left = time_limit_s - (time.monotonic() - started)
    relaxed = len(keep.model.proto.variables) > MILP_MAX_VARS
    result = solve_milp(
        keep.model,
        left,
        lp_solver="ipm",
        relaxed=relaxed,
        stalled_after_s=BOUND_STALLED_S,
        presolved=True,
    )
    return KeepBound(
        result.bound,
        result.status,
        result.objective,
        round(time.monotonic() - started, 2),
        {"options": len(keep.options), "per_department": per_department, "lp_only": relaxed},
    )


@dataclass
class KeepPlan:
    """A plan of the model with a pool per department: counts per storey and seats per room.

    `seats` (members of each group per room: kept rooms as the model keeps them, pooled
    people packed into rooms of the sizes it chose) seeds stage 2, which fixes what the
    model's room-size arithmetic could not pack (`unseated`, per storey).
    """

    counts: dict[tuple[str, str], dict[StoreyKey, int]]
    seats: dict[tuple[str, str], dict[str, int]]
    unseated: dict[StoreyKey, dict[tuple[str, str], int]]
    status: str
    objective10: float
    seconds: float
    search: dict[str, object] = field(default_factory=dict)


def keep_plan(
    groups: Sequence[Group],
    storeys: Sequence[StoreyInfo],
    preferences: Preferences,
    time_limit_s: float,
    allowed: Mapping[str, set[int]],
    seed_s: float = 0.0,
    chosen: Mapping[str, set[int]] | None = None,
    start: Mapping[tuple[str, str], Mapping[str, int]] | None = None,
    price: Callable[[_Seats], tuple[int, float]] | None = None,
) -> KeepPlan | None:
    """The model with a pool per department and only `allowed` storeys, solved by HiGHS.

    Each department's pool makes the plan one stage 2 can seat nearly as the model says;
    limiting each department to a few storeys (`allowed`: where it sits now, where stage 1
    put it, and their neighbours) keeps the model small enough to solve in seconds.
    With `chosen` (the storeys stage 1 gave each department), HiGHS's first plan on those
    storeys alone (`solver_lns.first_plan`) is improved a few storeys at a time over all
    `allowed` ones (`solver_lns.improve_plan`); without (stage 1 found nothing in time),
    HiGHS solves the whole model, which does better from its own first plans. `start`
    (members of each group per room, e.g. the greedy plan) is where HiGHS starts when it
    is a plan of the model, and the plan the search starts from when HiGHS finds none
    better. `seed_s`
    more seconds go to packing the pooled people into rooms (`_seats`). With `price`
    (seats → people left without one and the plan's cost), the model's few best plans
    are each packed and the one that seats best is kept (`_candidates`). None when no
    solution came in time.
    """
    started = time.monotonic()
    deadline = started + time_limit_s
    keep = KeepModel(groups, storeys, preferences, per_department=True, allowed=allowed)
    milp = Milp(keep.model)
    search: dict[str, object] = {}
    result = None
    values = None if start is None else keep.values_of(start)
    start_objective = None if values is None else milp.objective_of(values)
    if start_objective is not None:
        search["start"] = round(start_objective / AREA_SCALE)
    else:
        values = None
    found: list[MilpResult] = []
    if chosen is None:
        result = milp.solve(deadline - time.monotonic(), start=values, found=found)
        if result.values is None and values is not None and start_objective is not None:
            result = MilpResult("FEASIBLE", values, start_objective, -math.inf)
    else:
        enough_s = (deadline - time.monotonic()) * FIRST_PLAN_SHARE
        left = deadline - time.monotonic()
        result = first_plan(keep, milp, dict(chosen), left, enough_s, values, found)
        if result.values is None and values is not None and start_objective is not None:
            result = MilpResult("FEASIBLE", values, start_objective, -math.inf)
        if result.values is not None:
            search["first"] = round(result.objective / AREA_SCALE)
            search["first_s"] = round(time.monotonic() - started, 1)
            result = improve_plan(keep, milp, result, deadline, search, found)
    if result.values is None:
        return None
    candidates = _candidates(result, found) if price is not None else [result]
    pack_deadline = deadline + seed_s
    best: tuple[tuple[int, float], MilpResult, _Seats, dict[StoreyKey, _Left]] | None = None
    tried: list[tuple[int, float]] = []
    for i, candidate in enumerate(candidates):
        share = (pack_deadline - time.monotonic()) / (len(candidates) - i)
        if i and share < MIN_CANDIDATE_S:
            break
        seats, unseated = _seats(keep, candidate, preferences, time.monotonic() + share)
        priced = price(seats) if price is not None else (0, candidate.objective)
        tried.append((round(candidate.objective / AREA_SCALE), priced[1]))
        if best is None or priced < best[0]:
            best = (priced, candidate, seats, unseated)
    if price is not None:
        search["candidates"] = tried
    assert best is not None  # the first candidate is always packed
    _, result, seats, unseated = best
    counts: dict[tuple[str, str], dict[StoreyKey, int]] = defaultdict(dict)
    for (gi, si), var in keep.ds.x.items():
        value = result.value(var)
        if value:
            counts[groups[gi].key][storeys[si].key] = value
    return KeepPlan(
        dict(counts),
        seats,
        unseated,
        result.status,
        result.objective,
        round(time.monotonic() - started, 2),
        search,
    )


def _candidates(result: MilpResult, found: Sequence[MilpResult]) -> list[MilpResult]:
    """The model's best plans worth packing: `result` first, then the next best found.

    The model prices pooled rooms by area added up, not room by room, so a plan a little
    dearer in the model may seat for less (5,000 staff: HiGHS's 23,591 seated at 24,572,
    its 23,602 a few seconds before at 23,616). Up to `SEED_CANDIDATES` distinct plans
    within `SEED_CANDIDATE_GAP` of the best.
    """
    limit = result.objective + SEED_CANDIDATE_GAP * abs(result.objective)
    chosen = [result]
    seen = {round(result.objective)}
    for plan in sorted(found, key=lambda p: p.objective):
        if len(chosen) >= SEED_CANDIDATES or plan.objective > limit:
            break
        if round(plan.objective) not in seen and plan.values is not None:
            seen.add(round(plan.objective))
            chosen.append(plan)
    return chosen


def _seats(
    keep: KeepModel, result: MilpResult, preferences: Preferences, deadline: float
) -> tuple[dict[tuple[str, str], dict[str, int]], dict[StoreyKey, dict[tuple[str, str], int]]]:
    """Turn the model's solution into seats per room: the seed of stage 2.

    Kept rooms as the model keeps them; each storey's pooled people packed into its free
    rooms (`_pack`), then re-packed by CP-SAT (`_solve_pool`) while time is left before
    `deadline`.
    """
    groups = keep.groups
    seats: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    kept: set[str] = set()
    for option in keep.options:
        if result.value(option.var):
            kept.add(option.room)
            for gi, k in option.stays.items():
                seats[groups[gi].key][option.room] += k
    for (code, gi), var in keep.adds.items():
        if code in kept and result.value(var):
            seats[groups[gi].key][code] += result.value(var)
    unseated: dict[StoreyKey, dict[tuple[str, str], int]] = {}
    pooled: dict[int, list[tuple[Group, int]]] = defaultdict(list)
    for (gi, si), var in keep.pooled.items():
        if result.value(var) > 0:
            pooled[si].append((groups[gi], result.value(var)))
    packs: list[tuple[StoreyInfo, list[tuple[Group, int]], list[PlanRoom], _Packed, _Left]] = []
    worse: list[int] = []  # tenths of m² the packing takes over the model's rooms, per storey
    for si, storey in enumerate(keep.storeys):
        wanted: dict[str, dict[RoomSize, int]] = defaultdict(dict)
        for pool in keep.pools.get(si, []):
            wanted[pool.unit][pool.size] = pool.used(result)
        people = pooled.get(si, [])
        free = [room for room in storey.rooms if room.room_code not in kept]
        packed: _Packed = defaultdict(lambda: defaultdict(int))
        packs.append((storey, people, free, packed, _pack(people, free, wanted, packed)))
        used = {code for per_room in packed.values() for code in per_room}
        taken10 = sum(area10(room.area_m2) for room in free if room.room_code in used)
        chosen10 = sum(size[1] * n for sizes in wanted.values() for size, n in sizes.items())
        worse.append(taken10 - chosen10)
    # CP-SAT re-packs, while time is left, the storeys where someone is left out, then
    # those where the packing took more area than the model's rooms, most first: each its
    # share of the time left, and at least the least worth a solve (most are proven in a
    # fraction of it; an even share below it — 5,000 staff: 280 storeys in 6 s — skipped
    # them all).
    order = sorted(range(len(packs)), key=lambda si: (not packs[si][4], -worse[si]))
    todo = [si for si in order if packs[si][4] or worse[si] > 0]
    for i, si in enumerate(todo):
        _, people, free, packed, left = packs[si]
        left_s = deadline - time.monotonic()
        share = max(MIN_POOL_SOLVE_S, left_s / (len(todo) - i))
        budget = _repack_budget(bool(left), worse[si], share, left_s)
        if budget < MIN_POOL_SOLVE_S:
            break
        still = _solve_pool(people, free, packed, dict(left), preferences, budget)
        left.clear()
        left.update({key: count for key, count in still.items() if count})
    for storey, _, _, packed, left in packs:
        for key, per_room in packed.items():
            for code, count in per_room.items():
                seats[key][code] += count
        if left:
            unseated[storey.key] = left
    return {key: dict(per_room) for key, per_room in seats.items()}, unseated


def _repack_budget(someone_left: bool, worse10: int, share: float, left_s: float) -> float:
    """Seconds for CP-SAT to re-pack one storey, within the `left_s` the packing has left.

    `LEFT_SOLVE_S` where the packing left someone out; else an even `share` of the time
    left, at most `POOL_SOLVE_S`, or `REPACK_S_PER_M2` per m² the packing took over the
    model's rooms (`worse10`, tenths of m²) when that is more, up to `REPACK_MOST_S`.
    """
    if someone_left:
        return min(LEFT_SOLVE_S, left_s)
    over_s = min(REPACK_MOST_S, REPACK_S_PER_M2 * worse10 / AREA_SCALE)
    return min(max(min(POOL_SOLVE_S, share), over_s), left_s)


def _solve_pool(
    people: list[tuple[Group, int]],
    free: list[PlanRoom],
    packed: dict[tuple[str, str], dict[str, int]],
    left: dict[tuple[str, str], int],
    preferences: Preferences,
    time_limit_s: float,
) -> dict[tuple[str, str], int]:
    """Re-pack a storey's pooled people in its free rooms with CP-SAT, from `packed`.

    The model's room-size arithmetic is not a packing (a director's room cannot also take
    the deputy its spare desk was counted for); the room model of the free rooms alone is
    small and usually proven optimal in a fraction of a second. Returns who is left.
    """
    demand = {g.key: n for g, n in people}
    by_key = {g.key: g for g, _ in people}
    allowance = {g.rank: g.allowance10 / AREA_SCALE for g, _ in people}
    nan = float("nan")
    hint = RoomPlan({k: dict(v) for k, v in packed.items()}, "SEED", nan, nan, dict(left))
    plan = plan_rooms(free, demand, by_key, preferences, time_limit_s, allowance, hint)
    if plan.status not in ("OPTIMAL", "FEASIBLE"):
        return left
    packed.clear()
    for key, per_room in plan.seats.items():
        packed[key] = defaultdict(int, per_room)
    return dict(plan.unseated)


def _pack(
    people: list[tuple[Group, int]],
    free: list[PlanRoom],
    wanted: Mapping[str, dict[RoomSize, int]],
    seats: dict[tuple[str, str], dict[str, int]],
) -> dict[tuple[str, str], int]:
    """Seat each department's pooled people in free rooms of the sizes the model chose.

    `wanted` holds the rooms of each size the model chose, per department ("" when the
    departments of a storey shared its pool). Each chosen room, largest first, takes the
    mix of the department's people that fills it best (`_best_fill`); whoever is left
    goes to the smallest free room that takes them, filled the same way. Returns who is
    still left, per group.
    """
    by_department: dict[str, dict[tuple[str, str], list[int]]] = defaultdict(dict)
    for group, count in people:
        by_department[group.department][group.key] = [group.allowance10, count]
    rooms = sorted(free, key=lambda r: (area10(r.area_m2), r.capacity, r.room_code))
    taken: set[str] = set()
    left: dict[tuple[str, str], int] = {}
    order = sorted(by_department, key=lambda d: -sum(a * n for a, n in by_department[d].values()))
    chosen: dict[str, list[PlanRoom]] = defaultdict(list)
    for department in order:
        sizes = dict(wanted.get(department, wanted.get("", {})))
        for room in reversed(rooms):
            size = (room.capacity, area10(room.area_m2))
            if room.room_code not in taken and sizes.get(size, 0) > 0:
                sizes[size] -= 1
                chosen[department].append(room)
                taken.add(room.room_code)
    for department in order:
        for room in chosen[department]:
            _seat_best(room, by_department[department], seats, taken)
    taken -= {room.room_code for rooms_ in chosen.values() for room in rooms_}
    taken |= {code for per_room in seats.values() for code in per_room}
    for department in order:
        remaining = by_department[department]
        for room in rooms:
            if not any(n for _, n in remaining.values()):
                break
            if room.room_code not in taken:
                _seat_best(room, remaining, seats, taken)
        for key, (_, count) in remaining.items():
            if count:
                left[key] = count
    return left


def _seat_best(
    room: PlanRoom,
    remaining: dict[tuple[str, str], list[int]],
    seats: dict[tuple[str, str], dict[str, int]],
    taken: set[str],
) -> None:
    """Seat in `room` the mix of `remaining` with the most entitlement that fits it."""
    items = [(key, a, n) for key, (a, n) in remaining.items() if n > 0]
    mix = _best_fill(room.capacity, area10(room.area_m2), items)
    if not mix:
        return
    taken.add(room.room_code)
    for key, count in mix.items():
        remaining[key][1] -= count
        seats[key][room.room_code] += count


def _best_fill(
    desks: int, space10: int, items: list[tuple[tuple[str, str], int, int]]
) -> dict[tuple[str, str], int]:
    """Counts per group (key, allowance, available) filling the room most; ties: fewer people."""
    best: tuple[int, int] = (0, 0)
    best_mix: dict[tuple[str, str], int] = {}
    mix: dict[tuple[str, str], int] = {}

    def search(i: int, desks_left: int, space_left: int, filled: int, people: int) -> None:
        nonlocal best, best_mix
        if (filled, -people) > best:
            best, best_mix = (filled, -people), dict(mix)
        if i == len(items) or desks_left == 0:
            return
        key, allowance, available = items[i]
        most = min(available, desks_left, space_left // allowance)
        for take in range(most, -1, -1):
            if take:
                mix[key] = take
            search(
                i + 1,
                desks_left - take,
                space_left - take * allowance,
                filled + take * allowance,
                people + take,
            )
            mix.pop(key, None)

    search(0, desks, space10, 0, 0)
    return best_mix
