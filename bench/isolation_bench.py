"""Leak isolation answers per second on a generated campus, against the plain reachability
any answer needs, measured in the same run.

On `twin sample --buildings 20` (or `--db` a store), the service networks are read once
(`twin.network.model.load_network`, timed apart), then for a seeded sample of the
elements that valves feed (pipes, fittings, valves, terminals of the water, heating and
gas networks; `--elements 0` takes all of them):

- ``isolate``: the whole answer, `twin.network.isolate.isolate_element` (nearest
  valves, the search for fewer valves, terminals, rooms, buildings, sensors, warnings);
- ``reach``: the baseline, one breadth-first walk of the element's network from all its
  sources with the normally closed valves shut (networkx, as the answer uses): what
  telling who is served at all costs.

The two alternate element by element; each is the median over `--repeat` runs.
Prints answers/s, the baseline walks/s and the ratio (answer time / walk time: how
many plain walks one answer costs). Exits 0; 1 when an answer failed.

    .venv/bin/python bench/isolation_bench.py [--buildings 20] [--elements 300] [--seed 1]
        [--repeat 3] [--db twin.db] [--json]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.viewer_bench import make_campus  # noqa: E402
from twin.network.isolate import isolate_element  # noqa: E402
from twin.network.model import GRAVITY_FAMILIES, ServiceNetwork, load_network, reachable  # noqa: E402
from twin.store import open_store  # noqa: E402

_PRESSURISED = ("water", "heating", "gas")


def _valve_fed(net: ServiceNetwork) -> list[tuple[str, str]]:
    """(element id, family) of every non-source element of a pressurised network."""
    found = []
    for family, network in net.networks.items():
        if family in GRAVITY_FAMILIES or family not in _PRESSURISED or not network.closable:
            continue
        found += [(node, family) for node in sorted(network.flow) if node not in network.sources]
    return found


def _timed(call: Any, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--buildings", type=int, default=20)
    parser.add_argument("--elements", type=int, default=300, help="sample size; 0 = all")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--db", type=Path, help="an existing store instead of a new campus")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        db = args.db or make_campus(Path(tmp), args.buildings)
        built_s = time.perf_counter() - start
        engine = open_store(str(db))
        start = time.perf_counter()
        net = load_network(engine)
        load_s = time.perf_counter() - start
        candidates = _valve_fed(net)
        chosen = candidates
        if args.elements and len(candidates) > args.elements:
            chosen = sorted(random.Random(args.seed).sample(candidates, args.elements))
        answer_s, reach_s, failed = [], [], 0
        valves_closed = 0
        for element_id, family in chosen:
            network = net.networks[family]
            try:
                answer = isolate_element(net, element_id, engine)
            except Exception as exc:  # a benchmark reports, it does not stop
                print(f"failed on {element_id}: {type(exc).__name__}: {exc}", file=sys.stderr)
                failed += 1
                continue
            valves_closed += len(answer["valves_to_close"])
            answer_s.append(
                _timed(lambda e=element_id: isolate_element(net, e, engine), args.repeat)
            )
            reach_s.append(
                _timed(
                    lambda n=network: reachable(n.flow, n.sources, n.closed),
                    args.repeat,
                )
            )
        engine.dispose()
    total_answer, total_reach = sum(answer_s), sum(reach_s)
    result = {
        "buildings": args.buildings if not args.db else None,
        "elements": len(net.elements),
        "valve_fed_elements": len(candidates),
        "answers": len(answer_s),
        "failed": failed,
        "campus_built_s": round(built_s, 2),
        "network_load_s": round(load_s, 3),
        "answers_per_s": round(len(answer_s) / total_answer, 1) if total_answer else None,
        "reach_walks_per_s": round(len(reach_s) / total_reach, 1) if total_reach else None,
        "answer_median_ms": round(1000 * statistics.median(answer_s), 2) if answer_s else None,
        "answer_p95_ms": round(1000 * sorted(answer_s)[int(0.95 * (len(answer_s) - 1))], 2)
        if answer_s
        else None,
        "reach_median_ms": round(1000 * statistics.median(reach_s), 2) if reach_s else None,
        "ratio_answer_to_reach": round(total_answer / total_reach, 2) if total_reach else None,
        "mean_valves_to_close": round(valves_closed / len(answer_s), 2) if answer_s else None,
    }
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        for key, value in result.items():
            print(f"{key:24} {value}")
        print(
            f"one isolation answer costs {result['ratio_answer_to_reach']}x one plain "
            f"reachability walk; {result['answers_per_s']} answers/s"
        )
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
