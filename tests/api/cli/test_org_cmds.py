"""`twin org …`, `twin warnings` and `twin lifecycle`, run as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.campus_stores import copy_store, sample_store
from tests.processes import run_twin
from twin.rooms import list_rooms
from twin.store import open_store


@pytest.fixture(scope="module")
def campus_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return sample_store(tmp_path_factory.mktemp("campus"), buildings=2)


@pytest.fixture
def db(campus_db: Path, tmp_path: Path) -> Path:
    return copy_store(campus_db, tmp_path)


def test_import_refuses_a_file_with_bad_rows_then_takes_it_fixed(db: Path, tmp_path: Path) -> None:
    assert run_twin("org", "level", "WZ01", "municipal", db=db).returncode == 0
    office = list_rooms(open_store(str(db)), usage="office")[0]["room_code"]
    folder = tmp_path / "org"
    folder.mkdir()
    (folder / "departments.csv").write_text(
        "department_code,name,parent_code\nA,Alpha,\nB,Beta,A\n"
    )
    staff = folder / "staff.csv"
    staff.write_text(
        "staff_id,name,rank,department_code,room_code\n"
        f"P1,Li,below_bureau,B,{office}\n"
        "P2,Wu,sergeant,B,\n"
        "P3,Ma,below_bureau,C,\n"
    )
    refused = run_twin("org", "import", str(folder), db=db)
    assert refused.returncode == 2
    assert "staff.csv:line 3: unknown rank 'sergeant'" in refused.stderr
    assert "staff.csv:line 4: unknown department 'C'" in refused.stderr
    assert "Traceback" not in refused.stderr
    listed = run_twin("org", "departments", "--json", db=db)
    assert json.loads(listed.stdout) == []
    staff.write_text(
        f"staff_id,name,rank,department_code,room_code\nP1,Li,below_bureau,B,{office}\n"
    )
    done = run_twin("org", "import", str(folder), "--json", db=db)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"departments": 2, "allocations": 0, "staff": 1}
    people = json.loads(run_twin("org", "staff", "--department", "b", "--json", db=db).stdout)
    assert [(p["staff_id"], p["room_code"]) for p in people] == [("P1", office)]


def test_level_shows_and_refuses_an_unknown_level(db: Path) -> None:
    shown = json.loads(run_twin("org", "level", "WZ01", "--json", db=db).stdout)
    assert shown["level"] is None
    bad = run_twin("org", "level", "WZ01", "city", db=db)
    assert bad.returncode == 2 and "unknown standards level 'city'" in bad.stderr


def test_sample_then_warnings_and_lifecycle(db: Path) -> None:
    sample = run_twin("org", "sample", "--json", db=db)
    assert sample.returncode == 0, sample.stderr
    assert json.loads(sample.stdout)["level"] == "municipal"
    result = run_twin("warnings", "--json", "--site", "WZ01", db=db)
    warnings = json.loads(result.stdout)
    assert {w["kind"] for w in warnings} == {
        "over_standard",
        "idle",
        "lease_ending",
        "rent_overdue",
        "department_over_entitlement",
    }
    assert all(set(w) == {"kind", "code", "message", "figures"} for w in warnings)
    overdue = json.loads(run_twin("warnings", "--kind", "rent_overdue", "--json", db=db).stdout)
    (room,) = [w["code"] for w in overdue]
    paid = run_twin(
        "lifecycle",
        room,
        "rent_paid",
        "--paid-until",
        "2099-12-31",
        "--why",
        "paid",
        "--by",
        "clerk",
        "--json",
        db=db,
    )
    assert paid.returncode == 0, paid.stderr
    assert json.loads(paid.stdout)["events"][-1]["by"] == "clerk"
    assert json.loads(run_twin("warnings", "--kind", "rent_overdue", "--json", db=db).stdout) == []
    bad = run_twin(
        "lifecycle",
        room,
        "lease",
        "--lease-start",
        "2026-05-01",
        "--lease-end",
        "2026-04-01",
        "--rent",
        "10",
        "--why",
        "x",
        db=db,
    )
    assert bad.returncode == 2
    assert bad.stderr.strip().splitlines() == [
        "error: the lease ends (2026-04-01) before it starts (2026-05-01)"
    ]
    no_reason = run_twin("lifecycle", room, "maintenance", "--description", "x", db=db)
    assert no_reason.returncode == 2 and "a reason is needed" in no_reason.stderr
    history = json.loads(run_twin("lifecycle", room, "--json", db=db).stdout)
    assert [e["event"] for e in history["events"]] == ["lease", "rent_paid"]
    typo = run_twin("warnings", "--kind", "idel", db=db)
    assert typo.returncode == 2 and "unknown warning kind 'idel'" in typo.stderr
