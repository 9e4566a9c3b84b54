"""The kinds of sensor the twin knows: unit, plausible range, reporting interval, value type.

A reading outside its kind's plausible range is rejected at ingest, not stored: a
temperature of 900 °C is a broken sensor, not a fire (smoke and gas have kinds of
their own). Every value is stored as a number; a boolean kind stores 0/1, a state
kind stores the number of its state, e.g. a manhole cover `closed` 0, `open` 1.

>>> SENSOR_KINDS["temperature"].unit
'°C'
>>> SENSOR_KINDS["manhole_cover"].to_number("open")
1.0
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

__all__ = ["SENSOR_KINDS", "SensorKind", "ValueType", "sensor_kind"]

ValueType = Literal["number", "boolean", "state"]


@dataclass(frozen=True)
class SensorKind:
    """What one kind of sensor reports and what counts as plausible."""

    name: str
    unit: str
    low: float
    high: float
    expected_interval_s: int
    value_type: ValueType = "number"
    states: dict[str, float] = field(default_factory=dict)
    whole_numbers: bool = False
    description: str = ""

    def to_number(self, value: object) -> float | None:
        """The value as the number stored, or None when it has the wrong type.

        Numbers for number kinds; true/false or 0/1 for boolean kinds; a state name
        (any case) or a state's number for state kinds. Range is checked apart.
        """
        if self.value_type == "state" and isinstance(value, str):
            return self.states.get(value.strip().lower())
        if isinstance(value, bool):
            return float(value) if self.value_type == "boolean" else None
        if not isinstance(value, int | float):
            return None
        number = float(value)
        if number != number or (self.whole_numbers and not number.is_integer()):
            return None  # NaN, or a fraction of a person
        if self.value_type != "number" and number not in (0.0, 1.0):
            return None
        return number

    def public(self) -> dict[str, object]:
        return {
            "kind": self.name,
            "unit": self.unit,
            "low": self.low,
            "high": self.high,
            "expected_interval_s": self.expected_interval_s,
            "value_type": self.value_type,
            "states": dict(self.states),
            "description": self.description,
        }


_OPEN_CLOSED = {"closed": 0.0, "open": 1.0}

SENSOR_KINDS: dict[str, SensorKind] = {
    k.name: k
    for k in (
        SensorKind("temperature", "°C", -40.0, 85.0, 300, description="air temperature"),
        SensorKind("humidity", "%RH", 0.0, 100.0, 300, description="relative humidity"),
        SensorKind("co2", "ppm", 250.0, 10_000.0, 300, description="CO₂ concentration"),
        SensorKind(
            "people_count",
            "people",
            0.0,
            2_000.0,
            300,
            whole_numbers=True,
            description="people counted in the room",
        ),
        SensorKind("occupancy", "", 0.0, 1.0, 600, "boolean", description="presence: 1 occupied"),
        SensorKind("water_level", "m", -5.0, 30.0, 600, description="water level above datum"),
        SensorKind(
            "combustible_gas",
            "%LEL",
            0.0,
            100.0,
            60,
            description="combustible gas, share of the lower explosive limit",
        ),
        SensorKind("smoke", "", 0.0, 1.0, 600, "boolean", description="smoke detected: 1"),
        SensorKind(
            "manhole_cover",
            "",
            0.0,
            1.0,
            3_600,
            "state",
            _OPEN_CLOSED,
            description="manhole cover open or closed",
        ),
        SensorKind(
            "parking_bay",
            "",
            0.0,
            1.0,
            900,
            "state",
            {"free": 0.0, "taken": 1.0},
            description="parking bay free or taken",
        ),
        SensorKind("power_meter", "kWh", 0.0, 1e9, 900, description="electricity meter reading"),
        SensorKind("water_meter", "m³", 0.0, 1e8, 900, description="water meter reading"),
        SensorKind(
            "door", "", 0.0, 1.0, 3_600, "state", _OPEN_CLOSED, description="door open or closed"
        ),
    )
}


def sensor_kind(name: str) -> SensorKind:
    """The kind called `name` (any case); `BadInput` naming the known kinds otherwise."""
    from models.errors import BadInput

    kind = SENSOR_KINDS.get(name.strip().lower())
    if kind is None:
        raise BadInput(f"unknown sensor kind {name!r}; one of: {', '.join(SENSOR_KINDS)}")
    return kind
