"""An in-process event bus: readings stored, alarms raised or cleared, pushed to listeners.

Publishers run in any thread (HTTP workers, the MQTT worker, alarm timers);
listeners are asyncio tasks (the `/api/live` WebSocket) or plain callbacks. Each
event is a JSON-ready dict with a `type` and a `seq` number that grows by one per
event, so a listener can tell when it missed some.

>>> bus = EventBus()
>>> seen = []
>>> bus.add_callback(seen.append)
>>> bus.publish({"type": "reading", "sensor": "t-1"})
>>> seen[0]["seq"], seen[0]["type"]
(1, 'reading')
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from typing import Any

__all__ = ["EventBus", "Listener", "bus"]

logger = logging.getLogger("twin.events")
Event = dict[str, Any]


class Listener:
    """One asyncio listener's queue; events beyond `max_queued` are dropped, counted."""

    def __init__(self, loop: asyncio.AbstractEventLoop, max_queued: int) -> None:
        self.loop = loop
        self.queue: asyncio.Queue[Event] = asyncio.Queue(maxsize=max_queued)
        self.dropped = 0

    def _offer(self, event: Event) -> None:
        try:
            self.queue.put_nowait(event)
        except asyncio.QueueFull:
            self.dropped += 1

    async def next(self) -> Event:
        return await self.queue.get()


class EventBus:
    """Thread-safe publish; asyncio listeners and synchronous callbacks subscribe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._seq = 0
        self._listeners: list[Listener] = []
        self._callbacks: list[Callable[[Event], None]] = []

    def publish(self, event: Event) -> None:
        with self._lock:
            self._seq += 1
            stamped = {**event, "seq": self._seq}
            listeners = list(self._listeners)
            callbacks = list(self._callbacks)
        for callback in callbacks:
            try:
                callback(stamped)
            except Exception:  # a faulty listener must not stop the publisher
                logger.exception("event callback failed")
        for listener in listeners:
            try:
                listener.loop.call_soon_threadsafe(listener._offer, stamped)
            except RuntimeError:  # its loop has closed
                self.remove(listener)

    @property
    def listening(self) -> bool:
        """Whether anyone listens: publishers of many events skip building them when not."""
        return bool(self._listeners or self._callbacks)

    def listen(self, max_queued: int = 10_000) -> Listener:
        """A new listener on the running event loop; `remove` it when done."""
        listener = Listener(asyncio.get_running_loop(), max_queued)
        with self._lock:
            self._listeners.append(listener)
        return listener

    def remove(self, listener: Listener) -> None:
        with self._lock:
            if listener in self._listeners:
                self._listeners.remove(listener)

    def add_callback(self, callback: Callable[[Event], None]) -> None:
        with self._lock:
            self._callbacks.append(callback)

    def remove_callback(self, callback: Callable[[Event], None]) -> None:
        with self._lock:
            if callback in self._callbacks:
                self._callbacks.remove(callback)


bus = EventBus()
