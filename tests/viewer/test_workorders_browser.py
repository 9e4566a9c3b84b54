"""The room panel lists the room's open work orders, in chromium against `twin serve`.

Work orders are opened in the sample campus's store before serving (two not yet closed
and one closed in one room) and one more over the API while the page is open; the
panel must list exactly the orders not yet closed, newest first, for whichever room
it shows, and say so when a room has none.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from layers.keys import create_key
from tests.campus_stores import sample_store
from tests.processes import serve_twin
from tests.viewer.test_browser import Page, launched_chromium, require_browser
from twin.rooms import list_rooms
from twin.store import open_store
from twin.workorders import Actor, assign_work_order, close_work_order, open_work_order

pytestmark = pytest.mark.slow

BY = Actor("dispatcher", "cli")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    require_browser()
    folder = tmp_path_factory.mktemp("wo-campus")
    db = sample_store(folder, buildings=1)
    engine = open_store(str(db))
    offices = [room["room_code"] for room in list_rooms(engine) if room["usage"] == "office"]
    room, other, empty = offices[:3]
    tap = open_work_order(engine, BY, title="Tap drips", room_code=room, priority="urgent")
    assign_work_order(engine, tap["work_order_id"], "Li Wei", BY)
    done = open_work_order(engine, BY, title="Old job", room_code=room)
    close_work_order(engine, done["work_order_id"], "done long ago", BY)
    door = open_work_order(engine, BY, title="Door sticks", room_code=room)
    token = create_key(engine, "admin")
    engine.dispose()
    with serve_twin(db, folder / "serve.log") as (base, _process):
        yield {
            "base": base,
            "rooms": (room, other, empty),
            "ids": (door["work_order_id"], tap["work_order_id"]),
            "headers": {"Authorization": f"Bearer {token}"},
        }


def _panel_orders(page: Page, code: str) -> list[dict[str, str]]:
    """The panel's work-order rows once the room's list has loaded."""
    selector = f'#details .work-orders[data-room="{code}"][aria-busy="false"]'
    page.page.wait_for_selector(selector, timeout=10_000)
    rows = page.page.locator(f"{selector} li[data-work-order-id]")
    return [
        {
            "id": rows.nth(k).get_attribute("data-work-order-id") or "",
            "state": rows.nth(k).get_attribute("data-state") or "",
            "text": rows.nth(k).inner_text(),
        }
        for k in range(rows.count())
    ]


def test_the_room_panel_lists_the_rooms_open_work_orders(
    server: dict[str, Any], tmp_path: Path
) -> None:
    room, other, empty = server["rooms"]
    door_id, tap_id = server["ids"]
    with launched_chromium() as chromium:
        page = Page(
            chromium, server["base"], f"/?room={room}", viewport={"width": 1280, "height": 800}
        )
        try:
            shown = _panel_orders(page, room)
            assert [(o["id"], o["state"]) for o in shown] == [
                (str(door_id), "open"),
                (str(tap_id), "assigned"),
            ]
            assert "Door sticks" in shown[0]["text"]
            assert "Tap drips" in shown[1]["text"] and "Li Wei" in shown[1]["text"]
            assert "urgent" in shown[1]["text"]
            assert "Old job" not in page.page.locator("#details").inner_text()
            page.page.screenshot(path=str(tmp_path / "work-orders.png"))

            assert page.hook("openRoom", empty) == empty
            assert _panel_orders(page, empty) == []
            assert "None open" in page.page.locator("#details .work-orders").inner_text()

            made = httpx.post(
                f"{server['base']}/api/work-orders",
                json={"room_code": other, "title": "Blind stuck", "priority": "high"},
                headers=server["headers"],
            )
            assert made.status_code == 201, made.text
            assert page.hook("openRoom", other) == other
            assert [(o["id"], o["text"].split()[1]) for o in _panel_orders(page, other)] == [
                (str(made.json()["work_order_id"]), "Blind")
            ]
            assert page.errors == []
        finally:
            page.close()
