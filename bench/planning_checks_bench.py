"""Space-planning data at campus scale: org import, the rooms list's planning fields, warnings.

A synthetic store (SQLite in a temp folder) of `--buildings` buildings × `--storeys`
storeys of offices (1,520 rooms by default, areas in the steps real offices come in)
and an organisation of `--staff` staff in `--departments` departments, imported as CSV
rows through `twin.planning.org.import_org` (every row checked, one transaction).

Measured, median of `--repeat` runs:

- the org import of departments, allocations and staff (fresh store copy each run);
- `twin.rooms.list_rooms` with the planning fields (`area_standard`, `occupants`,
  `over_standard_m2`) against the same call with them switched off, in the same run:
  the ratio is what the planning fields cost every rooms listing (goal ≤ 1.3×);
- `load_planning_state` and `planning_warnings` (no utilisation).

    .venv/bin/python bench/planning_checks_bench.py [--staff 2000] [--repeat 5] [--json]
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from unittest import mock

PROJECT_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_ROOT))

from sqlalchemy import Engine, insert  # noqa: E402

from models.codes import RoomCode  # noqa: E402
from twin.planning.checks import planning_warnings  # noqa: E402
from twin.planning.load import load_planning_state  # noqa: E402
from twin.planning.org import OrgRow, import_org, set_site_level  # noqa: E402
from twin.rooms import list_rooms  # noqa: E402
from twin.store import open_store  # noqa: E402
from twin.store import schema as t  # noqa: E402

SITE = "BM01"
AREAS_M2 = (12.0, 15.0, 15.0, 18.0, 18.0, 18.0, 24.0, 30.0, 36.0, 49.25)
# A unit's first member heads it, the next two are deputies, the rest juniors.
RANKS = ("bureau_chief", "deputy_bureau_chief", "deputy_bureau_chief", "below_bureau")


def build_campus(db: Path, buildings: int, storeys: int, rooms_per_storey: int) -> None:
    """Sites, buildings, storeys and office rooms written straight into a fresh store."""
    engine = open_store(str(db))
    now = datetime.now(UTC).isoformat(timespec="seconds")
    rng = random.Random(7)
    with engine.begin() as conn:
        conn.execute(insert(t.sites).values(site_code=SITE, name="bench campus"))
        rows = []
        for b in range(1, buildings + 1):
            building = f"{SITE}-B{b:02d}"
            conn.execute(
                insert(t.buildings).values(
                    building_code=building, site_code=SITE, number=f"B{b:02d}", name=building
                )
            )
            for s in range(1, storeys + 1):
                storey = f"{building}-F{s:02d}"
                conn.execute(
                    insert(t.storeys).values(
                        storey_code=storey,
                        building_code=building,
                        code=f"F{s:02d}",
                        name=storey,
                        elevation_m=3.5 * (s - 1),
                    )
                )
                for n in range(1, rooms_per_storey + 1):
                    rows.append(
                        {
                            "room_code": str(RoomCode.make(SITE, f"B{b:02d}", f"F{s:02d}", n)),
                            "building_code": building,
                            "storey_code": storey,
                            "room_number": n,
                            "global_id": f"g{b}-{s}-{n}",
                            "source_file": "bench.ifc",
                            "status": "active",
                            "name": f"{n:03d}",
                            "usage": "office",
                            "net_floor_area_m2": rng.choice(AREAS_M2),
                            "created_at": now,
                        }
                    )
        conn.execute(insert(t.rooms), rows)
    set_site_level(engine, SITE, "municipal")
    engine.dispose()


def org_rows(engine: Engine, staff: int, departments: int) -> list[OrgRow]:
    """Departments on runs of offices; leaders alone, juniors at 9 m² per desk."""
    rng = random.Random(11)
    offices = list_rooms(engine)
    rows = [
        OrgRow("departments", {"department_code": f"D{d:02d}", "name": f"Unit {d}"}, "bench")
        for d in range(departments)
    ]
    per_department = len(offices) // departments
    hired = 0
    for d in range(departments):
        code = f"D{d:02d}"
        run = offices[d * per_department : (d + 1) * per_department]
        want = staff // departments + (1 if d < staff % departments else 0)
        for office in run:
            rows.append(
                OrgRow(
                    "allocations", {"room_code": office["room_code"], "department_code": code}, ""
                )
            )
        seats = [office["room_code"] for office in run]
        for index in range(want):
            rank = RANKS[min(index, len(RANKS) - 1)]
            # One person per office while offices last; one junior in ten has no desk.
            seated = seats and (rank != "below_bureau" or rng.random() < 0.9)
            room: str | None = seats.pop(0) if seated else None
            hired += 1
            rows.append(
                OrgRow(
                    "staff",
                    {
                        "staff_id": f"P{hired:05d}",
                        "name": f"Person {hired}",
                        "rank": rank,
                        "department_code": code,
                        "room_code": room,
                    },
                    "bench",
                )
            )
    return rows


def median_s(function: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--buildings", type=int, default=4)
    parser.add_argument("--storeys", type=int, default=10)
    parser.add_argument("--rooms-per-storey", type=int, default=38)
    parser.add_argument("--staff", type=int, default=2000)
    parser.add_argument("--departments", type=int, default=60)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="planning-bench-"))
    try:
        empty = folder / "empty.db"
        build_campus(empty, args.buildings, args.storeys, args.rooms_per_storey)
        engine = open_store(str(empty))
        rows = org_rows(engine, args.staff, args.departments)
        engine.dispose()
        imports = []
        for run in range(args.repeat):
            db = folder / f"run{run}.db"
            shutil.copyfile(empty, db)
            engine = open_store(str(db))
            start = time.perf_counter()
            written = import_org(engine, rows, by="bench")
            imports.append(time.perf_counter() - start)
            engine.dispose()
        engine = open_store(str(folder / "run0.db"))
        rooms = len(list_rooms(engine))
        with_fields = median_s(lambda: list_rooms(engine), args.repeat)
        with mock.patch("twin.planning.standing.add_area_standing", lambda conn, rooms: None):
            without = median_s(lambda: list_rooms(engine), args.repeat)
        load_s = median_s(lambda: load_planning_state(engine, SITE), args.repeat)
        warnings_s = median_s(lambda: planning_warnings(engine, SITE), args.repeat)
        warnings = planning_warnings(engine, SITE)
        engine.dispose()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    result = {
        "rooms": rooms,
        "written": written,
        "org_import_s": round(statistics.median(imports), 3),
        "list_rooms_s": round(with_fields, 4),
        "list_rooms_without_planning_s": round(without, 4),
        "planning_fields_ratio": round(with_fields / without, 2),
        "load_planning_state_s": round(load_s, 4),
        "planning_warnings_s": round(warnings_s, 4),
        "warnings": len(warnings),
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(f"campus: {rooms} offices, {written}")
    print(f"org import (checked, one transaction)   {result['org_import_s']:8.3f} s")
    print(f"list_rooms, planning fields on           {with_fields:8.4f} s")
    print(f"list_rooms, planning fields off          {without:8.4f} s")
    ratio = with_fields / without
    print(
        f"ratio                                    {ratio:8.2f} x  (goal <= 1.3x: "
        f"{'met' if ratio <= 1.3 else 'not met'})"
    )
    print(f"load_planning_state                      {load_s:8.4f} s")
    print(f"planning_warnings ({len(warnings)} warnings)       {warnings_s:8.4f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
