"""Plain paho clients for the MQTT tests: connect and wait for the broker's answer, publish.

Functions, not fixtures, so both MQTT test modules (and the benchmark) share them.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.reasoncodes import ReasonCode

__all__ = ["connect", "publish_reading", "wait_until"]


def connect(
    port: int,
    username: str | None,
    password: str | None,
    protocol: mqtt.MQTTProtocolVersion = mqtt.MQTTv5,
    host: str = "127.0.0.1",
) -> tuple[mqtt.Client, ReasonCode | None]:
    """A started client and the broker's CONNACK reason (None when it never answered).

    A refused client is stopped before it is returned, so it does not retry.
    """
    client = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=protocol, reconnect_on_failure=False)
    answered = threading.Event()
    reason: list[ReasonCode] = []

    def on_connect(_c: mqtt.Client, _u: Any, _f: Any, rc: ReasonCode, _p: Any = None) -> None:
        reason.append(rc)
        answered.set()

    client.on_connect = on_connect
    if username is not None:
        client.username_pw_set(username, password)
    client.connect(host, port)
    client.loop_start()
    answered.wait(5)
    if not reason or reason[0].is_failure:
        client.loop_stop()
    return client, reason[0] if reason else None


def publish_reading(
    client: mqtt.Client, topic: str, ts: str, value: Any, timeout_s: float = 5.0
) -> mqtt.MQTTMessageInfo:
    """Publish `{ts, value}` with QoS 1 and wait for the broker's PUBACK."""
    info = client.publish(topic, json.dumps({"ts": ts, "value": value}), qos=1)
    info.wait_for_publish(timeout_s)
    return info


def wait_until(predicate: Callable[[], bool], timeout_s: float = 10.0) -> bool:
    """Poll `predicate` until it holds or `timeout_s` passes; its last answer."""
    deadline = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() > deadline:
            return predicate()
        time.sleep(0.02)
    return True
