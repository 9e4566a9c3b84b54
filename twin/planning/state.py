"""What the planner works on: the campus's office rooms, departments and staff, in memory.

The store is read into a `PlanningState` once (`twin.planning.load`); the checks, the
scenarios and the CP-SAT solver work on these records and never on the store, so the
benchmark and the tests can build states of any size without a database.

Areas are net floor areas in m². A room's entitlement is the sum of its occupants'
per-person allowances (rank → m² at the site's administrative level); a room is over
standard by `area_m2 - entitlement` when positive.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

__all__ = ["Department", "Person", "PlanRoom", "PlanningState"]


@dataclass(frozen=True)
class Department:
    """A unit that rooms are allocated to; `parent` is the code of the unit above."""

    code: str
    name: str
    parent: str | None = None


@dataclass(frozen=True)
class Person:
    """One member of staff: a rank from the standards table, and the seat they have now."""

    staff_id: str
    name: str
    department: str
    rank: str
    room_code: str | None = None


@dataclass(frozen=True)
class PlanRoom:
    """An office room a planner can seat people in.

    `storey_index` orders the storeys of one building from the bottom, so "adjacent
    storeys" is a difference of one. `capacity` is the most desks the room takes;
    `available` is False for rooms that cannot take anyone now (closed, disposed).
    """

    room_code: str
    building_code: str
    storey_code: str
    storey_index: int
    usage: str
    area_m2: float
    capacity: int
    available: bool = True
    department: str | None = None


@dataclass(frozen=True)
class PlanningState:
    """The rooms, departments and staff of one site (or a campus), and its standard."""

    level: str
    allowance_m2: Mapping[str, float]
    departments: tuple[Department, ...]
    staff: tuple[Person, ...]
    rooms: tuple[PlanRoom, ...]
    site_code: str | None = None
    meta: Mapping[str, str] = field(default_factory=dict)

    def allowance(self, rank: str) -> float:
        """The per-person area for `rank` at this site's level (KeyError names the rank)."""
        try:
            return self.allowance_m2[rank]
        except KeyError:
            raise KeyError(f"rank {rank!r} is not in the {self.level} standard") from None
