"""`/api/utilisation`: how much rooms are used, grouped; `/api/utilisation/idle`: idle rooms."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from api.deps import EngineDep
from api.schemas.common import ERROR_RESPONSES
from layers import utilisation as use

__all__ = ["router"]

router = APIRouter(prefix="/utilisation", tags=["utilisation"])

Since = Annotated[
    str, Query(description="`30d`, `12h`, `2w` back from now, or ISO 8601 with a zone.")
]


@router.get("", responses=ERROR_RESPONSES)
def utilisation(
    engine: EngineDep,
    by: Annotated[str, Query(description="room, storey, building or department.")] = "room",
    since: Since = "30d",
    period: Annotated[str, Query(description="hour, day or week (local time).")] = "day",
    building: Annotated[str | None, Query(description="Only this building.")] = None,
) -> dict[str, Any]:
    """Share of working hours occupied and peak people against capacity, per group and period.

    Working hours are the site's (`TWIN_WORKING_*`; default Mon–Fri 08:00–18:00,
    Asia/Shanghai). Groups without a presence or people sensor have `utilisation` null.
    """
    return use.utilisation(engine, use.parse_since(since), by=by, period=period, building=building)


@router.get("/idle", responses=ERROR_RESPONSES)
def idle(
    engine: EngineDep,
    since: Since = "30d",
    threshold: Annotated[float, Query(ge=0, le=1, description="Share, e.g. 0.1 for 10 %.")] = 0.1,
) -> list[dict[str, Any]]:
    """Rooms used less than `threshold` of working hours (`idle`), then rooms with no
    presence or people sensor (`unknown`, not idle)."""
    return use.idle_rooms(engine, use.parse_since(since), threshold=threshold)
