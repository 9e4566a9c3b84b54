"""The app as a whole: every contract route is there, documented, and starts and stops cleanly."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.api.conftest import app_client

pytestmark = pytest.mark.anyio

ROOT = Path(__file__).resolve().parents[2]

CONTRACT_PATHS = {
    "/api/sites",
    "/api/buildings",
    "/api/buildings/{building_code}/storeys",
    "/api/rooms",
    "/api/rooms/{code}",
    "/api/elements/{element_id}",
    "/api/buildings/{building_code}/model.glb",
    "/api/buildings/{building_code}/snapshot.png",
    "/api/palette",
}


async def test_openapi_documents_every_route_of_the_contract(client: httpx.AsyncClient) -> None:
    schema = (await client.get("/openapi.json")).json()
    assert set(schema["paths"]) >= CONTRACT_PATHS
    rooms = schema["paths"]["/api/rooms"]["get"]
    assert {p["name"] for p in rooms["parameters"]} >= {
        "building",
        "storey",
        "usage",
        "q",
        "limit",
        "offset",
    }
    assert "404" in schema["paths"]["/api/rooms/{code}"]["get"]["responses"]
    docs = await client.get("/docs")
    assert docs.status_code == 200
    assert "swagger" in docs.text.lower()


async def test_an_empty_store_serves_empty_lists(tmp_path: Path) -> None:
    async with app_client(tmp_path / "empty.db") as client:
        assert (await client.get("/api/buildings")).json() == []
        assert (await client.get("/api/rooms")).json() == {
            "total": 0,
            "limit": 100,
            "offset": 0,
            "items": [],
        }


def test_importing_the_app_leaves_twin_free_of_fastapi() -> None:
    # The app imports twin; twin itself must still not pull fastapi in.
    code = (
        "import sys, twin, twin.rooms, twin.store;"
        "assert 'fastapi' not in sys.modules;"
        "import api.app;"
        "assert 'fastapi' in sys.modules;"
        "assert 'pyvista' not in sys.modules and 'trimesh' not in sys.modules"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
