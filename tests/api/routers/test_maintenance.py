"""`/api/rooms/{code}/hidden-pipes`, `/api/buildings/{b}/hidden-pipes`, `/api/pipes/near`,
`POST /api/drill-check`: the real app over a sample-campus store, answers as in `twin/`."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from models.codes import RoomCode
from tests.api.conftest import app_client
from tests.maintenance_sample import SampleCampus
from twin.maintenance.hidden import hidden_services, hidden_services_of_building
from twin.maintenance.near import NO_SERVICE
from twin.store import open_store

pytestmark = pytest.mark.anyio


@pytest.fixture(scope="module")
def campus(tmp_path_factory: pytest.TempPathFactory) -> SampleCampus:
    return SampleCampus.build(tmp_path_factory.mktemp("api-maintenance"), buildings=1)


@pytest.fixture
async def client(campus: SampleCampus) -> AsyncIterator[httpx.AsyncClient]:
    async with app_client(campus.db) as client:
        yield client


def _plain(value: Any) -> Any:
    return json.loads(json.dumps(value))


def _drop(campus: SampleCampus) -> tuple[str, str, list[float]]:
    """The drop to a tap, the room west of its partition, the face point level with it."""
    drop, room, point = campus.drop_beside("west")
    return drop, campus.room_code(room), point


async def test_hidden_pipes_of_a_room_are_the_twin_answer(
    client: httpx.AsyncClient, campus: SampleCampus
) -> None:
    _, room, _ = _drop(campus)
    response = await client.get(f"/api/rooms/{room.lower()}/hidden-pipes")
    assert response.status_code == 200
    engine = open_store(str(campus.db))
    try:
        expected = _plain(hidden_services(engine, room))
        walls = _plain(hidden_services(engine, room, "wall"))
        batch = _plain(hidden_services_of_building(engine, "WZ01-B01"))
    finally:
        engine.dispose()
    assert response.json() == expected
    assert any(s["where"] == "wall" for s in expected["services"])
    only = await client.get(f"/api/rooms/{room}/hidden-pipes", params={"where": "wall"})
    assert only.json() == walls
    whole = await client.get("/api/buildings/B01/hidden-pipes")
    assert whole.status_code == 200
    assert whole.json() == batch
    assert whole.json()[room] == expected


async def test_hidden_pipes_bad_codes_and_where(
    client: httpx.AsyncClient, campus: SampleCampus
) -> None:
    _, room, _ = _drop(campus)
    mistyped = room[:-1] + ("A" if room[-1] != "A" else "B")
    response = await client.get(f"/api/rooms/{mistyped}/hidden-pipes")
    assert response.status_code == 422
    assert "check character" in response.json()["detail"]["message"]
    unknown = str(RoomCode.make("WZ01", "B01", "F01", 999))
    response = await client.get(f"/api/rooms/{unknown}/hidden-pipes")
    assert response.status_code == 404
    assert response.json()["detail"]["closest"]
    response = await client.get(f"/api/rooms/{room}/hidden-pipes", params={"where": "roof"})
    assert response.status_code == 422
    assert response.json()["detail"]["message"].startswith("where:")


async def test_pipes_near_lists_the_drop_nearest_first(
    client: httpx.AsyncClient, campus: SampleCampus
) -> None:
    drop, _, (x, y, z) = _drop(campus)
    response = await client.get(
        "/api/pipes/near", params={"x": x + 0.075, "y": y + 0.2, "z": z, "radius": 0.3}
    )
    assert response.status_code == 200
    found = response.json()
    assert found["site_code"] == "WZ01"
    assert drop in {s["element_id"] for s in found["services"]}
    hit = next(s for s in found["services"] if s["element_id"] == drop)
    assert hit["axis_distance_m"] == pytest.approx(0.2, abs=1e-3)
    distances = [s["distance_m"] for s in found["services"]]
    assert distances == sorted(distances)
    on_storey = await client.get(
        "/api/pipes/near",
        params={"x": x + 0.075, "y": y, "z": z, "radius": 0.3, "storey": "WZ01-B01-F02"},
    )
    assert drop not in {s["element_id"] for s in on_storey.json()["services"]}


async def test_pipes_near_bad_queries(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/pipes/near", params={"x": 1, "y": 2})
    assert response.status_code == 422
    assert "z" in response.json()["detail"]["message"]
    response = await client.get("/api/pipes/near", params={"x": 1, "y": 2, "z": 0, "site": "XX"})
    assert response.status_code == 404
    assert "unknown site" in response.json()["detail"]["message"]
    response = await client.get("/api/pipes/near", params={"x": 1, "y": 2, "z": 0, "radius": -1})
    assert response.status_code == 422
    assert "radius" in response.json()["detail"]["message"]


async def test_drill_check_hits_the_drop_and_misses_beside_it(
    client: httpx.AsyncClient, campus: SampleCampus
) -> None:
    drop, room, point = _drop(campus)
    body = {"room": room, "point": point, "direction": [1, 0, 0]}
    response = await client.post("/api/drill-check", json=body)
    assert response.status_code == 200
    answer = response.json()
    assert answer["services"][0]["element_id"] == drop
    assert answer["depth_m"] == 0.1 and answer["clearance_m"] == 0.05
    assert answer["models"][0]["file_name"] == "campus.ifc"
    assert "not as built" in answer["notice"]
    assert "safe" not in response.text.lower()
    beside = {**body, "point": [point[0], point[1] + 0.2, point[2]]}
    missed = (await client.post("/api/drill-check", json=beside)).json()
    assert drop not in {s["element_id"] for s in missed["services"]}
    if not missed["services"]:
        assert missed["message"] == NO_SERVICE


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"point": [1.0, 2.0]}, "point"),
        ({"point": None}, "point"),
        ({"direction": "up"}, "direction"),
        ({"depth": 0}, "depth"),
        ({"clearance": 2}, "clearance"),
        ({"drill": "hammer"}, "drill"),
    ],
)
async def test_bad_drill_bodies_are_422_naming_the_field(
    client: httpx.AsyncClient, campus: SampleCampus, change: dict[str, Any], field: str
) -> None:
    _, room, point = _drop(campus)
    body = {"room": room, "point": point, "direction": [1, 0, 0], **change}
    response = await client.post("/api/drill-check", json=body)
    assert response.status_code == 422
    assert f"body.{field}" in response.json()["detail"]["message"]


async def test_zero_direction_and_far_point_are_422(
    client: httpx.AsyncClient, campus: SampleCampus
) -> None:
    _, room, point = _drop(campus)
    zero = await client.post(
        "/api/drill-check", json={"room": room, "point": point, "direction": [0, 0, 0]}
    )
    assert zero.status_code == 422
    assert "direction" in zero.json()["detail"]["message"]
    far = await client.post(
        "/api/drill-check", json={"room": room, "point": [900, 900, 0], "direction": [0, 0, 1]}
    )
    assert far.status_code == 422
    assert f"not in or on room {room}" in far.json()["detail"]["message"]
