"""The greedy baseline: current seats kept, then first fit, largest department first."""

from __future__ import annotations

from tests.planning_states import ALLOWANCE_M2, person, room, tiny_state
from twin.planning.solver_greedy import Seating, greedy_plan


def test_keeps_current_seats_and_first_fits_in_building_storey_order() -> None:
    state = tiny_state(
        [
            room("B02-1", 40.0, 4, building="B02"),
            room("R-top", 40.0, 4, storey="F02"),
            room("R-low", 18.0, 2),
            room("R-closed", 40.0, 4, available=False),
        ],
        [
            person("A", "DX", "below_division", "R-low"),
            person("B", "DX", "below_division", "R-closed"),
            person("C", "DX", "below_division", "R-closed"),
            person("N", "DY", "below_division", None),
        ],
    )
    plan = greedy_plan(state)
    assert plan["A"] == "R-low"  # kept
    # R-low has one desk left (B takes it); C goes to the next room in order: F02 of B01.
    assert plan["B"] == "R-low"
    assert plan["C"] == "R-top"
    # DY may not share DX's rooms: first free room in order is B02's.
    assert plan["N"] == "B02-1"


def test_largest_department_first_and_unseatable_left_out() -> None:
    state = tiny_state(
        [room("R1", 18.0, 2), room("R2", 9.0, 1)],
        [
            person("S1", "SMALL", "below_division", None),
            person("L1", "LARGE", "below_division", None),
            person("L2", "LARGE", "below_division", None),
            person("BIG", "SMALL", "division_chief", None),
        ],
    )
    plan = greedy_plan(state)
    assert plan["L1"] == plan["L2"] == "R1"
    assert plan["BIG"] is None  # 18 m² fits no free room: R2 is 9 m²
    assert plan["S1"] == "R2"


def test_a_room_is_emptied_for_a_chief_when_its_team_fits_elsewhere() -> None:
    rooms = [room("BIG", 20.0, 2), room("S1", 9.0, 1), room("S2", 9.0, 1)]
    team = [person("A", "DX", "below_division", "BIG"), person("B", "DX", "below_division", "BIG")]
    chief = person("C", "DY", "division_chief", None)
    seating = Seating(rooms, dict(ALLOWANCE_M2))
    assert seating.keep_current(team) == []
    # First fit has no room for an 18 m² chief of another department...
    assert seating.first_fit([chief]) == [chief]
    people = {p.staff_id: p for p in [*team, chief]}
    # ...but the team fits the two small rooms, so BIG is emptied for the chief.
    assert seating.make_room_for(chief, people, tries=5)
    assert seating.assignment == {"A": "S1", "B": "S2", "C": "BIG"}
    # With S2 taken by a third department nothing can be emptied, and nothing changes.
    seating = Seating(rooms, dict(ALLOWANCE_M2))
    other = person("D", "DZ", "below_division", "S2")
    seating.keep_current([*team, other])
    before = dict(seating.assignment)
    assert not seating.make_room_for(chief, {**people, "D": other}, tries=5)
    assert seating.assignment == before == {"A": "BIG", "B": "BIG", "D": "S2"}
    assert seating.fits(rooms[1], person("E", "DZ", "below_division", None))
