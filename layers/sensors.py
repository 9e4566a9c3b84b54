"""Register sensors against the twin's codes, place them by position, find orphans.

A sensor binds to a room (`room_code`), or to a site, building or element (`code`:
a manhole cover or a parking bay is outdoors), or is placed by its position: the
room whose footprint holds (x, y) on the storey whose height range holds z. A
position in no room, or in two, is not guessed: the sensor is registered without a
room and reported as an orphan until someone binds it.

Registering the same sensor again with the same binding changes nothing; with a
different one it is refused (`SensorExists`), so a gateway cannot silently move a
sensor that alarms and history hang off.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from sqlalchemy import Connection, Engine, insert, select

from layers.kinds import SENSOR_KINDS, sensor_kind
from models.codes import RoomCode, closest_codes, unknown_room_code
from models.errors import BadInput, SensorExists, UnknownCode, UnknownSensor
from twin.store import schema as t

__all__ = [
    "CSV_COLUMNS",
    "ImportReport",
    "RoomLocator",
    "SensorCreate",
    "get_sensor",
    "import_sensors_csv",
    "list_sensors",
    "orphans",
    "place_by_position",
    "register_sensor",
]

CSV_COLUMNS = ("id", "kind", "room_code", "code", "x", "y", "z")
SENSOR_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"


class SensorCreate(BaseModel):
    """One sensor to register: its id, its kind, and where it is."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    id: str = Field(
        pattern=SENSOR_ID_PATTERN,
        description="Letters, digits, `.`, `_`, `-` (safe in a URL, a shell and an MQTT topic).",
        examples=["dx-t-0001"],
    )
    kind: str = Field(description="One of the sensor kinds, e.g. `temperature`.")
    room_code: str | None = Field(default=None, description="The room it is in.")
    code: str | None = Field(default=None, description="A site, building or element code instead.")
    x: float | None = Field(
        default=None, description="Site coordinates, metres.", allow_inf_nan=False
    )
    y: float | None = Field(default=None, allow_inf_nan=False)
    z: float | None = Field(default=None, description="Height, metres, as storey elevations.")

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, kind: str) -> str:
        if kind.lower() not in SENSOR_KINDS:
            raise ValueError(f"unknown sensor kind {kind!r}; one of: {', '.join(SENSOR_KINDS)}")
        return kind.lower()

    @model_validator(mode="after")
    def _one_place(self) -> SensorCreate:
        given = [v is not None for v in (self.x, self.y, self.z)]
        if any(given) and not all(given):
            raise ValueError("give all of x, y and z, or none")
        if self.room_code and self.code:
            raise ValueError("give room_code or code, not both")
        if not (self.room_code or self.code or all(given)):
            raise ValueError("give room_code, code, or a position x, y, z")
        return self


@dataclass
class RoomLocator:
    """Active rooms' footprints with their storeys' height ranges, built once, asked often."""

    room_codes: list[str]
    footprints: np.ndarray  # (n,) shapely geometries
    z_low: np.ndarray  # (n,) float
    z_high: np.ndarray  # (n,) float
    tree: shapely.STRtree

    @classmethod
    def from_store(cls, conn: Connection) -> RoomLocator:
        storeys = conn.execute(
            select(t.storeys.c.storey_code, t.storeys.c.building_code, t.storeys.c.elevation_m)
        ).all()
        ranges: dict[str, tuple[float, float]] = {}
        for building in {s.building_code for s in storeys}:
            own = sorted(
                (s.elevation_m, s.storey_code) for s in storeys if s.building_code == building
            )
            for i, (elevation, code) in enumerate(own):
                top = own[i + 1][0] if i + 1 < len(own) else math.inf
                ranges[code] = (elevation, top)
        rows = conn.execute(
            select(t.rooms.c.room_code, t.rooms.c.storey_code, t.rooms.c.footprint_wkb).where(
                t.rooms.c.status == "active", t.rooms.c.footprint_wkb.is_not(None)
            )
        ).all()
        footprints = shapely.from_wkb([r.footprint_wkb for r in rows])
        low = np.array([ranges.get(r.storey_code, (math.inf, math.inf))[0] for r in rows])
        high = np.array([ranges.get(r.storey_code, (math.inf, math.inf))[1] for r in rows])
        return cls([r.room_code for r in rows], footprints, low, high, shapely.STRtree(footprints))

    def rooms_at(self, x: float, y: float, z: float) -> list[str]:
        """Codes of the rooms holding the point (normally one; none or two are not guessed)."""
        hits = self.tree.query(shapely.Point(x, y), predicate="intersects")
        return sorted(self.room_codes[i] for i in hits if self.z_low[i] <= z < self.z_high[i])


def place_by_position(locator: RoomLocator, x: float, y: float, z: float) -> str | None:
    """The one room holding (x, y, z), or None when no room or several do."""
    found = locator.rooms_at(x, y, z)
    return found[0] if len(found) == 1 else None


@dataclass
class _Resolver:
    """Turns a SensorCreate into a sensors row, looking the twin up lazily."""

    conn: Connection
    _locator: RoomLocator | None = None
    _rooms: dict[str, str] | None = None
    _codes: set[str] | None = None

    def rooms(self) -> dict[str, str]:
        if self._rooms is None:
            self._rooms = dict(
                self.conn.execute(select(t.rooms.c.room_code, t.rooms.c.status)).all()
            )
        return self._rooms

    def codes(self) -> set[str]:
        if self._codes is None:
            c = self.conn
            self._codes = {
                *c.execute(select(t.sites.c.site_code)).scalars(),
                *c.execute(select(t.buildings.c.building_code)).scalars(),
                *c.execute(select(t.elements.c.element_id)).scalars(),
            }
        return self._codes

    def room(self, text: str) -> str:
        code = str(RoomCode.parse(text))
        status = self.rooms().get(code)
        if status is None:
            active = (c for c, s in self.rooms().items() if s == "active")
            raise unknown_room_code(code, active)
        if status != "active":
            raise BadInput(f"room {code} is retired; bind the sensor to a room that exists")
        return code

    def row(self, sensor: SensorCreate) -> dict[str, Any]:
        room_code = code = None
        if sensor.room_code:
            room_code, placed_by = self.room(sensor.room_code), "room"
        elif sensor.code:
            placed_by = "code"
            cleaned = sensor.code.strip().upper()
            if cleaned in self.codes():
                code = cleaned
            elif cleaned.count("-") == 3 and not cleaned.split("-")[-1].startswith("E"):
                room_code = self.room(cleaned)
            else:
                closest = closest_codes(cleaned, self.codes())
                hint = f"; closest: {', '.join(closest)}" if closest else ""
                raise UnknownCode(f"no site, building or element has code {cleaned}{hint}", closest)
        else:
            if self._locator is None:
                self._locator = RoomLocator.from_store(self.conn)
            assert sensor.x is not None and sensor.y is not None and sensor.z is not None
            room_code, placed_by = (
                place_by_position(self._locator, sensor.x, sensor.y, sensor.z),
                "position",
            )
        return {
            "sensor_id": sensor.id,
            "kind": sensor_kind(sensor.kind).name,
            "room_code": room_code,
            "code": code,
            "x_m": sensor.x,
            "y_m": sensor.y,
            "z_m": sensor.z,
            "placed_by": placed_by,
        }


_SAME = ("kind", "room_code", "code", "x_m", "y_m", "z_m")


def _public(row: Any) -> dict[str, Any]:
    values = dict(row._mapping) if hasattr(row, "_mapping") else dict(row)
    kind = SENSOR_KINDS[values["kind"]]
    return {
        "id": values["sensor_id"],
        "kind": kind.name,
        "unit": kind.unit,
        "room_code": values["room_code"],
        "code": values["code"],
        "x": values["x_m"],
        "y": values["y_m"],
        "z": values["z_m"],
        "placed_by": values["placed_by"],
        "orphan": values["room_code"] is None and values["code"] is None,
        "registered_at": values.get("registered_at"),
    }


def _existing(conn: Connection, ids: Iterable[str]) -> dict[str, Any]:
    wanted = list(ids)
    found: dict[str, Any] = {}
    for start in range(0, len(wanted), 500):
        for row in conn.execute(
            select(t.sensors).where(t.sensors.c.sensor_id.in_(wanted[start : start + 500]))
        ):
            found[row.sensor_id] = row
    return found


def _check_same(old: Any, new: dict[str, Any]) -> None:
    differs = [name for name in _SAME if getattr(old, name) != new[name]]
    if differs:
        raise SensorExists(
            f"sensor {new['sensor_id']} is already registered with another "
            f"{', '.join(differs)}; give it a new id, or keep its registration"
        )


def register_sensor(engine: Engine, sensor: SensorCreate) -> dict[str, Any]:
    """Register one sensor; returns it with `created` false when it was already there."""
    with engine.begin() as conn:
        row = _Resolver(conn).row(sensor)
        old = _existing(conn, [sensor.id]).get(sensor.id)
        if old is not None:
            _check_same(old, row)
            return {**_public(old), "created": False}
        row["registered_at"] = datetime.now(UTC).isoformat(timespec="seconds")
        conn.execute(insert(t.sensors).values(row))
    return {**_public(row), "created": True}


@dataclass
class ImportReport:
    """What a CSV import did, line by line (line 1 is the header)."""

    registered: list[dict[str, Any]] = field(default_factory=list)
    unchanged: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[dict[str, Any]] = field(default_factory=list)

    @property
    def orphans(self) -> list[dict[str, Any]]:
        return [s for s in self.registered if s["orphan"]]


def _reason(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        parts = []
        for e in exc.errors():
            where = ".".join(str(p) for p in e["loc"]) or "line"
            parts.append(f"{where}: {e['msg'].removeprefix('Value error, ')}")
        return "; ".join(parts)
    return str(exc)


def import_sensors_csv(engine: Engine, path: Path) -> ImportReport:
    """Register the sensors of a CSV file with columns `id,kind,room_code,code,x,y,z`.

    Each line stands alone: good lines are registered, bad ones reported with their
    line number and reason, so one typo does not hold back a building's worth of
    sensors. Every line is checked in full before anything is written, and all
    registrations are written in one transaction: an interrupted import stores none.
    Running the same file again reports its sensors as unchanged.
    """
    try:
        with path.open(newline="", encoding="utf-8-sig") as stream:
            reader = csv.DictReader(stream)
            header = [h.strip() for h in reader.fieldnames or []]
            rows = list(reader)
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise BadInput(f"cannot read {path}: {exc}") from None
    missing = [c for c in ("id", "kind") if c not in header]
    unknown = [c for c in header if c not in CSV_COLUMNS]
    if missing or unknown:
        raise BadInput(
            f"{path}: columns must be {','.join(CSV_COLUMNS)} (id and kind required); "
            f"missing {missing or 'none'}, unknown {unknown or 'none'}"
        )
    report = ImportReport()
    now = datetime.now(UTC).isoformat(timespec="seconds")
    with engine.begin() as conn:
        resolver = _Resolver(conn)
        existing = _existing(conn, (r.get("id", "").strip() for r in rows))
        seen: dict[str, int] = {}
        new_rows: list[dict[str, Any]] = []
        for line, raw in enumerate(rows, start=2):
            values = {k.strip(): (v or "").strip() for k, v in raw.items() if k is not None}
            sensor_id = values.get("id", "")
            try:
                if None in raw:
                    raise BadInput("more fields than columns")
                sensor = SensorCreate.model_validate({k: v for k, v in values.items() if v != ""})
                if sensor.id in seen:
                    raise BadInput(f"sensor {sensor.id} already on line {seen[sensor.id]}")
                row = resolver.row(sensor)
                old = existing.get(sensor.id)
                if old is not None:
                    _check_same(old, row)
                    report.unchanged.append({"line": line, **_public(old)})
                else:
                    row["registered_at"] = now
                    new_rows.append(row)
                    report.registered.append({"line": line, **_public(row)})
                seen[sensor.id] = line
            except (BadInput, ValidationError) as exc:
                report.rejected.append({"line": line, "id": sensor_id, "reason": _reason(exc)})
        if new_rows:
            conn.execute(insert(t.sensors), new_rows)
    return report


def orphans(engine: Engine) -> list[dict[str, Any]]:
    """Sensors bound to nothing that exists: a retired room, a vanished code, no room at all."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(t.sensors, t.rooms.c.status.label("room_status"))
            .outerjoin(t.rooms, t.rooms.c.room_code == t.sensors.c.room_code)
            .order_by(t.sensors.c.sensor_id)
        ).all()
        codes = _Resolver(conn).codes()
    found = []
    for row in rows:
        if row.room_code is not None and row.room_status != "active":
            reason = f"room {row.room_code} is retired"
        elif row.code is not None and row.code not in codes:
            reason = f"code {row.code} is no longer in the twin"
        elif row.room_code is None and row.code is None:
            reason = "no single room holds its position"
        else:
            continue
        found.append({**_public(row), "orphan": True, "reason": reason})
    return found


def list_sensors(
    engine: Engine, room_code: str | None = None, kind: str | None = None
) -> list[dict[str, Any]]:
    """Registered sensors in id order, optionally of one room or one kind."""
    query = select(t.sensors).order_by(t.sensors.c.sensor_id)
    if room_code:
        query = query.where(t.sensors.c.room_code == str(RoomCode.parse(room_code)))
    if kind:
        query = query.where(t.sensors.c.kind == sensor_kind(kind).name)
    with engine.connect() as conn:
        return [_public(row) for row in conn.execute(query)]


def get_sensor(engine: Engine, sensor_id: str) -> dict[str, Any]:
    """One sensor; `UnknownSensor` with the closest ids when there is none."""
    with engine.connect() as conn:
        row = conn.execute(select(t.sensors).where(t.sensors.c.sensor_id == sensor_id)).first()
        if row is None:
            known = conn.execute(select(t.sensors.c.sensor_id)).scalars().all()
    if row is None:
        import difflib

        closest = difflib.get_close_matches(sensor_id, known, n=5, cutoff=0.5)
        hint = f"; closest: {', '.join(closest)}" if closest else ""
        raise UnknownSensor(f"unknown sensor {sensor_id}{hint}", closest)
    return _public(row)
