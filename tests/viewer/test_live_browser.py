"""Live colour modes in chromium: a reading sent over HTTP recolours its room without a reload.

A temperature and a people sensor are registered in the largest office of the sample
campus; the page, in "temperature" mode, shows the room grey (no value yet), then the
ramp's colour of each reading sent, then "occupancy now" by people against capacity.
With alarms evaluated by the server, a temperature above the limit turns the room red
in "alarms" mode and puts a badge on it. A marker set on `window` before the readings
must still be there after: the page was never reloaded.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from layers.keys import create_key
from layers.sensors import SensorCreate, register_sensor
from tests.campus_stores import sample_store
from tests.processes import serve_twin
from tests.viewer.test_browser import Page, launched_chromium, require_browser
from twin.rooms import list_rooms, set_room
from twin.store import open_store
from viewer.palette import COLOUR_MODES, colour_for

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    require_browser()
    folder = tmp_path_factory.mktemp("live-campus")
    db = sample_store(folder, buildings=1)
    engine = open_store(str(db))
    offices = [room for room in list_rooms(engine) if room["usage"] == "office"]
    room = max(offices, key=lambda r: r["net_floor_area_m2"] or 0)["room_code"]
    register_sensor(engine, SensorCreate(id="t-live", kind="temperature", room_code=room))
    register_sensor(engine, SensorCreate(id="pc-live", kind="people_count", room_code=room))
    set_room(engine, room, {"capacity": 10})
    token = create_key(engine, "gateway")
    engine.dispose()
    with serve_twin(db, folder / "serve.log") as (base, _process):
        yield {"base": base, "room": room, "headers": {"Authorization": f"Bearer {token}"}}


@pytest.fixture(scope="module")
def page(live_server: dict[str, Any]) -> Iterator[Page]:
    with launched_chromium() as chromium:
        opened = Page(chromium, live_server["base"], viewport={"width": 1280, "height": 800})
        opened.page.wait_for_function("window.campusTwin.liveConnected", timeout=10_000)
        opened.call("window.notReloaded = true")
        yield opened
        opened.close()


def _send(server: dict[str, Any], sensor: str, value: float, minutes_ago: float) -> None:
    ts = (datetime.now(UTC) - timedelta(minutes=minutes_ago)).isoformat()
    answer = httpx.post(
        f"{server['base']}/api/readings",
        json=[{"sensor": sensor, "ts": ts, "value": value}],
        headers=server["headers"],
    )
    assert answer.json()["stored"] == 1, answer.text


def _wait_for(page: Page, code: str, field: str, value: object) -> None:
    page.page.wait_for_function(
        f"(window.campusTwin.liveRoom('{code}') || {{}})['{field}'] === {value!r}",
        timeout=10_000,
    )
    page.settle()


def test_temperature_and_occupancy_recolour_the_room_live(
    page: Page, live_server: dict[str, Any], tmp_path: Path
) -> None:
    code = live_server["room"]
    page.hook("setColourMode", "temperature")
    page.hook("viewRoom", code)
    page.settle()
    assert page.shows_colour(code, COLOUR_MODES["temperature"].missing.colour)
    page.page.screenshot(path=str(tmp_path / "before.png"))

    for minutes_ago, celsius in ((20, 27.0), (10, 17.5)):
        _send(live_server, "t-live", celsius, minutes_ago)
        _wait_for(page, code, "temperature", celsius)
        assert page.shows_colour(code, colour_for("temperature", {"temperature": celsius}))
        page.page.screenshot(path=str(tmp_path / f"temperature-{celsius:g}.png"))
    assert [e["key"] for e in page.hook("currentLegend")][:1] == ["t16"]

    page.hook("setColourMode", "occupancy")
    page.settle()
    assert page.shows_colour(code, COLOUR_MODES["occupancy"].missing.colour)
    _send(live_server, "pc-live", 6, 5)
    _wait_for(page, code, "occupancy_now", "over_half")
    assert page.shows_colour(code, colour_for("occupancy", {"occupancy_now": "over_half"}))
    assert page.call("window.notReloaded") is True
    assert page.call("window.campusTwin.liveEvents") >= 3
    assert page.errors == []


def test_an_alarm_turns_the_room_red_with_a_badge(
    page: Page, live_server: dict[str, Any], tmp_path: Path
) -> None:
    code = live_server["room"]
    if httpx.get(f"{live_server['base']}/api/alarms").status_code == 404:
        pytest.skip("the server does not evaluate alarms yet (no /api/alarms)")
    page.hook("setColourMode", "alarms")
    page.hook("viewRoom", code)
    page.settle()
    assert page.shows_colour(code, COLOUR_MODES["alarms"].missing.colour)
    assert page.hook("badges") == []
    # Above the default 30 °C limit for longer than its minimum duration (300 s).
    for minutes_ago in (4, 3, 2, 1, 0):
        _send(live_server, "t-live", 35.0, minutes_ago * 2)
    _wait_for(page, code, "alarm_state", "raised")
    assert page.shows_colour(code, colour_for("alarms", {"alarm_state": "raised"}))
    badges = page.hook("badges")
    assert [(b["code"], b["state"]) for b in badges] == [(code, "raised")]
    assert page.page.locator(f'#badges .badge[data-code="{code}"]').is_visible()
    page.page.screenshot(path=str(tmp_path / "alarm.png"))
    assert page.call("window.notReloaded") is True
    assert page.errors == []
