"""What routes ask for, as `Annotated` dependencies: settings, the store, resolved codes, keys.

Keys: readings and sensor registration need a gateway or admin key, other writes an
admin key (`Authorization: Bearer <key>`); a missing or unknown key answers 401, a
key of the wrong role 403. Reads are open unless `Settings.keys_for_reads`.

The app keeps one engine and one room search in `app.state` (made in
`api.app.create_app`); routes never open a store themselves.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Request
from sqlalchemy import Engine

from api.room_search import RoomSearch
from api.settings import Settings
from layers.keys import KeyInfo, check_key
from models.errors import InvalidKey, MissingKey, WrongRole
from twin.rooms import resolve_building_code

__all__ = [
    "AdminKey",
    "BuildingCode",
    "EngineDep",
    "GatewayKey",
    "RoomSearchDep",
    "SettingsDep",
    "read_access",
    "require_role",
]


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


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise InvalidKey("the Authorization header must read `Bearer <key>`")
    return token.strip()


def _key(request: Request) -> KeyInfo | None:
    """The request's key, checked once per request; None when it brought none."""
    if "twin_key" not in request.scope:
        token = _bearer(request)
        info = None
        if token is not None:
            info = check_key(request.app.state.engine, token)
            if info is None:
                raise InvalidKey("unknown or revoked key; `twin keys create` makes one")
        request.scope["twin_key"] = info
    found: KeyInfo | None = request.scope["twin_key"]
    return found


def require_role(request: Request, roles: tuple[str, ...]) -> KeyInfo:
    """The request's key when its role is one of `roles`; else `MissingKey`, `WrongRole`."""
    info = _key(request)
    if info is None:
        raise MissingKey("this needs a key: send `Authorization: Bearer <key>`")
    if info.role not in roles:
        raise WrongRole(f"a {info.role} key may not do this; it needs {' or '.join(roles)}")
    return info


async def read_access(request: Request) -> None:
    """Reads are open, unless the settings say reads need a key (non-loopback serving)."""
    settings: Settings = request.app.state.settings
    if settings.keys_for_reads:
        require_role(request, ("gateway", "admin"))


async def gateway_key(request: Request) -> KeyInfo:
    """Readings and sensor registration: a gateway or admin key."""
    return require_role(request, ("gateway", "admin"))


async def admin_key(request: Request) -> KeyInfo:
    """Every other write: an admin key."""
    return require_role(request, ("admin",))


GatewayKey = Annotated[KeyInfo, Depends(gateway_key)]
AdminKey = Annotated[KeyInfo, Depends(admin_key)]
