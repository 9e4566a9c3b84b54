"""How fast "what is near this point" and "what is hidden in these rooms" are answered.

In one run:

- ``near``: the real query (`SegmentIndex.near_path`: one storey, a 0.5 m clearance
  from each service's outside, results as records with distances, nearest first)
  through the site's index (shapely STRtree on the plan + exact 3D distance on the
  candidates) against one vectorised numpy point-to-segment scan over the `(n, 3)`
  arrays of every piece, with the same storey filter, clearance, sort and records.
  Queries alternate between the two; cells are medians. Both must return the same
  services (checked). Goal: index ≥ 100× faster. Also printed: the whole
  `services_near` call (site and storey checked in the store, data version read),
  which is what the API pays per request.
  Run on the sample campus (`twin sample --buildings 20`, imported) and on a
  synthetic store of ≥ 100,000 stored segments (`--synthetic`).
- ``hidden``: the hidden services of every room of one building as one batch
  (`hidden_services_of_building`) against one `hidden_services` call per room.

Absolute numbers mean little on a shared machine; the ratios, measured in one run, do.
Exits 0 whether or not a goal is met, 1 when the two answers differ.

    .venv/bin/python bench/pipes_bench.py [--buildings 20] [--synthetic 100000]
        [--queries 300] [--db twin.db] [--json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import Engine, insert, select

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from twin.maintenance.hidden import hidden_services, hidden_services_of_building  # noqa: E402
from twin.maintenance.near import SegmentIndex, segment_index, services_near  # noqa: E402
from twin.store import open_store  # noqa: E402
from twin.store import schema as t  # noqa: E402

CLEARANCE_M = 0.5
SITE = "WZ01"


def _sample_store(folder: Path, buildings: int) -> Path:
    from bim_import.sample.campus import write_sample_campus
    from twin.importer import import_models

    files = write_sample_campus(folder / "campus.ifc", buildings=buildings, seed=1)
    db = folder / "sample.db"
    engine = open_store(str(db))
    import_models(engine, list(files.ifc_files), site_code=SITE)
    engine.dispose()
    return db


def _synthetic_store(folder: Path, segments: int, seed: int = 11) -> Path:
    """A site of 20 buildings × 5 storeys with `segments` pipes, cables and risers stored."""
    rng = np.random.default_rng(seed)
    db = folder / "synthetic.db"
    engine = open_store(str(db))
    buildings, storeys = 20, 5
    per_storey = -(-segments // (buildings * storeys))
    rows: list[dict[str, Any]] = []
    with engine.begin() as conn:
        conn.execute(insert(t.sites).values(site_code=SITE, name="synthetic"))
        for b in range(buildings):
            code = f"{SITE}-B{b + 1:02d}"
            conn.execute(
                insert(t.buildings).values(
                    building_code=code, site_code=SITE, number=f"B{b + 1:02d}", name=code
                )
            )
            x0, y0 = (b % 5) * 80.0, (b // 5) * 40.0
            for s in range(storeys):
                storey = f"{code}-F{s + 1:02d}"
                elevation = 3.6 * s
                conn.execute(
                    insert(t.storeys).values(
                        storey_code=storey,
                        building_code=code,
                        code=f"F{s + 1:02d}",
                        name=f"F{s + 1:02d}",
                        elevation_m=elevation,
                    )
                )
                start = np.column_stack(
                    [
                        x0 + rng.uniform(0, 60, per_storey),
                        y0 + rng.uniform(0, 20, per_storey),
                        elevation + rng.uniform(-0.3, 3.4, per_storey),
                    ]
                )
                step = np.zeros((per_storey, 3))
                axis = rng.integers(0, 3, per_storey)
                length = np.where(axis == 2, 3.6, rng.uniform(1.0, 8.0, per_storey))
                step[np.arange(per_storey), axis] = length
                end = start + step
                diameters = rng.choice([0.016, 0.022, 0.028, 0.054, 0.11, 0.2], per_storey)
                for k in range(per_storey):
                    number = len(rows) + 1
                    rows.append(
                        {
                            "element_id": f"{code}-E{number:06d}",
                            "site_code": SITE,
                            "building_code": code,
                            "storey_code": storey,
                            "global_id": f"g{number}",
                            "source_file": "synthetic.ifc",
                            "ifc_class": "IfcPipeSegment",
                            "kind": "pipe_segment",
                            "medium": "cold water",
                            "outer_diameter_m": float(diameters[k]),
                            "axis_json": json.dumps(
                                [np.round(start[k], 3).tolist(), np.round(end[k], 3).tolist()]
                            ),
                        }
                    )
        for chunk in range(0, len(rows), 10_000):
            conn.execute(insert(t.elements), rows[chunk : chunk + 10_000])
    engine.dispose()
    return db


def _brute_force(
    index: SegmentIndex, point: np.ndarray, clearance_m: float, storey: str | None
) -> list[dict[str, Any]]:
    """One vectorised numpy point-to-segment scan over every piece, same filter and records."""
    a, b = index.starts, index.ends
    ab = b - a
    length2 = np.einsum("ij,ij->i", ab, ab)
    u = np.clip(np.einsum("ij,ij->i", point - a, ab) / np.where(length2 > 0, length2, 1), 0, 1)
    closest = a + u[:, None] * ab
    axis = np.sqrt(np.einsum("ij,ij->i", closest - point, closest - point))
    owners = index.piece_element
    outside = np.maximum(axis - index.radii_m[owners], 0.0)
    keep = outside <= clearance_m
    if storey is not None:
        keep &= index.storey_numbers[owners] == index.storey_number(storey)
    # The same records as the index builds (one per element, nearest first).
    return index.results(owners[keep], outside[keep], axis[keep], np.zeros(int(keep.sum())))


def _queries(index: SegmentIndex, count: int, seed: int = 5) -> list[tuple[np.ndarray, str | None]]:
    """Points within a metre of real pieces, each with the storey of that piece."""
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(index.starts), count)
    points = index.starts[picks] + rng.normal(scale=0.6, size=(count, 3))
    storeys = index.storeys[index.piece_element[picks]]
    return [(points[k], storeys[k]) for k in range(count)]


def _median_ms(times: list[float]) -> float:
    return statistics.median(times) * 1000.0


def bench_near(engine: Engine, queries: int) -> dict[str, Any]:
    index = segment_index(engine, SITE)
    workload = _queries(index, queries)
    indexed, brute, whole = [], [], []
    found = 0
    for point, storey in workload:
        started = time.perf_counter()
        fast = index.near_path(point, point, CLEARANCE_M, storey)
        indexed.append(time.perf_counter() - started)
        started = time.perf_counter()
        slow = _brute_force(index, point, CLEARANCE_M, storey)
        brute.append(time.perf_counter() - started)
        started = time.perf_counter()
        services_near(engine, point.tolist(), CLEARANCE_M, site=SITE, storey=storey)
        whole.append(time.perf_counter() - started)
        got = {s["element_id"]: s["distance_m"] for s in fast}
        expected = {s["element_id"]: s["distance_m"] for s in slow}
        if got.keys() != expected.keys() or any(abs(got[k] - expected[k]) > 2e-4 for k in expected):
            print(f"index and brute force differ at {point.tolist()} ({storey})", file=sys.stderr)
            raise SystemExit(1)
        found += len(fast)
    started = time.perf_counter()
    with engine.connect() as conn:
        SegmentIndex.build(conn, SITE, "bench")
    build_s = time.perf_counter() - started
    return {
        "segments": len(index.element_ids),
        "pieces": len(index.starts),
        "queries": len(workload),
        "mean_results": round(found / len(workload), 2),
        "index_ms": round(_median_ms(indexed), 4),
        "brute_force_ms": round(_median_ms(brute), 3),
        "services_near_ms": round(_median_ms(whole), 3),
        "index_build_s": round(build_s, 2),
        "ratio": round(_median_ms(brute) / _median_ms(indexed), 1),
    }


def bench_hidden(engine: Engine, building: str) -> dict[str, Any]:
    started = time.perf_counter()
    batch = hidden_services_of_building(engine, building)
    batch_s = time.perf_counter() - started
    started = time.perf_counter()
    for code in batch:
        hidden_services(engine, code)
    single_s = time.perf_counter() - started
    return {
        "building": building,
        "rooms": len(batch),
        "services": sum(len(room["services"]) for room in batch.values()),
        "batch_s": round(batch_s, 3),
        "per_room_calls_s": round(single_s, 3),
        "ratio": round(single_s / batch_s, 1),
    }


def _largest_building(engine: Engine) -> str:
    with engine.connect() as conn:
        counts: dict[str, int] = {}
        for (code,) in conn.execute(
            select(t.rooms.c.building_code).where(t.rooms.c.status == "active")
        ):
            counts[code] = counts.get(code, 0) + 1
    return max(counts, key=lambda code: counts[code])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--buildings", type=int, default=20, help="sample campus size (0: skip)")
    parser.add_argument("--synthetic", type=int, default=100_000, help="segments (0: skip)")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--db", help="use this store as the sample campus instead of importing")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="pipes-bench-") as tmp:
        folder = Path(tmp)
        sample_db = Path(args.db) if args.db else None
        if sample_db is None and args.buildings:
            started = time.perf_counter()
            sample_db = _sample_store(folder, args.buildings)
            results["sample_import_s"] = round(time.perf_counter() - started, 1)
        if sample_db is not None:
            engine = open_store(str(sample_db))
            results["sample_near"] = bench_near(engine, args.queries)
            results["sample_hidden"] = bench_hidden(engine, _largest_building(engine))
            engine.dispose()
        if args.synthetic:
            engine = open_store(str(_synthetic_store(folder, args.synthetic)))
            results["synthetic_near"] = bench_near(engine, args.queries)
            engine.dispose()
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    for name in ("sample_near", "synthetic_near"):
        if name in results:
            r = results[name]
            print(
                f"{name}: {r['segments']:,} segments ({r['pieces']:,} pieces), "
                f"{r['queries']} queries, {r['mean_results']} results each; "
                f"index {r['index_ms']} ms, brute force {r['brute_force_ms']} ms "
                f"-> {r['ratio']}x (goal >= 100x: {'met' if r['ratio'] >= 100 else 'not met'}); "
                f"whole services_near {r['services_near_ms']} ms; "
                f"index built in {r['index_build_s']} s"
            )
    if "sample_hidden" in results:
        r = results["sample_hidden"]
        print(
            f"hidden services of {r['building']}: {r['rooms']} rooms, {r['services']} services; "
            f"one batch {r['batch_s']} s, one call per room {r['per_room_calls_s']} s "
            f"-> batch {r['ratio']}x faster"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
