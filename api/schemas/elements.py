"""What the API returns about elements: pipes, ducts, cables, valves, terminals, walls…"""

from __future__ import annotations

from pydantic import BaseModel, Field

__all__ = ["ElementPublic", "ElementRun", "ElementSystem"]


class ElementSystem(BaseModel):
    name: str
    medium: str
    predefined_type: str | None = None


class ElementRun(BaseModel):
    """A room the element runs through, and where: ceiling void, floor, wall or open."""

    room_code: str
    where: str
    length_m: float


class ElementPublic(BaseModel):
    element_id: str = Field(examples=["WZ01-B01-E000421"])
    kind: str = Field(examples=["pipe_segment"])
    ifc_class: str
    name: str | None = None
    type_name: str | None = None
    predefined_type: str | None = None
    medium: str | None = None
    outer_diameter_m: float | None = None
    normally_open: bool | None = None
    valve_type: str | None = None
    site_code: str
    building_code: str | None = None
    storey_code: str | None = None
    global_id: str = Field(description="IFC GlobalId in its source file.")
    source_file: str
    axis_m: list[list[float]] | None = Field(
        None, description="Axis polyline of a segment, site coordinates, (n, 3) metres."
    )
    systems: list[ElementSystem]
    runs_through: list[ElementRun]
    serves: list[str] = Field(description="Codes of the rooms a terminal serves.")
