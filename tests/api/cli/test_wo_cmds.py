"""`twin wo …` as a user runs it, on a copy of the sample campus."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from api.schemas.work_orders import WorkOrderPublic, WorkOrderSummary
from tests.processes import run_twin
from tests.twin.workorders.wo_stores import (
    raise_smoke_alarm,
    some_rooms,
    some_valve,
    wo_campus,
    wo_campus_db,
)
from twin.store import open_store
from twin.workorders import list_work_orders

__all__ = ["wo_campus", "wo_campus_db"]


def _json(db: Path, *args: str) -> Any:
    result = run_twin("wo", *args, "--json", db=db)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def _refused(db: Path, words: str, *args: str) -> None:
    result = run_twin("wo", *args, db=db)
    assert result.returncode == 2, (args, result.stdout, result.stderr)
    assert words in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_open_assign_close_and_list_print_what_the_api_answers(wo_campus: Path) -> None:
    engine = open_store(str(wo_campus))
    room, other = some_rooms(engine)
    valve = some_valve(engine)
    alarm_id = raise_smoke_alarm(engine, "smoke-cli", room_code=other)
    engine.dispose()

    opened = _json(wo_campus, "open", room.lower(), "--title", "Tap drips", "--by", "alice")
    wid = opened["work_order_id"]
    assert set(opened) == set(WorkOrderPublic.model_fields)
    assert (opened["room_code"], opened["opened_by"], opened["history"][0]["via"]) == (
        room,
        "alice",
        "cli",
    )
    on_valve = _json(wo_campus, "open", valve, "--title", "Valve", "--priority", "HIGH")
    assert (on_valve["element_id"], on_valve["priority"]) == (valve, "high")
    from_alarm = _json(wo_campus, "open", "--from-alarm", str(alarm_id), "--by", "bob")
    assert (from_alarm["room_code"], from_alarm["alarm_id"]) == (other, alarm_id)

    assigned = run_twin("wo", "assign", str(wid), "Li Wei", "--by", "carol", db=wo_campus)
    assert assigned.returncode == 0, assigned.stderr
    assert f"work order {wid} · assigned" in assigned.stdout and "Li Wei" in assigned.stdout
    assert run_twin("wo", "start", str(wid), db=wo_campus).returncode == 0
    assert run_twin("wo", "comment", str(wid), "parts ordered", db=wo_campus).returncode == 0
    closed = _json(wo_campus, "close", str(wid), "--note", "cartridge replaced")
    assert [e["event"] for e in closed["history"]] == [
        "opened",
        "assigned",
        "started",
        "commented",
        "closed",
    ]
    assert closed["history"][1]["by"] == "carol"

    listed = _json(wo_campus, "list", "--state", "active")
    assert [o["title"] for o in listed] == [from_alarm["title"], "Valve"]
    assert all(set(o) == set(WorkOrderSummary.model_fields) for o in listed)
    engine = open_store(str(wo_campus))
    assert listed == list_work_orders(engine, state="active")
    engine.dispose()
    assert [o["work_order_id"] for o in _json(wo_campus, "list", "--room", room)] == [wid]
    assert _json(wo_campus, "list", "--assignee", "li wei", "--state", "open") == []
    shown = _json(wo_campus, "show", str(wid))
    assert shown == closed
    table = run_twin("wo", "list", "--building", room.rsplit("-", 2)[0], db=wo_campus)
    assert table.returncode == 0 and "Tap drips" in table.stdout


def test_bad_input_is_one_line_exit_2_and_stores_nothing(wo_campus: Path) -> None:
    engine = open_store(str(wo_campus))
    room = some_rooms(engine)[0]
    valve = some_valve(engine)
    engine.dispose()
    mistyped = room[:-1] + ("A" if room[-1] != "A" else "B")
    _refused(wo_campus, "check character", "open", mistyped, "--title", "x")
    _refused(wo_campus, "unknown element", "open", valve[:-1] + "Z", "--title", "x")
    _refused(wo_campus, "no alarm has id 77", "open", "--from-alarm", "77")
    _refused(wo_campus, "say which room or element", "open", "--title", "x")
    _refused(wo_campus, "unknown priority", "open", room, "--title", "x", "--priority", "asap")
    _refused(wo_campus, "check character", "list", "--room", mistyped)
    _refused(wo_campus, "unknown work order state", "list", "--state", "done")
    _refused(wo_campus, "no work order has id 5", "show", "5")
    assert _json(wo_campus, "list") == []

    wid = str(_json(wo_campus, "open", room, "--title", "Lamp")["work_order_id"])
    _refused(wo_campus, "needs a note", "close", wid)
    _refused(wo_campus, "assign it first", "start", wid)
    _refused(wo_campus, "needs a note", "reopen", wid)
    assert _json(wo_campus, "close", wid, "--note", "bulb")["state"] == "closed"
    _refused(wo_campus, "reopen it first", "assign", wid, "Li")
    assert [e["event"] for e in _json(wo_campus, "show", wid)["history"]] == ["opened", "closed"]
