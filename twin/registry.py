"""Room codes across revisions of a model: keep, number, retire, never reuse (一房一码).

For one storey, the rooms of the incoming model are matched to the rooms already
registered: by pin in the manifest first, then by IFC GlobalId, then one-to-one,
best first, by footprint intersection-over-union ≥ 0.8. Matched rooms keep their
codes; the rest get numbers after the highest ever used on the storey; registered
rooms that found no match are retired. A retired code is never issued again.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import shapely

from models.campus import RoomRecord
from models.codes import RoomCode
from models.errors import BadInput

__all__ = ["IOU_MATCH", "RegisteredRoom", "RoomAssignment", "StoreyRegistration", "register_storey"]

IOU_MATCH = 0.8


@dataclass(frozen=True)
class RegisteredRoom:
    """A room already in the store, as the registry needs it."""

    code: RoomCode
    global_id: str
    active: bool
    source_file: str
    footprint: shapely.Polygon | None


@dataclass(frozen=True)
class RoomAssignment:
    record: RoomRecord
    code: RoomCode
    previous: RegisteredRoom | None
    matched_by: str  # pin, global_id, footprint, new


@dataclass(frozen=True)
class StoreyRegistration:
    assignments: list[RoomAssignment]
    retired: list[RegisteredRoom]
    highest_number: int


def _natural_key(text: str) -> list[object]:
    return [int(part) if part.isdigit() else part.casefold() for part in re.split(r"(\d+)", text)]


def _iou(a: shapely.Polygon | None, b: shapely.Polygon | None) -> float:
    if a is None or b is None:
        return 0.0
    union = shapely.area(shapely.union(a, b))
    return float(shapely.area(shapely.intersection(a, b)) / union) if union > 0 else 0.0


def register_storey(
    site: str,
    building: str,
    storey: str,
    incoming: Sequence[tuple[RoomRecord, shapely.Polygon | None]],
    registered: Sequence[RegisteredRoom],
    highest_number: int,
    replaced_files: set[str],
    pins: dict[str, RoomCode],
) -> StoreyRegistration:
    """Codes for the rooms of one storey of one import.

    `registered` holds every room ever registered on the storey (retired ones too);
    only active rooms from `replaced_files` (the files being imported again) may be
    retired. `highest_number` is the highest number ever issued on the storey.
    """
    by_code = {str(room.code): room for room in registered}
    by_global_id = {room.global_id: room for room in registered}
    taken: set[str] = set()
    assignments: list[RoomAssignment] = []
    waiting: list[tuple[RoomRecord, shapely.Polygon | None]] = []
    highest = max([highest_number] + [room.code.room_number for room in registered])

    for record, footprint in incoming:
        pin = pins.get(record.source.global_id)
        if pin is None:
            waiting.append((record, footprint))
            continue
        if (pin.site, pin.building, pin.storey) != (site, building, storey):
            raise BadInput(
                f"manifest pins room {record.source.global_id} to {pin}, but the room is on "
                f"{site}-{building}-{storey}"
            )
        if str(pin) in taken:
            raise BadInput(f"manifest pins two rooms to {pin}")
        taken.add(str(pin))
        highest = max(highest, pin.room_number)
        assignments.append(RoomAssignment(record, pin, by_code.get(str(pin)), "pin"))

    unmatched: list[tuple[RoomRecord, shapely.Polygon | None]] = []
    for record, footprint in waiting:
        known = by_global_id.get(record.source.global_id)
        if known is not None and str(known.code) not in taken:
            taken.add(str(known.code))
            assignments.append(RoomAssignment(record, known.code, known, "global_id"))
        else:
            unmatched.append((record, footprint))

    candidates = [room for room in registered if room.active and str(room.code) not in taken]
    scored = sorted(
        (
            (_iou(footprint, room.footprint), n, m)
            for n, (_, footprint) in enumerate(unmatched)
            for m, room in enumerate(candidates)
        ),
        key=lambda item: (-item[0], item[1], item[2]),
    )
    matched_new: dict[int, RegisteredRoom] = {}
    used: set[int] = set()
    for score, n, m in scored:
        if score < IOU_MATCH:
            break
        if n in matched_new or m in used:
            continue
        matched_new[n] = candidates[m]
        used.add(m)
        taken.add(str(candidates[m].code))

    fresh = []
    for n, (record, footprint) in enumerate(unmatched):
        if n in matched_new:
            room = matched_new[n]
            assignments.append(RoomAssignment(record, room.code, room, "footprint"))
        else:
            fresh.append((record, footprint))
    fresh.sort(key=lambda item: (_natural_key(item[0].name), item[0].source.global_id))
    for record, _ in fresh:
        highest += 1
        code = RoomCode.make(site, building, storey, highest)
        assignments.append(RoomAssignment(record, code, None, "new"))

    retired = [
        room
        for room in registered
        if room.active and str(room.code) not in taken and room.source_file in replaced_files
    ]
    return StoreyRegistration(assignments, retired, highest)
