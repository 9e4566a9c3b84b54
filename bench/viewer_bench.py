"""How fast the 3D page draws the campus, against a naive one-mesh-per-product page.

On a `twin sample` campus (20 buildings by default, or a store given with `--db`) it
serves our page with `twin serve` and, beside it, a bare three.js page
(`bench/naive/`) that loads one GLB per building with one mesh per IFC product, the
way a naive converter writes them, built here from the same stored meshes (Y-up, with
normals, stock materials). In headless Debian chromium (WebGL 2 on SwiftShader), the
two pages alternate over `--runs` runs, each in a fresh browser context:

- ``first frame``: from navigation start until every building is loaded and a frame is
  drawn and finished (a 1-pixel `readPixels` after `render`, so the GPU work is done);
- ``frame time``: the mean of 10 finished frames while the camera turns round the
  campus, the same framing on both pages.

Cells are medians over the runs. Goals: first frame ≤ 0.7× the naive page, frame time
≤ 0.2× (5× the frame rate). It also prints the GLB bytes per room of both, and the p95
latency of `GET /api/rooms?q=` against the same search in raw SQL on the same store
(goal ≤ 3×). The exit status is 0 whether or not a goal is met (2 if it cannot start).
Absolute times mean little on a shared machine; the ratios are measured side by side.

    .venv/bin/python bench/viewer_bench.py [--buildings 20] [--runs 10] [--db twin.db] [--json]
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import os
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from models.geometry import Mesh  # noqa: E402
from twin.store import open_store  # noqa: E402
from twin.store import schema as t  # noqa: E402

WEB = ROOT / "viewer" / "web"
NAIVE_SOURCE = ROOT / "bench" / "naive"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 1280, "height": 800}
GOALS = {"first frame": 0.7, "frame time": 0.2, "search p95": 3.0}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


# --- the campus and the naive GLBs ---------------------------------------------------


def make_campus(folder: Path, buildings: int) -> Path:
    """Write and import a `twin sample` campus; returns the store's path."""
    from bim_import.sample.campus import write_sample_campus
    from twin.importer import import_models

    files = write_sample_campus(folder / "campus.ifc", buildings=buildings, seed=1)
    db = folder / "campus.db"
    engine = open_store(str(db))
    import_models(engine, list(files.ifc_files), site_code="WZ01")
    engine.dispose()
    return db


def write_naive_glbs(db: Path, out: Path) -> dict[str, int]:
    """One GLB per building, one node and mesh per product (room or element); bytes by file."""
    import trimesh
    from sqlalchemy import select

    engine = open_store(str(db), create=False)
    colours = {"room": [200, 200, 200, 255], "wall": [230, 225, 216, 255]}
    sizes: dict[str, int] = {}
    with engine.connect() as conn:
        buildings = conn.execute(select(t.buildings.c.building_code)).scalars().all()
        for building in buildings:
            scene = trimesh.Scene()
            rows = conn.execute(
                select(
                    t.meshes.c.owner_id, t.meshes.c.vertices, t.meshes.c.faces, t.elements.c.kind
                )
                .outerjoin(t.elements, t.elements.c.element_id == t.meshes.c.owner_id)
                .outerjoin(t.rooms, t.rooms.c.room_code == t.meshes.c.owner_id)
                .where(t.meshes.c.building_code == building)
                .where((t.rooms.c.status == "active") | t.rooms.c.status.is_(None))
            )
            for owner, vertices, faces, kind in rows:
                mesh = Mesh.from_bytes(vertices, faces)
                v = mesh.vertices
                product = trimesh.Trimesh(np.column_stack([v[:, 0], v[:, 2], -v[:, 1]]), mesh.faces)
                colour = colours.get(kind or "room", [160, 170, 180, 255])
                product.visual = trimesh.visual.TextureVisuals(
                    material=trimesh.visual.material.PBRMaterial(baseColorFactor=colour)
                )
                scene.add_geometry(product, node_name=owner, geom_name=owner)
            content = trimesh.exchange.gltf.export_glb(scene, include_normals=True)
            name = f"{building}.glb"
            (out / name).write_bytes(content)
            sizes[name] = len(content)
    engine.dispose()
    (out / "glbs.json").write_text(json.dumps(sorted(sizes)))
    return sizes


def build_naive_page(out: Path) -> None:
    """Bundle bench/naive/naive.js with the viewer's own three.js and esbuild."""
    esbuild = WEB / "node_modules" / ".bin" / "esbuild"
    env = {**os.environ, "NODE_PATH": str(WEB / "node_modules")}
    subprocess.run(
        [
            str(esbuild),
            str(NAIVE_SOURCE / "naive.js"),
            "--bundle",
            "--format=esm",
            "--target=es2022",
            "--minify",
            f"--outfile={out / 'app.js'}",
            "--log-level=warning",
        ],
        check=True,
        env=env,
    )
    (out / "index.html").write_bytes((NAIVE_SOURCE / "index.html").read_bytes())


@contextmanager
def static_server(folder: Path) -> Iterator[str]:
    """A quiet static file server for the naive page on a free loopback port."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return

    handler = functools.partial(Quiet, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", _free_port()), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def twin_server(db: Path, cache: Path) -> Iterator[str]:
    """`twin serve` over `db` on a free port, until the block ends."""
    import httpx

    port = _free_port()
    env = {**os.environ, "TWIN_CACHE_DIR": str(cache)}
    process = subprocess.Popen(
        [sys.executable, "-m", "api.cli", "serve", "--port", str(port), "--db", str(db)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"twin serve exited with {process.returncode}")
            try:
                if httpx.get(f"{base}/api/buildings", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("twin serve did not answer within 60 s")
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# --- the measurements ----------------------------------------------------------------


def measure_page(browser: Any, url: str, xray: bool = False) -> dict[str, float]:
    """One run in a fresh context: first finished frame, then 10 frames of a turning camera."""
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(url)
    page.wait_for_function(
        "window.campusTwin && window.campusTwin.loadedBuildings + window.campusTwin.failedBuildings"
        " === window.campusTwin.totalBuildings",
        timeout=600_000,
    )
    ready = page.evaluate("window.campusTwin.ready")
    if errors or ready.get("error") or ready["loaded"] != ready["total"]:
        raise RuntimeError(f"{url}: {errors or ready}")
    times = page.evaluate("window.campusTwin.rotateFrames(10, 3)")
    calls = page.evaluate("window.campusTwin.drawCalls()")
    result = {
        "first_frame_s": ready["firstFrameAt"] / 1000,
        "frame_ms": statistics.mean(times),
        "draw_calls": calls,
    }
    if xray:
        # X-ray draws every service too: reported beside the goal, not instead of it.
        page.evaluate("window.campusTwin.setXray(true)")
        result["xray_frame_ms"] = statistics.mean(
            page.evaluate("window.campusTwin.rotateFrames(10, 3)")
        )
        result["xray_draw_calls"] = page.evaluate("window.campusTwin.drawCalls()")
    context.close()
    return result


def measure_pages(ours: str, naive: str, runs: int) -> dict[str, list[dict[str, float]]]:
    from playwright.sync_api import sync_playwright

    results: dict[str, list[dict[str, float]]] = {"ours": [], "naive": []}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        # One warm-up of each (server caches, disk cache of the OS), not counted.
        measure_page(browser, ours)
        measure_page(browser, naive)
        for run in range(runs):
            order = [("ours", ours), ("naive", naive)]
            if run % 2:
                order.reverse()
            for name, url in order:
                results[name].append(measure_page(browser, url, xray=name == "ours"))
                last = results[name][-1]
                print(
                    f"  run {run + 1:2d} {name:5s} first frame {last['first_frame_s']:6.2f} s"
                    f"  frame {last['frame_ms']:8.1f} ms",
                    file=sys.stderr,
                )
        browser.close()
    return results


def search_terms(db: Path, count: int = 50) -> list[str]:
    """Codes, code prefixes, parts of names and misses, as people type them."""
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT room_code, name FROM rooms WHERE status = 'active' ORDER BY room_code"
        ).fetchall()
    step = max(1, len(rows) // count)
    picked = rows[::step][:count]
    terms = [code for code, _ in picked]
    terms += [code[: len("WZ01-B01-F0")] for code, _ in picked]
    terms += [name[: max(2, len(name) // 2)] for _, name in picked]
    terms += [f"zz{i}" for i in range(count)]
    return terms


RAW_SEARCH = """
SELECT room_code, building_code, storey_code, name, long_name, usage,
       net_floor_area_m2, height_m, status, count(*) OVER () AS total
FROM rooms
WHERE status = 'active'
  AND (room_code LIKE :contains OR name LIKE :contains OR long_name LIKE :contains)
ORDER BY CASE WHEN room_code = :code THEN 0
              WHEN room_code LIKE :prefix THEN 1
              WHEN room_code LIKE :contains THEN 2
              ELSE 3 END,
         room_code
LIMIT :limit
"""


def measure_search(base: str, db: Path, repeats: int = 3) -> dict[str, float]:
    """p95 of GET /api/rooms?q= against the same search in raw SQL, alternating."""
    import httpx

    terms = search_terms(db)
    api_ms: list[float] = []
    sql_ms: list[float] = []
    floor_ms: list[float] = []
    with httpx.Client(base_url=base) as client, sqlite3.connect(db) as conn:
        for term in terms[:10]:  # warm both
            client.get("/api/rooms", params={"q": term, "limit": 20})
            conn.execute(RAW_SEARCH, _sql_params(term)).fetchall()
        for _ in range(repeats):
            for term in terms:
                started = time.perf_counter()
                response = client.get("/api/rooms", params={"q": term, "limit": 20})
                response.raise_for_status()
                response.json()
                api_ms.append((time.perf_counter() - started) * 1000)
                started = time.perf_counter()
                conn.execute(RAW_SEARCH, _sql_params(term)).fetchall()
                sql_ms.append((time.perf_counter() - started) * 1000)
                # The HTTP floor: a route that reads nothing (the palette).
                started = time.perf_counter()
                client.get("/api/palette").raise_for_status()
                floor_ms.append((time.perf_counter() - started) * 1000)
    return {
        "api_p95_ms": float(np.percentile(api_ms, 95)),
        "sql_p95_ms": float(np.percentile(sql_ms, 95)),
        "http_floor_p95_ms": float(np.percentile(floor_ms, 95)),
        "queries": len(api_ms),
    }


def _sql_params(term: str) -> dict[str, Any]:
    escaped = term.replace("%", r"\%").replace("_", r"\_")
    return {
        "contains": f"%{escaped}%",
        "prefix": f"{escaped}%",
        "code": term.upper(),
        "limit": 20,
    }


# --- the report ----------------------------------------------------------------------


def report(
    pages: dict[str, list[dict[str, float]]],
    ours_bytes: int,
    naive_bytes: int,
    rooms: int,
    search: dict[str, float],
) -> dict[str, Any]:
    def median(name: str, key: str) -> float:
        return statistics.median(run[key] for run in pages[name])

    summary: dict[str, Any] = {
        "runs": len(pages["ours"]),
        "rooms": rooms,
        "first_frame_s": {
            "ours": median("ours", "first_frame_s"),
            "naive": median("naive", "first_frame_s"),
        },
        "frame_ms": {"ours": median("ours", "frame_ms"), "naive": median("naive", "frame_ms")},
        "draw_calls": {
            "ours": median("ours", "draw_calls"),
            "naive": median("naive", "draw_calls"),
        },
        "xray_frame_ms": median("ours", "xray_frame_ms"),
        "xray_draw_calls": median("ours", "xray_draw_calls"),
        "glb_bytes_per_room": {"ours": ours_bytes / rooms, "naive": naive_bytes / rooms},
        "search": search,
    }
    summary["ratios"] = {
        "first frame": summary["first_frame_s"]["ours"] / summary["first_frame_s"]["naive"],
        "frame time": summary["frame_ms"]["ours"] / summary["frame_ms"]["naive"],
        "search p95": search["api_p95_ms"] / search["sql_p95_ms"],
    }
    return summary


def _row(label: str, ours: float, other: float, digits: int, note: str = "") -> str:
    ratio = ours / other if other else float("nan")
    return f"{label:22s} {ours:12.{digits}f} {other:12.{digits}f} {ratio:8.3f}  {note}".rstrip()


def print_report(summary: dict[str, Any]) -> None:
    first, frame = summary["first_frame_s"], summary["frame_ms"]
    calls, size = summary["draw_calls"], summary["glb_bytes_per_room"]
    search = summary["search"]
    print(f"medians of {summary['runs']} alternating runs, {summary['rooms']} rooms")
    print(f"{'':22s} {'ours':>12s} {'naive':>12s} {'ratio':>8s}")
    print(_row("first frame (s)", first["ours"], first["naive"], 2))
    print(_row("frame time (ms)", frame["ours"], frame["naive"], 1))
    print(_row("draw calls", calls["ours"], calls["naive"], 0))
    print(_row("GLB bytes per room", size["ours"], size["naive"], 0))
    xray_note = f"ours with every service drawn ({summary['xray_draw_calls']:.0f} draw calls)"
    print(_row("X-ray frame (ms)", summary["xray_frame_ms"], frame["naive"], 1, xray_note))
    search_note = f"API vs raw SQL, {search['queries']} queries"
    print(_row("rooms?q= p95 (ms)", search["api_p95_ms"], search["sql_p95_ms"], 2, search_note))
    print(f"{'HTTP floor p95 (ms)':22s} {search['http_floor_p95_ms']:12.2f}  (GET /api/palette)")
    for name, goal in GOALS.items():
        ratio = summary["ratios"][name]
        verdict = "met" if ratio <= goal else "NOT met"
        print(f"goal {name}: {ratio:.3f} ≤ {goal} … {verdict}")


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--buildings", type=int, default=20, help="sample campus size (20)")
    parser.add_argument("--runs", type=int, default=10, help="alternating runs per page (10)")
    parser.add_argument("--db", type=Path, help="an existing store instead of a new sample")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON too")
    return parser.parse_args(argv)


def missing_browser_or_client(page: str) -> str | None:
    """Why a page benchmark cannot run here (no chromium, `page` not built), or None."""
    if not Path(CHROMIUM).exists():
        return "Debian chromium is missing: apt-get install -y chromium"
    if not (WEB / "dist" / page).exists() or not (WEB / "node_modules").is_dir():
        return "build the web client first: cd viewer/web && npm ci && npm run build"
    return None


def main(argv: Sequence[str]) -> int:
    args = parse_args(argv)
    if problem := missing_browser_or_client("index.html"):
        print(problem, file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="viewer-bench-") as temporary:
        folder = Path(temporary)
        if args.db:
            db = args.db
        else:
            print(
                f"writing and importing a {args.buildings}-building sample campus…", file=sys.stderr
            )
            db = make_campus(folder, args.buildings)
        naive = folder / "naive"
        naive.mkdir()
        print("writing the naive GLBs and page…", file=sys.stderr)
        naive_sizes = write_naive_glbs(db, naive)
        build_naive_page(naive)
        import httpx

        with twin_server(db, folder / "cache") as ours, static_server(naive) as naive_base:
            buildings = httpx.get(f"{ours}/api/buildings").json()
            print(f"building our GLBs of {len(buildings)} buildings…", file=sys.stderr)
            ours_bytes = sum(
                len(
                    httpx.get(
                        f"{ours}/api/buildings/{b['building_code']}/model.glb", timeout=600
                    ).content
                )
                for b in buildings
            )
            rooms = sum(b["rooms"] for b in buildings)
            pages = measure_pages(f"{ours}/", f"{naive_base}/", args.runs)
            search = measure_search(ours, db)
        summary = report(pages, ours_bytes, sum(naive_sizes.values()), rooms, search)
    print_report(summary)
    if args.json:
        print(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
