"""Notifications through a real SMTP server (aiosmtpd) and a real HTTP receiver, clock explicit."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import Engine

from layers import alarms
from layers.ingest import ingest_readings
from layers.notify import list_deliveries, run_due
from layers.notify_config import NotifyConfig, load_config_file, on_duty, set_config
from layers.sensors import SensorCreate, register_sensor
from models.errors import BadInput
from tests.layers.live_stores import A101, duplex_copy, duplex_db
from twin.store import open_store

__all__ = ["duplex_copy", "duplex_db"]

# Tuesday 10:00 in Shanghai.
RAISED = datetime(2026, 3, 3, 2, 0, tzinfo=UTC)


class _Inbox:
    def __init__(self) -> None:
        self.mails: list[tuple[list[str], str]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.mails.append((list(envelope.rcpt_tos), envelope.content.decode("utf-8", "replace")))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp() -> Iterator[tuple[int, _Inbox]]:
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield controller.port, inbox
    controller.stop()


class _Receiver(ThreadingHTTPServer):
    bodies: list[bytes]
    failures_left: int


class _Hook(BaseHTTPRequestHandler):
    server: _Receiver

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        failing = self.server.failures_left > 0
        self.server.failures_left -= 1
        if not failing:
            self.server.bodies.append(body)
        self.send_response(500 if failing else 200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def webhook() -> Iterator[_Receiver]:
    server = _Receiver(("127.0.0.1", 0), _Hook)
    server.bodies, server.failures_left = [], 0
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def live(duplex_copy: Path) -> Iterator[Engine]:
    engine = open_store(str(duplex_copy))
    register_sensor(engine, SensorCreate(id="gas-1", kind="combustible_gas", room_code=A101))
    alarms.watch(engine)
    yield engine
    alarms.unwatch(engine)


def _config(smtp_port: int, hook_url: str, **route: Any) -> NotifyConfig:
    return NotifyConfig.model_validate(
        {
            "timezone": "Asia/Shanghai",
            "smtp": {"host": "127.0.0.1", "port": smtp_port, "sender": "twin@campus.example"},
            "contacts": {
                "alice": {"email": "alice@campus.example"},
                "night": {"email": "night@campus.example"},
                "ops": {"webhook": hook_url},
            },
            "rotas": {
                "facilities": [
                    {
                        "days": ["mon", "tue", "wed", "thu", "fri"],
                        "start": "08:00",
                        "end": "18:00",
                        "contact": "alice",
                    },
                    {
                        "days": ["mon", "tue", "wed", "thu"],
                        "start": "18:00",
                        "end": "08:00",
                        "contact": "night",
                    },
                ]
            },
            "routes": [
                {
                    "name": "gas",
                    "kinds": ["combustible_gas"],
                    "buildings": ["DX01-B01"],
                    "steps": ["rota:facilities", "ops"],
                    "escalate_after_s": 600,
                    **route,
                },
                {"name": "elsewhere", "buildings": ["HT01-B01"], "steps": ["ops"]},
            ],
            "retry_base_s": 30,
        }
    )


def _gas(engine: Engine, at: datetime = RAISED) -> dict[str, Any]:
    ingest_readings(engine, [{"sensor": "gas-1", "ts": at.isoformat(), "value": 40}], "http")
    alarms.settle(engine)
    (alarm,) = alarms.list_alarms(engine, state="raised")
    return alarm


def test_on_duty_contact_mailed_then_escalated_until_acknowledged(
    live: Engine, smtp: tuple[int, _Inbox], webhook: _Receiver
) -> None:
    port, inbox = smtp
    set_config(live, _config(port, f"http://127.0.0.1:{webhook.server_port}/hook"))
    alarm = _gas(live)
    assert run_due(live, RAISED) == {"issued": 1, "delivered": 1, "retrying": 0, "failed": 0}
    ((to, mail),) = inbox.mails
    assert to == ["alice@campus.example"]
    assert "combustible gas" in mail and A101 in mail
    # nine minutes on, nobody has acknowledged, yet too early to escalate
    assert run_due(live, RAISED + timedelta(minutes=9))["issued"] == 0
    assert run_due(live, RAISED + timedelta(minutes=10))["delivered"] == 1
    assert b'"alarm_id": %d' % alarm["alarm_id"] in webhook.bodies[0]
    assert run_due(live, RAISED + timedelta(hours=2)) == {
        "issued": 0,
        "delivered": 0,
        "retrying": 0,
        "failed": 0,
    }
    shown = list_deliveries(live, alarm_id=alarm["alarm_id"])
    assert [(d["step"], d["contact"], d["status"], d["attempts"]) for d in shown] == [
        (1, "ops", "delivered", 1),
        (0, "alice", "delivered", 1),
    ]


def test_acknowledged_alarm_is_not_escalated(
    live: Engine, smtp: tuple[int, _Inbox], webhook: _Receiver
) -> None:
    port, inbox = smtp
    set_config(live, _config(port, f"http://127.0.0.1:{webhook.server_port}/hook"))
    alarm = _gas(live)
    run_due(live, RAISED)
    alarms.acknowledge(live, alarm["alarm_id"], "alice", now=RAISED + timedelta(minutes=2))
    assert run_due(live, RAISED + timedelta(hours=1))["issued"] == 0
    assert webhook.bodies == [] and len(inbox.mails) == 1


def test_failing_webhook_retried_with_backoff_and_shown(
    live: Engine, smtp: tuple[int, _Inbox], webhook: _Receiver
) -> None:
    port, _ = smtp
    webhook.failures_left = 2
    set_config(live, _config(port, f"http://127.0.0.1:{webhook.server_port}/", steps=["ops"]))
    _gas(live)
    assert run_due(live, RAISED)["retrying"] == 1
    (pending,) = list_deliveries(live, status="pending")
    assert pending["attempts"] == 1 and "500" in pending["last_error"]
    assert pending["next_attempt_at"] == "2026-03-03T02:00:30Z"
    assert run_due(live, RAISED + timedelta(seconds=29))["retrying"] == 0  # not yet due
    assert run_due(live, RAISED + timedelta(seconds=30))["retrying"] == 1  # next in 60 s
    assert run_due(live, RAISED + timedelta(seconds=89))["delivered"] == 0
    assert run_due(live, RAISED + timedelta(seconds=90))["delivered"] == 1
    (done,) = list_deliveries(live)
    assert (done["status"], done["attempts"]) == ("delivered", 3)
    assert done["delivered_at"] == "2026-03-03T02:01:30Z" and len(webhook.bodies) == 1


def test_unreachable_mail_server_fails_after_max_attempts(live: Engine, tmp_path: Path) -> None:
    config = tmp_path / "notify.toml"
    config.write_text(
        f'max_attempts = 2\nretry_base_s = 1\n[smtp]\nhost = "127.0.0.1"\nport = {_free_port()}\n'
        '[contacts.alice]\nemail = "alice@campus.example"\n'
        '[[routes]]\nname = "all"\nsteps = ["alice"]\n'
    )
    load_config_file(live, config)
    _gas(live)
    assert run_due(live, RAISED)["retrying"] == 1
    assert run_due(live, RAISED + timedelta(seconds=1))["failed"] == 1
    (failed,) = list_deliveries(live, status="failed")
    assert failed["attempts"] == 2 and "Connection" in failed["last_error"]


def test_duty_rota_overnight_and_nobody_on_duty(
    live: Engine, smtp: tuple[int, _Inbox], webhook: _Receiver
) -> None:
    config = _config(smtp[0], "http://127.0.0.1:1/")
    tuesday_3am = datetime(2026, 3, 2, 19, 0, tzinfo=UTC)  # Monday night's shift, in Shanghai
    assert on_duty(config, "rota:facilities", tuesday_3am) == "night"
    saturday = datetime(2026, 3, 7, 4, 0, tzinfo=UTC)
    assert on_duty(config, "rota:facilities", saturday) is None
    set_config(live, config)
    _gas(live, at=saturday)
    run_due(live, saturday)
    (shown,) = list_deliveries(live, status="failed")
    assert shown["last_error"] == "nobody on duty in this rota"


def test_config_naming_an_unknown_contact_is_refused(tmp_path: Path, live: Engine) -> None:
    config = tmp_path / "notify.toml"
    config.write_text('[[routes]]\nname = "x"\nsteps = ["bob"]\n')
    with pytest.raises(BadInput, match="unknown contact or rota 'bob'"):
        load_config_file(live, config)
