"""`/api/map/sites`, `/api/sites/{code}/geojson`, `/api/sites/{code}/imdf` on the real app."""

from __future__ import annotations

import io
import json
import zipfile

import httpx
import pytest

pytestmark = pytest.mark.anyio


async def test_map_sites(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/map/sites")
    assert response.status_code == 200
    body = response.json()
    assert body["type"] == "FeatureCollection"
    (duplex,) = body["features"]
    assert duplex["id"] == "DX01"
    assert duplex["geometry"]["coordinates"] == pytest.approx([-87.6394, 41.8744], abs=1e-4)
    assert set(duplex["properties"]) == {
        "site_code",
        "name",
        "epsg",
        "buildings",
        "rooms",
        "net_floor_area_m2",
        "vacancy",
        "open_alarms",
        "has_3d",
    }
    # The heating model has no georeference at all.
    assert [s["site_code"] for s in body["unplaced"]] == ["HT01"]


async def test_rooms_layer_matches_the_rooms_api(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/sites/DX01/geojson", params={"layer": "rooms"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/geo+json")
    features = response.json()["features"]
    page = await client.get("/api/rooms", params={"building": "DX01-B01", "limit": 500})
    rooms = page.json()["items"]
    by_code = {room["room_code"]: room for room in rooms}
    assert len(features) == len(rooms) == 21
    for feature in features:
        assert feature["properties"] == by_code[feature["id"]]
    storey = (await client.get("/api/sites/dx01/geojson?layer=rooms&storey=F02")).json()
    assert storey["features"]
    assert {f["properties"]["storey"] for f in storey["features"]} == {"F02"}
    footprints = (await client.get("/api/sites/DX01/geojson")).json()["features"]
    assert [f["id"] for f in footprints] == ["DX01-B01"]


@pytest.mark.parametrize(
    ("url", "status", "text"),
    [
        ("/api/sites/DX02/geojson", 404, "unknown site 'DX02'"),
        ("/api/sites/DX01/geojson?layer=roofs", 422, "unknown layer 'roofs'"),
        ("/api/sites/DX01/geojson?layer=rooms&storey=F42", 404, "no storey 'F42'"),
        ("/api/sites/HT01/geojson", 422, "HT01 has no georeference"),
        ("/api/sites/DX02/imdf", 404, "unknown site 'DX02'"),
    ],
)
async def test_bad_requests(client: httpx.AsyncClient, url: str, status: int, text: str) -> None:
    response = await client.get(url)
    assert response.status_code == status
    detail = response.json()["detail"]
    assert text in detail["message"]
    if status == 404 and "site" in text:
        assert "DX01" in detail["closest"]


async def test_imdf_archive(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/sites/DX01/imdf")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/zip"
    assert 'filename="DX01.imdf.zip"' in response.headers["content-disposition"]
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        assert json.loads(archive.read("manifest.json"))["version"] == "1.0.0"
        units = json.loads(archive.read("unit.geojson"))["features"]
    assert len(units) == 21


async def test_unchanged_layer_answers_304(client: httpx.AsyncClient) -> None:
    first = await client.get("/api/sites/DX01/geojson?layer=rooms")
    etag = first.headers["etag"]
    again = await client.get("/api/sites/DX01/geojson?layer=rooms", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    other = await client.get(
        "/api/sites/DX01/geojson?layer=footprints", headers={"If-None-Match": etag}
    )
    assert other.status_code == 200 and other.headers["etag"] != etag


async def test_map_sites_with_idle_since(client: httpx.AsyncClient) -> None:
    measured = await client.get("/api/map/sites", params={"idle_since": "30d"})
    assert measured.status_code == 200
    # No presence sensors in this campus: nothing measured, vacancy stays unknown.
    assert measured.json()["features"][0]["properties"]["vacancy"] is None
    bad = await client.get("/api/map/sites", params={"idle_since": "last month"})
    assert bad.status_code == 422 and "since" in bad.json()["detail"]["message"]


async def test_map_sites_answers_304_while_unchanged(client: httpx.AsyncClient) -> None:
    first = await client.get("/api/map/sites")
    etag = first.headers["etag"]
    assert first.headers["content-type"] == "application/json"
    again = await client.get("/api/map/sites", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    stale = await client.get("/api/map/sites", headers={"If-None-Match": '"other"'})
    assert stale.status_code == 200 and stale.json() == first.json()
