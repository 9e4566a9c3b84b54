"""Opening and changing work orders on a real sample-campus store: rules, history, bad input."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy
from sqlalchemy import Engine, func, select

from models.codes import RoomCode
from models.errors import (
    BadInput,
    InvalidRoomCode,
    UnknownAlarm,
    UnknownElement,
    UnknownRoomCode,
    UnknownWorkOrder,
    WorkOrderStateError,
)
from tests.twin.workorders.wo_stores import (
    raise_smoke_alarm,
    some_rooms,
    some_valve,
    wo_campus,
    wo_campus_db,
)
from twin.store import open_store
from twin.store import schema as t
from twin.workorders import (
    Actor,
    assign_work_order,
    close_work_order,
    comment_work_order,
    open_work_order,
    reopen_work_order,
    start_work_order,
    work_order_detail,
)

__all__ = ["wo_campus", "wo_campus_db"]

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ALICE = Actor("alice", "admin key 0123456789ab")
BOB = Actor("bob", "cli")


@pytest.fixture
def engine(wo_campus: Path) -> Iterator[Engine]:
    engine = open_store(str(wo_campus))
    yield engine
    engine.dispose()


def _at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def _counts(engine: Engine) -> tuple[int, int]:
    with engine.connect() as conn:
        orders = conn.execute(select(func.count()).select_from(t.work_orders)).scalar_one()
        events = conn.execute(select(func.count()).select_from(t.work_order_events)).scalar_one()
    return orders, events


def test_a_room_order_goes_open_assigned_in_progress_closed_and_back(engine: Engine) -> None:
    room = some_rooms(engine)[0]
    order = open_work_order(
        engine,
        ALICE,
        title="  Radiator valve drips ",
        room_code=room.lower(),
        description="under the window",
        priority="high",
        now=_at(0),
    )
    wid = order["work_order_id"]
    assert (order["room_code"], order["element_id"], order["building_code"]) == (
        room,
        None,
        room.rsplit("-", 2)[0],
    )
    assert (order["title"], order["state"], order["priority"]) == (
        "Radiator valve drips",
        "open",
        "high",
    )
    assign_work_order(engine, wid, "Plumber Li", ALICE, now=_at(1))
    start_work_order(engine, wid, BOB, now=_at(2))
    comment_work_order(engine, wid, "ceiling tile removed", BOB, now=_at(3))
    closed = close_work_order(engine, wid, "washer replaced", BOB, now=_at(4))
    assert (closed["state"], closed["closed_at"], closed["assignee"]) == (
        "closed",
        "2026-03-02T09:04:00Z",
        "Plumber Li",
    )
    reopened = reopen_work_order(engine, wid, "drips again", ALICE, now=_at(5))
    assert (reopened["state"], reopened["closed_at"]) == ("assigned", None)
    assert [
        (e["at"][11:16], e["event"], e["by"], e["via"], e["state"], e["assignee"], e["note"])
        for e in reopened["history"]
    ] == [
        ("09:00", "opened", "alice", ALICE.via, "open", None, None),
        ("09:01", "assigned", "alice", ALICE.via, "assigned", "Plumber Li", None),
        ("09:02", "started", "bob", "cli", "in_progress", None, None),
        ("09:03", "commented", "bob", "cli", "in_progress", None, "ceiling tile removed"),
        ("09:04", "closed", "bob", "cli", "closed", None, "washer replaced"),
        ("09:05", "reopened", "alice", ALICE.via, "assigned", None, "drips again"),
    ]
    assert reopened["updated_at"] == "2026-03-02T09:05:00Z"


def test_an_order_on_an_element_takes_the_elements_building(engine: Engine) -> None:
    valve = some_valve(engine)
    order = open_work_order(engine, BOB, title="Valve stiff", element_id=valve.lower())
    assert (order["element_id"], order["room_code"]) == (valve, None)
    assert order["building_code"] == valve.rsplit("-", 1)[0]
    # closed straight from open: a false alarm needs no assignee
    assert close_work_order(engine, order["work_order_id"], "not stiff", BOB)["state"] == "closed"
    # reopened without an assignee, it is open again
    again = reopen_work_order(engine, order["work_order_id"], "it is", BOB)
    assert (again["state"], again["assignee"]) == ("open", None)


@pytest.mark.parametrize(
    ("change", "error", "words"),
    [
        (lambda e, w: close_work_order(e, w, "  ", BOB), BadInput, "needs a note"),
        (lambda e, w: reopen_work_order(e, w, "", BOB), BadInput, "needs a note"),
        (lambda e, w: comment_work_order(e, w, " ", BOB), BadInput, "comment is empty"),
        (lambda e, w: start_work_order(e, w, BOB), WorkOrderStateError, "assign it first"),
        (lambda e, w: reopen_work_order(e, w, "why", BOB), WorkOrderStateError, "cannot be"),
        (lambda e, w: assign_work_order(e, w, "", BOB), BadInput, "assignee is empty"),
        (lambda e, w: assign_work_order(e, w, "x", Actor(" ", "cli")), BadInput, "who makes"),
        (lambda e, w: assign_work_order(e, w + 1, "x", BOB), UnknownWorkOrder, "no work order"),
    ],
)
def test_an_illegal_change_stores_nothing(
    engine: Engine, change: Any, error: type[Exception], words: str
) -> None:
    room = some_rooms(engine)[0]
    wid = open_work_order(engine, ALICE, title="Door sticks", room_code=room)["work_order_id"]
    before = work_order_detail(engine, wid)
    counts = _counts(engine)
    with pytest.raises(error, match=words):
        change(engine, wid)
    assert work_order_detail(engine, wid) == before
    assert _counts(engine) == counts


def test_a_closed_order_cannot_be_assigned_started_or_closed_again(engine: Engine) -> None:
    room = some_rooms(engine)[0]
    wid = open_work_order(engine, ALICE, title="Lamp out", room_code=room)["work_order_id"]
    close_work_order(engine, wid, "bulb replaced", ALICE)
    counts = _counts(engine)
    for change in (
        lambda: assign_work_order(engine, wid, "carol", ALICE),
        lambda: start_work_order(engine, wid, ALICE),
        lambda: close_work_order(engine, wid, "again", ALICE),
    ):
        with pytest.raises(WorkOrderStateError, match=r"is closed.*reopen it first"):
            change()
    assert _counts(engine) == counts
    # a comment on a closed order is allowed and leaves it closed
    assert comment_work_order(engine, wid, "checked a week later", ALICE)["state"] == "closed"


def test_bad_targets_are_named_and_nothing_is_stored(engine: Engine) -> None:
    room = some_rooms(engine)[0]
    parsed = RoomCode.parse(room)
    wrong_check = room[:-1] + ("A" if room[-1] != "A" else "B")
    unknown = str(RoomCode.make(parsed.site, parsed.building, parsed.storey, 999))
    valve = some_valve(engine)
    cases: list[tuple[dict[str, Any], type[Exception], str]] = [
        ({"room_code": wrong_check}, InvalidRoomCode, "check character"),
        ({"room_code": "WZ01-B01-F1-001"}, InvalidRoomCode, "expected SITE-Bnn-STOREY-NNNC"),
        ({"room_code": unknown}, UnknownRoomCode, "unknown room code"),
        ({"element_id": valve[:-1] + "Z"}, UnknownElement, "unknown element"),
        ({"alarm_id": 4242}, UnknownAlarm, "no alarm has id 4242"),
        ({}, BadInput, "say which room or element"),
        ({"room_code": room, "element_id": valve}, BadInput, "not both"),
        ({"room_code": room, "priority": "asap"}, BadInput, "unknown priority"),
        ({"room_code": room, "title": "   "}, BadInput, "title is empty"),
        ({"room_code": room, "title": "x" * 201}, BadInput, "at most 200"),
    ]
    for fields, error, words in cases:
        with pytest.raises(error, match=words) as raised:
            open_work_order(engine, ALICE, **{"title": "Check", **fields})
        if isinstance(raised.value, UnknownRoomCode):
            assert raised.value.closest, "an unknown room code names the closest codes"
    assert _counts(engine) == (0, 0)


def test_a_retired_room_takes_no_new_order(engine: Engine) -> None:
    room = some_rooms(engine)[0]
    with engine.begin() as conn:
        conn.execute(
            sqlalchemy.update(t.rooms)
            .where(t.rooms.c.room_code == room)
            .values(status="retired", retired_at="2026-01-01T00:00:00Z")
        )
    with pytest.raises(BadInput, match="was retired"):
        open_work_order(engine, ALICE, title="Paint", room_code=room)
    assert _counts(engine) == (0, 0)


def test_from_an_alarm_the_room_comes_from_the_alarm_and_links_back(engine: Engine) -> None:
    room, other = some_rooms(engine)
    alarm_id = raise_smoke_alarm(engine, "smoke-wo", room_code=room)
    order = open_work_order(engine, ALICE, alarm_id=alarm_id, now=_at(0))
    assert (order["room_code"], order["alarm_id"]) == (room, alarm_id)
    assert order["title"] == f"alarm {alarm_id}: smoke detected: 1"
    assert order["history"][0]["note"] == f"from alarm {alarm_id}"
    with pytest.raises(
        WorkOrderStateError, match=f"already has work order {order['work_order_id']}"
    ):
        open_work_order(engine, ALICE, alarm_id=alarm_id)
    close_work_order(engine, order["work_order_id"], "detector cleaned", ALICE)
    with pytest.raises(BadInput, match=f"is about {room}, not {other}"):
        open_work_order(engine, ALICE, alarm_id=alarm_id, room_code=other)
    second = open_work_order(engine, ALICE, alarm_id=alarm_id, room_code=room, title="Replace it")
    assert (second["room_code"], second["title"]) == (room, "Replace it")


def test_from_an_element_or_building_alarm(engine: Engine) -> None:
    valve = some_valve(engine)
    room = some_rooms(engine)[0]
    on_valve = raise_smoke_alarm(engine, "smoke-valve", code=valve)
    assert open_work_order(engine, BOB, alarm_id=on_valve)["element_id"] == valve
    building = valve.rsplit("-", 1)[0]
    on_building = raise_smoke_alarm(engine, "smoke-building", code=building)
    with pytest.raises(BadInput, match=f"not about one room or element \\({building}\\)"):
        open_work_order(engine, BOB, alarm_id=on_building)
    order = open_work_order(engine, BOB, alarm_id=on_building, room_code=room)
    assert (order["room_code"], order["alarm_id"]) == (room, on_building)


def test_the_history_cannot_be_edited_in_the_store(engine: Engine) -> None:
    room = some_rooms(engine)[0]
    open_work_order(engine, ALICE, title="Window", room_code=room)
    for statement in ("UPDATE work_order_events SET note = 'x'", "DELETE FROM work_order_events"):
        with (
            pytest.raises(sqlalchemy.exc.IntegrityError, match="never edited"),
            engine.begin() as conn,
        ):
            conn.execute(sqlalchemy.text(statement))
    assert _counts(engine) == (1, 1)


def test_clerks_closing_one_order_at_once_close_it_once(engine: Engine) -> None:
    room = some_rooms(engine)[0]
    wid = open_work_order(engine, ALICE, title="Leak", room_code=room)["work_order_id"]
    outcomes: list[str] = []
    start = threading.Barrier(6)

    def clerk(k: int) -> None:
        start.wait()
        try:
            close_work_order(engine, wid, f"fixed by clerk {k}", Actor(f"clerk{k}", "cli"))
            outcomes.append("closed")
        except WorkOrderStateError:
            outcomes.append("refused")

    threads = [threading.Thread(target=clerk, args=(k,)) for k in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["closed"] + ["refused"] * 5
    history = work_order_detail(engine, wid)["history"]
    assert [e["event"] for e in history] == ["opened", "closed"]
