"""Stage 1 gives up when it is still far from its bound past a share of its time."""

from __future__ import annotations

import pytest

from twin.planning.solver_storeys import _GiveUp


class _Seen(_GiveUp):
    """The callback's rule with the figures CP-SAT would hand it, and whether it stopped."""

    def __init__(self, wall_time: float, objective: float, bound: float) -> None:
        super().__init__(after_s=3.0, gap=0.25)
        self._figures = (wall_time, objective, bound)
        self.stopped = False

    @property
    def wall_time(self) -> float:
        return self._figures[0]

    @property
    def objective_value(self) -> float:
        return self._figures[1]

    @property
    def best_objective_bound(self) -> float:
        return self._figures[2]

    def stop_search(self) -> None:
        self.stopped = True


@pytest.mark.parametrize(
    ("wall_time", "objective", "bound", "stops"),
    [
        (4.0, 165_400, 100_100, True),  # 5,000 staff: 40 % above its bound after 4 s
        (2.0, 165_400, 100_100, False),  # too early to tell
        (4.0, 60_400, 59_800, False),  # 2,000 staff: 1 % above
    ],
)
def test_stage_one_gives_up_only_late_and_far_from_its_bound(
    wall_time: float, objective: float, bound: float, stops: bool
) -> None:
    seen = _Seen(wall_time, objective, bound)
    seen.on_solution_callback()
    assert seen.stopped is stops
