"""The network tools on the 3D page in Debian's chromium: a crew opens a room, picks the
leaking pipe from the room's services, and asks "Isolate", "Trace up" and "Trace down";
the valves to close, the traced run and the rooms losing water are drawn on top.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy import select

from tests.campus_stores import sample_store
from tests.processes import serve_twin
from tests.viewer.test_browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    Page,
    require_browser,
)
from twin.store import open_store
from twin.store import schema as t

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def leak(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """`twin serve` over the 3-building sample, and its first answer-file leak."""
    require_browser()
    folder = tmp_path_factory.mktemp("network-campus")
    db = sample_store(folder, buildings=3)
    first = json.loads((folder / "campus.answers.json").read_text(encoding="utf-8"))["leaks"][0]
    engine = open_store(str(db))
    with engine.connect() as conn:
        ids = dict(conn.execute(select(t.elements.c.global_id, t.elements.c.element_id)).all())
        element = ids[first["element"]]
        room = conn.execute(
            select(t.runs_through.c.room_code).where(t.runs_through.c.element_id == element)
        ).scalar()
    engine.dispose()
    assert room, "the leaking branch runs through a room"
    with serve_twin(db, folder / "serve.log") as (base, _process):
        yield {
            "base": base,
            "element": element,
            "room": room,
            "valves": [ids[v] for v in first["valves_to_close"]],
        }


@pytest.fixture(scope="module")
def page(leak: dict[str, Any]) -> Iterator[Page]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        opened = Page(chromium, leak["base"], viewport={"width": 1280, "height": 800})
        yield opened
        opened.close()
        chromium.close()


def _pixels(page: Page, x: float, y: float, size: int = 9) -> list[tuple[int, int, int]]:
    from PIL import Image

    half = size // 2
    png = page.page.screenshot(
        clip={"x": round(x) - half, "y": round(y) - half, "width": size, "height": size}
    )
    image = Image.open(io.BytesIO(png)).convert("RGB")
    return [(int(r), int(g), int(b)) for r, g, b in np.asarray(image).reshape(-1, 3)]


def _result(page: Page, contains: str) -> str:
    page.page.wait_for_function(
        f"(document.querySelector('.network-result') || {{}}).textContent?.includes({contains!r})",
        timeout=30_000,
    )
    text: str = page.page.inner_text(".network-result")
    return text


def test_isolate_and_trace_from_the_element_panel(
    page: Page, leak: dict[str, Any], tmp_path: Path
) -> None:
    assert page.hook("openRoom", leak["room"]) == leak["room"]
    page.page.click(f"#details-body a:text-is('{leak['element']}')")
    page.page.wait_for_function(
        f"window.campusTwin.detailsCode === {leak['element']!r}", timeout=10_000
    )
    assert page.details_title() == leak["element"]

    page.page.click("button[data-network='isolate']")
    text = _result(page, "close")
    assert all(valve in text for valve in leak["valves"])
    shown = page.call("window.campusTwin.network.shown()")
    assert shown["valves"] == len(leak["valves"])
    assert shown["rooms"] == 3 and shown["terminals"] == 3
    page.hook("viewElement", leak["valves"][0])
    page.settle()
    centre = page.hook("projectElementCentre", leak["valves"][0])
    assert centre is not None
    page.page.screenshot(path=str(tmp_path / "isolate.png"))
    colour = page.call("window.campusTwin.network.colours.valve")
    wanted = tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))
    marked = [
        p
        for p in _pixels(page, centre["x"], centre["y"])
        if max(abs(a - b) for a, b in zip(p, wanted, strict=True)) <= 12
    ]
    assert len(marked) >= 10, "the valve to close is drawn on top in its own colour"

    page.page.click("button[data-network='up']")
    text = _result(page, "Municipal water connection")
    assert page.call("window.campusTwin.network.shown()")["elements"] > 10

    page.page.click("button[data-network='down']")
    _result(page, "terminal(s) downstream")
    assert page.call("window.campusTwin.network.shown()")["elements"] >= 4
    page.page.screenshot(path=str(tmp_path / "trace-down.png"))

    page.page.click("button[data-network='clear']")
    assert page.call("window.campusTwin.network.shown()") == {
        "elements": 0,
        "valves": 0,
        "terminals": 0,
        "rooms": 0,
    }
    assert page.errors == []


def test_an_unknown_element_is_answered_in_words(page: Page) -> None:
    answer = page.page.evaluate("window.campusTwin.network.run('isolate', 'WZ01-B01-E999999')")
    assert answer is None
    status = page.page.inner_text("#status")
    assert "unknown element" in status
