"""Room codes on one storey across revisions, worked out on squares."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from models.campus import RoomRecord
from models.codes import RoomCode
from models.errors import BadInput
from models.geometry import SourceRef
from twin.registry import RegisteredRoom, register_storey


def _room(global_id: str, name: str, x: float) -> tuple[RoomRecord, shapely.Polygon]:
    footprint = shapely.box(x, 0.0, x + 4.0, 5.0)
    record = RoomRecord(
        source=SourceRef("a.ifc", global_id, "IfcSpace"),
        storey_global_id="S",
        name=name,
        long_name=None,
        object_type=None,
        usage="office",
        usage_matched=None,
        net_floor_area_m2=20.0,
        area_source="geometry",
        declared_area_m2=None,
        height_m=3.0,
        volume_m3=60.0,
        floor_elevation_m=0.0,
        finish_ceiling_height_m=None,
        footprint=np.asarray(footprint.exterior.coords)[:, :2],
    )
    return record, footprint


def _registered(code: RoomCode, global_id: str, x: float, active: bool = True) -> RegisteredRoom:
    return RegisteredRoom(code, global_id, active, "a.ifc", shapely.box(x, 0.0, x + 4.0, 5.0))


def _code(number: int) -> RoomCode:
    return RoomCode.make("WZ01", "B01", "F01", number)


def test_first_import_numbers_rooms_in_name_order() -> None:
    incoming = [_room("g2", "R10", 4), _room("g1", "R2", 0), _room("g3", "R1", 8)]
    result = register_storey("WZ01", "B01", "F01", incoming, [], 0, {"a.ifc"}, {})
    assert {a.record.name: a.code.room_number for a in result.assignments} == {
        "R1": 1,
        "R2": 2,
        "R10": 3,
    }
    assert result.highest_number == 3


def test_global_id_then_footprint_then_new_after_the_highest_ever_used() -> None:
    registered = [
        _registered(_code(1), "g1", 0),
        _registered(_code(2), "g2", 4),
        _registered(_code(3), "gone", 8),
        _registered(_code(7), "old", 20, active=False),  # retired long ago
    ]
    incoming = [
        _room("g1", "R1", 0),  # same GlobalId
        _room("g2-new", "R2", 4.1),  # re-created: IoU 0.95 with code 2
        _room("fresh", "R9", 12),  # new room
    ]
    result = register_storey("WZ01", "B01", "F01", incoming, registered, 7, {"a.ifc"}, {})
    by_name = {a.record.name: (a.code.room_number, a.matched_by) for a in result.assignments}
    assert by_name == {"R1": (1, "global_id"), "R2": (2, "footprint"), "R9": (8, "new")}
    assert [str(r.code) for r in result.retired] == [str(_code(3))]


def test_low_overlap_is_not_a_match() -> None:
    registered = [_registered(_code(1), "g1", 0)]
    incoming = [_room("other", "R1", 2.0)]  # IoU 1/3
    result = register_storey("WZ01", "B01", "F01", incoming, registered, 1, {"a.ifc"}, {})
    assert [a.code.room_number for a in result.assignments] == [2]
    assert [r.global_id for r in result.retired] == ["g1"]


def test_rooms_from_other_files_are_not_retired() -> None:
    registered = [RegisteredRoom(_code(1), "g1", True, "other.ifc", shapely.box(0, 0, 4, 5))]
    result = register_storey("WZ01", "B01", "F01", [], registered, 1, {"a.ifc"}, {})
    assert result.retired == []


def test_pins_win_over_global_id() -> None:
    registered = [_registered(_code(1), "g1", 0)]
    incoming = [_room("g1", "R1", 0), _room("g2", "R2", 4)]
    pins = {"g2": _code(1)}
    result = register_storey("WZ01", "B01", "F01", incoming, registered, 1, {"a.ifc"}, pins)
    codes = {
        a.record.source.global_id: (a.code.room_number, a.matched_by) for a in result.assignments
    }
    assert codes == {"g2": (1, "pin"), "g1": (2, "new")}


def test_pin_on_another_storey_is_refused() -> None:
    pins = {"g1": RoomCode.make("WZ01", "B01", "F02", 1)}
    with pytest.raises(BadInput, match="is on WZ01-B01-F01"):
        register_storey("WZ01", "B01", "F01", [_room("g1", "R1", 0)], [], 0, {"a.ifc"}, pins)
