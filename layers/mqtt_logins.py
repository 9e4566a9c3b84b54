"""The broker's logins follow the keys table: one MQTT login per live gateway or admin key.

Username is the key id, password the key itself; the table keeps only the key's
mosquitto hash (`api_keys.mqtt_hash`, written by `layers.keys.create_key`), so the
password file is rebuilt from it after a key is created or revoked, and mosquitto
is told to reload.
"""

from __future__ import annotations

import logging
import threading

from sqlalchemy import Engine, select

from layers.mqtt_broker import Broker
from twin.store import schema as t

__all__ = ["MQTT_ROLES", "KeyFollower", "broker_logins", "sync_broker_logins"]

logger = logging.getLogger("twin.mqtt")

MQTT_ROLES = ("gateway", "admin")


def broker_logins(engine: Engine) -> dict[str, str]:
    """`key id -> mosquitto hash` for every live key whose role may publish readings."""
    keys = t.api_keys
    hashed = keys.c.mqtt_hash
    query = select(keys.c.key_id, hashed).where(
        keys.c.revoked_at.is_(None), keys.c.role.in_(MQTT_ROLES), hashed.is_not(None)
    )
    with engine.connect() as conn:
        return {key_id: str(value) for key_id, value in conn.execute(query)}


def sync_broker_logins(engine: Engine, broker: Broker) -> int:
    """Rewrite the broker's password file and ACL from the keys table; the number of logins."""
    logins = broker_logins(engine)
    broker.set_logins(logins)
    logger.info("MQTT broker logins: %d gateway/admin key(s)", len(logins))
    return len(logins)


class KeyFollower:
    """Keeps a broker's logins in step with the keys table, looking every `interval_s`.

    Keys are created and revoked by other processes (`twin keys ...`), so the app
    polls the small keys table instead of waiting to be told.
    """

    def __init__(self, engine: Engine, broker: Broker, interval_s: float = 5.0) -> None:
        self.engine = engine
        self.broker = broker
        self.interval_s = interval_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="mqtt-logins", daemon=True)

    def start(self) -> KeyFollower:
        sync_broker_logins(self.engine, self.broker)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=10)

    def _run(self) -> None:
        while not self._stop.wait(self.interval_s):
            try:
                logins = broker_logins(self.engine)
                if logins != self.broker.logins:
                    sync_broker_logins(self.engine, self.broker)
            except Exception:
                # A busy or briefly unreachable store: keep the current logins, look again.
                logger.exception("could not read the keys table for MQTT logins")
