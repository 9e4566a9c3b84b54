"""The one palette: every usage has its own colour, bands and hashes behave, the page agrees."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from bim_import.usage import usage_categories
from models.errors import BadInput
from viewer.palette import (
    COLOUR_MODES,
    HIGHLIGHT_COLOUR,
    MEDIUM_COLOURS,
    colour_for,
    fnv1a_32,
    legend,
    medium_colour,
    palette_document,
)

PALETTE_JS = Path(__file__).resolve().parents[2] / "viewer" / "web" / "src" / "palette.js"


def test_every_usage_category_has_its_own_colour() -> None:
    colours = {usage: colour_for("usage", {"usage": usage}) for usage in usage_categories()}
    assert set(colours) == set(usage_categories())
    assert len(set(colours.values())) == len(colours), colours
    assert HIGHLIGHT_COLOUR not in colours.values()
    assert colours["office"] != colours["meeting"]


def test_colours_are_hex_triplets() -> None:
    document = palette_document()
    found = [
        entry["colour"]
        for mode in document["modes"]
        for entry in [*mode["categories"], *mode["bands"], mode["missing"]]
    ]
    found += list(document["media"].values()) + list(document["structure"].values())
    assert found
    for colour in found:
        assert len(colour) == 7 and colour[0] == "#", colour
        int(colour[1:], 16)


def test_area_bands_have_closed_lower_and_open_upper_bounds() -> None:
    def band(area: float | None) -> str:
        return colour_for("area", {"net_floor_area_m2": area})

    assert band(9.99) != band(10.0)
    assert band(10.0) == band(19.99)
    assert band(0.0) == band(9.0)
    assert band(150.0) == band(5000.0)
    assert band(None) == COLOUR_MODES["area"].missing.colour
    assert len({band(a) for a in (5, 15, 30, 60, 100, 200)}) == 6


def test_department_colours_are_stable_hashes_and_missing_is_grey() -> None:
    finance = colour_for("department", {"department": "Finance"})
    assert finance == colour_for("department", {"department": "Finance"})
    assert finance in COLOUR_MODES["department"].hashed_colours
    assert (
        colour_for("department", {"department": None}) == COLOUR_MODES["department"].missing.colour
    )
    # The reference values of FNV-1a 32: the page computes the same function.
    assert fnv1a_32("") == 0x811C9DC5
    assert fnv1a_32("a") == 0xE40C292C
    assert fnv1a_32("foobar") == 0xBF9CF968


def test_unknown_usage_still_gets_a_colour_and_unknown_mode_is_refused() -> None:
    assert colour_for("usage", {"usage": "laboratory"}).startswith("#")
    with pytest.raises(BadInput, match="unknown colour mode 'noise'"):
        colour_for("noise", {})


def test_legend_counts_rooms_in_palette_order_with_missing_last() -> None:
    rooms: list[dict[str, Any]] = [
        {"usage": "plant", "department": None},
        {"usage": "office", "department": "HR"},
        {"usage": "office", "department": "Finance"},
        {"usage": "meeting", "department": "HR"},
    ]
    usage = legend("usage", rooms)
    assert [(e["key"], e["count"]) for e in usage] == [("office", 2), ("meeting", 1), ("plant", 1)]
    assert all(e["colour"] == colour_for("usage", {"usage": e["key"]}) for e in usage)
    departments = legend("department", rooms)
    assert [(e["key"], e["count"]) for e in departments] == [
        ("Finance", 1),
        ("HR", 2),
        ("none", 1),
    ]
    assert sum(e["count"] for e in departments) == len(rooms)
    assert legend("area", []) == []


def test_palette_document_is_json_and_matches_colour_for() -> None:
    document = json.loads(json.dumps(palette_document()))
    assert [mode["key"] for mode in document["modes"]] == list(COLOUR_MODES)
    assert document["default_mode"] in COLOUR_MODES
    usage = next(mode for mode in document["modes"] if mode["key"] == "usage")
    for category in usage["categories"]:
        assert category["colour"] == colour_for("usage", {"usage": category["key"]})
    area = next(mode for mode in document["modes"] if mode["key"] == "area")
    for band in area["bands"]:
        inside = band["low"] if band["low"] is not None else band["high"] - 1
        assert band["colour"] == colour_for("area", {"net_floor_area_m2": inside})


def test_temperature_ramps_between_stops_and_grey_without_a_sensor() -> None:
    def at(value: float | None) -> str:
        return colour_for("temperature", {"temperature": value})

    assert at(10.0) == at(16.0) == "#2c7bb6" and at(40.0) == at(28.0) == "#d7191c"
    assert at(22.0) == "#ffffbf"
    assert at(23.0) == "#fed790"  # halfway from #ffffbf to #fdae61, rounded half up
    assert at(None) == COLOUR_MODES["temperature"].missing.colour
    assert len({at(v) for v in (18.0, 19.0, 21.0, 25.0, 26.0)}) == 5
    entries = legend("temperature", [{"temperature": 20.8}, {"temperature": 27.0}, {}])
    assert [(e["key"], e["count"]) for e in entries] == [("t20", 1), ("t28", 1), ("none", 1)]


def test_live_modes_are_marked_live() -> None:
    document = palette_document()
    live = [mode["key"] for mode in document["modes"] if mode["live"]]
    assert live == ["temperature", "occupancy", "alarms"]
    assert colour_for("alarms", {"alarm_state": "raised"}) != colour_for("alarms", {})
    assert colour_for("occupancy", {"occupancy_now": "full"}) != colour_for(
        "occupancy", {"occupancy_now": "empty"}
    )


def test_services_colour_by_medium() -> None:
    assert medium_colour("heating") == MEDIUM_COLOURS["heating"]
    assert medium_colour(None) == medium_colour("no such medium") == MEDIUM_COLOURS["unknown"]
    assert len(set(MEDIUM_COLOURS.values())) == len(MEDIUM_COLOURS)


def test_the_page_colours_and_legends_like_python() -> None:
    """palette.js, run by node over palette_document(), gives the same colours and legends."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed; the web client's palette cannot be run")
    live = [
        (21.3, "empty", "raised"),
        (15.0, "full", None),
        (None, None, "acknowledged"),
        (29.5, "in_use", None),
        (23.77, "over_half", "raised"),
        (17.01, "under_half", None),
    ]
    rooms = [
        {
            "usage": usage,
            "department": department,
            "net_floor_area_m2": area,
            "temperature": temperature,
            "occupancy_now": occupancy,
            "alarm_state": alarm,
        }
        for (usage, department, area), (temperature, occupancy, alarm) in zip(
            [
                ("office", "Finance", 12.5),
                ("meeting", "Facilities 设施", 45.0),
                ("plant", None, None),
                ("storage", "HR", 150.0),
                ("sanitary", "HR", 3.0),
                ("laboratory", "", 80.0),
            ],
            live,
            strict=True,
        )
    ]
    script = f"""
import {{ Palette }} from {json.dumps(PALETTE_JS.as_uri())};
const input = JSON.parse(await new Promise((resolve) => {{
  let text = '';
  process.stdin.on('data', (chunk) => text += chunk);
  process.stdin.on('end', () => resolve(text));
}}));
const palette = new Palette(input.document);
const out = {{}};
for (const mode of input.modes) {{
  out[mode] = {{
    colours: input.rooms.map((room) => palette.colourFor(mode, room)),
    legend: palette.legend(mode, input.rooms),
  }};
}}
console.log(JSON.stringify(out));
"""
    payload = {"document": palette_document(), "rooms": rooms, "modes": list(COLOUR_MODES)}
    result = subprocess.run(
        [node, "--input-type=module", "-e", script],
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    page = json.loads(result.stdout)
    for mode in COLOUR_MODES:
        assert page[mode]["colours"] == [colour_for(mode, room) for room in rooms], mode
        assert page[mode]["legend"] == legend(mode, rooms), mode


def test_area_vs_standard_mode_colours_within_over_and_idle_apart() -> None:
    from viewer.palette import STANDARD_COLOURS

    colours = {
        standing: colour_for("standard", {"area_standard": standing})
        for standing in ("within", "over", "idle")
    }
    assert colours == STANDARD_COLOURS
    assert len(set(colours.values())) == 3
    assert colour_for("standard", {"area_standard": None}) == "#d9d9d9"
    rooms = [{"area_standard": s} for s in ("idle", None, "over", "within", "over")]
    assert [(e["key"], e["count"]) for e in legend("standard", rooms)] == [
        ("within", 1),
        ("over", 2),
        ("idle", 1),
        ("none", 1),
    ]
