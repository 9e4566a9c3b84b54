"""Sensor kinds: every kind the issue names, and values turned into numbers or refused."""

from __future__ import annotations

import pytest

from layers.kinds import SENSOR_KINDS, sensor_kind
from models.errors import BadInput

NAMED_IN_ISSUE = [
    "temperature",
    "humidity",
    "co2",
    "people_count",
    "occupancy",
    "water_level",
    "combustible_gas",
    "smoke",
    "manhole_cover",
    "parking_bay",
    "power_meter",
    "water_meter",
    "door",
]


def test_every_kind_of_the_issue_has_unit_range_interval_and_type() -> None:
    assert set(NAMED_IN_ISSUE) <= set(SENSOR_KINDS)
    for kind in SENSOR_KINDS.values():
        assert kind.low < kind.high
        assert kind.expected_interval_s > 0
        assert kind.value_type in ("number", "boolean", "state")
        assert (kind.value_type == "state") == bool(kind.states)
    assert SENSOR_KINDS["power_meter"].unit == "kWh"
    assert SENSOR_KINDS["water_meter"].unit == "m³"


@pytest.mark.parametrize(
    ("kind", "value", "number"),
    [
        ("temperature", 21.5, 21.5),
        ("temperature", True, None),
        ("temperature", "21", None),
        ("temperature", float("nan"), None),
        ("people_count", 3, 3.0),
        ("people_count", 2.5, None),
        ("occupancy", True, 1.0),
        ("occupancy", 0, 0.0),
        ("occupancy", 2, None),
        ("manhole_cover", "OPEN", 1.0),
        ("manhole_cover", "ajar", None),
        ("parking_bay", "taken", 1.0),
        ("door", 0, 0.0),
    ],
)
def test_values_become_numbers_or_are_refused(kind: str, value: object, number: float) -> None:
    assert SENSOR_KINDS[kind].to_number(value) == number


def test_unknown_kind_names_the_known_ones() -> None:
    with pytest.raises(BadInput, match="temperature"):
        sensor_kind("thermometer")
