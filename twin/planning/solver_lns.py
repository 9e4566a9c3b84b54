"""Improve a keep-or-vacate plan a few storeys at a time (large-neighbourhood search).

HiGHS proves the keep-or-vacate model's bound well but finds its plans slowly: on the
2,000-staff benchmark its first plan comes after ~17 s (a sub-MIP heuristic, after the
root's cuts) and it is still ~3 % above its own bound after 40 s. Held at the best plan
everywhere but on two to six storeys, the same model is small: HiGHS improves or proves
it within the 2 s each gets (about half of them to optimality). So, from a first plan:

- the storeys a department is spread over (and one more it may use): consolidating it;
- a storey and the storeys that share the most departments with it;
- adjacent storeys of one building (people moving one floor up or down);

are re-solved in turn, each from the best plan so far, and every better plan is kept.
When a whole round of them brings nothing, the neighbourhoods grow by one storey. The
plan only gets better; it is the model's solution, so it is a plan of the model's cost.
"""

from __future__ import annotations

import random
import time
from collections import defaultdict
from typing import TYPE_CHECKING, Any

import numpy as np

from twin.planning.solver_milp import Milp, MilpResult

if TYPE_CHECKING:  # solver_keep calls this module
    from twin.planning.solver_keep import KeepModel

__all__ = ["first_plan", "improve_plan"]

# Seconds HiGHS may take over one neighbourhood, and the least worth starting one.
SUB_SOLVE_S = 2.0
MIN_SUB_SOLVE_S = 0.2
# Storeys per neighbourhood to start with, and the most.
FIRST_SIZE = 3
MAX_SIZE = 6

Hood = frozenset[int]


def first_plan(
    keep: KeepModel,
    milp: Milp,
    storeys: dict[str, set[int]],
    time_limit_s: float,
    enough_after_s: float,
    start: np.ndarray | None = None,
    found: list[MilpResult] | None = None,
) -> MilpResult:
    """A good plan with each department on `storeys` (its storey indices) only.

    With the storeys each department may use cut down to the few a first stage chose,
    the model falls apart into nearly independent storeys, where HiGHS finds good plans
    within seconds, long before it would over the whole model. It stops at the first
    plan after `enough_after_s` seconds, or at `time_limit_s` with none. HiGHS starts
    from `start` (a solution of the model) when it keeps to those storeys. `found` gets
    every plan HiGHS finds on the way (`Milp.solve`).
    """
    free = np.ones(milp.size, dtype=bool)
    for (department, si), var in keep.ds.used.items():
        if si not in storeys.get(department, ()):
            free[var.index] = False
    if start is not None and np.any(start[~free] != 0):
        start = None
    milp.fix(free, np.zeros(milp.size))
    try:
        return milp.solve(time_limit_s, start=start, enough_after_s=enough_after_s, found=found)
    finally:
        milp.release()


def improve_plan(
    keep: KeepModel,
    milp: Milp,
    best: MilpResult,
    deadline: float,
    stats: dict[str, Any],
    found: list[MilpResult] | None = None,
) -> MilpResult:
    """Re-solve neighbourhoods of `best` until `deadline`; the best plan found.

    `stats` gets how many neighbourhoods were tried, solved to optimality and improved
    the plan, and the gain; `found`, when given, each better plan in turn.
    """
    assert best.values is not None
    rng = random.Random(0)
    size = FIRST_SIZE
    tried: set[Hood] = set()
    stats.update(tried=0, improved=0, solved=0, gain=0.0)
    start_objective = best.objective
    while (left := deadline - time.monotonic()) >= MIN_SUB_SOLVE_S:
        hoods = [h for h in _neighbourhoods(keep, best.values, size, rng) if h not in tried]
        if not hoods:
            if size >= min(MAX_SIZE, len(keep.storeys)):
                break
            size, tried = size + 1, set()
            continue
        hood = hoods[0]
        tried.add(hood)
        stats["tried"] += 1
        result = _resolve(keep, milp, best, hood, min(SUB_SOLVE_S, left))
        stats["solved"] += result.status == "OPTIMAL"
        if result.values is not None and result.objective < best.objective - 0.5:
            best = MilpResult("FEASIBLE", result.values, result.objective, best.bound)
            stats["improved"] += 1
            if found is not None:
                found.append(best)
            tried = set()
    stats["gain"] = round((start_objective - best.objective) / 10, 1)
    return best


def _resolve(keep: KeepModel, milp: Milp, best: MilpResult, hood: Hood, limit: float) -> MilpResult:
    assert best.values is not None
    values = np.round(best.values)
    free = np.zeros(milp.size, dtype=bool)
    free[keep.storey_variables(set(hood))] = True
    return milp.solve_part(free, values, limit)


def _neighbourhoods(
    keep: KeepModel, values: np.ndarray, size: int, rng: random.Random
) -> list[Hood]:
    """Storey sets worth re-solving around the plan `values`, in a shuffled order."""
    present: dict[str, set[int]] = defaultdict(set)
    offered: dict[str, set[int]] = defaultdict(set)
    for (department, si), var in keep.ds.used.items():
        offered[department].add(si)
        if values[var.index] > 0.5:
            present[department].add(si)
    hoods: set[Hood] = set()
    for department, storeys in present.items():
        spread = sorted(storeys)
        extra = sorted(offered[department] - storeys)
        rng.shuffle(spread)
        rng.shuffle(extra)
        hoods.add(frozenset((spread + extra)[:size]))
    sharing: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for storeys in present.values():
        for a in storeys:
            for b in storeys:
                if a != b:
                    sharing[a][b] += 1
    for si in range(len(keep.storeys)):
        partners = sorted(sharing[si], key=lambda b: (-sharing[si][b], rng.random()))
        hoods.add(frozenset([si, *partners[: size - 1]]))
        building = keep.storeys[si].key[0]
        window = [
            sj
            for sj in range(si, min(si + size, len(keep.storeys)))
            if keep.storeys[sj].key[0] == building
        ]
        hoods.add(frozenset(window))
    ordered = sorted(hoods, key=sorted)
    rng.shuffle(ordered)
    return [hood for hood in ordered if len(hood) > 1]
