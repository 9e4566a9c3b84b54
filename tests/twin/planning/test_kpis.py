"""KPIs and the plan cost worked out by hand on a three-room campus."""

from __future__ import annotations

import pytest

from tests.planning_states import person, room, tiny_state
from twin.planning.kpis import current_assignment, plan_cost, plan_kpis
from twin.planning.scenario import Preferences
from twin.planning.state import PlanningState


def _state() -> PlanningState:
    return tiny_state(
        [
            room("R1", 20.0, 2),
            room("R2", 12.0, 1),
            room("R3", 30.0, 3, storey="F03"),
        ],
        [
            person("A", "DX", "below_division", "R1"),
            person("B", "DX", "deputy_division_chief", "R2"),
            person("C", "DY", "below_division", "R3"),
        ],
    )


def test_kpis_of_todays_seating_by_hand() -> None:
    state = _state()
    kpis = plan_kpis(state, current_assignment(state))
    assert kpis.staff == 3 and kpis.seated == 3
    assert kpis.area_per_person_m2 == pytest.approx((20 + 12 + 30) / 3, abs=0.01)
    # R1: 20 - 9 = 11 over; R2: 12 - 12 = 0; R3: 30 - 9 = 21 over.
    assert kpis.over_standard_rooms == 2
    assert kpis.over_standard_m2 == pytest.approx(32.0)
    assert kpis.vacant_rooms == 0 and kpis.vacancy_rate == 0.0
    assert kpis.moves == 0
    assert kpis.departments_split == 0
    assert kpis.storeys_per_department == 1.0


def test_kpis_and_cost_of_a_plan_that_splits_a_department() -> None:
    state = _state()
    plan = {"A": "R3", "B": "R2", "C": "R1"}
    kpis = plan_kpis(state, plan)
    assert kpis.moves == 2
    assert kpis.departments_split == 1  # DX on F01 and F03
    assert kpis.storeys_per_department == 1.5
    cost = plan_cost(state, plan, Preferences(move=10, over_standard_m2=2, storey=40, storey_gap=5))
    assert cost.moves == 2
    assert cost.over_standard_m2 == pytest.approx(21 + 0 + 11)
    assert cost.department_storeys == 3
    assert cost.storey_gaps == 1  # DX skips F02
    assert cost.objective == pytest.approx(2 * 10 + 32 * 2 + 3 * 40 + 1 * 5)


def test_someone_unseated_is_counted_and_penalised() -> None:
    state = _state()
    plan = {"A": "R1", "B": None, "C": "R3"}
    kpis = plan_kpis(state, plan)
    assert kpis.seated == 2 and kpis.vacant_rooms == 1
    assert kpis.vacancy_rate == pytest.approx(1 / 3, abs=1e-4)
    cost = plan_cost(state, plan, Preferences())
    assert cost.unseated == 1 and cost.objective >= 1000
