"""`GET /api/elements/{id}/trace`, `POST /api/isolate`, `GET /api/network/check` on the
small network (a ring main, a check valve, a closed standby connection, a heating loop).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from tests.api.conftest import app_client
from tests.twin.network.small_network import PLAN, small_network_store

pytestmark = pytest.mark.anyio


@pytest.fixture(scope="module")
def small_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return small_network_store(tmp_path_factory.mktemp("small"))


@pytest.fixture
async def client(small_db: Path) -> AsyncIterator[httpx.AsyncClient]:
    async with app_client(small_db) as client:
        yield client


async def test_trace_goes_upstream_by_default(client: httpx.AsyncClient) -> None:
    tap = PLAN.element_id("T1")
    response = await client.get(f"/api/elements/{tap.lower()}/trace")
    assert response.status_code == 200
    found = response.json()
    assert found["direction"] == "upstream"
    assert found["path"][0] == tap and found["path"][-1] == PLAN.element_id("S1")
    assert found["rooms"] == ["SN01-B01-F01-001A"]
    down = (
        await client.get(f"/api/elements/{PLAN.element_id('J4')}/trace?direction=downstream")
    ).json()
    assert set(down["terminals"]) == {PLAN.element_id("T1"), PLAN.element_id("T2")}


async def test_isolate_names_valves_rooms_and_sensors(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/isolate", json={"element_id": PLAN.element_id("P2")})
    assert response.status_code == 200
    found = response.json()
    assert sorted(found["valves_to_close"]) == sorted(PLAN.element_id(v) for v in ("V2", "V3"))
    assert [v["kind"] for v in found["valves"]] == ["valve", "valve"]
    assert found["rooms"] and found["sensors"]
    assert {s["room_code"] for s in found["sensors"]} == set(found["rooms"])


async def test_drainage_answers_gravity(client: httpx.AsyncClient) -> None:
    found = (await client.post("/api/isolate", json={"element_id": PLAN.element_id("SOIL")})).json()
    assert found["gravity"] is True and found["valves_to_close"] == []


async def test_bad_input_gets_a_reason(client: httpx.AsyncClient) -> None:
    unknown = await client.get("/api/elements/SN01-B01-E000099/trace")
    assert unknown.status_code == 404
    assert "unknown element" in unknown.json()["detail"]["message"]
    assert unknown.json()["detail"]["closest"]
    sideways = await client.get(f"/api/elements/{PLAN.element_id('P2')}/trace?direction=sideways")
    assert sideways.status_code == 422
    no_ports = await client.post("/api/isolate", json={"element_id": PLAN.element_id("RX")})
    assert no_ports.status_code == 422
    assert "has no ports" in no_ports.json()["detail"]["message"]
    for body in ({}, {"element_id": ""}, {"element": "x"}):
        malformed = await client.post("/api/isolate", json=body)
        assert malformed.status_code == 422, body
        assert malformed.json()["detail"]["message"]
    missing = await client.post("/api/isolate", json={"element_id": "SN01-B01-E000099"})
    assert missing.status_code == 404


async def test_network_check(client: httpx.AsyncClient) -> None:
    report = (await client.get("/api/network/check?site=SN01")).json()
    assert report["counts"]["unconnected_ports"] == 2
    assert (await client.get("/api/network/check?site=XX99")).status_code == 404
    assert (await client.get("/api/network/check?tolerance_m=5")).status_code == 422
