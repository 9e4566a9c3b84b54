"""The one way readings enter the twin, whatever the channel (HTTP, MQTT, simulator).

`ingest_readings` checks a batch in bulk, stores the valid readings in one
statement and one transaction, and answers one result per item in input order:
`stored`, `duplicate` (the same sensor and time already stored, or earlier in the
batch) or `rejected` with a reason. Storage is idempotent on (sensor, ts) through
the readings table's primary key and `ON CONFLICT DO NOTHING ... RETURNING`, so a
resend or an MQTT redelivery stores once and is reported a duplicate; out-of-order
readings are simply stored. Times must carry a time zone and are stored as UTC
microseconds.

Outcome counts per channel, outcome and reason are kept in `ingest_counts`,
updated in the same transaction as the readings: they survive a restart and agree
with what was stored, since a crash loses both or neither.
"""

from __future__ import annotations

import logging
import weakref
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from sqlalchemy import Connection, Engine, select
from sqlalchemy.dialects import postgresql, sqlite

from layers.kinds import SENSOR_KINDS, SensorKind
from models.errors import BadInput
from twin.store import schema as t

__all__ = [
    "CHANNELS",
    "REASONS",
    "IngestResult",
    "ReadingIn",
    "ingest_readings",
    "ingest_stats",
    "on_stored",
    "parse_ts_us",
]

logger = logging.getLogger("twin.ingest")

CHANNELS = ("http", "mqtt")
Status = Literal["stored", "duplicate", "rejected"]
REASONS: dict[str, str] = {
    "malformed": "not an object with sensor, ts and value",
    "unknown_sensor": "no sensor has this id; register it first",
    "topic_mismatch": "the topic's code is not where the sensor is registered",
    "bad_ts": "ts is not an ISO 8601 time",
    "no_time_zone": "ts has no time zone (add Z or +08:00)",
    "wrong_type": "the value has the wrong type for the sensor's kind",
    "out_of_range": "the value is outside the kind's plausible range",
}
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_US = timedelta(microseconds=1)


@dataclass(frozen=True, slots=True)
class ReadingIn:
    """One reading as a channel received it: sensor id, ISO 8601 time, raw value."""

    sensor: str
    ts: str
    value: object


@dataclass(frozen=True, slots=True)
class IngestResult:
    """What became of one item: `status`, and for a rejection a `reason` code and `detail`."""

    status: Status
    reason: str | None = None
    detail: str | None = None

    def public(self) -> dict[str, str]:
        if self.reason is None:
            return {"status": self.status}
        return {"status": self.status, "reason": self.reason, "detail": self.detail or ""}


_STORED = IngestResult("stored")
_DUPLICATE = IngestResult("duplicate")


def _rejected(reason: str, detail: str | None = None) -> IngestResult:
    return IngestResult("rejected", reason, detail or REASONS[reason])


def parse_ts_us(ts: object) -> int:
    """UTC microseconds since 1970 of an ISO 8601 time with a zone; `ValueError` else.

    >>> parse_ts_us("1970-01-01T08:00:01+08:00")
    1000000
    """
    if not isinstance(ts, str):
        raise ValueError("bad_ts")
    moment = datetime.fromisoformat(ts)
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("no_time_zone")
    return (moment - _EPOCH) // _US


# Sensor id -> (kind, codes it is bound to). Registrations never change once made
# (`SensorExists` refuses that), so a known sensor can be remembered for good; an
# unknown one is asked for again each time, so a new registration is seen at once.
_known: weakref.WeakKeyDictionary[Engine, dict[str, tuple[SensorKind, frozenset[str]]]] = (
    weakref.WeakKeyDictionary()
)


def _sensors(engine: Engine, ids: set[str]) -> dict[str, tuple[SensorKind, frozenset[str]]]:
    known = _known.setdefault(engine, {})
    missing = [i for i in ids if i not in known]
    if missing:
        s = t.sensors.c
        with engine.connect() as conn:
            for start in range(0, len(missing), 500):
                for sensor_id, kind, room_code, code in conn.execute(
                    select(s.sensor_id, s.kind, s.room_code, s.code).where(
                        s.sensor_id.in_(missing[start : start + 500])
                    )
                ):
                    bound = frozenset(c for c in (room_code, code) if c)
                    known[sensor_id] = (SENSOR_KINDS[kind], bound)
    return known


def _check(
    item: Any, sensors: dict[str, tuple[SensorKind, frozenset[str]]], topic_code: str | None
) -> tuple[str, int, float] | IngestResult:
    """(sensor id, ts µs, value) of a valid item, else its rejection."""
    if isinstance(item, ReadingIn):
        sensor_id, ts, value = item.sensor, item.ts, item.value
    elif isinstance(item, dict) and "sensor" in item and "ts" in item and "value" in item:
        sensor_id, ts, value = item["sensor"], item["ts"], item["value"]
    else:
        return _rejected("malformed")
    found = sensors.get(sensor_id) if isinstance(sensor_id, str) else None
    if found is None:
        return _rejected("unknown_sensor", f"unknown sensor {sensor_id!r}; register it first")
    kind, bound = found
    if topic_code is not None and topic_code not in bound:
        return _rejected(
            "topic_mismatch",
            f"sensor {sensor_id} is registered at {', '.join(sorted(bound)) or 'no code'}, "
            f"not {topic_code}",
        )
    try:
        ts_us = parse_ts_us(ts)
    except ValueError as exc:
        reason = str(exc) if str(exc) == "no_time_zone" else "bad_ts"
        return _rejected(reason, f"{REASONS[reason]}: {ts!r}")
    except (TypeError, OverflowError):
        return _rejected("bad_ts", f"{REASONS['bad_ts']}: {ts!r}")
    number = kind.to_number(value)
    if number is None:
        expected = {
            "number": "a number",
            "boolean": "true/false or 0/1",
            "state": " or ".join(kind.states),
        }[kind.value_type]
        return _rejected("wrong_type", f"a {kind.name} value is {expected}, not {value!r}"[:200])
    if not kind.low <= number <= kind.high:
        return _rejected(
            "out_of_range",
            f"{number:g} {kind.unit} is outside {kind.low:g}…{kind.high:g} for {kind.name}".replace(
                "  ", " "
            ),
        )
    return sensor_id, ts_us, number


def _insert_new(
    engine: Engine, rows: list[tuple[str, int, float]]
) -> tuple[Connection, set[tuple[str, int]] | None]:
    """Begin a transaction and insert rows, skipping those already stored.

    Returns the open connection and the keys that were new, or None for all of them.
    Duplicates are rare (resends, redeliveries), so a plain executemany is tried
    first; when its row count says some rows were skipped, that attempt is rolled
    back and the rows inserted again with RETURNING, which names the new ones.
    """
    dialect = sqlite if engine.dialect.name == "sqlite" else postgresql
    statement = dialect.insert(t.readings).on_conflict_do_nothing()
    conn = engine.connect()
    try:
        conn.begin()
        if rows and _execute_many(conn, statement, rows) == len(rows):
            return conn, None
        conn.rollback()
        conn.begin()
        c = t.readings.c
        returning = statement.returning(c.sensor_id, c.ts_us)
        named = [{"sensor_id": s, "ts_us": ts, "value": v} for s, ts, v in rows]
        stored = {(r[0], r[1]) for r in conn.execute(returning, named)} if rows else set()
        return conn, stored
    except BaseException:
        conn.close()
        raise


def _execute_many(conn: Connection, statement: Any, rows: list[tuple[str, int, float]]) -> int:
    """The row count of inserting `rows` (column order) with one executemany.

    With a positional driver (sqlite3) the statement, compiled by SQLAlchemy for the
    connection's dialect, goes to the driver with the tuples as they are: building
    and binding a dict per row would cost as much as SQLite's own insert.
    """
    if conn.dialect.positional:
        sql = str(statement.compile(dialect=conn.dialect))
        return int(conn.exec_driver_sql(sql, rows).rowcount)
    named = [{"sensor_id": s, "ts_us": ts, "value": v} for s, ts, v in rows]
    return int(conn.execute(statement, named).rowcount)


def _count(conn: Connection, channel: str, counts: Counter[tuple[str, str]]) -> None:
    dialect = sqlite if conn.dialect.name == "sqlite" else postgresql
    statement = dialect.insert(t.ingest_counts)
    statement = statement.on_conflict_do_update(
        index_elements=["channel", "outcome", "reason"],
        set_={"count": t.ingest_counts.c.count + statement.excluded.count},
    )
    for (status, reason), n in counts.items():
        conn.execute(
            statement, {"channel": channel, "outcome": status, "reason": reason, "count": n}
        )


def ingest_readings(
    engine: Engine,
    items: Sequence[dict[str, Any] | ReadingIn],
    channel: str,
    topic_code: str | None = None,
) -> list[IngestResult]:
    """Store the valid readings of `items`; one result per item, in input order.

    `topic_code` (MQTT) must be the room or other code the sensor is registered at.
    Everything is committed before this returns, so an acknowledged reading survives
    a crash.
    """
    if channel not in CHANNELS:
        raise BadInput(f"unknown channel {channel!r}; one of: {', '.join(CHANNELS)}")
    ids = {
        i.sensor if isinstance(i, ReadingIn) else i.get("sensor") if isinstance(i, dict) else None
        for i in items
    }
    sensors = _sensors(engine, {i for i in ids if isinstance(i, str)})
    results: list[IngestResult] = []
    rows: list[tuple[str, int, float]] = []
    first_at: dict[tuple[str, int], int] = {}
    for index, item in enumerate(items):
        checked = _check(item, sensors, topic_code)
        if isinstance(checked, IngestResult):
            results.append(checked)
            continue
        key = checked[:2]
        if key in first_at:
            results.append(_DUPLICATE)
            continue
        first_at[key] = index
        rows.append(checked)
        results.append(_STORED)
    conn, stored = _insert_new(engine, rows)
    with conn:
        if stored is not None:
            for key, index in first_at.items():
                if key not in stored:
                    results[index] = _DUPLICATE
        _count(conn, channel, Counter((r.status, r.reason or "") for r in results))
        conn.commit()
    fresh = [row for row in rows if stored is None or row[:2] in stored]
    if fresh:
        _after_store(engine, fresh)
    return results


StoredRows = list[tuple[str, int, float]]
_hooks: list[Callable[[Engine, StoredRows], None]] = []


def on_stored(hook: Callable[[Engine, StoredRows], None]) -> None:
    """Call `hook(engine, rows)` after every commit of new readings.

    `rows` are `(sensor id, ts in UTC microseconds, value)`, newly stored (duplicates
    left out). Alarms and the live view hook in here; a failing hook is logged and
    never undoes or blocks the ingest.
    """
    if hook not in _hooks:
        _hooks.append(hook)


def _after_store(engine: Engine, rows: StoredRows) -> None:
    for hook in list(_hooks):
        try:
            hook(engine, rows)
        except Exception:
            logger.exception("after-store hook %s failed", getattr(hook, "__name__", hook))


def ingest_stats(engine: Engine) -> dict[str, dict[str, Any]]:
    """Counts per channel: each status with its total, rejections per reason; zeros included."""
    stats: dict[str, dict[str, Any]] = {
        channel: {
            "stored": 0,
            "duplicate": 0,
            "rejected": {"total": 0, **dict.fromkeys(REASONS, 0)},
        }
        for channel in CHANNELS
    }
    with engine.connect() as conn:
        rows = conn.execute(select(t.ingest_counts)).all()
    for row in rows:
        channel = stats.setdefault(
            row.channel, {"stored": 0, "duplicate": 0, "rejected": {"total": 0}}
        )
        if row.outcome == "rejected":
            channel["rejected"]["total"] += row.count
            channel["rejected"][row.reason] = channel["rejected"].get(row.reason, 0) + row.count
        else:
            channel[row.outcome] = channel.get(row.outcome, 0) + row.count
    return stats
