"""`load_planning_state`: the store read into the records the checks and the solver share."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from models.errors import BadInput
from twin.planning.load import default_capacity, load_planning_state
from twin.planning.org import import_org_files, set_site_level
from twin.rooms import list_rooms, set_room


def test_state_holds_offices_departments_staff_and_the_standard(
    campus: Engine, tmp_path: Path
) -> None:
    set_site_level(campus, "WZ01", "provincial")
    offices = list_rooms(campus, usage="office")
    first, second = offices[0]["room_code"], offices[-1]["room_code"]
    set_room(campus, second, {"capacity": 7})
    (tmp_path / "departments.csv").write_text("department_code,name,parent_code\nA,A,\nB,B,A\n")
    (tmp_path / "allocations.csv").write_text(f"room_code,department_code\n{first},B\n")
    (tmp_path / "staff.csv").write_text(
        f"staff_id,name,rank,department_code,room_code\nP1,P,governor,B,{first}\nP2,Q,below_division,A,\n"
    )
    import_org_files(campus, [tmp_path])
    state = load_planning_state(campus, "wz01")
    assert state.level == "provincial" and state.site_code == "WZ01"
    assert state.allowance("governor") == 54
    assert [d.code for d in state.departments] == ["A", "B"]
    assert state.departments[1].parent == "A"
    assert [(p.staff_id, p.rank, p.room_code) for p in state.staff] == [
        ("P1", "governor", first),
        ("P2", "below_division", None),
    ]
    rooms = {room.room_code: room for room in state.rooms}
    assert set(rooms) == {room["room_code"] for room in offices}
    assert rooms[first].department == "B"
    assert rooms[second].capacity == 7
    assert rooms[first].capacity == default_capacity(rooms[first].area_m2, state.allowance_m2)
    assert rooms[first].area_m2 == offices[0]["net_floor_area_m2"]
    # Storeys count from the bottom of each building.
    by_storey = {room.storey_code: room.storey_index for room in state.rooms}
    for code, index in by_storey.items():
        assert index == int(code[-2:]) - 1
    assert state.rooms == load_planning_state(campus, None).rooms


def test_capacity_is_the_area_over_the_smallest_allowance() -> None:
    assert default_capacity(18.0, {"a": 9.0, "b": 24.0}) == 2
    assert default_capacity(17.9, {"a": 9.0}) == 1
    assert default_capacity(4.0, {"a": 9.0}) == 1


def test_a_site_without_a_level_or_an_unknown_site_is_bad_input(campus: Engine) -> None:
    with pytest.raises(BadInput, match="no standards level set for WZ01"):
        load_planning_state(campus, "WZ01")
    with pytest.raises(BadInput, match="unknown site 'WZ09'"):
        load_planning_state(campus, "WZ09")
