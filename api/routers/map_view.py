"""`GET /api/map/config`: what the map page needs to know of the server's settings.

The map's data comes from the geo router (`/api/map/sites`, `/api/sites/{code}/geojson`);
this only says whether a raster tile layer goes under it, and its credit.
"""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from api.deps import SettingsDep

__all__ = ["MapConfig", "router"]

router = APIRouter(tags=["map"])


class MapConfig(BaseModel):
    """The map page's settings."""

    tile_url: str | None = Field(
        description="XYZ raster tile template under the twin's layers; null: none.",
        examples=["https://tiles.example.org/{z}/{x}/{y}.png"],
    )
    tile_attribution: str | None = Field(description="The credit the tiles require.")


@router.get("/map/config", response_model=MapConfig)
def map_config(settings: SettingsDep) -> MapConfig:
    """The optional raster tile layer of the map page (`TWIN_MAP_TILE_URL`)."""
    return MapConfig(tile_url=settings.map_tile_url, tile_attribution=settings.map_tile_attribution)
