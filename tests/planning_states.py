"""Tiny planning states written out by hand, for tests whose answers are worked out by hand."""

from __future__ import annotations

from twin.planning.state import Department, Person, PlanningState, PlanRoom

ALLOWANCE_M2 = {"below_division": 9.0, "deputy_division_chief": 12.0, "division_chief": 18.0}


def room(
    code: str,
    area_m2: float,
    capacity: int,
    storey: str = "F01",
    building: str = "B01",
    available: bool = True,
) -> PlanRoom:
    """An office room `code` on `storey` (F01 is index 0, F02 index 1…) of `building`."""
    return PlanRoom(
        room_code=code,
        building_code=building,
        storey_code=storey,
        storey_index=int(storey[1:]) - 1,
        usage="office",
        area_m2=area_m2,
        capacity=capacity,
        available=available,
    )


def person(staff_id: str, department: str, rank: str, room_code: str | None) -> Person:
    return Person(staff_id, f"name of {staff_id}", department, rank, room_code)


def tiny_state(rooms: list[PlanRoom], staff: list[Person]) -> PlanningState:
    """A state at a made-up level with three ranks (9, 12 and 18 m²)."""
    departments = sorted({p.department for p in staff})
    return PlanningState(
        level="test",
        allowance_m2=dict(ALLOWANCE_M2),
        departments=tuple(Department(code, f"Department {code}") for code in departments),
        staff=tuple(staff),
        rooms=tuple(rooms),
        site_code="T1",
    )
