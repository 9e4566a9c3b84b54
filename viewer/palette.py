"""The one colour palette of the twin: colour modes for rooms, and colours for everything else.

A colour mode says which room field colours a room and how: `category` (a fixed
colour per value, e.g. usage), `hashed` (open-ended text such as a department,
coloured by a stable hash into a qualitative list, so the page and the server agree
without a table) or `band` (numeric ranges, e.g. net floor area). The web page gets
the whole definition as data (`palette_document`, served at `/api/palette`) and the
snapshots call `colour_for` / `legend`, so both always show the same colours. Later
layers (occupancy, sensor values, area against standard) add modes here as data.

>>> colour_for("usage", {"usage": "office"})
'#4e79a7'
>>> colour_for("area", {"net_floor_area_m2": 25.0})
'#7fcdbb'
>>> [entry["key"] for entry in legend("usage", [{"usage": "office"}, {"usage": "plant"}])]
['office', 'plant']
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from bim_import.usage import usage_categories
from models.errors import BadInput

__all__ = [
    "AREA_BANDS_M2",
    "COLOUR_MODES",
    "HIGHLIGHT_COLOUR",
    "MEDIUM_COLOURS",
    "QUALITATIVE_COLOURS",
    "STRUCTURE_COLOURS",
    "Band",
    "Category",
    "ColourMode",
    "colour_for",
    "fnv1a_32",
    "legend",
    "medium_colour",
    "palette_document",
]

HIGHLIGHT_COLOUR = "#ff1fd2"
"""The picked or searched room; no mode uses this magenta."""

MISSING_COLOUR = "#d9d9d9"

# Usage colours, chosen apart from each other and from the highlight; a category that
# usage.toml gains later without a colour here still gets one (hashed), never an error.
_USAGE_COLOURS: dict[str, tuple[str, str]] = {
    "office": ("Office", "#4e79a7"),
    "meeting": ("Meeting", "#f28e2b"),
    "circulation": ("Circulation", "#e3d3a4"),
    "sanitary": ("Sanitary", "#76b7b2"),
    "pantry": ("Pantry / kitchen", "#edc948"),
    "storage": ("Storage", "#9c755f"),
    "plant": ("Plant", "#e15759"),
    "it": ("IT / server", "#b07aa1"),
    "residential": ("Residential", "#59a14f"),
    "unclassified": ("Unclassified", "#b5b5b5"),
}

QUALITATIVE_COLOURS: tuple[str, ...] = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#17becf",
    "#bcbd22",
    "#393b79",
    "#637939",
    "#8c6d31",
    "#843c39",
    "#7b4173",
    "#3182bd",
    "#31a354",
)
"""Colours for open-ended values (departments), picked by `fnv1a_32(value) % len`."""

AREA_BANDS_M2: tuple[float, ...] = (10.0, 20.0, 40.0, 80.0, 150.0)
_AREA_COLOURS = ("#ffffcc", "#c7e9b4", "#7fcdbb", "#41b6c4", "#2c7fb8", "#253494")

STRUCTURE_COLOURS: dict[str, str] = {
    "walls": "#e6e1d8",
    "slabs": "#b9b4aa",
    "roofs": "#9e978b",
    "coverings": "#f2efe9",
    "openings": "#8fb3c9",
    "other": "#c9c2b6",
}
"""Colours of the building groups of the GLB (`viewer.gltf.GROUPS`), lit by the page."""

MEDIUM_COLOURS: dict[str, str] = {
    "cold water": "#1f78b4",
    "hot water": "#ff7f00",
    "heating": "#e4572e",
    "drainage": "#8c510a",
    "sprinkler": "#b2182b",
    "gas": "#f2c40f",
    "ventilation": "#33a02c",
    "power": "#6a3d9a",
    "data": "#cab2d6",
    "unknown": "#7f7f7f",
}
"""Services in X-ray, by the medium of their system."""


@dataclass(frozen=True)
class Category:
    """One value of a `category` mode (or the `missing` entry of any mode)."""

    key: str
    label: str
    colour: str


@dataclass(frozen=True)
class Band:
    """Values `low ≤ v < high` of a `band` mode; `None` bounds are open."""

    key: str
    label: str
    colour: str
    low: float | None
    high: float | None

    def holds(self, value: float) -> bool:
        return (self.low is None or value >= self.low) and (self.high is None or value < self.high)


@dataclass(frozen=True)
class ColourMode:
    """How to colour rooms by one field of the room dicts the API returns."""

    key: str
    label: str
    field: str
    kind: Literal["category", "hashed", "band"]
    missing: Category
    categories: tuple[Category, ...] = ()
    bands: tuple[Band, ...] = ()
    unit: str | None = None
    hashed_colours: tuple[str, ...] = ()

    def entry_for(self, value: Any) -> Category | Band:
        """The legend entry a room with this field value falls in."""
        if value is None or value == "":
            return self.missing
        if self.kind == "band":
            number = float(value)
            if math.isnan(number):
                return self.missing
            return next(band for band in self.bands if band.holds(number))
        text = str(value)
        for category in self.categories:
            if category.key == text:
                return category
        colours = self.hashed_colours or QUALITATIVE_COLOURS
        return Category(text, text, colours[fnv1a_32(text) % len(colours)])


def fnv1a_32(text: str) -> int:
    """FNV-1a (32 bit) of the UTF-8 bytes; the page computes the same (`palette.js`).

    >>> fnv1a_32("Finance")
    3319603597
    """
    value = 0x811C9DC5
    for byte in text.encode("utf-8"):
        value = ((value ^ byte) * 0x01000193) & 0xFFFFFFFF
    return value


def _usage_mode() -> ColourMode:
    known = usage_categories()
    # The palette's order first (office, meeting, …), then categories it has no colour for.
    ordered = [key for key in _USAGE_COLOURS if key in known]
    ordered += [key for key in known if key not in _USAGE_COLOURS]
    categories = []
    for key in ordered:
        label, colour = _USAGE_COLOURS.get(
            key, (key.capitalize(), QUALITATIVE_COLOURS[fnv1a_32(key) % len(QUALITATIVE_COLOURS)])
        )
        categories.append(Category(key, label, colour))
    return ColourMode(
        key="usage",
        label="Usage",
        field="usage",
        kind="category",
        categories=tuple(categories),
        missing=Category("none", "No usage", MISSING_COLOUR),
    )


def _area_bands() -> tuple[Band, ...]:
    edges: list[float | None] = [None, *AREA_BANDS_M2, None]
    bands = []
    for index, colour in enumerate(_AREA_COLOURS):
        low, high = edges[index], edges[index + 1]
        if low is None:
            label = f"< {high:g} m²"
        elif high is None:
            label = f"≥ {low:g} m²"
        else:
            label = f"{low:g}–{high:g} m²"
        bands.append(Band(f"band{index}", label, colour, low, high))
    return tuple(bands)


COLOUR_MODES: dict[str, ColourMode] = {
    mode.key: mode
    for mode in (
        _usage_mode(),
        ColourMode(
            key="department",
            label="Department",
            field="department",
            kind="hashed",
            hashed_colours=QUALITATIVE_COLOURS,
            missing=Category("none", "No department set", MISSING_COLOUR),
        ),
        ColourMode(
            key="area",
            label="Net floor area",
            field="net_floor_area_m2",
            kind="band",
            bands=_area_bands(),
            unit="m²",
            missing=Category("none", "No area", MISSING_COLOUR),
        ),
    )
}
"""Every colour mode by key, in the order the page lists them."""


def _mode(mode: str) -> ColourMode:
    try:
        return COLOUR_MODES[mode]
    except KeyError:
        raise BadInput(f"unknown colour mode {mode!r}; one of: {', '.join(COLOUR_MODES)}") from None


def colour_for(mode: str, room: Mapping[str, Any]) -> str:
    """The `#rrggbb` colour of a room (a dict as `twin.rooms.list_rooms` gives) in a mode."""
    chosen = _mode(mode)
    return chosen.entry_for(room.get(chosen.field)).colour


def legend(mode: str, rooms: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The legend of the rooms shown: one entry per colour in use, in palette order.

    Each entry is `{"key", "label", "colour", "count"}`; values the palette has no
    fixed colour for (departments) follow the fixed ones, by label; `missing` last.
    """
    chosen = _mode(mode)
    counts: dict[str, int] = {}
    entries: dict[str, Category | Band] = {}
    for room in rooms:
        entry = chosen.entry_for(room.get(chosen.field))
        counts[entry.key] = counts.get(entry.key, 0) + 1
        entries[entry.key] = entry
    fixed: Sequence[Category | Band] = chosen.bands if chosen.kind == "band" else chosen.categories
    order = [entry.key for entry in fixed if entry.key in counts]
    known = {*order, chosen.missing.key}
    order += sorted((key for key in counts if key not in known), key=lambda k: entries[k].label)
    if chosen.missing.key in counts:
        order.append(chosen.missing.key)
    return [
        {
            "key": key,
            "label": entries[key].label,
            "colour": entries[key].colour,
            "count": counts[key],
        }
        for key in order
    ]


def medium_colour(medium: str | None) -> str:
    """The X-ray colour of services carrying `medium` (`unknown` when not known)."""
    return MEDIUM_COLOURS.get(medium or "unknown", MEDIUM_COLOURS["unknown"])


def _category_json(category: Category) -> dict[str, Any]:
    return {"key": category.key, "label": category.label, "colour": category.colour}


def palette_document() -> dict[str, Any]:
    """The palette as JSON for the page: every mode, every category and band, with colours."""
    modes = []
    for mode in COLOUR_MODES.values():
        modes.append(
            {
                "key": mode.key,
                "label": mode.label,
                "field": mode.field,
                "kind": mode.kind,
                "unit": mode.unit,
                "categories": [_category_json(c) for c in mode.categories],
                "bands": [
                    {
                        **_category_json(Category(b.key, b.label, b.colour)),
                        "low": b.low,
                        "high": b.high,
                    }
                    for b in mode.bands
                ],
                "hashed_colours": list(mode.hashed_colours or QUALITATIVE_COLOURS),
                "hash": "fnv1a32-utf8" if mode.kind == "hashed" else None,
                "missing": _category_json(mode.missing),
            }
        )
    return {
        "modes": modes,
        "default_mode": "usage",
        "highlight": HIGHLIGHT_COLOUR,
        "structure": dict(STRUCTURE_COLOURS),
        "media": dict(MEDIUM_COLOURS),
    }
