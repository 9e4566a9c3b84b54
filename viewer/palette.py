"""The one colour palette of the twin: colour modes for rooms, and colours for everything else.

A colour mode says which room field colours a room and how: `category` (a fixed
colour per value, e.g. usage), `hashed` (open-ended text such as a department,
coloured by a stable hash into a qualitative list, so the page and the server agree
without a table) or `band` (numeric ranges, e.g. net floor area). The web page gets
the whole definition as data (`palette_document`, served at `/api/palette`) and the
snapshots call `colour_for` / `legend`, so both always show the same colours. The
`standard` mode ("area vs standard") reads `area_standard`, which `twin.rooms.list_rooms`
adds to offices (within / over / idle); `department` reads the room's allocation.
Live modes (`live`: temperature, occupancy now, alarms) read fields that
`layers.live.live_rooms` adds to a room; `ramp` modes interpolate a colour between
stops (linear in 8-bit sRGB, rounded half up, as `palette.js` does).

>>> colour_for("usage", {"usage": "office"})
'#4e79a7'
>>> colour_for("area", {"net_floor_area_m2": 25.0})
'#7fcdbb'
>>> [entry["key"] for entry in legend("usage", [{"usage": "office"}, {"usage": "plant"}])]
['office', 'plant']
>>> colour_for("temperature", {"temperature": 21.0}), colour_for("temperature", {})
('#d5ecd4', '#d9d9d9')
"""

from __future__ import annotations

import itertools
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
    "STANDARD_COLOURS",
    "STRUCTURE_COLOURS",
    "Band",
    "Category",
    "ColourMode",
    "Stop",
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
class Stop:
    """A colour at a value of a `ramp` mode; between stops colours are interpolated."""

    key: str
    label: str
    colour: str
    value: float


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def _ramp_colour(stops: Sequence[Stop], value: float) -> str:
    """Linear in 8-bit sRGB between the two stops around `value`; the ends held beyond."""
    if value <= stops[0].value:
        return stops[0].colour
    for low, high in itertools.pairwise(stops):
        if value <= high.value:
            share = (value - low.value) / (high.value - low.value)
            mixed = (
                math.floor(a + (b - a) * share + 0.5)
                for a, b in zip(_rgb(low.colour), _rgb(high.colour), strict=True)
            )
            return "#" + "".join(f"{channel:02x}" for channel in mixed)
    return stops[-1].colour


@dataclass(frozen=True)
class ColourMode:
    """How to colour rooms by one field of the room dicts the API returns."""

    key: str
    label: str
    field: str
    kind: Literal["category", "hashed", "band", "ramp"]
    missing: Category
    categories: tuple[Category, ...] = ()
    bands: tuple[Band, ...] = ()
    unit: str | None = None
    hashed_colours: tuple[str, ...] = ()
    stops: tuple[Stop, ...] = ()
    live: bool = False

    def colour_of(self, value: Any) -> str:
        """The `#rrggbb` of a room with this field value (interpolated in a ramp)."""
        if self.kind == "ramp" and value is not None and value != "":
            number = float(value)
            if not math.isnan(number):
                return _ramp_colour(self.stops, number)
        return self.entry_for(value).colour

    def entry_for(self, value: Any) -> Category | Band | Stop:
        """The legend entry a room with this field value falls in (a ramp: the nearest stop)."""
        if value is None or value == "":
            return self.missing
        if self.kind == "ramp":
            number = float(value)
            if math.isnan(number):
                return self.missing
            return min(self.stops, key=lambda stop: abs(stop.value - number))
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


TEMPERATURE_STOPS_C: tuple[tuple[float, str], ...] = (
    (16.0, "#2c7bb6"),
    (20.0, "#abd9e9"),
    (22.0, "#ffffbf"),
    (24.0, "#fdae61"),
    (28.0, "#d7191c"),
)
"""The temperature ramp: blue when cold, pale yellow near 22 °C, red when hot."""
ALARM_COLOURS = {"raised": "#d62728", "acknowledged": "#ffb000"}


def _live_modes() -> tuple[ColourMode, ...]:
    occupancy = (
        ("empty", "Empty", "#e5f5e0"),
        ("in_use", "In use (no capacity)", "#fdd0a2"),
        ("under_half", "Under half full", "#a1d99b"),
        ("over_half", "Half full or more", "#41ab5d"),
        ("full", "Full or over capacity", "#8c2d04"),
    )
    return (
        ColourMode(
            key="temperature",
            label="Temperature",
            field="temperature",
            kind="ramp",
            unit="°C",
            stops=tuple(
                Stop(f"t{value:g}", f"{value:g} °C", colour, value)
                for value, colour in TEMPERATURE_STOPS_C
            ),
            missing=Category("none", "No temperature sensor", MISSING_COLOUR),
            live=True,
        ),
        ColourMode(
            key="occupancy",
            label="Occupancy now",
            field="occupancy_now",
            kind="category",
            categories=tuple(Category(*entry) for entry in occupancy),
            missing=Category("none", "No presence or people sensor", MISSING_COLOUR),
            live=True,
        ),
        ColourMode(
            key="alarms",
            label="Alarms",
            field="alarm_state",
            kind="category",
            categories=(
                Category("raised", "Alarm open", ALARM_COLOURS["raised"]),
                Category("acknowledged", "Alarm acknowledged", ALARM_COLOURS["acknowledged"]),
            ),
            missing=Category("none", "No open alarm", "#e8e6e1"),
            live=True,
        ),
    )


STANDARD_COLOURS = {"within": "#1a9850", "over": "#d73027", "idle": "#fdd835"}
"""Offices against the area standard (`twin.planning.standing`): green, red, yellow."""


def _standard_mode() -> ColourMode:
    return ColourMode(
        key="standard",
        label="Area vs standard",
        field="area_standard",
        kind="category",
        categories=(
            Category("within", "Within standard", STANDARD_COLOURS["within"]),
            Category("over", "Over standard", STANDARD_COLOURS["over"]),
            Category("idle", "Idle (nobody assigned)", STANDARD_COLOURS["idle"]),
        ),
        missing=Category("none", "Not an office, or no standard set", MISSING_COLOUR),
    )


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
        _standard_mode(),
        *_live_modes(),
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
    return chosen.colour_of(room.get(chosen.field))


def legend(mode: str, rooms: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The legend of the rooms shown: one entry per colour in use, in palette order.

    Each entry is `{"key", "label", "colour", "count"}`; values the palette has no
    fixed colour for (departments) follow the fixed ones, by label; `missing` last.
    """
    chosen = _mode(mode)
    counts: dict[str, int] = {}
    entries: dict[str, Category | Band | Stop] = {}
    for room in rooms:
        entry = chosen.entry_for(room.get(chosen.field))
        counts[entry.key] = counts.get(entry.key, 0) + 1
        entries[entry.key] = entry
    fixed: Sequence[Category | Band | Stop] = chosen.categories
    if chosen.kind in ("band", "ramp"):
        fixed = chosen.bands if chosen.kind == "band" else chosen.stops
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
                "stops": [
                    {**_category_json(Category(p.key, p.label, p.colour)), "value": p.value}
                    for p in mode.stops
                ],
                "live": mode.live,
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
