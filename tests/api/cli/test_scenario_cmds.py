"""`twin scenario run | list | show | compare | export | apply`, run as a user runs them."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from tests.campus_stores import copy_store, sample_store
from tests.planning_stores import close_and_merge, small_org
from tests.processes import run_twin
from twin.store import open_store


@pytest.fixture(scope="module")
def campus_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return sample_store(tmp_path_factory.mktemp("campus"), buildings=2)


def _toml(storey: str) -> str:
    """`close_and_merge` as a planner writes the file."""
    _, building, floor = storey.split("-")
    return f"""
name = "close and merge"

[[changes]]
kind = "close"
building = "{building}"
storey = "{floor}"

[[changes]]
kind = "merge"
departments = ["A", "B"]
into = "A"

[[changes]]
kind = "grow"
department = "A"
ranks = {{ division_chief = 1 }}
"""


def test_run_show_list_compare_export_apply(campus_db: Path, tmp_path: Path) -> None:
    db = copy_store(campus_db, tmp_path)
    engine = open_store(str(db))
    org = small_org(engine, tmp_path)
    engine.dispose()
    path = tmp_path / "scenario.toml"
    path.write_text(_toml(org["high"]), encoding="utf-8")

    ran = run_twin("scenario", "run", str(path), "--time-limit", "5", "--json", db=db)
    assert ran.returncode == 0, ran.stderr
    plan = json.loads(ran.stdout)
    assert plan["scenario"] == close_and_merge(org["high"]).to_dict()
    assert plan["status"] in ("OPTIMAL", "FEASIBLE") and plan["kpis_after"]["seated"] == 4
    number = str(plan["scenario_id"])

    shown = run_twin("scenario", "show", number, "--json", db=db)
    assert json.loads(shown.stdout)["moves"] == plan["moves"]
    human = run_twin("scenario", "show", number, db=db)
    assert human.returncode == 0 and "m² over standard" in human.stdout and "Q1" in human.stdout
    listed = json.loads(run_twin("scenario", "list", "--json", db=db).stdout)
    assert [item["scenario_id"] for item in listed] == [plan["scenario_id"]]
    side = json.loads(run_twin("scenario", "compare", number, "--json", db=db).stdout)
    assert side[0]["kpis_after"] == plan["kpis_after"]

    target = tmp_path / "moves.csv"
    exported = run_twin("scenario", "export", number, str(target), db=db)
    assert exported.returncode == 0 and f"wrote {len(plan['moves'])} moves" in exported.stdout
    with target.open(encoding="utf-8") as stream:
        assert list(csv.DictReader(stream)) == plan["moves"]

    applied = run_twin("scenario", "apply", number, "--why", "renovation", "--json", db=db)
    assert applied.returncode == 0, applied.stderr
    assert json.loads(applied.stdout)["lifecycle_events"] >= 1
    again = run_twin("scenario", "apply", number, "--why", "again", db=db)
    assert again.returncode == 2 and "was applied on" in again.stderr


def test_bad_files_and_ids_are_one_line_errors(campus_db: Path, tmp_path: Path) -> None:
    db = copy_store(campus_db, tmp_path)
    engine = open_store(str(db))
    small_org(engine, tmp_path)
    engine.dispose()
    bad = tmp_path / "bad.toml"
    bad.write_text('[[changes]]\nkind = "grow"\ndepartment = "A"\n', encoding="utf-8")
    refused = run_twin("scenario", "run", str(bad), db=db)
    assert refused.returncode == 2
    assert "changes[0].ranks: must map ranks to counts" in refused.stderr
    assert "Traceback" not in refused.stderr
    missing = run_twin("scenario", "show", "42", db=db)
    assert missing.returncode == 2 and "no scenario 42" in missing.stderr
    nofile = run_twin("scenario", "run", str(tmp_path / "nope.toml"), db=db)
    assert nofile.returncode == 2 and "cannot read" in nofile.stderr
