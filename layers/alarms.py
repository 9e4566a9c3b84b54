"""Alarms: raised from readings by threshold rules or by silence, acknowledged, cleared.

Readings are judged after they are stored, off the ingest path: `evaluate_pending`
takes the readings not judged yet in commit order (SQLite rowids above the
high-water mark in `alarm_progress`) and commits the alarm changes with the new
mark, so each reading is judged exactly once, even across a crash. The background
worker of `layers.alarm_worker` (started by `watch`) runs it, coalescing while
ingest is busy; `settle` waits for it, `drain` (`twin alarms evaluate`) runs it by
hand. For each sensor and each of its kind's rules it keeps since when the condition
has held, judged on reading times, and raises one alarm once it has held for the
rule's minimum duration; the alarm clears itself when the value is back past the
limit by the hysteresis. Readings judged together are taken in time order; one
older than a reading already judged is skipped. `check_silent` raises a "no data"
alarm for a sensor silent for longer than `SILENT_FACTOR` times its kind's expected
interval; the app runs it periodically, tests call it with `now`. Every state change
is published on `layers.events.bus` as `{"type": "alarm", "alarm": {...}}`."""

from __future__ import annotations

import contextlib
import json
import math
import threading
import weakref
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, func, select, update

from layers import ingest
from layers.alarm_rules import DEFAULT_RULES, Rule, rules_for
from layers.events import bus
from layers.kinds import SENSOR_KINDS
from layers.readings import ts_text
from models.errors import AlarmStateError, BadInput, UnknownAlarm
from twin.store import data_version
from twin.store import schema as t

__all__ = [
    "NO_DATA",
    "SILENT_FACTOR",
    "STATES",
    "AlarmStateError",
    "UnknownAlarm",
    "acknowledge",
    "check_held",
    "check_periodic",
    "check_silent",
    "clear",
    "drain",
    "evaluate_pending",
    "evaluated_through",
    "get_alarm",
    "list_alarms",
    "settle",
    "stored_through",
    "unwatch",
    "watch",
]

STATES = ("raised", "acknowledged", "cleared")
OPEN_STATES = ("raised", "acknowledged")
NO_DATA = "no_data"
SILENT_FACTOR = 3.0
SYSTEM = "system"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


# One judge at a time per process: the evaluator, the periodic checks and acknowledge /
# clear all read and write the watch states and open alarms.
_lock = threading.Lock()


def watch(engine: Engine, quiet_s: float = 0.5, max_lag_s: float = 2.0) -> None:
    """Judge every reading stored in `engine` from now on (and those still unjudged),
    in a background worker (`layers.alarm_worker`); `settle` waits for it."""
    from layers.alarm_worker import start_worker

    start_worker(engine, quiet_s=quiet_s, max_lag_s=max_lag_s)


def unwatch(engine: Engine) -> None:
    """Stop judging `engine`'s readings here; what is stored meanwhile waits, unjudged."""
    from layers.alarm_worker import stop_worker

    stop_worker(engine)


def settle(engine: Engine, timeout_s: float = 30.0) -> None:
    """Wait until every reading stored before the call has been judged (by any process)."""
    from layers.alarm_worker import settle as wait_judged

    wait_judged(engine, timeout_s)


def _us(moment: datetime) -> int:
    if moment.tzinfo is None:
        raise BadInput("a time without a time zone; give it one")
    return (moment - _EPOCH) // timedelta(microseconds=1)


def _public(row: Any) -> dict[str, Any]:
    values = dict(row._mapping)
    return {
        "alarm_id": values["alarm_id"],
        "rule": values["rule"],
        "sensor": values["sensor_id"],
        **{k: values[k] for k in ("kind", "room_code", "code", "building_code", "severity")},
        **{k: values[k] for k in ("state", "value", "limit", "message", "raised_at")},
        **{k: values[k] for k in ("acknowledged_at", "acknowledged_by")},
        **{k: values[k] for k in ("cleared_at", "cleared_by")},
    }


def _sensors(conn: Connection, ids: list[str] | None) -> dict[str, dict[str, Any]]:
    """Kind, codes and building of sensors (all when `ids` is None)."""
    s, r = t.sensors.c, t.rooms.c
    query = select(s.sensor_id, s.kind, s.room_code, s.code, s.registered_at, r.building_code)
    query = query.select_from(t.sensors.outerjoin(t.rooms, s.room_code == r.room_code))
    if ids is not None:
        query = query.where(s.sensor_id.in_(ids))
    found = {row.sensor_id: dict(row._mapping) for row in conn.execute(query)}
    buildings = set(conn.execute(select(t.buildings.c.building_code)).scalars())
    for info in found.values():
        if info["building_code"] is None and info["code"] in buildings:
            info["building_code"] = info["code"]
    return found


def _open_alarm(conn: Connection, sensor_id: str, rule: str) -> Any:
    a = t.alarms.c
    return conn.execute(
        select(t.alarms).where(a.sensor_id == sensor_id, a.rule == rule, a.state.in_(OPEN_STATES))
    ).first()


def _raise(
    conn: Connection,
    info: dict[str, Any],
    rule: str,
    severity: str,
    value: float | None,
    limit: float | None,
    message: str,
    at: str,
) -> int:
    result = conn.execute(
        t.alarms.insert().values(
            rule=rule,
            sensor_id=info["sensor_id"],
            kind=info["kind"],
            room_code=info["room_code"],
            code=info["code"],
            building_code=info["building_code"],
            severity=severity,
            state="raised",
            value=value,
            limit=limit,
            message=message,
            raised_at=at,
        )
    )
    alarm_id: int = result.inserted_primary_key[0]  # type: ignore[index]
    return alarm_id


def _close(conn: Connection, alarm_id: int, at: str, who: str) -> None:
    conn.execute(
        update(t.alarms)
        .where(t.alarms.c.alarm_id == alarm_id)
        .values(state="cleared", cleared_at=at, cleared_by=who)
    )


def _step(
    conn: Connection,
    info: dict[str, Any],
    rule: Rule,
    readings: list[tuple[str, int, float]],
    state: tuple[int | None, int | None],
    open_id: int | None,
) -> tuple[list[int], tuple[int | None, int | None]]:
    """Walk one sensor's new readings (time order) through one rule.

    `state` is (breach since, last judged moment) and `open_id` its open alarm or
    None. Returns the ids of alarms raised or cleared and the watch state to keep, µs.
    """
    since, last = state
    changed: list[int] = []
    held_us = rule.min_duration_s * 1e6
    for _, ts_us, value in readings:
        if last is not None and ts_us <= last:
            continue  # late: the rule has already judged a later moment
        last = ts_us
        if since is None:
            if not rule.breached(value):
                continue
            since = ts_us
        elif rule.recovered(value):
            since = None
            if open_id is not None:
                _close(conn, open_id, ts_text(ts_us), SYSTEM)
                changed.append(open_id)
                open_id = None
            continue
        if open_id is None and ts_us - since >= held_us:
            message = f"{rule.message}: {value:g} {SENSOR_KINDS[rule.kind].unit}".rstrip()
            open_id = _raise(
                conn, info, rule.name, rule.severity, value, rule.limit, message, ts_text(ts_us)
            )
            changed.append(open_id)
    return changed, (since, last)


def _fetch(conn: Connection, sql: str, params: tuple[Any, ...]) -> list[Any]:
    """Rows as the driver's tuples, in `conn`'s transaction: for the tens of thousands
    of rows a batch reads, SQLAlchemy's `Row` objects cost more than the query."""
    cursor = conn.connection.cursor()
    try:
        cursor.execute(sql, params)
        return list(cursor.fetchall())
    finally:
        cursor.close()


# Sets of sensors go to SQLite as one JSON array, unpacked by `json_each`: one bound
# parameter, however many sensors, and no Python call per row.
_IN_SENSORS = "sensor_id IN (SELECT value FROM json_each(?))"


def _open_alarms(conn: Connection, ids_json: str) -> dict[tuple[str, str], int]:
    """Ids of the open (raised or acknowledged) alarms of these sensors by (sensor, rule)."""
    sql = (
        "SELECT sensor_id, rule, alarm_id FROM alarms "
        f"WHERE state IN ('raised', 'acknowledged') AND {_IN_SENSORS}"
    )
    return {(s, rule): alarm_id for s, rule, alarm_id in _fetch(conn, sql, (ids_json,))}


def _watch_states(conn: Connection, ids_json: str) -> dict[tuple[str, str], Any]:
    """(breach since, last judged) of these sensors' rules by (sensor, rule)."""
    sql = (
        f"SELECT sensor_id, rule, breach_since_us, last_ts_us FROM alarm_watch WHERE {_IN_SENSORS}"
    )
    return {(s, rule): (since, last) for s, rule, since, last in _fetch(conn, sql, (ids_json,))}


def _save_watch(
    conn: Connection,
    states: dict[tuple[str, str], Any],
    kept: dict[tuple[str, str], tuple[int | None, int | None]],
) -> None:
    """Write the watch states that changed, all in one upsert of a JSON array."""
    rows = [
        (sensor_id, rule, since, last)
        for (sensor_id, rule), (since, last) in kept.items()
        if last is not None and states.get((sensor_id, rule)) != (since, last)
    ]
    if rows:
        conn.exec_driver_sql(
            "INSERT INTO alarm_watch (sensor_id, rule, breach_since_us, last_ts_us) "
            "SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3 FROM json_each(?) "
            "WHERE true ON CONFLICT (sensor_id, rule) DO UPDATE SET "
            "breach_since_us = excluded.breach_since_us, last_ts_us = excluded.last_ts_us",
            (json.dumps(rows),),
        )


# Sensor id -> what judging needs of it (kind, codes, building), per engine, valid while
# the store's rooms stay as they were (`data_version`): registrations never change.
_infos: weakref.WeakKeyDictionary[Engine, tuple[str, dict[str, dict[str, Any]]]] = (
    weakref.WeakKeyDictionary()
)


def _sensor_infos(
    conn: Connection, engine: Engine, version: str, ids: set[str]
) -> dict[str, dict[str, Any]]:
    cached = _infos.get(engine)
    if cached is None or cached[0] != version:
        cached = _infos[engine] = (version, {})
    known = cached[1]
    missing = sorted(ids - known.keys())
    for start in range(0, len(missing), 500):
        known.update(_sensors(conn, missing[start : start + 500]))
    return known


def _judged_before(conn: Connection, sensor_id: str, done: int) -> int | None:
    """The newest reading time of a sensor among those judged (rowid ≤ `done`)."""
    found = _fetch(
        conn,
        "SELECT ts_us FROM readings WHERE sensor_id = ? AND rowid <= ? ORDER BY ts_us DESC LIMIT 1",
        (sensor_id, done),
    )
    return found[0][0] if found else None


def _judge(
    conn: Connection, rows: ingest.StoredRows, infos: dict[str, dict[str, Any]], done: int
) -> list[int]:
    """Judge stored readings `(sensor, ts_us, value)` in one transaction; alarms changed.

    `done` is the high-water mark the readings lie above. The watch states and open
    alarms of the batch's sensors are read in two queries and the changed states
    written in one. A rule that no value of the batch breaches, with no breach running
    and no alarm open, has nothing to judge: that is decided from the batch's extremes
    and costs no write, so `alarm_watch` holds only rules that have breached. When a
    rule does walk its readings, the moment it judged last is the newer of its watch
    row's and the sensor's newest reading already judged.
    """
    by_sensor: dict[str, list[tuple[str, int, float]]] = {}
    for row in rows:
        found = by_sensor.get(row[0])
        if found is None:
            by_sensor[row[0]] = [row]
        else:
            found.append(row)
    pairs = {(i["kind"], i["room_code"]) for s in by_sensor if (i := infos.get(s)) is not None}
    rules = rules_for(conn, pairs)
    # Per (kind, room): values above `high_ok` or below `low_ok` breach one of its rules.
    limits = {
        pair: (
            min((r.limit for r in own if r.direction == "above"), default=math.inf),
            max((r.limit for r in own if r.direction == "below"), default=-math.inf),
        )
        for pair, own in rules.items()
    }
    ids_json = json.dumps(list(by_sensor))
    states = _watch_states(conn, ids_json)
    open_alarms = _open_alarms(conn, ids_json)
    busy = {sensor for (sensor, _), (since, _) in states.items() if since is not None}
    busy.update(sensor for sensor, _ in open_alarms)
    changed: list[int] = []
    kept: dict[tuple[str, str], tuple[int | None, int | None]] = {}
    for sensor_id, readings in by_sensor.items():
        info = infos.get(sensor_id)
        if info is None:
            continue
        pair = (info["kind"], info["room_code"])
        high_ok, low_ok = limits[pair]
        if len(readings) == 1:
            high = low = readings[0][2]
        else:
            readings.sort()
            high, low = max(r[2] for r in readings), min(r[2] for r in readings)
        if high <= high_ok and low >= low_ok and sensor_id not in busy:
            continue  # the common case: nothing breached, nothing running, nothing to keep
        changed += _judge_sensor(conn, info, rules[pair], readings, states, open_alarms, kept, done)
    _save_watch(conn, states, kept)
    return changed


def _judge_sensor(
    conn: Connection,
    info: dict[str, Any],
    rules: list[Rule],
    readings: list[tuple[str, int, float]],
    states: dict[tuple[str, str], Any],
    open_alarms: dict[tuple[str, str], int],
    kept: dict[tuple[str, str], tuple[int | None, int | None]],
    done: int,
) -> list[int]:
    """Walk one sensor's readings (time order) through each of its rules that may change."""
    sensor_id, changed = info["sensor_id"], []
    silent = open_alarms.get((sensor_id, NO_DATA))
    if silent is not None:  # it speaks again
        _close(conn, silent, ts_text(readings[-1][1]), SYSTEM)
        changed.append(silent)
    high, low = max(r[2] for r in readings), min(r[2] for r in readings)
    before: list[int | None] = []  # the sensor's newest judged reading, once asked
    for rule in rules:
        key = (sensor_id, rule.name)
        since, last = states.get(key, (None, None))
        open_id = open_alarms.get(key)
        quiet = high <= rule.limit if rule.direction == "above" else low >= rule.limit
        if quiet and since is None and open_id is None:
            continue
        if not before:
            before.append(_judged_before(conn, sensor_id, done))
        if before[0] is not None and (last is None or before[0] > last):
            last = before[0]
        ids_changed, kept[key] = _step(conn, info, rule, readings, (since, last), open_id)
        changed += ids_changed
    return changed


PROGRESS = "readings"


def evaluated_through(conn: Connection) -> int:
    """The highest readings rowid judged so far (0 before the first evaluation)."""
    done = conn.exec_driver_sql(
        f"SELECT last_rowid FROM alarm_progress WHERE name = '{PROGRESS}'"
    ).scalar()
    return int(done or 0)


def stored_through(conn: Connection) -> int:
    """The highest readings rowid stored so far."""
    return int(conn.exec_driver_sql("SELECT max(rowid) FROM readings").scalar() or 0)


def evaluate_pending(engine: Engine, limit: int = 10_000) -> tuple[int, list[dict[str, Any]]]:
    """Judge up to `limit` readings not judged yet, oldest commit first; how many, and
    the alarms that changed.

    The readings, the alarm changes and the new high-water mark (`alarm_progress`, the
    highest readings rowid judged) commit together, so every stored reading is judged
    exactly once, even when the process dies in between: the next run starts where
    the last commit left off. SQLite only (rowids give commit order).

    The commit does not wait for the disk (synchronous=NORMAL) unless an alarm
    changed: it stays atomic, a killed process loses nothing, and should the machine
    lose power the readings (synced by ingest) are judged again, none twice. Ingest
    then does not wait behind an fsync of the judge's for nothing.
    """
    if engine.dialect.name != "sqlite":
        raise BadInput(f"alarm evaluation needs a SQLite store, not {engine.dialect.name}")
    version = data_version(engine)
    with _lock, ingest.writing(engine), engine.connect() as conn, _relaxed(conn):
        with conn.begin():
            # a write first: the transaction holds the write lock before it reads the mark
            conn.exec_driver_sql(
                "INSERT INTO alarm_progress (name, last_rowid) "
                f"VALUES ('{PROGRESS}', 0) ON CONFLICT (name) DO NOTHING"
            )
            done = evaluated_through(conn)
            last = _fetch(conn, "SELECT max(rowid) FROM readings WHERE rowid <= ?", (done + limit,))
            through = last[0][0]
            if through is None or through <= done:
                return 0, []
            rows = _may_change(conn, done, through)
            infos = _sensor_infos(conn, engine, version, {row[0] for row in rows})
            changed = _judge(conn, rows, infos, done)
            conn.exec_driver_sql(
                f"UPDATE alarm_progress SET last_rowid = ? WHERE name = '{PROGRESS}'",
                (through,),
            )
            count = _fetch(
                conn,
                "SELECT count(*) FROM readings WHERE rowid > ? AND rowid <= ?",
                (done, through),
            )[0][0]
        if changed:  # alarms people will hear of: on disk before anyone does
            _durable(conn)
    return int(count), _announce(engine, changed)


@contextlib.contextmanager
def _relaxed(conn: Connection) -> Iterator[None]:
    """synchronous=NORMAL on `conn` meanwhile, FULL again after (or the connection is
    dropped, never to serve an ingest that counts on FULL)."""
    conn.exec_driver_sql("PRAGMA synchronous=NORMAL")
    conn.commit()
    try:
        yield
    finally:
        try:
            if conn.in_transaction():
                conn.rollback()
            conn.exec_driver_sql("PRAGMA synchronous=FULL")
            conn.commit()
        except Exception:
            conn.invalidate()
            raise


def _durable(conn: Connection) -> None:
    """Sync what `conn` committed: a FULL commit writes the whole log to disk."""
    conn.exec_driver_sql("PRAGMA synchronous=FULL")
    conn.commit()
    with conn.begin():
        conn.exec_driver_sql(
            f"UPDATE alarm_progress SET last_rowid = last_rowid WHERE name = '{PROGRESS}'"
        )


def _past_limits(conn: Connection) -> tuple[str, list[Any]]:
    """A SQL condition on `r.value` and `s.kind` (and its parameters): true when a
    reading may breach one of its kind's rules in some room. Per kind, the most
    sensitive limits of the defaults and of every room override."""
    high: dict[str, float] = {}
    low: dict[str, float] = {}
    overrides = _fetch(
        conn, 'SELECT rule, "limit" FROM alarm_rule_overrides WHERE "limit" IS NOT NULL', ()
    )
    limits = [(rule, rule.limit) for rule in DEFAULT_RULES.values()]
    limits += [(DEFAULT_RULES[name], limit) for name, limit in overrides if name in DEFAULT_RULES]
    for rule, limit in limits:
        if rule.direction == "above":
            high[rule.kind] = min(limit, high.get(rule.kind, limit))
        else:
            low[rule.kind] = max(limit, low.get(rule.kind, limit))
    cases, params = [], []
    for kind in sorted({*high, *low}):
        tests = []
        if kind in high:
            tests.append("r.value > ?")
        if kind in low:
            tests.append("r.value < ?")
        cases.append(f"WHEN ? THEN {' OR '.join(tests)}")
        params += [
            kind,
            *([high[kind]] if kind in high else []),
            *([low[kind]] if kind in low else []),
        ]
    return f"CASE s.kind {' '.join(cases)} ELSE 0 END", params


def _may_change(conn: Connection, done: int, through: int) -> list[Any]:
    """The readings in (`done`, `through`] that may change an alarm: those past some
    rule's limit for their kind, and every reading of a sensor with a breach running
    or an alarm open. SQLite sifts the rest out, so a reading that changes nothing
    costs no Python at all; `_judge` then decides exactly, rule by rule and room by room.
    """
    condition, params = _past_limits(conn)
    past = _fetch(
        conn,
        # readings first (their rowid range), each sensor's kind looked up
        "SELECT r.sensor_id FROM readings r CROSS JOIN sensors s "
        f"WHERE s.sensor_id = r.sensor_id AND r.rowid > ? AND r.rowid <= ? AND {condition}",
        (done, through, *params),
    )
    running = _fetch(
        conn,
        "SELECT sensor_id FROM alarm_watch WHERE breach_since_us IS NOT NULL UNION "
        "SELECT sensor_id FROM alarms WHERE state IN ('raised', 'acknowledged')",
        (),
    )
    ids = {sensor_id for (sensor_id,) in past} | {sensor_id for (sensor_id,) in running}
    if not ids:
        return []
    return _fetch(
        conn,
        "SELECT sensor_id, ts_us, value FROM readings "
        f"WHERE rowid > ? AND rowid <= ? AND {_IN_SENSORS}",
        (done, through, json.dumps(sorted(ids))),
    )


def drain(engine: Engine, limit: int = 10_000) -> tuple[int, list[dict[str, Any]]]:
    """Judge every reading not judged yet, `limit` at a time; how many, alarms changed."""
    total = 0
    changed: list[dict[str, Any]] = []
    while True:
        count, alarms = evaluate_pending(engine, limit)
        if count == 0:
            return total, changed
        total += count
        changed += alarms


def _announce(engine: Engine, alarm_ids: list[int]) -> list[dict[str, Any]]:
    if not alarm_ids:
        return []
    with engine.connect() as conn:
        rows = conn.execute(select(t.alarms).where(t.alarms.c.alarm_id.in_(alarm_ids))).all()
    found = {row.alarm_id: _public(row) for row in rows}
    for alarm_id in alarm_ids:
        bus.publish({"type": "alarm", "alarm": found[alarm_id]})
    return [found[i] for i in alarm_ids]


def check_silent(engine: Engine, now: datetime) -> list[dict[str, Any]]:
    """Raise "no data" for sensors silent too long, as of `now`; the alarms raised.

    Silent means no reading newer than `SILENT_FACTOR` × the kind's expected interval
    (a sensor that never reported counts from its registration).
    """
    now_us = _us(now)
    changed: list[int] = []
    with _lock, engine.begin() as conn:
        last = dict(
            conn.execute(
                select(t.readings.c.sensor_id, func.max(t.readings.c.ts_us)).group_by(
                    t.readings.c.sensor_id
                )
            ).all()
        )
        a = t.alarms.c
        open_silent = set(
            conn.execute(
                select(a.sensor_id).where(a.rule == NO_DATA, a.state.in_(OPEN_STATES))
            ).scalars()
        )
        for sensor_id, info in _sensors(conn, None).items():
            if sensor_id in open_silent:
                continue
            since = last.get(sensor_id)
            if since is None:
                since = _us(datetime.fromisoformat(info["registered_at"]))
            allowed_s = SENSOR_KINDS[info["kind"]].expected_interval_s * SILENT_FACTOR
            if now_us - since > allowed_s * 1e6:
                message = f"no data since {ts_text(since)}"
                changed.append(
                    _raise(conn, info, NO_DATA, "warning", None, None, message, ts_text(now_us))
                )
    return _announce(engine, changed)


def check_held(engine: Engine, now: datetime) -> list[dict[str, Any]]:
    """Raise alarms whose condition has held past the minimum duration as of `now`.

    A door that reports only when it changes sends no reading to judge "open too
    long" on; the periodic check judges it on the clock instead.
    """
    now_us = _us(now)
    changed: list[int] = []
    with _lock, engine.begin() as conn:
        w = t.alarm_watch.c
        pending = conn.execute(select(t.alarm_watch).where(w.breach_since_us.is_not(None))).all()
        infos = _sensors(conn, sorted({p.sensor_id for p in pending}))
        rules = rules_for(conn, {(i["kind"], i["room_code"]) for i in infos.values()})
        for row in pending:
            info = infos.get(row.sensor_id)
            if info is None:
                continue
            own = rules[(info["kind"], info["room_code"])]
            rule = next((r for r in own if r.name == row.rule), None)
            if rule is None or now_us - row.breach_since_us < rule.min_duration_s * 1e6:
                continue
            if _open_alarm(conn, row.sensor_id, rule.name) is not None:
                continue
            value = conn.execute(
                select(t.readings.c.value).where(
                    t.readings.c.sensor_id == row.sensor_id, t.readings.c.ts_us == row.last_ts_us
                )
            ).scalar()
            message = f"{rule.message} since {ts_text(row.breach_since_us)}"
            changed.append(
                _raise(
                    conn,
                    info,
                    rule.name,
                    rule.severity,
                    value,
                    rule.limit,
                    message,
                    ts_text(now_us),
                )
            )
    return _announce(engine, changed)


def check_periodic(engine: Engine, now: datetime) -> list[dict[str, Any]]:
    """What the app runs every minute: `check_silent` and `check_held`."""
    return check_silent(engine, now) + check_held(engine, now)


def list_alarms(engine: Engine, state: str | None = None) -> list[dict[str, Any]]:
    """Alarms, newest first, optionally in one state."""
    query = select(t.alarms).order_by(t.alarms.c.alarm_id.desc())
    if state is not None:
        if state not in STATES:
            raise BadInput(f"unknown alarm state {state!r}; one of: {', '.join(STATES)}")
        query = query.where(t.alarms.c.state == state)
    with engine.connect() as conn:
        return [_public(row) for row in conn.execute(query)]


def get_alarm(engine: Engine, alarm_id: int) -> dict[str, Any]:
    with engine.connect() as conn:
        row = conn.execute(select(t.alarms).where(t.alarms.c.alarm_id == alarm_id)).first()
    if row is None:
        raise UnknownAlarm(f"no alarm has id {alarm_id}; `GET /api/alarms` lists them")
    return _public(row)


def _now_text(now: datetime | None) -> str:
    return ts_text(_us(now or datetime.now(UTC)))


def acknowledge(
    engine: Engine, alarm_id: int, who: str, now: datetime | None = None
) -> dict[str, Any]:
    """Mark a raised alarm acknowledged by `who`; acknowledging twice changes nothing."""
    alarm = get_alarm(engine, alarm_id)
    if alarm["state"] == "acknowledged":
        return alarm
    if alarm["state"] != "raised":
        raise AlarmStateError(f"alarm {alarm_id} is {alarm['state']}; only a raised one can be")
    with _lock, engine.begin() as conn:
        conn.execute(
            update(t.alarms)
            .where(t.alarms.c.alarm_id == alarm_id, t.alarms.c.state == "raised")
            .values(state="acknowledged", acknowledged_at=_now_text(now), acknowledged_by=who)
        )
    return _announce(engine, [alarm_id])[0]


def clear(engine: Engine, alarm_id: int, who: str, now: datetime | None = None) -> dict[str, Any]:
    """Clear an open alarm by hand; its rule starts judging afresh from the next reading."""
    alarm = get_alarm(engine, alarm_id)
    if alarm["state"] == "cleared":
        raise AlarmStateError(f"alarm {alarm_id} is already cleared")
    with _lock, engine.begin() as conn:
        _close(conn, alarm_id, _now_text(now), who)
        w = t.alarm_watch.c
        conn.execute(
            update(t.alarm_watch)
            .where(w.sensor_id == alarm["sensor"], w.rule == alarm["rule"])
            .values(breach_since_us=None)
        )
    return _announce(engine, [alarm_id])[0]
