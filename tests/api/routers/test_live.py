"""`WS /api/live` against a real `twin serve`: a reading sent over HTTP arrives as an event;
`GET /api/live/rooms` gives the live state the colour modes read."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from layers.keys import create_key
from layers.sensors import SensorCreate, register_sensor
from tests.campus_stores import copy_store
from tests.processes import serve_twin
from twin.rooms import set_room
from twin.store import open_store

A101 = "DX01-B01-F01-001C"
A102 = "DX01-B01-F01-002A"


@pytest.fixture(scope="module")
def served(campus_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    folder = tmp_path_factory.mktemp("live")
    db = copy_store(campus_db, folder)
    engine = open_store(str(db))
    register_sensor(engine, SensorCreate(id="t-1", kind="temperature", room_code=A101))
    register_sensor(engine, SensorCreate(id="pc-1", kind="people_count", room_code=A102))
    register_sensor(engine, SensorCreate(id="occ-1", kind="occupancy", room_code=A101))
    set_room(engine, A102, {"capacity": 10})
    token = create_key(engine, "gateway")
    engine.dispose()
    with serve_twin(db, folder / "serve.log") as (base, _process):
        yield {"base": base, "headers": {"Authorization": f"Bearer {token}"}}


def _send(served: dict[str, Any], items: list[dict[str, Any]]) -> None:
    answer = httpx.post(f"{served['base']}/api/readings", json=items, headers=served["headers"])
    assert answer.status_code == 200 and answer.json()["stored"] == len(items), answer.text


def test_a_stored_reading_arrives_on_the_socket_with_its_room(served: dict[str, Any]) -> None:
    from websockets.sync.client import connect

    url = served["base"].replace("http://", "ws://") + "/api/live"
    with connect(url, open_timeout=10) as first, connect(url, open_timeout=10) as second:
        _send(served, [{"sensor": "t-1", "ts": "2026-03-02T09:00:00+08:00", "value": 21.5}])
        for socket in (first, second):
            event = json.loads(socket.recv(timeout=10))
            assert event["type"] == "reading" and isinstance(event["seq"], int)
            assert {k: event[k] for k in ("sensor", "kind", "room_code", "ts", "value")} == {
                "sensor": "t-1",
                "kind": "temperature",
                "room_code": A101,
                "ts": "2026-03-02T01:00:00Z",
                "value": 21.5,
            }
    # A client that left is forgotten: the next ingest still answers at once.
    _send(served, [{"sensor": "t-1", "ts": "2026-03-02T09:05:00+08:00", "value": 22.0}])


def test_live_rooms_give_temperature_and_how_full(served: dict[str, Any]) -> None:
    _send(
        served,
        [
            {"sensor": "t-1", "ts": "2026-03-02T10:00:00+08:00", "value": 23.0},
            {"sensor": "pc-1", "ts": "2026-03-02T10:00:00+08:00", "value": 6},
            {"sensor": "occ-1", "ts": "2026-03-02T10:00:00+08:00", "value": 0},
        ],
    )
    rooms = httpx.get(f"{served['base']}/api/live/rooms").json()
    assert rooms[A101]["temperature"] == 23.0 and rooms[A101]["occupancy_now"] == "empty"
    assert rooms[A102]["people"] == 6 and rooms[A102]["occupancy_now"] == "over_half"
    assert rooms[A102]["temperature"] is None and rooms[A101]["alarm_state"] is None
    only = httpx.get(f"{served['base']}/api/live/rooms", params={"room": A102.lower()}).json()
    assert list(only) == [A102]


def test_the_socket_needs_a_key_when_reads_do(campus_db: Path, tmp_path: Path) -> None:
    from websockets.exceptions import InvalidStatus
    from websockets.sync.client import connect

    db = copy_store(campus_db, tmp_path)
    engine = open_store(str(db))
    token = create_key(engine, "gateway")
    engine.dispose()
    with serve_twin(db, tmp_path / "serve.log", TWIN_KEYS_FOR_READS="true") as (base, _process):
        url = base.replace("http://", "ws://") + "/api/live"
        with pytest.raises(InvalidStatus):
            connect(url, open_timeout=10).close()
        with pytest.raises(InvalidStatus):
            connect(f"{url}?key=not-a-key", open_timeout=10).close()
        with connect(f"{url}?key={token}", open_timeout=10) as socket:
            socket.ping().wait(5)
        assert httpx.get(f"{base}/api/live/rooms").status_code == 401
