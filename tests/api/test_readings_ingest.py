"""`POST /api/readings` answered ahead of FastAPI: the same answers as the FastAPI route."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from api.readings_ingest import ReadingsIngest
from tests.api.conftest import app_client, readings_store

pytestmark = pytest.mark.anyio

FIRST: dict[str, object] = {"sensor": "t-1", "ts": "2026-03-01T08:00:00+08:00", "value": 21.5}
GOOD: list[object] = [
    FIRST,
    {"sensor": "t-1", "ts": "2026-03-01T00:00:00Z", "value": 21.5},
    {"sensor": "t-1", "ts": "2026-03-01T01:00:00", "value": 21.5},
    {"sensor": "ghost", "ts": "2026-03-01T01:00:00Z", "value": 1},
    {"sensor": "door-1", "ts": "2026-03-01T01:00:00Z", "value": "open"},
    {"sensor": "t-1", "ts": "2026-03-01T02:00:00Z", "value": 900},
    ["not", "an", "object"],
]
NDJSON = "\n".join(
    [json.dumps(FIRST), "{broken", "", json.dumps({**FIRST, "ts": "2026-03-02T00:00:00Z"})]
)


def _fastapi_route_only(app: FastAPI) -> None:
    app.user_middleware = [m for m in app.user_middleware if m.cls is not ReadingsIngest]


async def _exchange(client: httpx.AsyncClient, key: str) -> list[tuple[Any, ...]]:
    """The same requests, good and bad; what a client sees of each answer."""
    bearer = {"Authorization": f"Bearer {key}"}
    json_type = {**bearer, "Content-Type": "application/json"}
    sent = [
        ({}, json.dumps(GOOD)),
        ({"Authorization": "Basic Z2F0ZXdheQ=="}, json.dumps(GOOD)),
        ({"Authorization": "Bearer twin_not-a-key"}, json.dumps(GOOD)),
        (json_type, json.dumps(GOOD)),
        (json_type, json.dumps(GOOD[:2])),  # a resend: duplicates
        ({**bearer, "Content-Type": "application/x-ndjson"}, NDJSON),
        (json_type, '[{"sensor": "t-1", "ts": "2026-03-03T00:00:00Z", "value": NaN}]'),
        (json_type, "{oops"),
        (json_type, '{"sensor": "t-1"}'),
        (json_type, ""),
        (json_type, "[]"),
    ]
    seen: list[tuple[Any, ...]] = []
    for headers, body in sent:
        answer = await client.post("/api/readings", content=body.encode(), headers=headers)
        seen.append(
            (
                answer.status_code,
                answer.headers.get("content-type"),
                answer.headers.get("www-authenticate"),
                answer.json(),
            )
        )
    stats = await client.get("/api/ingest/stats")
    seen.append((stats.status_code, stats.json()))
    return seen


async def test_answers_match_the_fastapi_route_request_for_request(
    campus_db: Path, tmp_path: Path
) -> None:
    ours_db, ours_key = readings_store(campus_db, tmp_path / "ours")
    route_db, route_key = readings_store(campus_db, tmp_path / "route")
    async with app_client(ours_db) as client:
        ours = await _exchange(client, ours_key)
    async with app_client(route_db, configure=_fastapi_route_only) as client:
        route = await _exchange(client, route_key)
    assert ours == route
    statuses = [answer[0] for answer in ours]
    assert statuses == [401, 401, 401, 200, 200, 200, 200, 422, 422, 422, 200, 200]
    assert ours[0][2] == "Bearer" and ours[0][3]["detail"]["message"]
    results = ours[3][3]["results"]
    assert [r.get("reason", r["status"]) for r in results] == [
        "stored",
        "duplicate",
        "no_time_zone",
        "unknown_sensor",
        "stored",
        "out_of_range",
        "malformed",
    ]
    assert ours[4][3]["results"] == [{"status": "duplicate"}] * 2


async def test_when_reads_need_a_key_readings_still_take_a_gateway_key(
    campus_db: Path, tmp_path: Path
) -> None:
    db, key = readings_store(campus_db, tmp_path / "closed")
    async with app_client(db, keys_for_reads=True) as client:
        assert (await client.post("/api/readings", json=GOOD)).status_code == 401
        answer = await client.post(
            "/api/readings", json=GOOD[:1], headers={"Authorization": f"Bearer {key}"}
        )
        assert answer.status_code == 200 and answer.json()["stored"] == 1


async def test_other_requests_pass_through_and_the_route_stays_documented(
    campus_db: Path, tmp_path: Path
) -> None:
    db, _key = readings_store(campus_db, tmp_path / "docs")
    apps: list[FastAPI] = []
    async with app_client(db, configure=apps.append) as client:
        assert any(m.cls is ReadingsIngest for m in apps[0].user_middleware)
        # not a POST: the app answers (PUT, since a built viewer's static files take GETs)
        assert (await client.put("/api/readings", json=GOOD)).status_code == 405
        latest = await client.get("/api/readings/latest")
        assert latest.status_code == 200 and latest.json() == {}
        spec = (await client.get("/openapi.json")).json()
        post = spec["paths"]["/api/readings"]["post"]
        assert set(post["requestBody"]["content"]) == {"application/json", "application/x-ndjson"}
