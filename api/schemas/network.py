"""What the API takes and returns about service networks: traces, isolations, checks."""

from __future__ import annotations

from pydantic import BaseModel, Field

__all__ = [
    "IsolateRequest",
    "IsolationPublic",
    "NetworkCheckPublic",
    "NetworkElement",
    "NetworkSensor",
    "TracePublic",
    "TracedElement",
]


class NetworkElement(BaseModel):
    element_id: str = Field(examples=["WZ01-B01-E000421"])
    kind: str
    ifc_class: str
    name: str | None = None
    building_code: str | None = None
    storey_code: str | None = None
    medium: str | None = None


class TracedElement(NetworkElement):
    distance: int = Field(description="Joints between this element and the traced one.")


class TracePublic(BaseModel):
    element: NetworkElement
    direction: str = Field(examples=["upstream"])
    medium: str = Field(description="The network followed: water, heating, gas, drainage…")
    elements: list[TracedElement] = Field(description="Everything reached, nearest first.")
    path: list[str] = Field(
        description="Element ids from the traced element to the nearest source (upstream) "
        "or terminal (downstream)."
    )
    sources: list[str]
    terminals: list[str]
    closed_valves: list[str] = Field(description="Normally closed valves met; not passed.")
    rooms: list[str] = Field(description="Rooms the traced run passes through or serves.")
    buildings: list[str]
    message: str


class IsolateRequest(BaseModel):
    element_id: str = Field(min_length=1, max_length=64, examples=["WZ01-B01-E000421"])


class NetworkSensor(BaseModel):
    sensor_id: str
    kind: str
    room_code: str


class IsolationPublic(BaseModel):
    element: NetworkElement
    medium: str
    gravity: bool = Field(description="True for drainage: a gravity system, no isolation.")
    valves_to_close: list[str] = Field(description="Element ids of the valves to close.")
    valves: list[NetworkElement]
    nearest_upstream_valve: NetworkElement | None = Field(
        None, description="When no valve isolates the element: the nearest one upstream."
    )
    terminals: list[NetworkElement] = Field(description="Terminals that lose service.")
    rooms: list[str] = Field(description="Rooms those terminals serve.")
    buildings: list[str]
    sensors: list[NetworkSensor] = Field(description="Sensors in the rooms that lose service.")
    warnings: list[str] = Field(description="A sprinkler or gas section going dead.")
    optimal: bool = Field(description="False only when the search for fewer valves gave up.")
    message: str


class NetworkCheckPublic(BaseModel):
    sites: list[str]
    tolerance_m: float
    unconnected_ports: list[dict[str, object]]
    dangling_segments: list[dict[str, object]]
    elements_in_no_system: list[dict[str, object]]
    inferred_connections: list[dict[str, object]]
    inferable_connections: list[dict[str, object]]
    counts: dict[str, int]
