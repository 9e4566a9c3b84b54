"""Shared solver pieces: storeys and what their rooms can seat."""

from __future__ import annotations

import itertools

import pytest

from tests.planning_states import person, room, tiny_state
from twin.planning.solver_common import allowance10, room_fills, storeys_of


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


def _takes(fill: tuple[int, ...], people: tuple[int, ...], levels: tuple[int, ...]) -> bool:
    """Whether a room filled as `fill` seats `people` (an allowance each), largest first."""
    seats = sorted((level for level, n in zip(levels, fill, strict=True) for _ in range(n)))
    return len(people) <= len(seats) and all(
        a <= s for a, s in zip(sorted(people, reverse=True), reversed(seats), strict=False)
    )


@pytest.mark.parametrize("levels", [(90, 120, 180), (90, 120, 180, 240, 300)])
def test_every_group_that_fits_a_room_fits_one_of_its_fills(levels: tuple[int, ...]) -> None:
    for desks, area in itertools.product(range(1, 5), range(60, 600, 15)):
        fills = room_fills(desks, area, levels)
        for fill in fills:  # each fits the room, and nothing could be added or enlarged
            assert sum(fill) <= desks
            used = sum(n * level for n, level in zip(fill, levels, strict=True))
            assert used <= area
            assert sum(fill) == desks or area - used < levels[0]
            assert all(
                not n or area - used < levels[i + 1] - levels[i] for i, n in enumerate(fill[:-1])
            )
        assert len(set(fills)) == len(fills)
        for size in range(1, desks + 1):
            for people in itertools.combinations_with_replacement(levels, size):
                if sum(people) <= area:
                    assert any(_takes(fill, people, levels) for fill in fills), (
                        desks,
                        area,
                        people,
                    )


def test_a_room_no_one_fits_has_no_fills() -> None:
    assert room_fills(2, 80, (90, 120)) == ()
    assert room_fills(1, 250, (90, 120, 180, 240)) == ((0, 0, 0, 1),)


def test_past_the_most_fills_there_are_none() -> None:
    levels = (90, 120, 180, 240, 300, 420, 540)
    assert len(room_fills(8, 720, levels, most=25)) == 25
    assert room_fills(8, 720, levels, most=24) == ()
    assert room_fills(60, 5400, levels, most=200) == ()  # 87,496 of them, not counted out
