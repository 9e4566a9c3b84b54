"""The page at `/`: the built client when there is one, else a page saying how to build it."""

from __future__ import annotations

from pathlib import Path

import pytest

from api.web import NOT_BUILT_TITLE
from tests.api.conftest import app_client

pytestmark = pytest.mark.anyio


def _built_client(folder: Path) -> Path:
    (folder / "index.html").write_text("<!doctype html><title>twin page</title>", "utf-8")
    (folder / "app.js").write_text("console.log('campus')", "utf-8")
    return folder


async def test_serves_the_built_client_at_root_and_for_a_room_link(
    campus_db: Path, tmp_path: Path
) -> None:
    async with app_client(campus_db, web_dir=_built_client(tmp_path)) as client:
        root = await client.get("/")
        assert root.status_code == 200
        assert "twin page" in root.text
        linked = await client.get("/", params={"room": "DX01-B01-F01-001C"})
        assert linked.text == root.text
        script = await client.get("/app.js")
        assert script.status_code == 200
        assert "campus" in script.text
        # The mount at / must not hide the API.
        assert (await client.get("/api/sites")).headers["content-type"] == "application/json"
        assert (await client.get("/missing.js")).status_code == 404


async def test_says_how_to_build_the_client_when_it_is_missing(
    campus_db: Path, tmp_path: Path
) -> None:
    async with app_client(campus_db, web_dir=tmp_path / "dist") as client:
        page = await client.get("/", params={"room": "DX01-B01-F01-001C"})
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        assert NOT_BUILT_TITLE in page.text
        assert "make" in page.text
        assert str(tmp_path / "dist") in page.text
        assert (await client.get("/api/buildings")).status_code == 200


async def test_serves_the_map_page_at_map(campus_db: Path, tmp_path: Path) -> None:
    folder = _built_client(tmp_path)
    (folder / "map.html").write_text("<!doctype html><title>twin map</title>", "utf-8")
    async with app_client(campus_db, web_dir=folder) as client:
        page = await client.get("/map", params={"site": "DX01"})
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        assert "twin map" in page.text
        assert "twin page" in (await client.get("/")).text


async def test_no_map_route_without_a_built_map_page(campus_db: Path, tmp_path: Path) -> None:
    async with app_client(campus_db, web_dir=_built_client(tmp_path)) as client:
        assert (await client.get("/map")).status_code == 404
