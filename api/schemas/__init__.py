"""Pydantic models of what the API takes (`*Filter`) and returns (`*Public`, `*Summary`).

Requests and responses are kept apart, one module per resource; field names are
the ones `twin` uses, with units in the names.
"""

from api.schemas.buildings import BuildingPublic, StoreyPublic
from api.schemas.common import ErrorBody, ErrorDetail
from api.schemas.elements import ElementPublic, ElementRun, ElementSystem
from api.schemas.rooms import (
    RoomEvent,
    RoomFilter,
    RoomNeighbour,
    RoomPage,
    RoomPublic,
    RoomService,
    RoomSummary,
)
from api.schemas.sites import SitePublic

__all__ = [
    "BuildingPublic",
    "ElementPublic",
    "ElementRun",
    "ElementSystem",
    "ErrorBody",
    "ErrorDetail",
    "RoomEvent",
    "RoomFilter",
    "RoomNeighbour",
    "RoomPage",
    "RoomPublic",
    "RoomService",
    "RoomSummary",
    "SitePublic",
    "StoreyPublic",
]
