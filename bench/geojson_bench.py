"""How fast one site's GeoJSON is made, against a raw SQL query of the same rows.

On a `twin sample` campus (20 buildings by default, about a thousand rooms, or a store
given with `--db`) it times, for each layer, against `sqlite3` fetching the rows and
columns the layer is made of with the best indexed query (`RAW_QUERIES`, through
`raw_layer_rows`: the floor any answer must pay; bench/map_bench.py uses the same):

- ``cold``: `twin.geo.geojson.site_geojson`, no layer cache: the rooms layer is one
  fixed SQL query that writes each feature's text from the room's fields (local
  edits applied) and its WGS84 geometry kept in `room_map_geometry`; the other
  layers read their rows and carry them to WGS84 on every call;
- ``first``: the one call before the timed ones (on a store that never served the
  site: the rooms' geometries made and kept too);
- ``served``: what `GET /api/sites/{code}/geojson` does per request,
  `twin.geo.layer_cache.LayerCache.layer` (a data-version check, then the kept text).

The variants alternate over `--repeat` runs; cells are medians. Goal: cold and served
≤ 3× the raw query, in process (the HTTP figures are in bench/map_bench.py). Exit
status 0 whether or not the goal is met (2 if it cannot start).

    .venv/bin/python bench/geojson_bench.py [--buildings 20] [--repeat 15] [--db twin.db] [--json]

`measure_geojson(db, site_code)` is importable (the map benchmark reuses it).
"""

from __future__ import annotations

import argparse
import functools
import json
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.viewer_bench import make_campus  # noqa: E402
from twin.geo.geojson import site_geojson  # noqa: E402
from twin.geo.layer_cache import LayerCache  # noqa: E402
from twin.store import open_store  # noqa: E402

GOAL = 3.0

# The baseline: the rows and columns each layer is made of, fetched by `sqlite3` with
# the best plain query a person tuning it would write (through the indexes: the
# rooms' (building_code, status) index, the primary keys of room_edits and storeys,
# the elements' site index). One definition, used by this and bench/map_bench.py.
RAW_QUERIES = {
    "rooms": """
        SELECT r.room_code, r.building_code, r.storey_code, r.name, r.long_name, r.usage,
               r.net_floor_area_m2, r.height_m, r.status, r.footprint_wkb, e.field, e.value
        FROM rooms r LEFT JOIN room_edits e ON e.room_code = r.room_code
        WHERE r.building_code IN (SELECT building_code FROM buildings WHERE site_code = :site)
          AND r.status = 'active' AND r.footprint_wkb IS NOT NULL
        ORDER BY r.room_code""",
    "footprints": """
        SELECT b.building_code, b.name, f.footprint_wkb,
               (SELECT count(*) FROM storeys s WHERE s.storey_code >= b.building_code || '-'
                  AND s.storey_code < b.building_code || '.'),
               (SELECT count(*) FROM rooms r WHERE r.building_code = b.building_code
                  AND r.status = 'active'),
               (SELECT sum(net_floor_area_m2) FROM rooms r
                  WHERE r.building_code = b.building_code AND r.status = 'active')
        FROM buildings b JOIN building_footprints f ON f.building_code = b.building_code
        WHERE b.site_code = :site ORDER BY b.building_code""",
    "pipes": """
        SELECT e.element_id, e.global_id, e.medium, e.outer_diameter_m, e.axis_json, s.name
        FROM elements e
        LEFT JOIN element_systems es ON es.element_id = e.element_id
        LEFT JOIN systems s ON s.system_id = es.system_id
        WHERE e.site_code = :site AND e.building_code IS NULL AND e.kind = 'pipe_segment'
          AND e.axis_json IS NOT NULL ORDER BY e.element_id""",
}


def raw_layer_rows(raw: sqlite3.Connection, site_code: str, layer: str) -> list[Any]:
    """The baseline: the layer's rows of one site as plain tuples (see RAW_QUERIES)."""
    return raw.execute(RAW_QUERIES[layer], {"site": site_code}).fetchall()


def measure_geojson(db: Path, site_code: str, repeat: int = 15) -> dict[str, dict[str, Any]]:
    """Per layer: features, bytes, median ms of cold, served and raw SQL, and the ratios.

    ``first_ms`` is one call before the timed ones: on a store that never served the
    site it includes making and keeping the rooms' WGS84 geometries.
    """
    engine = open_store(str(db))
    cache = LayerCache(engine)
    raw = sqlite3.connect(str(db))
    results: dict[str, dict[str, Any]] = {}
    try:
        for layer in RAW_QUERIES:
            start = time.perf_counter()
            text = site_geojson(engine, site_code, layer)  # also warms pyproj and SQLite
            first = time.perf_counter() - start
            variants: dict[str, Callable[[], object]] = {
                "cold": functools.partial(site_geojson, engine, site_code, layer),
                "served": functools.partial(cache.layer, site_code, layer),
                "raw_sql": functools.partial(raw_layer_rows, raw, site_code, layer),
            }
            times: dict[str, list[float]] = {name: [] for name in variants}
            for _ in range(repeat):  # alternate, so load on the machine hits all three
                for name, run in variants.items():
                    start = time.perf_counter()
                    run()
                    times[name].append(time.perf_counter() - start)
            median = {name: statistics.median(values) for name, values in times.items()}
            results[layer] = {
                "features": len(json.loads(text)["features"]),
                "bytes": len(text.encode()),
                "first_ms": round(first * 1000, 3),
                "cold_ms": round(median["cold"] * 1000, 3),
                "served_ms": round(median["served"] * 1000, 3),
                "raw_sql_ms": round(median["raw_sql"] * 1000, 3),
                "cold_ratio": round(median["cold"] / median["raw_sql"], 2),
                "served_ratio": round(median["served"] / median["raw_sql"], 3),
            }
    finally:
        raw.close()
        cache.close()
        engine.dispose()
    return results


def print_table(site: str, results: dict[str, dict[str, Any]]) -> None:
    """The per-layer table and the goal's verdict (cold and served ≤ GOAL × raw SQL)."""
    print(f"site {site}: per-site GeoJSON in process against raw SQL of the same rows (ms)")
    print(
        f"{'layer':<11}{'features':>9}{'KiB':>8}{'first':>9}{'cold':>9}{'served':>9}"
        f"{'raw SQL':>9}{'cold ×':>8}{'served ×':>10}"
    )
    for layer, r in results.items():
        print(
            f"{layer:<11}{r['features']:>9}{r['bytes'] / 1024:>8.1f}{r['first_ms']:>9.2f}"
            f"{r['cold_ms']:>9.3f}{r['served_ms']:>9.3f}{r['raw_sql_ms']:>9.3f}"
            f"{r['cold_ratio']:>8}{r['served_ratio']:>10}"
        )
    for kind in ("cold", "served"):
        worst = max(results, key=lambda layer: results[layer][f"{kind}_ratio"])
        ratio = results[worst][f"{kind}_ratio"]
        verdict = "met" if ratio <= GOAL else "not met"
        print(f"goal: {kind} ≤ {GOAL:g}× raw SQL: {verdict} (worst: {worst} {ratio}×)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--buildings", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--db", type=Path, help="An existing store (default: a new sample).")
    parser.add_argument("--site", default="WZ01")
    parser.add_argument("--json", action="store_true", help="Print only JSON.")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="geojson-bench-") as folder:
        if args.db is not None:
            if not args.db.exists():
                print(f"no store at {args.db}", file=sys.stderr)
                return 2
            db = args.db
        else:
            db = make_campus(Path(folder), args.buildings)
        results = measure_geojson(db, args.site, args.repeat)
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    print_table(args.site, results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
