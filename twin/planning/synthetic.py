"""A seeded synthetic campus of departments, staff and office rooms, for the benchmark and tests.

`synthetic_state(staff=2000, seed=0)` builds a `PlanningState` whose current seating is
plausible: departments sit mostly together, a few are scattered, some rooms are over
standard, about a tenth of the rooms are vacant, and one storey per building is closed
(not yet fitted out) so that a scenario can open it. `synthetic_scenario(state)` is the
five-change scenario the benchmark runs: a department grows by 12, two storeys close,
two departments merge, a closed storey opens.

>>> state = synthetic_state(staff=300, seed=1)
>>> len(state.staff) >= 300 and all(p.room_code for p in state.staff)
True
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

from twin.planning.state import Department, Person, PlanningState, PlanRoom

__all__ = ["PROVINCIAL_ALLOWANCE_M2", "synthetic_scenario", "synthetic_state"]

# The provincial table of ../shared/AREA-STANDARDS.md, keyed by rank.
PROVINCIAL_ALLOWANCE_M2: dict[str, float] = {
    "governor": 54.0,
    "vice_governor": 42.0,
    "bureau_director": 30.0,
    "deputy_bureau_director": 24.0,
    "division_chief": 18.0,
    "deputy_division_chief": 12.0,
    "below_division": 9.0,
}

ROOMS_PER_STOREY = 64
STOREYS_PER_BUILDING = 7


@dataclass
class _Storey:
    building_code: str
    storey_code: str
    storey_index: int
    rooms: list[PlanRoom] = field(default_factory=list)


def _department_ranks(rng: random.Random, size: int) -> list[str]:
    ranks = ["bureau_director"] + ["deputy_bureau_director"] * (1 if size < 25 else 2)
    chiefs = max(1, round(size * 0.15))
    deputies = max(1, round(size * 0.15))
    ranks += ["division_chief"] * chiefs + ["deputy_division_chief"] * deputies
    ranks += ["below_division"] * max(0, size - len(ranks))
    return ranks


def _room_for(rng: random.Random, ranks: list[str]) -> tuple[float, int]:
    """An area and a desk count for a room that seats `ranks`, sometimes generously."""
    need = sum(PROVINCIAL_ALLOWANCE_M2[r] for r in ranks)
    spare_desks = rng.choice([0, 0, 1, 2]) if ranks[0] == "below_division" else 0
    capacity = len(ranks) + spare_desks
    extra = rng.choice([0.0, 0.0, 0.0, 1.5, 3.0, 6.0, 12.0])
    area = need + 9.0 * spare_desks + extra
    return round(area, 1), capacity


def synthetic_state(staff: int = 2000, seed: int = 0) -> PlanningState:
    """A campus of about `staff` people in ~0.75 rooms each; same seed, same campus."""
    rng = random.Random(seed)
    n_departments = max(3, round(staff / 34))
    sizes = [rng.randint(12, 56) for _ in range(n_departments)]
    scale = staff / sum(sizes)
    sizes = [max(4, round(s * scale)) for s in sizes]
    n_rooms_est = staff * 0.75 * 1.15
    n_buildings = max(1, math.ceil(n_rooms_est / (ROOMS_PER_STOREY * (STOREYS_PER_BUILDING - 1))))
    storeys = [
        _Storey(f"B{b + 1:02d}", f"F{i + 1:02d}", i)
        for b in range(n_buildings)
        for i in range(STOREYS_PER_BUILDING)
    ]
    # The top storey of each building is closed: not fitted out yet.
    open_storeys = [s for s in storeys if s.storey_index < STOREYS_PER_BUILDING - 1]
    closed_storeys = [s for s in storeys if s.storey_index == STOREYS_PER_BUILDING - 1]

    departments = tuple(
        Department(f"D{i + 1:02d}", f"Department {i + 1}", parent=f"U{i // 10 + 1}")
        for i in range(n_departments)
    )
    people: list[Person] = []
    cursor = 0  # index into open_storeys

    def add_room(storey: _Storey, area: float, capacity: int, department: str | None) -> str:
        code = f"{storey.building_code}-{storey.storey_code}-{len(storey.rooms) + 1:03d}"
        storey.rooms.append(
            PlanRoom(
                room_code=code,
                building_code=storey.building_code,
                storey_code=storey.storey_code,
                storey_index=storey.storey_index,
                usage="office",
                area_m2=area,
                capacity=capacity,
                department=department,
            )
        )
        return code

    def storey_with_space(preferred: int) -> int:
        for step in range(len(open_storeys)):
            index = (preferred + step) % len(open_storeys)
            if len(open_storeys[index].rooms) < ROOMS_PER_STOREY:
                return index
        raise RuntimeError("synthetic campus estimate too small")  # a bug here, not input

    for d, (department, size) in enumerate(zip(departments, sizes, strict=True)):
        ranks = _department_ranks(rng, size)
        if d == 0:
            ranks = ["governor", "vice_governor", "vice_governor", *ranks]
        groups: list[list[str]] = []
        below = [r for r in ranks if r == "below_division"]
        groups += [[r] for r in ranks if r != "below_division"]
        while below:
            take = min(len(below), rng.choice([2, 3, 4, 4, 6]))
            groups.append(below[:take])
            below = below[take:]
        scattered = rng.random() < 0.2
        for g, group in enumerate(groups):
            if scattered and g % 3 == 2:
                index = storey_with_space(rng.randrange(len(open_storeys)))
            else:
                index = storey_with_space(cursor)
                cursor = index
            area, capacity = _room_for(rng, group)
            code = add_room(open_storeys[index], area, capacity, department.code)
            for rank in group:
                people.append(
                    Person(
                        staff_id=f"S{len(people) + 1:05d}",
                        name=f"Staff {len(people) + 1}",
                        department=department.code,
                        rank=rank,
                        room_code=code,
                    )
                )
        # Vacant rooms between departments: idle space a planner can use.
        for _ in range(max(1, round(len(groups) * 0.12))):
            index = storey_with_space(cursor)
            group = rng.choice([["below_division"] * rng.choice([2, 3, 4]), ["division_chief"]])
            area, capacity = _room_for(rng, group)
            add_room(open_storeys[index], area, capacity, None)

    for storey in closed_storeys:
        for _ in range(ROOMS_PER_STOREY):
            group = rng.choice(
                [
                    ["below_division"] * rng.choice([2, 4, 6]),
                    ["division_chief"],
                    ["bureau_director"],
                ]
            )
            area, capacity = _room_for(rng, group)
            add_room(storey, area, capacity, None)
        storey.rooms = [PlanRoom(**{**room.__dict__, "available": False}) for room in storey.rooms]

    rooms = tuple(room for storey in storeys for room in storey.rooms)
    return PlanningState(
        level="provincial",
        allowance_m2=dict(PROVINCIAL_ALLOWANCE_M2),
        departments=departments,
        staff=tuple(people),
        rooms=rooms,
        site_code="SYN",
        meta={"seed": str(seed)},
    )


def synthetic_scenario(state: PlanningState) -> dict[str, object]:
    """The benchmark's five changes, as a scenario body (see `twin.planning.scenario`)."""
    by_department: dict[str, int] = {}
    for person in state.staff:
        by_department[person.department] = by_department.get(person.department, 0) + 1
    ordered = sorted(by_department, key=lambda code: (-by_department[code], code))
    grower = ordered[len(ordered) // 3]
    merge_a, merge_b = ordered[len(ordered) // 2], ordered[len(ordered) // 2 + 1]
    seated: dict[tuple[str, str], int] = {}
    rooms = {room.room_code: room for room in state.rooms}
    for person in state.staff:
        room = rooms[str(person.room_code)]
        key = (room.building_code, room.storey_code)
        seated[key] = seated.get(key, 0) + 1
    buildings = sorted({building for building, _ in seated})
    # Close the busiest storey of the first building and of a middle one.
    close = [
        max((k for k in seated if k[0] == b), key=lambda k: (seated[k], k))
        for b in dict.fromkeys([buildings[0], buildings[len(buildings) // 2]])
    ]
    opening = next(room for room in state.rooms if not room.available)
    return {
        "name": "synthetic five changes",
        "changes": [
            {
                "kind": "grow",
                "department": grower,
                "ranks": {"below_division": 10, "deputy_division_chief": 2},
            },
            *({"kind": "close", "building": b, "storey": f} for b, f in close),
            {"kind": "merge", "departments": [merge_a, merge_b], "into": merge_a},
            {"kind": "open", "building": opening.building_code, "storey": opening.storey_code},
        ],
        "preferences": {"move": 10, "over_standard_m2": 2, "storey": 40},
    }
