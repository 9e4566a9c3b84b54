"""Registering sensors against the imported duplex: by room, by code, by position, from CSV."""

from __future__ import annotations

import shutil
from pathlib import Path

import ifcopenshell
import pytest
from pydantic import ValidationError

from layers.sensors import SensorCreate, import_sensors_csv, list_sensors, orphans, register_sensor
from models.errors import BadInput, InvalidRoomCode, SensorExists, UnknownCode, UnknownRoomCode
from tests.conftest import SHARED_IFC
from tests.layers.live_stores import A101, INSIDE_A101, duplex_copy, duplex_db
from twin.importer import import_models
from twin.store import open_store

__all__ = ["duplex_copy", "duplex_db"]


def _register(db: Path, **fields: object) -> dict[str, object]:
    return register_sensor(open_store(str(db)), SensorCreate.model_validate(fields))


def test_bound_to_a_room_by_its_code_in_any_case(duplex_copy: Path) -> None:
    sensor = _register(duplex_copy, id="t-1", kind="temperature", room_code=A101.lower())
    assert sensor["room_code"] == A101
    assert sensor["created"] is True and sensor["orphan"] is False
    assert [s["id"] for s in list_sensors(open_store(str(duplex_copy)), room_code=A101)] == ["t-1"]


def test_mistyped_room_code_names_the_check_character(duplex_copy: Path) -> None:
    wrong = A101[:-1] + ("D" if A101[-1] != "D" else "E")
    with pytest.raises(InvalidRoomCode, match="check character"):
        _register(duplex_copy, id="t-1", kind="temperature", room_code=wrong)


def test_unknown_room_code_offers_the_closest(duplex_copy: Path) -> None:
    from models.codes import RoomCode

    unknown = str(RoomCode.make("DX01", "B01", "F01", 99))
    with pytest.raises(UnknownRoomCode) as caught:
        _register(duplex_copy, id="t-1", kind="temperature", room_code=unknown)
    assert caught.value.closest


def test_outdoor_sensors_bind_to_site_building_or_element(duplex_copy: Path) -> None:
    assert _register(duplex_copy, id="mh-1", kind="manhole_cover", code="DX01")["code"] == "DX01"
    assert _register(duplex_copy, id="p-1", kind="parking_bay", code="dx01-b01")["code"] == (
        "DX01-B01"
    )
    meter = _register(duplex_copy, id="w-1", kind="water_meter", code="DX01-B01-E000001")
    assert meter["code"] == "DX01-B01-E000001" and meter["room_code"] is None
    with pytest.raises(UnknownCode, match="DX01-B07"):
        _register(duplex_copy, id="mh-2", kind="manhole_cover", code="DX01-B07")


def test_position_places_in_the_room_on_the_storey_holding_z(duplex_copy: Path) -> None:
    x, y, z = INSIDE_A101
    ground = _register(duplex_copy, id="t-g", kind="temperature", x=x, y=y, z=z)
    assert ground["room_code"] == A101 and ground["placed_by"] == "position"
    upstairs = _register(duplex_copy, id="t-u", kind="temperature", x=x, y=y, z=z + 3.1)
    assert upstairs["room_code"] not in (None, A101)
    assert str(upstairs["room_code"]).startswith("DX01-B01-F02-")


def test_position_in_no_room_is_an_orphan_not_a_guess(duplex_copy: Path) -> None:
    outside = _register(duplex_copy, id="t-out", kind="temperature", x=500.0, y=500.0, z=1.0)
    assert outside["orphan"] is True and outside["room_code"] is None
    below = _register(duplex_copy, id="t-deep", kind="temperature", x=7.29, y=-13.2, z=-30.0)
    assert below["room_code"] is None
    found = orphans(open_store(str(duplex_copy)))
    assert [(o["id"], o["reason"]) for o in found] == [
        ("t-deep", "no single room holds its position"),
        ("t-out", "no single room holds its position"),
    ]


def test_same_registration_again_is_harmless_a_different_one_refused(duplex_copy: Path) -> None:
    _register(duplex_copy, id="t-1", kind="temperature", room_code=A101)
    again = _register(duplex_copy, id="t-1", kind="temperature", room_code=A101)
    assert again["created"] is False
    with pytest.raises(SensorExists, match="kind"):
        _register(duplex_copy, id="t-1", kind="humidity", room_code=A101)


@pytest.mark.parametrize(
    "fields",
    [
        {"id": "t 1", "kind": "temperature", "room_code": A101},
        {"id": "t-1", "kind": "thermometer", "room_code": A101},
        {"id": "t-1", "kind": "temperature"},
        {"id": "t-1", "kind": "temperature", "x": 1.0, "y": 2.0},
        {"id": "t-1", "kind": "temperature", "room_code": A101, "code": "DX01"},
    ],
)
def test_incomplete_or_malformed_registrations_are_refused(fields: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        SensorCreate.model_validate(fields)


def test_csv_registers_good_lines_and_reports_bad_ones_by_line(
    duplex_copy: Path, tmp_path: Path
) -> None:
    x, y, z = INSIDE_A101
    csv_file = tmp_path / "sensors.csv"
    csv_file.write_text(
        "id,kind,room_code,code,x,y,z\n"
        f"t-1,temperature,{A101},,,,\n"
        f"t-2,temperature,{A101[:-1]}Z,,,,\n"
        "mh-1,manhole_cover,,DX01,,,\n"
        "t-1,humidity,,DX01,,,\n"
        f"t-3,co2,,,{x},{y},{z}\n"
        "t-4,co2,,,500,500,1\n"
        "t-5,co2,,,abc,1,1\n",
        encoding="utf-8",
    )
    engine = open_store(str(duplex_copy))
    report = import_sensors_csv(engine, csv_file)
    assert [(s["line"], s["id"]) for s in report.registered] == [
        (2, "t-1"),
        (4, "mh-1"),
        (6, "t-3"),
        (7, "t-4"),
    ]
    assert [s["id"] for s in report.orphans] == ["t-4"]
    rejected = {r["line"]: r["reason"] for r in report.rejected}
    assert set(rejected) == {3, 5, 8}
    assert "check character" in rejected[3]
    assert "line 2" in rejected[5]
    assert rejected[8].startswith("x:")
    assert [s["id"] for s in list_sensors(engine)] == ["mh-1", "t-1", "t-3", "t-4"]
    again = import_sensors_csv(engine, csv_file)
    assert again.registered == [] and len(again.unchanged) == 4


def test_csv_with_wrong_columns_stores_nothing(duplex_copy: Path, tmp_path: Path) -> None:
    csv_file = tmp_path / "sensors.csv"
    csv_file.write_text("id,type,room\nt-1,temperature,x\n", encoding="utf-8")
    engine = open_store(str(duplex_copy))
    with pytest.raises(BadInput, match="columns"):
        import_sensors_csv(engine, csv_file)
    assert list_sensors(engine) == []


def test_sensor_of_a_room_removed_by_a_reimport_becomes_an_orphan(
    duplex_copy: Path, tmp_path: Path
) -> None:
    engine = open_store(str(duplex_copy))
    register_sensor(engine, SensorCreate(id="t-1", kind="temperature", room_code=A101))
    revised = tmp_path / "duplex.ifc"
    shutil.copyfile(SHARED_IFC / "duplex.ifc", revised)
    model = ifcopenshell.open(str(revised))
    model.remove(next(s for s in model.by_type("IfcSpace") if s.Name == "A101"))
    model.write(str(revised))
    summary = import_models(engine, [revised], site_code="DX01")
    assert summary.changes.retired == [A101]
    assert [(o["id"], o["reason"]) for o in orphans(engine)] == [("t-1", f"room {A101} is retired")]
