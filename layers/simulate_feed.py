"""Sending simulated readings to a running twin, over HTTP or MQTT, at a steady rate.

`feed(simulator, sender, rate_per_s, duration_s)` wakes every `TICK_S`, takes the next
readings round-robin over the simulator's streams (so each sensor reports about every
`len(streams) / rate_per_s` seconds), stamps them with the current time and hands
them to the sender: `HttpSender` posts them as one `POST /api/readings` batch with a
gateway key; `MqttSender` publishes each on `campus/<site>/<code>/<sensor>` with QoS 1,
logged in as the key (user = key id, password = the key). httpx and paho-mqtt are
imported when a sender is made.

    sent = feed(Simulator(load_streams(engine), seed=1), HttpSender(url, key), 50, 10)
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Protocol
from urllib.parse import urlsplit

from layers.simulate import Simulator, Stream
from models.errors import BadInput

__all__ = ["HttpSender", "MqttSender", "Sender", "feed"]

logger = logging.getLogger("twin.simulate")

TICK_S = 0.5


class Sender(Protocol):
    def send(self, streams: dict[str, Stream], readings: list[dict[str, Any]]) -> Counter[str]:
        """Deliver readings; outcome counts as far as the channel tells them."""
        ...

    def close(self) -> None: ...


class HttpSender:
    """Posts batches to `<url>/api/readings`; counts what the twin answered per item."""

    def __init__(self, url: str, key: str) -> None:
        try:
            import httpx
        except ImportError:
            raise BadInput("`twin simulate --http` needs httpx: pip install httpx") from None

        self._client = httpx.Client(
            base_url=url.rstrip("/"), headers={"Authorization": f"Bearer {key}"}, timeout=30
        )

    def send(self, streams: dict[str, Stream], readings: list[dict[str, Any]]) -> Counter[str]:
        import httpx

        try:
            answer = self._client.post("/api/readings", json=readings)
        except httpx.TransportError as exc:
            # The twin is not up yet, or restarting: drop this tick's readings and go on.
            logger.warning("twin not reachable (%s); readings dropped", exc)
            return Counter(unreachable=len(readings))
        if answer.status_code in (401, 403):
            raise BadInput(
                f"the twin refused the key ({answer.status_code}); "
                "make one with `twin keys create --role gateway`"
            )
        answer.raise_for_status()
        body = answer.json()
        return Counter({k: int(body[k]) for k in ("stored", "duplicate", "rejected")})

    def close(self) -> None:
        self._client.close()


class MqttSender:
    """Publishes each reading with QoS 1 to a broker at `mqtt://host:port`, as the key."""

    def __init__(self, url: str, key: str, client_id: str = "twin-simulator") -> None:
        import paho.mqtt.client as mqtt
        from paho.mqtt.enums import CallbackAPIVersion

        where = urlsplit(url if "://" in url else f"mqtt://{url}")
        self._client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id)
        # The broker knows a gateway by its key id: the start of the key's SHA-256.
        self._client.username_pw_set(hashlib.sha256(key.encode()).hexdigest()[:12], key)
        # In the background, retried: the broker may start after the simulator.
        self._client.connect_async(where.hostname or "127.0.0.1", where.port or 1883)
        self._client.loop_start()
        self._connected_once = False

    def send(self, streams: dict[str, Stream], readings: list[dict[str, Any]]) -> Counter[str]:
        if not self._client.is_connected():
            if self._connected_once:
                logger.warning("broker not reachable; readings dropped")
            else:
                time.sleep(TICK_S)  # give the first connection a moment
            if not self._client.is_connected():
                return Counter(unreachable=len(readings))
        self._connected_once = True
        pending = []
        for reading in readings:
            stream = streams[reading["sensor"]]
            topic = f"campus/{stream.site}/{stream.code}/{stream.sensor}"
            payload = json.dumps({"ts": reading["ts"], "value": reading["value"]})
            pending.append(self._client.publish(topic, payload, qos=1))
        for info in pending:
            info.wait_for_publish(timeout=30)
        return Counter(published=sum(1 for info in pending if info.is_published()))

    def close(self) -> None:
        self._client.disconnect()
        self._client.loop_stop()


def feed(
    simulator: Simulator,
    sender: Sender,
    rate_per_s: float,
    duration_s: float | None,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> Counter[str]:
    """Send `rate_per_s` readings a second for `duration_s` (None: until interrupted)."""
    streams = {s.sensor: s for s in simulator.streams}
    order = simulator.streams
    totals: Counter[str] = Counter()
    if not order:
        return totals
    began = time.monotonic()
    due = 0.0
    cursor = 0
    while duration_s is None or time.monotonic() - began < duration_s:
        due += rate_per_s * TICK_S
        count = min(int(due), len(order))  # at most one reading per sensor per tick
        due -= count
        chosen = [order[(cursor + i) % len(order)] for i in range(count)]
        cursor = (cursor + count) % len(order)
        readings = simulator.readings(clock(), chosen)
        if readings:
            totals.update(sender.send(streams, readings))
        totals["sent"] += len(readings)
        time.sleep(max(0.0, TICK_S - (time.monotonic() - began) % TICK_S))
    return totals
