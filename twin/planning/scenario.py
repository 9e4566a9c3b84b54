"""Reallocation scenarios: what changes and what the planner prefers, read and applied.

A scenario is a TOML or JSON document (or an API body, the same keys)::

    name = "2027 reorganisation"

    [[changes]]
    kind = "grow"                 # a department grows by a count per rank
    department = "D07"
    ranks = { below_division = 10, division_chief = 2 }

    [[changes]]
    kind = "close"                # a building, or one storey of it, closes
    building = "B01"
    storey = "F03"                # optional: without it the whole building

    [[changes]]
    kind = "merge"                # departments merge into one of them
    departments = ["D12", "D13"]
    into = "D12"

    [[changes]]
    kind = "open"                 # rooms become available: listed, or a storey/building
    rooms = ["B02-F07-001"]       # or building = "B02", storey = "F07"

    [preferences]                 # weights of the plan's cost, all optional
    move = 10                     # per person who changes room
    over_standard_m2 = 2          # per m² of office area above its occupants' standard
    storey = 40                   # per storey a department occupies
    storey_gap = 20               # per empty storey between a department's storeys

`parse_scenario` checks the document's shape, `check_scenario` checks its codes against a
`PlanningState`, and `apply_scenario` returns the target state the solver plans for.
Every problem raises `InvalidScenario` naming the entry (`changes[2].department: ...`).
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from models.errors import BadInput
from twin.planning.state import Person, PlanningState

__all__ = [
    "Change",
    "InvalidScenario",
    "Preferences",
    "Scenario",
    "apply_scenario",
    "check_scenario",
    "load_scenario",
    "parse_scenario",
]

ChangeKind = Literal["grow", "close", "merge", "open"]
CHANGE_KINDS: tuple[str, ...] = ("grow", "close", "merge", "open")


class InvalidScenario(BadInput):
    """A scenario that is malformed or names a department, rank, building or room not there."""


@dataclass(frozen=True)
class Preferences:
    """Weights of the plan's cost; every plan (greedy or solved) is scored with these."""

    move: int = 10
    over_standard_m2: int = 2
    storey: int = 40
    storey_gap: int = 20


@dataclass(frozen=True)
class Change:
    """One change; which fields matter depends on `kind` (see the module docstring)."""

    kind: ChangeKind
    department: str | None = None
    ranks: Mapping[str, int] = field(default_factory=dict)
    building: str | None = None
    storey: str | None = None
    departments: tuple[str, ...] = ()
    into: str | None = None
    rooms: tuple[str, ...] = ()


@dataclass(frozen=True)
class Scenario:
    name: str
    changes: tuple[Change, ...]
    preferences: Preferences = field(default_factory=Preferences)

    def to_dict(self) -> dict[str, Any]:
        """The scenario as a JSON-ready body that `parse_scenario` reads back."""
        changes: list[dict[str, Any]] = []
        for change in self.changes:
            entry: dict[str, Any] = {"kind": change.kind}
            if change.kind == "grow":
                entry |= {"department": change.department, "ranks": dict(change.ranks)}
            elif change.kind == "merge":
                entry |= {"departments": list(change.departments), "into": change.into}
            elif change.rooms:
                entry["rooms"] = list(change.rooms)
            else:
                entry["building"] = change.building
                if change.storey is not None:
                    entry["storey"] = change.storey
            changes.append(entry)
        prefs = self.preferences
        return {
            "name": self.name,
            "changes": changes,
            "preferences": {
                "move": prefs.move,
                "over_standard_m2": prefs.over_standard_m2,
                "storey": prefs.storey,
                "storey_gap": prefs.storey_gap,
            },
        }


def _fail(where: str, problem: str) -> InvalidScenario:
    return InvalidScenario(f"{where}: {problem}")


def _string(entry: Mapping[str, Any], key: str, where: str, required: bool = True) -> str | None:
    value = entry.get(key)
    if value is None:
        if required:
            raise _fail(f"{where}.{key}", "missing")
        return None
    if not isinstance(value, str) or not value.strip():
        raise _fail(f"{where}.{key}", f"must be a non-empty string, not {value!r}")
    return value.strip()


def _strings(entry: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = entry.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise _fail(f"{where}.{key}", f"must be a list of codes, not {value!r}")
    return tuple(value)


def _parse_change(entry: Any, where: str) -> Change:
    if not isinstance(entry, Mapping):
        raise _fail(where, f"must be a table with a kind, not {entry!r}")
    kind = entry.get("kind")
    if kind not in CHANGE_KINDS:
        raise _fail(f"{where}.kind", f"{kind!r} is not one of {', '.join(CHANGE_KINDS)}")
    known = {
        "grow": {"kind", "department", "ranks"},
        "close": {"kind", "building", "storey", "rooms"},
        "open": {"kind", "building", "storey", "rooms"},
        "merge": {"kind", "departments", "into"},
    }[kind]
    unknown = sorted(set(entry) - known)
    if unknown:
        raise _fail(f"{where}.{unknown[0]}", f"is not a field of a {kind} change")
    if kind == "grow":
        department = _string(entry, "department", where)
        ranks = entry.get("ranks")
        if not isinstance(ranks, Mapping) or not ranks:
            raise _fail(f"{where}.ranks", "must map ranks to counts, e.g. {below_division = 10}")
        for rank, count in ranks.items():
            if not isinstance(count, int) or isinstance(count, bool) or count <= 0:
                raise _fail(f"{where}.ranks.{rank}", f"must be a positive count, not {count!r}")
        return Change("grow", department=department, ranks=dict(ranks))
    if kind == "merge":
        departments = _strings(entry, "departments", where)
        if len(departments) < 2 or len(set(departments)) != len(departments):
            raise _fail(f"{where}.departments", "must list two or more different departments")
        into = _string(entry, "into", where, required=False) or departments[0]
        return Change("merge", departments=departments, into=into)
    rooms = _strings(entry, "rooms", where)
    building = _string(entry, "building", where, required=not rooms)
    storey = _string(entry, "storey", where, required=False)
    if rooms and building:
        raise _fail(where, "give either rooms or a building (and storey), not both")
    return Change(kind, building=building, storey=storey, rooms=rooms)


def _parse_preferences(entry: Any) -> Preferences:
    if entry is None:
        return Preferences()
    if not isinstance(entry, Mapping):
        raise _fail("preferences", f"must be a table of weights, not {entry!r}")
    fields = Preferences.__dataclass_fields__
    values: dict[str, int] = {}
    for key, value in entry.items():
        if key not in fields:
            raise _fail(f"preferences.{key}", f"is not a weight; known: {', '.join(fields)}")
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise _fail(f"preferences.{key}", f"must be a whole number >= 0, not {value!r}")
        values[key] = value
    return Preferences(**values)


def parse_scenario(document: Mapping[str, Any]) -> Scenario:
    """Check a scenario's shape (not its codes) and return it.

    >>> parse_scenario({"changes": [{"kind": "grow", "department": "D01",
    ...                             "ranks": {"below_division": 3}}]}).changes[0].kind
    'grow'
    """
    if not isinstance(document, Mapping):
        raise _fail("scenario", "must be a table with changes and preferences")
    unknown = sorted(set(document) - {"name", "changes", "preferences"})
    if unknown:
        raise _fail(unknown[0], "is not a scenario field (name, changes, preferences)")
    name = document.get("name", "unnamed scenario")
    if not isinstance(name, str):
        raise _fail("name", f"must be a string, not {name!r}")
    changes = document.get("changes")
    if not isinstance(changes, list) or not changes:
        raise _fail("changes", "must be a non-empty list of changes")
    return Scenario(
        name=name,
        changes=tuple(_parse_change(c, f"changes[{i}]") for i, c in enumerate(changes)),
        preferences=_parse_preferences(document.get("preferences")),
    )


def load_scenario(path: Path) -> Scenario:
    """Read a `.toml` or `.json` scenario file; a bad file raises `InvalidScenario`."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise InvalidScenario(f"{path}: cannot read ({error.strerror})") from None
    try:
        document = json.loads(text) if path.suffix.lower() == ".json" else tomllib.loads(text)
    except (json.JSONDecodeError, tomllib.TOMLDecodeError) as error:
        raise InvalidScenario(f"{path}: not valid {path.suffix.lstrip('.')}: {error}") from None
    return parse_scenario(document)


def _names(code: str, given: str | None) -> bool:
    """`given` names `code` in full (`WZ01-B01`) or by its last part (`B01`), any case."""
    if given is None:
        return False
    wanted = given.strip().upper()
    return code == wanted or code.endswith(f"-{wanted}")


def _rooms_of(change: Change, state: PlanningState, where: str) -> set[str]:
    if change.rooms:
        known = {room.room_code for room in state.rooms}
        for i, code in enumerate(change.rooms):
            if code not in known:
                raise _fail(f"{where}.rooms[{i}]", f"no office room {code!r}")
        return set(change.rooms)
    chosen = {
        room.room_code
        for room in state.rooms
        if _names(room.building_code, change.building)
        and (change.storey is None or _names(room.storey_code, change.storey))
    }
    if not chosen:
        if not any(_names(room.building_code, change.building) for room in state.rooms):
            raise _fail(f"{where}.building", f"no building {change.building!r} with office rooms")
        raise _fail(
            f"{where}.storey", f"building {change.building} has no storey {change.storey!r}"
        )
    return chosen


def check_scenario(scenario: Scenario, state: PlanningState) -> None:
    """Raise `InvalidScenario` naming the first change whose codes `state` does not have."""
    apply_scenario(state, scenario)


def apply_scenario(state: PlanningState, scenario: Scenario) -> PlanningState:
    """The target state: the changes applied in order; everyone keeps their seat if it stays open.

    New staff have no room (`room_code=None`) and ids `NEW-<department>-<n>`. Merged
    departments' staff and rooms move to the `into` department.
    """
    departments = {d.code: d for d in state.departments}
    staff = list(state.staff)
    rooms = {room.room_code: room for room in state.rooms}
    new_count = 0
    for i, change in enumerate(scenario.changes):
        where = f"changes[{i}]"
        if change.kind == "grow":
            if change.department not in departments:
                raise _fail(f"{where}.department", f"no department {change.department!r}")
            for rank, count in change.ranks.items():
                if rank not in state.allowance_m2:
                    raise _fail(
                        f"{where}.ranks.{rank}", f"is not a rank of the {state.level} standard"
                    )
                for _ in range(count):
                    new_count += 1
                    staff.append(
                        Person(
                            staff_id=f"NEW-{change.department}-{new_count}",
                            name=f"new {rank.replace('_', ' ')} {new_count}",
                            department=change.department,
                            rank=rank,
                        )
                    )
        elif change.kind == "merge":
            for j, code in enumerate(change.departments):
                if code not in departments:
                    raise _fail(f"{where}.departments[{j}]", f"no department {code!r}")
            if change.into not in change.departments:
                raise _fail(
                    f"{where}.into", f"{change.into!r} is not one of the merged departments"
                )
            into = str(change.into)
            gone = set(change.departments) - {into}
            staff = [replace(p, department=into) if p.department in gone else p for p in staff]
            rooms = {
                code: replace(room, department=into) if room.department in gone else room
                for code, room in rooms.items()
            }
            for code in gone:
                del departments[code]
        else:
            available = change.kind == "open"
            for code in _rooms_of(change, state, where):
                rooms[code] = replace(rooms[code], available=available)
    return PlanningState(
        level=state.level,
        allowance_m2=state.allowance_m2,
        departments=tuple(departments.values()),
        staff=tuple(staff),
        rooms=tuple(rooms.values()),
        site_code=state.site_code,
        meta={**state.meta, "scenario": scenario.name},
    )
