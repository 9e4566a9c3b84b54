"""The sample campus for the maintenance tests: the store, the answer file and the plan.

Expected positions are worked out here from the generator's plan (rectangles, runs
parallel to one axis, walls as rectangles), never through `twin/`, so the twin's
answers are checked against an independent source.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from bim_import.sample.campus import plan_sample_campus
from bim_import.sample.guids import global_id
from bim_import.sample.layout import SLAB_M, CampusLayout, RoomPlan, StoreyPlan, WallPlan
from bim_import.sample.mep import ElementPlan, MepPlan
from tests.campus_stores import sample_store
from twin.store import open_store
from twin.store import schema as t

__all__ = ["SEED", "SampleCampus", "expected_slab_position", "expected_wall_position"]

SEED = 1  # the seed `sample_store` writes with


@dataclass
class SampleCampus:
    db: Path
    answers: dict[str, Any]
    layout: CampusLayout
    mep: MepPlan
    room_code_of_gid: dict[str, str]
    element_id_of_gid: dict[str, str]

    @classmethod
    def build(cls, folder: Path, buildings: int = 3) -> SampleCampus:
        db = sample_store(folder, buildings=buildings)
        answers = json.loads((folder / "campus.answers.json").read_text(encoding="utf-8"))
        layout, mep = plan_sample_campus(buildings)
        engine = open_store(str(db))
        with engine.connect() as conn:
            rooms = dict(conn.execute(select(t.rooms.c.global_id, t.rooms.c.room_code)).all())
            elements = dict(
                conn.execute(select(t.elements.c.global_id, t.elements.c.element_id)).all()
            )
        engine.dispose()
        return cls(db, answers, layout, mep, rooms, elements)

    def room_code(self, room: RoomPlan) -> str:
        return self.room_code_of_gid[global_id(SEED, room.key)]

    def element_id(self, element: ElementPlan) -> str:
        return self.element_id_of_gid[global_id(SEED, element.key)]

    def room(self, code: str) -> tuple[RoomPlan, StoreyPlan]:
        for storey in self.layout.storeys():
            for room in storey.rooms:
                if self.room_code(room) == code:
                    return room, storey
        raise KeyError(code)

    def segments(self) -> list[ElementPlan]:
        return [e for e in self.mep.elements.values() if e.run is not None]

    def room_of_kind(self, building: int, storey: int, kind: str) -> RoomPlan:
        return self.layout.buildings[building].storeys[storey].rooms_of_kind(kind)[0]

    def drop_beside(self, side: str) -> tuple[str, RoomPlan, list[float]]:
        """The drop to a tap on B01 F01, the room `side` ("west"/"east") of the partition it
        stands in, and the point on that room's face 1.5 m above its floor, level with it."""
        drop = self.mep.elements[self.mep.landmarks["B01/F01/water_drop"]]
        assert drop.run is not None
        x, y, _ = drop.run.start
        # The partition is 0.15 m thick and the drop stands in its middle plane.
        face_x = x - 0.075 if side == "west" else x + 0.075
        storey = self.layout.buildings[0].storeys[0]
        room = next(
            r
            for r in storey.rooms
            if abs((r.rect.x1 if side == "west" else r.rect.x0) - face_x) < 1e-6
            and r.rect.y0 <= y <= r.rect.y1
        )
        return self.element_id(drop), room, [face_x, y, room.floor_z_m + 1.5]


def _clip_mid(
    element: ElementPlan, box: tuple[float, float, float, float], z_lo: float, z_hi: float
) -> tuple[float, float, float] | None:
    """Middle of a run parallel to one axis, clipped to a plan box and a height range."""
    assert element.run is not None
    (x0, y0, z0), (x1, y1, z1) = element.run.start, element.run.end
    lo = (max(min(x0, x1), box[0]), max(min(y0, y1), box[1]), max(min(z0, z1), z_lo))
    hi = (min(max(x0, x1), box[2]), min(max(y0, y1), box[3]), min(max(z0, z1), z_hi))
    if any(h < low for low, h in zip(lo, hi, strict=True)):
        return None
    x, y, z = ((low + h) / 2 for low, h in zip(lo, hi, strict=True))
    return x, y, z


def expected_slab_position(
    element: ElementPlan, room: RoomPlan, where: str
) -> tuple[float, dict[str, float]] | None:
    """(height above floor, distance from each wall by direction) at the run's middle."""
    r = room.rect
    z_lo, z_hi = (
        (room.ceiling_z_m, room.top_z_m)
        if where == "ceiling"
        else (room.floor_z_m - SLAB_M, room.floor_z_m)
    )
    mid = _clip_mid(element, (r.x0, r.y0, r.x1, r.y1), z_lo, z_hi)
    if mid is None:
        return None
    x, y, z = mid
    walls = {"south": y - r.y0, "north": r.y1 - y, "west": x - r.x0, "east": r.x1 - x}
    return z - room.floor_z_m, walls


def _beside(wall: WallPlan, room: RoomPlan) -> tuple[float, float, float, float] | None:
    w, r = wall.rect, room.rect
    if wall.runs_along_x:
        touches = abs(r.y0 - w.y1) < 1e-6 or abs(r.y1 - w.y0) < 1e-6
        lo, hi = max(w.x0, r.x0), min(w.x1, r.x1)
        return (lo, w.y0, hi, w.y1) if touches and hi - lo > 0.01 else None
    touches = abs(r.x0 - w.x1) < 1e-6 or abs(r.x1 - w.x0) < 1e-6
    lo, hi = max(w.y0, r.y0), min(w.y1, r.y1)
    return (w.x0, lo, w.x1, hi) if touches and hi - lo > 0.01 else None


def expected_wall_position(
    element: ElementPlan, room: RoomPlan, storey: StoreyPlan, code_of: Any
) -> dict[str, Any] | None:
    """Which wall (by the side of the room it is on), depth, height, nearer end, room behind."""
    r = room.rect
    for wall in storey.walls:
        stretch = _beside(wall, room)
        if stretch is None:
            continue
        mid = _clip_mid(element, stretch, room.floor_z_m, room.top_z_m)
        if mid is None:
            continue
        x, y, z = mid
        w = wall.rect
        if y >= r.y1:
            side, depth, ends, behind = "north", y - r.y1, (x - r.x0, r.x1 - x), (x, w.y1 + 0.05)
            names = ("west", "east")
        elif y <= r.y0:
            side, depth, ends, behind = "south", r.y0 - y, (x - r.x0, r.x1 - x), (x, w.y0 - 0.05)
            names = ("west", "east")
        elif x >= r.x1:
            side, depth, ends, behind = "east", x - r.x1, (y - r.y0, r.y1 - y), (w.x1 + 0.05, y)
            names = ("south", "north")
        else:
            side, depth, ends, behind = "west", r.x0 - x, (y - r.y0, r.y1 - y), (w.x0 - 0.05, y)
            names = ("south", "north")
        nearer = 0 if ends[0] <= ends[1] else 1
        across = [
            code_of(other)
            for other in storey.rooms
            if other.key != room.key
            and other.rect.x0 <= behind[0] <= other.rect.x1
            and other.rect.y0 <= behind[1] <= other.rect.y1
        ]
        return {
            "wall": side,
            "depth_behind_face_m": depth,
            "height_above_floor_m": z - room.floor_z_m,
            "end": names[nearer],
            "distance_from_end_m": ends[nearer],
            "room_behind": across[0] if across else None,
        }
    return None
