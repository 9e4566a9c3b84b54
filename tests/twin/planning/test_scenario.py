"""Scenarios: read from TOML, JSON or a body, checked entry by entry, applied to a state."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.planning_states import person, room, tiny_state
from twin.planning.scenario import (
    InvalidScenario,
    Preferences,
    apply_scenario,
    check_scenario,
    load_scenario,
    parse_scenario,
)
from twin.planning.state import PlanningState

SCENARIO_TOML = """
name = "reorganisation"

[[changes]]
kind = "grow"
department = "DX"
ranks = { below_division = 2, division_chief = 1 }

[[changes]]
kind = "close"
building = "B01"
storey = "F02"

[[changes]]
kind = "merge"
departments = ["DX", "DY"]
into = "DX"

[[changes]]
kind = "open"
rooms = ["R-new"]

[preferences]
move = 5
storey = 100
"""


def _state() -> PlanningState:
    return tiny_state(
        [
            room("R1", 20.0, 2),
            room("R2", 30.0, 3, storey="F02"),
            room("R-new", 18.0, 2, building="B02", available=False),
        ],
        [
            person("A", "DX", "below_division", "R1"),
            person("B", "DY", "below_division", "R2"),
        ],
    )


def test_toml_file_applied_gives_the_target_state(tmp_path: Path) -> None:
    path = tmp_path / "scenario.toml"
    path.write_text(SCENARIO_TOML, encoding="utf-8")
    scenario = load_scenario(path)
    assert scenario.name == "reorganisation"
    assert scenario.preferences == Preferences(move=5, over_standard_m2=2, storey=100)
    target = apply_scenario(_state(), scenario)
    new = [p for p in target.staff if p.room_code is None]
    assert sorted(p.rank for p in new) == ["below_division", "below_division", "division_chief"]
    assert {p.department for p in target.staff} == {"DX"}
    assert [d.code for d in target.departments] == ["DX"]
    rooms = {r.room_code: r for r in target.rooms}
    assert not rooms["R2"].available and rooms["R-new"].available and rooms["R1"].available
    # B keeps the closed room as their seat today: the plan must move them.
    assert next(p for p in target.staff if p.staff_id == "B").room_code == "R2"


def test_json_body_round_trips_through_to_dict(tmp_path: Path) -> None:
    scenario = load_scenario(_write_toml(tmp_path))
    again = parse_scenario(scenario.to_dict())
    assert again == scenario
    path = tmp_path / "scenario.json"
    path.write_text(json.dumps(scenario.to_dict()), encoding="utf-8")
    assert load_scenario(path) == scenario


def _write_toml(tmp_path: Path) -> Path:
    path = tmp_path / "s.toml"
    path.write_text(SCENARIO_TOML, encoding="utf-8")
    return path


GROW = {"kind": "grow", "department": "DX", "ranks": {"below_division": 1}}


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"changes": []}, "changes: must be a non-empty list"),
        ({"changes": [{"kind": "shrink"}]}, "changes[0].kind: 'shrink' is not one of"),
        ({"changes": [{"kind": "grow", "ranks": {"x": 1}}]}, "changes[0].department: missing"),
        (
            {"changes": [GROW, {"kind": "grow", "department": "DX", "ranks": {"x": 0}}]},
            "changes[1].ranks.x: must be a positive count",
        ),
        ({"changes": [{"kind": "close"}]}, "changes[0].building: missing"),
        (
            {"changes": [{"kind": "merge", "departments": ["DX"]}]},
            "changes[0].departments: must list two or more",
        ),
        ({"changes": [{**GROW, "floor": 3}]}, "changes[0].floor: is not a field of a grow change"),
        ({"changes": [GROW], "preferences": {"moves": 1}}, "preferences.moves: is not a weight"),
        ({"changes": [GROW], "preferences": {"move": -1}}, "preferences.move: must be a whole"),
        ({"changes": [GROW], "extra": 1}, "extra: is not a scenario field"),
    ],
)
def test_malformed_scenarios_name_the_bad_entry(document: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidScenario) as error:
        parse_scenario(document)
    assert str(error.value).startswith(message)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"kind": "grow", "department": "DZ", "ranks": {"below_division": 1}},
            "changes[1].department: no department 'DZ'",
        ),
        (
            {"kind": "grow", "department": "DX", "ranks": {"minister": 1}},
            "changes[1].ranks.minister: is not a rank of the test standard",
        ),
        ({"kind": "close", "building": "B09"}, "changes[1].building: no building 'B09'"),
        (
            {"kind": "close", "building": "B01", "storey": "F07"},
            "changes[1].storey: building B01 has no storey 'F07'",
        ),
        ({"kind": "open", "rooms": ["R1", "R9"]}, "changes[1].rooms[1]: no office room 'R9'"),
        (
            {"kind": "merge", "departments": ["DX", "DY"], "into": "DQ"},
            "changes[1].into: 'DQ' is not one of the merged departments",
        ),
    ],
)
def test_codes_the_state_lacks_are_named(change: dict[str, Any], message: str) -> None:
    scenario = parse_scenario({"changes": [GROW, change]})
    with pytest.raises(InvalidScenario) as error:
        check_scenario(scenario, _state())
    assert str(error.value).startswith(message)


def test_unreadable_and_malformed_files(tmp_path: Path) -> None:
    with pytest.raises(InvalidScenario, match="cannot read"):
        load_scenario(tmp_path / "missing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("changes = [", encoding="utf-8")
    with pytest.raises(InvalidScenario, match=r"bad\.toml: not valid toml"):
        load_scenario(bad)
    bad_json = tmp_path / "bad.json"
    bad_json.write_text("{", encoding="utf-8")
    with pytest.raises(InvalidScenario, match=r"bad\.json: not valid json"):
        load_scenario(bad_json)
