"""Hidden services of a room, checked against the sample generator's answer file and plan.

The answer file says which segment runs through which room and where; the plan says
where each run and each room is, from which the crew positions (height above the
floor, distance from walls, which wall, depth, room behind) are worked out here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, update

from models.errors import BadInput, InvalidRoomCode, UnknownRoomCode
from tests.campus_stores import copy_store, imported_store
from tests.maintenance_sample import (
    SampleCampus,
    expected_slab_position,
    expected_wall_position,
)
from twin.maintenance.hidden import (
    hidden_services,
    hidden_services_of_building,
    parse_where,
)
from twin.store import open_store
from twin.store import schema as t

HIDDEN = ("ceiling", "floor", "wall")


@pytest.fixture(scope="module")
def answers_by_room(engine: Engine, campus: SampleCampus) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for building in ("WZ01-B01", "WZ01-B02", "WZ01-B03"):
        found.update(hidden_services_of_building(engine, building))
    return found


def test_every_hidden_passage_of_the_answer_file_is_listed_and_nothing_else(
    campus: SampleCampus, answers_by_room: dict[str, dict[str, Any]]
) -> None:
    expected = {
        (campus.element_id_of_gid[segment], campus.room_code_of_gid[p["room"]], p["where"])
        for segment, passages in campus.answers["segments"].items()
        for p in passages
        if p["where"] in HIDDEN
    }
    listed = {
        (s["element_id"], code, s["where"])
        for code, answer in answers_by_room.items()
        for s in answer["services"]
    }
    assert len(expected) > 500
    assert listed == expected
    assert {where for _, _, where in listed} == set(HIDDEN)


def test_ceiling_and_floor_positions_match_the_plan(
    campus: SampleCampus, answers_by_room: dict[str, dict[str, Any]]
) -> None:
    checked = 0
    for element in campus.segments():
        element_id = campus.element_id(element)
        for room, _storey in (
            campus.room(code)
            for code in _rooms_of(answers_by_room, element_id, ("ceiling", "floor"))
        ):
            code = campus.room_code(room)
            for service in answers_by_room[code]["services"]:
                if service["element_id"] != element_id or service["where"] == "wall":
                    continue
                expected = expected_slab_position(element, room, service["where"])
                assert expected is not None
                height, walls = expected
                position = service["position"]
                assert position["height_above_floor_m"] == pytest.approx(height, abs=0.005)
                reported = {w["wall"]: w["distance_m"] for w in position["walls"]}
                assert len(reported) == 2
                for direction, distance in reported.items():
                    assert distance == pytest.approx(walls[direction], abs=0.005), (
                        code,
                        element_id,
                    )
                # The two reported are the two nearest walls of the room.
                assert sorted(reported.values()) == pytest.approx(
                    sorted(walls.values())[:2], abs=0.005
                )
                checked += 1
    assert checked > 400


def test_wall_positions_match_the_plan(
    campus: SampleCampus, answers_by_room: dict[str, dict[str, Any]]
) -> None:
    checked = behind_a_room = 0
    for element in campus.segments():
        element_id = campus.element_id(element)
        for code in _rooms_of(answers_by_room, element_id, ("wall",)):
            room, storey = campus.room(code)
            service = next(
                s
                for s in answers_by_room[code]["services"]
                if s["element_id"] == element_id and s["where"] == "wall"
            )
            expected = expected_wall_position(element, room, storey, campus.room_code)
            assert expected is not None
            position = service["position"]
            assert position["wall"] == expected["wall"], (code, element_id)
            assert position["depth_behind_face_m"] == pytest.approx(
                expected["depth_behind_face_m"], abs=0.005
            )
            assert position["height_above_floor_m"] == pytest.approx(
                expected["height_above_floor_m"], abs=0.005
            )
            assert position["from_wall_end"]["distance_m"] == pytest.approx(
                expected["distance_from_end_m"], abs=0.005
            )
            if abs(expected["distance_from_end_m"] * 2 - position["wall_length_m"]) > 0.01:
                assert position["from_wall_end"]["end"] == expected["end"]
            assert position["room_behind"] == expected["room_behind"]
            behind_a_room += expected["room_behind"] is not None
            checked += 1
    assert checked > 100
    assert behind_a_room > 100


def _rooms_of(
    answers_by_room: dict[str, dict[str, Any]], element_id: str, zones: tuple[str, ...]
) -> list[str]:
    return sorted(
        code
        for code, answer in answers_by_room.items()
        if any(s["element_id"] == element_id and s["where"] in zones for s in answer["services"])
    )


def test_one_room_answers_like_the_batch_and_filters_by_where(
    engine: Engine, answers_by_room: dict[str, dict[str, Any]]
) -> None:
    code = next(
        code
        for code, answer in answers_by_room.items()
        if {s["where"] for s in answer["services"]} == set(HIDDEN)
    )
    assert hidden_services(engine, code.lower()) == answers_by_room[code]
    only_walls = hidden_services(engine, code, "wall")
    assert only_walls["where"] == ["wall"]
    assert only_walls["services"] == [
        s for s in answers_by_room[code]["services"] if s["where"] == "wall"
    ]
    answer = answers_by_room[code]
    assert answer["models"] == [
        {"file_name": "campus.ifc", "imported_at": answer["models"][0]["imported_at"]}
    ]
    assert answer["models"][0]["imported_at"]
    assert "as designed" in answer["notice"] and "not as built" in answer["notice"]
    assert answer["compass"]["true_north_deg"] is None
    assert "+Y is north" in answer["compass"]["convention"]


def test_services_are_described_with_system_medium_and_diameter(
    answers_by_room: dict[str, dict[str, Any]],
) -> None:
    services = [s for answer in answers_by_room.values() for s in answer["services"]]
    systems = {s["system"] for s in services}
    assert {"Domestic cold water", "Heating supply", "Drainage", "Electrical"} <= systems
    assert {"cold water", "heating", "drainage", "sprinkler", "power"} <= {
        s["medium"] for s in services
    }
    assert all(s["outer_diameter_m"] and s["outer_diameter_m"] > 0 for s in services)


def test_true_north_turns_the_compass(tmp_path: Path, campus: SampleCampus) -> None:
    engine = open_store(str(copy_store(campus.db, tmp_path)))
    try:
        code = campus.room_code(campus.room_of_kind(0, 1, "toilet"))
        before = hidden_services(engine, code)
        with engine.begin() as conn:
            # North lies 90° anticlockwise from +Y, i.e. along -X: +Y now points east.
            conn.execute(update(t.sites).values(true_north_deg=90.0))
        after = hidden_services(engine, code)
    finally:
        engine.dispose()
    turn = {"north": "east", "east": "south", "south": "west", "west": "north"}
    assert [turn[w["wall"]] for w in before["walls"]] == [w["wall"] for w in after["walls"]]
    assert "true north from the site model" in after["compass"]["convention"]
    for old, new in zip(before["services"], after["services"], strict=True):
        if old["where"] == "wall":
            assert new["position"]["wall"] == turn[old["position"]["wall"]]


def test_mistyped_and_unknown_codes_and_bad_where(engine: Engine, campus: SampleCampus) -> None:
    code = campus.room_code(campus.room_of_kind(0, 1, "toilet"))
    wrong_check = code[:-1] + ("A" if code[-1] != "A" else "B")
    with pytest.raises(InvalidRoomCode, match="check character"):
        hidden_services(engine, wrong_check)
    number = int(code.split("-")[-1][:3])
    unknown = _valid_code(code.rsplit("-", 1)[0], 999 if number != 999 else 998)
    with pytest.raises(UnknownRoomCode) as raised:
        hidden_services(engine, unknown)
    assert raised.value.closest
    with pytest.raises(BadInput, match="ceiling, floor, wall or all"):
        parse_where("roof")
    assert parse_where(None) == HIDDEN


def _valid_code(storey_code: str, number: int) -> str:
    from models.codes import RoomCode

    site, building, storey = storey_code.split("-")
    return str(RoomCode.make(site, building, storey, number))


def test_hidden_pipes_in_the_real_heating_model(tmp_path: Path) -> None:
    """The bim2sim heating model: pipes in the floor where runs_through says, positioned."""
    db = imported_store(tmp_path, {"HT01": ["b03_heating_with_building_blenderBIM.ifc"]})
    engine = open_store(str(db))
    try:
        batch = hidden_services_of_building(engine, "HT01-B01")
        with engine.connect() as conn:
            from sqlalchemy import select

            stored = {
                (row.element_id, row.room_code, row.where)
                for row in conn.execute(
                    select(t.runs_through).where(t.runs_through.c.where.in_(HIDDEN))
                )
            }
    finally:
        engine.dispose()
    listed = {
        (s["element_id"], code, s["where"])
        for code, answer in batch.items()
        for s in answer["services"]
    }
    assert stored and listed == stored
    for answer in batch.values():
        for service in answer["services"]:
            position = service["position"]
            assert position is not None
            if service["where"] == "floor":
                assert -0.5 < position["height_above_floor_m"] <= 0.0
            assert len(position["walls"]) == 2
            assert all(w["distance_m"] >= -0.01 for w in position["walls"])
        assert answer["models"][0]["file_name"] == "b03_heating_with_building_blenderBIM.ifc"
