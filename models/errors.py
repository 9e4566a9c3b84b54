"""The exceptions of the campus twin, all under one root, `TwinError`.

Each class says what went wrong in a facility manager's words; the command line
maps every `BadInput` to exit status 2 and the API to a 4xx status, so nobody sees
a traceback for bad input.
"""

from __future__ import annotations

__all__ = [
    "AccessDenied",
    "AlarmStateError",
    "BadInput",
    "BadRows",
    "InvalidKey",
    "InvalidRoomCode",
    "MissingKey",
    "ModelImportError",
    "ScenarioConflict",
    "SensorExists",
    "TwinError",
    "UnknownAlarm",
    "UnknownBuilding",
    "UnknownCode",
    "UnknownDepartment",
    "UnknownElement",
    "UnknownRoomCode",
    "UnknownScenario",
    "UnknownSensor",
    "UnknownStaff",
    "UnknownStorey",
    "UnknownWorkOrder",
    "WorkOrderStateError",
    "WrongRole",
]


class TwinError(Exception):
    """Root of every error the twin raises on purpose."""


class BadInput(TwinError):
    """The user gave something the twin cannot take: a bad file, a bad code, a bad value."""


class InvalidRoomCode(BadInput):
    """A room code that is malformed or whose check character is wrong."""


class UnknownRoomCode(BadInput):
    """A well-formed room code that no room has; `closest` lists likely intended codes."""

    def __init__(self, message: str, closest: list[str] | None = None) -> None:
        super().__init__(message)
        self.closest = closest or []


class UnknownBuilding(BadInput):
    """A building code that names no building, or names several (a bare `Bnn`)."""


class UnknownStorey(BadInput):
    """A storey code that the building does not have."""


class UnknownElement(BadInput):
    """An element id that names no element; `closest` lists likely intended ids."""

    def __init__(self, message: str, closest: list[str] | None = None) -> None:
        super().__init__(message)
        self.closest = closest or []


class UnknownAlarm(BadInput):
    """An alarm id that no alarm has."""


class AlarmStateError(BadInput):
    """A state change the alarm cannot make, e.g. acknowledging a cleared alarm."""


class UnknownWorkOrder(BadInput):
    """A work order id that no work order has."""


class WorkOrderStateError(BadInput):
    """A change the work order cannot make in its state, e.g. assigning a closed order."""


class ModelImportError(BadInput):
    """An IFC file that cannot be imported; the message names the file and the problem."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem


class UnknownSensor(BadInput):
    """A sensor id that no sensor has; `closest` lists likely intended ids."""

    def __init__(self, message: str, closest: list[str] | None = None) -> None:
        super().__init__(message)
        self.closest = closest or []


class UnknownCode(BadInput):
    """A site, building or element code that names nothing in the twin."""

    def __init__(self, message: str, closest: list[str] | None = None) -> None:
        super().__init__(message)
        self.closest = closest or []


class SensorExists(BadInput):
    """A sensor id already registered with a different kind, binding or position."""


class AccessDenied(TwinError):
    """A request without the key its action needs."""


class MissingKey(AccessDenied):
    """No key was given where one is needed (`Authorization: Bearer <key>`)."""


class InvalidKey(AccessDenied):
    """A key that the twin did not issue, or that was revoked."""


class WrongRole(AccessDenied):
    """A valid key whose role may not do this (e.g. a gateway key for an admin action)."""


class UnknownDepartment(UnknownCode):
    """A department code that no department has; `closest` lists likely intended codes."""


class UnknownStaff(UnknownCode):
    """A staff id that no member of staff has; `closest` lists likely intended ids."""


class BadRows(BadInput):
    """A file whose rows are wrong; `problems` holds one line per bad row, by line number."""

    def __init__(self, source: str, problems: list[str]) -> None:
        shown = problems[:20]
        more = f"\n… and {len(problems) - 20} more" if len(problems) > 20 else ""
        super().__init__(
            f"{source}: {len(problems)} bad row(s), nothing imported:\n" + "\n".join(shown) + more
        )
        self.problems = problems


class UnknownScenario(BadInput):
    """A scenario id that no saved reallocation scenario has."""


class ScenarioConflict(BadInput):
    """A saved scenario that cannot be applied now: applied already, or the campus moved on."""
