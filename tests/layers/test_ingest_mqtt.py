"""The MQTT subscriber against a real mosquitto and a real store of the duplex model."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
from sqlalchemy import Engine, func, select

from layers.ingest import ingest_stats
from layers.ingest_mqtt import MqttConnection, MqttSubscriber
from layers.keys import check_key, create_key
from layers.mqtt_broker import Broker, find_mosquitto
from layers.mqtt_passwd import mosquitto_hash
from layers.sensors import SensorCreate, register_sensor
from tests.campus_stores import copy_store, imported_store
from tests.layers.mqtt_clients import connect, publish_reading, wait_until
from twin.store import open_store
from twin.store import schema as t

pytestmark = pytest.mark.skipif(
    find_mosquitto() is None, reason="mosquitto is not installed (Debian package `mosquitto`)"
)


@dataclass(frozen=True)
class Campus:
    db: Path
    room_a: str
    room_b: str


@pytest.fixture(scope="module")
def campus(tmp_path_factory: pytest.TempPathFactory) -> Campus:
    """The duplex with a temperature sensor in each of two rooms."""
    db = imported_store(tmp_path_factory.mktemp("duplex"), {"DX01": ["duplex.ifc"]})
    engine = open_store(str(db))
    with engine.connect() as conn:
        codes = conn.execute(select(t.rooms.c.room_code).order_by(t.rooms.c.room_code)).scalars()
        room_a, room_b = list(codes)[:2]
    for sensor, room in (("t-a", room_a), ("t-b", room_b)):
        create = {"id": sensor, "kind": "temperature", "room_code": room}
        register_sensor(engine, SensorCreate.model_validate(create))
    engine.dispose()
    return Campus(db, room_a, room_b)


@dataclass
class Live:
    engine: Engine
    broker: Broker
    gateway: mqtt.Client
    login: tuple[str, str]
    campus: Campus

    def subscriber(self) -> MqttSubscriber:
        b = self.broker
        return MqttSubscriber(
            self.engine, MqttConnection(b.host, b.port, b.app_username, b.app_password)
        )

    def topic(self, sensor: str, room: str) -> str:
        return f"campus/DX01/{room}/{sensor}"


@pytest.fixture
def live(campus: Campus, tmp_path: Path) -> Iterator[Live]:
    """A copy of the store, a broker whose logins come from a gateway key, a gateway."""
    engine = open_store(str(copy_store(campus.db, tmp_path)))
    key = create_key(engine, "gateway")
    info = check_key(engine, key)
    assert info is not None
    with Broker(tmp_path / "mqtt", logins={info.key_id: mosquitto_hash(key)}) as broker:
        gateway, reason = connect(broker.port, info.key_id, key)
        assert reason is not None and not reason.is_failure, reason
        yield Live(engine, broker, gateway, (info.key_id, key), campus)
        gateway.disconnect()
        gateway.loop_stop()
    engine.dispose()


def _stored_count(engine: Engine, sensor: str) -> int:
    query = select(func.count()).select_from(t.readings).where(t.readings.c.sensor_id == sensor)
    with engine.connect() as conn:
        return int(conn.execute(query).scalar_one())


def _ts(minute: int) -> str:
    return f"2026-03-01T08:{minute:02d}:00+08:00"


def test_gateway_readings_are_stored(live: Live) -> None:
    sub = live.subscriber().start()
    try:
        assert sub.wait_subscribed()
        for minute in range(3):
            publish_reading(live.gateway, live.topic("t-a", live.campus.room_a), _ts(minute), 21.5)
        assert wait_until(lambda: sub.outcomes["stored"] == 3)
    finally:
        sub.stop()
    assert _stored_count(live.engine, "t-a") == 3
    assert ingest_stats(live.engine)["mqtt"]["stored"] == 3


def test_bad_input_is_rejected_counted_and_survived(live: Live) -> None:
    room_a, room_b = live.campus.room_a, live.campus.room_b
    sub = live.subscriber().start()
    try:
        assert sub.wait_subscribed()
        live.gateway.publish(live.topic("t-a", room_a), b"not json", qos=1).wait_for_publish(5)
        live.gateway.publish(live.topic("t-a", room_a), b'{"ts": 1}', qos=1).wait_for_publish(5)
        publish_reading(live.gateway, live.topic("ghost", room_a), _ts(1), 20)
        publish_reading(live.gateway, live.topic("t-a", room_b), _ts(2), 20)
        publish_reading(live.gateway, f"campus/ZZ99/{room_a}/t-a", _ts(3), 20)
        publish_reading(live.gateway, live.topic("t-a", room_a), _ts(4), "warm")
        publish_reading(live.gateway, live.topic("t-a", room_a), _ts(5), 20.5)
        assert wait_until(lambda: sum(sub.outcomes.values()) == 7)
        # Still alive after all that: the next good reading is stored too.
        publish_reading(live.gateway, live.topic("t-b", room_b), _ts(6), 19)
        assert wait_until(lambda: sub.outcomes["stored"] == 2)
    finally:
        sub.stop()
    mqtt_stats = ingest_stats(live.engine)["mqtt"]
    assert mqtt_stats["stored"] == 2
    assert mqtt_stats["rejected"]["total"] == 6
    rejected = {k: v for k, v in mqtt_stats["rejected"].items() if v and k != "total"}
    assert rejected == {"malformed": 2, "unknown_sensor": 1, "topic_mismatch": 2, "wrong_type": 1}
    assert ingest_stats(live.engine)["http"]["rejected"]["total"] == 0


def test_same_sensor_and_time_is_stored_once(live: Live) -> None:
    sub = live.subscriber().start()
    try:
        assert sub.wait_subscribed()
        for value in (20.0, 20.0, 23.0):
            publish_reading(live.gateway, live.topic("t-a", live.campus.room_a), _ts(7), value)
        assert wait_until(lambda: sum(sub.outcomes.values()) == 3)
    finally:
        sub.stop()
    assert _stored_count(live.engine, "t-a") == 1
    assert ingest_stats(live.engine)["mqtt"]["duplicate"] == 2


def test_subscriber_survives_a_broker_restart(live: Live) -> None:
    topic = live.topic("t-a", live.campus.room_a)
    sub = live.subscriber().start()
    try:
        assert sub.wait_subscribed()
        publish_reading(live.gateway, topic, _ts(0), 20)
        assert wait_until(lambda: sub.outcomes["stored"] == 1)
        live.broker.stop()
        assert wait_until(lambda: not sub.connected.is_set())
        live.broker.start()
        gateway, _ = connect(live.broker.port, *live.login)
        assert sub.wait_subscribed(15)
        for minute in range(1, 4):
            publish_reading(gateway, topic, _ts(minute), 20)
        assert wait_until(lambda: sub.outcomes["stored"] == 4)
        gateway.disconnect()
        gateway.loop_stop()
    finally:
        sub.stop()
    assert _stored_count(live.engine, "t-a") == 4


def test_readings_sent_while_the_app_is_down_arrive_later(live: Live) -> None:
    topic = live.topic("t-b", live.campus.room_b)
    first = live.subscriber().start()
    assert first.wait_subscribed()
    first.stop()
    for minute in range(3):
        publish_reading(live.gateway, topic, _ts(minute), 18)
    # The broker restarts too while the app is away; its persistence keeps the queue.
    live.broker.stop()
    live.broker.start()
    gateway, _ = connect(live.broker.port, *live.login)
    for minute in range(3, 5):
        publish_reading(gateway, topic, _ts(minute), 18)
    gateway.disconnect()
    gateway.loop_stop()
    second = live.subscriber().start()
    try:
        assert wait_until(lambda: second.outcomes["stored"] == 5)
    finally:
        second.stop()
    assert _stored_count(live.engine, "t-b") == 5


def test_app_starts_without_a_broker_and_connects_later(live: Live, tmp_path: Path) -> None:
    later = Broker(tmp_path / "later", logins=dict(live.broker.logins))
    sub = MqttSubscriber(
        live.engine, MqttConnection(later.host, later.port, later.app_username, later.app_password)
    ).start()
    try:
        assert not sub.wait_subscribed(0.5)
        with later:
            assert sub.wait_subscribed(15)
            gateway, _ = connect(later.port, *live.login)
            publish_reading(gateway, live.topic("t-a", live.campus.room_a), _ts(9), 22)
            assert wait_until(lambda: sub.outcomes["stored"] == 1)
            gateway.disconnect()
            gateway.loop_stop()
    finally:
        sub.stop()
