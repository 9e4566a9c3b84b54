"""What routes ask for, as `Annotated` dependencies: settings, the store, resolved codes.

The app keeps one engine and one room search in `app.state` (made in
`api.app.create_app`); routes never open a store themselves.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Request
from sqlalchemy import Engine

from api.room_search import RoomSearch
from api.settings import Settings
from twin.rooms import resolve_building_code

__all__ = ["BuildingCode", "EngineDep", "RoomSearchDep", "SettingsDep"]


# Async so that these run on the event loop, not in a worker thread per request.
async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


async def get_room_search(request: Request) -> RoomSearch:
    search: RoomSearch = request.app.state.room_search
    return search


SettingsDep = Annotated[Settings, Depends(get_settings)]
EngineDep = Annotated[Engine, Depends(get_engine)]
RoomSearchDep = Annotated[RoomSearch, Depends(get_room_search)]


def _resolved_building(
    engine: EngineDep,
    building_code: Annotated[
        str,
        Path(
            description="`SITE-Bnn`, e.g. `WZ01-B01`; a bare `Bnn` only while one site has it.",
            examples=["WZ01-B01"],
        ),
    ],
) -> str:
    """The path's building code, resolved to `SITE-Bnn` (404 when no building has it)."""
    return resolve_building_code(engine, building_code)


BuildingCode = Annotated[str, Depends(_resolved_building)]
