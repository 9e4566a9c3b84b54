"""A real mosquitto with the twin's generated config: logins, no anonymous, ACL, reload."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import pytest
from sqlalchemy import Engine

from layers.mqtt_broker import Broker, find_mosquitto
from layers.mqtt_passwd import check_mosquitto_hash, mosquitto_hash
from tests.layers.mqtt_clients import connect

pytestmark = pytest.mark.skipif(
    find_mosquitto() is None, reason="mosquitto is not installed (Debian package `mosquitto`)"
)


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[Broker]:
    with Broker(tmp_path / "mqtt", logins={"gw-1": mosquitto_hash("key-one")}) as running:
        yield running


def test_hash_is_what_mosquitto_checks() -> None:
    hashed = mosquitto_hash("key-one")
    assert check_mosquitto_hash("key-one", hashed)
    assert not check_mosquitto_hash("key-two", hashed)


def test_gateway_logs_in_with_its_key(broker: Broker) -> None:
    client, reason = connect(broker.port, "gw-1", "key-one")
    assert reason is not None and not reason.is_failure
    client.disconnect()
    client.loop_stop()


@pytest.mark.parametrize(
    ("username", "password"),
    [(None, None), ("gw-1", "key-two"), ("nobody", "key-one"), ("gw-1", "")],
    ids=["anonymous", "wrong-password", "unknown-user", "empty-password"],
)
def test_refused_logins(broker: Broker, username: str | None, password: str | None) -> None:
    _client, reason = connect(broker.port, username, password)
    assert reason is not None and reason.is_failure


def test_refused_on_mqtt_311_too(broker: Broker) -> None:
    _client, reason = connect(broker.port, None, None, protocol=mqtt.MQTTv311)
    assert reason is not None and reason.is_failure


def _puback_reason(client: mqtt.Client, topic: str) -> Any:
    done = threading.Event()
    reasons: dict[int, Any] = {}

    def on_publish(_c: mqtt.Client, _u: Any, mid: int, rc: Any, _p: Any) -> None:
        reasons[mid] = rc
        done.set()

    client.on_publish = on_publish
    info = client.publish(topic, b'{"ts": "2026-01-01T00:00:00Z", "value": 1}', qos=1)
    assert done.wait(5)
    return reasons[info.mid]


def test_gateway_publishes_only_under_campus(broker: Broker) -> None:
    client, _ = connect(broker.port, "gw-1", "key-one")
    assert not _puback_reason(client, "campus/DX01/DX01-B01/t-1").is_failure
    assert _puback_reason(client, "elsewhere/t-1").is_failure
    client.disconnect()
    client.loop_stop()


def test_gateway_cannot_read_campus(broker: Broker) -> None:
    received: list[str] = []
    reader, _ = connect(broker.port, "gw-1", "key-one")
    reader.on_message = lambda _c, _u, msg: received.append(msg.topic)
    reader.subscribe("campus/#", qos=1)
    app, _ = connect(broker.port, broker.app_username, broker.app_password)
    app.on_message = lambda _c, _u, msg: received.append("app:" + msg.topic)
    app.subscribe("campus/#", qos=1)
    time.sleep(0.3)
    writer, _ = connect(broker.port, "gw-1", "key-one")
    writer.publish("campus/DX01/DX01-B01/t-1", b"{}", qos=1).wait_for_publish(5)
    deadline = time.monotonic() + 5
    while not received and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)
    assert received == ["app:campus/DX01/DX01-B01/t-1"]
    for client in (reader, app, writer):
        client.disconnect()
        client.loop_stop()


def test_logins_reload_without_restart(broker: Broker) -> None:
    _c, before = connect(broker.port, "gw-2", "key-two")
    assert before is not None and before.is_failure
    broker.add_login("gw-2", "key-two")
    time.sleep(0.3)
    client, after = connect(broker.port, "gw-2", "key-two")
    assert after is not None and not after.is_failure
    client.disconnect()
    client.loop_stop()
    broker.set_logins({})
    time.sleep(0.3)
    _c, revoked = connect(broker.port, "gw-1", "key-one")
    assert revoked is not None and revoked.is_failure


def test_broker_restarts_on_the_same_port(broker: Broker) -> None:
    port = broker.port
    broker.stop()
    _c, down = connect_or_none(port)
    assert down is None
    broker.start()
    client, reason = connect(port, "gw-1", "key-one")
    assert reason is not None and not reason.is_failure
    client.disconnect()
    client.loop_stop()


def connect_or_none(port: int) -> tuple[None, Any]:
    try:
        connect(port, "gw-1", "key-one")
    except ConnectionRefusedError:
        return None, None
    return None, "connected"


def test_logins_follow_the_keys_table(broker: Broker, store: Engine) -> None:
    from layers.keys import check_key, create_key, revoke_key
    from layers.mqtt_logins import sync_broker_logins

    key = create_key(store, "gateway")
    info = check_key(store, key)
    assert info is not None
    assert sync_broker_logins(store, broker) == 1
    time.sleep(0.3)
    client, reason = connect(broker.port, info.key_id, key)
    assert reason is not None and not reason.is_failure
    client.disconnect()
    client.loop_stop()
    revoke_key(store, info.key_id)
    assert sync_broker_logins(store, broker) == 0
    time.sleep(0.3)
    _c, refused = connect(broker.port, info.key_id, key)
    assert refused is not None and refused.is_failure
