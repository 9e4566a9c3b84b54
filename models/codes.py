"""Room codes (一房一码), storey codes and element ids: parse, format and check.

A room code reads `<SITE>-<BUILDING>-<STOREY>-<ROOM><CHECK>`, e.g. `WZ01-B02-F03-017H`.
The check character is ISO/IEC 7064 MOD 37,36 over the code without hyphens, so a
mistyped or misread code is rejected instead of matching the wrong room.

>>> RoomCode.parse("WZ01-B02-F03-017H").room_number
17
>>> str(RoomCode.make("WZ01", "B02", "F03", 17))
'WZ01-B02-F03-017H'
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from stdnum.iso7064 import mod_37_36

from models.errors import InvalidRoomCode, UnknownRoomCode

__all__ = [
    "BUILDING_RE",
    "SITE_RE",
    "STOREY_RE",
    "RoomCode",
    "building_number",
    "check_character",
    "closest_codes",
    "element_id",
    "storey_codes_by_elevation",
    "unknown_room_code",
]

SITE_RE = re.compile(r"[A-Z0-9]{2,8}")
BUILDING_RE = re.compile(r"B\d{2}")
STOREY_RE = re.compile(r"F\d{2}|B\d|RF")
_ROOM_CODE_RE = re.compile(
    r"(?P<site>[A-Z0-9]{2,8})-(?P<building>B\d{2})-(?P<storey>F\d{2}|B\d|RF)-"
    r"(?P<room>\d{3})(?P<check>[0-9A-Z])"
)


def check_character(code_without_hyphens: str) -> str:
    """The MOD 37,36 check character over `code_without_hyphens`.

    >>> check_character("A12425GABC1234002")
    'M'
    """
    return str(mod_37_36.calc_check_digit(code_without_hyphens))


@dataclass(frozen=True, order=True)
class RoomCode:
    """One room's code; immutable, ordered by site, building, storey and number."""

    site: str
    building: str
    storey: str
    room_number: int

    @classmethod
    def make(cls, site: str, building: str, storey: str, room_number: int) -> RoomCode:
        """Build a code from its parts, checking each part's form."""
        if not SITE_RE.fullmatch(site):
            raise InvalidRoomCode(f"invalid site code {site!r}: 2 to 8 upper-case letters/digits")
        if not BUILDING_RE.fullmatch(building):
            raise InvalidRoomCode(f"invalid building code {building!r}: B01 to B99")
        if not STOREY_RE.fullmatch(storey):
            raise InvalidRoomCode(f"invalid storey code {storey!r}: F01…, B1…, or RF")
        if not 1 <= room_number <= 999:
            raise InvalidRoomCode(f"invalid room number {room_number}: 001 to 999")
        return cls(site, building, storey, room_number)

    @classmethod
    def parse(cls, text: str) -> RoomCode:
        """Parse and verify a code as a person typed it (case and outer spaces forgiven).

        Raises `InvalidRoomCode` naming what is wrong: its form or its check character.
        """
        cleaned = text.strip().upper()
        match = _ROOM_CODE_RE.fullmatch(cleaned)
        if match is None:
            raise InvalidRoomCode(
                f"invalid room code {text!r}: expected SITE-Bnn-STOREY-NNNC, e.g. WZ01-B02-F03-017H"
            )
        code = cls(match["site"], match["building"], match["storey"], int(match["room"]))
        if match["check"] != code.check:
            raise InvalidRoomCode(
                f"invalid room code {text!r} (check character): a character is mistyped"
            )
        return code

    @property
    def body(self) -> str:
        """The code without hyphens and check character, e.g. `WZ01B02F03017`."""
        return f"{self.site}{self.building}{self.storey}{self.room_number:03d}"

    @property
    def check(self) -> str:
        return check_character(self.body)

    @property
    def building_code(self) -> str:
        """The building's code as used in paths and options, e.g. `WZ01-B02`."""
        return f"{self.site}-{self.building}"

    @property
    def storey_code(self) -> str:
        """The storey's campus-unique code, e.g. `WZ01-B02-F03`."""
        return f"{self.site}-{self.building}-{self.storey}"

    def __str__(self) -> str:
        return f"{self.site}-{self.building}-{self.storey}-{self.room_number:03d}{self.check}"


def building_number(index: int) -> str:
    """The building part for the index-th building of a site (1-based): `B01`…`B99`."""
    if not 1 <= index <= 99:
        raise InvalidRoomCode(f"a site holds at most 99 buildings, not {index}")
    return f"B{index:02d}"


def element_id(site: str, building: str | None, number: int) -> str:
    """A campus-unique element id, safe in a shell and a URL.

    >>> element_id("WZ01", "B01", 421)
    'WZ01-B01-E000421'
    >>> element_id("WZ01", None, 7)
    'WZ01-E000007'
    """
    prefix = f"{site}-{building}" if building else site
    return f"{prefix}-E{number:06d}"


def storey_codes_by_elevation(
    elevations_m: Sequence[float], roof_flags: Sequence[bool] | None = None
) -> list[str]:
    """Storey codes for storeys at `elevations_m`, in the same order.

    F01 is the storey nearest elevation 0; storeys above count up (F02…), storeys
    below count down (B1, B2…). The topmost storey is `RF` when its flag in
    `roof_flags` says it is a roof.

    >>> storey_codes_by_elevation([3.6, 0.0, -4.0, 7.2])
    ['F02', 'F01', 'B1', 'F03']
    """
    if not elevations_m:
        return []
    order = sorted(range(len(elevations_m)), key=lambda i: (elevations_m[i], i))
    ground_rank = min(range(len(order)), key=lambda r: (abs(elevations_m[order[r]]), r))
    codes = [""] * len(elevations_m)
    for rank, index in enumerate(order):
        if rank >= ground_rank:
            codes[index] = f"F{rank - ground_rank + 1:02d}"
        else:
            codes[index] = f"B{ground_rank - rank}"
    top = order[-1]
    if roof_flags is not None and roof_flags[top] and len(order) > 1 and top != order[ground_rank]:
        codes[top] = "RF"
    return codes


def closest_codes(text: str, known: Iterable[str], n: int = 5) -> list[str]:
    """The known codes most like `text`, best first (for 'did you mean')."""
    return difflib.get_close_matches(text.strip().upper(), list(known), n=n, cutoff=0.5)


def unknown_room_code(code: str, known: Iterable[str]) -> UnknownRoomCode:
    """The error for a well-formed code that no room has, naming the closest codes."""
    closest = closest_codes(code, known)
    hint = f"; closest: {', '.join(closest)}" if closest else ""
    return UnknownRoomCode(f"unknown room code {code}{hint}", closest)
