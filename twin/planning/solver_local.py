"""Local re-solves: two storeys at a time, people free to move between them, kept if cheaper.

After stage 2 each storey's rooms are planned alone, for the counts stage 1 gave it.
Re-solving two storeys together lets a department pull its few people on one storey over
to the other (one storey fewer) and lets staff fill rooms across the pair. Candidates are,
first, the smallest and largest storey of each department spread over several, then
neighbouring storeys of a building. Each re-solve is hinted with the current plan of
its rooms and kept only when the whole plan's cost (`kpis.plan_cost`) goes down.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from twin.planning.kpis import plan_cost
from twin.planning.scenario import Preferences
from twin.planning.solver_common import Group, StoreyInfo, people_in_seats
from twin.planning.solver_rooms import GroupKey, RoomPlan, plan_rooms
from twin.planning.state import PlanningState

__all__ = ["improve_locally"]

# The most one re-solve may take; most pairs finish far sooner.
LOCAL_SOLVE_S = 3.0
Seats = dict[GroupKey, dict[str, int]]


def _candidates(
    storeys: list[StoreyInfo], seats: Mapping[GroupKey, Mapping[str, int]]
) -> list[tuple[int, int]]:
    storey_of = {room.room_code: si for si, s in enumerate(storeys) for room in s.rooms}
    headcount: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for (department, _), per_room in seats.items():
        for code, count in per_room.items():
            headcount[department][storey_of[code]] += count
    pairs: list[tuple[int, tuple[int, int]]] = []
    for per_storey in headcount.values():
        if len(per_storey) < 2:
            continue
        ordered = sorted(per_storey, key=lambda si: per_storey[si])
        smallest = ordered[0]
        for other in ordered[:0:-1][:2]:
            pairs.append((per_storey[smallest], (min(smallest, other), max(smallest, other))))
    chosen = [pair for _, pair in sorted(pairs)]
    for si in range(len(storeys) - 1):
        if storeys[si].key[0] == storeys[si + 1].key[0]:
            chosen.append((si, si + 1))
    return list(dict.fromkeys(chosen))


def improve_locally(
    target: PlanningState,
    groups: list[Group],
    storeys: list[StoreyInfo],
    seats: Seats,
    preferences: Preferences,
    deadline: float,
    stats: dict[str, Any],
) -> Seats:
    """Re-solve pairs of storeys until `deadline`; return the (possibly) better seats."""
    by_key = {g.key: g for g in groups}
    allowance = dict(target.allowance_m2)
    best = plan_cost(target, people_in_seats(groups, seats), preferences).objective
    tried = improved = 0
    start_cost = best
    for pair in _candidates(storeys, seats):
        left = deadline - time.monotonic()
        if left < 0.3:
            break
        rooms = [room for si in pair for room in storeys[si].rooms]
        codes = {room.room_code for room in rooms}
        local: Seats = {}
        for key, per_room in seats.items():
            here = {code: count for code, count in per_room.items() if code in codes}
            if here:
                local[key] = here
        demand = {key: sum(here.values()) for key, here in local.items()}
        hint = RoomPlan(local, "SEED", float("nan"), float("nan"))
        budget = min(LOCAL_SOLVE_S, left)
        plan = plan_rooms(rooms, demand, by_key, preferences, budget, allowance, hint)
        tried += 1
        if plan.status not in ("OPTIMAL", "FEASIBLE") or plan.unseated:
            continue
        candidate: Seats = {
            key: {code: count for code, count in per_room.items() if code not in codes}
            for key, per_room in seats.items()
        }
        for key, per_room in plan.seats.items():
            candidate.setdefault(key, {}).update(per_room)
        cost = plan_cost(target, people_in_seats(groups, candidate), preferences).objective
        if cost < best - 1e-6:
            seats, best = candidate, cost
            improved += 1
    stats["local_search"] = {
        "tried": tried,
        "improved": improved,
        "gain": round(start_cost - best, 1),
    }
    return seats
