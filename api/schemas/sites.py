"""What the API returns about sites."""

from __future__ import annotations

from pydantic import BaseModel, Field

__all__ = ["SitePublic"]


class SitePublic(BaseModel):
    """A site with its georeference (map coordinates and lat/lon where the model has them)."""

    site_code: str = Field(examples=["WZ01"])
    name: str
    long_name: str | None = None
    global_id: str | None = None
    epsg: int | None = Field(None, description="EPSG code of the map coordinates.")
    crs_name: str | None = None
    eastings_m: float | None = None
    northings_m: float | None = None
    orthogonal_height_m: float | None = None
    x_axis_abscissa: float | None = None
    x_axis_ordinate: float | None = None
    scale: float | None = None
    latitude_deg: float | None = None
    longitude_deg: float | None = None
    elevation_m: float | None = None
    true_north_deg: float | None = None
    buildings: int = Field(description="Number of buildings on the site.")
