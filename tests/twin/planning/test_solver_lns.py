"""Improving a keep-or-vacate plan a few storeys at a time: never worse, always a plan."""

from __future__ import annotations

import time

import numpy as np

from twin.planning.scenario import Preferences, apply_scenario, parse_scenario
from twin.planning.solver import _allowed_storeys, _chosen_storeys
from twin.planning.solver_common import staff_groups, storeys_of
from twin.planning.solver_keep import KeepModel
from twin.planning.solver_lns import _neighbourhoods, first_plan, improve_plan
from twin.planning.solver_milp import Milp
from twin.planning.solver_storeys import plan_storeys
from twin.planning.synthetic import synthetic_scenario, synthetic_state

PREFS = Preferences(move=10, over_standard_m2=2, storey=40, storey_gap=20)


def _campus() -> tuple[KeepModel, Milp, dict[str, set[int]]]:
    state = synthetic_state(staff=300, seed=5)
    target = apply_scenario(state, parse_scenario(synthetic_scenario(state)))
    groups, storeys = staff_groups(target), storeys_of(target)
    stage1 = plan_storeys(groups, storeys, PREFS, 5)
    assert stage1.status in ("OPTIMAL", "FEASIBLE")
    allowed = _allowed_storeys(groups, storeys, stage1.counts)
    keep = KeepModel(groups, storeys, PREFS, per_department=True, allowed=allowed)
    return keep, Milp(keep.model), _chosen_storeys(storeys, stage1.counts)


def _is_solution(milp: Milp, values: np.ndarray, objective: float) -> bool:
    """Every variable held at `values`: HiGHS finds that plan feasible, at that cost."""
    milp.fix(np.zeros(milp.size, dtype=bool), np.round(values))
    try:
        check = milp.solve(5)
    finally:
        milp.release()
    return check.values is not None and abs(check.objective - objective) < 1e-6


def test_the_first_plan_keeps_departments_on_their_chosen_storeys() -> None:
    keep, milp, chosen = _campus()
    first = first_plan(keep, milp, chosen, 10, enough_after_s=10)
    assert first.values is not None
    for (department, si), var in keep.ds.used.items():
        if si not in chosen[department]:
            assert first.value(var) == 0
    assert _is_solution(milp, first.values, first.objective)


def test_improving_never_makes_the_plan_worse_and_keeps_it_a_plan() -> None:
    keep, milp, chosen = _campus()
    first = first_plan(keep, milp, chosen, 10, enough_after_s=0)  # the first plan found
    assert first.values is not None
    stats: dict[str, object] = {}
    better = improve_plan(keep, milp, first, time.monotonic() + 8, stats)
    assert better.values is not None and better.status == "FEASIBLE"
    assert better.objective <= first.objective
    assert stats["tried"] and stats["gain"] == round((first.objective - better.objective) / 10, 1)
    assert _is_solution(milp, better.values, better.objective)
    # the whole model, solved, is no better than its bound allows and no worse than the plan
    whole = milp.solve(20)
    assert whole.bound <= better.objective + 1e-6


def test_neighbourhoods_are_sets_of_storeys_the_model_has() -> None:
    import random

    keep, milp, chosen = _campus()
    first = first_plan(keep, milp, chosen, 10, enough_after_s=0)
    assert first.values is not None
    hoods = _neighbourhoods(keep, first.values, 3, random.Random(0))
    assert hoods and len(set(hoods)) == len(hoods)
    assert all(2 <= len(h) <= 3 and h <= set(range(len(keep.storeys))) for h in hoods)
    # every storey is in some neighbourhood, and so is every department's spread
    assert set().union(*hoods) == set(range(len(keep.storeys)))
