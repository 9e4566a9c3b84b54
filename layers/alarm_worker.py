"""The background judge: alarms evaluated after ingest commits, never inside it.

Ingest (HTTP, MQTT, simulator) commits readings and returns; its `on_stored` hook only
nudges the engine's `AlarmWorker`, one thread per watched engine. The worker waits
until ingest pauses for `quiet_s` or the oldest unjudged commit is `max_lag_s` old,
whichever comes first, then runs `layers.alarms.evaluate_pending` until nothing is
left: readings that arrive while it waits or works are judged together (coalesced),
in commit order. It also catches up on start (what a crashed or stopped process
left unjudged) and every `poll_s` (readings stored by other processes).

`settle(engine)` waits until the high-water mark in the store has reached the
readings stored before the call: what tests use instead of sleeping.
"""

from __future__ import annotations

import logging
import threading
import time
import weakref

from sqlalchemy import Engine

from layers import alarms, ingest

__all__ = ["AlarmWorker", "settle", "start_worker", "stop_worker"]

logger = logging.getLogger("twin.alarms")

# Readings per judging transaction: enough to amortise its queries and its commit (an
# fsync), few enough that an ingest waiting for the write lock waits tens of
# milliseconds, not seconds (SQLite sifts them at a few million a second).
CHUNK = 50_000

# Progress in this process: settle() waits on it instead of polling blind.
_progress = threading.Condition()


class AlarmWorker:
    """One thread judging one engine's readings in batches, in commit order."""

    def __init__(
        self, engine: Engine, quiet_s: float = 0.5, max_lag_s: float = 2.0, poll_s: float = 5.0
    ) -> None:
        self.engine = engine
        self.quiet_s = quiet_s
        self.max_lag_s = max_lag_s
        self.poll_s = poll_s
        self._wake = threading.Event()
        self._hurry = threading.Event()
        self._stop = threading.Event()
        # Set once the catch-up on start (what was stored before) is judged.
        self.caught_up = threading.Event()
        self._first_nudge: float | None = None
        self._last_nudge = 0.0
        # Held for a whole batch: judging, committing the mark, announcing the alarms.
        self._batch = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="alarm-worker", daemon=True)

    def start(self) -> AlarmWorker:
        self._thread.start()
        return self

    def nudge(self) -> None:
        """New readings were committed (called by ingest's `on_stored` hook)."""
        now = time.monotonic()
        if self._first_nudge is None:
            self._first_nudge = now
        self._last_nudge = now
        self._wake.set()

    def hurry(self) -> None:
        """Judge what is pending now, without waiting for ingest to pause."""
        self._hurry.set()
        self._wake.set()

    def finish_batch(self) -> None:
        """Return once the batch in hand, if any, is judged and announced: its high-water
        mark commits before its alarm events go out."""
        with self._batch:
            pass

    def stop(self, timeout_s: float = 30.0) -> None:
        self._stop.set()
        self.hurry()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout_s)

    def _coalesce(self) -> None:
        """Wait while ingest is busy: until `quiet_s` without a commit or `max_lag_s`."""
        while not self._hurry.is_set():
            now = time.monotonic()
            first = self._first_nudge if self._first_nudge is not None else now
            wait = min(self._last_nudge + self.quiet_s, first + self.max_lag_s) - now
            if wait <= 0:
                return
            self._hurry.wait(wait)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            self._hurry.clear()
            self._first_nudge = None
            self._drain()
            self.caught_up.set()
            if self._wake.wait(self.poll_s) and not self._stop.is_set():
                self._coalesce()

    def _drain(self) -> None:
        while not self._stop.is_set():
            try:
                with self._batch:
                    count, _changed = alarms.evaluate_pending(self.engine, CHUNK)
            except Exception:  # a locked or broken store must not end the worker
                logger.exception("alarm evaluation failed; retrying")
                self._stop.wait(1.0)
                continue
            with _progress:
                _progress.notify_all()
            if count < CHUNK:
                return


_workers: weakref.WeakKeyDictionary[Engine, AlarmWorker] = weakref.WeakKeyDictionary()
_workers_lock = threading.Lock()


def _on_stored(engine: Engine, _rows: ingest.StoredRows) -> None:
    worker = _workers.get(engine)
    if worker is not None:
        worker.nudge()


def start_worker(engine: Engine, quiet_s: float = 0.5, max_lag_s: float = 2.0) -> AlarmWorker:
    """The engine's worker, started now unless it runs already."""
    ingest.on_stored(_on_stored)
    with _workers_lock:
        worker = _workers.get(engine)
        if worker is None:
            worker = _workers[engine] = AlarmWorker(engine, quiet_s, max_lag_s).start()
    return worker


def stop_worker(engine: Engine) -> None:
    """Stop the engine's worker after the batch in hand (it is committed or not at all)."""
    with _workers_lock:
        worker = _workers.pop(engine, None)
    if worker is not None:
        worker.stop()


def settle(engine: Engine, timeout_s: float = 30.0) -> None:
    """Wait until the readings stored before this call have all been judged.

    Waits on the high-water mark in the store, so it sees a worker in this process or
    in another one (a served app). `TimeoutError` names how far behind it still is.
    """
    with engine.connect() as conn:
        target = alarms.stored_through(conn)
    deadline = time.monotonic() + timeout_s
    worker = _workers.get(engine)
    if worker is not None:
        worker.hurry()  # someone is waiting: no need to wait for ingest to pause
    while True:
        with engine.connect() as conn:
            done = alarms.evaluated_through(conn)
        if done >= target:
            if worker is not None:
                worker.finish_batch()  # the mark may have committed before the events
            return
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError(
                f"alarm evaluation is still {target - done} reading rowid(s) behind "
                f"after {timeout_s:g} s; is a worker running (twin serve, alarms.watch)?"
            )
        with _progress:
            # woken by this process's worker; other processes are seen by asking again
            _progress.wait(min(left, 0.05))
