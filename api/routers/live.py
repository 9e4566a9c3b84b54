"""The live view: `WS /api/live` streams bus events; `GET /api/live/rooms` each room's state.

The socket sends every event of `layers.events.bus` as JSON text: readings as they
are stored (`{"type": "reading", ...}`, published by `layers.live.publish_readings`,
which `install` hooks into ingest once per app) and alarm changes (`{"type":
"alarm", ...}`). Each client has its own bounded queue: a client too slow to keep
up loses the oldest-unsent events rather than holding up ingest, and is told how
many with `{"type": "missed", "count": n}` so it can ask `/api/live/rooms` afresh.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Query, WebSocket, WebSocketDisconnect
from starlette.concurrency import run_in_threadpool

from api.deps import EngineDep
from api.schemas.common import ERROR_RESPONSES
from api.settings import Settings
from layers.events import bus
from layers.ingest import on_stored
from layers.keys import check_key
from layers.live import live_rooms, publish_readings

__all__ = ["install", "router", "socket_router"]

router = APIRouter(prefix="/live", tags=["live"])
socket_router = APIRouter(prefix="/api", tags=["live"])
QUEUE_EVENTS = 10_000


def install(app: FastAPI) -> None:
    """Publish reading events for what this app's ingest stores (once; idempotent)."""
    on_stored(publish_readings)
    app.state.live_installed = True


@router.get("/rooms", responses=ERROR_RESPONSES)
def rooms(
    engine: EngineDep,
    room: Annotated[list[str] | None, Query(description="Only these rooms.")] = None,
) -> dict[str, dict[str, Any]]:
    """Per room with a live sensor or an open alarm: latest `temperature` (°C), `people`,
    `present`, `capacity`, `occupancy_now` (empty, in_use, under_half, over_half, full)
    and `alarm_state` (raised, acknowledged or null). What the live colour modes read."""
    return live_rooms(engine, [code.strip().upper() for code in room] if room else None)


def _allowed(websocket: WebSocket) -> bool:
    settings: Settings = websocket.app.state.settings
    if not settings.keys_for_reads:
        return True
    header = websocket.headers.get("authorization", "")
    token = header.partition(" ")[2].strip() or websocket.query_params.get("key", "")
    info = check_key(websocket.app.state.engine, token) if token else None
    return info is not None and info.role in ("gateway", "admin")


async def _until_closed(websocket: WebSocket) -> None:
    with contextlib.suppress(WebSocketDisconnect):
        while True:
            await websocket.receive_text()


@socket_router.websocket("/live")
async def live(websocket: WebSocket) -> None:
    """Every bus event, as JSON text, until the client goes."""
    if not await run_in_threadpool(_allowed, websocket):
        await websocket.close(code=1008, reason="this needs a key: ?key= or Authorization")
        return
    await websocket.accept()
    listener = bus.listen(QUEUE_EVENTS)
    closed = asyncio.create_task(_until_closed(websocket))
    reported = 0
    try:
        while True:
            event = asyncio.create_task(listener.next())
            done, _ = await asyncio.wait({event, closed}, return_when=asyncio.FIRST_COMPLETED)
            if closed in done:
                event.cancel()
                break
            if listener.dropped > reported:
                await websocket.send_json({"type": "missed", "count": listener.dropped - reported})
                reported = listener.dropped
            await websocket.send_json(event.result())
    except (WebSocketDisconnect, RuntimeError):
        pass  # the client went while we were sending
    finally:
        bus.remove(listener)
        closed.cancel()
