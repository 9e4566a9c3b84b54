"""The app's MQTT side, started and stopped with the app: an optional own mosquitto, the
subscriber that stores what gateways publish, and the broker logins following the keys.

Without a reachable broker the app still starts: the subscriber warns and keeps
reconnecting with backoff.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine

from api.settings import Settings
from layers.mqtt_broker import Broker, BrokerError
from layers.mqtt_logins import KeyFollower

if TYPE_CHECKING:
    from layers.ingest_mqtt import MqttSubscriber

__all__ = ["MqttService"]

logger = logging.getLogger("twin.mqtt")


class MqttService:
    """What `settings` asks for: nothing, a subscriber, or an own broker and its subscriber."""

    def __init__(self, settings: Settings, engine: Engine) -> None:
        self.settings = settings
        self.engine = engine
        self.broker: Broker | None = None
        self.subscriber: MqttSubscriber | None = None
        self._follower: KeyFollower | None = None
        self._temp_dir: Path | None = None

    def start(self) -> MqttService:
        s = self.settings
        if not (s.mqtt_own_broker or s.mqtt_host):
            return self
        try:
            # paho is needed only when MQTT is asked for.
            from layers.ingest_mqtt import MqttConnection, MqttSubscriber
        except ImportError:
            logger.warning("no MQTT ingest: it needs paho-mqtt (`pip install paho-mqtt`)")
            return self
        if s.mqtt_own_broker:
            self._start_own_broker()
        if self.broker is not None:
            b = self.broker
            connection = MqttConnection(b.host, b.port, b.app_username, b.app_password)
        elif s.mqtt_host:
            connection = MqttConnection(s.mqtt_host, s.mqtt_port, s.mqtt_user, s.mqtt_password)
        else:
            return self
        self.subscriber = MqttSubscriber(self.engine, connection).start()
        logger.info("MQTT ingest from %s:%d (campus/#)", connection.host, connection.port)
        return self

    def _start_own_broker(self) -> None:
        s = self.settings
        if s.cache_dir is not None:
            folder = s.cache_dir / "mqtt"
        else:
            folder = self._temp_dir = Path(tempfile.mkdtemp(prefix="twin-mqtt-"))
        try:
            self.broker = Broker(folder, port=s.mqtt_port or None).start()
        except BrokerError as exc:
            logger.warning("no MQTT broker of our own: %s", exc)
            return
        try:
            self._follower = KeyFollower(self.engine, self.broker).start()
        except BrokerError as exc:
            logger.warning("MQTT gateways cannot log in: %s", exc)
        logger.info(
            "mosquitto on %s:%d: gateways log in with their key id and key",
            self.broker.host,
            self.broker.port,
        )

    def stop(self) -> None:
        if self.subscriber is not None:
            self.subscriber.stop()
        if self._follower is not None:
            self._follower.stop()
        if self.broker is not None:
            self.broker.stop()
        if self._temp_dir is not None:
            shutil.rmtree(self._temp_dir, ignore_errors=True)
