"""Stores for planning tests: the sample campus with the sample organisation, or a small one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from tests.campus_stores import sample_store
from twin.planning.org import set_site_level
from twin.planning.org_csv import import_org_files
from twin.planning.sample_org import write_sample_org
from twin.planning.scenario import Scenario, parse_scenario
from twin.rooms import list_rooms
from twin.store import open_store

__all__ = ["close_and_merge", "planned_store", "small_org"]


def planned_store(folder: Path, buildings: int = 2) -> Path:
    """The sample campus (site WZ01) with `twin org sample --seed 1` loaded."""
    db = sample_store(folder, buildings=buildings)
    engine = open_store(str(db))
    write_sample_org(engine, "WZ01", seed=1)
    engine.dispose()
    return db


def small_org(campus: Engine, tmp_path: Path) -> dict[str, Any]:
    """Departments A and B, four staff on two storeys of B01; returns the rooms used."""
    set_site_level(campus, "WZ01", "provincial")
    offices = [r for r in list_rooms(campus, usage="office") if "-B01-" in r["room_code"]]
    by_storey: dict[str, list[dict[str, Any]]] = {}
    for office in offices:
        by_storey.setdefault(office["storey_code"], []).append(office)
    low, high = sorted(by_storey)[:2]
    a_room = max(by_storey[low], key=lambda r: r["net_floor_area_m2"])["room_code"]
    b_room = max(by_storey[high], key=lambda r: r["net_floor_area_m2"])["room_code"]
    (tmp_path / "departments.csv").write_text("department_code,name,parent_code\nA,A,\nB,B,\n")
    (tmp_path / "staff.csv").write_text(
        "staff_id,name,rank,department_code,room_code\n"
        f"P1,P one,below_division,A,{a_room}\n"
        f"P2,P two,below_division,A,{a_room}\n"
        f"Q1,Q one,below_division,B,{b_room}\n"
    )
    import_org_files(campus, [tmp_path])
    return {"low": low, "high": high, "a_room": a_room, "b_room": b_room}


def close_and_merge(storey: str) -> Scenario:
    building, floor = storey.split("-")[1], storey.split("-")[2]
    return parse_scenario(
        {
            "name": "close and merge",
            "changes": [
                {"kind": "close", "building": building, "storey": floor},
                {"kind": "merge", "departments": ["A", "B"], "into": "A"},
                {"kind": "grow", "department": "A", "ranks": {"division_chief": 1}},
            ],
        }
    )
