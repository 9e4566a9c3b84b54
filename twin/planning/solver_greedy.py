"""The greedy plan: keep everyone's current seat, then first-fit the displaced and new staff.

It is the benchmark's baseline and the seed of the CP-SAT room stage. The rules are the
solver's hard rules: a room takes at most `capacity` people, their entitlements add up to
at most its area, and it holds one department. Displaced and new staff are placed
largest department first (then largest allowance first) into the first room, in
building/storey/room order, that takes them.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from twin.planning.state import Person, PlanningState, PlanRoom

__all__ = ["Seating", "greedy_plan", "room_order"]


def room_order(room: PlanRoom) -> tuple[str, int, str]:
    """Building, storey from the bottom, room code: the order first fit tries rooms in."""
    return (room.building_code, room.storey_index, room.room_code)


@dataclass
class _Load:
    people: int = 0
    area_m2: float = 0.0
    department: str | None = None


class Seating:
    """Who sits in which room, with each room's remaining desks and area checked as seats fill."""

    def __init__(self, rooms: Iterable[PlanRoom], allowance_m2: dict[str, float]) -> None:
        self.rooms = sorted((r for r in rooms if r.available), key=room_order)
        self.allowance_m2 = allowance_m2
        self.load = {room.room_code: _Load() for room in self.rooms}
        self.assignment: dict[str, str | None] = {}

    def fits(self, room: PlanRoom, person: Person) -> bool:
        load = self.load[room.room_code]
        return (
            load.people < room.capacity
            and load.area_m2 + self.allowance_m2[person.rank] <= room.area_m2 + 1e-6
            and load.department in (None, person.department)
        )

    def seat(self, room: PlanRoom, person: Person) -> None:
        load = self.load[room.room_code]
        load.people += 1
        load.area_m2 += self.allowance_m2[person.rank]
        load.department = person.department
        self.assignment[person.staff_id] = room.room_code

    def unseat(self, person: Person) -> None:
        """Free `person`'s seat, if they have one."""
        code = self.assignment.pop(person.staff_id, None)
        if code is None:
            return
        load = self.load[code]
        load.people -= 1
        load.area_m2 -= self.allowance_m2[person.rank]
        if load.people == 0:
            self.load[code] = _Load()

    def make_room_for(self, person: Person, people: Mapping[str, Person], tries: int) -> bool:
        """Seat `person` in a room emptied for them if its occupants all fit elsewhere.

        For someone first fit cannot place (a leader whose only large enough office a
        team took): up to `tries` rooms large enough are tried, holding the least
        entitlement first; a try that would leave anyone out is undone. `people` maps
        staff ids of everyone seated to their `Person`.
        """
        occupants: dict[str, list[Person]] = defaultdict(list)
        for staff_id, code in self.assignment.items():
            if code is not None:
                occupants[code].append(people[staff_id])
        allowance = self.allowance_m2
        need = allowance[person.rank]
        candidates = sorted(
            (r for r in self.rooms if r.capacity > 0 and r.area_m2 + 1e-6 >= need),
            key=lambda r: (sum(allowance[p.rank] for p in occupants[r.room_code]), r.area_m2),
        )
        for room in candidates[:tries]:
            evicted = occupants[room.room_code]
            for other in evicted:
                self.unseat(other)
            self.seat(room, person)
            if not self.first_fit(evicted):
                return True
            for other in evicted:  # undo: the room as it was
                self.unseat(other)
            self.unseat(person)
            for other in evicted:
                self.seat(room, other)
        return False

    def keep_current(self, people: Iterable[Person]) -> list[Person]:
        """Seat everyone whose current room is here and still takes them; return the rest."""
        by_code = {room.room_code: room for room in self.rooms}
        displaced = []
        for person in people:
            room = by_code.get(person.room_code or "")
            if room is not None and self.fits(room, person):
                self.seat(room, person)
            else:
                displaced.append(person)
        return displaced

    def first_fit(self, people: Sequence[Person]) -> list[Person]:
        """Seat `people` largest department first; return those no room takes."""
        size = Counter(p.department for p in people)
        ordered = sorted(
            people,
            key=lambda p: (-size[p.department], p.department, -self.allowance_m2[p.rank]),
        )
        unseated = []
        for person in ordered:
            room = next((r for r in self.rooms if self.fits(r, person)), None)
            if room is None:
                unseated.append(person)
            else:
                self.seat(room, person)
        return unseated


def greedy_plan(state: PlanningState) -> dict[str, str | None]:
    """Keep current seats, then first fit; anyone no room takes is left unseated (None).

    >>> from twin.planning.synthetic import synthetic_state
    >>> state = synthetic_state(staff=200, seed=3)
    >>> plan = greedy_plan(state)
    >>> all(plan[p.staff_id] == p.room_code for p in state.staff)
    True
    """
    seating = Seating(state.rooms, dict(state.allowance_m2))
    displaced = seating.keep_current(state.staff)
    for person in seating.first_fit(displaced):
        seating.assignment[person.staff_id] = None
    return seating.assignment
