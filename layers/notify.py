"""Tell people about alarms: route, escalate while unacknowledged, deliver, retry, record.

`run_due(engine, now)` does everything that is due at `now`, so tests drive it with
an explicit clock and the app calls it from a background task every few seconds:

1. for each raised (not yet acknowledged) alarm and each route that matches it,
   issue every escalation step whose time has come (step k at `raised_at + k ×
   escalate_after_s`), once, as one delivery per channel of the step's contact
   (the rota's contact on duty at `now` for a `rota:` step);
2. attempt every delivery whose next attempt is due: webhooks by HTTP POST of the
   alarm as JSON, e-mail by SMTP. A failure is recorded (attempts, last error) and
   retried with exponential backoff until `max_attempts`, then marked failed.

Every delivery is a row of `deliveries`, which `GET /api/notifications` shows.
"""

from __future__ import annotations

import json
import logging
import smtplib
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any

from sqlalchemy import Engine, select, update

from layers.alarms import list_alarms
from layers.notify_config import Contact, NotifyConfig, get_config, on_duty
from layers.readings import ts_text
from models.errors import BadInput
from twin.store import schema as t

__all__ = ["DELIVERY_STATES", "list_deliveries", "run_due", "send_email", "send_webhook"]

logger = logging.getLogger("twin.notify")

DELIVERY_STATES = ("pending", "delivered", "failed")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _us(moment: datetime) -> int:
    return (moment - _EPOCH) // timedelta(microseconds=1)


def send_webhook(url: str, alarm: dict[str, Any], timeout_s: float = 10) -> None:
    """POST `{"type": "alarm", "alarm": ...}` as JSON; an `OSError` unless answered 2xx."""
    body = json.dumps({"type": "alarm", "alarm": alarm}).encode("utf-8")
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": "application/json"}
    )
    # Contact allows only http(s) URLs, so urlopen cannot be led to file: or ftp:.
    with urllib.request.urlopen(request, timeout=timeout_s) as answer:
        if not 200 <= answer.status < 300:
            raise OSError(f"webhook answered {answer.status}")


def send_email(config: NotifyConfig, to: str, alarm: dict[str, Any]) -> None:
    """Mail the alarm to `to` through the configured SMTP server."""
    where = alarm["room_code"] or alarm["code"] or "no code"
    message = EmailMessage()
    message["From"] = config.smtp.sender
    message["To"] = to
    message["Subject"] = f"[{alarm['severity']}] {alarm['message']} — {where}"
    message.set_content(
        f"Alarm {alarm['alarm_id']} ({alarm['rule']}) on sensor {alarm['sensor']} at {where}, "
        f"raised {alarm['raised_at']}.\n\n{alarm['message']}\n\n"
        f"Acknowledge it: POST /api/alarms/{alarm['alarm_id']}/acknowledge\n"
    )
    with smtplib.SMTP(config.smtp.host, config.smtp.port, timeout=config.smtp.timeout_s) as smtp:
        smtp.send_message(message)


def _channels(contact: Contact) -> list[tuple[str, str]]:
    found = [("email", contact.email), ("webhook", contact.webhook)]
    return [(channel, target) for channel, target in found if target]


def _issue(engine: Engine, config: NotifyConfig, now: datetime) -> int:
    """Insert the deliveries of escalation steps that have come due; how many steps."""
    if not config.routes:
        return 0
    issued = 0
    now_text = ts_text(_us(now))
    raised = list_alarms(engine, state="raised")
    with engine.begin() as conn:
        e = t.alarm_escalations.c
        done = {tuple(r) for r in conn.execute(select(e.alarm_id, e.route, e.step))}
        for alarm in raised:
            elapsed_s = (now - datetime.fromisoformat(alarm["raised_at"])).total_seconds()
            for route in (r for r in config.routes if r.matches(alarm)):
                due = min(int(elapsed_s // route.escalate_after_s), len(route.steps) - 1)
                for step in range(due + 1):
                    if (alarm["alarm_id"], route.name, step) in done:
                        continue
                    conn.execute(
                        t.alarm_escalations.insert().values(
                            alarm_id=alarm["alarm_id"],
                            route=route.name,
                            step=step,
                            issued_at=now_text,
                        )
                    )
                    issued += 1
                    name = on_duty(config, route.steps[step], now)
                    row = {
                        "alarm_id": alarm["alarm_id"],
                        "route": route.name,
                        "step": step,
                        "attempts": 0,
                        "created_at": now_text,
                    }
                    if name is None:  # shown, not silently dropped
                        conn.execute(
                            t.deliveries.insert().values(
                                **row,
                                contact=route.steps[step],
                                channel="none",
                                target="",
                                status="failed",
                                last_error="nobody on duty in this rota",
                            )
                        )
                        continue
                    for channel, target in _channels(config.contacts[name]):
                        conn.execute(
                            t.deliveries.insert().values(
                                **row,
                                contact=name,
                                channel=channel,
                                target=target,
                                status="pending",
                                next_attempt_us=_us(now),
                            )
                        )
    return issued


def _attempt(engine: Engine, config: NotifyConfig, now: datetime) -> dict[str, int]:
    d = t.deliveries.c
    with engine.connect() as conn:
        due = conn.execute(
            select(t.deliveries).where(d.status == "pending", d.next_attempt_us <= _us(now))
        ).all()
    alarms = {a["alarm_id"]: a for a in list_alarms(engine)} if due else {}
    counts = {"delivered": 0, "retrying": 0, "failed": 0}
    for row in due:
        attempts = row.attempts + 1
        values: dict[str, Any] = {"attempts": attempts}
        try:
            if row.channel == "webhook":
                send_webhook(row.target, alarms[row.alarm_id], config.smtp.timeout_s)
            else:
                send_email(config, row.target, alarms[row.alarm_id])
        except (OSError, smtplib.SMTPException) as exc:
            logger.warning("delivery %s to %s failed: %s", row.delivery_id, row.target, exc)
            values["last_error"] = f"{type(exc).__name__}: {exc}"[:500]
            if attempts >= config.max_attempts:
                values.update(status="failed", next_attempt_us=None)
                counts["failed"] += 1
            else:
                backoff_s = config.retry_base_s * 2 ** (attempts - 1)
                values["next_attempt_us"] = _us(now + timedelta(seconds=backoff_s))
                counts["retrying"] += 1
        else:
            values.update(status="delivered", delivered_at=ts_text(_us(now)), next_attempt_us=None)
            counts["delivered"] += 1
        with engine.begin() as conn:
            conn.execute(
                update(t.deliveries).where(d.delivery_id == row.delivery_id).values(values)
            )
    return counts


def run_due(engine: Engine, now: datetime) -> dict[str, int]:
    """Issue due escalation steps and attempt due deliveries at `now`; what happened."""
    if now.tzinfo is None:
        raise BadInput("run_due needs a time with a time zone")
    config = get_config(engine)
    issued = _issue(engine, config, now)
    return {"issued": issued, **_attempt(engine, config, now)}


def _public(row: Any) -> dict[str, Any]:
    values = dict(row._mapping)
    next_us = values.pop("next_attempt_us")
    return {**values, "next_attempt_at": ts_text(next_us) if next_us is not None else None}


def list_deliveries(
    engine: Engine, status: str | None = None, alarm_id: int | None = None
) -> list[dict[str, Any]]:
    """Deliveries, newest first: attempts, last error, delivered_at."""
    query = select(t.deliveries).order_by(t.deliveries.c.delivery_id.desc())
    if status is not None:
        if status not in DELIVERY_STATES:
            raise BadInput(f"unknown status {status!r}; one of: {', '.join(DELIVERY_STATES)}")
        query = query.where(t.deliveries.c.status == status)
    if alarm_id is not None:
        query = query.where(t.deliveries.c.alarm_id == alarm_id)
    with engine.connect() as conn:
        return [_public(row) for row in conn.execute(query)]
