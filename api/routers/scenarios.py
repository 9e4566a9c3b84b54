"""`/api/planning/scenarios`: run a reallocation scenario, list, show, compare, export, apply.

Running plans with CP-SAT for up to `time_limit_s` (default 60) and saves the answer;
running and applying need an admin key, reads are open (unless the settings close them).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from api.deps import AdminKey, EngineDep
from api.schemas.common import ERROR_RESPONSES
from models.errors import BadInput
from twin.planning import scenario_store
from twin.planning.scenario import parse_scenario

__all__ = ["router"]

router = APIRouter(prefix="/planning/scenarios", tags=["planning"])

ScenarioId = Annotated[int, Path(description="Scenario number.", examples=[1], ge=1)]
EXAMPLE = {
    "name": "bureau grows, storey closes",
    "changes": [
        {"kind": "grow", "department": "FIN", "ranks": {"below_bureau": 4}},
        {"kind": "close", "building": "B02", "storey": "F01"},
    ],
    "preferences": {"move": 10, "over_standard_m2": 2, "storey": 40},
}


class ApplyRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    why: str = Field(min_length=1, max_length=1000)
    by: str | None = Field(None, max_length=200, description="Who; default: the key's id.")


@router.post("", status_code=201, responses=ERROR_RESPONSES)
def run(
    engine: EngineDep,
    key: AdminKey,
    body: Annotated[dict[str, Any], Body(examples=[EXAMPLE])],
    site: Annotated[str | None, Query(description="Site code; every site when left out.")] = None,
    time_limit_s: Annotated[
        float, Query(gt=0, le=scenario_store.MAX_TIME_LIMIT_S, description="Solver seconds.")
    ] = 60.0,
) -> dict[str, Any]:
    """Plan the scenario (changes and preferences) and save it; returns moves and KPIs."""
    scenario = parse_scenario(body)
    return scenario_store.run_scenario(engine, scenario, site, time_limit_s, by=f"key:{key.key_id}")


@router.get("", responses=ERROR_RESPONSES)
def listing(engine: EngineDep) -> list[dict[str, Any]]:
    """Saved scenarios, newest first: status, objective, bound, gap, moves, applied."""
    return scenario_store.list_scenarios(engine)


@router.get("/compare", responses=ERROR_RESPONSES)
def compare(
    engine: EngineDep,
    ids: Annotated[str, Query(description="Scenario numbers, comma-separated.", examples=["1,2"])],
) -> list[dict[str, Any]]:
    """Scenarios side by side: figures, cost terms and KPIs before and after."""
    try:
        wanted = [int(part) for part in ids.split(",") if part.strip()]
    except ValueError:
        raise BadInput(f"ids must be scenario numbers separated by commas, not {ids!r}") from None
    return scenario_store.compare_scenarios(engine, wanted)


@router.get("/{scenario_id}", responses=ERROR_RESPONSES)
def detail(engine: EngineDep, scenario_id: ScenarioId) -> dict[str, Any]:
    """One scenario: body, status, objective, bound, gap, KPIs, moves and shortages."""
    return scenario_store.scenario_detail(engine, scenario_id)


@router.get("/{scenario_id}/export.csv", responses=ERROR_RESPONSES)
def export(engine: EngineDep, scenario_id: ScenarioId) -> Response:
    """The move list as CSV: staff_id, name, department, rank, from_room, to_room."""
    text = scenario_store.scenario_moves_csv(engine, scenario_id)
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="scenario-{scenario_id}.csv"'},
    )


@router.post("/{scenario_id}/apply", responses=ERROR_RESPONSES)
def apply(
    engine: EngineDep, key: AdminKey, scenario_id: ScenarioId, request: ApplyRequest
) -> dict[str, Any]:
    """Write the plan: seats, departments, new staff, allocations, lifecycle events."""
    return scenario_store.apply_scenario_plan(
        engine, scenario_id, by=request.by or f"key:{key.key_id}", why=request.why
    )
