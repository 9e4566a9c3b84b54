"""The served app's alarm machinery: rules on every reading, silence checks, notifications.

Started in the app's lifespan (not in `create_app`), so a test that builds an app or
calls `ingest_readings` on its own store raises no alarms unless it asks to. Readings
are judged off the ingest path, by the background worker of `layers.alarm_worker`
that `alarms.watch` starts: it catches up at once on what the store holds unjudged
(e.g. after a crash), then judges new commits once ingest pauses for
`alarm_quiet_s`, or `alarm_max_lag_s` after a commit at the latest.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine

from api.settings import Settings
from layers import alarms, notify
from layers.alarm_rules import load_rules_file
from layers.notify_config import load_config_file

__all__ = ["AlarmService"]

logger = logging.getLogger("twin.alarms")


class AlarmService:
    """Watches one engine's readings and runs the silence check and the notifier."""

    def __init__(self, engine: Engine, settings: Settings) -> None:
        self.engine = engine
        self.settings = settings
        self._tasks: list[asyncio.Task[None]] = []

    def start(self) -> AlarmService:
        if self.settings.alarm_rules_file:
            load_rules_file(self.engine, self.settings.alarm_rules_file)
        if self.settings.notify_config_file:
            load_config_file(self.engine, self.settings.notify_config_file)
        in_memory = self.engine.url.database in (None, "", ":memory:")
        if self.engine.dialect.name == "sqlite" and not in_memory:
            alarms.watch(self.engine, self.settings.alarm_quiet_s, self.settings.alarm_max_lag_s)
        else:  # the high-water mark is a SQLite rowid; an in-memory store is one per thread
            logger.warning("alarm rules are not evaluated on %s", self.engine.url)
        self._tasks = [
            asyncio.create_task(self._every(self.settings.silent_check_s, alarms.check_periodic)),
            asyncio.create_task(self._every(self.settings.notify_every_s, notify.run_due)),
        ]
        return self

    async def _every(self, period_s: float, job: Callable[[Engine, datetime], Any]) -> None:
        # The first run waits one period: a freshly started app has not heard its sensors yet.
        while True:
            await asyncio.sleep(period_s)
            try:
                await asyncio.to_thread(job, self.engine, datetime.now(UTC))
            except Exception:  # a bad config or a locked store must not stop the loop
                logger.exception("periodic %s failed", getattr(job, "__name__", job))

    async def stop(self) -> None:
        alarms.unwatch(self.engine)
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
