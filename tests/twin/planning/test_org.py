"""Changes to the organisation: single edits through the same checks, levels, moves."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select

from models.errors import BadInput, BadRows, UnknownDepartment, UnknownStaff
from tests.twin.planning.conftest import offices
from twin.planning.directory import department_detail, site_standards_info, staff_detail
from twin.planning.lifecycle import room_lifecycle
from twin.planning.org import (
    allocate_room,
    move_staff,
    put_department,
    put_staff,
    remove_staff,
    set_site_level,
)
from twin.rooms import room_detail
from twin.store import schema as t


def test_single_edits_go_through_the_same_checks(org: Engine) -> None:
    rooms = offices(org)
    put_department(org, "hr", {"name": "Human resources", "parent_code": "GOV"})
    moved = put_staff(
        org,
        "S003",
        {
            "name": "Zhao Min",
            "rank": "bureau_chief",
            "department_code": "HR",
            "room_code": rooms[3],
        },
    )
    assert (moved["department_code"], moved["room_code"], moved["allowance_m2"]) == (
        "HR",
        rooms[3],
        24.0,
    )
    with pytest.raises(BadInput, match="unknown rank 'minister' for the municipal level"):
        put_staff(org, "S003", {"name": "Z", "rank": "minister", "department_code": "HR"})
    with pytest.raises(BadInput, match="unknown parent department 'NOPE'"):
        put_department(org, "HR", {"name": "HR", "parent_code": "NOPE"})
    assert allocate_room(org, rooms[3].lower(), "hr") == {
        "room_code": rooms[3],
        "department_code": "HR",
    }
    allocate_room(org, rooms[3], None)
    assert room_detail(org, rooms[3])["department"] is None
    remove_staff(org, "S003")
    with pytest.raises(UnknownStaff, match="unknown staff id 'S003'"):
        staff_detail(org, "S003")
    with pytest.raises(UnknownDepartment, match="closest: FIN"):
        department_detail(org, "FNI")
    with org.connect() as conn:
        kinds = conn.execute(select(t.org_events.c.kind).order_by(t.org_events.c.event_id))
        assert list(kinds.scalars())[-4:] == ["staff", "allocation", "allocation", "staff_removed"]


def test_changing_the_level_keeps_staff_ranks_valid(org: Engine) -> None:
    with pytest.raises(BadInput, match="ranks the county level lacks: below_bureau, mayor"):
        set_site_level(org, "WZ01", "county")
    assert site_standards_info(org, "WZ01")["level"] == "municipal"
    own = (
        "[levels.county.ranks.mayor]\narea_m2 = 30\n"
        "[levels.county.ranks.below_bureau]\narea_m2 = 9\n"
    )
    info = set_site_level(org, "wz01", "county", standards_toml=own)
    assert info["level"] == "county" and info["own_standards"]
    assert {r["rank"]: r["area_m2"] for r in info["ranks"]}["mayor"] == 30
    with pytest.raises(BadInput, match="unknown site 'XX01'"):
        set_site_level(org, "XX01", "county")


def test_moves_are_checked_whole_then_written_with_occupancy_events(org: Engine) -> None:
    rooms = offices(org)
    before = staff_detail(org, "S002")["room_code"]
    target = rooms[4]
    with pytest.raises(BadRows) as caught:
        move_staff(org, {"S002": target, "S999": target, "S003": "WZ01-B01-F01-0000"}, "p", "w")
    text = "\n".join(caught.value.problems)
    assert "S999: unknown staff id 'S999'" in text
    assert "S003: invalid room code" in text
    assert staff_detail(org, "S002")["room_code"] == before
    done = move_staff(org, {"s002": target, "S003": target, "S001": rooms[0]}, "planner", "plan A")
    assert done == {"moved": 2, "unchanged": 1}
    assert staff_detail(org, "S002")["room_code"] == target
    (arrival,) = room_lifecycle(org, target)["events"]
    assert arrival["event"] == "occupancy" and arrival["why"] == "plan A"
    assert arrival["fields"] == {"arrived": ["S002", "S003"], "left": []}
    (departure,) = room_lifecycle(org, before)["events"]
    assert departure["fields"] == {"arrived": [], "left": ["S002"]}
    with pytest.raises(BadInput, match="needs who"):
        move_staff(org, {"S002": None}, "", "x")
