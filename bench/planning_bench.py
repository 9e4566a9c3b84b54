"""How good the CP-SAT reallocation plan is, against the greedy plan and the lower bound.

On a seeded synthetic campus (`twin.planning.synthetic`) of ~2,000 staff in ~1,600 office
rooms and ~60 departments, and the same at 5,000 staff, with the five-change scenario
(a department grows by 12, two busy storeys close, two departments merge, a new storey
opens), in one run:

- ``greedy``: keep everyone's current seat, then first fit the displaced and new staff,
  largest department first, rooms in building/storey order (`solver_greedy.greedy_plan`).
- ``cp-sat``: `twin.planning.solver.solve` with `--time-limit` seconds in all (the plan on
  one core; the keep-or-vacate lower bound, HiGHS, beside it on the other).

For each plan: moves, over-standard m², storeys per department, the objective (10 per
move, 2 per m² over standard, 40 per storey a department occupies, 20 per empty storey
between them), and for CP-SAT the lower bound, gap and seconds. Goals: within 3 % of the
bound in ≤ 60 s at 2,000 staff, within 8 % at 5,000. Exits 0 whether or not a goal is met.

    .venv/bin/python bench/planning_bench.py [--sizes 2000 5000] [--time-limit 60] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from twin.planning.kpis import plan_cost, plan_kpis  # noqa: E402
from twin.planning.scenario import apply_scenario, parse_scenario  # noqa: E402
from twin.planning.solver import solve  # noqa: E402
from twin.planning.solver_greedy import greedy_plan  # noqa: E402
from twin.planning.synthetic import synthetic_scenario, synthetic_state  # noqa: E402

GOAL_GAP = {2000: 0.03, 5000: 0.08}


def run_size(staff: int, seed: int, time_limit_s: float) -> dict[str, Any]:
    """Both plans of one campus size, as a JSON-ready row."""
    state = synthetic_state(staff=staff, seed=seed)
    scenario = parse_scenario(synthetic_scenario(state))
    target = apply_scenario(state, scenario)
    start = time.perf_counter()
    greedy = greedy_plan(target)
    greedy_s = time.perf_counter() - start
    greedy_cost = plan_cost(target, greedy, scenario.preferences)
    greedy_kpis = plan_kpis(target, greedy)
    result = solve(state, scenario, time_limit_s=time_limit_s)
    goal = GOAL_GAP.get(staff)
    return {
        "staff": len(target.staff),
        "rooms": len(target.rooms),
        "departments": len(target.departments),
        "greedy": {
            "moves": greedy_cost.moves,
            "over_standard_m2": greedy_cost.over_standard_m2,
            "storeys_per_department": greedy_kpis.storeys_per_department,
            "unseated": greedy_cost.unseated,
            "objective": greedy_cost.objective,
            "seconds": round(greedy_s, 3),
        },
        "cp_sat": {
            "status": result.status,
            "moves": result.cost.moves,
            "over_standard_m2": result.cost.over_standard_m2,
            "storeys_per_department": result.kpis_after.storeys_per_department,
            "unseated": result.cost.unseated,
            "objective": result.objective,
            "lower_bound": result.lower_bound,
            "gap": result.gap,
            "seconds": round(result.seconds, 1),
            "stats": result.stats,
        },
        "improvement_over_greedy": round(1 - result.objective / greedy_cost.objective, 4),
        "goal_gap": goal,
        "goal_met": (
            None
            if goal is None or result.gap is None
            else bool(result.gap <= goal and result.seconds <= time_limit_s * 1.05)
        ),
    }


def _print(row: dict[str, Any], time_limit_s: float) -> None:
    g, c = row["greedy"], row["cp_sat"]
    print(
        f"\n{row['staff']} staff, {row['rooms']} rooms, {row['departments']} departments "
        f"(time limit {time_limit_s:g} s)"
    )
    print(f"{'plan':8} {'moves':>6} {'over m²':>9} {'storeys/dept':>12} {'objective':>10} {'s':>6}")
    for name, plan in (("greedy", g), ("cp-sat", c)):
        print(
            f"{name:8} {plan['moves']:>6} {plan['over_standard_m2']:>9.1f} "
            f"{plan['storeys_per_department']:>12.2f} {plan['objective']:>10.1f} "
            f"{plan['seconds']:>6.1f}"
        )
    gap = "n/a" if c["gap"] is None else f"{c['gap']:.1%}"
    print(
        f"cp-sat: {c['status']}, lower bound {c['lower_bound']}, gap {gap}, "
        f"{row['improvement_over_greedy']:.1%} better than greedy"
    )
    if row["goal_gap"] is not None:
        met = "met" if row["goal_met"] else "NOT met"
        print(f"goal: within {row['goal_gap']:.0%} of the bound in {time_limit_s:g} s — {met}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2000, 5000])
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true", help="print one JSON array only")
    args = parser.parse_args()
    rows = []
    for staff in args.sizes:
        row = run_size(staff, args.seed, args.time_limit)
        rows.append(row)
        if not args.json:
            _print(row, args.time_limit)
    if args.json:
        print(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
