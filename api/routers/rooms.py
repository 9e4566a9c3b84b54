"""`GET /api/rooms` (search, filter, page) and `GET /api/rooms/{code}` (one room)."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response
from sqlalchemy import Engine

from api.deps import EngineDep, RoomSearchDep
from api.room_search import RoomSearch
from api.schemas import RoomFilter, RoomPage, RoomPublic
from api.schemas.common import ERROR_RESPONSES
from twin import campus
from twin.rooms import resolve_building_code, room_detail

__all__ = ["router"]

router = APIRouter(prefix="/rooms", tags=["rooms"])


def _search(engine: Engine, search: RoomSearch, query: RoomFilter) -> dict[str, Any]:
    building = resolve_building_code(engine, query.building) if query.building else None
    storey = query.storey.strip().upper() if query.storey else None
    if building and storey:
        storey = campus.resolve_storey_code(engine, building, storey)
    found = search.search(
        building=building,
        storey=storey,
        usage=query.usage,
        q=query.q,
        retired=query.retired,
        limit=query.limit,
        offset=query.offset,
    )
    return {
        "total": found.total,
        "limit": query.limit,
        "offset": query.offset,
        "items": found.items,
    }


@router.get("", response_model=RoomPage, responses=ERROR_RESPONSES)
async def search_rooms(
    engine: EngineDep, search: RoomSearchDep, query: Annotated[RoomFilter, Query()]
) -> Response:
    """Rooms matching every filter given, one page at a time, with the total count.

    `q` matches part of a room code, name or long name in any case. Without `q` the
    rooms come in code order; with `q`, the exact code first, then codes starting
    with `q`, codes containing it, and names containing it, each group in code
    order. `total` counts all matches; `limit` and `offset` choose the page.
    """
    # The search box calls this on every keystroke. The rooms are already in memory
    # as plain JSON-ready dicts, built from the same fields as RoomSummary, so the
    # page is serialised directly instead of being validated item by item again;
    # `test_search_matches_the_schema` holds the two together. The work is a
    # sub-millisecond in-memory filter plus one indexed version query, cheaper on the
    # event loop than a hop to a worker thread.
    page = _search(engine, search, query)
    return Response(
        json.dumps(page, ensure_ascii=False, separators=(",", ":")).encode("utf-8"),
        media_type="application/json",
    )


@router.get("/{code}", response_model=RoomPublic, responses=ERROR_RESPONSES)
def room(
    engine: EngineDep,
    code: Annotated[str, Path(description="Room code, any case.", examples=["WZ01-B01-F02-003K"])],
) -> dict[str, Any]:
    """Everything about one room: identity, size, storey, neighbours, services, history.

    A malformed code or a wrong check character answers 422; a valid code that no
    room has answers 404 with the closest codes in `detail.closest`.
    """
    return room_detail(engine, code)
