"""Stage 1: departments to storeys — how many of each department and rank sit on each storey.

Staff counts per (department, rank, storey) must fit each storey's office area and, for
every allowance level, the seats its rooms have for people of at least that allowance;
the cost is people changing storey, storeys each department uses and empty storeys
between them. PLANNING-NOTES: proven optimal in under a second at 2,000 staff with the
LP subsolvers. Seating is hard; `elastic=True` adds penalised slack to each storey's
limits, and the non-zero slacks become `Shortage`s that say what is missing and where.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field

from ortools.sat.python import cp_model

from twin.planning.scenario import Preferences
from twin.planning.solver_common import (
    AREA_SCALE,
    Group,
    StoreyInfo,
    StoreyKey,
    allowance_levels,
    new_solver,
    status_name,
)

__all__ = ["DepartmentStoreys", "Shortage", "StoreyPlan", "plan_storeys"]

Use = tuple[int, cp_model.IntVar]  # (storey index in its building, department-uses-it flag)

# Stage 1 gives up once this share of its time has passed and its plan is still further
# than this above its bound (see `_GiveUp`).
GIVE_UP_SHARE = 0.35
GIVE_UP_GAP = 0.25
# Per tenth of m² or seat of slack: far above any plan's cost, so slack is used last.
SLACK_PENALTY = 10_000_000


@dataclass(frozen=True)
class Shortage:
    """What one storey lacks for the plan to seat everyone; `message` says it in words.

    Kind "total" (building, storey and department empty) adds up the others for the site;
    "unseated" names a department some of whose staff no open office takes.
    """

    building: str
    storey: str
    department: str
    kind: str  # "area", "seats", "total" or "unseated"
    amount: float
    min_allowance_m2: float
    message: str

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass
class StoreyPlan:
    """Stage 1's answer: members of each group per storey, and the solver's figures."""

    counts: dict[tuple[str, str], dict[StoreyKey, int]]
    status: str
    objective10: float
    bound10: float
    shortages: list[Shortage] = field(default_factory=list)
    solve_s: float = 0.0  # of which CP-SAT; the rest of the time went into building the model


class DepartmentStoreys:
    """The department-to-storey variables and their cost, on a model (stage 1 and the bound).

    `x[g, s]` members of group g on storey s; `used[d, s]` department d on s; per
    department and building, `lo..hi` spans the storeys it uses and the gap is the span
    less the storeys used. `limited` caps each `x` by the storey's seats for its allowance;
    `allowed`, when given, names the storeys (indices) each department may use at all.
    """

    def __init__(
        self,
        model: cp_model.CpModel,
        groups: Sequence[Group],
        storeys: Sequence[StoreyInfo],
        preferences: Preferences,
        limited: bool = True,
        allowed: Mapping[str, set[int]] | None = None,
    ) -> None:
        self.model = model
        self.groups = groups
        self.storeys = storeys
        self.x: dict[tuple[int, int], cp_model.IntVar] = {}
        self.used: dict[tuple[str, int], cp_model.IntVar] = {}
        self.cost10: list[cp_model.LinearExprT] = []
        self.spans: list[tuple[cp_model.IntVar, cp_model.IntVar, cp_model.IntVar, list[Use]]] = []
        for gi, group in enumerate(groups):
            size = len(group.members)
            candidates = []
            for si, storey in enumerate(storeys):
                if allowed is not None and si not in allowed.get(group.department, ()):
                    continue
                upper = min(size, storey.seats_of_at_least(group.allowance10)) if limited else size
                if upper <= 0:
                    continue
                var = model.new_int_var(0, upper, f"x_{gi}_{si}")
                self.x[gi, si] = var
                candidates.append(var)
                used = self._used(group.department, si)
                model.add(var <= upper * used)
            model.add(sum(candidates) == size)
        self.cost10.append(preferences.storey * AREA_SCALE * sum(self.used.values()))
        if preferences.storey_gap:
            self._gaps(preferences.storey_gap)

    def _used(self, department: str, si: int) -> cp_model.IntVar:
        key = (department, si)
        if key not in self.used:
            self.used[key] = self.model.new_bool_var(f"used_{department}_{si}")
        return self.used[key]

    def _gaps(self, weight: int) -> None:
        by_building: dict[tuple[str, str], list[Use]] = defaultdict(list)
        for (department, si), used in self.used.items():
            storey = self.storeys[si]
            by_building[department, storey.key[0]].append((storey.index, used))
        for (department, building), uses in by_building.items():
            indices = sorted(index for index, _ in uses)
            if indices[-1] - indices[0] + 1 == len(indices) <= 2:
                continue  # one storey, or two adjacent ones: no choice of them leaves a hole
            top = max(index for index, _ in uses)
            lo = self.model.new_int_var(0, top + 1, f"lo_{department}_{building}")
            hi = self.model.new_int_var(0, top + 1, f"hi_{department}_{building}")
            gap = self.model.new_int_var(0, top + 1, f"gap_{department}_{building}")
            self.model.add(lo <= hi + 1)
            for index, used in uses:
                self.model.add(lo <= index).only_enforce_if(used)
                self.model.add(hi >= index).only_enforce_if(used)
            self.model.add(gap >= hi - lo + 1 - sum(used for _, used in uses))
            self.cost10.append(weight * AREA_SCALE * gap)
            self.spans.append((lo, hi, gap, uses))

    def hint(self, counts: Mapping[tuple[int, int], int]) -> None:
        """Hint every variable from members per (group index, storey index)."""
        for key, var in self.x.items():
            self.model.add_hint(var, counts.get(key, 0))
        occupied = {(self.groups[gi].department, si) for (gi, si), c in counts.items() if c}
        flag = {used.index: key in occupied for key, used in self.used.items()}
        for used in self.used.values():
            self.model.add_hint(used, flag[used.index])
        for var, value in self.span_values(lambda used: flag[used.index]):
            self.model.add_hint(var, value)

    def span_values(
        self, is_used: Callable[[cp_model.IntVar], bool]
    ) -> list[tuple[cp_model.IntVar, int]]:
        """Each span's lowest and highest storey and gap, for the uses `is_used` says hold."""
        values = []
        for lo, hi, gap, uses in self.spans:
            picked = [index for index, used in uses if is_used(used)]
            low, high = (min(picked), max(picked)) if picked else (1, 0)
            values += [(lo, low), (hi, high), (gap, max(0, high - low + 1 - len(picked)))]
        return values

    def on_storey(self, si: int) -> list[tuple[Group, cp_model.IntVar]]:
        return [(g, self.x[gi, si]) for gi, g in enumerate(self.groups) if (gi, si) in self.x]


class _GiveUp(cp_model.CpSolverSolutionCallback):
    """Stops stage 1 once, past `after_s`, its plan is still more than `gap` above its bound.

    Such storeys are not what the keep-or-vacate plan starts from (`solver._near_optimal`):
    at 5,000 staff stage 1 spent its whole share barely past the greedy split, seconds
    HiGHS's plan of the whole model could use.
    """

    def __init__(self, after_s: float, gap: float) -> None:
        super().__init__()
        self.after_s = after_s
        self.gap = gap

    def on_solution_callback(self) -> None:
        far = self.objective_value - self.best_objective_bound > self.gap * abs(
            self.objective_value
        )
        if self.wall_time >= self.after_s and far:
            self.stop_search()


def _current_on_storey(
    groups: Sequence[Group], storeys: Sequence[StoreyInfo]
) -> dict[tuple[int, int], int]:
    where: dict[str, int] = {}
    for si, storey in enumerate(storeys):
        for room in storey.rooms:
            where[room.room_code] = si
    counts: dict[tuple[int, int], int] = defaultdict(int)
    for gi, group in enumerate(groups):
        for person in group.members:
            found = where.get(person.room_code or "")
            if found is not None:
                counts[gi, found] += 1
    return counts


def plan_storeys(
    groups: Sequence[Group],
    storeys: Sequence[StoreyInfo],
    preferences: Preferences,
    time_limit_s: float,
    elastic: bool = False,
    hint: Mapping[tuple[int, int], int] | None = None,
) -> StoreyPlan:
    """Solve stage 1; with `elastic`, storeys may overflow at a penalty and say by how much.

    `hint` gives members per (group index, storey index) of a feasible plan, e.g. the
    greedy one; every variable is then hinted. Building the model counts in the limit.
    """
    started = time.monotonic()
    model = cp_model.CpModel()
    ds = DepartmentStoreys(model, groups, storeys, preferences, limited=not elastic)
    current = _current_on_storey(groups, storeys)
    stays = []
    for (gi, si), now in current.items():
        if (gi, si) in ds.x:
            stay = model.new_int_var(0, now, f"stay_{gi}_{si}")
            model.add(stay <= ds.x[gi, si])
            stays.append(stay)
            if hint is not None and not elastic:
                model.add_hint(stay, min(now, hint.get((gi, si), 0)))
    if hint is not None and not elastic:
        ds.hint(hint)
    total = sum(len(g.members) for g in groups)
    cost10: list[cp_model.LinearExprT] = [
        *ds.cost10,
        preferences.move * AREA_SCALE * (total - sum(stays)),
    ]
    slacks: list[tuple[int, str, int, cp_model.IntVar]] = []
    levels = allowance_levels(groups)
    for si, storey in enumerate(storeys):
        present = ds.on_storey(si)
        if not present:
            continue
        area_slack = model.new_int_var(0, 10**9, f"area_slack_{si}") if elastic else 0
        model.add(sum(g.allowance10 * x for g, x in present) <= storey.area10 + area_slack)
        if elastic:
            assert not isinstance(area_slack, int)
            slacks.append((si, "area", levels[0], area_slack))
        for level in levels:
            big = [x for g, x in present if g.allowance10 >= level]
            if not big:
                continue
            seats_slack = model.new_int_var(0, 10**6, f"seats_slack_{si}_{level}") if elastic else 0
            model.add(sum(big) <= storey.seats_of_at_least(level) + seats_slack)
            if elastic:
                assert not isinstance(seats_slack, int)
                slacks.append((si, "seats", level, seats_slack))
    if slacks:
        cost10.append(SLACK_PENALTY * sum(s for *_, s in slacks))
    model.minimize(sum(cost10))
    solver = new_solver(time_limit_s, started)
    # Probing took ~6 s of presolve at 5,000 staff before the hint was even tried; at
    # 2,000 staff the plans are the same without it.
    solver.parameters.cp_model_probing_level = 0
    give_up = None if elastic else _GiveUp(time_limit_s * GIVE_UP_SHARE, GIVE_UP_GAP)
    status = solver.solve(model, give_up)
    name = status_name(status)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return StoreyPlan({}, name, float("nan"), solver.best_objective_bound, [], solver.wall_time)
    counts: dict[tuple[str, str], dict[StoreyKey, int]] = defaultdict(dict)
    for (gi, si), var in ds.x.items():
        value = int(solver.value(var))
        if value:
            counts[groups[gi].key][storeys[si].key] = value
    shortages = [
        _shortage(solver, ds, current, si, kind, level, int(solver.value(slack)))
        for si, kind, level, slack in slacks
        if solver.value(slack) > 0
    ]
    if len(shortages) > 1:
        shortages.insert(0, _in_all(shortages))
    objective10 = solver.objective_value - SLACK_PENALTY * sum(
        int(solver.value(s)) for *_, s in slacks
    )
    return StoreyPlan(
        dict(counts), name, objective10, solver.best_objective_bound, shortages, solver.wall_time
    )


def _in_all(shortages: Sequence[Shortage]) -> Shortage:
    """One line for the whole site: the storeys' shortfalls added up."""
    area = sum(s.amount for s in shortages if s.kind == "area")
    smallest = min(s.min_allowance_m2 for s in shortages)
    seats = int(
        sum(s.amount for s in shortages if s.kind == "seats" and s.min_allowance_m2 == smallest)
    )
    parts = [f"{area:g} m²"] if area else []
    parts += [f"{seats} seat{'s' * (seats != 1)}"] if seats else []
    storeys = len({(s.building, s.storey) for s in shortages})
    message = f"the site lacks {' and '.join(parts) or 'room'} in all, over {storeys} storeys"
    return Shortage("", "", "", "total", area, smallest, message)


def _shortage(
    solver: cp_model.CpSolver,
    ds: DepartmentStoreys,
    current: dict[tuple[int, int], int],
    si: int,
    kind: str,
    level: int,
    amount: int,
) -> Shortage:
    """Name the department that the storey's overflow is for: the one that grew there most."""
    storey = ds.storeys[si]
    growth: dict[str, int] = defaultdict(int)
    present: dict[str, int] = defaultdict(int)
    for gi, group in enumerate(ds.groups):
        if (gi, si) not in ds.x or group.allowance10 < level:
            continue
        value = int(solver.value(ds.x[gi, si]))
        present[group.department] += value
        growth[group.department] += value - current.get((gi, si), 0)
    department = max(present, key=lambda d: (growth[d], present[d], d))
    building, storey_code = storey.key
    short = storey_code.removeprefix(f"{building}-")  # WZ01-B01-F03 reads F03 of WZ01-B01
    level_m2 = level / AREA_SCALE
    if kind == "area":
        figure = amount / AREA_SCALE
        message = f"storey {short} of {building} lacks {figure:g} m² for department {department}"
    else:
        figure = float(amount)
        message = (
            f"storey {short} of {building} lacks {amount} seat{'s' * (amount != 1)} "
            f"in rooms of at least {level_m2:g} m² for department {department}"
        )
    return Shortage(building, storey_code, department, kind, figure, level_m2, message)
