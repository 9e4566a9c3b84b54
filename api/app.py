"""The FastAPI app: the routers under `/api`, the error handlers, the web client at `/`.

>>> from api.settings import Settings
>>> app = create_app(Settings(database_url="sqlite://"))
>>> "/api/sites" in app.openapi()["paths"]
True
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, Depends, FastAPI

from api.alarm_service import AlarmService
from api.deps import read_access
from api.errors import install_error_handlers
from api.mqtt import MqttService
from api.readings_ingest import ReadingsIngest
from api.room_search import RoomSearch
from api.routers import (
    alarms,
    buildings,
    elements,
    geo,
    ingest,
    live,
    maintenance,
    map_view,
    network,
    notifications,
    org,
    palette,
    planning,
    readings,
    rooms,
    scenarios,
    sensors,
    sites,
    utilisation,
    work_orders,
)
from api.settings import Settings
from api.web import mount_web_client
from twin.geo.layer_cache import LayerCache
from twin.store import open_store
from viewer.snapshot_service import SnapshotService

__all__ = ["create_app"]

logger = logging.getLogger("twin.api")

DESCRIPTION = """\
The campus twin over HTTP: sites, buildings, storeys and rooms (one stable code per
room), the elements in them, each building as a glTF model and as a snapshot, and
the colour palette the page and the snapshots share.

Every error answers `{"detail": {"message": ..., "closest": [...]}}`: a mistyped room
code 422, a code that no room has 404 with the closest codes.
"""


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    # MQTT ingest lives with the served app (not with create_app) so that building an
    # app for a test or a doctest starts no threads and no broker.
    app.state.mqtt = MqttService(app.state.settings, app.state.engine).start()
    live.install(app)
    app.state.alarms = AlarmService(app.state.engine, app.state.settings).start()
    yield
    await app.state.alarms.stop()
    app.state.mqtt.stop()
    app.state.snapshots.close()
    app.state.room_search.close()
    app.state.geo_layers.close()
    app.state.engine.dispose()


def create_app(settings: Settings | None = None) -> FastAPI:
    """The app over the store that `settings` names (default: from `TWIN_*` variables)."""
    settings = settings or Settings()
    app = FastAPI(
        title="Campus Twin",
        description=DESCRIPTION,
        version="0.1.0",
        lifespan=_lifespan,
    )
    app.state.settings = settings
    app.state.engine = open_store(settings.database_url)
    app.state.room_search = RoomSearch(app.state.engine)
    app.state.geo_layers = LayerCache(app.state.engine)
    app.state.snapshots = SnapshotService(
        cache_dir=settings.cache_dir / "snapshots" if settings.cache_dir else None
    )
    install_error_handlers(app)
    # POST /api/readings, the ingest hot path, is answered ahead of FastAPI's routing.
    app.add_middleware(ReadingsIngest)
    # Reads are open on loopback; `keys_for_reads` closes them (writes check their own keys).
    api = APIRouter(prefix="/api", dependencies=[Depends(read_access)])
    routers = (sites, buildings, rooms, elements, palette, sensors, readings, ingest, utilisation)
    groups = (
        alarms,
        notifications,
        work_orders,
        maintenance,
        network,
        geo,
        map_view,
        org,
        planning,
        scenarios,
    )
    for module in (*routers, *groups, live):
        api.include_router(module.router)
    api.include_router(planning.lifecycle_router)
    app.include_router(api)
    app.include_router(live.socket_router)
    app.state.web_dir = mount_web_client(app, settings.web_dir)
    return app
