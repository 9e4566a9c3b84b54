"""Maintenance mode in chromium: a room's hidden services drawn and labelled, drill checks by click.

On the one-building sample campus served by `twin serve`: open the room beside the
partition that hides the drop to a tap (known from the generator's plan), switch
"Maintenance" on with the real button, and see one label per hidden service the API
lists, with X-ray on. A real mouse click on the room's west wall where the drop runs
behind it drills there (into the wall, along its normal) and the panel lists the drop;
a click on the floor and one on the ceiling drill those surfaces; each answer is what
the API answers for the same drill, never "safe". Opening the room on the other side of
the partition shows its services instead. Switching off removes it all.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.maintenance_sample import SampleCampus
from tests.processes import serve_twin
from tests.viewer.test_browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    Page,
    require_browser,
)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    require_browser()
    folder = tmp_path_factory.mktemp("maintenance-campus")
    campus = SampleCampus.build(folder, buildings=1)
    with serve_twin(campus.db, folder / "serve.log") as (base, _process):
        yield {"base": base, "campus": campus, "folder": folder}


@pytest.fixture(scope="module")
def page(served: dict[str, Any]) -> Iterator[Page]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        opened = Page(chromium, served["base"], viewport={"width": 1280, "height": 800})
        yield opened
        opened.close()
        chromium.close()


def _drop_and_room(campus: SampleCampus) -> tuple[str, Any, list[float]]:
    """The drop to a tap on F01, the room east of its partition, the point behind it at 1.5 m."""
    return campus.drop_beside("east")


def _click_site_point(page: Page, point: list[float]) -> dict[str, Any]:
    page.settle()
    at = page.hook("maintenance.projectSitePoint", point)
    assert at is not None, f"{point} is not in view"
    over = page.page.evaluate(f"document.elementFromPoint({at['x']}, {at['y']}).tagName")
    assert over == "CANVAS", f"a panel covers {point} ({over})"
    before = page.call("JSON.stringify(window.campusTwin.maintenance.lastDrill())")
    page.page.mouse.click(at["x"], at["y"])
    page.page.wait_for_function(
        f"JSON.stringify(window.campusTwin.maintenance.lastDrill()) !== {before!r}",
        timeout=10_000,
    )
    drill: dict[str, Any] = page.hook("maintenance.lastDrill")
    return drill


def _api_drill(base: str, body: dict[str, Any]) -> dict[str, Any]:
    response = httpx.post(f"{base}/api/drill-check", json=body)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def test_maintenance_mode_draws_hidden_services_and_drills_where_clicked(
    page: Page, served: dict[str, Any], tmp_path: Path
) -> None:
    campus: SampleCampus = served["campus"]
    base = served["base"]
    drop, room, behind = _drop_and_room(campus)
    code = campus.room_code(room)
    assert page.hook("maintenance.toggle", True) is None  # no room selected: nothing happens
    assert page.call("window.campusTwin.maintenance.active") is False

    assert page.hook("openRoom", code) == code
    page.settle()
    assert page.call("window.campusTwin.maintenance.enabled") is True
    page.page.click("#maintenance")
    assert page.hook("maintenance.loaded") == code
    page.settle()

    hidden = httpx.get(f"{base}/api/rooms/{code}/hidden-pipes").json()
    labels = page.hook("maintenance.labels")
    assert len(labels) == len(hidden["services"]) > 0
    for service in hidden["services"]:
        assert any(label.startswith(f"{service['element_id']} · ") for label in labels)
    drop_label = next(label for label in labels if label.startswith(drop))
    assert "cold water" in drop_label and "Ø 25 mm" in drop_label
    assert page.hook("maintenance.drawn") == len(hidden["services"])
    assert page.page.get_attribute("#xray", "aria-pressed") == "true"
    assert page.page.is_visible("#maintenance-panel")
    assert code in page.page.inner_text("#maintenance-title")
    page.page.screenshot(path=str(tmp_path / "maintenance.png"))

    # The west wall, where the drop runs 0.075 m behind the face.
    drill = _click_site_point(page, behind)
    assert drill["surface"] == "west wall"
    assert drill["body"]["direction"] == [-1, 0, 0]
    assert drill["body"]["depth"] == 0.1
    assert drill["body"]["point"][0] == pytest.approx(behind[0], abs=0.005)
    assert drill["body"]["point"][1:] == pytest.approx(behind[1:], abs=0.04)
    assert drill["answer"]["services"][0]["element_id"] == drop
    assert drill["answer"] == _api_drill(base, drill["body"])
    panel = page.page.inner_text("#maintenance-panel")
    assert drop in panel and "as designed" in panel and "campus.ifc" in panel
    assert "safe" not in panel.lower()
    page.page.screenshot(path=str(tmp_path / "drill-wall.png"))

    # The floor in the middle of the room, drilled downwards.
    cx, cy = room.rect.centre
    drill = _click_site_point(page, [cx, cy, room.floor_z_m])
    assert drill["surface"] == "floor"
    assert drill["body"]["direction"] == [0, 0, -1]
    assert drill["body"]["point"][2] == pytest.approx(room.floor_z_m, abs=1e-3)
    assert drill["answer"] == _api_drill(base, drill["body"])
    message = page.page.inner_text("#drill-message")
    assert message == drill["answer"]["message"]

    # The ceiling, when asked for, drilled upwards.
    page.hook("maintenance.setCeiling", True)
    ceiling = room.floor_z_m + (room.ceiling_m or room.height_m)
    drill = _click_site_point(page, [cx, cy, ceiling])
    assert drill["surface"] == "ceiling"
    assert drill["body"]["direction"] == [0, 0, 1]
    assert drill["body"]["point"][2] == pytest.approx(ceiling, abs=1e-3)
    assert drill["answer"] == _api_drill(base, drill["body"])

    # Another room while the mode is on: its own services, from the building's batch.
    _, west, _ = campus.drop_beside("west")
    other = campus.room_code(west)
    assert page.hook("openRoom", other) == other
    assert page.hook("maintenance.loaded") == other
    theirs = httpx.get(f"{base}/api/rooms/{other}/hidden-pipes").json()["services"]
    assert sorted(label.split(" · ")[0] for label in page.hook("maintenance.labels")) == sorted(
        s["element_id"] for s in theirs if s["from_m"]
    )
    assert drop in {s["element_id"] for s in theirs}

    page.page.click("#maintenance")
    assert page.call("window.campusTwin.maintenance.active") is False
    assert page.hook("maintenance.labels") == []
    assert page.hook("maintenance.drawn") == 0
    assert not page.page.is_visible("#maintenance-panel")
    assert page.errors == []
