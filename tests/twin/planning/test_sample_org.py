"""The sample organisation on the sample campus: every warning kind turns up, seeded."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine

from models.errors import BadInput
from tests.campus_stores import copy_store
from twin.planning.checks import planning_warnings
from twin.planning.load import load_planning_state
from twin.planning.org import list_departments, list_staff
from twin.planning.sample_org import write_sample_org
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
