"""`GET /api/sites`: the sites of the campus with their georeference."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from api.deps import EngineDep
from api.schemas import SitePublic
from twin import campus

__all__ = ["router"]

router = APIRouter(prefix="/sites", tags=["sites"])


@router.get("", response_model=list[SitePublic])
def list_sites(engine: EngineDep) -> list[dict[str, Any]]:
    """Every site, in code order, with its map georeference and number of buildings."""
    return campus.sites(engine)
