"""Who hears which alarm: contacts, duty rotas and routes, as data (TOML or JSON).

A route matches alarms by kind, severity and building and names an escalation
chain: step 0 is told when the alarm is raised, step 1 when it is still not
acknowledged `escalate_after_s` later, and so on. A step names a contact, or
`rota:<name>` for whoever is on duty then by that rota's weekly schedule.

```toml
timezone = "Asia/Shanghai"
[smtp]
host = "localhost"
port = 25
sender = "twin@campus.example"
[contacts.alice]
email = "alice@campus.example"
[contacts.ops]
webhook = "https://ops.example/hook"
[[rotas.facilities]]
days = ["mon", "tue", "wed", "thu", "fri"]
start = "08:00"
end = "18:00"
contact = "alice"
[[routes]]
name = "gas"
kinds = ["combustible_gas"]
severities = ["critical"]
buildings = ["WZ01-B01"]
steps = ["rota:facilities", "ops"]
escalate_after_s = 600
```

>>> shift = Shift(days=["mon"], start="22:00", end="06:00", contact="night")
>>> shift.covers(datetime(2026, 3, 3, 5, 0))  # Tuesday 05:00, the Monday night shift
True
"""

from __future__ import annotations

import json
import tomllib
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from sqlalchemy import Engine, delete, select

from models.errors import BadInput
from twin.store import schema as t

__all__ = [
    "Contact",
    "NotifyConfig",
    "Route",
    "Shift",
    "SmtpSettings",
    "get_config",
    "load_config_file",
    "on_duty",
    "set_config",
]

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Contact(_Strict):
    email: str | None = None
    webhook: str | None = Field(default=None, pattern=r"^https?://")

    @model_validator(mode="after")
    def _one_way(self) -> Contact:
        if not (self.email or self.webhook):
            raise ValueError("a contact needs an email or a webhook")
        return self


class Shift(_Strict):
    """One weekly shift; an `end` at or before `start` runs past midnight."""

    days: list[str]
    start: time
    end: time
    contact: str

    @model_validator(mode="after")
    def _known_days(self) -> Shift:
        wrong = [d for d in self.days if d not in DAYS]
        if wrong:
            raise ValueError(f"unknown days {wrong}; use {', '.join(DAYS)}")
        return self

    def covers(self, local: datetime) -> bool:
        """Whether the shift holds at `local` (wall-clock time of the rota's zone)."""
        day, clock = DAYS[local.weekday()], local.time().replace(tzinfo=None)
        if self.start < self.end:
            return day in self.days and self.start <= clock < self.end
        yesterday = DAYS[(local - timedelta(days=1)).weekday()]
        return (day in self.days and clock >= self.start) or (
            yesterday in self.days and clock < self.end
        )


class Route(_Strict):
    name: str = Field(pattern=r"^[A-Za-z0-9._-]{1,64}$")
    kinds: list[str] = Field(default_factory=list, description="Empty: every kind.")
    severities: list[str] = Field(default_factory=list)
    buildings: list[str] = Field(default_factory=list)
    steps: list[str] = Field(min_length=1)
    escalate_after_s: float = Field(default=900, gt=0)

    def matches(self, alarm: dict[str, Any]) -> bool:
        return all(
            not wanted or alarm[field] in wanted
            for field, wanted in (
                ("kind", self.kinds),
                ("severity", self.severities),
                ("building_code", self.buildings),
            )
        )


class SmtpSettings(_Strict):
    host: str = "localhost"
    port: int = 25
    sender: str = "twin@localhost"
    timeout_s: float = 10


class NotifyConfig(_Strict):
    timezone: str = "UTC"
    smtp: SmtpSettings = SmtpSettings()
    contacts: dict[str, Contact] = Field(default_factory=dict)
    rotas: dict[str, list[Shift]] = Field(default_factory=dict)
    routes: list[Route] = Field(default_factory=list)
    max_attempts: int = Field(default=5, ge=1)
    retry_base_s: float = Field(default=30, gt=0)

    @model_validator(mode="after")
    def _names_resolve(self) -> NotifyConfig:
        ZoneInfo(self.timezone)
        for rota, shifts in self.rotas.items():
            for shift in shifts:
                if shift.contact not in self.contacts:
                    raise ValueError(f"rota {rota}: unknown contact {shift.contact!r}")
        for route in self.routes:
            for step in route.steps:
                rota = step.removeprefix("rota:")
                known = self.rotas if step.startswith("rota:") else self.contacts
                if rota not in known:
                    raise ValueError(f"route {route.name}: unknown contact or rota {step!r}")
        return self


def on_duty(config: NotifyConfig, step: str, when: datetime) -> str | None:
    """The contact a route step names at `when`: itself, or whoever the rota has on duty."""
    if not step.startswith("rota:"):
        return step
    local = when.astimezone(ZoneInfo(config.timezone))
    shifts = config.rotas[step.removeprefix("rota:")]
    return next((s.contact for s in shifts if s.covers(local)), None)


def set_config(engine: Engine, config: NotifyConfig) -> None:
    """Store the notification config, replacing the previous one."""
    with engine.begin() as conn:
        conn.execute(delete(t.notify_config).where(t.notify_config.c.name == "notify"))
        conn.execute(
            t.notify_config.insert().values(name="notify", body_json=config.model_dump_json())
        )


def get_config(engine: Engine) -> NotifyConfig:
    """The stored config; an empty one (no routes) when none was set."""
    with engine.connect() as conn:
        body = conn.execute(
            select(t.notify_config.c.body_json).where(t.notify_config.c.name == "notify")
        ).scalar()
    return NotifyConfig.model_validate(json.loads(body)) if body else NotifyConfig()


def load_config_file(engine: Engine, path: Path) -> NotifyConfig:
    """Read a TOML config, check it, store it."""
    try:
        config = NotifyConfig.model_validate(tomllib.loads(path.read_text(encoding="utf-8")))
    except (OSError, tomllib.TOMLDecodeError, ValidationError) as exc:
        raise BadInput(f"{path}: {exc}") from None
    set_config(engine, config)
    return config
