"""Alarms from real ingests into a real store: minimum duration, hysteresis, silence, states."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from layers import alarm_worker, alarms
from layers.alarm_rules import RuleOverride, list_rules, load_rules_file, set_override
from layers.events import bus
from layers.ingest import ingest_readings
from layers.sensors import SensorCreate, register_sensor
from models.errors import BadInput
from tests.layers.live_stores import A101, duplex_copy, duplex_db
from twin.store import open_store

__all__ = ["duplex_copy", "duplex_db"]

T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
def live(duplex_copy: Path) -> Iterator[Engine]:
    engine = open_store(str(duplex_copy))
    for sensor in (
        SensorCreate(id="t-1", kind="temperature", room_code=A101),
        SensorCreate(id="door-1", kind="door", room_code=A101),
        SensorCreate(id="mh-1", kind="manhole_cover", code="DX01-B01"),
    ):
        register_sensor(engine, sensor)
    alarms.watch(engine)
    yield engine
    alarms.unwatch(engine)


@pytest.fixture
def events() -> Iterator[list[dict[str, Any]]]:
    seen: list[dict[str, Any]] = []
    bus.add_callback(seen.append)
    yield seen
    bus.remove_callback(seen.append)


def _series(sensor: str, values: list[Any], step_s: int = 10, start: datetime = T0) -> list[Any]:
    return [
        {"sensor": sensor, "ts": (start + timedelta(seconds=i * step_s)).isoformat(), "value": v}
        for i, v in enumerate(values)
    ]


def test_value_flickering_at_the_limit_raises_one_alarm_not_fifty(
    live: Engine, events: list[dict[str, Any]]
) -> None:
    # 100 readings 10 s apart flickering across 30 °C (the default limit, hysteresis 1 °C),
    # sent one at a time as a gateway would.
    for item in _series("t-1", [30.2 if i % 2 else 29.8 for i in range(100)]):
        ingest_readings(live, [item], "http")
    alarms.settle(live)
    raised = alarms.list_alarms(live)
    assert len(raised) == 1
    alarm = raised[0]
    assert (alarm["rule"], alarm["state"], alarm["room_code"]) == (
        "temperature.high",
        "raised",
        A101,
    )
    # first breach at +10 s, held 300 s (the minimum duration) by +310 s
    assert alarm["raised_at"] == "2026-03-01T08:05:10Z"
    assert [e["alarm"]["state"] for e in events if e["type"] == "alarm"] == ["raised"]
    # back below limit − hysteresis: cleared by the system, once
    ingest_readings(live, _series("t-1", [28.9], start=T0 + timedelta(hours=1)), "http")
    alarms.settle(live)
    assert [(a["state"], a["cleared_by"]) for a in alarms.list_alarms(live)] == [
        ("cleared", "system")
    ]
    assert [e["alarm"]["state"] for e in events if e["type"] == "alarm"] == ["raised", "cleared"]


def test_a_spike_shorter_than_the_minimum_duration_raises_nothing(live: Engine) -> None:
    ingest_readings(live, _series("t-1", [20, 35, 36, 35, 20], step_s=60), "http")
    alarms.settle(live)
    assert alarms.list_alarms(live) == []
    # an open door for 20 minutes is too long (default 15 min); the same batch, out of order
    door = _series("door-1", ["open", "open", "open", "closed"], step_s=600)
    ingest_readings(live, list(reversed(door)), "mqtt")
    alarms.settle(live)
    found = alarms.list_alarms(live)
    assert [(a["rule"], a["state"], a["raised_at"]) for a in found] == [
        ("door.open_too_long", "cleared", "2026-03-01T08:20:00Z")
    ]


def test_room_override_from_toml_changes_the_limit(live: Engine, tmp_path: Path) -> None:
    rules = tmp_path / "rules.toml"
    rules.write_text(
        f'[rooms."{A101}"]\n"temperature.high" = {{ limit = 25.0, min_duration_s = 0 }}\n'
    )
    assert load_rules_file(live, rules) == 1
    ingest_readings(live, _series("t-1", [26.0]), "http")
    alarms.settle(live)
    assert [a["limit"] for a in alarms.list_alarms(live, state="raised")] == [25.0]
    set_override(live, A101, "temperature.high", RuleOverride(enabled=False))
    assert list_rules(live)["overrides"][0]["enabled"] is False
    rules.write_text('[rooms."DX01-B01-F01-001C"]\n"temperature.hot" = {}\n')
    with pytest.raises(BadInput, match="unknown alarm rule"):
        load_rules_file(live, rules)


def test_silent_sensor_raises_no_data_and_a_reading_clears_it(live: Engine) -> None:
    ingest_readings(live, _series("t-1", [21.0]), "http")
    alarms.settle(live)
    # temperature reports every 300 s; silent means more than 3 × 300 s
    assert alarms.check_silent(live, T0 + timedelta(seconds=899)) == []
    raised = alarms.check_silent(live, T0 + timedelta(seconds=901))
    assert [(a["sensor"], a["rule"]) for a in raised] == [("t-1", "no_data")]
    assert alarms.check_silent(live, T0 + timedelta(seconds=2000)) == []  # one, not one per check
    ingest_readings(live, _series("t-1", [21.0], start=T0 + timedelta(hours=1)), "http")
    alarms.settle(live)
    t1 = [a for a in alarms.list_alarms(live) if a["sensor"] == "t-1"]
    assert [a["state"] for a in t1] == ["cleared"]


def test_acknowledge_then_clear_records_who_and_when(live: Engine) -> None:
    ingest_readings(live, _series("mh-1", ["open"]), "http")
    alarms.settle(live)
    (alarm,) = alarms.list_alarms(live, state="raised")
    assert alarm["building_code"] == "DX01-B01"
    later = T0 + timedelta(minutes=5)
    acked = alarms.acknowledge(live, alarm["alarm_id"], "alice", now=later)
    assert (acked["state"], acked["acknowledged_by"]) == ("acknowledged", "alice")
    assert acked["acknowledged_at"] == "2026-03-01T08:05:00Z"
    ingest_readings(live, _series("mh-1", ["closed"], start=later), "http")
    alarms.settle(live)
    cleared = alarms.get_alarm(live, alarm["alarm_id"])
    assert (cleared["state"], cleared["cleared_by"]) == ("cleared", "system")
    with pytest.raises(alarms.AlarmStateError):
        alarms.acknowledge(live, alarm["alarm_id"], "bob")
    with pytest.raises(alarms.UnknownAlarm):
        alarms.clear(live, 999, "bob")


def test_an_engine_not_watched_raises_nothing_until_watched_again(live: Engine) -> None:
    alarms.unwatch(live)
    ingest_readings(live, _series("mh-1", ["open"]), "http")
    with pytest.raises(TimeoutError, match="1 reading rowid"):
        alarms.settle(live, timeout_s=0.3)
    assert alarms.list_alarms(live) == []
    # a worker started later catches up on what was stored meanwhile, once
    alarms.watch(live)
    alarms.settle(live)
    assert [a["rule"] for a in alarms.list_alarms(live)] == ["manhole_cover.open"]


def test_door_open_too_long_raised_by_the_clock_when_no_reading_follows(live: Engine) -> None:
    ingest_readings(live, _series("door-1", ["open"]), "http")
    alarms.settle(live)
    assert alarms.check_held(live, T0 + timedelta(minutes=14)) == []
    (alarm,) = alarms.check_periodic(live, T0 + timedelta(minutes=15))
    assert (alarm["rule"], alarm["raised_at"]) == ("door.open_too_long", "2026-03-01T08:15:00Z")
    assert alarms.check_held(live, T0 + timedelta(minutes=30)) == []  # still the one alarm
    ingest_readings(live, _series("door-1", ["closed"], start=T0 + timedelta(hours=1)), "http")
    alarms.settle(live)
    assert [a["state"] for a in alarms.list_alarms(live)] == ["cleared"]


def test_ingest_returns_before_judging_and_each_reading_is_judged_once(live: Engine) -> None:
    # a worker that waits for a pause longer than the test: ingest answers, unjudged
    alarms.unwatch(live)
    worker = alarm_worker.start_worker(live, quiet_s=3600, max_lag_s=3600)
    # its catch-up on start is over: what is stored from now on waits for the pause
    assert worker.caught_up.wait(30)
    results = ingest_readings(live, _series("mh-1", ["open", "closed", "open"], step_s=60), "http")
    assert [r.status for r in results] == ["stored"] * 3
    with live.connect() as conn:
        assert alarms.evaluated_through(conn) < alarms.stored_through(conn)
    assert alarms.list_alarms(live) == []
    # settle() hurries the worker and waits on the high-water mark
    alarms.settle(live)
    found = alarms.list_alarms(live)
    assert [(a["state"], a["raised_at"]) for a in found] == [
        ("raised", "2026-03-01T08:02:00Z"),
        ("cleared", "2026-03-01T08:00:00Z"),
    ]
    # judging again (another process, `twin alarms evaluate`) finds nothing left
    assert alarms.drain(live) == (0, [])
    assert len(alarms.list_alarms(live)) == 2


def test_drain_judges_in_chunks_in_commit_order(live: Engine) -> None:
    alarms.unwatch(live)
    # 25 readings flickering over the limit held > 5 min, then back to normal
    values = [31.0] * 20 + [20.0] * 5
    ingest_readings(live, _series("t-1", values[:10], step_s=60), "http")
    ingest_readings(
        live, _series("t-1", values[10:], step_s=60, start=T0 + timedelta(minutes=10)), "http"
    )
    count, changed = alarms.drain(live, limit=7)
    assert count == 25
    assert [a["state"] for a in changed] == ["raised", "cleared"]
    assert changed[0]["raised_at"] == "2026-03-01T08:05:00Z"
    assert changed[1]["cleared_at"] == "2026-03-01T08:20:00Z"
    with live.connect() as conn:
        assert alarms.evaluated_through(conn) == alarms.stored_through(conn)


def test_a_breach_among_many_quiet_readings_is_found(live: Engine) -> None:
    # 40 temperature sensors of the room; one falls below 5 °C for 10 minutes
    for n in range(2, 42):
        register_sensor(live, SensorCreate(id=f"t-{n}", kind="temperature", room_code=A101))
    batch = []
    for minute in range(0, 11):
        at = T0 + timedelta(minutes=minute)
        for n in range(2, 42):
            value = 3.0 if n == 17 else 21.0
            batch.append({"sensor": f"t-{n}", "ts": at.isoformat(), "value": value})
    ingest_readings(live, batch, "http")
    alarms.settle(live)
    found = alarms.list_alarms(live)
    assert [(a["sensor"], a["rule"], a["raised_at"]) for a in found] == [
        ("t-17", "temperature.low", "2026-03-01T08:05:00Z")
    ]


def test_the_judge_hands_back_its_connection_with_full_sync(live: Engine) -> None:
    # judging commits with synchronous=NORMAL; ingest, on the same pool, needs FULL
    alarms.unwatch(live)
    ingest_readings(live, _series("mh-1", ["open"]), "http")
    assert alarms.drain(live)[0] == 1
    pool: Any = live.pool
    assert pool.checkedout() == 0
    pooled = [live.connect() for _ in range(max(1, pool.checkedin()))]
    try:
        levels = [c.exec_driver_sql("PRAGMA synchronous").scalar() for c in pooled]
        assert levels == [2] * len(pooled)  # FULL, every one
    finally:
        for conn in pooled:
            conn.close()
