"""The 3D page in Debian's chromium, driven by playwright, against `twin serve` on a sample campus.

What a person would check by eye, checked by pixels: every building loads without a
console error, rooms show their usage colour at their centre, another colour mode
recolours them and the legend follows, search and `/?room=CODE` open and highlight a
room, a click on a room opens its panel; then the same on a phone-sized screen.
Screenshots land in the test's tmp dir.

Pixels are read from screenshots (what is on the screen, panels included) in a 5×5 patch
around the point and at least 13 of the 25 must match: a riser pipe crossing a room's top
may hide the exact centre pixel. Rooms are drawn unlit, so a room's top is its palette
colour; the tolerance of 3 per channel covers the sRGB conversion of the vertex colours
(float to 8 bit) on SwiftShader.
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest

from tests.campus_stores import sample_store
from tests.processes import serve_twin
from twin.rooms import list_rooms, set_room
from twin.store import open_store
from viewer.palette import HIGHLIGHT_COLOUR, colour_for, legend
from viewer.web import dist_dir, source_dir

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PROJECT_ROOT = Path(__file__).resolve().parents[2]
TOLERANCE = 3
DEPARTMENTS = ("Finance", "Facilities 设施")
SEGMENTS = {"pipe_segment", "duct_segment", "cable_segment"}


# --- the server ----------------------------------------------------------------------


def _ensure_client_built() -> None:
    """Build the client when its sources are newer than the bundle (npm packages present)."""
    bundle = dist_dir() / "app.js"
    sources = [*(source_dir() / "src").iterdir(), source_dir() / "build.mjs"]
    stale = not bundle.exists() or max(p.stat().st_mtime for p in sources) > bundle.stat().st_mtime
    npm = shutil.which("npm")
    if stale and npm and (source_dir() / "node_modules").is_dir():
        subprocess.run([npm, "run", "build"], cwd=source_dir(), check=True, capture_output=True)
    if not (dist_dir() / "index.html").exists():
        pytest.skip(
            "the web client is not built: run `npm ci && npm run build` in viewer/web (`make`)"
        )


def require_browser() -> None:
    """Skip unless Debian chromium and playwright are there; build the client when stale."""
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium is missing: apt-get install -y chromium")
    pytest.importorskip(
        "playwright.sync_api", reason="playwright is missing: pip install playwright"
    )
    _ensure_client_built()


@contextmanager
def launched_chromium() -> Iterator[Any]:
    """Headless Debian chromium under playwright, closed when the block ends."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="module")
def campus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The 3-building sample campus, with departments set on a few rooms."""
    folder = tmp_path_factory.mktemp("campus")
    db = sample_store(folder, buildings=3)
    engine = open_store(str(db))
    rooms = list_rooms(engine)
    offices = [room for room in rooms if room["usage"] == "office"]
    for room, department in zip(offices[:2], DEPARTMENTS, strict=True):
        set_room(engine, room["room_code"], {"department": department})
    rooms = list_rooms(engine)
    engine.dispose()
    return {"db": db, "rooms": {room["room_code"]: room for room in rooms}, "folder": folder}


@pytest.fixture(scope="module")
def server(campus: dict[str, Any]) -> Iterator[str]:
    """`twin serve` on a free port over the campus; yields its base URL."""
    require_browser()
    log = campus["folder"] / "serve.log"
    cache = str(campus["folder"] / "cache")
    with serve_twin(campus["db"], log, TWIN_CACHE_DIR=cache) as (base, _process):
        yield base


@pytest.fixture(scope="module")
def browser(server: str) -> Iterator[Any]:
    with launched_chromium() as chromium:
        yield chromium


# --- the page ------------------------------------------------------------------------


class Page:
    """One browser page on the campus, recording console errors."""

    def __init__(self, browser: Any, base: str, path: str = "/", **context: Any) -> None:
        self.context = browser.new_context(**context)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on(
            "console",
            lambda message: self.errors.append(message.text) if message.type == "error" else None,
        )
        self.page.on("pageerror", lambda error: self.errors.append(f"page error: {error}"))
        self.buildings = len(httpx.get(f"{base}/api/buildings").json())
        self.page.goto(base + path)
        self.page.wait_for_function(
            f"window.campusTwin && window.campusTwin.loadedBuildings === {self.buildings}",
            timeout=90_000,
        )
        self.call("window.campusTwin.ready")

    def call(self, expression: str) -> Any:
        return self.page.evaluate(expression)

    def hook(self, function: str, *args: Any) -> Any:
        return self.page.evaluate(f"(args) => window.campusTwin.{function}(...args)", list(args))

    def settle(self) -> None:
        """Wait until no camera flight runs, then draw a finished frame."""
        self.page.wait_for_function("!window.campusTwin.flying", timeout=10_000)
        self.hook("finishFrame")

    def point(self, code: str) -> tuple[float, float]:
        found = self.hook("projectRoomCentre", code)
        assert found is not None, f"{code} is not in view"
        x, y = found["x"], found["y"]
        width, height = self.page.viewport_size["width"], self.page.viewport_size["height"]
        assert 2 <= x < width - 2 and 2 <= y < height - 2, (code, x, y)
        over = self.page.evaluate(f"document.elementFromPoint({x}, {y}).tagName")
        assert over == "CANVAS", f"{code}: a panel covers the room ({over})"
        return x, y

    def patch(self, x: float, y: float) -> list[tuple[int, int, int]]:
        from PIL import Image

        png = self.page.screenshot(
            clip={"x": round(x) - 2, "y": round(y) - 2, "width": 5, "height": 5}
        )
        image = Image.open(io.BytesIO(png)).convert("RGB")
        return [(int(r), int(g), int(b)) for r, g, b in np.asarray(image).reshape(-1, 3)]

    def shows_colour(self, code: str, colour: str) -> bool:
        wanted = tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))
        pixels = self.patch(*self.point(code))
        near = [
            p
            for p in pixels
            if max(abs(a - b) for a, b in zip(p, wanted, strict=True)) <= TOLERANCE
        ]
        return len(near) >= 13

    def details_title(self) -> str:
        self.page.wait_for_selector("#details:not([hidden]) #details-title", timeout=10_000)
        text: str = self.page.inner_text("#details-title")
        return text

    def close(self) -> None:
        self.context.close()


def _five_rooms_of_different_usage(rooms: dict[str, Any]) -> list[dict[str, Any]]:
    """The largest room of each of five usages (a big room shows a clear centre)."""
    by_usage: dict[str, dict[str, Any]] = {}
    for room in rooms.values():
        best = by_usage.get(room["usage"])
        if best is None or (room["net_floor_area_m2"] or 0) > (best["net_floor_area_m2"] or 0):
            by_usage[room["usage"]] = room
    chosen = sorted(by_usage.values(), key=lambda room: -(room["net_floor_area_m2"] or 0))[:5]
    assert len(chosen) == 5, sorted(by_usage)
    return chosen


def _two_pipes(base: str) -> list[dict[str, Any]]:
    """The widest pipe, duct or cable drawn instanced and the widest merged one, from the GLB."""
    content = httpx.get(f"{base}/api/buildings/WZ01-B01/model.glb").content
    length = int.from_bytes(content[12:16], "little")
    nodes = json.loads(content[20 : 20 + length])["nodes"]
    services = [
        node
        for node in nodes
        if node.get("extras", {}).get("group") == "services" and node["extras"].get("system")
    ]
    instanced: list[str] = []
    merged: list[str] = []
    for group in services:
        for child in (nodes[i] for i in group.get("children", [])):
            (instanced if "mesh" in child else merged).append(child["name"])
    chosen = []
    for candidates in (instanced, merged):
        pipes = [httpx.get(f"{base}/api/elements/{name}").json() for name in candidates[:60]]
        pipes = [p for p in pipes if p["kind"] in SEGMENTS and p["outer_diameter_m"]]
        assert pipes, "no pipe, duct or cable among these elements of the GLB"
        chosen.append(max(pipes, key=lambda p: p["outer_diameter_m"]))
    return chosen


def test_desktop(browser: Any, server: str, campus: dict[str, Any], tmp_path: Path) -> None:
    rooms = campus["rooms"]
    page = Page(browser, server, viewport={"width": 1280, "height": 800})
    page.page.screenshot(path=str(tmp_path / "campus.png"))
    assert page.call("window.campusTwin.loadedBuildings") == page.buildings == 3
    assert page.call("window.campusTwin.colourMode") == "usage"

    # Five rooms of five usages: each shows its usage colour at its centre.
    chosen = _five_rooms_of_different_usage(rooms)
    for room in chosen:
        code = room["room_code"]
        page.hook("viewRoom", code)
        page.settle()
        assert page.shows_colour(code, colour_for("usage", room)), (code, room["usage"])
    page.page.screenshot(path=str(tmp_path / "usage.png"))

    # Another mode recolours the rooms, and the legend follows (the storey now shown).
    last = chosen[-1]
    page.page.select_option("#colour-mode", "area")
    page.settle()
    assert page.call("window.campusTwin.colourMode") == "area"
    assert page.shows_colour(last["room_code"], colour_for("area", last))
    shown = [r for r in rooms.values() if r["storey_code"] == last["storey_code"]]
    assert page.hook("currentLegend") == legend("area", shown)
    keys = page.page.eval_on_selector_all(
        "#legend-list li", "items => items.map(i => i.dataset.key)"
    )
    assert keys == [entry["key"] for entry in legend("area", shown)]
    changed = 0
    for room in chosen:
        page.hook("viewRoom", room["room_code"])
        page.settle()
        assert page.shows_colour(room["room_code"], colour_for("area", room)), room["room_code"]
        changed += colour_for("area", room) != colour_for("usage", room)
    assert changed >= 3, "area colours should differ from usage colours for most rooms"
    page.page.screenshot(path=str(tmp_path / "area.png"))

    # Departments hash to colours in the page exactly as in Python (set by local edits).
    page.hook("setColourMode", "department")
    for room in rooms.values():
        if room["department"]:
            page.hook("viewRoom", room["room_code"])
            page.settle()
            assert page.shows_colour(room["room_code"], colour_for("department", room))
    page.hook("setColourMode", "usage")

    # Search by code: the list shows it, choosing it opens the panel and highlights the room.
    target = chosen[1]["room_code"]
    page.page.fill("#search-input", target.lower())
    page.page.click(f'#search-results li[data-code="{target}"]')
    assert page.details_title() == target
    page.settle()
    assert page.shows_colour(target, HIGHLIGHT_COLOUR)
    page.page.screenshot(path=str(tmp_path / "search.png"))

    # A click on a room's centre opens its panel.
    clicked = chosen[2]["room_code"]
    page.hook("viewRoom", clicked)
    page.settle()
    page.page.mouse.click(*page.point(clicked))
    page.page.wait_for_function(f"window.campusTwin.detailsCode === '{clicked}'")
    assert page.details_title() == clicked
    assert page.shows_colour(clicked, HIGHLIGHT_COLOUR)
    page.page.screenshot(path=str(tmp_path / "click.png"))

    # X-ray: a click on a pipe or cable (merged or drawn instanced) shows its system,
    # diameter and id; hiding its system in the filter takes it out of view.
    page.page.click("#xray")
    for element in _two_pipes(server):
        page.hook("viewElement", element["element_id"])
        page.settle()
        x, y = page.hook("projectElementCentre", element["element_id"]).values()
        page.page.mouse.click(x, y)
        page.page.wait_for_function(
            f"window.campusTwin.detailsCode === '{element['element_id']}'", timeout=10_000
        )
        details = page.page.inner_text("#details")
        system = element["systems"][0]["name"]
        assert system in details
        assert f"{round(element['outer_diameter_m'] * 1000)} mm" in details
        page.page.screenshot(path=str(tmp_path / f"xray-{element['element_id']}.png"))
        page.page.uncheck(f'#system-list label:has-text("{system}") input')
        page.page.mouse.click(x, y)
        # The pick runs after the next frame: wait for it (a loaded machine is slow) rather
        # than a fixed pause; a hidden pipe that is still picked keeps its id and times out.
        page.page.wait_for_function(
            f"window.campusTwin.detailsCode !== '{element['element_id']}'", timeout=10_000
        )
        page.page.check(f'#system-list label:has-text("{system}") input')
    page.page.click("#xray")
    assert page.errors == []
    page.close()

    # `/?room=CODE` opens the page on that room.
    opened = chosen[3]["room_code"]
    page = Page(browser, server, f"/?room={opened}", viewport={"width": 1280, "height": 800})
    assert page.details_title() == opened
    page.settle()
    assert page.shows_colour(opened, HIGHLIGHT_COLOUR)
    page.page.screenshot(path=str(tmp_path / "room-link.png"))
    assert page.errors == []
    page.close()


def test_phone(browser: Any, server: str, campus: dict[str, Any], tmp_path: Path) -> None:
    rooms = campus["rooms"]
    phone: dict[str, Any] = {
        "viewport": {"width": 390, "height": 844},
        "is_mobile": True,
        "has_touch": True,
        "device_scale_factor": 1,
    }
    page = Page(browser, server, **phone)
    page.page.screenshot(path=str(tmp_path / "phone-campus.png"))
    # Panels collapse: the building list hides behind its button.
    assert not page.page.is_visible("#nav")
    page.page.click("#toggle-nav")
    assert page.page.is_visible("#building-list")
    page.page.screenshot(path=str(tmp_path / "phone-nav.png"))
    page.page.click("#toggle-nav")
    assert not page.page.is_visible("#nav")

    chosen = _five_rooms_of_different_usage(rooms)
    for room in chosen[:3]:
        page.hook("viewRoom", room["room_code"])
        page.settle()
        assert page.shows_colour(room["room_code"], colour_for("usage", room)), room["room_code"]

    tapped = chosen[0]["room_code"]
    page.hook("viewRoom", tapped)
    page.settle()
    page.page.touchscreen.tap(*page.point(tapped))
    assert page.details_title() == tapped
    sheet = page.page.locator("#details").bounding_box()
    assert sheet is not None
    assert sheet["width"] <= 390 and sheet["y"] + sheet["height"] == pytest.approx(844, abs=1)
    page.page.screenshot(path=str(tmp_path / "phone-room.png"))
    assert page.errors == []
    page.close()

    page = Page(browser, server, f"/?room={chosen[4]['room_code']}", **phone)
    assert page.details_title() == chosen[4]["room_code"]
    page.page.screenshot(path=str(tmp_path / "phone-room-link.png"))
    assert page.errors == []
    page.close()
