"""Buildings, their storeys, their GLB (with ETag and 304) and their snapshot PNG."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import httpx
import pytest

from tests.api.conftest import app_client
from twin.rooms import campus_info
from twin.store import open_store

pytestmark = pytest.mark.anyio


def _glb_node_names(glb: bytes) -> set[str]:
    """Node names from a binary glTF's JSON chunk (header, then length, type, JSON)."""
    magic, _version, _length = struct.unpack_from("<4sII", glb, 0)
    chunk_length, chunk_type = struct.unpack_from("<I4s", glb, 12)
    assert (magic, chunk_type) == (b"glTF", b"JSON")
    document = json.loads(glb[20 : 20 + chunk_length])
    return {node["name"] for node in document.get("nodes", []) if "name" in node}


async def test_lists_buildings_with_counts(client: httpx.AsyncClient, campus_db: Path) -> None:
    response = await client.get("/api/buildings")
    assert response.status_code == 200
    assert response.json() == campus_info(open_store(str(campus_db)))
    by_code = {b["building_code"]: b for b in response.json()}
    assert sorted(by_code) == ["DX01-B01", "HT01-B01"]
    assert (by_code["DX01-B01"]["rooms"], by_code["HT01-B01"]["rooms"]) == (21, 5)
    assert by_code["HT01-B01"]["elements"]["pipe_segment"] == 100


async def test_storeys_lowest_first_with_room_counts(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/buildings/DX01-B01/storeys")
    storeys = response.json()
    assert response.status_code == 200
    assert [s["storey"] for s in storeys] == ["B1", "F01", "F02", "RF"]
    assert [s["elevation_m"] for s in storeys] == sorted(s["elevation_m"] for s in storeys)
    assert storeys[1]["storey_code"] == "DX01-B01-F01"
    assert sum(s["rooms"] for s in storeys) == 21


async def test_bare_building_number_only_while_one_site_has_it(
    client: httpx.AsyncClient, single_site_db: Path
) -> None:
    ambiguous = await client.get("/api/buildings/B01/storeys")
    assert ambiguous.status_code == 404
    assert "ambiguous" in ambiguous.json()["detail"]["message"]
    assert "SITE-B01" in ambiguous.json()["detail"]["message"]
    unknown = await client.get("/api/buildings/ZZ01-B07/storeys")
    assert unknown.status_code == 404
    assert "ZZ01-B07" in unknown.json()["detail"]["message"]
    async with app_client(single_site_db) as single:
        response = await single.get("/api/buildings/b01/storeys")
        assert response.status_code == 200
        assert {s["building_code"] for s in response.json()} == {"TM01-B01"}


async def test_model_glb_names_every_room_and_answers_304_when_unchanged(
    client: httpx.AsyncClient,
) -> None:
    pytest.importorskip("viewer.gltf", reason="viewer.gltf is written by another engineer")
    response = await client.get("/api/buildings/DX01-B01/model.glb")
    assert response.status_code == 200
    assert response.headers["content-type"] == "model/gltf-binary"
    etag = response.headers["etag"]
    assert etag.startswith('"') and len(etag) > 10
    rooms = (await client.get("/api/rooms", params={"building": "DX01-B01"})).json()["items"]
    assert {room["room_code"] for room in rooms} <= _glb_node_names(response.content)
    again = await client.get("/api/buildings/DX01-B01/model.glb", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    weak = await client.get(
        "/api/buildings/DX01-B01/model.glb", headers={"If-None-Match": f'"old", W/{etag}'}
    )
    assert weak.status_code == 304
    stale = await client.get("/api/buildings/DX01-B01/model.glb", headers={"If-None-Match": '"x"'})
    assert stale.status_code == 200
    assert stale.content == response.content
    other = await client.get("/api/buildings/HT01-B01/model.glb")
    assert other.headers["etag"] != etag


async def test_model_of_unknown_building_is_404(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/buildings/DX01-B09/model.glb")
    assert response.status_code == 404
    assert response.json()["detail"]["message"]


@pytest.mark.slow
async def test_snapshot_is_a_png_of_the_storey_and_checks_its_query(
    client: httpx.AsyncClient,
) -> None:
    pytest.importorskip("pyvista", reason="snapshots need pyvista")
    response = await client.get(
        "/api/buildings/DX01-B01/snapshot.png", params={"storey": "F02", "colour": "usage"}
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "image/png"
    assert response.content[:8] == b"\x89PNG\r\n\x1a\n"
    cached = await client.get(
        "/api/buildings/DX01-B01/snapshot.png",
        params={"storey": "F02"},
        headers={"If-None-Match": response.headers["etag"]},
    )
    assert cached.status_code == 304


async def test_snapshot_rejects_unknown_colour_and_storey(client: httpx.AsyncClient) -> None:
    colour = await client.get("/api/buildings/DX01-B01/snapshot.png", params={"colour": "rainbow"})
    assert colour.status_code == 422
    assert "rainbow" in colour.json()["detail"]["message"]
    storey = await client.get("/api/buildings/DX01-B01/snapshot.png", params={"storey": "F07"})
    assert storey.status_code == 404
    assert "F02" in storey.json()["detail"]["message"]
