"""What the API returns about buildings and their storeys."""

from __future__ import annotations

from pydantic import BaseModel, Field

__all__ = ["BuildingPublic", "StoreyPublic"]


class BuildingPublic(BaseModel):
    """A building with counts of what it holds (the same keys as `twin info --json`)."""

    building_code: str = Field(examples=["WZ01-B01"])
    site_code: str
    site_name: str
    name: str
    storeys: int = Field(description="Number of storeys.")
    rooms: int = Field(description="Number of active rooms.")
    retired_rooms: int
    net_floor_area_m2: float = Field(description="Sum over active rooms.")
    elements: dict[str, int] = Field(description="Number of elements by kind.")


class StoreyPublic(BaseModel):
    storey_code: str = Field(examples=["WZ01-B01-F02"])
    building_code: str
    storey: str = Field(examples=["F02"], description="The storey's code within its building.")
    name: str
    elevation_m: float
    rooms: int = Field(description="Number of active rooms on the storey.")
