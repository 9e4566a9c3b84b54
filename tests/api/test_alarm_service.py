"""The served app judges readings in the background: after the answer, exactly once,
even across `kill -9`; the WebSocket still carries readings and alarm events."""

from __future__ import annotations

import json
import signal
from pathlib import Path
from typing import Any

import httpx

from layers import alarms
from layers.keys import create_key
from layers.sensors import SensorCreate, register_sensor
from tests.campus_stores import copy_store
from tests.processes import serve_twin
from twin.store import open_store

A101 = "DX01-B01-F01-001C"


def _prepare(campus_db: Path, tmp_path: Path) -> tuple[Path, dict[str, str]]:
    db = copy_store(campus_db, tmp_path)
    engine = open_store(str(db))
    register_sensor(engine, SensorCreate(id="smoke-1", kind="smoke", room_code=A101))
    headers = {"Authorization": f"Bearer {create_key(engine, 'gateway')}"}
    engine.dispose()
    return db, headers


def _smoke(base: str, headers: dict[str, str], at: str, on: bool) -> None:
    item = {"sensor": "smoke-1", "ts": at, "value": on}
    answer = httpx.post(f"{base}/api/readings", json=[item], headers=headers, timeout=30)
    assert answer.status_code == 200 and answer.json()["stored"] == 1, answer.text


def test_readings_left_unjudged_by_a_killed_server_are_judged_once_after_restart(
    campus_db: Path, tmp_path: Path
) -> None:
    db, headers = _prepare(campus_db, tmp_path)
    engine = open_store(str(db))
    # A worker that waits for an hour-long pause: the reading is acknowledged, not judged.
    slow = {"TWIN_ALARM_QUIET_S": "3600", "TWIN_ALARM_MAX_LAG_S": "3600"}
    with serve_twin(db, tmp_path / "first.log", **slow) as (base, server):
        _smoke(base, headers, "2026-03-01T08:00:00Z", True)
        assert httpx.get(f"{base}/api/alarms").json() == []
        server.send_signal(signal.SIGKILL)
        server.wait(timeout=20)
    with engine.connect() as conn:
        assert alarms.evaluated_through(conn) < alarms.stored_through(conn)
    assert alarms.list_alarms(engine) == []
    # The next start catches up on what the killed one left, before any new reading.
    with serve_twin(db, tmp_path / "second.log") as (base, _server):
        alarms.settle(engine)
        raised = httpx.get(f"{base}/api/alarms").json()
        assert [(a["rule"], a["state"]) for a in raised] == [("smoke.on", "raised")]
    # A third run has nothing left to judge: still the one alarm.
    with serve_twin(db, tmp_path / "third.log") as (base, _server):
        _smoke(base, headers, "2026-03-01T08:01:00Z", True)
        alarms.settle(engine)
        assert len(httpx.get(f"{base}/api/alarms").json()) == 1
    engine.dispose()


def test_the_socket_carries_the_reading_then_the_alarm_it_raised(
    campus_db: Path, tmp_path: Path
) -> None:
    from websockets.sync.client import connect

    db, headers = _prepare(campus_db, tmp_path)
    with serve_twin(db, tmp_path / "serve.log") as (base, _server):
        url = base.replace("http://", "ws://") + "/api/live"
        with connect(url, open_timeout=10) as socket:
            _smoke(base, headers, "2026-03-01T08:00:00Z", True)
            events: list[dict[str, Any]] = []
            while not any(e["type"] == "alarm" for e in events):
                events.append(json.loads(socket.recv(timeout=10)))
    assert [e["type"] for e in events] == ["reading", "alarm"]
    assert events[0]["sensor"] == "smoke-1" and events[0]["value"] == 1.0
    alarm = events[1]["alarm"]
    assert (alarm["rule"], alarm["state"], alarm["room_code"]) == ("smoke.on", "raised", A101)
