"""Office area standards as data: m² per person by administrative level and rank.

The defaults (`standards.toml`, beside this module) are the 2014 national standard
for party and government office buildings (党政机关办公用房建设标准). A site picks
one level and may override any value with a TOML of the same shape, e.g.::

    [levels.municipal.ranks.below_bureau]
    area_m2 = 10

    [checks]
    over_standard_tolerance_m2 = 1.0

The `[checks]` table holds the per-site settings of the warnings.

>>> table = load_standards()
>>> table.allowance_m2("central")["minister"], table.allowance_m2("county")["below_section"]
(54.0, 9.0)
>>> load_standards(parse_standards_toml('[levels.county.ranks.below_section]\\narea_m2 = 10'))\\
... .allowance_m2("county")["below_section"]
10.0
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from models.errors import BadInput

__all__ = [
    "DEFAULT_CHECKS",
    "DEFAULT_STANDARDS_FILE",
    "CheckSettings",
    "Level",
    "Rank",
    "Standards",
    "load_standards",
    "parse_standards_toml",
]

DEFAULT_STANDARDS_FILE = Path(__file__).with_name("standards.toml")


@dataclass(frozen=True)
class Rank:
    """One rank of a level: its key (`below_bureau`), Chinese name, English label and m²."""

    key: str
    name: str
    label: str
    area_m2: float


@dataclass(frozen=True)
class Level:
    """An administrative level (`central`, `provincial`, `municipal`, `county`) and its ranks."""

    key: str
    name: str
    label: str
    ranks: tuple[Rank, ...]


@dataclass(frozen=True)
class CheckSettings:
    """What the warnings take as over, idle and soon: per-site, from `[checks]`."""

    over_standard_tolerance_m2: float = 0.0
    idle_utilisation_below: float = 0.10
    lease_warning_days: int = 90


DEFAULT_CHECKS = CheckSettings()


@dataclass(frozen=True)
class Standards:
    """Every level's table and the check settings, after a site's overrides."""

    levels: Mapping[str, Level]
    checks: CheckSettings = DEFAULT_CHECKS

    def level(self, key: str) -> Level:
        try:
            return self.levels[key]
        except KeyError:
            raise BadInput(
                f"unknown standards level {key!r}; one of: {', '.join(self.levels)}"
            ) from None

    def allowance_m2(self, level: str) -> dict[str, float]:
        """Rank key → m² per person at `level`."""
        return {rank.key: rank.area_m2 for rank in self.level(level).ranks}

    def public(self) -> dict[str, Any]:
        """The table as JSON: levels with their ranks, and the check settings."""
        return {
            "levels": [
                {
                    "level": level.key,
                    "name": level.name,
                    "label": level.label,
                    "ranks": [
                        {"rank": r.key, "name": r.name, "label": r.label, "area_m2": r.area_m2}
                        for r in level.ranks
                    ],
                }
                for level in self.levels.values()
            ],
            "checks": {
                "over_standard_tolerance_m2": self.checks.over_standard_tolerance_m2,
                "idle_utilisation_below": self.checks.idle_utilisation_below,
                "lease_warning_days": self.checks.lease_warning_days,
            },
        }


def parse_standards_toml(text: str, source: str = "standards") -> dict[str, Any]:
    """A site's standards TOML, parsed and checked for shape (BadInput names the problem)."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise BadInput(f"{source}: not valid TOML: {exc}") from None
    unknown = sorted(set(document) - {"levels", "checks"})
    if unknown:
        raise BadInput(f"{source}: unknown table {unknown[0]!r}; expected [levels…] or [checks]")
    for level_key, level in document.get("levels", {}).items():
        if not isinstance(level, dict):
            raise BadInput(f"{source}: levels.{level_key} must be a table")
        for rank_key, rank in level.get("ranks", {}).items():
            where = f"{source}: levels.{level_key}.ranks.{rank_key}"
            if not isinstance(rank, dict):
                raise BadInput(f"{where} must be a table")
            area = rank.get("area_m2")
            if area is not None and (
                isinstance(area, bool) or not isinstance(area, int | float) or area <= 0
            ):
                raise BadInput(f"{where}.area_m2 must be a positive number, not {area!r}")
    checks = document.get("checks", {})
    known_checks = set(CheckSettings.__dataclass_fields__)
    for key, value in checks.items():
        if key not in known_checks:
            raise BadInput(f"{source}: unknown check {key!r}; one of: {', '.join(known_checks)}")
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise BadInput(f"{source}: checks.{key} must be a number ≥ 0, not {value!r}")
    return document


def _merged(base: dict[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    result = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(result.get(key), dict):
            result[key] = _merged(result[key], value)
        else:
            result[key] = value
    return result


def load_standards(override: Mapping[str, Any] | None = None) -> Standards:
    """The default table with a site's `override` (a parsed standards TOML) laid over it."""
    document = parse_standards_toml(
        DEFAULT_STANDARDS_FILE.read_text(encoding="utf-8"), DEFAULT_STANDARDS_FILE.name
    )
    if override:
        document = _merged(document, override)
    levels: dict[str, Level] = {}
    for level_key, level in document["levels"].items():
        ranks = []
        for rank_key, rank in level.get("ranks", {}).items():
            if "area_m2" not in rank:
                raise BadInput(f"levels.{level_key}.ranks.{rank_key}: area_m2 is missing")
            ranks.append(
                Rank(
                    rank_key,
                    str(rank.get("name", rank_key)),
                    str(rank.get("label", rank_key.replace("_", " "))),
                    float(rank["area_m2"]),
                )
            )
        levels[level_key] = Level(
            level_key,
            str(level.get("name", level_key)),
            str(level.get("label", level_key)),
            tuple(ranks),
        )
    checks = document.get("checks", {})
    settings = CheckSettings(
        over_standard_tolerance_m2=float(
            checks.get("over_standard_tolerance_m2", DEFAULT_CHECKS.over_standard_tolerance_m2)
        ),
        idle_utilisation_below=float(
            checks.get("idle_utilisation_below", DEFAULT_CHECKS.idle_utilisation_below)
        ),
        lease_warning_days=int(checks.get("lease_warning_days", DEFAULT_CHECKS.lease_warning_days)),
    )
    return Standards(levels, settings)
