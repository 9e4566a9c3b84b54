"""The sample organisation on the sample campus: every warning kind turns up, seeded."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine

from models.errors import BadInput
from tests.campus_stores import copy_store, sample_store
from twin.planning.checks import planning_warnings
from twin.planning.directory import list_departments, list_staff
from twin.planning.load import load_planning_state
from twin.planning.org import put_department
from twin.planning.sample_org import write_sample_org
from twin.planning.scenario import load_scenario
from twin.planning.solver import solve
from twin.rooms import list_rooms
from twin.store import open_store


def test_sample_org_raises_every_kind_of_warning(campus: Engine) -> None:
    written = write_sample_org(campus, "wz01", seed=3, today=date(2026, 11, 1))
    staff = list_staff(campus)
    assert written["staff"] == len(staff) > 50
    assert written["departments"] == len(list_departments(campus)) == 14
    state = load_planning_state(campus, "WZ01")
    assert {p.rank for p in state.staff} <= set(state.allowance_m2)
    seated = [(p.room_code, p.rank) for p in state.staff if p.room_code is not None]
    assert written["seated"] == len(seated)
    # Nobody sits in a room smaller than their allowance.
    areas = {r.room_code: r.area_m2 for r in state.rooms}
    per_room = Counter(room for room, _ in seated)
    for room, rank in seated:
        assert areas[room] >= state.allowance(rank) * per_room[room]
    found = planning_warnings(campus, "WZ01", today=date(2026, 11, 1))
    kinds = Counter(w["kind"] for w in found)
    assert set(kinds) == {
        "over_standard",
        "idle",
        "lease_ending",
        "rent_overdue",
        "department_over_entitlement",
    }
    assert kinds["lease_ending"] == 2 and kinds["rent_overdue"] == 1
    standing = Counter(r["area_standard"] for r in list_rooms(campus, usage="office"))
    assert standing["within"] > 0 and standing["over"] > 0 and standing["idle"] > 0
    assert standing["idle"] == kinds["idle"] == written["idle_offices"]
    # Only one kind, and the same seed gives the same organisation.
    assert {w["kind"] for w in planning_warnings(campus, kinds=["rent_overdue"])} == {
        "rent_overdue"
    }
    # Again on the same campus: nothing written (make demo may run twice).
    again = write_sample_org(campus, "WZ01")
    assert again["already_loaded"] and len(list_staff(campus)) == written["staff"]
    put_department(campus, "EXTRA", {"name": "Extra"})
    with pytest.raises(BadInput, match="already has departments"):
        write_sample_org(campus, "WZ01")


def _org_of(campus_db: Path, folder: Path, seed: int) -> list[tuple[str, str, str | None]]:
    folder.mkdir()
    engine = open_store(str(copy_store(campus_db, folder)))
    write_sample_org(engine, seed=seed, today=date(2026, 11, 1))
    people = [(p["staff_id"], p["name"], p["room_code"]) for p in list_staff(engine)]
    engine.dispose()
    return people


def test_the_seed_decides_the_organisation(campus_db: Path, tmp_path: Path) -> None:
    first = _org_of(campus_db, tmp_path / "a", 5)
    assert first == _org_of(campus_db, tmp_path / "b", 5)
    assert first != _org_of(campus_db, tmp_path / "c", 6)


def test_an_unknown_site_is_bad_input(campus: Engine) -> None:
    with pytest.raises(BadInput, match="unknown site 'XX99'"):
        write_sample_org(campus, "XX99")


SAMPLE_SCENARIO = Path(__file__).parents[3] / "twin/planning/samples/grow-and-close.toml"


def test_the_sample_scenario_seats_everyone_on_the_demo_campus(tmp_path: Path) -> None:
    """`make demo`'s campus (three buildings) and organisation, and its sample scenario."""
    engine = open_store(str(sample_store(tmp_path, buildings=3)))
    try:
        write_sample_org(engine, "WZ01", seed=1, today=date(2026, 11, 1))
        state = load_planning_state(engine, "WZ01")
        # Room to spare: today's staff need well under the offices' desks.
        desks = sum(room.capacity for room in state.rooms if room.available)
        assert len(state.staff) < 0.7 * desks
        result = solve(state, load_scenario(SAMPLE_SCENARIO), time_limit_s=20)
    finally:
        engine.dispose()
    assert result.status in ("OPTIMAL", "FEASIBLE"), [s.message for s in result.shortages]
    assert result.shortages == [] and result.cost.unseated == 0
    assert result.kpis_after.seated == len(state.staff) + 7  # FIN grows by seven
    closed = set(result.rooms_closed)
    assert closed and not closed & set(result.assignment.values())
    assert result.gap is not None and 0 <= result.gap < 1
