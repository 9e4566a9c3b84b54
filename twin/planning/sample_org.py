"""A seeded organisation for the imported sample campus: a municipal government.

A mayor's office with its vice-mayors and a dozen bureaus (some with divisions),
a couple of hundred staff seated by rank, each bureau on a run of neighbouring
offices. Enough goes wrong to exercise every warning: leaders alone in rooms larger
than their allowance and juniors in rooms they do not fill (over standard), offices
allocated but empty (idle), new staff without a seat, leases ending within weeks, a
rent unpaid since last quarter, a room lent to another agency. Written through the
same checks as any import (`twin.planning.org.import_org`) and the lifecycle events.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Engine

from models.errors import BadInput
from twin.planning.directory import list_departments
from twin.planning.lifecycle import record_lifecycle_event
from twin.planning.load import default_capacity
from twin.planning.org import OrgRow, import_org, set_site_level
from twin.planning.standards import load_standards
from twin.rooms import list_rooms

__all__ = ["write_sample_org"]

LEVEL = "municipal"
# The share of the offices' desks the sample staffs.
HEADROOM = 0.6
BY = "twin org sample"

# (code, name, parent, staff) — the sizes are scaled to the offices there are.
_UNITS: tuple[tuple[str, str, str | None, int], ...] = (
    ("GOV", "Mayor's office 市长办公室", None, 10),
    ("FIN", "Finance bureau 财政局", "GOV", 22),
    ("FIN-TAX", "Tax division 税政处", "FIN", 12),
    ("HR", "Human resources bureau 人力资源局", "GOV", 14),
    ("PLAN", "Planning bureau 规划局", "GOV", 20),
    ("EDU", "Education bureau 教育局", "GOV", 18),
    ("HEALTH", "Health bureau 卫生健康局", "GOV", 18),
    ("TRANS", "Transport bureau 交通运输局", "GOV", 16),
    ("ENV", "Environment bureau 生态环境局", "GOV", 14),
    ("HOUSING", "Housing bureau 住房和城乡建设局", "GOV", 16),
    ("HOUSING-PH", "Public housing division 保障房处", "HOUSING", 8),
    ("AGRI", "Agriculture bureau 农业农村局", "GOV", 12),
    ("STATS", "Statistics bureau 统计局", "GOV", 10),
    ("CULT", "Culture and tourism bureau 文化旅游局", "GOV", 12),
)
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"


def _staff_of(unit: str, parent: str | None, size: int, rng: random.Random) -> list[str]:
    """Ranks of a unit's staff, highest first."""
    if parent is None:
        return ["mayor", "vice_mayor", "vice_mayor", "vice_mayor"] + ["below_bureau"] * (size - 4)
    head = "bureau_chief" if parent == "GOV" else "deputy_bureau_chief"
    deputies = rng.randint(1, 2) if parent == "GOV" else 0
    return [head] + ["deputy_bureau_chief"] * deputies + ["below_bureau"] * (size - 1 - deputies)


def _desks(room: dict[str, Any]) -> int:
    return default_capacity(room["net_floor_area_m2"] or 0.0, {"below_bureau": 9.0})


def write_sample_org(
    engine: Engine, site_code: str = "WZ01", seed: int = 1, today: date | None = None
) -> dict[str, Any]:
    """Load the sample organisation onto `site_code`; returns what was written.

    On a site that already holds the sample's departments it writes nothing and says
    so (`already_loaded`), so `make demo` can run again; a site with other departments
    is refused (the sample needs a freshly imported campus).
    """
    rng = random.Random(seed)
    day = today or datetime.now(UTC).date()
    site = site_code.strip().upper()
    existing = {d["department_code"] for d in list_departments(engine, site)}
    if existing == {code for code, *_ in _UNITS}:
        return {"site_code": site, "level": LEVEL, "already_loaded": True}
    if existing:
        raise BadInput(f"site {site} already has departments; the sample needs a fresh campus")
    set_site_level(engine, site, LEVEL, by=BY)
    offices = [room for room in list_rooms(engine, usage="office") if room["site_code"] == site]
    if len(offices) < len(_UNITS):
        raise BadInput(f"site {site} has {len(offices)} offices; the sample needs {len(_UNITS)}")
    desks = sum(_desks(room) for room in offices)
    # Staff for a share of the desks, so a plan has room to grow and to close a storey;
    # those who find no desk in their unit's run are not hired (but a couple).
    scale = HEADROOM * desks / sum(size for *_, size in _UNITS)
    rows: list[OrgRow] = []
    people: list[tuple[str, str, str]] = []
    for code, name, parent, size in _UNITS:
        rows.append(
            OrgRow(
                "departments",
                {"department_code": code, "name": name, "parent_code": parent, "site_code": site},
                "sample",
            )
        )
        for rank in _staff_of(code, parent, max(4, round(size * scale)), rng):
            people.append((code, rank, f"S{len(people) + 1:04d}"))
    allowance = load_standards().allowance_m2(LEVEL)
    seats: dict[str, str | None] = {}
    runs: dict[str, list[dict[str, Any]]] = {code: [] for code, *_ in _UNITS}
    # Leaders, highest first, take the smallest free office their allowance fits in
    # (now and then the next size up: over standard).
    pool = sorted(offices, key=lambda r: (r["net_floor_area_m2"] or 0.0, r["room_code"]))
    for code, rank, staff_id in sorted(people, key=lambda p: -allowance[p[1]]):
        if rank == "below_bureau":
            continue
        fits = [r for r in pool if (r["net_floor_area_m2"] or 0.0) >= allowance[rank]]
        if not fits:
            continue  # not hired: no office large enough is left
        room = fits[1] if len(fits) > 1 and rng.random() < 0.3 else fits[0]
        pool.remove(room)
        seats[staff_id] = room["room_code"]
        runs[code].append(room)
    # Each unit takes a run of neighbouring offices (code order: building, storey) in
    # proportion to its juniors; they fill the desks, at 9 m² each.
    queue = sorted(pool, key=lambda r: r["room_code"])
    juniors_of = {
        code: [p for p in people if p[0] == code and p[1] == "below_bureau"] for code in runs
    }
    total = sum(len(j) for j in juniors_of.values())
    for index, (code, juniors) in enumerate(juniors_of.items()):
        share = max(1, round(len(pool) * len(juniors) / total))
        rooms = queue[:share] if index < len(juniors_of) - 1 else queue
        queue = queue[share:]
        runs[code] += rooms
        spare = rooms[-1:] if len(rooms) > 2 else []  # one office kept empty: idle
        for room in rooms[: len(rooms) - len(spare)]:
            room_desks = _desks(room)
            # Now and then a room holds one fewer than it could: over standard.
            seated = room_desks - 1 if room_desks > 1 and rng.random() < 0.3 else room_desks
            for _ in range(seated):
                if juniors:
                    seats[juniors.pop(0)[2]] = room["room_code"]
        # The unit's two newest arrivals have no desk yet; the rest are not hired.
        for person in juniors[:2]:
            seats[person[2]] = None
    for code, rooms in runs.items():
        for room in rooms:
            rows.append(
                OrgRow(
                    "allocations",
                    {"room_code": room["room_code"], "department_code": code},
                    "sample",
                )
            )
    for code, rank, staff_id in (p for p in people if p[2] in seats):
        name = rng.choice(_SURNAMES) + "".join(rng.choice(_GIVEN) for _ in range(rng.randint(1, 2)))
        rows.append(
            OrgRow(
                "staff",
                {
                    "staff_id": staff_id,
                    "name": name,
                    "rank": rank,
                    "department_code": code,
                    "room_code": seats.get(staff_id),
                },
                "sample",
            )
        )
    written = import_org(engine, rows, by=BY)
    leases = _write_lifecycle(engine, offices, day, rng)
    return {
        "site_code": site,
        "level": LEVEL,
        "already_loaded": False,
        **written,
        "seated": sum(1 for seat in seats.values() if seat),
        "idle_offices": len({room["room_code"] for room in offices} - set(seats.values())),
        "lifecycle_events": leases,
    }


def _write_lifecycle(
    engine: Engine, offices: list[dict[str, Any]], day: date, rng: random.Random
) -> int:
    """The last building's top-storey offices are leased in; a few leases end soon."""
    last = max(room["building_code"] for room in offices)
    top = max(room["storey_code"] for room in offices if room["building_code"] == last)
    leased = [room["room_code"] for room in offices if room["storey_code"] == top][:6]
    events = 0
    start = day - timedelta(days=700)
    for index, code in enumerate(leased):
        ends = day + timedelta(days=(30 + 25 * index) if index < 2 else 400 + 30 * index)
        paid = day + timedelta(days=20) if index != 2 else day - timedelta(days=75)
        record_lifecycle_event(
            engine,
            code,
            "lease",
            {
                "lease_start": start.isoformat(),
                "lease_end": ends.isoformat(),
                "rent_amount": round(rng.uniform(2500, 6000), -1),
                "rent_period": "month",
                "paid_until": paid.isoformat(),
                "counterparty": "Wenzhou Property Co. 温州置业",
            },
            by=BY,
            why="office space rented while the annex is built",
        )
        events += 1
    if offices:
        first = offices[0]["room_code"]
        record_lifecycle_event(
            engine, first, "ownership", {"ownership": "owned"}, by=BY, why="built for the agency"
        )
        record_lifecycle_event(
            engine,
            first,
            "maintenance",
            {"on": (day - timedelta(days=40)).isoformat(), "description": "air conditioning"},
            by=BY,
            why="annual service",
        )
        events += 2
    return events
