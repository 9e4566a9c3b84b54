"""`twin pipes ROOM` and `twin drill-check ROOM` as a user runs them, on the sample campus."""

from __future__ import annotations

import json

import pytest

from models.codes import RoomCode
from tests.maintenance_sample import SampleCampus
from tests.processes import run_twin as twin
from twin.maintenance.hidden import hidden_services
from twin.store import open_store


@pytest.fixture(scope="module")
def campus(tmp_path_factory: pytest.TempPathFactory) -> SampleCampus:
    return SampleCampus.build(tmp_path_factory.mktemp("cli-maintenance"), buildings=1)


def _drop(campus: SampleCampus) -> tuple[str, str, list[float]]:
    """The drop to a tap, the room west of its partition, the face point level with it."""
    drop, room, point = campus.drop_beside("west")
    return drop, campus.room_code(room), point


def test_pipes_json_is_the_api_object(campus: SampleCampus) -> None:
    drop, room, _ = _drop(campus)
    result = twin("pipes", room, "--json", db=campus.db)
    assert result.returncode == 0, result.stderr
    engine = open_store(str(campus.db))
    try:
        expected = json.loads(json.dumps(hidden_services(engine, room)))
    finally:
        engine.dispose()
    assert json.loads(result.stdout) == expected
    assert drop in {s["element_id"] for s in expected["services"]}


def test_pipes_text_names_positions_models_and_the_caveat(campus: SampleCampus) -> None:
    drop, room, _ = _drop(campus)
    result = twin("pipes", room, "--where", "wall", db=campus.db)
    assert result.returncode == 0, result.stderr
    assert drop in result.stdout
    assert "wall (behind it" in result.stdout
    assert "model campus.ifc imported" in result.stdout
    assert "not as built" in result.stdout
    assert "+Y is north" in result.stdout


def test_pipes_bad_input_exits_2_with_one_line(campus: SampleCampus) -> None:
    _, room, _ = _drop(campus)
    mistyped = room[:-1] + ("A" if room[-1] != "A" else "B")
    result = twin("pipes", mistyped, db=campus.db)
    assert result.returncode == 2
    assert "check character" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    unknown = str(RoomCode.make("WZ01", "B01", "F01", 999))
    result = twin("pipes", unknown, db=campus.db)
    assert result.returncode == 2 and "closest" in result.stderr
    result = twin("pipes", room, "--where", "roof", db=campus.db)
    assert result.returncode == 2 and "ceiling, floor, wall or all" in result.stderr


def test_drill_check_json_hits_the_drop(campus: SampleCampus) -> None:
    drop, room, (x, y, z) = _drop(campus)
    result = twin(
        "drill-check",
        room,
        "--point",
        f"{x},{y},{z}",
        "--direction",
        "1,0,0",
        "--depth",
        "0.1",
        "--json",
        db=campus.db,
    )
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["services"][0]["element_id"] == drop
    assert answer["models"][0]["file_name"] == "campus.ifc"
    assert "safe" not in result.stdout.lower()


def test_drill_check_text_says_no_modelled_service(campus: SampleCampus) -> None:
    office = campus.room_of_kind(0, 2, "office")
    cx, cy = office.rect.centre
    result = twin(
        "drill-check",
        campus.room_code(office),
        "--point",
        f"{cx},{cy},{office.floor_z_m}",
        "--direction",
        "0,0,-1",
        db=campus.db,
    )
    assert result.returncode == 0, result.stderr
    assert "no modelled service within clearance" in result.stdout
    assert "as designed" in result.stdout


def test_drill_check_bad_point_exits_2_naming_the_option(campus: SampleCampus) -> None:
    _, room, _ = _drop(campus)
    result = twin("drill-check", room, "--point", "1,2", "--direction", "1,0,0", db=campus.db)
    assert result.returncode == 2
    assert "--point must be three numbers" in result.stderr
    result = twin("drill-check", room, "--point", "1,2,3", "--direction", "0,0,0", db=campus.db)
    assert result.returncode == 2
    assert "direction must not be the zero vector" in result.stderr
