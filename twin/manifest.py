"""The campus manifest (TOML): pinned site, building and room codes, file → building.

Example::

    [site]
    code = "WZ01"
    name = "Wenzhou sample campus"

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

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

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
    return Manifest(site_code, site.get("name"), tuple(pins), room_pins)
