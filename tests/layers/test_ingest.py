"""`ingest_readings`: one result per item in order, idempotent, UTC, counted per channel."""

from __future__ import annotations

import random
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine, event, func, select

from layers.ingest import REASONS, ReadingIn, ingest_readings, ingest_stats, parse_ts_us
from layers.sensors import SensorCreate, register_sensor
from models.errors import BadInput
from tests.layers.live_stores import A101, duplex_copy, duplex_db
from twin.store import open_store
from twin.store import schema as t

__all__ = ["duplex_copy", "duplex_db"]


@pytest.fixture
def live(duplex_copy: Path) -> Engine:
    engine = open_store(str(duplex_copy))
    for sensor in (
        SensorCreate(id="t-1", kind="temperature", room_code=A101),
        SensorCreate(id="door-1", kind="door", room_code=A101),
        SensorCreate(id="mh-1", kind="manhole_cover", code="DX01"),
    ):
        register_sensor(engine, sensor)
    return engine


def _stored(engine: Engine) -> list[tuple[str, int, float]]:
    with engine.connect() as conn:
        rows = conn.execute(select(t.readings).order_by(t.readings.c.ts_us))
        return [(r.sensor_id, r.ts_us, r.value) for r in rows]


def test_valid_items_stored_bad_ones_rejected_with_reasons_in_input_order(live: Engine) -> None:
    items: list[dict[str, object] | ReadingIn] = [
        {"sensor": "t-1", "ts": "2026-03-01T08:00:00+08:00", "value": 21.5},
        {"sensor": "nope", "ts": "2026-03-01T08:00:00Z", "value": 1},
        {"sensor": "t-1", "ts": "2026-03-01T08:00:00", "value": 21.5},
        {"sensor": "t-1", "ts": "yesterday", "value": 21.5},
        {"sensor": "t-1", "ts": "2026-03-01T09:00:00Z", "value": "warm"},
        {"sensor": "t-1", "ts": "2026-03-01T10:00:00Z", "value": 400},
        {"sensor": "t-1", "value": 20},
        ReadingIn("door-1", "2026-03-01T00:30:00Z", "open"),
        {"sensor": "t-1", "ts": "2026-03-01T00:00:00Z", "value": 22},
    ]
    results = ingest_readings(live, items, channel="http")
    assert [(r.status, r.reason) for r in results] == [
        ("stored", None),
        ("rejected", "unknown_sensor"),
        ("rejected", "no_time_zone"),
        ("rejected", "bad_ts"),
        ("rejected", "wrong_type"),
        ("rejected", "out_of_range"),
        ("rejected", "malformed"),
        ("stored", None),
        ("duplicate", None),
    ]
    assert "outside -40…85" in str(results[5].detail)
    # 08:00 at +08:00 is midnight UTC; the door's state is stored as its number.
    assert _stored(live) == [
        ("t-1", parse_ts_us("2026-03-01T00:00:00Z"), 21.5),
        ("door-1", parse_ts_us("2026-03-01T00:30:00Z"), 1.0),
    ]


def test_resending_stores_once_and_out_of_order_is_accepted(live: Engine) -> None:
    batch = [{"sensor": "t-1", "ts": f"2026-03-01T0{h}:00:00Z", "value": 20 + h} for h in (5, 3, 4)]
    assert {r.status for r in ingest_readings(live, batch, "http")} == {"stored"}
    again = ingest_readings(live, [*batch, {**batch[0], "ts": "2026-03-01T01:00:00Z"}], "mqtt")
    assert [r.status for r in again] == ["duplicate", "duplicate", "duplicate", "stored"]
    assert len(_stored(live)) == 4


def test_topic_code_must_be_where_the_sensor_is_registered(live: Engine) -> None:
    item = {"sensor": "mh-1", "ts": "2026-03-01T00:00:00Z", "value": "closed"}
    wrong = ingest_readings(live, [item], "mqtt", topic_code="DX01-B01")
    assert (wrong[0].status, wrong[0].reason) == ("rejected", "topic_mismatch")
    assert ingest_readings(live, [item], "mqtt", topic_code="DX01")[0].status == "stored"


def test_each_item_may_carry_its_own_topic_code_in_one_commit(live: Engine) -> None:
    at = "2026-03-01T00:00:00Z"
    items: list[dict[str, object] | ReadingIn] = [
        {"sensor": "mh-1", "ts": at, "value": "open", "topic_code": "DX01"},
        {"sensor": "t-1", "ts": at, "value": 20.5, "topic_code": A101},
        {"sensor": "t-1", "ts": "2026-03-01T00:01:00Z", "value": 20.5, "topic_code": "DX01"},
        ReadingIn("door-1", at, "closed", topic_code="DX01-B01"),
        ReadingIn("door-1", "2026-03-01T00:02:00Z", "closed", topic_code=A101),
        {"sensor": "t-1", "ts": "2026-03-01T00:03:00Z", "value": 20.5, "topic_code": ["x"]},
    ]
    # The item's own code wins over the argument, which holds for items without one.
    results = ingest_readings(live, items, "mqtt", topic_code="DX01-B01")
    assert [(r.status, r.reason) for r in results] == [
        ("stored", None),
        ("stored", None),
        ("rejected", "topic_mismatch"),
        ("rejected", "topic_mismatch"),
        ("stored", None),
        ("rejected", "topic_mismatch"),
    ]
    assert len(_stored(live)) == 3
    assert ingest_stats(live)["mqtt"]["rejected"]["topic_mismatch"] == 3


def test_a_batch_with_a_stored_reading_says_which_ones_are_new(live: Engine) -> None:
    first = {"sensor": "t-1", "ts": "2026-03-01T00:00:00Z", "value": 20}
    ingest_readings(live, [first], "http")
    later = [{**first, "ts": f"2026-03-01T00:0{m}:00Z"} for m in (1, 2)]
    results = ingest_readings(live, [later[0], first, later[1], first], "http")
    assert [r.status for r in results] == ["stored", "duplicate", "stored", "duplicate"]
    stats = ingest_stats(live)["http"]
    assert (stats["stored"], stats["duplicate"]) == (3, 2)


def test_stats_count_per_channel_outcome_and_reason_with_zeros(live: Engine) -> None:
    ok = {"sensor": "t-1", "ts": "2026-03-01T00:00:00Z", "value": 20}
    ingest_readings(
        live, [ok, ok, {"sensor": "x", "ts": "2026-03-01T00:00:00Z", "value": 1}], "http"
    )
    ingest_readings(live, [ok], "mqtt")
    stats = ingest_stats(live)
    assert stats["http"]["stored"] == 1 and stats["http"]["duplicate"] == 1
    assert stats["http"]["rejected"] == {
        "total": 1,
        **dict.fromkeys(REASONS, 0),
        "unknown_sensor": 1,
    }
    assert stats["mqtt"] == {
        "stored": 0,
        "duplicate": 1,
        "rejected": {"total": 0, **dict.fromkeys(REASONS, 0)},
    }


def test_unknown_channel_is_refused(live: Engine) -> None:
    with pytest.raises(BadInput, match="channel"):
        ingest_readings(live, [], "carrier-pigeon")
    with live.connect() as conn:
        assert conn.execute(select(func.count()).select_from(t.readings)).scalar() == 0


def test_hooks_see_only_newly_stored_rows(live: Engine) -> None:
    from layers.ingest import _hooks, on_stored

    seen: list[list[tuple[str, int, float]]] = []

    def hook(_engine: Engine, rows: list[tuple[str, int, float]]) -> None:
        seen.append(rows)

    on_stored(hook)
    try:
        item = {"sensor": "t-1", "ts": "2026-11-26T08:00:00+08:00", "value": 21.5}
        ingest_readings(live, [item], "http")
        ingest_readings(live, [item], "http")  # a resend: nothing new
        assert len(seen) == 1 and seen[0][0][0] == "t-1" and seen[0][0][2] == 21.5
    finally:
        _hooks.remove(hook)


def test_odd_sized_large_batches_store_every_value_exactly(live: Engine) -> None:
    # 2,345 rows go in as chunks of 1,000 and powers of two; values keep every bit
    rng = random.Random(5)
    values = [rng.uniform(-20, 60) for _ in range(2345)]
    items = [
        {"sensor": "t-1", "ts": f"2026-04-01T00:00:{n // 1000:02d}.{n % 1000:03d}Z", "value": v}
        for n, v in enumerate(values)
    ]
    results = ingest_readings(live, items, "http")
    assert {r.status for r in results} == {"stored"}
    assert [row[2] for row in _stored(live)] == values


def test_batches_waiting_for_the_write_lock_commit_together(live: Engine) -> None:
    from layers.ingest import _waiting, writing

    commits: list[int] = []
    event.listen(live, "commit", lambda _conn: commits.append(1))

    def item(minute: int) -> dict[str, object]:
        return {"sensor": "t-1", "ts": f"2026-05-01T00:{minute:02d}:00Z", "value": 20.0}

    batches = [[item(m) for m in range(0, 10)], [item(m) for m in range(5, 15)], [item(20)]]
    answers: dict[int, list[str]] = {}

    def send(index: int) -> None:
        answers[index] = [r.status for r in ingest_readings(live, batches[index], "http")]

    with writing(live):  # a commit in progress: the three batches queue behind it
        threads = []
        for index in range(3):  # one at a time, so the queue holds them in this order
            threads.append(threading.Thread(target=send, args=(index,)))
            threads[-1].start()
            while len(_waiting.get(live, [])) < index + 1:
                time.sleep(0.001)
        assert not answers  # nobody is acknowledged before the commit
        commits.clear()
    for thread in threads:
        thread.join(10)
    assert len(commits) == 1  # one transaction, one fsync, for the three requests
    assert answers[0] == ["stored"] * 10
    assert answers[1] == ["duplicate"] * 5 + ["stored"] * 5  # as if written one by one
    assert answers[2] == ["stored"]
    assert len(_stored(live)) == 16
    stats = ingest_stats(live)["http"]
    assert (stats["stored"], stats["duplicate"]) == (16, 5)


def test_a_failed_group_commit_fails_every_batch_in_it_and_stores_none(live: Engine) -> None:
    from layers.ingest import _waiting, writing

    register_sensor(live, SensorCreate(id="t-2", kind="temperature", room_code=A101))
    with live.begin() as conn:  # the store refuses t-2's readings, as a full disk would all
        conn.exec_driver_sql(
            "CREATE TRIGGER refuse_t2 BEFORE INSERT ON readings WHEN NEW.sensor_id = 't-2' "
            "BEGIN SELECT RAISE(ABORT, 'refused'); END"
        )
    good = [{"sensor": "t-1", "ts": "2026-06-01T00:00:00Z", "value": 20.0}]
    bad = [{"sensor": "t-2", "ts": "2026-06-01T00:00:00Z", "value": 20.0}]
    failures: dict[int, BaseException] = {}

    def send(index: int, items: list[dict[str, object]]) -> None:
        try:
            ingest_readings(live, items, "http")
        except Exception as exc:
            failures[index] = exc

    with writing(live):
        threads = []
        for index, items in enumerate((good, bad)):
            threads.append(threading.Thread(target=send, args=(index, items)))
            threads[-1].start()
            while len(_waiting.get(live, [])) < index + 1:
                time.sleep(0.001)
    for thread in threads:
        thread.join(10)
    assert set(failures) == {0, 1} and "refused" in str(failures[0])
    assert _stored(live) == []
    assert ingest_stats(live)["http"]["stored"] == 0
    assert [r.status for r in ingest_readings(live, good, "http")] == ["stored"]  # lock free
