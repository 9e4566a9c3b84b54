"""The one way readings enter the twin, whatever the channel (HTTP, MQTT, simulator).

`ingest_readings` checks a batch in bulk, stores the valid readings with one
multi-row statement per 1,000 in one transaction (shared with the batches that wait
for the write lock beside it: group commit, see `_store`), and answers one result
per item in input order:
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

import asyncio
import contextlib
import functools
import logging
import threading
import weakref
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import chain
from typing import Any, Literal

from sqlalchemy import Connection, Engine, bindparam, select
from sqlalchemy.dialects import postgresql, sqlite

from layers.kinds import SENSOR_KINDS, SensorKind
from models.errors import BadInput
from twin.store import schema as t
from twin.store.bulk import execute_many

__all__ = [
    "CHANNELS",
    "REASONS",
    "IngestResult",
    "ReadingIn",
    "ingest_readings",
    "ingest_readings_async",
    "ingest_stats",
    "on_stored",
    "parse_ts_us",
    "writing",
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
    """One reading as a channel received it: sensor id, ISO 8601 time, raw value, topic code."""

    sensor: str
    ts: str
    value: object
    topic_code: str | None = None


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


StoredRows = list[tuple[str, int, float]]
"""Newly stored readings: (sensor id, ts in UTC microseconds, value)."""

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


@dataclass(frozen=True, slots=True)
class _Bound:
    """A registered sensor as ingest checks it: kind, codes, range, and whether a plain
    float needs no more checking than the range (number kinds of any fraction)."""

    kind: SensorKind
    codes: frozenset[str]
    low: float
    high: float
    plain_float: bool


# Sensor id -> what ingest checks. Registrations never change once made
# (`SensorExists` refuses that), so a known sensor can be remembered for good; an
# unknown one is asked for again each time, so a new registration is seen at once.
_known: weakref.WeakKeyDictionary[Engine, dict[str, _Bound]] = weakref.WeakKeyDictionary()


def _learn(engine: Engine, missing: set[str]) -> bool:
    """Ask the store for sensors ingest does not know yet; whether it found any."""
    known = _known.setdefault(engine, {})
    ids = sorted(missing - known.keys())
    bounds: dict[tuple[str, str | None, str | None], _Bound] = {}  # sensors share most
    s = t.sensors.c
    query = select(s.sensor_id, s.kind, s.room_code, s.code).where(
        s.sensor_id.in_(bindparam("ids", expanding=True))
    )
    with engine.connect() as conn:
        for start in range(0, len(ids), 5000):
            for sensor_id, kind_name, room_code, code in conn.execute(
                query, {"ids": ids[start : start + 5000]}
            ):
                bound = bounds.get((kind_name, room_code, code))
                if bound is None:
                    kind = SENSOR_KINDS[kind_name]
                    plain = kind.value_type == "number" and not kind.whole_numbers
                    codes = frozenset(c for c in (room_code, code) if c)
                    bound = bounds[kind_name, room_code, code] = _Bound(
                        kind, codes, kind.low, kind.high, plain
                    )
                known[sensor_id] = bound
    return bool(bounds)


def _check(
    sensor_id: object, ts: object, value: object, code: str | None, sensors: dict[str, _Bound]
) -> tuple[int, float] | IngestResult:
    """(ts µs, value) of a reading, else its rejection: the full check, reason by reason."""
    found = sensors.get(sensor_id) if isinstance(sensor_id, str) else None
    if found is None:
        return _rejected("unknown_sensor", f"unknown sensor {sensor_id!r}; register it first")
    if code is not None and code not in found.codes:
        return _rejected(
            "topic_mismatch",
            f"sensor {sensor_id} is registered at {', '.join(sorted(found.codes)) or 'no code'}"
            f", not {code}",
        )
    try:
        ts_us = parse_ts_us(ts)
    except ValueError as exc:
        reason = str(exc) if str(exc) == "no_time_zone" else "bad_ts"
        return _rejected(reason, f"{REASONS[reason]}: {ts!r}")
    except (TypeError, OverflowError):
        return _rejected("bad_ts", f"{REASONS['bad_ts']}: {ts!r}")
    kind = found.kind
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
    return ts_us, number


@dataclass(slots=True)
class _Batch:
    """A checked batch: results in input order, the rows to store and where each came from."""

    results: list[IngestResult]
    rows: list[tuple[str, int, float]]
    row_at: list[int]
    rejected: Counter[str]
    unknown: set[str]


def _check_all(
    items: Sequence[dict[str, Any] | ReadingIn], sensors: dict[str, _Bound], topic_code: str | None
) -> _Batch:
    """Check every item; duplicates within the batch are found here, stored ones later.

    This loop is most of ingest's own time, so the common case (a known sensor, a
    valid time, parsed once per batch, and a float in range) is decided inline and
    anything else goes through `_check`, which names the reason.
    """
    batch = _Batch([], [], [], Counter(), set())
    results, rows, row_at = batch.results, batch.rows, batch.row_at
    seen: set[tuple[str, int]] = set()
    times: dict[str, int] = {}  # a batch shares few times: parse each once
    for index, item in enumerate(items):
        if isinstance(item, dict):
            try:
                sensor_id, ts, value = item["sensor"], item["ts"], item["value"]
            except KeyError:
                results.append(_rejected("malformed"))
                batch.rejected["malformed"] += 1
                continue
            code = item.get("topic_code", topic_code)
            if code is not None and type(code) is not str:
                code = repr(code)  # matches no registration: a topic mismatch
        elif isinstance(item, ReadingIn):
            sensor_id, ts, value = item.sensor, item.ts, item.value
            code = item.topic_code or topic_code
        else:
            results.append(_rejected("malformed"))
            batch.rejected["malformed"] += 1
            continue
        found = sensors.get(sensor_id) if type(sensor_id) is str else None
        ts_us = times.get(ts) if type(ts) is str else None
        if ts_us is None and found is not None and type(ts) is str:
            with contextlib.suppress(ValueError, OverflowError):  # `_check` names it
                ts_us = times[ts] = parse_ts_us(ts)
        if (
            found is None
            or ts_us is None
            or type(value) is not float
            or not found.plain_float
            or not found.low <= value <= found.high
            or (code is not None and code not in found.codes)
        ):
            checked = _check(sensor_id, ts, value, code, sensors)
            if isinstance(checked, IngestResult):
                if checked.reason == "unknown_sensor" and type(sensor_id) is str:
                    batch.unknown.add(sensor_id)
                results.append(checked)
                batch.rejected[checked.reason or ""] += 1
                continue
            ts_us, value = checked
        key = (sensor_id, ts_us)
        if key in seen:
            results.append(_DUPLICATE)
            continue
        seen.add(key)
        rows.append((sensor_id, ts_us, value))
        row_at.append(index)
        results.append(_STORED)
    return batch


# Rows per multi-row INSERT on SQLite: one statement, so one `sqlite3_step` that runs
# without the GIL, per chunk instead of one per row (an executemany hands the GIL back
# and forth a thousand times a batch, and waits for it whenever the event loop is
# busy). 1,000 rows bind 3,000 parameters, well under SQLite's limit of 32,766. The
# rest of a batch goes in powers of two, so every statement is one of a few texts,
# prepared once and kept in the sqlite3 module's statement cache.
_CHUNK_ROWS = 1000


def _chunk_sizes(count: int) -> list[int]:
    """How `count` rows go into statements: whole chunks, then powers of two.

    >>> _chunk_sizes(2500)
    [1000, 1000, 256, 128, 64, 32, 16, 4]
    """
    sizes = [_CHUNK_ROWS] * (count // _CHUNK_ROWS)
    rest = count % _CHUNK_ROWS
    sizes += [1 << bit for bit in reversed(range(rest.bit_length())) if rest >> bit & 1]
    return sizes


@functools.cache
def _values_sql(rows: int) -> str:
    values = ",".join(["(?,?,?)"] * rows)
    return f"INSERT INTO readings (sensor_id, ts_us, value) VALUES {values} ON CONFLICT DO NOTHING"


def _insert_rows(conn: Connection, rows: list[tuple[str, int, float]]) -> int:
    """Insert `rows` in `conn`'s transaction, skipping stored keys; how many went in."""
    if conn.dialect.name != "sqlite":
        return execute_many(conn, _statements(conn.dialect.name)[0], rows)
    cursor = conn.connection.cursor()  # sqlite3's own: parameters bound as they are
    inserted, start = 0, 0
    try:
        for size in _chunk_sizes(len(rows)):
            flat = list(chain.from_iterable(rows[start : start + size]))
            cursor.execute(_values_sql(size), flat)
            inserted += cursor.rowcount
            start += size
    finally:
        cursor.close()
    return inserted


def _insert_new(
    conn: Connection, batches: list[list[tuple[str, int, float]]]
) -> list[set[tuple[str, int]] | None]:
    """Begin a transaction and insert each batch's rows, skipping those already stored.

    Per batch, the keys that were new, or None for all of them. Duplicates are rare
    (resends, redeliveries), so plain inserts are tried first; when a row count says
    some rows were skipped, that attempt is rolled back and every batch inserted again,
    in the same order, with RETURNING, which names the new ones (a key in two batches
    of one group is new in the first only, as if they had been written one by one).
    """
    conn.begin()
    if all(_insert_rows(conn, rows) == len(rows) for rows in batches):
        return [None] * len(batches)
    conn.rollback()
    conn.begin()
    c = t.readings.c
    returning = _statements(conn.dialect.name)[0].returning(c.sensor_id, c.ts_us)
    found: list[set[tuple[str, int]] | None] = []
    for rows in batches:
        named = [{"sensor_id": s, "ts_us": ts, "value": v} for s, ts, v in rows]
        found.append({(r[0], r[1]) for r in conn.execute(returning, named)} if rows else set())
    return found


@functools.cache
def _statements(dialect_name: str) -> tuple[Any, Any]:
    """The readings insert (skipping stored keys) and the counts upsert for a dialect."""
    dialect = sqlite if dialect_name == "sqlite" else postgresql
    insert = dialect.insert(t.readings).on_conflict_do_nothing()
    count = dialect.insert(t.ingest_counts)
    count = count.on_conflict_do_update(
        index_elements=["channel", "outcome", "reason"],
        set_={"count": t.ingest_counts.c.count + count.excluded.count},
    )
    return insert, count


def _count(conn: Connection, counts: Counter[tuple[str, str, str]]) -> None:
    """Add outcome counts, keyed (channel, outcome, reason), to `ingest_counts`."""
    rows = [(*key, n) for key, n in counts.items() if n]
    if rows:
        execute_many(conn, _statements(conn.dialect.name)[1], rows)


def ingest_readings(
    engine: Engine,
    items: Sequence[dict[str, Any] | ReadingIn],
    channel: str,
    topic_code: str | None = None,
) -> list[IngestResult]:
    """Store the valid readings of `items`; one result per item, in input order.

    `topic_code` (MQTT) must be the room or other code the sensor is registered at;
    an item's own `topic_code` (a dict key or `ReadingIn.topic_code`) wins over it, so
    one call can take a batch from many topics. Everything is committed before this
    returns, so an acknowledged reading survives a crash.
    """
    batch = _checked(engine, items, channel, topic_code)
    fresh = _store(engine, channel, batch)
    if fresh:
        _after_store(engine, fresh)
    return batch.results


async def ingest_readings_async(
    engine: Engine, items: Sequence[dict[str, Any] | ReadingIn], channel: str
) -> list[IngestResult]:
    """`ingest_readings` for an event loop: the batch is checked on the loop and
    written in a worker thread, so the loop reads and checks the next request
    meanwhile, and batches that arrive while one commits are committed together
    (see `_store`). Answers only once the commit is done.
    """
    batch = _checked(engine, items, channel, None)
    loop = asyncio.get_running_loop()
    fresh = await loop.run_in_executor(None, _store, engine, channel, batch)
    if fresh:
        _after_store(engine, fresh)
    return batch.results


def _checked(
    engine: Engine, items: Sequence[dict[str, Any] | ReadingIn], channel: str, code: str | None
) -> _Batch:
    if channel not in CHANNELS:
        raise BadInput(f"unknown channel {channel!r}; one of: {', '.join(CHANNELS)}")
    known = _known.setdefault(engine, {})
    batch = _check_all(items, known, code)
    if batch.unknown and _learn(engine, batch.unknown):  # first seen here: check again
        batch = _check_all(items, known, code)
    return batch


@dataclass(slots=True)
class _Job:
    """One caller's checked batch, waiting to be written; then what became of it."""

    channel: str
    batch: _Batch
    fresh: StoredRows = field(default_factory=list)
    error: BaseException | None = None
    done: bool = False


# Batches waiting for the write lock, per store. Whoever gets the lock writes all that
# wait (up to `GROUP_MAX_ROWS` rows) in one transaction: one commit, one fsync, for
# every batch that arrived while the last one committed (group commit). Each caller
# still returns only after the commit that holds its batch.
_waiting: weakref.WeakKeyDictionary[Engine, list[_Job]] = weakref.WeakKeyDictionary()
GROUP_MAX_ROWS = 20_000


def _store(engine: Engine, channel: str, batch: _Batch) -> StoredRows:
    """Write a checked batch, committed, with the batches waiting beside it; its new rows.

    Blocks for the write lock: call it in a worker thread from an event loop.
    """
    job = _Job(channel, batch)
    with _locks_lock:
        waiting = _waiting.setdefault(engine, [])
        waiting.append(job)
    with writing(engine):
        while not job.done:  # else a writer before us took it and committed it
            with _locks_lock:
                group = _take(waiting)
            _write_group(engine, group)
    if job.error is not None:
        raise job.error
    return job.fresh


def _take(waiting: list[_Job]) -> list[_Job]:
    """The first waiting batches, up to `GROUP_MAX_ROWS` rows (at least one batch)."""
    group: list[_Job] = []
    rows = 0
    while waiting and (not group or rows + len(waiting[0].batch.rows) <= GROUP_MAX_ROWS):
        group.append(waiting.pop(0))
        rows += len(group[-1].batch.rows)
    return group


def _write_group(engine: Engine, group: list[_Job]) -> None:
    """Insert, count and commit the group's batches in one transaction (write lock held).

    A failure fails every batch of the group: none of them is committed.
    """
    try:
        with engine.connect() as conn:
            stored = _insert_new(conn, [job.batch.rows for job in group])
            counts: Counter[tuple[str, str, str]] = Counter()
            for job, keys in zip(group, stored, strict=True):
                job.fresh = _settle(job.channel, job.batch, keys, counts)
            _count(conn, counts)
            conn.commit()
    except BaseException as exc:
        for job in group:
            job.error, job.fresh = exc, []
    finally:
        for job in group:
            job.done = True


def _settle(
    channel: str,
    batch: _Batch,
    stored: set[tuple[str, int]] | None,
    counts: Counter[tuple[str, str, str]],
) -> StoredRows:
    """Mark rows found already stored as duplicates and add up outcomes; the new rows."""
    results, rows = batch.results, batch.rows
    fresh = rows
    if stored is not None:
        fresh = [row for row in rows if row[:2] in stored]
        for row, index in zip(rows, batch.row_at, strict=True):
            if row[:2] not in stored:
                results[index] = _DUPLICATE
    for reason, n in batch.rejected.items():
        counts[channel, "rejected", reason] += n
    counts[channel, "stored", ""] += len(fresh)
    counts[channel, "duplicate", ""] += len(results) - len(fresh) - batch.rejected.total()
    return fresh


# One writer per store at a time, queued on a lock: SQLite takes one writer anyway,
# and a thread that finds the database locked sleeps in its busy handler for
# milliseconds, where a lock hands over at once. Checking runs outside the lock, so
# one batch is checked while another commits.
_write_locks: weakref.WeakKeyDictionary[Engine, threading.Lock] = weakref.WeakKeyDictionary()
_locks_lock = threading.Lock()


def writing(engine: Engine) -> threading.Lock:
    """The lock every writer of readings takes on `engine`; hold it for a write lock."""
    with _locks_lock:
        return _write_locks.setdefault(engine, threading.Lock())


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
