"""A CP-SAT model read into HiGHS: the same optimum, its LP below it, unknown kinds refused."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from types import SimpleNamespace

import numpy as np
import pytest
from ortools.sat.python import cp_model

from twin.planning.solver_common import new_solver
from twin.planning.solver_milp import Milp, MilpResult, _Stop, solve_milp


def _model() -> tuple[cp_model.CpModel, list[cp_model.IntVar]]:
    """Every constraint kind the planning models use, with an optimum worked out by hand.

    Minimise 3a + 2b + 4c + x - y: a or b; at most one of b, c; exactly one of a, c;
    x >= 5 only if b; y <= 2x, y <= 7. a (3) is cheaper than c (4); x - y is least at
    x = 4, y = 7 (-3); b would cost 2 and push x to 5 (-2): so a, x = 4, y = 7: 0.
    """
    model = cp_model.CpModel()
    a, b, c = (model.new_bool_var(name) for name in "abc")
    x = model.new_int_var(0, 10, "x")
    y = model.new_int_var(0, 7, "y")
    model.add_bool_or([a, b])
    model.add_at_most_one([b, c])
    model.add_exactly_one([a, c])
    model.add(x >= 5).only_enforce_if(b)
    model.add(y <= 2 * x)
    model.minimize(3 * a + 2 * b + 4 * c + x - y)
    return model, [a, b, c, x, y]


def test_highs_finds_cp_sats_optimum() -> None:
    model, variables = _model()
    solver = new_solver(5)
    assert solver.solve(model) == cp_model.OPTIMAL
    result = solve_milp(model, 5)
    assert result.status == "OPTIMAL"
    assert result.objective == pytest.approx(solver.objective_value) == pytest.approx(0)
    assert result.bound == pytest.approx(0)
    assert [result.value(v) for v in variables] == [1, 0, 0, 4, 7]


def test_negated_literals_and_the_big_m_of_an_enforced_row() -> None:
    # x >= 5 unless b (b's negation enforces it): b costs 6, so the optimum takes b = 1
    # and x = 0 rather than x = 5.
    model = cp_model.CpModel()
    b = model.new_bool_var("b")
    x = model.new_int_var(0, 10, "x")
    model.add(x >= 5).only_enforce_if(~b)
    model.add_at_most_one([~b])  # trivially true: exercises a negated literal in a clause
    model.minimize(6 * b + 2 * x)
    result = solve_milp(model, 5)
    assert (result.objective, result.value(b), result.value(x)) == (6, 1, 0)


def test_the_lp_relaxation_is_a_bound_below_the_integer_optimum() -> None:
    model = cp_model.CpModel()
    xs = [model.new_bool_var(f"x{i}") for i in range(3)]
    model.add(2 * xs[0] + 2 * xs[1] + 2 * xs[2] >= 3)  # two of them, or 1.5 in the LP
    model.minimize(sum(xs))
    integer = solve_milp(model, 5)
    relaxed = solve_milp(model, 5, relaxed=True)
    assert integer.objective == pytest.approx(2)
    assert relaxed.status == "OPTIMAL" and relaxed.values is None
    assert relaxed.bound == pytest.approx(1.5, abs=1e-4) and relaxed.bound <= 1.5


@pytest.mark.parametrize(("relaxed", "presolved"), [(False, False), (True, False), (True, True)])
def test_an_infeasible_model_says_so(relaxed: bool, presolved: bool) -> None:
    model = cp_model.CpModel()
    x = model.new_int_var(0, 3, "x")
    y = model.new_int_var(0, 3, "y")
    model.add(x + y >= 7)  # at most 6: no plan, and no LP solution either
    model.minimize(x)
    result = solve_milp(model, 5, relaxed=relaxed, presolved=presolved)
    assert (result.status, result.bound) == ("INFEASIBLE", float("inf"))


def test_a_constraint_kind_with_no_milp_form_is_refused_by_name() -> None:
    model = cp_model.CpModel()
    x = model.new_int_var(0, 3, "x")
    y = model.new_int_var(0, 9, "y")
    model.add_multiplication_equality(y, [x, x]).with_name("square")
    model.minimize(y)
    with pytest.raises(ValueError, match="square"):
        solve_milp(model, 5)


def test_highs_prints_nothing_on_stdout(capfd: pytest.CaptureFixture[str]) -> None:
    # `twin scenario run --json` prints JSON only; HiGHS's banner must not get in.
    model, _ = _model()
    solve_milp(model, 5)
    assert capfd.readouterr().out == ""


def _knapsack() -> tuple[cp_model.CpModel, cp_model.IntVar, cp_model.IntVar]:
    """Maximise 2x + y with x + y <= 3, x <= 2: x = 2, y = 1 (5); with x held at 0, y = 3."""
    model = cp_model.CpModel()
    x = model.new_int_var(0, 2, "x")
    y = model.new_int_var(0, 5, "y")
    model.add(x + y <= 3)
    model.minimize(-2 * x - y)
    return model, x, y


def test_fixed_variables_hold_until_released() -> None:
    model, x, y = _knapsack()
    milp = Milp(model)
    milp.fix(np.array([False, True]), np.array([0.0, 0.0]))
    held = milp.solve(5)
    assert (held.objective, held.value(x), held.value(y)) == (-3, 0, 3)
    milp.release()
    free = milp.solve(5)
    assert (free.status, free.objective, free.value(x), free.value(y)) == ("OPTIMAL", -5, 2, 1)


def test_a_start_solution_is_never_lost() -> None:
    model, x, y = _knapsack()
    milp = Milp(model)
    result = milp.solve(5, start=np.array([2.0, 1.0]), enough_after_s=0.0)
    # told to stop at the first solution: the start is one, and the optimum
    assert result.values is not None and result.objective == -5
    assert (result.value(x), result.value(y)) == (2, 1)


class _Event:
    """What HiGHS hands its interrupt callback: the figures read, and the flag set."""

    def __init__(self, running_time: float, primal: float, dual: float) -> None:
        self.data_out = SimpleNamespace(
            running_time=running_time, mip_primal_bound=primal, mip_dual_bound=dual
        )
        self.stopped = False

    def interrupt(self) -> None:
        self.stopped = True


def _stops(stop: _Stop, events: Sequence[tuple[float, float, float]]) -> list[bool]:
    answers = []
    for running_time, primal, dual in events:
        event = _Event(running_time, primal, dual)
        stop(event)
        answers.append(event.stopped)
    return answers


def test_a_stalled_bound_stops_the_solve_and_a_rising_one_does_not() -> None:
    inf = float("inf")
    stop = _Stop(enough_after_s=None, stalled_after_s=10)
    # no bound yet (root LP), a rising bound, then flat (a rise of 1e-6 is no rise) 10 s on
    events = [(0.0, inf, -inf), (12.0, inf, -inf), (13.0, inf, 100.0), (20.0, 500.0, 101.0)]
    events += [(25.0, 400.0, 101.0001), (29.9, 400.0, 101.0), (30.0, 400.0, 101.0)]
    assert _stops(stop, events) == [False] * 6 + [True]


def test_enough_means_a_solution_and_the_time_both() -> None:
    inf = float("inf")
    stop = _Stop(enough_after_s=5, stalled_after_s=None)
    events = [(1.0, 300.0, 100.0), (6.0, inf, 100.0), (6.0, 300.0, 100.0)]
    assert _stops(stop, events) == [False, False, True]


def test_the_objective_of_values_that_keep_every_row_and_domain() -> None:
    model, _ = _model()
    milp = Milp(model)
    # a, x = 4, y = 7: the optimum worked out by hand, 3 + 4 - 7
    assert milp.objective_of(np.array([1.0, 0, 0, 4, 7])) == pytest.approx(0)
    assert milp.objective_of(np.array([1.0, 0, 0, 3, 7])) is None  # y <= 2x broken
    assert milp.objective_of(np.array([1.0, 0, 1, 4, 7])) is None  # a and c both
    assert milp.objective_of(np.array([1.0, 0, 0, 4, 8])) is None  # y's domain
    assert milp.objective_of(np.array([1.0, 0, 0, 4.5, 7])) is None  # not whole


def test_a_part_re_solved_alone_holds_the_rest_where_it_was() -> None:
    model, _ = _model()
    milp = Milp(model)
    start = np.array([1.0, 1, 0, 5, 7])  # b too, and x at 5: cost 3 + 2 + 5 - 7
    assert milp.objective_of(start) == pytest.approx(3)
    free = np.array([True, True, True, False, False])  # a, b, c; x and y held
    part = milp.solve_part(free, start, 5)
    assert part.status == "OPTIMAL" and part.values is not None
    assert list(part.values) == [1, 0, 0, 5, 7] and part.objective == pytest.approx(1)
    # only y free, x held at 2: y <= 4 then, and the best is y = 4 (cost 3 + 2 - 4 = 1)
    held = milp.solve_part(np.array([False] * 4 + [True]), np.array([1.0, 0, 0, 2, 3]), 5)
    assert held.values is not None and list(held.values) == [1, 0, 0, 2, 4]
    assert held.objective == pytest.approx(1) == milp.objective_of(held.values)


def test_the_presolved_relaxation_is_tighter_and_still_a_bound() -> None:
    # x <= 10·b with x at most 3: the LP pays a tenth of b per unit of x; presolve,
    # knowing b is 0 or 1, tightens the row (x <= 3·b, or b fixed at 1 outright).
    model = cp_model.CpModel()
    b = model.new_bool_var("b")
    x = model.new_int_var(0, 3, "x")
    model.add(x <= 10 * b)
    model.add(x >= 1)
    model.minimize(10 * b + x)
    integer = solve_milp(model, 5)
    plain = solve_milp(model, 5, relaxed=True)
    presolved = solve_milp(model, 5, relaxed=True, presolved=True)
    assert integer.objective == pytest.approx(11)
    assert plain.bound == pytest.approx(2, abs=1e-4)
    assert presolved.status == "OPTIMAL" and presolved.values is None
    assert plain.bound + 1 < presolved.bound <= 11 + 1e-6


def test_the_presolved_relaxation_lies_between_the_lp_and_the_optimum() -> None:
    model = cp_model.CpModel()
    xs = [model.new_bool_var(f"x{i}") for i in range(3)]
    model.add(2 * xs[0] + 2 * xs[1] + 2 * xs[2] >= 3)
    model.minimize(sum(xs))
    presolved = solve_milp(model, 5, relaxed=True, presolved=True)
    assert 1.5 - 1e-4 <= presolved.bound <= 2 + 1e-6


def test_every_solution_found_on_the_way_is_kept_and_is_a_solution() -> None:
    model = cp_model.CpModel()
    xs = [model.new_int_var(0, 10, f"x{i}") for i in range(30)]
    for left, right in itertools.pairwise(xs):
        model.add(left + right >= 7)
    model.minimize(sum((i % 7 + 1) * x for i, x in enumerate(xs)))
    milp = Milp(model)
    start = np.full(30, 10.0)  # a poor plan to start from
    found: list[MilpResult] = []
    result = milp.solve(5, start=start, found=found)
    assert result.status == "OPTIMAL" and found
    assert found[-1].objective == pytest.approx(result.objective)
    for plan in found:
        assert plan.values is not None
        assert milp.objective_of(plan.values) == pytest.approx(plan.objective)
    objectives = [plan.objective for plan in found]
    assert objectives == sorted(objectives, reverse=True)
