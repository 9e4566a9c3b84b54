"""Scoring a seating plan: the KPIs a planner reads and the cost every plan is compared by.

A plan is an `Assignment`, staff id → room code (None for someone not seated). The same
`plan_cost` scores the greedy baseline and the CP-SAT plan, so their objectives compare:

    cost = move · moves + over_standard_m2 · over-standard m²
           + storey · Σ storeys per department + storey_gap · Σ empty storeys between them
           + UNSEATED_PENALTY · people not seated

A move is a person whose room differs from the one they have now (a new member of staff,
who has none, counts as one). Over-standard m² of an occupied room is its area minus its
occupants' entitlement, when positive.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from twin.planning.scenario import Preferences
from twin.planning.state import PlanningState

__all__ = [
    "UNSEATED_PENALTY",
    "Assignment",
    "Kpis",
    "PlanCost",
    "current_assignment",
    "plan_cost",
    "plan_kpis",
]

Assignment = Mapping[str, str | None]

UNSEATED_PENALTY = 1000
# Areas come as decimals; ignore rounding dust when deciding "over standard".
_AREA_EPS_M2 = 0.05


@dataclass(frozen=True)
class Kpis:
    """Figures of one plan (or of today's seating), in the API's and CSV's key names."""

    staff: int
    seated: int
    area_per_person_m2: float
    over_standard_rooms: int
    over_standard_m2: float
    vacant_rooms: int
    vacancy_rate: float
    moves: int
    departments_split: int
    storeys_per_department: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class PlanCost:
    """The terms of a plan's cost and their weighted sum, `objective`."""

    moves: int
    over_standard_m2: float
    department_storeys: int
    storey_gaps: int
    unseated: int
    objective: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def current_assignment(state: PlanningState) -> dict[str, str | None]:
    """Everyone's seat today (a closed room still counts as their seat: they must move)."""
    return {person.staff_id: person.room_code for person in state.staff}


def _occupancy(
    state: PlanningState, assignment: Assignment
) -> tuple[dict[str, float], dict[str, set[tuple[str, str, int]]]]:
    """Entitlement per occupied room, and the (building, storey, index) set per department."""
    entitlement: dict[str, float] = defaultdict(float)
    storeys: dict[str, set[tuple[str, str, int]]] = defaultdict(set)
    rooms = {room.room_code: room for room in state.rooms}
    for person in state.staff:
        code = assignment.get(person.staff_id)
        if code is None or code not in rooms:
            continue
        room = rooms[code]
        entitlement[code] += state.allowance(person.rank)
        storeys[person.department].add((room.building_code, room.storey_code, room.storey_index))
    return entitlement, storeys


def _over_standard(state: PlanningState, entitlement: Mapping[str, float]) -> list[float]:
    rooms = {room.room_code: room for room in state.rooms}
    return [max(0.0, rooms[code].area_m2 - allowed) for code, allowed in entitlement.items()]


def _storey_gaps(storeys: set[tuple[str, str, int]]) -> int:
    by_building: dict[str, set[int]] = defaultdict(set)
    for building, _, index in storeys:
        by_building[building].add(index)
    return sum(max(idx) - min(idx) + 1 - len(idx) for idx in by_building.values())


def _moves(state: PlanningState, assignment: Assignment) -> int:
    return sum(1 for p in state.staff if assignment.get(p.staff_id) != p.room_code)


def plan_cost(state: PlanningState, assignment: Assignment, preferences: Preferences) -> PlanCost:
    """Score `assignment` of `state`'s staff with `preferences`' weights."""
    entitlement, storeys = _occupancy(state, assignment)
    over_m2 = sum(_over_standard(state, entitlement))
    department_storeys = sum(len(s) for s in storeys.values())
    gaps = sum(_storey_gaps(s) for s in storeys.values())
    rooms = {room.room_code for room in state.rooms}
    unseated = sum(1 for p in state.staff if assignment.get(p.staff_id) not in rooms)
    moves = _moves(state, assignment)
    objective = (
        preferences.move * moves
        + preferences.over_standard_m2 * over_m2
        + preferences.storey * department_storeys
        + preferences.storey_gap * gaps
        + UNSEATED_PENALTY * unseated
    )
    return PlanCost(
        moves, round(over_m2, 1), department_storeys, gaps, unseated, round(objective, 1)
    )


def plan_kpis(state: PlanningState, assignment: Assignment) -> Kpis:
    """KPIs of `assignment`; moves count against each person's seat in `state`."""
    entitlement, storeys = _occupancy(state, assignment)
    over = _over_standard(state, entitlement)
    rooms = {room.room_code: room for room in state.rooms}
    seated = sum(1 for p in state.staff if assignment.get(p.staff_id) in rooms)
    occupied_area = sum(rooms[code].area_m2 for code in entitlement)
    open_rooms = [room for room in state.rooms if room.available]
    vacant = sum(1 for room in open_rooms if room.room_code not in entitlement)
    split = sum(1 for s in storeys.values() if len(s) > 1)
    return Kpis(
        staff=len(state.staff),
        seated=seated,
        area_per_person_m2=round(occupied_area / seated, 2) if seated else 0.0,
        over_standard_rooms=sum(1 for o in over if o > _AREA_EPS_M2),
        over_standard_m2=round(sum(over), 1),
        vacant_rooms=vacant,
        vacancy_rate=round(vacant / len(open_rooms), 4) if open_rooms else 0.0,
        moves=_moves(state, assignment),
        departments_split=split,
        storeys_per_department=(
            round(sum(len(s) for s in storeys.values()) / len(storeys), 2) if storeys else 0.0
        ),
    )
