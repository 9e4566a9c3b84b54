"""Checks against the area standard and the lifecycle warnings, on states built by hand."""

from __future__ import annotations

from datetime import date

import pytest

from twin.planning.checks import (
    department_figures,
    lifecycle_warnings,
    person_figures,
    room_figures,
    state_warnings,
)
from twin.planning.standards import CheckSettings
from twin.planning.state import Department, Person, PlanningState, PlanRoom

ALLOWANCE = {"bureau_chief": 24.0, "deputy_bureau_chief": 18.0, "below_bureau": 9.0}


def office(code: str, area: float, department: str | None = None) -> PlanRoom:
    return PlanRoom(code, "S-B01", "S-B01-F01", 0, "office", area, 4, True, department)


def state() -> PlanningState:
    return PlanningState(
        level="municipal",
        allowance_m2=ALLOWANCE,
        departments=(Department("FIN", "Finance"), Department("HR", "HR")),
        staff=(
            Person("P1", "chief", "FIN", "bureau_chief", "R1"),
            Person("P2", "a", "FIN", "below_bureau", "R2"),
            Person("P3", "b", "FIN", "below_bureau", "R2"),
            Person("P4", "c", "HR", "deputy_bureau_chief", "R3"),
            Person("P5", "d", "HR", "below_bureau", None),
        ),
        rooms=(
            office("R1", 30.0, "FIN"),  # 24 allowed: 6 over
            office("R2", 18.0, "FIN"),  # 2 × 9: within
            office("R3", 18.0),  # only HR sits there: HR's
            office("R4", 12.0, "FIN"),  # nobody: idle
            office("R5", 15.0),  # nobody, nobody's
        ),
    )


def test_rooms_people_and_departments_against_the_standard() -> None:
    rooms = {r.room_code: r for r in room_figures(state())}
    assert (rooms["R1"].standing, rooms["R1"].entitlement_m2, rooms["R1"].over_m2) == (
        "over",
        24.0,
        6.0,
    )
    assert (rooms["R2"].standing, rooms["R2"].occupants, rooms["R2"].over_m2) == ("within", 2, 0)
    assert rooms["R4"].standing == rooms["R5"].standing == "idle"
    assert room_figures(state(), tolerance_m2=6.0)[0].standing == "within"
    people = {p.staff_id: p for p in person_figures(state())}
    assert (people["P1"].allowance_m2, people["P1"].actual_m2, people["P1"].over_m2) == (24, 30, 6)
    assert (people["P2"].actual_m2, people["P2"].over_m2) == (9.0, 0.0)
    assert people["P5"].actual_m2 is None
    departments = {d.department: d for d in department_figures(state())}
    assert departments["FIN"].rooms == ("R1", "R2", "R4")
    assert (departments["FIN"].area_m2, departments["FIN"].entitlement_m2) == (60.0, 42.0)
    assert departments["FIN"].over_m2 == 18.0
    assert (departments["HR"].rooms, departments["HR"].over_m2) == (("R3",), -9.0)


def test_state_warnings_carry_kind_code_figures_and_message() -> None:
    found = state_warnings(state(), CheckSettings(), utilisation={"R2": 0.04, "R1": 0.5})
    keyed = {(w["kind"], w["code"]): w for w in found}
    assert set(keyed) == {
        ("over_standard", "R1"),
        ("idle", "R2"),
        ("idle", "R4"),
        ("idle", "R5"),
        ("department_over_entitlement", "FIN"),
    }
    over = keyed[("over_standard", "R1")]
    assert over["figures"]["over_m2"] == 6.0 and over["figures"]["entitlement_m2"] == 24.0
    assert over["message"] == "R1: 30 m² for 1 person entitled to 24 m², 6 m² over standard"
    assert keyed[("idle", "R2")]["figures"]["utilisation"] == 0.04
    assert "used 4% of working time" in keyed[("idle", "R2")]["message"]
    assert keyed[("idle", "R4")]["message"] == "R4: 12 m² office with nobody assigned"
    assert keyed[("department_over_entitlement", "FIN")]["figures"]["over_m2"] == 18.0


def lease(**changes: object) -> dict[str, object]:
    base: dict[str, object] = {
        "ownership": "leased",
        "counterparty": "L",
        "lease_start": "2025-01-01",
        "lease_end": "2027-12-31",
        "rent_amount": 100.0,
        "rent_period": "month",
        "paid_until": "2026-12-31",
        "last_maintenance": None,
        "disposed_on": None,
    }
    return {**base, **changes}


@pytest.mark.parametrize(
    ("state_now", "kinds"),
    [
        (lease(), []),
        (lease(lease_end="2027-03-01"), ["lease_ending"]),  # 89 days ahead
        (lease(lease_end="2027-03-03"), []),  # 91 days ahead
        (lease(lease_end="2026-11-01"), ["lease_ending"]),  # ended, not renewed
        (lease(paid_until="2026-11-30"), ["rent_overdue"]),
        (lease(paid_until=None), ["rent_overdue"]),  # never paid since the start
        (lease(paid_until="2026-11-30", disposed_on="2026-11-01"), []),
        (lease(ownership="owned", paid_until="2020-01-01"), []),
    ],
)
def test_lease_and_rent_warnings(state_now: dict[str, object], kinds: list[str]) -> None:
    found = lifecycle_warnings({"R9": state_now}, CheckSettings(), date(2026, 12, 2))
    assert [w["kind"] for w in found] == kinds


def test_rent_overdue_counts_days() -> None:
    (found,) = lifecycle_warnings(
        {"R9": lease(paid_until="2026-11-30")}, CheckSettings(), date(2026, 12, 10)
    )
    assert found["figures"]["days_overdue"] == 10
    assert (
        found["message"] == "R9: rent (100 per month) paid only until 2026-11-30, 10 days overdue"
    )
