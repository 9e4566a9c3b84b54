"""Saved scenarios on the real sample campus: run, list, compare, export, apply, refuse."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from sqlalchemy import Engine

from models.errors import BadInput, ScenarioConflict, UnknownScenario
from tests.planning_stores import close_and_merge, small_org
from twin.planning.lifecycle import room_lifecycle
from twin.planning.org import put_staff, staff_detail
from twin.planning.scenario import InvalidScenario, parse_scenario
from twin.planning.scenario_store import (
    apply_scenario_plan,
    compare_scenarios,
    list_scenarios,
    run_scenario,
    scenario_detail,
    scenario_moves_csv,
)


def test_run_list_show_compare_export_and_apply(campus: Engine, tmp_path: Path) -> None:
    org = small_org(campus, tmp_path)
    detail = run_scenario(campus, close_and_merge(org["high"]), "WZ01", time_limit_s=5)
    assert detail["status"] in ("OPTIMAL", "FEASIBLE")
    assert detail["kpis_after"]["seated"] == 4 and not detail["shortages"]
    moves = {m["staff_id"]: m for m in detail["moves"]}
    assert moves["Q1"]["from_room"] == org["b_room"]  # its storey closed
    assert moves["Q1"]["to_room"] and org["high"] not in moves["Q1"]["to_room"]
    assert detail["rooms_before"][org["b_room"]] == "B"
    assert org["b_room"] not in detail["rooms_after"]
    assert detail["rooms_after"][moves["Q1"]["to_room"]] == "A"
    assert moves["NEW-A-1"]["from_room"] == "" and moves["NEW-A-1"]["rank"] == "division_chief"
    assert detail["lower_bound"] is not None and detail["lower_bound"] <= detail["objective"]

    second = run_scenario(campus, close_and_merge(org["low"]), "WZ01", time_limit_s=5)
    listed = list_scenarios(campus)
    assert [s["scenario_id"] for s in listed] == [second["scenario_id"], detail["scenario_id"]]
    assert listed[1]["moves"] == len(detail["moves"]) and "kpis_after" not in listed[1]
    side = compare_scenarios(campus, [detail["scenario_id"], second["scenario_id"]])
    assert [s["name"] for s in side] == ["close and merge"] * 2
    assert side[0]["kpis_after"] == detail["kpis_after"] and side[1]["cost"] == second["cost"]

    rows = list(csv.DictReader(io.StringIO(scenario_moves_csv(campus, detail["scenario_id"]))))
    assert rows == detail["moves"]

    applied = apply_scenario_plan(campus, detail["scenario_id"], by="planner", why="renovation")
    assert applied["new_staff_ids"] == {"NEW-A-1": f"NEW-A-1-S{detail['scenario_id']}"}
    assert staff_detail(campus, "Q1")["room_code"] == moves["Q1"]["to_room"]
    assert staff_detail(campus, "Q1")["department_code"] == "A"  # merged
    new = staff_detail(campus, applied["new_staff_ids"]["NEW-A-1"])
    assert new["room_code"] == moves["NEW-A-1"]["to_room"] and new["rank"] == "division_chief"
    history = room_lifecycle(campus, org["b_room"])["events"]
    assert history[-1]["event"] == "maintenance" and history[-1]["by"] == "planner"
    assert f"scenario {detail['scenario_id']}" in history[-1]["fields"]["description"]
    assert scenario_detail(campus, detail["scenario_id"])["applied_by"] == "planner"

    with pytest.raises(ScenarioConflict, match="was applied on"):
        apply_scenario_plan(campus, detail["scenario_id"], by="planner", why="again")
    # The second plan was made before the first was applied: the campus moved on.
    with pytest.raises(ScenarioConflict, match="the campus changed since scenario"):
        apply_scenario_plan(campus, second["scenario_id"], by="planner", why="too late")


def test_an_out_of_date_plan_writes_nothing(campus: Engine, tmp_path: Path) -> None:
    org = small_org(campus, tmp_path)
    detail = run_scenario(campus, close_and_merge(org["high"]), "WZ01", time_limit_s=3)
    put_staff(
        campus,
        "Q1",
        {"name": "Q one", "rank": "below_division", "department_code": "B", "room_code": None},
    )
    with pytest.raises(ScenarioConflict, match="Q1 sits in no room"):
        apply_scenario_plan(campus, detail["scenario_id"], by="planner", why="x")
    assert staff_detail(campus, "P1")["department_code"] == "A"
    assert staff_detail(campus, "Q1")["department_code"] == "B"
    assert room_lifecycle(campus, org["b_room"])["events"] == []
    assert scenario_detail(campus, detail["scenario_id"])["applied_at"] is None


def test_unknown_ids_bad_limits_and_bad_codes(campus: Engine, tmp_path: Path) -> None:
    org = small_org(campus, tmp_path)
    with pytest.raises(UnknownScenario, match="no scenario 99"):
        scenario_detail(campus, 99)
    with pytest.raises(UnknownScenario):
        compare_scenarios(campus, [99])
    with pytest.raises(BadInput, match="time limit"):
        run_scenario(campus, close_and_merge(org["high"]), "WZ01", time_limit_s=0)
    bad = parse_scenario({"changes": [{"kind": "merge", "departments": ["A", "Z"]}]})
    with pytest.raises(InvalidScenario, match=r"changes\[0\]\.departments\[1\]: no department"):
        run_scenario(campus, bad, "WZ01", time_limit_s=3)
    assert list_scenarios(campus) == []
