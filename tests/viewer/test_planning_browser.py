"""The planning colour modes in chromium: "area vs standard" and "department", by pixels.

The sample campus with the sample organisation is served; the page, in the
"standard" mode, must show an over-standard office in the over colour and a
within-standard one in the within colour (different colours), an idle one in the
idle colour, and in "department" mode an allocated office in its department's colour.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.planning_stores import planned_store
from tests.processes import serve_twin
from tests.viewer.test_browser import (
    Page,
    launched_chromium,
    require_browser,
)
from twin.rooms import list_rooms
from twin.store import open_store
from viewer.palette import colour_for, legend

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def planned(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    require_browser()
    folder = tmp_path_factory.mktemp("planned-campus")
    db = planned_store(folder, buildings=2)
    engine = open_store(str(db))
    rooms = {room["room_code"]: room for room in list_rooms(engine)}
    engine.dispose()
    with serve_twin(db, folder / "serve.log") as (base, _process):
        yield {"base": base, "rooms": rooms}


@pytest.fixture(scope="module")
def page(planned: dict[str, Any]) -> Iterator[Page]:
    with launched_chromium() as chromium:
        opened = Page(chromium, planned["base"], viewport={"width": 1280, "height": 800})
        yield opened
        opened.close()


def _first(rooms: dict[str, Any], standing: str) -> dict[str, Any]:
    return next(r for r in rooms.values() if r["area_standard"] == standing)


def test_area_vs_standard_colours_over_and_within_apart(
    page: Page, planned: dict[str, Any], tmp_path: Path
) -> None:
    rooms = planned["rooms"]
    assert "standard" in page.hook("modes")
    page.page.select_option("#colour-mode", "standard")
    page.settle()
    assert page.call("window.campusTwin.colourMode") == "standard"
    over, within, idle = (_first(rooms, s) for s in ("over", "within", "idle"))
    over_colour, within_colour = colour_for("standard", over), colour_for("standard", within)
    assert over_colour != within_colour
    for room in (over, within, idle):
        page.hook("viewRoom", room["room_code"])
        page.settle()
        assert page.shows_colour(room["room_code"], colour_for("standard", room)), room
    # The over-standard room is not shown in the within colour, nor the other way round.
    page.hook("viewRoom", over["room_code"])
    page.settle()
    assert not page.shows_colour(over["room_code"], within_colour)
    page.page.screenshot(path=str(tmp_path / "standard.png"))
    shown = [r for r in rooms.values() if r["storey_code"] == over["storey_code"]]
    assert page.hook("currentLegend") == legend("standard", shown)
    assert page.errors == []


def test_department_mode_colours_allocated_offices(page: Page, planned: dict[str, Any]) -> None:
    rooms = planned["rooms"]
    allocated = [r for r in rooms.values() if r["department"]][:3]
    assert allocated
    page.hook("setColourMode", "department")
    for room in allocated:
        page.hook("viewRoom", room["room_code"])
        page.settle()
        assert page.shows_colour(room["room_code"], colour_for("department", room)), room
    assert page.errors == []


def test_the_room_panel_says_how_an_office_stands(page: Page, planned: dict[str, Any]) -> None:
    rooms = planned["rooms"]
    over = _first(rooms, "over")
    assert page.hook("openRoom", over["room_code"]) == over["room_code"]
    assert page.details_title() == over["room_code"]
    people = "1 person" if over["occupants"] == 1 else f"{over['occupants']} people"
    expected = f"Over by {over['over_standard_m2']:g} m² ({people})"
    assert expected in page.page.inner_text("#details-body")
    idle = _first(rooms, "idle")
    page.hook("openRoom", idle["room_code"])
    page.page.wait_for_function(
        f"document.getElementById('details-title').textContent === '{idle['room_code']}'"
    )
    assert "Idle: nobody assigned" in page.page.inner_text("#details-body")
    meeting = next(r for r in rooms.values() if r["usage"] == "meeting")
    page.hook("openRoom", meeting["room_code"])
    page.page.wait_for_function(
        f"document.getElementById('details-title').textContent === '{meeting['room_code']}'"
    )
    assert "Area vs standard" not in page.page.inner_text("#details-body")
    assert page.errors == []
