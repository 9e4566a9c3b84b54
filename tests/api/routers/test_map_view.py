"""`GET /api/map/config`: the optional raster tile layer, from the settings."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.api.conftest import app_client

pytestmark = pytest.mark.anyio


async def test_no_tiles_unless_configured(campus_db: Path) -> None:
    async with app_client(campus_db) as client:
        answer = await client.get("/api/map/config")
    assert answer.status_code == 200
    assert answer.json() == {"tile_url": None, "tile_attribution": None}


async def test_configured_tiles_reach_the_page(campus_db: Path) -> None:
    url = "https://tiles.example.org/{z}/{x}/{y}.png"
    async with app_client(campus_db, map_tile_url=url, map_tile_attribution="© Example") as client:
        answer = await client.get("/api/map/config")
    assert answer.json() == {"tile_url": url, "tile_attribution": "© Example"}
