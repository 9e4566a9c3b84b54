"""Reads of the organisation: departments, staff, sites' standards, the change log."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from models.errors import BadInput, UnknownDepartment, UnknownStaff
from tests.twin.planning.conftest import offices
from twin.planning.directory import (
    chosen_sites,
    department_detail,
    list_departments,
    list_staff,
    org_history,
    site_standards_info,
    staff_detail,
)
from twin.planning.org import move_staff


def test_departments_and_staff_by_site_and_department(org: Engine) -> None:
    assert [d["department_code"] for d in list_departments(org, "wz01")] == [
        "FIN",
        "FIN-TAX",
        "GOV",
    ]
    gov = department_detail(org, "gov")
    assert gov["units"] == ["FIN"] and [m["staff_id"] for m in gov["members"]] == ["S001"]
    assert [s["staff_id"] for s in list_staff(org, site_code="WZ01")] == ["S001", "S002", "S003"]
    assert staff_detail(org, "S001")["allowance_m2"] == 42.0
    with pytest.raises(UnknownDepartment) as caught:
        list_staff(org, department_code="FIN-TAXX")
    assert caught.value.closest[0] == "FIN-TAX"
    with pytest.raises(UnknownStaff, match="closest: S001"):
        staff_detail(org, "S0001")
    with pytest.raises(BadInput, match="unknown site 'WZ02'; sites: WZ01"):
        list_departments(org, "WZ02")


def test_the_site_standards_and_the_change_log(org: Engine) -> None:
    info = site_standards_info(org, "WZ01")
    assert info["level"] == "municipal" and not info["own_standards"]
    assert info["levels"] == ["central", "provincial", "municipal", "county"]
    move_staff(org, {"S003": offices(org)[5]}, by="planner", why="more room")
    latest = org_history(org, limit=2)
    assert latest[0]["kind"] == "moved" and latest[0]["by"] == "planner"
    assert latest[0]["detail"] == {"from": None, "to": offices(org)[5], "why": "more room"}
    assert [e["kind"] for e in org_history(org, subject="s003")] == ["moved", "staff"]
    assert org_history(org)[-1]["kind"] == "level"
    with pytest.raises(BadInput, match="limit"):
        org_history(org, limit=0)
    with org.connect() as conn:
        assert chosen_sites(conn, None) == ["WZ01"] == chosen_sites(conn, "wz01")
