"""Saved reallocation scenarios: run and keep, list, show, compare, export and apply.

`run_scenario` plans a scenario against the stored campus (`load_planning_state`) and
keeps the answer in `planning_scenarios`; the reads return plain dicts with the keys the
API and `twin scenario … --json` print. `apply_scenario_plan` writes the plan back: staff
seats and departments (and new staff) in one transaction through `org.import_org`, room
allocations for the rooms people move into, and a `maintenance` lifecycle event on every
room the scenario closes or opens — and refuses when anyone's seat or department changed
since the plan was made (the plan keeps who sat where as its basis).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, insert, select, update

from models.errors import BadInput, ScenarioConflict, UnknownScenario
from twin.planning.lifecycle import lifecycle_states, record_lifecycle_event
from twin.planning.load import load_planning_state
from twin.planning.org import OrgRow, import_org
from twin.planning.scenario import Scenario, check_scenario
from twin.planning.solver import Move, moves_csv, solve
from twin.planning.state import PlanningState
from twin.rooms import list_rooms
from twin.store import schema as t

__all__ = [
    "MAX_TIME_LIMIT_S",
    "apply_scenario_plan",
    "compare_scenarios",
    "list_scenarios",
    "run_scenario",
    "scenario_detail",
    "scenario_moves_csv",
]

MAX_TIME_LIMIT_S = 600.0
_SUMMARY = (
    "scenario_id",
    "name",
    "site_code",
    "created_at",
    "created_by",
    "time_limit_s",
    "status",
    "objective",
    "lower_bound",
    "gap",
    "moves",
    "applied_at",
    "applied_by",
)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def run_scenario(
    engine: Engine,
    scenario: Scenario,
    site_code: str | None,
    time_limit_s: float = 60.0,
    by: str = "twin",
) -> dict[str, Any]:
    """Plan `scenario` on the stored site within `time_limit_s`, save it, return its detail."""
    if not 0 < time_limit_s <= MAX_TIME_LIMIT_S:
        raise BadInput(f"time limit must be above 0 and at most {MAX_TIME_LIMIT_S:g} s")
    state = load_planning_state(engine, site_code)
    check_scenario(scenario, state)
    result = solve(state, scenario, time_limit_s)
    answer = {**result.to_dict(), "basis": _basis(state)}
    with engine.begin() as conn:
        inserted = conn.execute(
            insert(t.planning_scenarios).values(
                name=scenario.name,
                site_code=state.site_code,
                created_at=_now(),
                created_by=by,
                body=json.dumps(scenario.to_dict(), ensure_ascii=False),
                time_limit_s=time_limit_s,
                status=result.status,
                objective=result.objective,
                lower_bound=result.lower_bound,
                gap=result.gap,
                moves=len(result.moves),
                result=json.dumps(answer, ensure_ascii=False),
            )
        ).inserted_primary_key
    assert inserted is not None
    return scenario_detail(engine, int(inserted[0]))


def _basis(state: PlanningState) -> dict[str, list[str | None]]:
    """Who sat where, in which department, when the plan was made."""
    return {p.staff_id: [p.department, p.room_code] for p in state.staff}


def _first_change(before: dict[str, list[str | None]], now: PlanningState) -> str | None:
    """The first difference between the plan's basis and the campus now, in words."""
    current = _basis(now)
    for staff_id in sorted(set(before) | set(current)):
        if staff_id not in current:
            return f"{staff_id} has left"
        if staff_id not in before:
            return f"{staff_id} has joined"
        (was_dept, was_room), (dept, room) = before[staff_id], current[staff_id]
        if room != was_room:
            return f"{staff_id} sits in {room or 'no room'}, not {was_room or 'no room'}"
        if dept != was_dept:
            return f"{staff_id} is in department {dept}, not {was_dept}"
    return None


def _row(engine: Engine, scenario_id: int) -> Any:
    with engine.connect() as conn:
        row = conn.execute(
            select(t.planning_scenarios).where(t.planning_scenarios.c.scenario_id == scenario_id)
        ).first()
    if row is None:
        raise UnknownScenario(f"no scenario {scenario_id}; `twin scenario list` shows them")
    return row


def _summary(row: Any) -> dict[str, Any]:
    return {key: getattr(row, key) for key in _SUMMARY}


def list_scenarios(engine: Engine) -> list[dict[str, Any]]:
    """Every saved scenario, newest first: figures only, no moves."""
    query = select(*(t.planning_scenarios.c[key] for key in _SUMMARY)).order_by(
        t.planning_scenarios.c.scenario_id.desc()
    )
    with engine.connect() as conn:
        return [_summary(row) for row in conn.execute(query)]


def scenario_detail(engine: Engine, scenario_id: int) -> dict[str, Any]:
    """One scenario: its body, status and figures, KPIs before and after, moves, shortages."""
    row = _row(engine, scenario_id)
    result = json.loads(row.result)
    result.pop("basis", None)
    return {**_summary(row), "scenario": json.loads(row.body), **result}


def compare_scenarios(engine: Engine, scenario_ids: Sequence[int]) -> list[dict[str, Any]]:
    """Scenarios side by side (in the order asked): figures, cost terms and KPIs, no moves."""
    if not scenario_ids:
        raise BadInput("name at least one scenario to compare, e.g. ids=1,2")
    compared = []
    for scenario_id in scenario_ids:
        detail = scenario_detail(engine, scenario_id)
        compared.append(
            {
                **{key: detail[key] for key in _SUMMARY},
                "cost": detail["cost"],
                "kpis_before": detail["kpis_before"],
                "kpis_after": detail["kpis_after"],
                "shortages": detail["shortages"],
            }
        )
    return compared


def scenario_moves_csv(engine: Engine, scenario_id: int) -> str:
    """The scenario's move list as CSV text."""
    detail = scenario_detail(engine, scenario_id)
    return moves_csv([Move(**move) for move in detail["moves"]])


def _new_staff_id(staff_id: str, scenario_id: int) -> str:
    # New staff ids from the plan (NEW-<department>-<n>) repeat across scenarios.
    return f"{staff_id}-S{scenario_id}"


def apply_scenario_plan(engine: Engine, scenario_id: int, by: str, why: str) -> dict[str, Any]:
    """Write the scenario's plan to the campus; refused if applied already or out of date."""
    if not by.strip() or not why.strip():
        raise BadInput("who applies the plan (by) and why are both needed")
    row = _row(engine, scenario_id)
    if row.applied_at:
        raise ScenarioConflict(
            f"scenario {scenario_id} was applied on {row.applied_at} by {row.applied_by}"
        )
    detail = json.loads(row.result)
    if detail["shortages"] or detail["cost"]["unseated"]:
        raise ScenarioConflict(
            f"scenario {scenario_id} does not seat everyone ({detail['status']}); "
            "change it and run it again"
        )
    moves: list[dict[str, str]] = detail["moves"]
    new_department = {c["staff_id"]: c["to"] for c in detail["department_changes"]}
    changed = _first_change(detail["basis"], load_planning_state(engine, row.site_code))
    if changed:
        raise ScenarioConflict(
            f"the campus changed since scenario {scenario_id} was planned: {changed}; run it again"
        )
    with engine.connect() as conn:
        stored = {r.staff_id: r for r in conn.execute(select(t.staff))}
    disposed = {
        code for code, state in lifecycle_states(engine).items() if state.get("disposed_on")
    }
    targets = {move["to_room"] for move in moves} | set(detail["rooms_opened"])
    if targets & disposed:
        raise ScenarioConflict(f"room {sorted(targets & disposed)[0]} has been disposed of")

    rows: list[OrgRow] = []
    created: dict[str, str] = {}
    moved = {move["staff_id"]: move for move in moves}
    for staff_id in sorted(set(moved) | set(new_department)):
        planned = moved.get(staff_id)
        person = stored.get(staff_id)
        if person is None and planned is not None:
            created[staff_id] = _new_staff_id(staff_id, scenario_id)
            values = {
                "staff_id": created[staff_id],
                "name": planned["name"],
                "rank": planned["rank"],
                "department_code": planned["department"],
                "room_code": planned["to_room"],
            }
        elif person is not None:
            values = {
                "staff_id": staff_id,
                "name": person.name,
                "rank": person.rank,
                "department_code": new_department.get(staff_id, person.department_code),
                "room_code": planned["to_room"] if planned else person.room_code,
            }
        else:
            continue
        rows.append(OrgRow("staff", values, f"scenario {scenario_id}: {staff_id}"))
    allocated = {room["room_code"]: room["department"] for room in list_rooms(engine)}
    # Rooms people move into go to their department; rooms of merged departments follow.
    into = {move["to_room"]: move["department"] for move in moves}
    merged = {c["from"]: c["to"] for c in detail["department_changes"]}
    for code, department in allocated.items():
        if department in merged:
            into.setdefault(code, merged[department])
    allocations = [
        OrgRow(
            "allocations",
            {"room_code": code, "department_code": department},
            f"scenario {scenario_id}: {code}",
        )
        for code, department in sorted(into.items())
        if allocated.get(code) != department
    ]
    written = import_org(engine, [*rows, *allocations], by=by)
    events = 0
    for kind, codes in (("closed", detail["rooms_closed"]), ("opened", detail["rooms_opened"])):
        for code in codes:
            if code in disposed:
                continue
            description = f"{kind} under reallocation scenario {scenario_id} ({row.name})"
            record_lifecycle_event(
                engine, code, "maintenance", {"description": description}, by=by, why=why
            )
            events += 1
    applied_at = _now()
    with engine.begin() as conn:
        conn.execute(
            update(t.planning_scenarios)
            .where(t.planning_scenarios.c.scenario_id == scenario_id)
            .values(applied_at=applied_at, applied_by=by)
        )
    return {
        "scenario_id": scenario_id,
        "applied_at": applied_at,
        "applied_by": by,
        "staff_written": written["staff"],
        "allocations_written": written["allocations"],
        "lifecycle_events": events,
        "new_staff_ids": created,
    }
