"""Service networks: element traces, leak isolation and the network check, under `/api`."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query

from api.deps import EngineDep
from api.schemas.common import ERROR_RESPONSES
from api.schemas.network import IsolateRequest, IsolationPublic, NetworkCheckPublic, TracePublic
from twin.network.check import check_network
from twin.network.isolate import isolate
from twin.network.trace import trace

__all__ = ["router"]

router = APIRouter(tags=["networks"])


@router.get("/elements/{element_id}/trace", response_model=TracePublic, responses=ERROR_RESPONSES)
def element_trace(
    engine: EngineDep,
    element_id: Annotated[str, Path(examples=["WZ01-B01-E000421"])],
    direction: Annotated[Literal["upstream", "downstream"], Query()] = "upstream",
) -> dict[str, Any]:
    """Follow the element's network upstream to its source(s) or downstream to every
    terminal: the elements in order and the rooms the run passes through.

    An unknown id answers 404 with the closest ids; an element joined to nothing, 422.
    """
    return trace(engine, element_id, direction)


@router.post("/isolate", response_model=IsolationPublic, responses=ERROR_RESPONSES)
def isolate_leak(engine: EngineDep, body: IsolateRequest) -> dict[str, Any]:
    """The valves to close for a leak on `element_id`, and the terminals, rooms,
    buildings and sensors that lose service; drainage answers "gravity system".
    """
    return isolate(engine, body.element_id)


@router.get("/network/check", response_model=NetworkCheckPublic, responses=ERROR_RESPONSES)
def network_check(
    engine: EngineDep,
    site: Annotated[str | None, Query(examples=["WZ01"])] = None,
    tolerance_m: Annotated[float, Query(gt=0, le=0.5)] = 0.01,
) -> dict[str, Any]:
    """Unconnected ports, dangling segments, elements in no system, inferred connections."""
    return check_network(engine, site, tolerance_m)
