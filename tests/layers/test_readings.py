"""Latest values per sensor and room, and history in aligned buckets."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from layers.ingest import ingest_readings
from layers.readings import bucket_seconds, history, latest_by_sensor, room_live
from layers.sensors import SensorCreate, register_sensor
from models.errors import BadInput, InvalidRoomCode, UnknownSensor
from tests.layers.live_stores import A101, duplex_copy, duplex_db
from twin.store import open_store

__all__ = ["duplex_copy", "duplex_db"]


@pytest.fixture
def live(duplex_copy: Path) -> Engine:
    engine = open_store(str(duplex_copy))
    register_sensor(engine, SensorCreate(id="t-1", kind="temperature", room_code=A101))
    register_sensor(engine, SensorCreate(id="door-1", kind="door", room_code=A101))
    register_sensor(engine, SensorCreate(id="co2-1", kind="co2", room_code=A101))
    values = [(0, 20.0), (5, 22.0), (14, 24.0), (15, 30.0), (44, 10.0)]
    readings = [
        {"sensor": "t-1", "ts": f"2026-03-01T08:{m:02d}:00Z", "value": v} for m, v in values
    ]
    readings.append({"sensor": "door-1", "ts": "2026-03-01T08:01:00Z", "value": "closed"})
    readings.append({"sensor": "door-1", "ts": "2026-03-01T08:02:00Z", "value": "open"})
    ingest_readings(engine, readings, "http")
    return engine


def test_latest_is_the_newest_reading_not_the_last_sent(live: Engine) -> None:
    ingest_readings(live, [{"sensor": "t-1", "ts": "2026-03-01T07:00:00Z", "value": 5}], "http")
    latest = latest_by_sensor(live)
    assert latest["t-1"] == {"ts": "2026-03-01T08:44:00Z", "value": 10.0}
    assert latest["door-1"]["value"] == 1.0
    assert "co2-1" not in latest  # registered, never heard: no latest value
    assert set(latest_by_sensor(live, ["door-1"])) == {"door-1"}


def test_room_live_gives_each_sensor_its_number_and_silent_ones_null(live: Engine) -> None:
    room = room_live(live, A101.lower())
    by_id = {s["id"]: s for s in room["sensors"]}
    assert by_id["t-1"]["value"] == 10.0 and by_id["t-1"]["unit"] == "°C"
    assert by_id["door-1"]["value"] == 1.0 and by_id["door-1"]["state"] == "open"
    assert by_id["co2-1"]["value"] is None
    with pytest.raises(InvalidRoomCode):
        room_live(live, A101[:-1] + "Z")


def test_history_buckets_avg_min_max(live: Engine) -> None:
    found = history(
        live, "t-1", since="2026-03-01T08:00:00Z", until="2026-03-01T09:00:00Z", bucket="15m"
    )
    assert found["buckets"] == [
        {"start": "2026-03-01T08:00:00Z", "avg": 22.0, "min": 20.0, "max": 24.0, "count": 3},
        {"start": "2026-03-01T08:15:00Z", "avg": 30.0, "min": 30.0, "max": 30.0, "count": 1},
        {"start": "2026-03-01T08:30:00Z", "avg": 10.0, "min": 10.0, "max": 10.0, "count": 1},
    ]
    narrow = history(live, "t-1", since="2026-03-01T08:05:00Z", until="2026-03-01T08:15:00Z")
    assert [b["count"] for b in narrow["buckets"]] == [2]


def test_history_defaults_to_the_last_24_hours(live: Engine) -> None:
    assert history(live, "t-1")["buckets"] == []  # the readings are from March 2026


@pytest.mark.parametrize("bucket", ["15", "0m", "1w", "m"])
def test_bad_bucket_is_refused(bucket: str) -> None:
    with pytest.raises(BadInput, match="bucket"):
        bucket_seconds(bucket)


def test_bad_span_and_unknown_sensor_are_refused(live: Engine) -> None:
    with pytest.raises(BadInput, match="time zone"):
        history(live, "t-1", since="2026-03-01T08:00:00")
    with pytest.raises(BadInput, match="buckets"):
        history(live, "t-1", since="2000-01-01T00:00:00Z", bucket="1s")
    with pytest.raises(UnknownSensor, match="t-1"):
        history(live, "t-2")
