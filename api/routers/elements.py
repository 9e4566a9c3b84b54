"""`GET /api/elements/{element_id}`: one pipe, duct, cable, valve, terminal, wall…"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path

from api.deps import EngineDep
from api.schemas import ElementPublic
from api.schemas.common import ERROR_RESPONSES
from twin import campus

__all__ = ["router"]

router = APIRouter(prefix="/elements", tags=["elements"])


@router.get("/{element_id}", response_model=ElementPublic, responses=ERROR_RESPONSES)
def element(
    engine: EngineDep,
    element_id: Annotated[str, Path(examples=["WZ01-B01-E000421"])],
) -> dict[str, Any]:
    """The element's kind, system, diameter, axis and the rooms it runs through or serves.

    An unknown id answers 404 with the closest ids of the same building.
    """
    return campus.element_detail(engine, element_id)
