"""`POST /api/readings` (JSON and NDJSON), latest values, history and `/api/rooms/{code}/live`."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from tests.api.conftest import app_client, readings_store

pytestmark = pytest.mark.anyio

A101 = "DX01-B01-F01-001C"


@pytest.fixture
async def gateway(campus_db: Path, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    """A client over a fresh copy with two sensors in A101, sending a gateway key."""
    db, token = readings_store(campus_db, tmp_path)
    async with app_client(db) as client:
        client.headers["Authorization"] = f"Bearer {token}"
        yield client


async def test_json_array_answers_one_result_per_item_in_order(
    gateway: httpx.AsyncClient,
) -> None:
    items = [
        {"sensor": "t-1", "ts": "2026-03-01T08:00:00+08:00", "value": 21.5},
        {"sensor": "t-1", "ts": "2026-03-01T00:00:00Z", "value": 21.5},
        {"sensor": "t-1", "ts": "2026-03-01T01:00:00", "value": 21.5},
        {"sensor": "ghost", "ts": "2026-03-01T01:00:00Z", "value": 1},
        {"sensor": "door-1", "ts": "2026-03-01T01:00:00Z", "value": "open"},
        ["not", "an", "object"],
    ]
    answer = await gateway.post("/api/readings", json=items)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["stored"], body["duplicate"], body["rejected"]) == (2, 1, 3)
    assert [r["status"] for r in body["results"]] == [
        "stored",
        "duplicate",
        "rejected",
        "rejected",
        "stored",
        "rejected",
    ]
    assert [r.get("reason") for r in body["results"][2:4]] == ["no_time_zone", "unknown_sensor"]
    assert body["results"][5]["reason"] == "malformed"
    resent = await gateway.post("/api/readings", json=items[:1])
    assert resent.json()["results"] == [{"status": "duplicate"}]


async def test_ndjson_bad_line_is_one_rejection_not_a_failed_request(
    gateway: httpx.AsyncClient,
) -> None:
    lines = [
        json.dumps({"sensor": "t-1", "ts": "2026-03-01T00:00:00Z", "value": 20}),
        "{broken",
        "",
        json.dumps({"sensor": "t-1", "ts": "2026-03-01T00:15:00Z", "value": 99.5}),
    ]
    answer = await gateway.post(
        "/api/readings",
        content="\n".join(lines).encode(),
        headers={"Content-Type": "application/x-ndjson"},
    )
    assert answer.status_code == 200, answer.text
    results = answer.json()["results"]
    assert [(r["status"], r.get("reason")) for r in results] == [
        ("stored", None),
        ("rejected", "malformed"),
        ("rejected", "out_of_range"),
    ]


async def test_concurrent_batches_are_all_stored_once(gateway: httpx.AsyncClient) -> None:
    # each batch commits in a thread while the next is checked: none waits forever,
    # none is lost, and the overlap between batches is stored once
    batches = [
        [
            {"sensor": "t-1", "ts": f"2026-03-02T{h:02d}:{m:02d}:00Z", "value": 20.0}
            for m in range(60)
        ]
        for h in (0, 1, 2, 3, 4, 5, 5)
    ]
    answers = await asyncio.gather(*(gateway.post("/api/readings", json=b) for b in batches))
    assert all(a.status_code == 200 for a in answers)
    assert sum(a.json()["stored"] for a in answers) == 6 * 60
    assert sum(a.json()["duplicate"] for a in answers) == 60
    stats = (await gateway.get("/api/ingest/stats")).json()["http"]
    assert (stats["stored"], stats["duplicate"]) == (360, 60)


async def test_a_nan_from_firmware_is_one_rejection_not_a_failed_request(
    gateway: httpx.AsyncClient,
) -> None:
    body = (
        b'[{"sensor": "t-1", "ts": "2026-03-01T00:00:00Z", "value": NaN},'
        b' {"sensor": "t-1", "ts": "2026-03-01T00:05:00Z", "value": 20.5}]'
    )
    answer = await gateway.post(
        "/api/readings", content=body, headers={"Content-Type": "application/json"}
    )
    assert answer.status_code == 200, answer.text
    results = answer.json()["results"]
    assert [(r["status"], r.get("reason")) for r in results] == [
        ("rejected", "wrong_type"),
        ("stored", None),
    ]


@pytest.mark.parametrize("body", [b"{oops", b'{"sensor": "t-1"}', b""])
async def test_unparseable_body_is_422(gateway: httpx.AsyncClient, body: bytes) -> None:
    answer = await gateway.post(
        "/api/readings", content=body, headers={"Content-Type": "application/json"}
    )
    assert answer.status_code == 422
    assert answer.json()["detail"]["message"]


async def test_readings_need_a_key(campus_db: Path) -> None:
    async with app_client(campus_db) as client:
        assert (await client.post("/api/readings", json=[])).status_code == 401


async def test_room_live_latest_and_history(gateway: httpx.AsyncClient) -> None:
    await gateway.post(
        "/api/readings",
        json=[
            {"sensor": "t-1", "ts": "2026-03-01T08:20:00Z", "value": 23},
            {"sensor": "t-1", "ts": "2026-03-01T08:05:00Z", "value": 21},
            {"sensor": "t-1", "ts": "2026-03-01T08:10:00Z", "value": 19},
            {"sensor": "door-1", "ts": "2026-03-01T08:00:00Z", "value": "closed"},
        ],
    )
    live = await gateway.get(f"/api/rooms/{A101.lower()}/live")
    assert live.status_code == 200
    values = {s["id"]: s["value"] for s in live.json()["sensors"]}
    assert values == {"t-1": 23.0, "door-1": 0.0}
    typo = await gateway.get(f"/api/rooms/{A101[:-1]}Z/live")
    assert typo.status_code == 422
    latest = (await gateway.get("/api/readings/latest", params={"sensor": "t-1"})).json()
    assert latest == {"t-1": {"ts": "2026-03-01T08:20:00Z", "value": 23.0}}
    history = await gateway.get(
        "/api/sensors/t-1/readings",
        params={"since": "2026-03-01T08:00:00Z", "until": "2026-03-01T09:00:00Z", "bucket": "15m"},
    )
    assert history.status_code == 200
    assert [(b["start"], b["avg"], b["min"], b["max"]) for b in history.json()["buckets"]] == [
        ("2026-03-01T08:00:00Z", 20.0, 19.0, 21.0),
        ("2026-03-01T08:15:00Z", 23.0, 23.0, 23.0),
    ]
    bad = await gateway.get("/api/sensors/t-1/readings", params={"bucket": "fortnight"})
    assert bad.status_code == 422
