"""The campus manifest (TOML): pinned site, building and room codes, file → building.

Example::

    [site]
    code = "WZ01"
    name = "Wenzhou sample campus"

    [site.georeference]               # only for models that carry none
    epsg = 4549                       # the campus's projected CRS
    eastings = 568854.272             # where the site origin (0, 0) is, metres
    northings = 3098639.217
    height = 10.0                     # orthogonal height of site z = 0
    rotation_deg = 0.0                # site x axis, anticlockwise from grid east
    # or: latitude = 28.0, longitude = 120.7, true_north_deg = 0.0

    [[buildings]]
    code = "B01"                      # pins the building's number on the site
    name = "Office block"             # matches IfcBuilding.Name, if no files are given
    files = ["campus.B01.arch.ifc", "campus.B01.mep.ifc"]
    ground_storey = "F01"             # the storey (by IFC name) that becomes F01

    [[rooms]]
    global_id = "2N1qj3RgP0Xu3zY2CvyXe5"
    code = "WZ01-B01-F02-007B"         # keeps a door plate already printed
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from models.campus import Georeference
from models.codes import BUILDING_RE, SITE_RE, RoomCode
from models.errors import BadInput

__all__ = ["BuildingPin", "Manifest", "load_manifest"]


@dataclass(frozen=True)
class BuildingPin:
    code: str | None
    name: str | None
    global_id: str | None
    files: tuple[str, ...]
    ground_storey: str | None


@dataclass(frozen=True)
class Manifest:
    site_code: str | None = None
    site_name: str | None = None
    buildings: tuple[BuildingPin, ...] = ()
    room_pins: dict[str, RoomCode] = field(default_factory=dict)
    site_georeference: Georeference | None = None

    def building_for_file(self, file_name: str) -> BuildingPin | None:
        for pin in self.buildings:
            if file_name in pin.files:
                return pin
        return None

    def building_for(self, global_id: str, name: str) -> BuildingPin | None:
        for pin in self.buildings:
            if pin.global_id and pin.global_id == global_id:
                return pin
        for pin in self.buildings:
            if pin.name and not pin.global_id and pin.name == name:
                return pin
        return None


def load_manifest(path: Path | None) -> Manifest:
    """Read and check a manifest; `None` gives the empty manifest."""
    if path is None:
        return Manifest()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise BadInput(f"{path}: no such manifest") from exc
    except tomllib.TOMLDecodeError as exc:
        raise BadInput(f"{path}: not valid TOML: {exc}") from exc
    site = data.get("site", {})
    site_code = site.get("code")
    if site_code is not None and not SITE_RE.fullmatch(str(site_code)):
        raise BadInput(f"{path}: site code {site_code!r} must be 2 to 8 upper-case letters/digits")
    pins = []
    for entry in data.get("buildings", []):
        code = entry.get("code")
        if code is not None and not BUILDING_RE.fullmatch(str(code)):
            raise BadInput(f"{path}: building code {code!r} must be B01 to B99")
        pins.append(
            BuildingPin(
                code=code,
                name=entry.get("name"),
                global_id=entry.get("global_id"),
                files=tuple(Path(f).name for f in entry.get("files", [])),
                ground_storey=entry.get("ground_storey"),
            )
        )
    room_pins = {}
    for entry in data.get("rooms", []):
        if "global_id" not in entry or "code" not in entry:
            raise BadInput(f"{path}: each [[rooms]] entry needs global_id and code")
        room_pins[str(entry["global_id"])] = RoomCode.parse(str(entry["code"]))
    georeference = _georeference(path, site.get("georeference"))
    return Manifest(site_code, site.get("name"), tuple(pins), room_pins, georeference)


def _number(path: Path, table: dict[str, object], key: str, low: float, high: float) -> float:
    value = table[key]
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise BadInput(f"{path}: [site.georeference] {key} must be a number in [{low:g}, {high:g}]")
    return float(value)


def _georeference(path: Path, table: object) -> Georeference | None:
    """`[site.georeference]`: EPSG + eastings/northings (+ height, rotation), or lat/lon."""
    if table is None:
        return None
    if not isinstance(table, dict):
        raise BadInput(f"{path}: [site.georeference] must be a table")
    known = {"epsg", "eastings", "northings", "height", "rotation_deg", "scale"}
    known |= {"latitude", "longitude", "elevation", "true_north_deg"}
    unknown = sorted(set(table) - known)
    if unknown:
        raise BadInput(f"{path}: [site.georeference] has unknown keys {', '.join(unknown)}")
    if "eastings" in table or "northings" in table or "epsg" in table:
        missing = [k for k in ("epsg", "eastings", "northings") if k not in table]
        if missing:
            raise BadInput(f"{path}: [site.georeference] needs {', '.join(missing)} as well")
        epsg = table["epsg"]
        if not isinstance(epsg, int) or isinstance(epsg, bool) or epsg <= 0:
            raise BadInput(f"{path}: [site.georeference] epsg must be an EPSG code number")
        angle = (
            math.radians(_number(path, table, "rotation_deg", -360, 360))
            if ("rotation_deg" in table)
            else 0.0
        )
        return Georeference(
            epsg=epsg,
            crs_name=f"EPSG:{epsg}",
            eastings_m=_number(path, table, "eastings", -1e8, 1e8),
            northings_m=_number(path, table, "northings", -1e8, 1e8),
            orthogonal_height_m=_number(path, table, "height", -1e4, 1e4)
            if "height" in table
            else 0.0,
            x_axis_abscissa=math.cos(angle),
            x_axis_ordinate=math.sin(angle),
            scale=_number(path, table, "scale", 0.5, 2.0) if "scale" in table else 1.0,
        )
    if "latitude" in table and "longitude" in table:
        return Georeference(
            latitude_deg=_number(path, table, "latitude", -90, 90),
            longitude_deg=_number(path, table, "longitude", -180, 180),
            elevation_m=_number(path, table, "elevation", -1e4, 1e4)
            if "elevation" in table
            else None,
            true_north_deg=_number(path, table, "true_north_deg", -360, 360)
            if "true_north_deg" in table
            else None,
        )
    raise BadInput(
        f"{path}: [site.georeference] needs epsg, eastings and northings, or latitude and longitude"
    )
