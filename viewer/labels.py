"""Door labels: one printable label per room, with its code in large type and a QR code.

The QR code links to `<public base URL>/?room=CODE`, which opens the 3D page on that
room; the base URL is the address people reach the server at, given by the caller
(never assumed: a phone cannot reach the server's 127.0.0.1). Labels are laid out
ten to an A4 sheet (2 × 5, 95 × 55 mm) with thin cut lines.

segno makes the QR matrix (pure Python, no imaging library) and fpdf2 writes the
PDF; the QR is drawn as vector rectangles, so it prints sharp at any size. Both are
imported only when a PDF is made. Text uses DejaVu Sans, with Droid Sans Fallback
for Chinese names when the Debian fonts are installed.

>>> label_url("https://twin.example.org/", "WZ01-B01-F02-003K")
'https://twin.example.org/?room=WZ01-B01-F02-003K'
"""

from __future__ import annotations

import ipaddress
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Engine

from models.errors import BadInput
from twin.rooms import list_rooms, resolve_building_code

__all__ = [
    "LABEL_SIZE_MM",
    "RoomLabel",
    "check_base_url",
    "label_url",
    "labels_pdf",
    "room_labels",
    "room_labels_pdf",
]

LABEL_SIZE_MM = (95.0, 55.0)
"""Width and height of one label."""

_PAGE_MM = (210.0, 297.0)
_GRID = (2, 5)
_PAD_MM = 4.0
_QR_MM = 36.0
_FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/truetype"))
_FONTS = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}
_FALLBACK_FONT = Path("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf")


@dataclass(frozen=True)
class RoomLabel:
    """What one door label shows."""

    room_code: str
    name: str
    long_name: str | None
    details: str
    url: str


def check_base_url(base_url: str | None) -> str:
    """`base_url` without a trailing slash, if people can reach it; `BadInput` else."""
    if not base_url:
        raise BadInput(
            "door labels need the address people reach the twin at: "
            "give --base-url or set TWIN_PUBLIC_BASE_URL (e.g. https://twin.campus.example)"
        )
    parts = urlsplit(base_url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BadInput(f"base URL {base_url!r} must look like https://twin.campus.example")
    if parts.query or parts.fragment:
        raise BadInput(f"base URL {base_url!r} must not carry a query or fragment")
    host = parts.hostname
    try:
        loopback = ipaddress.ip_address(host).is_loopback or host == "0.0.0.0"
    except ValueError:
        loopback = host == "localhost" or host.endswith(".localhost")
    if loopback:
        raise BadInput(
            f"base URL {base_url!r} points at this machine itself, which a phone scanning "
            "the door label cannot reach; give the address people reach the server at"
        )
    return base_url.strip().rstrip("/")


def label_url(base_url: str, room_code: str) -> str:
    """The page address a room's label links to."""
    return f"{base_url.rstrip('/')}/?room={room_code}"


def _details(room: dict[str, Any]) -> str:
    area = room["net_floor_area_m2"]
    parts = [room["usage"], f"storey {room['storey']}"]
    if area is not None:
        parts.append(f"{area:.1f} m²")
    return " · ".join(parts)


def room_labels(engine: Engine, building_code: str, base_url: str | None) -> list[RoomLabel]:
    """One label per active room of the building, in room-code order.

    Raises `UnknownBuilding`, or `BadInput` for an unreachable base URL or a
    building without rooms.
    """
    base = check_base_url(base_url)
    building = resolve_building_code(engine, building_code)
    rooms = list_rooms(engine, building=building)
    if not rooms:
        raise BadInput(f"building {building} has no active rooms to label")
    return [
        RoomLabel(
            room_code=room["room_code"],
            name=room["name"],
            long_name=room["long_name"],
            details=_details(room),
            url=label_url(base, room["room_code"]),
        )
        for room in rooms
    ]


def room_labels_pdf(engine: Engine, building_code: str, base_url: str | None) -> bytes:
    """A PDF of door labels for every active room of the building (see `room_labels`)."""
    building = resolve_building_code(engine, building_code)
    return labels_pdf(room_labels(engine, building, base_url), title=f"Door labels {building}")


def _font_file(name: str) -> Path | None:
    return next((d / name for d in _FONT_DIRS if (d / name).is_file()), None)


def _new_pdf(title: str) -> tuple[Any, str]:
    """An A4 document with the label fonts loaded; returns it and the font family."""
    try:
        from fpdf import FPDF
    except ModuleNotFoundError as exc:
        raise ModuleNotFoundError("door labels need fpdf2 (pip install fpdf2)") from exc
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_title(title)
    pdf.set_creator("Campus Twin")
    files = {style: _font_file(name) for style, name in _FONTS.items()}
    if not all(files.values()):
        # Core fonts know Latin-1 only; the labels stay legible for Western names.
        return pdf, "helvetica"
    for style, path in files.items():
        pdf.add_font("dejavu", style, str(path))
    if _FALLBACK_FONT.is_file():
        # One style only (it has no bold); exact_match=False lets bold text use it too.
        pdf.add_font("fallback", "", str(_FALLBACK_FONT))
        pdf.set_fallback_fonts(["fallback"], exact_match=False)
    return pdf, "dejavu"


def _printable(family: str, text: str) -> str:
    if family != "helvetica":
        return text
    return text.encode("latin-1", "replace").decode("latin-1")


def _fit(pdf: Any, family: str, style: str, text: str, width_mm: float, sizes: range) -> str:
    """Set the largest font size in `sizes` (pt, descending) at which `text` fits; else cut."""
    text = _printable(family, text)
    for size in sizes:
        pdf.set_font(family, style, size)
        if pdf.get_string_width(text) <= width_mm:
            return text
    ellipsis = "…" if family != "helvetica" else "..."
    while text and pdf.get_string_width(text + ellipsis) > width_mm:
        text = text[:-1]
    return text + ellipsis


def _draw_qr(pdf: Any, url: str, x_mm: float, y_mm: float, size_mm: float) -> None:
    """The QR code of `url` (error correction M, 4-module quiet zone) as filled rectangles."""
    try:
        import segno
    except ModuleNotFoundError as exc:
        raise ModuleNotFoundError("door labels need segno (pip install segno)") from exc
    rows = [list(row) for row in segno.make(url, error="m", micro=False).matrix_iter(border=4)]
    module = size_mm / len(rows)
    pdf.set_fill_color(0, 0, 0)
    for r, row in enumerate(rows):
        column = 0
        for dark, run in itertools.groupby(row):
            length = len(list(run))
            if dark:
                # A hair of overlap hides the seams some viewers draw between rectangles.
                pdf.rect(
                    x_mm + column * module,
                    y_mm + r * module,
                    length * module + 0.01,
                    module + 0.01,
                    style="F",
                )
            column += length


def _draw_label(pdf: Any, family: str, label: RoomLabel, x_mm: float, y_mm: float) -> None:
    width, height = LABEL_SIZE_MM
    inner = width - 2 * _PAD_MM
    pdf.set_draw_color(190, 190, 190)
    pdf.set_line_width(0.2)
    pdf.rect(x_mm, y_mm, width, height)
    pdf.set_text_color(0, 0, 0)
    code = _fit(pdf, family, "B", label.room_code, inner, range(28, 13, -1))
    pdf.set_xy(x_mm + _PAD_MM, y_mm + _PAD_MM)
    pdf.cell(inner, 10, code, align="C")
    qr_y = y_mm + _PAD_MM + 11
    _draw_qr(pdf, label.url, x_mm + _PAD_MM - 1, qr_y, _QR_MM)
    text_x = x_mm + _PAD_MM + _QR_MM + 1
    text_w = x_mm + width - _PAD_MM - text_x
    lines = [
        ("B", range(14, 8, -1), label.name, (0, 0, 0)),
        ("", range(11, 7, -1), label.long_name or "", (0, 0, 0)),
        ("", range(8, 6, -1), label.details, (90, 90, 90)),
    ]
    y = qr_y + 3
    for style, sizes, text, colour in lines:
        if not text:
            continue
        fitted = _fit(pdf, family, style, text, text_w, sizes)
        pdf.set_text_color(*colour)
        pdf.set_xy(text_x, y)
        pdf.cell(text_w, 7, fitted)
        y += 7.5
    pdf.set_text_color(110, 110, 110)
    url = _fit(pdf, family, "", label.url.split("://", 1)[-1], text_w, range(6, 4, -1))
    pdf.set_xy(text_x, qr_y + _QR_MM - 6)
    pdf.cell(text_w, 5, url)


def labels_pdf(labels: Sequence[RoomLabel], title: str = "Door labels") -> bytes:
    """The labels laid out ten to an A4 page, as PDF bytes."""
    pdf, family = _new_pdf(title)
    columns, rows = _GRID
    width, height = LABEL_SIZE_MM
    left = (_PAGE_MM[0] - columns * width) / 2
    top = (_PAGE_MM[1] - rows * height) / 2
    for index, label in enumerate(labels):
        slot = index % (columns * rows)
        if slot == 0:
            pdf.add_page()
        column, row = slot % columns, slot // columns
        _draw_label(pdf, family, label, left + column * width, top + row * height)
    return bytes(pdf.output())
