"""How fast the map page draws a 700-site portfolio, and what per-site GeoJSON costs over raw SQL.

On a `twin sample-portfolio` store (700 sites by default, or `--db` a store) it serves
the app with `twin serve` and, beside it, a bare maplibre page (`bench/bare_map/`,
bundled here with the viewer's own maplibre-gl and esbuild) that has the same
`/api/map/sites` GeoJSON inlined in its bundle, one clustered source and two circle
layers, fitted to the same bounds. In headless Debian chromium the two alternate over
`--runs` runs, each in a fresh browser context:

- ``first render``: from navigation start until the map has fired `load`, then `idle`
  after a requested frame, with the site clusters drawn (on /map: after fetching
  its settings, the palette and the sites, and placing the cluster count labels).
  The bare page fetches nothing, so the ratio is the whole price of our page: its
  requests, the server's work on `/api/map/sites`, and its panel.

It also times, alternating, per site: `GET /api/sites/{code}/geojson?layer=rooms` (and
`layer=footprints`) over HTTP against a raw SQL query of the same rows (sqlite3: the
site's active rooms with their footprints, through the rooms' building index; the
site's building footprints); the goal is median HTTP ≤ 3× raw SQL. The HTTP floor
(`GET /api/palette`, which reads nothing) is printed beside it. Then, on the full-3D
site and two synthetic ones, the geo benchmark's `measure_geojson` (imported from
bench/geojson_bench.py): each layer built cold and served from the layer cache,
against its own raw queries.
Cells are medians. The exit status is 0 whether or not a goal is met (2 if it cannot
start). Absolute times mean little on a shared machine; the ratios are side by side.

    .venv/bin/python bench/map_bench.py [--sites 700] [--runs 10] [--db twin.db] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.geojson_bench import measure_geojson  # noqa: E402
from bench.viewer_bench import CHROMIUM, CHROMIUM_ARGS, VIEWPORT, static_server, twin_server  # noqa: E402
from twin.store import open_store  # noqa: E402

WEB = ROOT / "viewer" / "web"
BARE_SOURCE = ROOT / "bench" / "bare_map"
GOALS = {"site rooms GeoJSON": 3.0}

# Written to use the rooms' (building_code, status) index, as a person tuning it would.
RAW_ROOMS = """
SELECT r.room_code, r.building_code, r.storey_code, r.name, r.long_name, r.usage,
       r.net_floor_area_m2, r.height_m, r.status, r.footprint_wkb
FROM rooms r
WHERE r.building_code IN (SELECT building_code FROM buildings WHERE site_code = ?)
  AND r.status = 'active' AND r.footprint_wkb IS NOT NULL
ORDER BY r.room_code
"""
RAW_FOOTPRINTS = """
SELECT f.building_code, b.name, f.footprint_wkb
FROM building_footprints f JOIN buildings b ON b.building_code = f.building_code
WHERE b.site_code = ?
ORDER BY f.building_code
"""


# --- the store and the bare page -----------------------------------------------------


def make_portfolio(folder: Path, sites: int) -> Path:
    """A fresh store holding a `sites`-site portfolio (2 sites with the full sample campus)."""
    from twin.portfolio import generate_portfolio

    db = folder / "portfolio.db"
    engine = open_store(str(db))
    started = time.perf_counter()
    summary = generate_portfolio(engine, sites=sites, seed=1, full_3d=2)
    engine.dispose()
    print(
        f"  {summary.sites} sites, {summary.buildings} buildings, {summary.rooms} rooms "
        f"written in {time.perf_counter() - started:.1f} s",
        file=sys.stderr,
    )
    return db


def build_bare_page(out: Path, sites: dict[str, Any]) -> None:
    """Bundle bench/bare_map with the sites inlined, the viewer's maplibre-gl and esbuild."""
    shutil.copyfile(BARE_SOURCE / "bare_map.js", out / "bare_map.js")
    (out / "sites.json").write_text(json.dumps(sites), "utf-8")
    esbuild = WEB / "node_modules" / ".bin" / "esbuild"
    env = {**os.environ, "NODE_PATH": str(WEB / "node_modules")}
    subprocess.run(
        [
            str(esbuild),
            str(out / "bare_map.js"),
            "--bundle",
            "--format=esm",
            "--target=es2022",
            "--minify",
            f"--outdir={out}",
            "--entry-names=app",
            "--log-level=warning",
        ],
        check=True,
        env=env,
    )
    shutil.copyfile(WEB / "dist" / "map-worker.js", out / "map-worker.js")
    shutil.copyfile(BARE_SOURCE / "index.html", out / "index.html")


# --- the measurements ----------------------------------------------------------------


def measure_page(browser: Any, url: str, hook: str) -> dict[str, float]:
    """One run in a fresh context: navigation start to the first idle map with clusters."""
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(url)
    page.wait_for_function(f"window.{hook} !== undefined", timeout=120_000)
    ready = page.evaluate(f"window.{hook}.ready")
    clusters = page.evaluate("window.campusMap ? window.campusMap.renderedClusters().length : null")
    context.close()
    if errors or ready.get("error") or not ready.get("sites"):
        raise RuntimeError(f"{url}: {errors or ready}")
    return {"first_render_s": ready["firstRenderAt"] / 1000, "clusters": clusters or 0}


def measure_pages(ours: str, bare: str, runs: int) -> dict[str, list[dict[str, float]]]:
    from playwright.sync_api import sync_playwright

    results: dict[str, list[dict[str, float]]] = {"ours": [], "bare": []}
    pages = {"ours": (ours, "campusMap"), "bare": (bare, "bareMap")}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        for url, hook in pages.values():  # one warm-up of each, not counted
            measure_page(browser, url, hook)
        for run in range(runs):
            order = ["ours", "bare"] if run % 2 == 0 else ["bare", "ours"]
            for name in order:
                results[name].append(measure_page(browser, *pages[name]))
                last = results[name][-1]
                print(
                    f"  run {run + 1:2d} {name:4s} first render {last['first_render_s']:6.2f} s",
                    file=sys.stderr,
                )
        browser.close()
    return results


def chosen_sites(db: Path, count: int) -> list[str]:
    """`count` site codes spread over the store (every k-th), the full-3D ones first."""
    with sqlite3.connect(db) as conn:
        codes = [row[0] for row in conn.execute("SELECT site_code FROM sites ORDER BY site_code")]
    step = max(1, len(codes) // count)
    return codes[:2] + codes[2::step][: count - 2]


def measure_site_geojson(base: str, db: Path, sites: list[str], repeats: int = 3) -> dict[str, Any]:
    """Per site and layer: HTTP and raw SQL times (ms), alternating; medians."""
    import httpx

    times: dict[str, list[float]] = {}

    def timed(key: str, action: Any) -> None:
        started = time.perf_counter()
        action()
        times.setdefault(key, []).append((time.perf_counter() - started) * 1000)

    with httpx.Client(base_url=base) as client, sqlite3.connect(db) as conn:
        client.get("/api/palette")  # warm the connection; the layers stay cold
        for code in sites[:5]:
            conn.execute(RAW_ROOMS, (code,)).fetchall()
        # The first pass builds each layer (cold); later ones are served from the layer cache.
        for rep in range(repeats):
            kind = "cold" if rep == 0 else "served"
            for code in sites:
                for layer, raw in (("rooms", RAW_ROOMS), ("footprints", RAW_FOOTPRINTS)):

                    def http(code: str = code, layer: str = layer) -> None:
                        response = client.get(f"/api/sites/{code}/geojson", params={"layer": layer})
                        response.raise_for_status()
                        response.json()

                    timed(f"{layer} http {kind}", http)
                    timed(f"{layer} sql", lambda c=code, q=raw: conn.execute(q, (c,)).fetchall())
                timed("http floor", lambda: client.get("/api/palette").raise_for_status())
            timed("map sites http", lambda: client.get("/api/map/sites").raise_for_status())
    medians = {key: statistics.median(values) for key, values in times.items()}
    medians["queries"] = len(times["rooms sql"])
    return medians


def report(
    pages: dict[str, list[dict[str, float]]], geojson: dict[str, Any], sites: int
) -> dict[str, Any]:
    def median(name: str) -> float:
        return statistics.median(run["first_render_s"] for run in pages[name])

    summary: dict[str, Any] = {
        "sites": sites,
        "runs": len(pages["ours"]),
        "first_render_s": {"ours": median("ours"), "bare": median("bare")},
        "clusters_drawn": statistics.median(run["clusters"] for run in pages["ours"]),
        "geojson_ms": geojson,
    }
    summary["ratios"] = {
        "first render": summary["first_render_s"]["ours"] / summary["first_render_s"]["bare"],
        "site rooms GeoJSON": geojson["rooms http served"] / geojson["rooms sql"],
        "site rooms GeoJSON cold": geojson["rooms http cold"] / geojson["rooms sql"],
        "site footprints GeoJSON": geojson["footprints http served"] / geojson["footprints sql"],
        "site footprints GeoJSON cold": geojson["footprints http cold"] / geojson["footprints sql"],
    }
    return summary


def _row(label: str, ours: float, other: float, digits: int, note: str = "") -> str:
    ratio = ours / other if other else float("nan")
    return f"{label:30s} {ours:10.{digits}f} {other:10.{digits}f} {ratio:8.2f}  {note}".rstrip()


def print_report(summary: dict[str, Any]) -> None:
    first, g = summary["first_render_s"], summary["geojson_ms"]
    print(f"{summary['sites']} sites; medians of {summary['runs']} alternating runs")
    print(f"{'':30s} {'ours':>10s} {'baseline':>10s} {'ratio':>8s}")
    note = f"/map vs bare maplibre page, sites inlined ({summary['clusters_drawn']:.0f} clusters)"
    print(_row("first render (s)", first["ours"], first["bare"], 2, note))
    per = f"vs raw SQL, median over {g['queries']} site queries"
    for layer in ("rooms", "footprints"):
        for kind in ("cold", "served"):
            label = f"site {layer}, HTTP {kind} (ms)"
            print(_row(label, g[f"{layer} http {kind}"], g[f"{layer} sql"], 2, per))
    print(f"{'HTTP floor (ms)':30s} {g['http floor']:10.2f}  (GET /api/palette)")
    print(f"{'GET /api/map/sites (ms)':30s} {g['map sites http']:10.2f}  (every site, KPIs)")
    geo = summary.get("geojson_bench", {})
    if geo:
        print("geojson_bench.measure_geojson (in-process; its own raw queries), ms:")
        for site, layers in geo.items():
            for layer, r in layers.items():
                print(
                    f"  {site} {layer:10s} {r['features']:5d} features  cold {r['cold_ms']:8.2f}"
                    f" ({r['cold_ratio']}×)  served {r['served_ms']:7.3f} ({r['served_ratio']}×)"
                    f"  raw SQL {r['raw_sql_ms']:7.3f}"
                )
    print(f"ratio first render: {summary['ratios']['first render']:.2f} (reported; no goal set)")
    cold = summary["ratios"]["site rooms GeoJSON cold"]
    print(f"site rooms GeoJSON cold over HTTP: {cold:.2f}× raw SQL (beside the goal)")
    for name, goal in GOALS.items():
        ratio = summary["ratios"][name]
        verdict = "met" if ratio <= goal else "NOT met"
        print(f"goal {name} (served over HTTP): {ratio:.2f} ≤ {goal} … {verdict}")


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--sites", type=int, default=700, help="portfolio size (700)")
    parser.add_argument("--runs", type=int, default=10, help="alternating runs per page (10)")
    parser.add_argument("--site-queries", type=int, default=40, help="sites timed (40)")
    parser.add_argument("--db", type=Path, help="an existing store instead of a new portfolio")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON too")
    return parser.parse_args(argv)


def main(argv: Sequence[str]) -> int:
    args = parse_args(argv)
    if not Path(CHROMIUM).exists():
        print("Debian chromium is missing: apt-get install -y chromium", file=sys.stderr)
        return 2
    if not (WEB / "dist" / "map.html").exists() or not (WEB / "node_modules").is_dir():
        print(
            "build the web client first: cd viewer/web && npm ci && npm run build", file=sys.stderr
        )
        return 2
    import httpx

    with tempfile.TemporaryDirectory(prefix="map-bench-") as temporary:
        folder = Path(temporary)
        if args.db:
            db = args.db
        else:
            print(f"writing a {args.sites}-site portfolio…", file=sys.stderr)
            db = make_portfolio(folder, args.sites)
        with twin_server(db, folder / "cache") as base:
            sites = httpx.get(f"{base}/api/map/sites", timeout=60).json()
            bare = folder / "bare"
            bare.mkdir()
            build_bare_page(bare, sites)
            with static_server(bare) as bare_base:
                print(f"timing first render over {args.runs} runs…", file=sys.stderr)
                pages = measure_pages(f"{base}/map", f"{bare_base}/index.html", args.runs)
            print("timing per-site GeoJSON…", file=sys.stderr)
            chosen = chosen_sites(db, args.site_queries)
            geojson = measure_site_geojson(base, db, chosen)
        summary = report(pages, geojson, len(sites["features"]))
        summary["geojson_bench"] = {
            code: measure_geojson(db, code, repeat=7) for code in (chosen[0], *chosen[2:4])
        }
    print_report(summary)
    if args.json:
        print(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
