from __future__ import annotations

import pytest

from models.codes import (
    RoomCode,
    check_character,
    closest_codes,
    element_id,
    storey_codes_by_elevation,
)
from models.errors import InvalidRoomCode


def test_check_character_matches_the_standards_example() -> None:
    assert check_character("A12425GABC1234002") == "M"


def test_design_example_round_trips() -> None:
    code = RoomCode.parse("WZ01-B02-F03-017H")
    assert (code.site, code.building, code.storey, code.room_number) == ("WZ01", "B02", "F03", 17)
    assert str(code) == "WZ01-B02-F03-017H"
    assert code.building_code == "WZ01-B02"
    assert code.storey_code == "WZ01-B02-F03"


def test_every_single_character_typo_is_rejected() -> None:
    good = "WZ01-B02-F03-017H"
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    for position, original in enumerate(good):
        if original == "-":
            continue
        for replacement in alphabet:
            if replacement == original:
                continue
            typo = good[:position] + replacement + good[position + 1 :]
            with pytest.raises(InvalidRoomCode):
                RoomCode.parse(typo)


def test_swapped_neighbours_are_rejected() -> None:
    with pytest.raises(InvalidRoomCode, match="check character"):
        RoomCode.parse("WZ01-B02-F03-071H")


def test_lower_case_and_spaces_are_forgiven() -> None:
    assert str(RoomCode.parse("  wz01-b02-f03-017h ")) == "WZ01-B02-F03-017H"


@pytest.mark.parametrize(
    "text", ["", "WZ01-B02-F03", "WZ01B02F03017H", "W-B02-F03-017H", "WZ01-B2-F03-017H"]
)
def test_malformed_codes_say_what_form_is_expected(text: str) -> None:
    with pytest.raises(InvalidRoomCode, match="expected SITE-Bnn-STOREY-NNNC"):
        RoomCode.parse(text)


def test_basement_and_roof_storeys() -> None:
    basement = RoomCode.make("WZ01", "B03", "B1", 2)
    assert RoomCode.parse(str(basement)) == basement
    roof = RoomCode.make("WZ01", "B03", "RF", 1)
    assert RoomCode.parse(str(roof)) == roof


def test_make_refuses_bad_parts() -> None:
    with pytest.raises(InvalidRoomCode):
        RoomCode.make("wz", "B01", "F01", 1)
    with pytest.raises(InvalidRoomCode):
        RoomCode.make("WZ01", "B01", "F01", 1000)


def test_storey_codes_follow_elevation_from_the_storey_nearest_zero() -> None:
    assert storey_codes_by_elevation([3.6, 0.0, -4.0, 7.2, -8.0]) == [
        "F02",
        "F01",
        "B1",
        "F03",
        "B2",
    ]
    # a model whose ground floor sits at +0.15
    assert storey_codes_by_elevation([0.15, 3.75]) == ["F01", "F02"]
    assert storey_codes_by_elevation([0.0, 3.0, 6.0], [False, False, True]) == ["F01", "F02", "RF"]


def test_element_ids_are_shell_and_url_safe() -> None:
    assert element_id("WZ01", "B01", 421) == "WZ01-B01-E000421"
    assert element_id("WZ01", None, 3) == "WZ01-E000003"


def test_closest_codes_prefer_near_misses() -> None:
    known = ["WZ01-B02-F03-017H", "WZ01-B02-F03-018X", "WZ01-B09-F01-001A"]
    assert closest_codes("WZ01-B02-F03-019Q", known)[0].startswith("WZ01-B02-F03-01")
