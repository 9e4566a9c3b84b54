"""The area standards table: the defaults of the 2014 standard and a site's overrides."""

from __future__ import annotations

import pytest

from models.errors import BadInput
from twin.planning.standards import load_standards, parse_standards_toml


def test_defaults_hold_every_level_of_the_national_table() -> None:
    table = load_standards()
    assert list(table.levels) == ["central", "provincial", "municipal", "county"]
    assert table.allowance_m2("central") == {
        "minister": 54,
        "vice_minister": 42,
        "director_general": 24,
        "deputy_director_general": 18,
        "division_chief": 12,
        "below_division": 9,
    }
    assert table.allowance_m2("provincial")["bureau_director"] == 30
    assert table.allowance_m2("provincial")["division_chief"] == 18
    assert table.allowance_m2("municipal") == {
        "mayor": 42,
        "vice_mayor": 30,
        "bureau_chief": 24,
        "deputy_bureau_chief": 18,
        "below_bureau": 9,
    }
    assert table.allowance_m2("county")["county_head"] == 30
    county = table.level("county")
    assert county.name == "县级机关"
    assert [r.name for r in county.ranks][:2] == ["县级正职", "县级副职"]


def test_a_site_overrides_one_value_adds_a_rank_and_sets_checks() -> None:
    override = parse_standards_toml(
        """
        [levels.municipal.ranks.below_bureau]
        area_m2 = 10.5
        [levels.municipal.ranks.intern]
        area_m2 = 6
        [checks]
        lease_warning_days = 30
        """
    )
    table = load_standards(override)
    allowance = table.allowance_m2("municipal")
    assert allowance["below_bureau"] == 10.5
    assert allowance["intern"] == 6
    assert allowance["mayor"] == 42
    assert table.level("municipal").ranks[0].name == "市级正职"
    assert table.checks.lease_warning_days == 30
    assert load_standards().allowance_m2("municipal")["below_bureau"] == 9


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("[levels.county.ranks.x]\narea_m2 = -3", "positive number"),
        ("[levels.county.ranks.x]\narea_m2 = 'ten'", "positive number"),
        ("[checks]\nlease_days = 3", "unknown check"),
        ("[rooms]\nx = 1", "unknown table"),
        ("[levels.county", "not valid TOML"),
        ("[levels.new.ranks.x]\nname = 'x'", "area_m2 is missing"),
    ],
)
def test_bad_site_standards_are_refused_with_the_reason(text: str, problem: str) -> None:
    with pytest.raises(BadInput, match=problem):
        load_standards(parse_standards_toml(text))


def test_an_unknown_level_names_the_levels() -> None:
    with pytest.raises(BadInput, match=r"unknown standards level 'city'.*municipal"):
        load_standards().allowance_m2("city")
