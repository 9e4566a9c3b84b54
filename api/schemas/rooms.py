"""What the API takes (`RoomFilter`) and returns (`RoomSummary`, `RoomPage`, `RoomPublic`)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

__all__ = [
    "RoomEvent",
    "RoomFilter",
    "RoomNeighbour",
    "RoomPage",
    "RoomPublic",
    "RoomService",
    "RoomSummary",
]

MAX_PAGE = 10_000


class RoomFilter(BaseModel):
    """Query of `GET /api/rooms`; every filter given must hold."""

    building: str | None = Field(None, description="`SITE-Bnn`, or `Bnn` while one site has it.")
    storey: str | None = Field(None, description="`F02` or `WZ01-B01-F02`.")
    usage: str | None = Field(None, description="Usage category, e.g. `office`.")
    q: str | None = Field(
        None, max_length=100, description="Part of a room code, name or long name; any case."
    )
    retired: bool = Field(False, description="Include retired rooms.")
    limit: int = Field(100, ge=1, le=MAX_PAGE)
    offset: int = Field(0, ge=0)


class RoomSummary(BaseModel):
    room_code: str = Field(examples=["WZ01-B01-F02-003K"])
    site_code: str
    building_code: str
    storey_code: str
    storey: str
    name: str
    long_name: str | None = None
    usage: str
    department: str | None = None
    capacity: int | None = None
    net_floor_area_m2: float | None = None
    height_m: float | None = None
    status: str = Field(description="`active` or `retired`.")
    area_standard: str | None = Field(
        None, description="Offices: `within`, `over` or `idle` against the area standard."
    )
    occupants: int | None = Field(None, description="Offices: staff seated in the room.")
    over_standard_m2: float | None = Field(
        None, description="Offices: area beyond the occupants' entitlement."
    )


class RoomPage(BaseModel):
    """One page of rooms; `total` counts every match, not only this page."""

    total: int
    limit: int
    offset: int
    items: list[RoomSummary]


class RoomNeighbour(BaseModel):
    room_code: str
    via: str = Field(description="What joins the rooms: `door`, `wall` or `boundary`.")


class RoomService(BaseModel):
    """A pipe, duct or cable running through the room, and where."""

    element_id: str
    kind: str
    system: str | None = None
    medium: str | None = None
    outer_diameter_m: float | None = None
    where: str = Field(description="`ceiling`, `floor`, `wall` or `open`.")
    length_m: float | None = None
    global_id: str


class RoomEvent(BaseModel):
    at: str
    event: str = Field(examples=["created", "edited", "retired"])
    detail: dict[str, Any]


class RoomPublic(RoomSummary):
    """Everything about one room."""

    object_type: str | None = None
    usage_from_model: str
    area_source: str | None = None
    declared_area_m2: float | None = None
    volume_m3: float | None = None
    floor_elevation_m: float | None = None
    finish_ceiling_m: float | None = None
    void_top_m: float | None = None
    storey_name: str | None = None
    storey_elevation_m: float | None = None
    global_id: str
    source_file: str
    created_at: str
    retired_at: str | None = None
    neighbours: list[RoomNeighbour]
    services: list[RoomService]
    edits: dict[str, Any] = Field(description="Local edits that override the model.")
    history: list[RoomEvent]
