"""`/api/work-orders` and `/api/rooms/{code}/work-orders` over the real app and a real store."""

from __future__ import annotations

from pathlib import Path

import pytest

from layers.keys import create_key
from tests.api.conftest import app_client
from tests.twin.workorders.wo_stores import (
    raise_smoke_alarm,
    some_rooms,
    some_valve,
    wo_campus,
    wo_campus_db,
)
from twin.store import open_store

__all__ = ["wo_campus", "wo_campus_db"]

pytestmark = pytest.mark.anyio


def _auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def _prepare(db: Path) -> tuple[dict[str, str], list[str], str, int]:
    """Keys by role, two room codes, a valve and a raised smoke alarm in the first room."""
    engine = open_store(str(db))
    keys = {role: create_key(engine, role) for role in ("gateway", "admin")}
    rooms = some_rooms(engine)
    valve = some_valve(engine)
    alarm_id = raise_smoke_alarm(engine, "smoke-api", room_code=rooms[0])
    engine.dispose()
    return keys, rooms, valve, alarm_id


async def test_writes_need_an_admin_key_and_record_who(wo_campus: Path) -> None:
    keys, (room, _), _valve, _alarm = _prepare(wo_campus)
    body = {"room_code": room, "title": "Blind stuck"}
    async with app_client(wo_campus) as client:
        assert (await client.post("/api/work-orders", json=body)).status_code == 401
        refused = await client.post("/api/work-orders", json=body, headers=_auth(keys["gateway"]))
        assert refused.status_code == 403
        assert "needs admin" in refused.json()["detail"]["message"]
        assert (await client.get("/api/work-orders")).json() == []
        made = await client.post("/api/work-orders", json=body, headers=_auth(keys["admin"]))
        assert made.status_code == 201, made.text
        order = made.json()
        key_id = order["history"][0]["via"].split()[-1]
        assert order["opened_by"] == f"key:{key_id}"
        assert order["history"][0]["via"] == f"admin key {key_id}"
        assigned = await client.post(
            f"/api/work-orders/{order['work_order_id']}/assign",
            json={"assignee": "Wang", "by": "alice"},
            headers=_auth(keys["admin"]),
        )
        event = assigned.json()["history"][-1]
        # the name given is recorded, and so is the key that sent it
        assert (event["by"], event["via"], event["assignee"]) == (
            "alice",
            f"admin key {key_id}",
            "Wang",
        )


async def test_a_work_order_through_its_life_over_http(wo_campus: Path) -> None:
    keys, (room_a, room_b), valve, _alarm = _prepare(wo_campus)
    admin = _auth(keys["admin"])
    async with app_client(wo_campus) as client:

        async def post(path: str, body: dict[str, object] | None = None) -> dict[str, object]:
            answer = await client.post(path, json=body, headers=admin)
            assert answer.status_code in (200, 201), answer.text
            result: dict[str, object] = answer.json()
            return result

        first = await post("/api/work-orders", {"room_code": room_a.lower(), "title": "Tap"})
        wid = first["work_order_id"]
        await post("/api/work-orders", {"room_code": room_b, "title": "Door", "priority": "urgent"})
        await post("/api/work-orders", {"element_id": valve, "title": "Valve"})
        await post(f"/api/work-orders/{wid}/assign", {"assignee": "Li"})
        await post(f"/api/work-orders/{wid}/start")
        await post(f"/api/work-orders/{wid}/comment", {"text": "parts ordered"})
        panel = await client.get(f"/api/rooms/{room_a}/work-orders", params={"state": "active"})
        assert [(o["title"], o["state"]) for o in panel.json()] == [("Tap", "in_progress")]
        closed = await post(f"/api/work-orders/{wid}/close", {"note": "new cartridge"})
        assert closed["state"] == "closed"
        panel = await client.get(f"/api/rooms/{room_a}/work-orders", params={"state": "active"})
        assert panel.json() == []
        reopened = await post(f"/api/work-orders/{wid}/reopen", {"note": "still drips"})
        assert reopened["state"] == "assigned"
        detail = (await client.get(f"/api/work-orders/{wid}")).json()
        assert [e["event"] for e in detail["history"]] == [
            "opened",
            "assigned",
            "started",
            "commented",
            "closed",
            "reopened",
        ]
        building = room_a.rsplit("-", 2)[0]
        listed = await client.get(
            "/api/work-orders", params={"building": building, "state": "assigned", "assignee": "li"}
        )
        assert [o["work_order_id"] for o in listed.json()] == [wid]
        urgent = await client.get("/api/work-orders", params={"room": room_b})
        assert [o["priority"] for o in urgent.json()] == ["urgent"]
        by_element = await client.get("/api/work-orders", params={"element": valve})
        assert [o["title"] for o in by_element.json()] == ["Valve"]


async def test_bad_input_answers_in_words_and_stores_nothing(wo_campus: Path) -> None:
    keys, (room, _), valve, _alarm = _prepare(wo_campus)
    admin = _auth(keys["admin"])
    mistyped = room[:-1] + ("A" if room[-1] != "A" else "B")
    async with app_client(wo_campus) as client:
        for body, status, words in (
            ({"room_code": mistyped, "title": "x"}, 422, "check character"),
            ({"room_code": room.replace("-F", "-X"), "title": "x"}, 422, "expected SITE-Bnn"),
            ({"element_id": valve[:-1] + "Z", "title": "x"}, 404, "unknown element"),
            ({"alarm_id": 999}, 404, "no alarm has id 999"),
            ({"title": "x"}, 422, "say which room or element"),
            ({"room_code": room, "title": "x", "priority": "asap"}, 422, "priority"),
            ({"room_code": room, "title": "x", "colour": "red"}, 422, "colour"),
        ):
            answer = await client.post("/api/work-orders", json=body, headers=admin)
            assert answer.status_code == status, (body, answer.text)
            assert words in answer.json()["detail"]["message"], answer.text
        unknown = await client.get("/api/work-orders", params={"room": _unknown_room(room)})
        assert unknown.status_code == 404
        assert unknown.json()["detail"]["closest"]
        assert (await client.get(f"/api/rooms/{mistyped}/work-orders")).status_code == 422
        assert (await client.get("/api/work-orders", params={"state": "done"})).status_code == 422
        assert (await client.get("/api/work-orders")).json() == []

        made = await client.post(
            "/api/work-orders", json={"room_code": room, "title": "Lamp"}, headers=admin
        )
        wid = made.json()["work_order_id"]
        changes: tuple[tuple[str, dict[str, str] | None, int, str], ...] = (
            (f"/api/work-orders/{wid}/close", {"note": "  "}, 422, "needs a note"),
            (f"/api/work-orders/{wid}/close", {}, 422, "note"),
            (f"/api/work-orders/{wid}/start", None, 409, "assign it first"),
            (f"/api/work-orders/{wid + 1}/start", None, 404, "no work order"),
        )
        for path, change, status, words in changes:
            answer = await client.post(path, json=change, headers=admin)
            assert answer.status_code == status, (path, answer.text)
            assert words in answer.json()["detail"]["message"], answer.text
        await client.post(f"/api/work-orders/{wid}/close", json={"note": "done"}, headers=admin)
        again = await client.post(
            f"/api/work-orders/{wid}/assign", json={"assignee": "Li"}, headers=admin
        )
        assert again.status_code == 409
        assert "reopen it first" in again.json()["detail"]["message"]
        history = (await client.get(f"/api/work-orders/{wid}")).json()["history"]
        assert [e["event"] for e in history] == ["opened", "closed"]
        assert (await client.get("/api/work-orders/12345")).status_code == 404


def _unknown_room(room: str) -> str:
    from models.codes import RoomCode

    parsed = RoomCode.parse(room)
    return str(RoomCode.make(parsed.site, parsed.building, parsed.storey, 999))


async def test_an_order_from_an_alarm_shows_in_the_alarm(wo_campus: Path) -> None:
    keys, (room, _), _valve, alarm_id = _prepare(wo_campus)
    admin = _auth(keys["admin"])
    async with app_client(wo_campus) as client:
        assert (await client.get(f"/api/alarms/{alarm_id}")).json()["work_orders"] == []
        made = await client.post("/api/work-orders", json={"alarm_id": alarm_id}, headers=admin)
        assert made.status_code == 201, made.text
        order = made.json()
        assert (order["room_code"], order["alarm_id"]) == (room, alarm_id)
        twice = await client.post("/api/work-orders", json={"alarm_id": alarm_id}, headers=admin)
        assert twice.status_code == 409
        alarm = (await client.get(f"/api/alarms/{alarm_id}")).json()
        assert alarm["work_orders"] == [
            {
                "work_order_id": order["work_order_id"],
                "state": "open",
                "title": order["title"],
                "assignee": None,
            }
        ]
