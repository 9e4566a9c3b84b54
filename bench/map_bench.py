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
`layer=footprints`) over HTTP, the first request (the layer made; on a new store its
geometries made and kept too) and later ones (served from the layer cache), against
the raw SQL baseline of bench/geojson_bench.py (`raw_layer_rows`: the same rows and
columns through the indexes; one definition for both benchmarks). Each is printed
against raw SQL alone and against raw SQL plus the HTTP floor (`GET /api/palette`,
which reads nothing: what any HTTP answer pays); the goal is served ≤ 3× on both.
Then, on the full-3D site and two synthetic ones, `measure_geojson` (imported from
bench/geojson_bench.py): each layer in process, from the store without the layer
cache (cold) and served, against the same raw SQL; and `map_sites` made in process
(what `/api/map/sites` pays after a change; it is kept until then).
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

from bench.geojson_bench import measure_geojson, print_table, raw_layer_rows  # noqa: E402
from bench.viewer_bench import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    VIEWPORT,
    missing_browser_or_client,
    static_server,
    twin_server,
)
from twin.store import open_store  # noqa: E402

WEB = ROOT / "viewer" / "web"
BARE_SOURCE = ROOT / "bench" / "bare_map"
GOALS = {"site rooms GeoJSON served": 3.0, "site rooms GeoJSON served vs SQL+floor": 3.0}

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
            raw_layer_rows(conn, code, "rooms")
        # The first pass makes each layer (first use: geometries made and kept too);
        # later ones are served from the layer cache.
        for rep in range(repeats):
            kind = "first" if rep == 0 else "served"
            for code in sites:
                for layer in ("rooms", "footprints"):

                    def http(code: str = code, layer: str = layer) -> None:
                        response = client.get(f"/api/sites/{code}/geojson", params={"layer": layer})
                        response.raise_for_status()

                    timed(f"{layer} http {kind}", http)
                    timed(f"{layer} sql", lambda c=code, la=layer: raw_layer_rows(conn, c, la))
                timed("http floor", lambda: client.get("/api/palette").raise_for_status())
            timed("map sites http", lambda: client.get("/api/map/sites").raise_for_status())
    medians = {key: statistics.median(values) for key, values in times.items()}
    medians["queries"] = len(times["rooms sql"])
    return medians


def time_map_sites(db: Path, repeats: int = 3) -> float:
    """Median ms of `map_sites` made in process (what the first request after a change pays)."""
    from twin.geo.sites import map_sites

    engine = open_store(str(db))
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        map_sites(engine)
        times.append((time.perf_counter() - started) * 1000)
    engine.dispose()
    return statistics.median(times)


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
    floor = geojson["http floor"]
    summary["ratios"] = {
        "first render": summary["first_render_s"]["ours"] / summary["first_render_s"]["bare"],
    }
    for layer in ("rooms", "footprints"):
        sql = geojson[f"{layer} sql"]
        for kind in ("served", "first"):
            http = geojson[f"{layer} http {kind}"]
            summary["ratios"][f"site {layer} GeoJSON {kind}"] = http / sql
            summary["ratios"][f"site {layer} GeoJSON {kind} vs SQL+floor"] = http / (sql + floor)
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
        for kind in ("first", "served"):
            label = f"site {layer}, HTTP {kind} (ms)"
            print(_row(label, g[f"{layer} http {kind}"], g[f"{layer} sql"], 2, per))
            plus = g[f"{layer} sql"] + g["http floor"]
            print(_row("  … vs raw SQL + HTTP floor", g[f"{layer} http {kind}"], plus, 2))
    print(f"{'HTTP floor (ms)':30s} {g['http floor']:10.2f}  (GET /api/palette)")
    print(f"{'GET /api/map/sites (ms)':30s} {g['map sites http']:10.2f}  (kept; every site, KPIs)")
    made = summary.get("map_sites_ms")
    if made:
        print(f"{'map_sites() made (ms)':30s} {made:10.2f}  (in process, what a change costs)")
    for site, layers in summary.get("geojson_bench", {}).items():
        print_table(site, layers)
    print(f"ratio first render: {summary['ratios']['first render']:.2f} (reported; no goal set)")
    for name, goal in GOALS.items():
        ratio = summary["ratios"][name]
        verdict = "met" if ratio <= goal else "NOT met"
        print(f"goal {name} (over HTTP): {ratio:.2f} ≤ {goal} … {verdict}")


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
    if problem := missing_browser_or_client("map.html"):
        print(problem, file=sys.stderr)
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
            code: measure_geojson(db, code, repeat=15) for code in (chosen[0], *chosen[2:4])
        }
        summary["map_sites_ms"] = time_map_sites(db)
    print_report(summary)
    if args.json:
        print(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
