"""Checks against the area standard and the lifecycle, and the warnings they raise.

Per room and per person: allowed area (the entitlement) against actual area. The
warnings have a `kind` in `WARNING_KINDS`, the `code` of the room or department, the
`figures` behind them and a readable `message`:

- `over_standard`: an office whose area exceeds its occupants' entitlement, by how much
- `idle`: an office nobody sits in, or whose measured utilisation is below the site's
  threshold (utilisation comes from the live layer: the caller passes it in, since
  twin does not import layers)
- `department_over_entitlement`: a department holding more office area than its staff
  are entitled to (its space: offices allocated to it, and unallocated offices where
  only its staff sit)
- `lease_ending`: a lease ending within the site's warning days (90), or ended
- `rent_overdue`: rent paid until a day already past

The functions on `PlanningState` are pure; `planning_warnings` reads the store.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Engine, select

from models.errors import BadInput
from twin.planning.lifecycle import lifecycle_states
from twin.planning.load import load_planning_state
from twin.planning.org import site_standards
from twin.planning.standards import CheckSettings
from twin.planning.standing import room_standing
from twin.planning.state import PlanningState
from twin.store import schema as t

__all__ = [
    "WARNING_KINDS",
    "DepartmentFigures",
    "PersonFigures",
    "RoomFigures",
    "department_figures",
    "lifecycle_warnings",
    "person_figures",
    "planning_warnings",
    "room_figures",
    "state_warnings",
]

WARNING_KINDS = (
    "over_standard",
    "idle",
    "lease_ending",
    "rent_overdue",
    "department_over_entitlement",
)


@dataclass(frozen=True)
class RoomFigures:
    """One office: its area, who sits there and what they are entitled to."""

    room_code: str
    department: str | None
    area_m2: float
    capacity: int
    occupants: int
    entitlement_m2: float
    over_m2: float
    standing: str


@dataclass(frozen=True)
class PersonFigures:
    """One member of staff: their allowance and their share of their room's area."""

    staff_id: str
    department: str
    rank: str
    room_code: str | None
    allowance_m2: float
    actual_m2: float | None
    over_m2: float | None


@dataclass(frozen=True)
class DepartmentFigures:
    """One department: its staff's total entitlement against the office area it holds."""

    department: str
    staff: int
    rooms: tuple[str, ...]
    area_m2: float
    entitlement_m2: float
    over_m2: float


def _occupants(state: PlanningState) -> dict[str, list[str]]:
    seated: dict[str, list[str]] = {}
    for person in state.staff:
        if person.room_code is not None:
            seated.setdefault(person.room_code, []).append(person.rank)
    return seated


def room_figures(state: PlanningState, tolerance_m2: float = 0.0) -> list[RoomFigures]:
    """Every office of the state, in its order, with its standing against the standard."""
    seated = _occupants(state)
    figures = []
    for room in state.rooms:
        ranks = seated.get(room.room_code, [])
        entitlement = round(sum(state.allowance(rank) for rank in ranks), 2)
        standing, over = room_standing(room.area_m2, entitlement, len(ranks), tolerance_m2)
        figures.append(
            RoomFigures(
                room.room_code,
                room.department,
                room.area_m2,
                room.capacity,
                len(ranks),
                entitlement,
                over if standing == "over" else 0.0,
                standing,
            )
        )
    return figures


def person_figures(state: PlanningState) -> list[PersonFigures]:
    """Every member of staff: allowed m² against their equal share of their room."""
    areas = {room.room_code: room.area_m2 for room in state.rooms}
    counts = {code: len(ranks) for code, ranks in _occupants(state).items()}
    figures = []
    for person in state.staff:
        allowance = state.allowance(person.rank)
        area = areas.get(person.room_code) if person.room_code else None
        actual = None
        if area is not None and person.room_code is not None:
            actual = round(area / counts[person.room_code], 2)
        figures.append(
            PersonFigures(
                person.staff_id,
                person.department,
                person.rank,
                person.room_code,
                allowance,
                actual,
                round(actual - allowance, 2) if actual is not None else None,
            )
        )
    return figures


def department_figures(state: PlanningState) -> list[DepartmentFigures]:
    """Per department: staff, the offices it holds, their area and its entitlement."""
    entitlement: dict[str, float] = {}
    staff: dict[str, int] = {}
    seated_by: dict[str, set[str]] = {}
    for person in state.staff:
        entitlement[person.department] = entitlement.get(person.department, 0.0) + (
            state.allowance(person.rank)
        )
        staff[person.department] = staff.get(person.department, 0) + 1
        if person.room_code is not None:
            seated_by.setdefault(person.room_code, set()).add(person.department)
    held: dict[str, list[tuple[str, float]]] = {}
    for room in state.rooms:
        owner = room.department
        if owner is None and len(seated_by.get(room.room_code, ())) == 1:
            owner = next(iter(seated_by[room.room_code]))
        if owner is not None:
            held.setdefault(owner, []).append((room.room_code, room.area_m2))
    figures = []
    for department in state.departments:
        rooms = held.get(department.code, [])
        area = round(sum(a for _, a in rooms), 2)
        allowed = round(entitlement.get(department.code, 0.0), 2)
        figures.append(
            DepartmentFigures(
                department.code,
                staff.get(department.code, 0),
                tuple(code for code, _ in rooms),
                area,
                allowed,
                round(area - allowed, 2),
            )
        )
    return figures


def _warning(kind: str, code: str, message: str, **figures: Any) -> dict[str, Any]:
    return {"kind": kind, "code": code, "message": message, "figures": figures}


def state_warnings(
    state: PlanningState,
    checks: CheckSettings,
    utilisation: Mapping[str, float | None] | None = None,
) -> list[dict[str, Any]]:
    """over_standard, idle and department_over_entitlement warnings of one state."""
    found = []
    utilisation = utilisation or {}
    for room in room_figures(state, checks.over_standard_tolerance_m2):
        if room.standing == "over":
            found.append(
                _warning(
                    "over_standard",
                    room.room_code,
                    f"{room.room_code}: {room.area_m2:g} m² for {room.occupants} "
                    f"{'person' if room.occupants == 1 else 'people'} entitled to "
                    f"{room.entitlement_m2:g} m², {room.over_m2:g} m² over standard",
                    area_m2=room.area_m2,
                    entitlement_m2=room.entitlement_m2,
                    over_m2=room.over_m2,
                    occupants=room.occupants,
                    department=room.department,
                )
            )
        share = utilisation.get(room.room_code)
        if room.standing == "idle":
            found.append(
                _warning(
                    "idle",
                    room.room_code,
                    f"{room.room_code}: {room.area_m2:g} m² office with nobody assigned",
                    area_m2=room.area_m2,
                    occupants=0,
                    utilisation=share,
                    department=room.department,
                )
            )
        elif share is not None and share < checks.idle_utilisation_below:
            found.append(
                _warning(
                    "idle",
                    room.room_code,
                    f"{room.room_code}: used {share:.0%} of working time "
                    f"(below {checks.idle_utilisation_below:.0%}) by {room.occupants} assigned",
                    area_m2=room.area_m2,
                    occupants=room.occupants,
                    utilisation=share,
                    threshold=checks.idle_utilisation_below,
                    department=room.department,
                )
            )
    for department in department_figures(state):
        if department.over_m2 > checks.over_standard_tolerance_m2:
            found.append(
                _warning(
                    "department_over_entitlement",
                    department.department,
                    f"department {department.department} holds {department.area_m2:g} m² of "
                    f"offices for {department.staff} staff entitled to "
                    f"{department.entitlement_m2:g} m²: {department.over_m2:g} m² over",
                    area_m2=department.area_m2,
                    entitlement_m2=department.entitlement_m2,
                    over_m2=department.over_m2,
                    staff=department.staff,
                    rooms=len(department.rooms),
                )
            )
    return found


def lifecycle_warnings(
    states: Mapping[str, Mapping[str, Any]], checks: CheckSettings, today: date
) -> list[dict[str, Any]]:
    """lease_ending and rent_overdue warnings of rooms' lifecycles (disposed rooms skipped)."""
    found = []
    for code, state in sorted(states.items()):
        # Leased in (we pay rent) or lent out (we are paid): both have a term and a rent.
        if state["disposed_on"] or state["ownership"] not in ("leased", "lent"):
            continue
        if state["lease_end"]:
            days = (date.fromisoformat(state["lease_end"]) - today).days
            if days <= checks.lease_warning_days:
                when = f"in {days} days" if days >= 0 else f"{-days} days ago"
                found.append(
                    _warning(
                        "lease_ending",
                        code,
                        f"{code}: lease {'ends' if days >= 0 else 'ended'} {state['lease_end']} "
                        f"({when})",
                        lease_end=state["lease_end"],
                        days_left=days,
                        counterparty=state["counterparty"],
                    )
                )
        if state["rent_amount"]:
            paid = state["paid_until"] or state["lease_start"]
            if paid and date.fromisoformat(paid) < today:
                overdue = (today - date.fromisoformat(paid)).days
                found.append(
                    _warning(
                        "rent_overdue",
                        code,
                        f"{code}: rent ({state['rent_amount']:g} per {state['rent_period']}) "
                        f"paid only until {paid}, {overdue} days overdue",
                        paid_until=state["paid_until"],
                        days_overdue=overdue,
                        rent_amount=state["rent_amount"],
                        rent_period=state["rent_period"],
                    )
                )
    return found


def planning_warnings(
    engine: Engine,
    site_code: str | None = None,
    kinds: Iterable[str] | None = None,
    utilisation: Mapping[str, float | None] | None = None,
    today: date | None = None,
) -> list[dict[str, Any]]:
    """Every warning of one site (None: every site), by kind then code.

    Area checks need the site's standards level; sites without one give lifecycle
    warnings only. `utilisation` maps room codes to the share of working time used.
    """
    wanted = list(kinds) if kinds else list(WARNING_KINDS)
    unknown = [kind for kind in wanted if kind not in WARNING_KINDS]
    if unknown:
        raise BadInput(f"unknown warning kind {unknown[0]!r}; one of: {', '.join(WARNING_KINDS)}")
    with engine.connect() as conn:
        sites = list(
            conn.execute(select(t.sites.c.site_code).order_by(t.sites.c.site_code)).scalars()
        )
        if site_code is not None:
            site = site_code.strip().upper()
            if site not in sites:
                raise BadInput(f"unknown site {site_code!r}; sites: {', '.join(sites) or 'none'}")
            sites = [site]
        tables = {site: site_standards(conn, site) for site in sites}
    day = today or datetime.now(UTC).date()
    found: list[dict[str, Any]] = []
    for site in sites:
        level, standards = tables[site]
        if level is not None:
            found += state_warnings(
                load_planning_state(engine, site), standards.checks, utilisation
            )
        found += lifecycle_warnings(lifecycle_states(engine, site), standards.checks, day)
    order = {kind: i for i, kind in enumerate(WARNING_KINDS)}
    chosen = [w for w in found if w["kind"] in wanted]
    return sorted(chosen, key=lambda w: (order[w["kind"]], w["code"]))
