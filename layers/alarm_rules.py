"""Threshold rules per sensor kind, as data, and each room's overrides of them.

A rule says when a sensor's value is in alarm: `above` or `below` a `limit`, held
for at least `min_duration_s` (judged on reading times) before it is raised, and
cleared only once the value is back past the limit by `hysteresis`. A room may
change any of these, or switch a rule off, through a TOML file or the API; the
overrides live in the store so the CLI and the served app see the same.

>>> DEFAULT_RULES["temperature.high"].breached(30.5)
True
>>> DEFAULT_RULES["temperature.high"].recovered(29.5)
False
"""

from __future__ import annotations

import tomllib
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import Connection, Engine, delete, select

from models.codes import RoomCode, unknown_room_code
from models.errors import BadInput
from twin.store import schema as t

__all__ = [
    "DEFAULT_RULES",
    "SEVERITIES",
    "Rule",
    "RuleOverride",
    "list_rules",
    "load_rules_file",
    "rules_for",
    "set_override",
]

SEVERITIES = ("info", "warning", "major", "critical")
Severity = Literal["info", "warning", "major", "critical"]


@dataclass(frozen=True)
class Rule:
    """One threshold on one kind; `name` is `<kind>.<what>`, e.g. `co2.high`."""

    name: str
    kind: str
    direction: Literal["above", "below"]
    limit: float
    hysteresis: float
    min_duration_s: float
    severity: Severity
    message: str

    def breached(self, value: float) -> bool:
        return value > self.limit if self.direction == "above" else value < self.limit

    def recovered(self, value: float) -> bool:
        """Past the limit by the hysteresis, so a value flickering at the limit stays in."""
        if self.direction == "above":
            return value < self.limit - self.hysteresis
        return value > self.limit + self.hysteresis

    def public(self) -> dict[str, Any]:
        return asdict(self)


def _rule(
    name: str,
    direction: Literal["above", "below"],
    limit: float,
    hysteresis: float,
    min_duration_s: float,
    severity: Severity,
    message: str,
) -> Rule:
    return Rule(
        name, name.split(".")[0], direction, limit, hysteresis, min_duration_s, severity, message
    )


# Boolean and state kinds store 0/1, so "on"/"open" is "above 0.5".
DEFAULT_RULES: dict[str, Rule] = {
    r.name: r
    for r in (
        _rule("temperature.high", "above", 30.0, 1.0, 300, "warning", "temperature too high"),
        _rule("temperature.low", "below", 5.0, 1.0, 300, "warning", "temperature too low"),
        _rule("humidity.high", "above", 80.0, 5.0, 600, "info", "humidity too high"),
        _rule("co2.high", "above", 1_500.0, 100.0, 300, "warning", "CO₂ too high; ventilate"),
        _rule("water_level.high", "above", 2.0, 0.1, 60, "critical", "water level too high"),
        _rule("combustible_gas.high", "above", 20.0, 5.0, 0, "critical", "combustible gas"),
        _rule("smoke.on", "above", 0.5, 0.0, 0, "critical", "smoke detected"),
        _rule("manhole_cover.open", "above", 0.5, 0.0, 0, "major", "manhole cover open"),
        _rule("door.open_too_long", "above", 0.5, 0.0, 900, "warning", "door open too long"),
    )
}


class RuleOverride(BaseModel):
    """A room's change to one rule; fields left out keep the default."""

    model_config = ConfigDict(extra="forbid")

    limit: float | None = Field(default=None, allow_inf_nan=False)
    hysteresis: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    min_duration_s: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    severity: Severity | None = None
    enabled: bool | None = None


def _default(rule_name: str) -> Rule:
    rule = DEFAULT_RULES.get(rule_name)
    if rule is None:
        raise BadInput(f"unknown alarm rule {rule_name!r}; one of: {', '.join(DEFAULT_RULES)}")
    return rule


def set_override(engine: Engine, room_code: str, rule_name: str, change: RuleOverride) -> None:
    """Store (replace) one room's override of one rule."""
    _default(rule_name)
    code = str(RoomCode.parse(room_code))
    _check_rooms(engine, {code})
    o = t.alarm_rule_overrides
    with engine.begin() as conn:
        conn.execute(delete(o).where(o.c.room_code == code, o.c.rule == rule_name))
        conn.execute(o.insert().values(room_code=code, rule=rule_name, **change.model_dump()))


def load_rules_file(engine: Engine, path: Path) -> int:
    """Replace every room override with those of a TOML file; the number loaded.

    ```toml
    [rooms."WZ01-B01-F02-003K"]
    "temperature.high" = { limit = 26.0, min_duration_s = 60 }
    "co2.high" = { enabled = false }
    ```
    """
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise BadInput(f"{path}: cannot read alarm rules ({exc})") from None
    rooms = data.get("rooms", {})
    if not isinstance(rooms, dict) or set(data) - {"rooms"}:
        raise BadInput(f'{path}: expected only [rooms."<room code>"] tables')
    parsed: list[tuple[str, str, RuleOverride]] = []
    for room_code, rules in rooms.items():
        for rule_name, fields in dict(rules).items():
            _default(rule_name)
            try:
                parsed.append((str(RoomCode.parse(room_code)), rule_name, RuleOverride(**fields)))
            except (ValidationError, TypeError) as exc:
                raise BadInput(f"{path}: {room_code} {rule_name}: {exc}") from None
    _check_rooms(engine, {code for code, _, _ in parsed})
    with engine.begin() as conn:
        conn.execute(delete(t.alarm_rule_overrides))
        for code, rule_name, change in parsed:
            conn.execute(
                t.alarm_rule_overrides.insert().values(
                    room_code=code, rule=rule_name, **change.model_dump()
                )
            )
    return len(parsed)


def _check_rooms(engine: Engine, room_codes: set[str]) -> None:
    with engine.connect() as conn:
        known = set(conn.execute(select(t.rooms.c.room_code)).scalars())
    for code in sorted(room_codes - known):
        raise unknown_room_code(code, known)


def _overrides(conn: Connection, room_codes: set[str]) -> dict[tuple[str, str], dict[str, Any]]:
    o = t.alarm_rule_overrides
    rows = conn.execute(select(o).where(o.c.room_code.in_(sorted(room_codes)))).all()
    return {(r.room_code, r.rule): dict(r._mapping) for r in rows}


def rules_for(
    conn: Connection, pairs: set[tuple[str, str | None]]
) -> dict[tuple[str, str | None], list[Rule]]:
    """The enabled rules for each (kind, room code) pair, room overrides applied."""
    found = _overrides(conn, {room for _, room in pairs if room})
    result: dict[tuple[str, str | None], list[Rule]] = {}
    for kind, room in pairs:
        rules = []
        for rule in (r for r in DEFAULT_RULES.values() if r.kind == kind):
            change = found.get((room or "", rule.name), {})
            if change.get("enabled") is False:
                continue
            fields = ("limit", "hysteresis", "min_duration_s", "severity")
            rules.append(
                replace(rule, **{f: change[f] for f in fields if change.get(f) is not None})
            )
        result[(kind, room)] = rules
    return result


def list_rules(engine: Engine) -> dict[str, Any]:
    """The default rules and every room override."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(t.alarm_rule_overrides).order_by(
                t.alarm_rule_overrides.c.room_code, t.alarm_rule_overrides.c.rule
            )
        ).all()
    return {
        "defaults": [rule.public() for rule in DEFAULT_RULES.values()],
        "overrides": [dict(r._mapping) for r in rows],
    }
