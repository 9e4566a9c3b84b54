"""A real mosquitto broker for the twin: generated config, per-gateway logins, no anonymous.

Tests, `twin serve --own-broker` and the demo start one in a folder of their own, on a
free loopback port. The folder keeps mosquitto's persistence file, so a stopped and
restarted broker still holds the queued QoS 1 messages of persistent sessions.

Every login is `username -> $7$ hash` (see `layers.mqtt_passwd`); the app's own
subscriber login is made per broker and only ever lives in memory and in the hashed
password file. Gateways may publish under `campus/#` only; the app reads `campus/#`.

    with Broker(tmp_path) as broker:
        broker.set_logins({"gw-1": mosquitto_hash(key)})
        ...  # connect to broker.host:broker.port
"""

from __future__ import annotations

import contextlib
import getpass
import logging
import os
import secrets
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType

from layers.mqtt_passwd import mosquitto_hash, password_line
from models.errors import TwinError

__all__ = [
    "APP_USERNAME",
    "TOPIC_ROOT",
    "Broker",
    "BrokerError",
    "find_mosquitto",
    "free_port",
]

logger = logging.getLogger("twin.mqtt")

TOPIC_ROOT = "campus"
APP_USERNAME = "twin-app"
START_TIMEOUT_S = 10.0


class BrokerError(TwinError):
    """mosquitto is missing, would not start, or stopped answering."""


def find_mosquitto() -> str | None:
    """Path of the mosquitto binary (Debian puts it in /usr/sbin, often off PATH)."""
    found = shutil.which("mosquitto")
    if found:
        return found
    return "/usr/sbin/mosquitto" if os.access("/usr/sbin/mosquitto", os.X_OK) else None


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def _accepts(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.2):
            return True
    except OSError:
        return False


class Broker:
    """One mosquitto process with a config, password file and ACL it writes itself."""

    def __init__(
        self,
        state_dir: Path,
        port: int | None = None,
        host: str = "127.0.0.1",
        logins: Mapping[str, str] | None = None,
    ) -> None:
        self.state_dir = Path(state_dir)
        self.host = host
        self.port = port or free_port(host)
        self.app_username = APP_USERNAME
        self.app_password = secrets.token_urlsafe(24)
        self._logins: dict[str, str] = dict(logins or {})
        self._process: subprocess.Popen[bytes] | None = None

    # -- files ---------------------------------------------------------------

    @property
    def config_path(self) -> Path:
        return self.state_dir / "mosquitto.conf"

    @property
    def log_path(self) -> Path:
        return self.state_dir / "mosquitto.log"

    def _write_files(self) -> None:
        self.state_dir.mkdir(parents=True, exist_ok=True)
        app_hash = mosquitto_hash(self.app_password)
        lines = [password_line(self.app_username, app_hash)]
        lines += [password_line(name, hashed) for name, hashed in sorted(self._logins.items())]
        _write_private(self.state_dir / "passwd", "\n".join(lines) + "\n")
        acl = [f"user {self.app_username}", f"topic read {TOPIC_ROOT}/#", ""]
        for name in sorted(self._logins):
            acl += [f"user {name}", f"topic write {TOPIC_ROOT}/#", ""]
        _write_private(self.state_dir / "acl", "\n".join(acl))
        config = [
            f"listener {self.port} {self.host}",
            "allow_anonymous false",
            f"password_file {self.state_dir / 'passwd'}",
            f"acl_file {self.state_dir / 'acl'}",
            "persistence true",
            f"persistence_location {self.state_dir}/",
            "autosave_interval 5",
            # A batching subscriber acks late: let many QoS 1 messages be in flight, and keep
            # a persistent session's backlog instead of dropping it past 1000.
            "max_inflight_messages 0",
            "max_queued_messages 1000000",
            f"log_dest file {self.log_path}",
            "log_type error",
            "log_type warning",
            "log_type notice",
            "connection_messages true",
            # Running as root, mosquitto would switch to the user `mosquitto`, who cannot
            # read this folder.
            f"user {getpass.getuser()}",
        ]
        _write_private(self.config_path, "\n".join(config) + "\n")

    @property
    def logins(self) -> dict[str, str]:
        """The gateway logins, `username -> $7$ hash` (the app's own login aside)."""
        return dict(self._logins)

    def set_logins(self, logins: Mapping[str, str]) -> None:
        """Replace the gateway logins (`username -> $7$ hash`); a running broker reloads."""
        self._logins = dict(logins)
        if self.state_dir.exists():
            self._write_files()
        self.reload()

    def add_login(self, username: str, password: str) -> None:
        """Add or replace one login from its clear password (tests, the demo)."""
        self.set_logins({**self._logins, username: mosquitto_hash(password)})

    def reload(self) -> None:
        """Tell a running mosquitto to re-read its password file and ACL (SIGHUP)."""
        if self.running and self._process is not None:
            self._process.send_signal(signal.SIGHUP)

    # -- process -------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self) -> Broker:
        """Start mosquitto and wait until its port accepts connections."""
        if self.running:
            return self
        binary = find_mosquitto()
        if binary is None:
            raise BrokerError(
                "mosquitto is not installed: `apt-get install -y mosquitto` (Debian package)"
            )
        self._write_files()
        self._process = subprocess.Popen(
            [binary, "-c", str(self.config_path)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + START_TIMEOUT_S
        while not _accepts(self.host, self.port):
            if self._process.poll() is not None or time.monotonic() > deadline:
                tail = self._log_tail()
                self.stop()
                raise BrokerError(f"mosquitto did not start on {self.host}:{self.port}: {tail}")
            time.sleep(0.02)
        logger.info("mosquitto listening on %s:%d (%s)", self.host, self.port, self.state_dir)
        return self

    def stop(self) -> None:
        """Stop mosquitto; it writes its persistence file on the way out."""
        process, self._process = self._process, None
        if process is None:
            return
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if process.stderr is not None:
            process.stderr.close()

    def _log_tail(self) -> str:
        text = ""
        with contextlib.suppress(OSError):
            text = self.log_path.read_text(errors="replace")
        if self._process is not None and self._process.stderr is not None:
            with contextlib.suppress(OSError, ValueError):
                if self._process.poll() is not None:
                    text += self._process.stderr.read().decode(errors="replace")
        lines = [line for line in text.splitlines() if line.strip()]
        return " | ".join(lines[-5:]) or "no log output"

    def __enter__(self) -> Broker:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def _write_private(path: Path, text: str) -> None:
    """Write a file only its owner can read, atomically (mosquitto may reload any time)."""
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as stream:
        stream.write(text)
    os.replace(tmp, path)
