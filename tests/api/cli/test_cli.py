"""The `twin` command as a user runs it: exit codes, one-line errors, JSON only with --json."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from models.codes import RoomCode
from tests.processes import run_twin as twin


def test_rooms_json_is_an_array_with_api_keys(duplex_db: Path) -> None:
    result = twin("rooms", "--json", "--storey", "F02", db=duplex_db)
    assert result.returncode == 0, result.stderr
    rooms = json.loads(result.stdout)
    assert isinstance(rooms, list) and rooms
    assert {
        "room_code",
        "site_code",
        "building_code",
        "storey_code",
        "usage",
        "net_floor_area_m2",
    } <= set(rooms[0])
    assert all(room["storey"] == "F02" for room in rooms)


def test_room_json_is_one_object(duplex_db: Path) -> None:
    code = json.loads(twin("rooms", "--json", db=duplex_db).stdout)[0]["room_code"]
    result = twin("room", code, "--json", db=duplex_db)
    assert result.returncode == 0, result.stderr
    room = json.loads(result.stdout)
    assert room["room_code"] == code
    assert room["global_id"] and room["source_file"] == "duplex.ifc"
    assert isinstance(room["neighbours"], list) and room["neighbours"]


def test_wrong_check_character_exits_2_with_one_line(duplex_db: Path) -> None:
    code = json.loads(twin("rooms", "--json", db=duplex_db).stdout)[0]["room_code"]
    check = code[-1]
    typo = code[:-1] + ("A" if check != "A" else "B")
    result = twin("room", typo, db=duplex_db)
    assert result.returncode == 2
    assert "invalid room code" in result.stderr and "(check character)" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stdout == ""


def test_unknown_valid_code_names_the_closest(duplex_db: Path) -> None:
    unknown = str(RoomCode.make("DX01", "B01", "F01", 99))
    result = twin("room", unknown, db=duplex_db)
    assert result.returncode == 2
    assert f"unknown room code {unknown}" in result.stderr
    assert "closest: DX01-B01-F01-" in result.stderr


def test_set_room_then_filter_by_usage(duplex_db: Path) -> None:
    code = json.loads(twin("rooms", "--json", "--storey", "F01", db=duplex_db).stdout)[0][
        "room_code"
    ]
    result = twin(
        "set", "room", code, "--usage", "meeting", "--capacity", "8", "--json", db=duplex_db
    )
    assert result.returncode == 0, result.stderr
    meeting = json.loads(twin("rooms", "--json", "--usage", "meeting", db=duplex_db).stdout)
    assert [room["room_code"] for room in meeting] == [code]
    bad = twin("set", "room", code, "--usage", "ballroom", db=duplex_db)
    assert bad.returncode == 2 and "unknown usage 'ballroom'" in bad.stderr


def test_info_json(duplex_db: Path) -> None:
    info = json.loads(twin("info", "--json", db=duplex_db).stdout)
    assert info == [
        {
            **info[0],
            "site_code": "DX01",
            "building_code": "DX01-B01",
            "storeys": 4,
            "rooms": 21,
        }
    ]


def test_unknown_building_is_bad_input(duplex_db: Path) -> None:
    result = twin("rooms", "--building", "DX01-B09", db=duplex_db)
    assert result.returncode == 2
    assert "unknown building 'DX01-B09'" in result.stderr


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file"),
        ("hello", "not an IFC file"),
    ],
)
def test_import_of_bad_files_exits_2_and_names_the_file(
    tmp_path: Path, content: str | None, message: str
) -> None:
    path = tmp_path / "bad.ifc"
    if content is not None:
        path.write_text(content)
    result = twin("import", str(path), db=tmp_path / "twin.db")
    assert result.returncode == 2
    assert "bad.ifc" in result.stderr and message in result.stderr
    assert "Traceback" not in result.stderr


def test_broken_shared_file_exits_2(tmp_path: Path, shared_ifc: Path) -> None:
    result = twin("import", str(shared_ifc / "errorfile.ifc"), db=tmp_path / "twin.db")
    assert result.returncode == 2
    assert "errorfile.ifc: no IfcBuilding" in result.stderr


@pytest.mark.parametrize("count", ["0", "500"])
def test_sample_with_an_impossible_building_count_is_bad_input(tmp_path: Path, count: str) -> None:
    result = twin("sample", str(tmp_path / "campus.ifc"), "--buildings", count)
    assert result.returncode == 2, result.stderr
    assert "--buildings" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "campus.ifc").exists()
