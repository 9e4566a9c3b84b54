"""Scenarios on the 3D page in chromium: a saved plan recolours the campus before and after.

On the sample campus with a small organisation (`tests.planning_stores.small_org`), a
scenario closes the storey department B sits on and merges B into A; the page lists the
scenario, shows its moves, and in "after" colours the room B's member moves to in A's
department colour and B's old room as vacated, then "before" puts the campus back.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.campus_stores import sample_store
from tests.planning_stores import close_and_merge, small_org
from tests.processes import serve_twin
from tests.viewer.test_browser import (
    Page,
    launched_chromium,
    require_browser,
)
from twin.planning.scenario_store import run_scenario
from twin.store import open_store
from viewer.palette import colour_for

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def planned(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    require_browser()
    folder = tmp_path_factory.mktemp("scenario-campus")
    db = sample_store(folder, buildings=1)
    engine = open_store(str(db))
    org = small_org(engine, folder)
    detail = run_scenario(engine, close_and_merge(org["high"]), "WZ01", time_limit_s=5)
    engine.dispose()
    with serve_twin(db, folder / "serve.log") as (base, _process):
        yield {"base": base, "org": org, "detail": detail}


@pytest.fixture(scope="module")
def page(planned: dict[str, Any]) -> Iterator[Page]:
    with launched_chromium() as chromium:
        opened = Page(chromium, planned["base"], viewport={"width": 1280, "height": 800})
        yield opened
        opened.close()


def test_a_scenario_colours_the_campus_after_and_before(
    page: Page, planned: dict[str, Any], tmp_path: Path
) -> None:
    detail, org = planned["detail"], planned["org"]
    q1 = next(m for m in detail["moves"] if m["staff_id"] == "Q1")
    assert page.hook("loadScenarios") == 1
    assert page.page.locator("#scenario-section").is_visible()
    assert page.hook("showScenario", detail["scenario_id"]) == detail["scenario_id"]
    moves = page.page.locator("#scenario-moves li")
    assert moves.count() == len(detail["moves"])
    assert "Q1 A:" in page.page.locator('#scenario-moves button[data-staff="Q1"]').inner_text()
    assert page.call("window.campusTwin.colourMode") == "department"

    page.hook("viewRoom", q1["to_room"])
    page.settle()
    assert page.hook("liveRoom", q1["to_room"])["department"] == "A"
    assert page.shows_colour(q1["to_room"], colour_for("department", {"department": "A"}))
    assert page.hook("liveRoom", org["b_room"])["department"] is None
    page.page.screenshot(path=str(tmp_path / "after.png"))

    page.page.locator("#scenario-before").click()
    page.settle()
    assert page.page.locator("#scenario-before").get_attribute("aria-pressed") == "true"
    before = page.hook("liveRoom", q1["to_room"])["department"]
    assert page.shows_colour(q1["to_room"], colour_for("department", {"department": before}))
    assert page.hook("liveRoom", org["b_room"])["department"] == "B"
    page.page.screenshot(path=str(tmp_path / "before.png"))

    page.page.locator('#scenario-moves button[data-staff="Q1"]').click()
    page.page.wait_for_function(
        f"window.campusTwin.detailsCode === {q1['to_room']!r}", timeout=10_000
    )
    assert page.errors == []
