"""The API under test: the real app from `create_app` over stores imported from real IFC files.

Requests go through httpx (`ASGITransport`) to the app itself, lifespan included.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from api.app import create_app
from api.settings import Settings
from layers.keys import create_key
from layers.sensors import SensorCreate, register_sensor
from tests.campus_stores import copy_store, imported_store
from twin.store import open_store

CAMPUS_FILES = {
    "DX01": ["duplex.ifc"],
    "HT01": ["b03_heating_with_building_blenderBIM.ifc"],
}
PUBLIC_BASE_URL = "https://twin.campus.example"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def campus_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two sites, each with a building B01: the duplex (21 rooms) and a heating plant."""
    return imported_store(tmp_path_factory.mktemp("campus"), CAMPUS_FILES)


@pytest.fixture(scope="session")
def single_site_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One site with one building, where a bare `B01` names a building."""
    return imported_store(tmp_path_factory.mktemp("single"), {"TM01": ["TestModel_IFC4Add2.ifc"]})


@asynccontextmanager
async def app_client(
    db: Path, configure: Callable[[FastAPI], None] | None = None, **settings: Any
) -> AsyncIterator[httpx.AsyncClient]:
    """An httpx client talking to a fresh app over `db`, started and stopped like a server.

    `configure` may change the app before its first request (e.g. its middleware).
    """
    app = create_app(Settings(database_url=str(db), public_base_url=PUBLIC_BASE_URL, **settings))
    if configure is not None:
        configure(app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver"
        ) as client,
    ):
        yield client


@pytest.fixture
async def client(campus_db: Path) -> AsyncIterator[httpx.AsyncClient]:
    async with app_client(campus_db) as client:
        yield client


A101 = "DX01-B01-F01-001C"


def readings_store(campus_db: Path, folder: Path) -> tuple[Path, str]:
    """A copy of the campus in `folder` with two sensors in A101 (`t-1` temperature,
    `door-1` door); the copy and a gateway key."""
    folder.mkdir(exist_ok=True)
    db = copy_store(campus_db, folder)
    engine = open_store(str(db))
    register_sensor(engine, SensorCreate(id="t-1", kind="temperature", room_code=A101))
    register_sensor(engine, SensorCreate(id="door-1", kind="door", room_code=A101))
    key = create_key(engine, "gateway")
    engine.dispose()
    return db, key
