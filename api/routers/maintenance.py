"""Hidden services for maintenance crews: what runs in a room's ceiling, floor and walls,
what lies near a point, and a drill check that never says "safe".

`GET /api/rooms/{code}/hidden-pipes`, `GET /api/buildings/{building_code}/hidden-pipes`,
`GET /api/pipes/near`, `POST /api/drill-check`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query

from api.deps import BuildingCode, EngineDep
from api.schemas.common import ERROR_RESPONSES
from api.schemas.maintenance import (
    DrillCheckBody,
    DrillCheckPublic,
    HiddenServicesPublic,
    PipesNearPublic,
)
from twin.maintenance.hidden import hidden_services, hidden_services_of_building
from twin.maintenance.near import drill_check, services_near

__all__ = ["router"]

router = APIRouter(tags=["maintenance"])

Where = Annotated[
    Literal["ceiling", "floor", "wall", "all"],
    Query(description="Which zones: ceiling void, floor, walls, or all three."),
]


@router.get(
    "/rooms/{code}/hidden-pipes", response_model=HiddenServicesPublic, responses=ERROR_RESPONSES
)
def room_hidden_pipes(
    engine: EngineDep,
    code: Annotated[str, Path(description="Room code, any case.", examples=["WZ01-B01-F02-003K"])],
    where: Where = "all",
) -> dict[str, Any]:
    """Every pipe, duct, cable and tray segment in the room's ceiling void, floor or walls.

    Each with its system, medium, diameter and position as a crew measures it. A
    mistyped code answers 422, an unknown one 404 with the closest codes.
    """
    return hidden_services(engine, code, where)


@router.get(
    "/buildings/{building_code}/hidden-pipes",
    response_model=dict[str, HiddenServicesPublic],
    responses=ERROR_RESPONSES,
)
def building_hidden_pipes(
    engine: EngineDep, building_code: BuildingCode, where: Where = "all"
) -> dict[str, Any]:
    """The hidden services of every active room of a building, keyed by room code."""
    return hidden_services_of_building(engine, building_code, where)


@router.get("/pipes/near", response_model=PipesNearPublic, responses=ERROR_RESPONSES)
def pipes_near(
    engine: EngineDep,
    x: Annotated[float, Query(description="Site coordinates, metres.")],
    y: Annotated[float, Query()],
    z: Annotated[float, Query()],
    radius: Annotated[
        float, Query(ge=0, le=50, description="Metres from the service's outside.")
    ] = 0.5,
    site: Annotated[str | None, Query(description="Site code; needed with several sites.")] = None,
    storey: Annotated[str | None, Query(examples=["WZ01-B01-F02"])] = None,
) -> dict[str, Any]:
    """Modelled services whose outside lies within `radius` of (x, y, z), nearest first."""
    return services_near(engine, (x, y, z), radius, site=site, storey=storey)


@router.post("/drill-check", response_model=DrillCheckPublic, responses=ERROR_RESPONSES)
def drill_check_route(engine: EngineDep, body: DrillCheckBody) -> dict[str, Any]:
    """Every modelled service within clearance of a drill path, nearest first.

    Clearance is `clearance` (default 0.05 m) from the outside of each service. The
    answer is "no modelled service within clearance" or the list; it never says safe,
    and names the model files searched and that positions are as designed.
    """
    return drill_check(
        engine,
        body.room,
        body.point,
        body.direction,
        depth_m=body.depth,
        clearance_m=body.clearance,
    )
