"""What the CP-SAT stages share: integer units, solver settings, storeys and staff groups.

CP-SAT works in integers, so areas are tenths of a square metre (room areas rounded down,
allowances up, so an integer plan is a real one) and every model's objective is ten times
the plan's cost (`kpis.plan_cost`). Staff of one department and rank are interchangeable
to the models; a `Group` is such a set with the seats its members have now.
"""

from __future__ import annotations

import functools
import math
import time
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from twin.planning.solver_greedy import room_order
from twin.planning.state import Person, PlanningState, PlanRoom

__all__ = [
    "AREA_SCALE",
    "Group",
    "StoreyInfo",
    "StoreyKey",
    "allowance10",
    "allowance_levels",
    "area10",
    "fillable10",
    "new_solver",
    "people_in_seats",
    "room_fillable10",
    "staff_groups",
    "status_name",
    "storeys_of",
]

AREA_SCALE = 10
StoreyKey = tuple[str, str]  # (building code, storey code)


def area10(area_m2: float) -> int:
    """A room's area in tenths of m², rounded down."""
    return math.floor(area_m2 * AREA_SCALE + 1e-6)


def allowance10(allowance_m2: float) -> int:
    """A person's allowance in tenths of m², rounded up."""
    return math.ceil(allowance_m2 * AREA_SCALE - 1e-6)


def new_solver(time_limit_s: float, started: float | None = None) -> cp_model.CpSolver:
    """CP-SAT set as PLANNING-NOTES found works on 2 cores: two LP workers raise the bound.

    `started` (a `time.monotonic()` reading) is when building the model began: the time
    spent building comes off the limit, so model and solve together keep to it.
    """
    if started is not None:
        time_limit_s -= time.monotonic() - started
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.05, time_limit_s)
    solver.parameters.num_workers = 2
    solver.parameters.subsolvers.extend(["max_lp", "default_lp"])
    solver.parameters.random_seed = 0
    return solver


def status_name(status: cp_model.CpSolverStatus) -> str:
    """OPTIMAL, FEASIBLE, INFEASIBLE, MODEL_INVALID or UNKNOWN."""
    return str(status.name)


@dataclass
class StoreyInfo:
    """One storey's open office rooms and what they can hold at most."""

    key: StoreyKey
    index: int
    rooms: list[PlanRoom]
    desks: int = 0
    area10: int = 0
    # seats_of_at_least per allowance: the models ask it once per group and storey
    # (51,000 times at 5,000 staff, each a pass over the storey's rooms)
    _seats: dict[int, int] = field(default_factory=dict, repr=False, compare=False)

    def seats_of_at_least(self, allowance10_: int) -> int:
        """How many people of allowance ≥ `allowance10_` the storey's rooms could take.

        Worked out once per allowance: the rooms are fixed once `storeys_of` has built it.
        """
        seats = self._seats.get(allowance10_)
        if seats is None:
            seats = sum(min(r.capacity, area10(r.area_m2) // allowance10_) for r in self.rooms)
            self._seats[allowance10_] = seats
        return seats


def storeys_of(state: PlanningState) -> list[StoreyInfo]:
    """Storeys with at least one open office room, in building/storey order.

    A storey's `area10` adds up what each room can really be filled to (`fillable10`) with
    the site's allowances, which is at most its area.
    """
    allowances = tuple(sorted({allowance10(a) for a in state.allowance_m2.values()}))
    by_key: dict[StoreyKey, StoreyInfo] = {}
    for room in sorted(state.rooms, key=room_order):
        if not room.available or room.capacity <= 0:
            continue
        key = (room.building_code, room.storey_code)
        info = by_key.setdefault(key, StoreyInfo(key, room.storey_index, []))
        info.rooms.append(room)
        info.desks += room.capacity
        info.area10 += room_fillable10(room, allowances)
    return list(by_key.values())


@dataclass
class Group:
    """Staff of one department and rank; `members` in staff order."""

    department: str
    rank: str
    allowance10: int
    members: list[Person] = field(default_factory=list)

    @property
    def key(self) -> tuple[str, str]:
        return (self.department, self.rank)

    def current_by_room(self, open_rooms: dict[str, PlanRoom]) -> dict[str, int]:
        """How many members sit in each open room now."""
        counts: dict[str, int] = defaultdict(int)
        for person in self.members:
            if person.room_code in open_rooms:
                counts[person.room_code] += 1
        return dict(counts)


def staff_groups(state: PlanningState) -> list[Group]:
    """Staff grouped by department and rank, largest allowance first."""
    groups: dict[tuple[str, str], Group] = {}
    for person in state.staff:
        key = (person.department, person.rank)
        if key not in groups:
            groups[key] = Group(
                person.department, person.rank, allowance10(state.allowance(person.rank))
            )
        groups[key].members.append(person)
    return sorted(groups.values(), key=lambda g: (-g.allowance10, g.department, g.rank))


@functools.lru_cache(maxsize=4096)
def fillable10(capacity: int, room_area10: int, allowances10: tuple[int, ...]) -> int:
    """The most entitlement (tenths of m²) up to `capacity` people can have in a room.

    A room whose area no mix of allowances adds up to is over standard however it is
    filled; the bound model uses this to count that waste.

    >>> fillable10(2, 200, (90, 120))  # 9 + 9 or 9 + 12 m² in a 20 m² room
    180
    """
    reachable = {0}
    best = 0
    for _ in range(capacity):
        reachable = {
            total + a for total in reachable for a in allowances10 if total + a <= room_area10
        }
        if not reachable:
            break
        best = max(best, *reachable)
    return best


@functools.lru_cache(maxsize=4096)
def room_fills(
    desks: int, room_area10: int, levels10: tuple[int, ...], most: int | None = None
) -> tuple[tuple[int, ...], ...]:
    """The fullest ways to fill a room: no desk or m² left that could seat more.

    Each is a count of seats per allowance level of `levels10` (smallest first), a seat
    taking anyone of at most its allowance. Whoever fits the room (at most `desks` people,
    their allowances adding up to at most its area) fits the seats of one of these. So
    rooms counted per fill, with as many seats of at least each level as there are people
    of at least that allowance, can be packed, and every packing is so counted.

    They grow fast with the desks (seven levels: 25 for 8 desks, 3,115 for 30, 87,496 for
    60, in 1.5 s): past `most` the answer is empty, and the search stops there.

    >>> room_fills(2, 300, (90, 120, 180))  # 12 + 18 m²; 9 + 18 or 12 + 12 could grow
    ((0, 1, 1),)
    """
    fills: list[tuple[int, ...]] = []
    count = len(levels10)

    def maximal(counts: list[int], used: int, people: int) -> bool:
        left = room_area10 - used
        if people < desks and count and left >= levels10[0]:
            return False
        return not any(
            counts[i] and left >= levels10[i + 1] - levels10[i] for i in range(count - 1)
        )

    def search(i: int, counts: list[int], used: int, people: int) -> None:
        if most is not None and len(fills) > most:
            return
        if i == count:
            if people and maximal(counts, used, people):
                fills.append(tuple(counts))
            return
        largest = min(desks - people, (room_area10 - used) // levels10[i])
        for k in range(largest + 1):
            counts.append(k)
            search(i + 1, counts, used + k * levels10[i], people + k)
            counts.pop()

    search(0, [], 0, 0)
    return () if most is not None and len(fills) > most else tuple(fills)


def room_fillable10(room: PlanRoom, allowances10: tuple[int, ...]) -> int:
    """`fillable10` of one room (cached by its size)."""
    return fillable10(room.capacity, area10(room.area_m2), allowances10)


def allowance_levels(groups: Sequence[Group]) -> tuple[int, ...]:
    """The distinct allowances, smallest first: the thresholds of the room-size cuts."""
    return tuple(sorted({g.allowance10 for g in groups}))


def people_in_seats(
    groups: Sequence[Group], seats: Mapping[tuple[str, str], Mapping[str, int]]
) -> dict[str, str | None]:
    """Turn seats per group and room into seats per person, keeping current seats first."""
    assignment: dict[str, str | None] = {}
    for group in groups:
        slots = dict(seats.get(group.key, {}))
        waiting = []
        for person in group.members:
            code = person.room_code
            if code is not None and slots.get(code, 0) > 0:
                slots[code] -= 1
                assignment[person.staff_id] = code
            else:
                waiting.append(person)
        free = [code for code, count in slots.items() for _ in range(count)]
        for person, code in zip(waiting, free, strict=False):
            assignment[person.staff_id] = code
        for person in waiting[len(free) :]:
            assignment[person.staff_id] = None
    return assignment
