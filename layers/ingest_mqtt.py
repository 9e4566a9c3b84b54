"""The app's MQTT subscriber: readings published by gateways, stored through `ingest_readings`.

Topic `campus/<site>/<code>/<sensor_id>`, payload `{"ts": ..., "value": ...}`, QoS 1,
persistent session (fixed client id, clean_session false), so messages published
while the app is down wait at the broker. paho's network thread only queues what
arrives; a worker thread takes everything waiting (up to `batch_max`), stores it with
one `ingest_readings` call per batch (each item carrying its topic's code, so a batch
from many rooms is one commit), and only then acknowledges each message: a PUBACK
means committed, and a redelivery stores nothing twice, since ingest is
idempotent on (sensor, ts). Bad input is rejected and counted by ingest, logged here,
and never stops the subscriber; lost connections are retried with exponential backoff.

    subscriber = MqttSubscriber(engine, MqttConnection("127.0.0.1", 1883, "twin-app", pw))
    subscriber.start()
    ...
    subscriber.stop()
"""

from __future__ import annotations

import json
import logging
import queue
import threading
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any, NamedTuple

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from sqlalchemy import Engine

from layers.ingest import ingest_readings
from layers.mqtt_broker import TOPIC_ROOT

__all__ = ["MqttConnection", "MqttSubscriber", "reading_from_message"]

logger = logging.getLogger("twin.mqtt")

CLIENT_ID = "twin-app"
RECONNECT_MIN_S = 1
RECONNECT_MAX_S = 60
INGEST_RETRIES = 3


@dataclass(frozen=True)
class MqttConnection:
    """Where the broker is and how the app logs in."""

    host: str = "127.0.0.1"
    port: int = 1883
    username: str | None = None
    password: str | None = None
    client_id: str = CLIENT_ID
    keepalive_s: int = 30


class _Arrived(NamedTuple):
    # A tuple, not a dataclass: one is made per message on paho's thread.
    generation: int
    mid: int
    qos: int
    topic: str
    payload: bytes | bytearray


def reading_from_message(topic: str, payload: bytes | bytearray) -> tuple[dict[str, Any], str]:
    """The ingest item and topic code of one message; never raises.

    A payload that is not a JSON object `{ts, value}` gives an item without them, which
    ingest rejects as malformed and counts. A topic whose site part does not start its
    code yields a code that matches no registration: ingest rejects a topic mismatch.

    >>> reading_from_message("campus/DX01/DX01-B01/t-1", b'{"ts": "2026-01-01T00:00Z", "value": 2}')
    ({'sensor': 't-1', 'ts': '2026-01-01T00:00Z', 'value': 2}, 'DX01-B01')
    >>> reading_from_message("campus/DX01/DX01-B01/t-1", b"hot")
    ({'sensor': 't-1'}, 'DX01-B01')
    """
    parts = topic.split("/")
    sensor = parts[-1]
    if len(parts) == 4:
        site, code = parts[1], parts[2]
        if code != site and not code.startswith(f"{site}-"):
            code = f"{site}/{code}"
    else:
        code = "/".join(parts[1:-1])
    item: dict[str, Any] = {"sensor": sensor}
    try:
        body = json.loads(payload)
    except (ValueError, UnicodeDecodeError):
        body = None
    if isinstance(body, dict):
        item.update((key, body[key]) for key in ("ts", "value") if key in body)
    return item, code


class MqttSubscriber:
    """Subscribes to `campus/#` and stores what arrives; start() and stop() from any thread."""

    def __init__(self, engine: Engine, connection: MqttConnection, batch_max: int = 2000) -> None:
        self.engine = engine
        self.connection = connection
        self.batch_max = batch_max
        self.outcomes: Counter[str] = Counter()
        self.connected = threading.Event()
        self.subscribed = threading.Event()
        self._queue: queue.SimpleQueue[_Arrived | None] = queue.SimpleQueue()
        self._generation = 0
        self._stopping = False
        self._warned_unreachable = False
        self._worker: threading.Thread | None = None
        self._client = self._make_client()

    def _make_client(self) -> mqtt.Client:
        c = self.connection
        client = mqtt.Client(
            CallbackAPIVersion.VERSION2,
            client_id=c.client_id,
            clean_session=False,
            protocol=mqtt.MQTTv311,
            manual_ack=True,
        )
        if c.username is not None:
            client.username_pw_set(c.username, c.password)
        client.reconnect_delay_set(RECONNECT_MIN_S, RECONNECT_MAX_S)
        client.on_connect = self._on_connect
        client.on_connect_fail = self._on_connect_fail
        client.on_disconnect = self._on_disconnect
        client.on_message = self._on_message
        client.on_subscribe = self._on_subscribe
        return client

    # -- lifecycle -----------------------------------------------------------

    def start(self) -> MqttSubscriber:
        """Connect in the background; an unreachable broker is retried, not raised."""
        self._worker = threading.Thread(target=self._work, name="mqtt-ingest", daemon=True)
        self._worker.start()
        c = self.connection
        self._client.connect_async(c.host, c.port, keepalive=c.keepalive_s)
        self._client.loop_start()
        return self

    def stop(self) -> None:
        """Store and acknowledge what has arrived, then disconnect."""
        self._stopping = True
        self._queue.put(None)
        if self._worker is not None:
            self._worker.join(timeout=30)
        self._client.disconnect()
        self._client.loop_stop()
        self.connected.clear()
        self.subscribed.clear()

    def wait_subscribed(self, timeout_s: float = 10.0) -> bool:
        """Whether the broker confirmed the subscription within `timeout_s`."""
        return self.subscribed.wait(timeout_s)

    # -- paho callbacks (network thread) -------------------------------------

    def _on_connect(
        self, client: mqtt.Client, _u: Any, flags: Any, reason: Any, _p: Any = None
    ) -> None:
        if reason.is_failure:
            logger.warning("MQTT broker %s refused the app: %s", self._where(), reason)
            return
        self._generation += 1
        self._warned_unreachable = False
        client.subscribe(f"{TOPIC_ROOT}/#", qos=1)
        self.connected.set()
        logger.info(
            "MQTT subscriber connected to %s (session %s)",
            self._where(),
            "resumed" if flags.session_present else "new",
        )

    def _on_subscribe(self, _c: mqtt.Client, _u: Any, _mid: int, reasons: Any, _p: Any) -> None:
        if all(not r.is_failure for r in reasons):
            self.subscribed.set()
        else:
            logger.error("MQTT broker %s refused the subscription: %s", self._where(), reasons)

    def _on_connect_fail(self, _client: mqtt.Client, _u: Any) -> None:
        # Once per outage: paho retries every 1 s doubling to 60 s, and says so at DEBUG.
        level = logging.DEBUG if self._warned_unreachable else logging.WARNING
        logger.log(level, "MQTT broker %s not reachable; retrying with backoff", self._where())
        self._warned_unreachable = True

    def _on_disconnect(
        self, _client: mqtt.Client, _u: Any, _flags: Any, reason: Any, _p: Any = None
    ) -> None:
        if self.connected.is_set() and not self._stopping:
            logger.warning("MQTT broker %s lost (%s); reconnecting", self._where(), reason)
        self.connected.clear()
        self.subscribed.clear()

    def _on_message(self, _client: mqtt.Client, _u: Any, msg: mqtt.MQTTMessage) -> None:
        self._queue.put(_Arrived(self._generation, msg.mid, msg.qos, msg.topic, msg.payload))

    def _where(self) -> str:
        return f"{self.connection.host}:{self.connection.port}"

    # -- worker thread -------------------------------------------------------

    def _work(self) -> None:
        stopping = False
        while not stopping:
            first = self._queue.get()
            batch: list[_Arrived] = []
            if first is None:
                stopping = True
            else:
                batch.append(first)
            while len(batch) < self.batch_max:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    stopping = True
                else:
                    batch.append(more)
            if batch:
                self._store(batch)

    def _store(self, batch: list[_Arrived]) -> None:
        """Ingest a batch, then ack it; a failing store is retried, then left unacked."""
        readings = []
        for message in batch:
            item, code = reading_from_message(message.topic, message.payload)
            item["topic_code"] = code
            readings.append(item)
        for attempt in range(INGEST_RETRIES):
            try:
                results = ingest_readings(self.engine, readings, channel="mqtt")
                break
            except Exception:
                # The store itself failed (disk, lock): nothing was acked, so the broker
                # keeps the messages; try again before giving up on this batch.
                logger.exception("storing %d MQTT readings failed (try %d)", len(batch), attempt)
                time.sleep(0.5 * 2**attempt)
        else:
            return
        generation = self._generation
        for message in batch:
            # A mid from an earlier connection may name another message now: leave it
            # unacked and let the broker redeliver it (stored once anyway).
            if message.generation == generation:
                self._client.ack(message.mid, message.qos)
        self._count(batch, results)

    def _count(self, batch: list[_Arrived], results: list[Any]) -> None:
        rejected = []
        for message, result in zip(batch, results, strict=True):
            self.outcomes[result.status] += 1
            if result.status == "rejected":
                rejected.append(f"{message.topic}: {result.reason}")
        if rejected:
            logger.warning(
                "MQTT: %d of %d readings rejected, e.g. %s",
                len(rejected),
                len(batch),
                "; ".join(rejected[:3]),
            )
