"""`GET /api/rooms` and `GET /api/rooms/{code}` against the real app over imported IFC files."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from models.codes import RoomCode
from tests.api.conftest import app_client
from tests.campus_stores import copy_store
from twin.rooms import list_rooms, set_room
from twin.store import open_store

pytestmark = pytest.mark.anyio


async def _all_codes(client: httpx.AsyncClient, **params: str) -> list[str]:
    response = await client.get("/api/rooms", params={**params, "limit": "10000"})
    assert response.status_code == 200, response.text
    return [room["room_code"] for room in response.json()["items"]]


async def test_lists_every_active_room_in_code_order_with_total(
    client: httpx.AsyncClient, campus_db: Path
) -> None:
    expected = [room["room_code"] for room in list_rooms(open_store(str(campus_db)))]
    response = await client.get("/api/rooms")
    body = response.json()
    assert response.status_code == 200
    assert body["total"] == len(expected) == 26
    assert [room["room_code"] for room in body["items"]] == expected
    assert body["items"][0] == {
        "room_code": "DX01-B01-F01-001C",
        "site_code": "DX01",
        "building_code": "DX01-B01",
        "storey_code": "DX01-B01-F01",
        "storey": "F01",
        "name": "A101",
        "long_name": "Foyer",
        "usage": "circulation",
        "department": None,
        "capacity": None,
        "net_floor_area_m2": 17.94,
        "height_m": 2.58,
        "status": "active",
        "area_standard": None,
        "occupants": None,
        "over_standard_m2": None,
    }


async def test_pages_keep_the_total_and_the_order(client: httpx.AsyncClient) -> None:
    everything = await _all_codes(client)
    page = (await client.get("/api/rooms", params={"limit": 5, "offset": 5})).json()
    assert page["total"] == len(everything)
    assert (page["limit"], page["offset"]) == (5, 5)
    assert [room["room_code"] for room in page["items"]] == everything[5:10]
    past_the_end = (await client.get("/api/rooms", params={"offset": 1000})).json()
    assert past_the_end["total"] == len(everything)
    assert past_the_end["items"] == []


async def test_filters_by_building_storey_and_usage(client: httpx.AsyncClient) -> None:
    duplex = await _all_codes(client, building="dx01-b01")
    assert len(duplex) == 21
    assert all(code.startswith("DX01-B01-") for code in duplex)
    upstairs = await _all_codes(client, building="DX01-B01", storey="f02")
    assert upstairs == [code for code in duplex if code.startswith("DX01-B01-F02-")]
    assert upstairs
    # A bare storey code matches that storey in every building.
    ground = await _all_codes(client, storey="F01")
    assert {code[:4] for code in ground} == {"DX01", "HT01"}
    living = (await client.get("/api/rooms", params={"usage": "RESIDENTIAL"})).json()
    assert living["total"] > 0
    assert {room["usage"] for room in living["items"]} == {"residential"}


async def test_text_search_matches_code_parts_and_names_in_any_case(
    client: httpx.AsyncClient,
) -> None:
    kitchens = (await client.get("/api/rooms", params={"q": "KITCHEN"})).json()
    assert kitchens["total"] == 2
    assert {room["long_name"] for room in kitchens["items"]} == {"Kitchen"}
    by_code = await _all_codes(client, q="dx01-b01-f02")
    assert by_code and all(code.startswith("DX01-B01-F02-") for code in by_code)
    by_name = await _all_codes(client, q="uf_living")
    assert by_name == ["HT01-B01-F01-003L", "HT01-B01-F01-004J", "HT01-B01-F01-005H"]
    assert (await client.get("/api/rooms", params={"q": "no such room"})).json()["total"] == 0


async def test_search_ranks_code_matches_before_names_and_sees_edits(
    campus_db: Path, tmp_path: Path
) -> None:
    db = copy_store(campus_db, tmp_path)
    async with app_client(db) as client:
        before = await _all_codes(client, q="dx01-b01-f02")
        # An edit made elsewhere (another process, the CLI) shows in the next search.
        set_room(open_store(str(db)), "HT01-B01-F01-002N", {"name": "see DX01-B01-F02 upstairs"})
        after = await _all_codes(client, q="dx01-b01-f02")
        assert after == [*before, "HT01-B01-F01-002N"]
        exact = await _all_codes(client, q="DX01-B01-F02-002V")
        assert exact[0] == "DX01-B01-F02-002V"
        set_room(open_store(str(db)), "HT01-B01-F01-002N", {"usage": "office"})
        offices = await _all_codes(client, usage="office")
        assert "HT01-B01-F01-002N" in offices
        assert "HT01-B01-F01-002N" not in await _all_codes(client, usage="residential")


async def test_bad_filters_answer_with_a_readable_message(client: httpx.AsyncClient) -> None:
    ambiguous = await client.get("/api/rooms", params={"building": "B01"})
    assert ambiguous.status_code == 404
    assert "DX01-B01" in ambiguous.json()["detail"]["message"]
    no_storey = await client.get("/api/rooms", params={"building": "DX01-B01", "storey": "F09"})
    assert no_storey.status_code == 404
    assert "F01" in no_storey.json()["detail"]["message"]
    for params in ({"limit": 0}, {"limit": 10_001}, {"offset": -1}):
        response = await client.get("/api/rooms", params=params)
        assert response.status_code == 422
        assert next(iter(params)) in response.json()["detail"]["message"]


async def test_one_room_has_its_neighbours_services_and_history(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/api/rooms/ht01-b01-f01-001p")
    room = response.json()
    assert response.status_code == 200
    assert room["room_code"] == "HT01-B01-F01-001P"
    assert room["name"] == "Basement_Stock"
    assert room["storey"] == "F01"
    assert room["services"], "the heating pipes run through the basement store"
    assert {s["kind"] for s in room["services"]} >= {"pipe_segment"}
    assert room["history"][0]["event"] == "created"
    foyer = (await client.get("/api/rooms/DX01-B01-F01-001C")).json()
    assert foyer["neighbours"], "the foyer has neighbours"
    assert all(n["room_code"].startswith("DX01-B01-F01-") for n in foyer["neighbours"])


async def test_mistyped_code_is_422_and_unknown_code_404_with_closest(
    client: httpx.AsyncClient,
) -> None:
    mistyped = await client.get("/api/rooms/DX01-B01-F01-001D")
    assert mistyped.status_code == 422
    assert "check character" in mistyped.json()["detail"]["message"]
    malformed = await client.get("/api/rooms/kitchen")
    assert malformed.status_code == 422
    assert "SITE-Bnn-STOREY-NNNC" in malformed.json()["detail"]["message"]
    unknown_code = str(RoomCode.make("DX01", "B01", "F01", 99))
    unknown = await client.get(f"/api/rooms/{unknown_code}")
    detail = unknown.json()["detail"]
    assert unknown.status_code == 404
    assert unknown_code in detail["message"]
    assert detail["closest"]
    known = set(await _all_codes(client))
    assert set(detail["closest"]) <= known


async def test_search_matches_the_schema(client: httpx.AsyncClient) -> None:
    """The search page is serialised without the response model: it must still match it."""
    from api.schemas import RoomPage, RoomSummary

    body = (await client.get("/api/rooms", params={"q": "a1", "limit": "5"})).json()
    page = RoomPage.model_validate(body)
    assert page.items and page.total >= len(page.items)
    assert all(set(item) == set(RoomSummary.model_fields) for item in body["items"])
