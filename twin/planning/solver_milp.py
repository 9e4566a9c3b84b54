"""Solve a CP-SAT model's integer program with HiGHS (highspy) instead.

The keep-or-vacate model (`solver_keep`) is a linear integer program whose strength is its
LP relaxation: HiGHS's dual simplex with cuts closes it to within about 2 % at the root,
where CP-SAT on 2 cores leaves the bound lower and the best solution further away (both
measured in the same run: see docs/planning.md). The model is written once, with the
CP-SAT API, and this module reads its proto: linear constraints (with enforcement
literals turned into big-M rows from the variables' domains), at-most-one, exactly-one
and bool-or — every constraint kind the planning models use; any other kind is refused.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import highspy
import numpy as np
from ortools.sat import cp_model_pb2
from ortools.sat.python import cp_model
from scipy import sparse

__all__ = ["Milp", "MilpResult", "solve_milp"]

_UNBOUNDED = 2**62
# A bound that rises by less than this share of itself has stalled (`Milp.solve`).
STALLED_GAIN = 1e-4


@dataclass(frozen=True)
class MilpResult:
    """HiGHS's answer in the model's own objective units (offset included)."""

    status: str  # OPTIMAL, FEASIBLE (a solution, time out), INFEASIBLE or UNKNOWN
    values: np.ndarray | None  # one value per model variable, when a solution was found
    objective: float
    bound: float

    def value(self, var: cp_model.IntVar) -> int:
        assert self.values is not None
        return round(float(self.values[var.index]))


class _Rows:
    def __init__(self) -> None:
        self.rows: list[int] = []
        self.cols: list[int] = []
        self.vals: list[float] = []
        self.lower: list[float] = []
        self.upper: list[float] = []

    def add(self, cols: Sequence[int], vals: Sequence[float], lower: float, upper: float) -> None:
        row = len(self.lower)
        self.rows += [row] * len(cols)
        self.cols += cols
        self.vals += vals
        self.lower.append(lower)
        self.upper.append(upper)


def _literal(literal: int) -> tuple[int, float, float]:
    """A literal as (variable, coefficient, constant): x, or 1 - x when negated."""
    return (literal, 1.0, 0.0) if literal >= 0 else (-literal - 1, -1.0, 1.0)


def _clause(rows: _Rows, literals: Sequence[int], lower: float, upper: float) -> None:
    """lower <= sum of literals <= upper."""
    cols, vals, constant = [], [], 0.0
    for literal in literals:
        var, coefficient, k = _literal(literal)
        cols.append(var)
        vals.append(coefficient)
        constant += k
    rows.add(cols, vals, lower - constant, upper - constant)


def _linear(rows: _Rows, ct: cp_model_pb2.ConstraintProto, lb: np.ndarray, ub: np.ndarray) -> None:
    lin = ct.linear
    cols = list(lin.vars)
    vals = list(map(float, lin.coeffs))
    domain = list(lin.domain)
    if len(domain) > 2:
        raise ValueError("a linear constraint with holes in its domain has no MILP form")
    lower = float(domain[0]) if domain[0] > -_UNBOUNDED else -np.inf
    upper = float(domain[-1]) if domain[-1] < _UNBOUNDED else np.inf
    enforced = list(ct.enforcement_literal)
    if not enforced:
        rows.add(cols, vals, lower, upper)
        return
    least = sum(min(c * lb[v], c * ub[v]) for v, c in zip(cols, vals, strict=True))
    most = sum(max(c * lb[v], c * ub[v]) for v, c in zip(cols, vals, strict=True))
    for literal in enforced:
        var, coefficient, k = _literal(literal)  # the literal is coefficient·x + k
        if np.isfinite(upper) and most > upper:  # expr <= upper + M·(1 - literal)
            big = most - upper
            rows.add([*cols, var], [*vals, big * coefficient], -np.inf, upper + big - big * k)
        if np.isfinite(lower) and least < lower:  # expr >= lower - M·(1 - literal)
            big = lower - least
            rows.add([*cols, var], [*vals, -big * coefficient], lower - big + big * k, np.inf)


class _Stop:
    """HiGHS's interrupt callback: enough once a solution is found, or the bound stalled."""

    def __init__(self, enough_after_s: float | None, stalled_after_s: float | None) -> None:
        self.enough_after_s = enough_after_s
        self.stalled_after_s = stalled_after_s
        self.bound = -np.inf
        self.risen_at = 0.0

    def __call__(self, event: Any) -> None:
        out = event.data_out
        now = out.running_time
        found = out.mip_primal_bound < np.inf
        if self.enough_after_s is not None and found and now >= self.enough_after_s:
            event.interrupt()
        if self.stalled_after_s is not None and np.isfinite(out.mip_dual_bound):
            rise = STALLED_GAIN * max(1.0, abs(self.bound)) if np.isfinite(self.bound) else 0.0
            if out.mip_dual_bound > self.bound + rise:
                self.bound, self.risen_at = out.mip_dual_bound, now
            elif now - self.risen_at >= self.stalled_after_s:
                event.interrupt()


def _proto_of(model: cp_model.CpModel) -> cp_model_pb2.CpModelProto:
    """`model`'s proto as protobuf's own message, read in one piece.

    CP-SAT's Python model holds its proto in C++; each field read through it is a call
    that copies (a constraint's variables alone ~3.5 us), ~4 s for the 130,000 rows of the
    bound's model at 5,000 staff. Written out and parsed back, the same proto reads in
    ~0.8 s.
    """
    with tempfile.TemporaryDirectory(prefix="twin-milp-") as folder:
        path = Path(folder) / "model.pb"
        if not model.export_to_file(str(path)):
            raise RuntimeError("CP-SAT could not write the model for HiGHS")
        return cp_model_pb2.CpModelProto.FromString(path.read_bytes())


def _quiet_highs() -> highspy.Highs:
    """A HiGHS instance with its output off, its one-time banner kept off stdout too.

    The first instance in a process prints a banner on file descriptor 1 before any option
    can be set; a `--json` command's stdout must hold JSON only.
    """
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "wb") as devnull:
            os.dup2(devnull.fileno(), 1)
            highs = highspy.Highs()
            highs.setOptionValue("output_flag", False)
    finally:
        os.dup2(saved, 1)
        os.close(saved)
    return highs


def solve_milp(
    model: cp_model.CpModel,
    time_limit_s: float,
    lp_solver: str = "choose",
    relaxed: bool = False,
    stalled_after_s: float | None = None,
    presolved: bool = False,
) -> MilpResult:
    """Minimise `model`'s objective with HiGHS within `time_limit_s` seconds.

    The bound is HiGHS's dual bound, which holds whether or not a solution was found in
    time. Reading the model counts in the limit.
    `lp_solver` is HiGHS's `mip_lp_solver` ("choose", "simplex", "ipm", ...). `relaxed`
    solves the LP relaxation alone (interior point, then crossover to an optimal basis):
    its optimum is the bound, and the values are fractional; with `presolved` too, the
    relaxation of HiGHS's presolved integer program (`Milp.presolved_relaxation`).
    `stalled_after_s`: see `Milp.solve`.
    """
    started = time.monotonic()
    if relaxed and presolved:
        whole = Milp(model)  # presolve tightens rows by the integrality
        return whole.presolved_relaxation(time_limit_s - (time.monotonic() - started))
    milp = Milp(model, relaxed)
    left = time_limit_s - (time.monotonic() - started)
    return milp.solve(left, lp_solver, stalled_after_s=stalled_after_s)


class Milp:
    """A CP-SAT model's integer program read into HiGHS once, to be solved as often as asked.

    Between solves, `fix` holds every variable outside a neighbourhood at given values
    (what a large-neighbourhood search re-solves) and `release` lets them all go again.
    """

    def __init__(self, model: cp_model.CpModel, relaxed: bool = False) -> None:
        proto = _proto_of(model)
        count = len(proto.variables)
        lb = np.fromiter((var.domain[0] for var in proto.variables), float, count)
        ub = np.fromiter((var.domain[-1] for var in proto.variables), float, count)
        rows = _Rows()
        for ct in proto.constraints:
            kind = ct.WhichOneof("constraint")
            if kind == "linear":
                _linear(rows, ct, lb, ub)
            elif kind == "at_most_one":
                _clause(rows, list(ct.at_most_one.literals), -np.inf, 1.0)
            elif kind == "exactly_one":
                _clause(rows, list(ct.exactly_one.literals), 1.0, 1.0)
            elif kind == "bool_or":
                _clause(rows, list(ct.bool_or.literals), 1.0, np.inf)
            else:
                raise ValueError(f"no MILP form for constraint {ct.name or '(unnamed)'}")
        objective = np.zeros(count)
        for var, coefficient in zip(proto.objective.vars, proto.objective.coeffs, strict=True):
            objective[var] += coefficient
        shape = (len(rows.lower), count)
        matrix = sparse.csc_array((rows.vals, (rows.rows, rows.cols)), shape=shape)
        row_lower, row_upper = np.array(rows.lower), np.array(rows.upper)
        offset = float(proto.objective.offset)
        self.relaxed = relaxed
        self.lower, self.upper = lb, ub
        self._matrix = matrix
        self._rows = (row_lower, row_upper)
        self._cost, self._offset = objective, offset
        self._all = np.arange(count, dtype=np.int32)
        self.highs = _quiet_highs()
        self.highs.setOptionValue("random_seed", 0)
        self.highs.passModel(
            _highs_lp(matrix, objective, offset, (lb, ub), (row_lower, row_upper), not relaxed)
        )

    @property
    def size(self) -> int:
        return len(self.lower)

    def fix(self, free: np.ndarray, values: np.ndarray) -> None:
        """Hold every variable where `free` (a boolean per variable) is False at `values`."""
        lower = np.where(free, self.lower, values)
        upper = np.where(free, self.upper, values)
        self.highs.changeColsBounds(self.size, self._all, lower, upper)

    def solve_part(self, free: np.ndarray, values: np.ndarray, time_limit_s: float) -> MilpResult:
        """Re-solve the variables where `free` is True, every other one held at `values`.

        Only the free columns and the rows they appear in go to a fresh HiGHS (the held
        variables' share moved into the rows' bounds), starting from `values`, which must
        be a solution: a neighbourhood of a few storeys is then a model of a few thousand
        variables, not the whole campus's with most of it fixed (whose presolve alone took
        a second at 5,000 staff). The answer's values cover every variable.
        """
        started = time.monotonic()
        columns = np.flatnonzero(free)
        held = np.where(free, 0.0, values)
        activity = self._matrix @ held
        part = self._matrix[:, columns].tocsr()
        rows = np.flatnonzero(np.diff(part.indptr))
        part = part[rows].tocsc()
        lower, upper = self._rows
        offset = float(self._cost @ held) + self._offset
        bounds = (self.lower[columns], self.upper[columns])
        row_bounds = (lower[rows] - activity[rows], upper[rows] - activity[rows])
        lp = _highs_lp(part, self._cost[columns], offset, bounds, row_bounds, not self.relaxed)
        highs = _quiet_highs()
        highs.setOptionValue("random_seed", 0)
        highs.passModel(lp)
        highs.setOptionValue("time_limit", max(0.1, time_limit_s - (time.monotonic() - started)))
        solution = highspy.HighsSolution()
        solution.col_value = list(values[columns])
        solution.value_valid = True
        highs.setSolution(solution)
        highs.run()
        result = _result(highs, self.relaxed)
        if result.values is None:
            return result
        whole = values.copy()
        whole[columns] = result.values
        return MilpResult(result.status, whole, result.objective, result.bound)

    def objective_of(self, values: np.ndarray) -> float | None:
        """The objective of `values` (one per variable), or None when they break a constraint.

        Integral values within every domain and row, to 1e-6.
        """
        tolerance = 1e-6
        if np.any(np.abs(values - np.round(values)) > tolerance) and not self.relaxed:
            return None
        if np.any(values < self.lower - tolerance) or np.any(values > self.upper + tolerance):
            return None
        activity = self._matrix @ values
        lower, upper = self._rows
        if np.any(activity < lower - tolerance) or np.any(activity > upper + tolerance):
            return None
        return float(self._cost @ values + self._offset)

    def presolved_relaxation(self, time_limit_s: float) -> MilpResult:
        """The LP relaxation of HiGHS's presolve of this integer program, as a bound.

        Presolve keeps an optimal integer solution (HiGHS's own dual bounds rest on it),
        so the relaxation's optimum bounds the integer optimum; and it uses the
        integrality to tighten rows (coefficients lifted, implied bounds), which the LP
        of the model as written cannot: at 5,000 staff the keep-or-vacate model's LP is
        21,697, its presolved relaxation 22,216, in about the same time as HiGHS's
        integer program takes to solve its first LP (where its cuts then ran on past
        the time limit, by 17 s in one run). The values are not returned. Call it once:
        this instance holds the presolved model afterwards.
        """
        started = time.monotonic()
        assert not self.relaxed, "presolve needs the integrality"
        self.highs.setOptionValue("time_limit", max(0.1, time_limit_s))
        self.highs.presolve()
        status = self.highs.getModelPresolveStatus()
        if status in (
            highspy.HighsPresolveStatus.kInfeasible,
            highspy.HighsPresolveStatus.kUnboundedOrInfeasible,
        ):
            return MilpResult("INFEASIBLE", None, np.inf, np.inf)
        if status not in (
            highspy.HighsPresolveStatus.kNotReduced,
            highspy.HighsPresolveStatus.kReduced,
            highspy.HighsPresolveStatus.kReducedToEmpty,
        ):
            return MilpResult("UNKNOWN", None, np.inf, -np.inf)  # out of time
        lp = self.highs.getPresolvedLp()
        if status == highspy.HighsPresolveStatus.kReducedToEmpty:  # presolve solved it
            value = float(lp.offset_)
            return MilpResult("OPTIMAL", None, np.inf, value - 1e-6 * max(1.0, abs(value)))
        if status == highspy.HighsPresolveStatus.kNotReduced:
            lp = self.highs.getLp()
        lp.integrality_ = []
        relaxation = _quiet_highs()
        relaxation.setOptionValue("random_seed", 0)
        relaxation.passModel(lp)
        relaxation.setOptionValue("solver", "ipm")
        relaxation.setOptionValue("run_crossover", "on")
        left = time_limit_s - (time.monotonic() - started)
        relaxation.setOptionValue("time_limit", max(0.1, left))
        relaxation.run()
        return _result(relaxation, relaxed=True)

    def release(self) -> None:
        """Every variable back to its own domain."""
        self.highs.changeColsBounds(self.size, self._all, self.lower, self.upper)

    def solve(
        self,
        time_limit_s: float,
        lp_solver: str = "choose",
        start: np.ndarray | None = None,
        enough_after_s: float | None = None,
        stalled_after_s: float | None = None,
        found: list[MilpResult] | None = None,
    ) -> MilpResult:
        """Solve within `time_limit_s` seconds, from the solution `start` when given.

        With `enough_after_s`, stop as soon as that many seconds have passed and a solution
        is found (the first plan of a search that improves it in other ways). With
        `stalled_after_s`, stop once the bound has not risen by `STALLED_GAIN` of itself
        for that long (a bound that has stopped rising frees its core for the plan).
        `found`, when given, gets every solution HiGHS finds on the way (checked against
        the rows, at its own objective), the last one best.
        """
        highs = self.highs
        if found is not None:
            improving = self._collect(found)
            highs.cbMipImprovingSolution += improving
            try:
                return self.solve(time_limit_s, lp_solver, start, enough_after_s, stalled_after_s)
            finally:
                highs.cbMipImprovingSolution -= improving
        highs.setOptionValue("time_limit", max(0.1, time_limit_s))
        highs.setOptionValue("mip_lp_solver", lp_solver)
        if self.relaxed:
            highs.setOptionValue("solver", "ipm")
            highs.setOptionValue("run_crossover", "on")
        if start is not None:
            solution = highspy.HighsSolution()
            solution.col_value = list(start)
            solution.value_valid = True
            highs.setSolution(solution)
        if enough_after_s is None and stalled_after_s is None:
            highs.run()
            return self._result()
        stop = _Stop(enough_after_s, stalled_after_s)
        highs.cbMipInterrupt += stop
        try:
            highs.run()
        finally:
            highs.cbMipInterrupt -= stop
        return self._result()

    def _result(self) -> MilpResult:
        return _result(self.highs, self.relaxed)

    def _collect(self, found: list[MilpResult]) -> Callable[[Any], None]:
        def improving(event: Any) -> None:
            values = np.array(event.data_out.mip_solution, dtype=float)
            objective = self.objective_of(values) if len(values) == self.size else None
            if objective is not None:
                found.append(MilpResult("FEASIBLE", values, objective, -np.inf))

        return improving


def _result(highs: highspy.Highs, relaxed: bool) -> MilpResult:
    """What `highs` found, in the model's own objective units."""
    status = highs.getModelStatus()
    info = highs.getInfo()
    bound = float(info.mip_dual_bound)
    if status == highspy.HighsModelStatus.kInfeasible:
        return MilpResult("INFEASIBLE", None, np.inf, np.inf)
    if relaxed:
        optimal = status == highspy.HighsModelStatus.kOptimal
        value = float(info.objective_function_value) if optimal else -np.inf
        # An optimal basis's objective is exact to the solver's tolerances; keep the
        # bound below it by more than they can move it.
        bound = value - 1e-6 * max(1.0, abs(value))
        return MilpResult("OPTIMAL" if optimal else "UNKNOWN", None, np.inf, bound)
    if info.primal_solution_status != 2:  # no feasible solution
        return MilpResult("UNKNOWN", None, np.inf, bound if np.isfinite(bound) else -np.inf)
    values = np.asarray(highs.getSolution().col_value)
    value = float(info.objective_function_value)
    if status == highspy.HighsModelStatus.kOptimal:
        return MilpResult("OPTIMAL", values, value, bound)
    return MilpResult("FEASIBLE", values, value, bound)


def _highs_lp(
    matrix: sparse.csc_array,
    cost: np.ndarray,
    offset: float,
    bounds: tuple[np.ndarray, np.ndarray],
    row_bounds: tuple[np.ndarray, np.ndarray],
    integral: bool,
) -> highspy.HighsLp:
    """min cost·x + offset, row_bounds on matrix·x, bounds on x (integers when `integral`)."""
    lp = highspy.HighsLp()
    lp.num_col_ = matrix.shape[1]
    lp.num_row_ = matrix.shape[0]
    lp.col_cost_ = cost
    lp.col_lower_, lp.col_upper_ = bounds
    lp.row_lower_, lp.row_upper_ = row_bounds
    lp.offset_ = offset
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = matrix.indptr
    lp.a_matrix_.index_ = matrix.indices
    lp.a_matrix_.value_ = matrix.data
    if integral:
        lp.integrality_ = [highspy.HighsVarType.kInteger] * matrix.shape[1]
    return lp
