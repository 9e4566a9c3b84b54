"""Plan a scenario with CP-SAT and HiGHS: who moves where, at what cost, how close to the best.

`solve(state, scenario, time_limit_s)` applies the scenario and plans in stages, the first
two as PLANNING-NOTES records: (1) departments to storeys (`solver_storeys`, CP-SAT);
(1b) the keep-or-vacate plan (`solver_keep.keep_plan`: which rooms keep which of their
occupants, which rooms of which size each department takes on the storeys it sits on now,
those stage 1 gave it and their neighbours, with the over-standard area priced — solved
by HiGHS on stage 1's storeys first, then improved a few storeys at a time,
`solver_lns`; its pooled people packed into rooms by CP-SAT); (2) rooms within each storey,
one storey at a time, CP-SAT seeded with that plan (or, when it found none, with "keep
current seats, then first fit", `solver_rooms`); then local re-solves of two storeys at a
time with the time left. The lower bound is the best of: stage 1's bound plus the least
over-standard waste, and the keep-or-vacate model over every storey
(`solver_keep.keep_bound`, HiGHS on the other core from the start). When storey by storey
leaves someone without a seat though the campus has room, every room is re-planned at
once (small campuses) and rooms are emptied for whoever is still left
(`Seating.make_room_for`). The whole run stays within the limit.

When the hard model is infeasible the elastic version plans anyway and its shortages say
what is missing ("storey F03 of B01 lacks 46 m² for department D07"); anyone it still
cannot seat is left unseated in the plan, never silently dropped.
"""

from __future__ import annotations

import csv
import io
import logging
import math
import threading
import time
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from twin.planning.kpis import (
    Assignment,
    Kpis,
    PlanCost,
    current_assignment,
    plan_cost,
    plan_kpis,
)
from twin.planning.scenario import Preferences, Scenario, apply_scenario
from twin.planning.solver_bound import least_over_standard10
from twin.planning.solver_common import (
    AREA_SCALE,
    Group,
    StoreyInfo,
    people_in_seats,
    staff_groups,
    storeys_of,
)
from twin.planning.solver_greedy import Seating, greedy_plan
from twin.planning.solver_keep import KeepBound, KeepPlan, keep_bound, keep_plan
from twin.planning.solver_local import improve_locally
from twin.planning.solver_rooms import GroupKey, RoomPlan, plan_rooms, seed_rooms
from twin.planning.solver_storeys import Shortage, StoreyPlan, plan_storeys
from twin.planning.state import PlanningState

__all__ = ["Move", "PlanResult", "moves_csv", "plan_target", "solve"]

logger = logging.getLogger(__name__)

# Share of the time limit the plan may use. The keep-or-vacate bound (`solver_keep`, HiGHS
# on one core) runs beside it from the start, until this share of the limit too.
PLAN_SHARE = 0.95
BOUND_SHARE = 0.95
# Share of the plan's time for stage 1 (it usually needs well under a second).
STOREY_STAGE_SHARE = 0.15
# Stage 1's storeys hold each department for the keep-or-vacate plan's first plan only
# when stage 1 is within this share of its own bound (see `_near_optimal`).
STAGE1_TRUSTED_GAP = 0.1
# The keep-or-vacate plan that seeds stage 2 (`keep_plan`): HiGHS solves until this share
# of the time limit has passed (whatever stage 1 left of it), then packing its pooled
# people into rooms takes up to this share more.
KEEP_PLAN_END = 0.65
KEEP_SEED_SHARE = 0.1
# ... and until this share when HiGHS solves the whole model (stage 1 far from its bound,
# `_near_optimal`): there its plans come late (5,000 staff, a quiet machine: 24,510 after
# 23 s of HiGHS, 23,602 after 29 s; under load 2.6, 40 and 45 s), and the room stage's
# re-solves of its seeds came out worse than the seeds in every run.
KEEP_WHOLE_END = 0.8
# ... and then packs its plans into rooms for this share: its few best plans are each
# packed (`solver_keep._candidates`), and each packs better with more time (5,000 staff,
# the same plan of the model: 23,594-23,616 with 6 s to itself, 23,656-24,282 with 3 s).
KEEP_WHOLE_SEED_SHARE = 0.15
# Stage 2 ends by this share of the plan's time; local re-solves take the rest.
ROOM_STAGE_END = 0.88
# The most the campus-wide waste bound (`least_over_standard10`) may take.
WASTE_BOUND_S = 1.0
# Rooms tried, per person first fit cannot place, when emptying one for them.
EVICTION_TRIES = 50
# The whole-campus repair (`_repair`) is tried up to this many groups × rooms, and given
# at least this many seconds.
REPAIR_MAX_PAIRS = 20_000
REPAIR_MIN_S = 2.0
# Below this a storey's room model is not worth starting when the seed seats everyone.
MIN_ROOM_SOLVE_S = 0.1


@dataclass(frozen=True)
class Move:
    """One person's move; `from_room` is empty for a new member of staff."""

    staff_id: str
    name: str
    department: str
    rank: str
    from_room: str
    to_room: str

    def to_dict(self) -> dict[str, str]:
        return asdict(self)


@dataclass
class PlanResult:
    """A plan and everything a planner compares plans by."""

    status: str
    assignment: dict[str, str | None]
    moves: list[Move]
    cost: PlanCost
    lower_bound: float | None
    gap: float | None
    kpis_before: Kpis
    kpis_after: Kpis
    shortages: list[Shortage] = field(default_factory=list)
    # What the scenario itself changes, for applying the plan: staff whose department
    # changes (merges), and rooms it closes or opens.
    department_changes: list[dict[str, str]] = field(default_factory=list)
    rooms_closed: list[str] = field(default_factory=list)
    rooms_opened: list[str] = field(default_factory=list)
    # The department in each occupied office before and after the plan (the viewer's colours).
    rooms_before: dict[str, str] = field(default_factory=dict)
    rooms_after: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    stats: dict[str, Any] = field(default_factory=dict)

    @property
    def objective(self) -> float:
        return self.cost.objective

    def to_dict(self) -> dict[str, Any]:
        """Everything but the full assignment, JSON-ready (the API's and CLI's keys)."""
        return {
            "status": self.status,
            "objective": self.cost.objective,
            "lower_bound": self.lower_bound,
            "gap": self.gap,
            "cost": self.cost.to_dict(),
            "kpis_before": self.kpis_before.to_dict(),
            "kpis_after": self.kpis_after.to_dict(),
            "shortages": [s.to_dict() for s in self.shortages],
            "department_changes": self.department_changes,
            "rooms_closed": self.rooms_closed,
            "rooms_opened": self.rooms_opened,
            "rooms_before": self.rooms_before,
            "rooms_after": self.rooms_after,
            "moves": [m.to_dict() for m in self.moves],
            "seconds": round(self.seconds, 2),
            "stats": self.stats,
        }


def moves_csv(moves: list[Move]) -> str:
    """The move list as CSV text with a header row."""
    out = io.StringIO()
    writer = csv.DictWriter(
        out, fieldnames=["staff_id", "name", "department", "rank", "from_room", "to_room"]
    )
    writer.writeheader()
    for move in moves:
        writer.writerow(move.to_dict())
    return out.getvalue()


def _seat_the_rest(
    target: PlanningState, groups: list[Group], assignment: dict[str, str | None]
) -> None:
    """First-fit anyone the room stage left out, around the seats already given.

    Whom first fit cannot place (largest allowance first) gets a room emptied for them
    when its occupants fit elsewhere (`Seating.make_room_for`).
    """
    seating = Seating(target.rooms, dict(target.allowance_m2))
    rooms = {room.room_code: room for room in seating.rooms}
    left = []
    for group in groups:
        for person in group.members:
            code = assignment.get(person.staff_id)
            if code is None:
                left.append(person)
            else:
                seating.seat(rooms[code], person)
    still = seating.first_fit(left)
    people = {p.staff_id: p for p in target.staff}
    for person in sorted(still, key=lambda p: -seating.allowance_m2[p.rank]):
        if not seating.make_room_for(person, people, EVICTION_TRIES):
            seating.assignment[person.staff_id] = None
    assignment.update(seating.assignment)


def _repair(
    target: PlanningState,
    groups: list[Group],
    storeys: list[StoreyInfo],
    seats: dict[GroupKey, dict[str, int]],
    preferences: Preferences,
    deadline: float,
    stats: dict[str, Any],
) -> dict[GroupKey, dict[str, int]]:
    """Re-plan every room at once when storey by storey left someone without a seat.

    Stage 1 fits each storey's share in its total area and seats per allowance level, not
    in particular rooms, so a storey's rooms may not take it all (a mayor loses the one
    large office to a team of juniors). The whole-campus elastic room model, hinted with
    the plan so far, moves people between storeys until everyone fits; it is only tried
    when small enough to solve in the time left (a campus of a few hundred staff).
    """
    short = {g.key: len(g.members) - sum(seats.get(g.key, {}).values()) for g in groups}
    short = {key: count for key, count in short.items() if count > 0}
    rooms = [room for storey in storeys for room in storey.rooms]
    if not short or len(groups) * len(rooms) > REPAIR_MAX_PAIRS:
        return seats
    left = max(MIN_ROOM_SOLVE_S, deadline - time.monotonic(), REPAIR_MIN_S)
    hint = RoomPlan(seats, "SEED", float("nan"), float("nan"), short)
    demand = {g.key: len(g.members) for g in groups}
    by_key = {g.key: g for g in groups}
    plan = plan_rooms(rooms, demand, by_key, preferences, left, dict(target.allowance_m2), hint)
    stats["repair"] = {"status": plan.status, "unseated_before": sum(short.values())}
    if plan.status not in ("OPTIMAL", "FEASIBLE"):
        return seats
    stats["repair"]["unseated_after"] = sum(plan.unseated.values())
    return plan.seats if sum(plan.unseated.values()) < sum(short.values()) else seats


def _move_list(target: PlanningState, assignment: Assignment) -> list[Move]:
    return [
        Move(
            p.staff_id,
            p.name,
            p.department,
            p.rank,
            p.room_code or "",
            assignment.get(p.staff_id) or "",
        )
        for p in target.staff
        if assignment.get(p.staff_id) != p.room_code
    ]


def _storey_counts(
    groups: list[Group], storeys: list[StoreyInfo], assignment: Assignment
) -> dict[tuple[int, int], int] | None:
    """Members per (group index, storey index) of a plan that seats everyone, else None."""
    storey_of = {room.room_code: si for si, s in enumerate(storeys) for room in s.rooms}
    counts: dict[tuple[int, int], int] = defaultdict(int)
    for gi, group in enumerate(groups):
        for person in group.members:
            code = assignment.get(person.staff_id)
            if code is None:
                return None
            counts[gi, storey_of[code]] += 1
    return dict(counts)


def _seats_of(groups: list[Group], assignment: Assignment) -> dict[GroupKey, dict[str, int]]:
    """Members of each group per room in `assignment` (the unseated left out)."""
    seats: dict[GroupKey, dict[str, int]] = {}
    for group in groups:
        per_room: dict[str, int] = defaultdict(int)
        for person in group.members:
            code = assignment.get(person.staff_id)
            if code is not None:
                per_room[code] += 1
        seats[group.key] = dict(per_room)
    return seats


def _by_key(
    groups: list[Group], storeys: list[StoreyInfo], counts: dict[tuple[int, int], int]
) -> dict[GroupKey, dict[tuple[str, str], int]]:
    by_key: dict[GroupKey, dict[tuple[str, str], int]] = defaultdict(dict)
    for (gi, si), count in counts.items():
        by_key[groups[gi].key][storeys[si].key] = count
    return dict(by_key)


def _room_stage(
    target: PlanningState,
    groups: list[Group],
    storeys: list[StoreyInfo],
    counts: dict[GroupKey, dict[tuple[str, str], int]],
    preferences: Preferences,
    deadline: float,
    stats: dict[str, Any],
    seeds: KeepPlan | None = None,
) -> dict[GroupKey, dict[str, int]]:
    """Seat each storey's share of every group in its rooms, one storey at a time.

    Each storey's model starts from `seeds` (the keep-or-vacate plan) when given, else from
    "keep current seats, then first fit".
    """
    by_key = {g.key: g for g in groups}
    demand_by_storey: dict[tuple[str, str], dict[GroupKey, int]] = defaultdict(dict)
    for key, per_storey in counts.items():
        for storey_key, count in per_storey.items():
            demand_by_storey[storey_key][key] = count
    seats: dict[GroupKey, dict[str, int]] = defaultdict(dict)
    todo = [s for s in storeys if demand_by_storey.get(s.key)]
    statuses: dict[str, int] = defaultdict(int)
    allowance = dict(target.allowance_m2)
    for i, storey in enumerate(todo):
        demand = demand_by_storey[storey.key]
        budget = (deadline - time.monotonic()) / (len(todo) - i)
        seed = (
            seed_rooms(storey.rooms, demand, by_key, allowance)
            if seeds is None
            else _seed_of(storey, seeds)
        )
        plan = seed
        if budget >= MIN_ROOM_SOLVE_S or seed.unseated:
            budget = max(budget, MIN_ROOM_SOLVE_S)
            solved = plan_rooms(storey.rooms, demand, by_key, preferences, budget, allowance, seed)
            if solved.status in ("OPTIMAL", "FEASIBLE"):
                plan = solved  # else out of time before CP-SAT took up the seed: keep it
        statuses[plan.status] += 1
        for key, per_room in plan.seats.items():
            seats[key].update(per_room)
    stats["room_stage"] = dict(statuses)
    return seats


def _seed_of(storey: StoreyInfo, plan: KeepPlan) -> RoomPlan:
    codes = {room.room_code for room in storey.rooms}
    seats: dict[GroupKey, dict[str, int]] = {}
    for key, per_room in plan.seats.items():
        here = {code: count for code, count in per_room.items() if code in codes}
        if here:
            seats[key] = here
    nan = float("nan")
    return RoomPlan(seats, "SEED", nan, nan, dict(plan.unseated.get(storey.key, {})))


def _priced(
    target: PlanningState,
    groups: list[Group],
    seats: Mapping[GroupKey, Mapping[str, int]],
    preferences: Preferences,
) -> tuple[int, float]:
    """People left without a seat and the cost of a plan given as seats per room."""
    cost = plan_cost(target, people_in_seats(groups, seats), preferences)
    return cost.unseated, cost.objective


def _near_optimal(stage1: StoreyPlan) -> bool:
    """Whether stage 1's storeys are worth holding each department to for a first plan.

    They are when stage 1 is within `STAGE1_TRUSTED_GAP` of its own bound. At 5,000 staff
    stage 1 finds little better than the greedy split in its share (165,400 against a bound
    of 100,100, in tenths), and a first plan on those storeys, searched from, came to
    29,366 where HiGHS on the whole model reached 23,602 in the same 30 s.
    """
    if stage1.status not in ("OPTIMAL", "FEASIBLE"):
        return False
    return stage1.objective10 - stage1.bound10 <= STAGE1_TRUSTED_GAP * abs(stage1.objective10)


def _chosen_storeys(
    storeys: list[StoreyInfo], counts: Mapping[GroupKey, Mapping[Any, int]]
) -> dict[str, set[int]]:
    """Per department, the storeys (indices) stage 1 gave it."""
    index = {storey.key: si for si, storey in enumerate(storeys)}
    chosen: dict[str, set[int]] = defaultdict(set)
    for (department, _), per_storey in counts.items():
        chosen[department].update(index[key] for key, count in per_storey.items() if count)
    return dict(chosen)


def _allowed_storeys(
    groups: list[Group], storeys: list[StoreyInfo], counts: Mapping[GroupKey, Mapping[Any, int]]
) -> dict[str, set[int]]:
    """Per department, the storeys it sits on now, those stage 1 gave it, and their
    neighbours above and below in the same building."""
    index = {storey.key: si for si, storey in enumerate(storeys)}
    where = {room.room_code: si for si, storey in enumerate(storeys) for room in storey.rooms}
    allowed: dict[str, set[int]] = defaultdict(set)
    for (department, _), per_storey in counts.items():
        allowed[department].update(index[key] for key in per_storey)
    for group in groups:
        for person in group.members:
            if person.room_code in where:
                allowed[group.department].add(where[person.room_code])
    for chosen in allowed.values():
        near = {
            j
            for i in chosen
            for j in (i - 1, i + 1)
            if 0 <= j < len(storeys) and storeys[j].key[0] == storeys[i].key[0]
        }
        chosen |= near
    return dict(allowed)


def _trivial_bound(target: PlanningState, preferences: Preferences) -> float:
    """Everyone without an open seat moves, and each department occupies one storey at least."""
    open_rooms = {room.room_code for room in target.rooms if room.available}
    must_move = sum(1 for p in target.staff if p.room_code not in open_rooms)
    departments = len({p.department for p in target.staff})
    return float(preferences.move * must_move + preferences.storey * departments)


class _BoundWorker(threading.Thread):
    """Works out the keep-or-vacate bound on the other core while the plan is made.

    HiGHS releases the GIL while it solves, and CP-SAT does too, so the two share the
    machine's cores; an exception in the worker is raised again by `result()`.
    """

    def __init__(
        self,
        groups: list[Group],
        storeys: list[StoreyInfo],
        preferences: Preferences,
        time_limit_s: float,
    ) -> None:
        super().__init__(name="planning-bound", daemon=True)
        self.args = (groups, storeys, preferences, time_limit_s)
        self.bound: KeepBound | None = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.bound = keep_bound(*self.args)
        except BaseException as exc:  # handed to the caller's thread by result()
            self.error = exc

    def result(self) -> KeepBound | None:
        self.join()
        if self.error is not None:
            raise self.error
        return self.bound


def plan_target(
    target: PlanningState, preferences: Preferences, time_limit_s: float = 60.0
) -> tuple[dict[str, str | None], str, list[Shortage], float | None, dict[str, Any]]:
    """Plan `target` (a state with the scenario applied): assignment, status, shortages, bound."""
    start = time.monotonic()
    stats: dict[str, Any] = {}
    groups = staff_groups(target)
    storeys = storeys_of(target)
    plan_deadline = start + time_limit_s * PLAN_SHARE
    worker = None
    if storeys:
        worker = _BoundWorker(groups, storeys, preferences, time_limit_s * BOUND_SHARE)
        worker.start()
    greedy = greedy_plan(target)
    greedy_cost = plan_cost(target, greedy, preferences).objective
    seed = _storey_counts(groups, storeys, greedy)
    stage1 = plan_storeys(
        groups, storeys, preferences, time_limit_s * PLAN_SHARE * STOREY_STAGE_SHARE, hint=seed
    )
    shortages: list[Shortage] = []
    status = "FEASIBLE"
    counts = stage1.counts
    storey_bound10 = stage1.bound10 if stage1.status != "INFEASIBLE" else float("nan")
    if stage1.status not in ("OPTIMAL", "FEASIBLE"):
        if seed is not None and stage1.status != "INFEASIBLE":
            counts = _by_key(groups, storeys, seed)  # out of time: the greedy split stands
        else:
            status = "INFEASIBLE"
            remaining = max(0.1, plan_deadline - time.monotonic())
            stage1 = plan_storeys(groups, storeys, preferences, remaining / 2, elastic=True)
            shortages, counts = stage1.shortages, stage1.counts
    stats["storey_stage"] = {"status": stage1.status, "seconds": round(time.monotonic() - start, 2)}
    seeds = None
    seeded_objective = math.inf  # the seeds' cost, once there are seeds
    if status != "INFEASIBLE" and counts:
        chosen = _chosen_storeys(storeys, counts) if _near_optimal(stage1) else None
        allowed = _allowed_storeys(groups, storeys, counts)
        end, seed_share = (KEEP_PLAN_END, KEEP_SEED_SHARE)
        if chosen is None:
            end, seed_share = (KEEP_WHOLE_END, KEEP_WHOLE_SEED_SHARE)
        seeds = keep_plan(
            groups,
            storeys,
            preferences,
            start + time_limit_s * end - time.monotonic(),
            allowed,
            time_limit_s * seed_share,
            chosen,
            _seats_of(groups, greedy),
            price=lambda seats: _priced(target, groups, seats, preferences),
        )
        stats["keep_plan"] = {"status": seeds.status if seeds else "UNKNOWN"}
        if seeds is not None:
            stats["keep_plan"].update(
                {
                    "objective": round(seeds.objective10 / AREA_SCALE),
                    "seconds": seeds.seconds,
                    **seeds.search,
                }
            )
            if seeds.objective10 < greedy_cost * AREA_SCALE:
                counts = seeds.counts
                seeded_unseated, seeded_objective = _priced(
                    target, groups, seeds.seats, preferences
                )
                stats["keep_plan"]["seeds"] = {
                    "objective": seeded_objective,
                    "unseated": seeded_unseated,
                }
            else:  # out of time before HiGHS found anything better than greedy
                seeds, stats["keep_plan"]["used"] = None, False
    rooms_deadline = start + time_limit_s * PLAN_SHARE * ROOM_STAGE_END
    seats = _room_stage(target, groups, storeys, counts, preferences, rooms_deadline, stats, seeds)
    staged = plan_cost(target, people_in_seats(groups, seats), preferences)
    stats["room_stage"]["objective"] = staged.objective
    # A storey's room model short of time may come back with a plan worse than the seed it
    # started from (5,000 staff: 23,594 seeded, 23,771 after): keep the better.
    if seeds is not None and seeded_objective < staged.objective:
        seats = {key: dict(per_room) for key, per_room in seeds.seats.items()}
        stats["room_stage"]["kept_seeds"] = True
    seats = improve_locally(target, groups, storeys, seats, preferences, plan_deadline, stats)
    seats = _repair(target, groups, storeys, seats, preferences, plan_deadline, stats)
    assignment = people_in_seats(groups, seats)
    if any(code is None for code in assignment.values()):
        _seat_the_rest(target, groups, assignment)
    if greedy_cost < plan_cost(target, assignment, preferences).objective:
        assignment, stats["kept_greedy_plan"] = dict(greedy), True
    stats["plan_seconds"] = round(time.monotonic() - start, 2)
    bound_value: float | None = None
    if status != "INFEASIBLE":
        bound_value = _trivial_bound(target, preferences)
        if math.isfinite(storey_bound10):
            # Stage 1 bounds people changing storey, storeys and gaps; add the least waste.
            waste_s = min(WASTE_BOUND_S, max(0.0, (start + time_limit_s - time.monotonic()) / 20))
            over10 = preferences.over_standard_m2 * least_over_standard10(groups, storeys, waste_s)
            bound_value = max(bound_value, (storey_bound10 + over10) / AREA_SCALE)
    bound = worker.result() if worker is not None else None
    if bound is not None:
        stats["bound"] = {"status": bound.status, "seconds": bound.seconds, **bound.stats}
        if status != "INFEASIBLE" and math.isfinite(bound.value10):
            assert bound_value is not None
            bound_value = max(bound_value, bound.value10 / AREA_SCALE)
    stats["seconds"] = round(time.monotonic() - start, 2)
    logger.debug("planned %d staff: %s", len(target.staff), stats)
    return assignment, status, shortages, bound_value, stats


def _left_without_seats(target: PlanningState, assignment: Assignment) -> list[Shortage]:
    """Say who is left without a seat, by department, when no storey shortage says why."""
    left: dict[str, list[str]] = defaultdict(list)
    for person in target.staff:
        if assignment.get(person.staff_id) is None:
            left[person.department].append(person.rank)
    if not any(room.available for room in target.rooms):
        total = sum(len(ranks) for ranks in left.values())
        message = f"there are no open office rooms for {total} staff"
        return [Shortage("", "", "", "total", float(total), 0.0, message)]
    largest = max(room.area_m2 for room in target.rooms if room.available)
    shortages = []
    for department, ranks in sorted(left.items()):
        # Too large for every office, or the offices that could take them are all in use.
        why = (
            "fit in no open office"
            if all(target.allowance(rank) > largest + 1e-6 for rank in ranks)
            else "found no seat: the open offices that could take them are full"
        )
        shortages.append(
            Shortage(
                "",
                "",
                department,
                "unseated",
                float(len(ranks)),
                min(target.allowance(rank) for rank in ranks),
                f"{len(ranks)} staff of department {department} {why} "
                f"({', '.join(sorted(set(ranks)))})",
            )
        )
    return shortages


def _departments_in_rooms(state: PlanningState, assignment: Assignment) -> dict[str, str]:
    """Room code → the department of the people seated there (one per room in a plan)."""
    rooms: dict[str, str] = {}
    for person in state.staff:
        code = assignment.get(person.staff_id)
        if code is not None:
            rooms.setdefault(code, person.department)
    return dict(sorted(rooms.items()))


def _scenario_changes(state: PlanningState, target: PlanningState) -> dict[str, Any]:
    before = {p.staff_id: p.department for p in state.staff}
    was_open = {r.room_code: r.available for r in state.rooms}
    return {
        "department_changes": [
            {"staff_id": p.staff_id, "from": before[p.staff_id], "to": p.department}
            for p in target.staff
            if p.staff_id in before and before[p.staff_id] != p.department
        ],
        "rooms_closed": [r.room_code for r in target.rooms if was_open[r.room_code] > r.available],
        "rooms_opened": [r.room_code for r in target.rooms if was_open[r.room_code] < r.available],
    }


def solve(state: PlanningState, scenario: Scenario, time_limit_s: float = 60.0) -> PlanResult:
    """Apply `scenario` to `state` and plan it within `time_limit_s` seconds.

    >>> from twin.planning.scenario import parse_scenario
    >>> from twin.planning.synthetic import synthetic_state
    >>> state = synthetic_state(staff=120, seed=2)
    >>> scenario = parse_scenario({"changes": [{"kind": "grow", "department": "D01",
    ...                                       "ranks": {"below_division": 2}}]})
    >>> result = solve(state, scenario, time_limit_s=10)
    >>> result.status in ("OPTIMAL", "FEASIBLE"), result.kpis_after.seated - len(state.staff)
    (True, 2)
    """
    start = time.monotonic()
    target = apply_scenario(state, scenario)
    preferences = scenario.preferences
    assignment, status, shortages, bound, stats = plan_target(target, preferences, time_limit_s)
    cost = plan_cost(target, assignment, preferences)
    gap = None
    if bound is not None and cost.unseated == 0:
        bound = min(bound, cost.objective)
        gap = round((cost.objective - bound) / max(1.0, abs(cost.objective)), 4)
        if gap == 0:
            status = "OPTIMAL"
    if cost.unseated and not shortages:
        status = "INFEASIBLE"
        shortages = _left_without_seats(target, assignment)
    return PlanResult(
        status=status,
        assignment=assignment,
        moves=_move_list(target, assignment),
        cost=cost,
        lower_bound=None if bound is None else round(bound, 1),
        gap=gap,
        kpis_before=plan_kpis(state, current_assignment(state)),
        kpis_after=plan_kpis(target, assignment),
        shortages=shortages,
        **_scenario_changes(state, target),
        rooms_before=_departments_in_rooms(state, current_assignment(state)),
        rooms_after=_departments_in_rooms(target, assignment),
        seconds=time.monotonic() - start,
        stats=stats,
    )
