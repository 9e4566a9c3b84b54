"""`/api/planning`: warnings, and per-room, per-person and per-department figures.

`GET /api/rooms/{code}/lifecycle` (history) and `POST` (one event) live here too.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from api.deps import AdminKey, EngineDep
from api.planning_service import UTILISATION_DAYS, warnings
from api.schemas.common import ERROR_RESPONSES
from twin.planning import checks, lifecycle
from twin.planning.load import load_planning_state
from twin.planning.org import site_standards_info

__all__ = ["lifecycle_router", "router"]

router = APIRouter(prefix="/planning", tags=["planning"])
lifecycle_router = APIRouter(prefix="/rooms", tags=["planning"])

RoomCodePath = Annotated[
    str, Path(description="Room code, any case.", examples=["WZ01-B01-F02-003K"])
]


@router.get("/warnings", responses=ERROR_RESPONSES)
def list_warnings(
    engine: EngineDep,
    site: Annotated[str | None, Query(description="Site code; every site when left out.")] = None,
    kind: Annotated[
        list[str] | None, Query(description=f"Any of: {', '.join(checks.WARNING_KINDS)}.")
    ] = None,
    days: Annotated[
        int, Query(ge=1, le=366, description="Utilisation measured over the last days.")
    ] = UTILISATION_DAYS,
) -> list[dict[str, Any]]:
    """Warnings by kind then code: `kind`, `code`, `message` and the `figures` behind it."""
    return warnings(engine, site, kind, days)


def _state_and_tolerance(engine: Any, site: str) -> tuple[Any, float]:
    state = load_planning_state(engine, site)
    tolerance = site_standards_info(engine, site)["checks"]["over_standard_tolerance_m2"]
    return state, float(tolerance)


@router.get("/rooms", responses=ERROR_RESPONSES)
def room_figures(
    engine: EngineDep, site: Annotated[str, Query(description="Site code.")]
) -> list[dict[str, Any]]:
    """Every office: area, occupants, entitlement, m² over standard and standing."""
    state, tolerance = _state_and_tolerance(engine, site)
    return [asdict(figures) for figures in checks.room_figures(state, tolerance)]


@router.get("/staff", responses=ERROR_RESPONSES)
def person_figures(
    engine: EngineDep, site: Annotated[str, Query(description="Site code.")]
) -> list[dict[str, Any]]:
    """Every member of staff: allowance against their share of their room."""
    state = load_planning_state(engine, site)
    return [asdict(figures) for figures in checks.person_figures(state)]


@router.get("/departments", responses=ERROR_RESPONSES)
def department_figures(
    engine: EngineDep, site: Annotated[str, Query(description="Site code.")]
) -> list[dict[str, Any]]:
    """Every department: office area held against its staff's entitlement."""
    state = load_planning_state(engine, site)
    return [asdict(figures) for figures in checks.department_figures(state)]


class LifecycleEvent(BaseModel):
    """One lifecycle event; `fields` as `twin.planning.lifecycle` lists per event."""

    model_config = ConfigDict(extra="forbid")

    event: str = Field(examples=["lease"])
    why: str = Field(min_length=1, max_length=1000)
    by: str | None = Field(None, max_length=200, description="Who; default: the key's id.")
    fields: dict[str, Any] = Field(
        default_factory=dict,
        examples=[{"lease_start": "2026-01-01", "lease_end": "2027-12-31", "rent_amount": 4200}],
    )


@lifecycle_router.get("/{code}/lifecycle", responses=ERROR_RESPONSES)
def room_lifecycle(engine: EngineDep, code: RoomCodePath) -> dict[str, Any]:
    """The room's ownership, lease, rent, upkeep and disposal now, and every event."""
    return lifecycle.room_lifecycle(engine, code)


@lifecycle_router.post("/{code}/lifecycle", status_code=201, responses=ERROR_RESPONSES)
def add_lifecycle_event(
    engine: EngineDep, key: AdminKey, code: RoomCodePath, event: LifecycleEvent
) -> dict[str, Any]:
    """Append one event to the room's history (kept forever); admin key."""
    return lifecycle.record_lifecycle_event(
        engine, code, event.event, event.fields, by=event.by or f"key:{key.key_id}", why=event.why
    )
