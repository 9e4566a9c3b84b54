"""The web app's settings, in one pydantic `BaseSettings`, read from `TWIN_*` variables.

`TWIN_DATABASE_URL` is the same variable the command line reads, so `twin import`
and `twin serve` see one store. `TWIN_PUBLIC_BASE_URL` is the address people reach
the server at (what door labels link to); it has no default because the machine
that serves is rarely the address a phone can reach.

>>> Settings(database_url="campus.db", public_base_url="https://twin.example.org/").base_url
'https://twin.example.org'
"""

from __future__ import annotations

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

from twin.store import DEFAULT_DATABASE

__all__ = ["Settings"]


class Settings(BaseSettings):
    """Where the store is, where the page is, and the address people reach it at."""

    model_config = SettingsConfigDict(env_prefix="TWIN_", extra="ignore")

    database_url: str = DEFAULT_DATABASE
    """SQLAlchemy URL or SQLite path of the store (`TWIN_DATABASE_URL`)."""
    public_base_url: str | None = None
    """Address people reach the app at, e.g. `https://twin.campus.example` (labels link here)."""
    cache_dir: Path | None = None
    """Folder for built GLBs and snapshots that outlive a restart (`TWIN_CACHE_DIR`);
    memory only when unset."""
    web_dir: Path | None = None
    """Folder of the built web client; default `viewer.web.dist_dir()`."""
    keys_for_reads: bool = False
    """Reads need a key too (`TWIN_KEYS_FOR_READS`); `twin serve` turns it on when it
    binds an address other than loopback."""
    mqtt_host: str | None = None
    """MQTT broker the app subscribes to (`TWIN_MQTT_HOST`); no MQTT ingest when unset,
    unless `mqtt_own_broker`."""
    mqtt_port: int = 1883
    """The broker's port (`TWIN_MQTT_PORT`); with `mqtt_own_broker`, 0 picks a free one."""
    mqtt_user: str | None = None
    """The app's own MQTT login (`TWIN_MQTT_USER`)."""
    mqtt_password: str | None = None
    """Its password (`TWIN_MQTT_PASSWORD`)."""
    mqtt_own_broker: bool = False
    """Start a mosquitto of the app's own on loopback (`TWIN_MQTT_OWN_BROKER`), its
    logins following the keys table; state under `cache_dir/mqtt` (else a temp folder)."""

    alarm_rules_file: Path | None = None
    """Room overrides of the alarm rules, TOML (`TWIN_ALARM_RULES_FILE`)."""
    notify_config_file: Path | None = None
    """Contacts, duty rotas and routes, TOML (`TWIN_NOTIFY_CONFIG_FILE`)."""
    silent_check_s: float = 60
    """How often silent sensors and held conditions are checked (`TWIN_SILENT_CHECK_S`)."""
    notify_every_s: float = 5
    """How often due notifications are sent (`TWIN_NOTIFY_EVERY_S`)."""
    alarm_quiet_s: float = 0.5
    """Alarms are judged once ingest has paused this long (`TWIN_ALARM_QUIET_S`)..."""
    alarm_max_lag_s: float = 2.0
    """...or at the latest this long after a commit (`TWIN_ALARM_MAX_LAG_S`)."""

    map_tile_url: str | None = None
    """Raster tiles under the map page's own layers (`TWIN_MAP_TILE_URL`), an XYZ template
    such as `https://tiles.example.org/{z}/{x}/{y}.png`; none when unset (the map then
    shows only the twin's GeoJSON)."""
    map_tile_attribution: str | None = None
    """The credit those tiles require (`TWIN_MAP_TILE_ATTRIBUTION`)."""

    @property
    def base_url(self) -> str | None:
        """`public_base_url` without a trailing slash, or None when not set."""
        return self.public_base_url.rstrip("/") if self.public_base_url else None
