"""Snapshots for a server: one worker process draws them, a cache answers repeats.

VTK is not safe across threads, and a web server answers requests on many. So
`SnapshotService` renders in one long-lived worker process (started on the first
render, spawned rather than forked so it inherits no server threads) and keeps the
PNGs by (store, building, storey, colour mode, data version). The data version is
one cheap query (`data_version`): the last import run, the last room event and the
last local edit, so an import or an edit (new usage, department) draws anew, and
nothing else does. Requests for a snapshot already being drawn wait for that one.

>>> service = SnapshotService()  # doctest: +SKIP
>>> png = await service.render("twin.db", "WZ01-B01", "F02", "usage")  # doctest: +SKIP
>>> service.close()  # doctest: +SKIP
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import multiprocessing
import os
import signal
import threading
from collections import OrderedDict
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from twin.store import data_version, database_url, open_store

__all__ = ["RENDER_VERSION", "SnapshotKey", "SnapshotService"]

logger = logging.getLogger("twin.viewer.snapshots")

RENDER_VERSION = 1
"""Part of every cache key: raise it when the same data should draw differently."""


@dataclass(frozen=True)
class SnapshotKey:
    """What a cached snapshot was drawn from; equal keys mean equal pictures."""

    db_url: str
    building_code: str
    storey_code: str | None
    colour: str
    data_version: str

    @property
    def view_id(self) -> str:
        """Hash of everything but the data version: one file per view on disk."""
        parts = (RENDER_VERSION, self.db_url, self.building_code, self.storey_code, self.colour)
        text = "|".join(str(part) for part in parts)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]

    @property
    def file_name(self) -> str:
        version = hashlib.sha256(self.data_version.encode("utf-8")).hexdigest()[:16]
        return f"{self.view_id}-{version}.png"


def _live_version(engine: Engine, building_code: str) -> str:
    """A hash of the building's live room values: live modes redraw when they change."""
    from layers.live import live_rooms
    from twin.rooms import list_rooms

    codes = [room["room_code"] for room in list_rooms(engine, building=building_code)]
    text = json.dumps(live_rooms(engine, codes), sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


# --- the worker process -----------------------------------------------------------------

_worker_engines: dict[str, Engine] = {}


def _worker_start() -> None:
    # Ctrl-C in the server's terminal reaches the whole process group; the server
    # shuts the worker down itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _worker_render(db_url: str, building_code: str, storey_code: str | None, colour: str) -> bytes:
    from viewer.snapshot import render_snapshot

    engine = _worker_engines.get(db_url)
    if engine is None:
        engine = _worker_engines[db_url] = open_store(db_url, create=False)
    return render_snapshot(engine, building_code, storey_code, colour)


def _worker_pid() -> int:
    return os.getpid()


# --- the service, in the server's process ---------------------------------------------------


class SnapshotService:
    """Render snapshots in one worker process, cached by data version.

    `cache_entries` PNGs stay in memory (least recently used go first); with
    `cache_dir`, PNGs are also kept there as files, one per view (older data
    versions of a view are deleted), so a restarted server draws nothing unchanged.
    `renders` counts pictures actually drawn. Thread-safe; `render` is a coroutine,
    `render_blocking` the same for synchronous callers.
    """

    def __init__(self, cache_entries: int = 64, cache_dir: Path | None = None) -> None:
        self.cache_entries = cache_entries
        self.cache_dir = cache_dir
        self.renders = 0
        self._lock = threading.Lock()
        self._executor: ProcessPoolExecutor | None = None
        self._memory: OrderedDict[SnapshotKey, bytes] = OrderedDict()
        self._pending: dict[SnapshotKey, Future[bytes]] = {}
        self._engines: dict[str, Engine] = {}

    # -- keys and caches

    def _engine(self, db_url: str) -> Engine:
        with self._lock:
            engine = self._engines.get(db_url)
            if engine is None:
                engine = self._engines[db_url] = open_store(db_url, create=False)
            return engine

    def key(self, db_url: str, building: str, storey: str | None, colour: str) -> SnapshotKey:
        """The cache key of a snapshot; raises `BadInput` for an unknown building, storey
        or colour mode (so bad requests never reach the worker)."""
        from twin.campus import resolve_storey_code
        from twin.rooms import resolve_building_code
        from viewer.palette import COLOUR_MODES
        from viewer.snapshot import check_colour_mode

        url = database_url(db_url)
        engine = self._engine(url)
        colour = check_colour_mode(colour)
        building_code = resolve_building_code(engine, building)
        storey_code = resolve_storey_code(engine, building_code, storey) if storey else None
        version = data_version(engine)
        if COLOUR_MODES[colour].live:
            version += f".live{_live_version(engine, building_code)}"
        return SnapshotKey(url, building_code, storey_code, colour, version)

    def _cached(self, key: SnapshotKey) -> bytes | None:
        png = self._memory.get(key)
        if png is not None:
            self._memory.move_to_end(key)
            return png
        if self.cache_dir is None:
            return None
        try:
            png = (self.cache_dir / key.file_name).read_bytes()
        except OSError:
            return None
        self._remember(key, png)
        return png

    def _remember(self, key: SnapshotKey, png: bytes) -> None:
        self._memory[key] = png
        self._memory.move_to_end(key)
        while len(self._memory) > self.cache_entries:
            self._memory.popitem(last=False)

    def _store_file(self, key: SnapshotKey, png: bytes) -> None:
        if self.cache_dir is None:
            return
        try:
            self.cache_dir.mkdir(parents=True, exist_ok=True)
            target = self.cache_dir / key.file_name
            partial = target.with_suffix(f".{os.getpid()}.part")
            partial.write_bytes(png)
            os.replace(partial, target)
            for old in self.cache_dir.glob(f"{key.view_id}-*.png"):
                if old != target:
                    old.unlink(missing_ok=True)
        except OSError:
            # A full or read-only disk costs a re-render later, not this answer.
            logger.warning("could not keep snapshot in %s", self.cache_dir, exc_info=True)

    # -- rendering

    def _worker(self) -> ProcessPoolExecutor:
        if self._executor is None:
            self._executor = ProcessPoolExecutor(
                max_workers=1,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_worker_start,
            )
        return self._executor

    def submit(self, db_url: str, building: str, storey: str | None, colour: str) -> Future[bytes]:
        """A future of the PNG: done at once from the cache, else drawn by the worker."""
        key = self.key(db_url, building, storey, colour)
        with self._lock:
            png = self._cached(key)
            if png is not None:
                done: Future[bytes] = Future()
                done.set_result(png)
                return done
            pending = self._pending.get(key)
            if pending is not None:
                return pending
            future = self._worker().submit(
                _worker_render, key.db_url, key.building_code, key.storey_code, key.colour
            )
            self.renders += 1
            self._pending[key] = future
        future.add_done_callback(lambda finished: self._finished(key, finished))
        return future

    def _finished(self, key: SnapshotKey, future: Future[bytes]) -> None:
        error = None if future.cancelled() else future.exception()
        with self._lock:
            self._pending.pop(key, None)
            if future.cancelled():
                return
            if isinstance(error, BrokenProcessPool):
                # The worker died (crashed driver, killed): the next render starts a new one.
                logger.error("snapshot worker died; starting a new one on the next render")
                if self._executor is not None:
                    self._executor.shutdown(wait=False, cancel_futures=True)
                self._executor = None
                return
            if error is not None:
                return
            self._remember(key, future.result())
        self._store_file(key, future.result())

    async def render(self, db_url: str, building: str, storey: str | None, colour: str) -> bytes:
        """The PNG of a building (or one storey) coloured by `colour`; awaits the worker.

        `building` is `SITE-Bnn` (or a bare `Bnn` of one site), `storey` `F02` or a full
        storey code or None; raises `BadInput` for an unknown one or an unknown colour.
        """
        future = await asyncio.to_thread(self.submit, db_url, building, storey, colour)
        return await asyncio.wrap_future(future)

    def render_blocking(
        self,
        db_url: str,
        building: str,
        storey: str | None,
        colour: str,
        timeout_s: float | None = None,
    ) -> bytes:
        """`render` for synchronous callers (a sync route, a script)."""
        return self.submit(db_url, building, storey, colour).result(timeout=timeout_s)

    def worker_pid(self) -> int:
        """The worker's process id (starting it if needed); not the caller's."""
        with self._lock:
            executor = self._worker()
        return executor.submit(_worker_pid).result()

    def close(self) -> None:
        """Stop the worker and drop the engines; a later render starts a new worker."""
        with self._lock:
            executor, self._executor = self._executor, None
            engines, self._engines = self._engines, {}
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)
        for engine in engines.values():
            engine.dispose()
