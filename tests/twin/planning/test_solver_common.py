"""Shared solver pieces: storeys and what their rooms can seat."""

from __future__ import annotations

from tests.planning_states import person, room, tiny_state
from twin.planning.solver_common import allowance10, storeys_of


def test_seats_of_at_least_counts_each_room_by_desks_and_area() -> None:
    state = tiny_state(
        [
            room("R1", 40.0, 4),
            room("R2", 18.0, 2),
            room("R3", 13.0, 3),
            room("Up", 40.0, 4, storey="F02"),
        ],
        [person("A", "DX", "below_division", "R1")],
    )
    storeys = storeys_of(state)
    assert [s.key for s in storeys] == [("B01", "F01"), ("B01", "F02")]
    ground = storeys[0]
    # 9 m² people: 4 desks, 2 (18 // 9), 1 (13 // 9); 12 m²: 3, 1, 1; 54 m²: none.
    assert ground.seats_of_at_least(allowance10(9.0)) == 7
    assert ground.seats_of_at_least(allowance10(12.0)) == 5
    assert ground.seats_of_at_least(allowance10(54.0)) == 0
    # asked again, the same answers (worked out once per allowance)
    assert ground.seats_of_at_least(allowance10(12.0)) == 5
    assert ground.seats_of_at_least(allowance10(9.0)) == 7
    assert storeys[1].seats_of_at_least(allowance10(12.0)) == 3
