"""The greedy baseline: current seats kept, then first fit, largest department first."""

from __future__ import annotations

from tests.planning_states import person, room, tiny_state
from twin.planning.solver_greedy import greedy_plan


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
