"""Departments, staff and allocations: CSV import checked whole, single edits, reads."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from models.codes import RoomCode
from models.errors import BadInput, BadRows, UnknownDepartment, UnknownStaff
from twin.planning.org import (
    allocate_room,
    department_detail,
    import_org_files,
    list_departments,
    list_staff,
    put_department,
    put_staff,
    remove_staff,
    set_site_level,
    site_standards_info,
    staff_detail,
)
from twin.rooms import list_rooms, room_detail
from twin.store import schema as t

DEPARTMENTS = """department_code,name,parent_code
GOV,Mayor's office,
fin,Finance bureau,GOV
FIN-TAX,Tax division,FIN
"""


def offices(engine: Engine) -> list[str]:
    return [room["room_code"] for room in list_rooms(engine, usage="office")]


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def count(engine: Engine, table: object) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]


@pytest.fixture
def org(campus: Engine, tmp_path: Path) -> Engine:
    set_site_level(campus, "WZ01", "municipal")
    rooms = offices(campus)
    write(tmp_path, "departments.csv", DEPARTMENTS)
    write(
        tmp_path,
        "staff.csv",
        "staff_id,name,rank,department_code,room_code\n"
        f"S001,Chen Li,mayor,GOV,{rooms[0]}\n"
        f"S002,Wang Fang,Below Bureau,FIN,{rooms[1].lower()}\n"
        "S003,Zhao Min,below_bureau,FIN-TAX,\n",
    )
    write(tmp_path, "allocations.csv", f"room_code,department_code\n{rooms[1]},FIN\n")
    assert import_org_files(campus, [tmp_path]) == {"departments": 3, "allocations": 1, "staff": 3}
    return campus


def test_a_folder_imports_departments_allocations_and_staff(org: Engine) -> None:
    rooms = offices(org)
    departments = {d["department_code"]: d for d in list_departments(org)}
    assert departments["FIN"]["parent_code"] == "GOV"
    assert departments["FIN"]["staff"] == 1
    assert departments["FIN"]["rooms"] == [rooms[1]]
    assert [s["staff_id"] for s in list_staff(org, department_code="fin")] == ["S002"]
    person = staff_detail(org, "s002")
    assert (person["rank"], person["room_code"], person["allowance_m2"]) == (
        "below_bureau",
        rooms[1],
        9.0,
    )
    assert room_detail(org, rooms[1])["department"] == "FIN"
    assert department_detail(org, "GOV")["units"] == ["FIN"]


def test_every_bad_row_is_reported_by_line_and_nothing_is_imported(
    org: Engine, tmp_path: Path
) -> None:
    rooms = offices(org)
    good = RoomCode.parse(rooms[2])
    mistyped = f"{str(good)[:-1]}{'A' if str(good)[-1] != 'A' else 'B'}"
    meeting = next(r["room_code"] for r in list_rooms(org, usage="meeting"))
    path = write(
        tmp_path,
        "more-staff.csv",
        "staff_id,name,rank,department_code,room_code\n"
        f"S010,Good Row,below_bureau,FIN,{rooms[2]}\n"
        "S011,Bad Rank,captain,FIN,\n"
        "S012,Bad Dept,below_bureau,FNI,\n"
        f"S013,Bad Room,below_bureau,FIN,{mistyped}\n"
        "S014,Too,many,fields,,x\n"
        f"S015,Meeting,below_bureau,FIN,{meeting}\n"
        "S010,Twice,below_bureau,FIN,\n",
    )
    before = count(org, t.staff)
    with pytest.raises(BadRows) as caught:
        import_org_files(org, [path], kind="staff")
    problems = caught.value.problems
    assert problems[0].startswith("more-staff.csv:line 6: 6 fields")
    assert len(problems) == 1  # a malformed file stops before any row is checked
    fixed = path.read_text().replace("S014,Too,many,fields,,x\n", "")
    path.write_text(fixed)
    with pytest.raises(BadRows) as caught:
        import_org_files(org, [path], kind="staff")
    text = "\n".join(caught.value.problems)
    assert "line 3: unknown rank 'captain' for the municipal level" in text
    assert "line 4: unknown department 'FNI'; closest: FIN" in text
    assert f"line 5: invalid room code '{mistyped}'" in text
    assert f"line 6: room {meeting} is a meeting room, not an office" in text
    assert "line 7: S010 appears twice (also more-staff.csv:line 2)" in text
    assert len(caught.value.problems) == 5
    assert count(org, t.staff) == before
    assert staff_detail(org, "S003")["room_code"] is None


def test_a_bad_header_or_a_missing_value_names_the_line(campus: Engine, tmp_path: Path) -> None:
    header = write(tmp_path, "departments.csv", "code,name\nA,B\n")
    with pytest.raises(BadRows, match="line 1: header missing department_code; unknown code"):
        import_org_files(campus, [header])
    empty = write(tmp_path, "departments.csv", "department_code,name\nA,\n")
    with pytest.raises(BadRows, match="line 2: name empty"):
        import_org_files(campus, [empty])
    unnamed = write(tmp_path, "people.csv", "department_code,name\nA,B\n")
    with pytest.raises(BadInput, match="give --kind"):
        import_org_files(campus, [unnamed])


def test_staff_need_a_level_and_parents_cannot_loop(campus: Engine, tmp_path: Path) -> None:
    write(tmp_path, "departments.csv", "department_code,name,parent_code\nA,A,B\nB,B,A\n")
    with pytest.raises(BadRows, match="would be its own ancestor"):
        import_org_files(campus, [tmp_path])
    write(tmp_path, "departments.csv", "department_code,name,parent_code\nA,A,\nB,B,A\n")
    write(tmp_path, "staff.csv", "staff_id,name,rank,department_code\nP1,P,below_bureau,A\n")
    with pytest.raises(BadRows, match="site WZ01 has no standards level"):
        import_org_files(campus, [tmp_path])
    assert list_departments(campus) == []


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
