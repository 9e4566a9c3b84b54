"""`POST /api/readings` (HTTP ingest), latest values, and `/api/rooms/{code}/live`.

The ingest route takes the raw body and parses it once (orjson), leaving the checks
to `layers.ingest`, which validates the batch in bulk and stores it with a few
multi-row statements: per-item pydantic models would cost more than the database
write. Batches up to `INLINE_MAX_ITEMS` are checked on the event loop and written in
a worker thread (committed together with any batch that waits beside them) while
the loop reads the next request; larger ones go to a thread whole. The served app
answers `POST /api/readings` in `api.readings_ingest`, in front of FastAPI, with
`store_body` below; the route here is the same for the OpenAPI document.
"""

from __future__ import annotations

from typing import Annotated, Any

import orjson
import pydantic_core
from fastapi import APIRouter, Path, Query, Request, Response
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

from api.deps import EngineDep, GatewayKey
from api.schemas.common import ERROR_RESPONSES
from layers import readings
from layers.ingest import IngestResult, ingest_readings, ingest_readings_async
from models.errors import BadInput

__all__ = ["parse_body", "router", "store_body"]

router = APIRouter(tags=["readings"])

_ITEM_SCHEMA = {
    "type": "object",
    "properties": {
        "sensor": {"type": "string", "example": "dx-t-0001"},
        "ts": {"type": "string", "example": "2026-01-01T08:00:00+08:00"},
        "value": {"oneOf": [{"type": "number"}, {"type": "boolean"}, {"type": "string"}]},
    },
}
_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": {"type": "array", "items": _ITEM_SCHEMA}},
            "application/x-ndjson": {"schema": {"type": "string"}},
        },
    }
}


def _loads(text: bytes) -> Any:
    """JSON, read by orjson (the fastest here), else by pydantic-core, which also takes
    the NaN and Infinity that sensor firmware sends, so such an item is rejected on its
    own rather than the whole batch; `ValueError` when neither can read it."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return pydantic_core.from_json(text)


def parse_body(body: bytes, ndjson: bool) -> list[Any]:
    """The items of a JSON array or of NDJSON lines; `BadInput` when nothing can be read.

    A bad NDJSON line becomes a None item, rejected as malformed on its own.
    """
    if ndjson:
        items: list[Any] = []
        for line in body.splitlines():
            if line.strip():
                try:
                    items.append(_loads(line))
                except ValueError:
                    items.append(None)
        if not items:
            raise BadInput("empty body: send NDJSON lines of {sensor, ts, value}")
        return items
    try:
        parsed = _loads(body)
    except ValueError as exc:
        raise BadInput(
            f"body is not JSON ({exc}); send an array of {{sensor, ts, value}}"
        ) from None
    if not isinstance(parsed, list):
        raise BadInput("body must be a JSON array of {sensor, ts, value} (or NDJSON)")
    return parsed


_PUBLIC = {"stored": b'{"status":"stored"}', "duplicate": b'{"status":"duplicate"}'}


def _answer(results: list[IngestResult]) -> bytes:
    counts = {"stored": 0, "duplicate": 0, "rejected": 0}
    parts = []
    for result in results:
        counts[result.status] += 1
        fixed = _PUBLIC.get(result.status) if result.reason is None else None
        parts.append(fixed or pydantic_core.to_json(result.public()))
    head = pydantic_core.to_json(counts)[:-1]
    return head + b',"results":[' + b",".join(parts) + b"]}"


# A batch this small is checked on the event loop (a millisecond or two, less than
# handing it to a worker thread costs when two requests' threads then fight over the
# GIL); it is written and committed in a worker thread either way.
INLINE_MAX_ITEMS = 2000


async def store_body(engine: Engine, body: bytes, ndjson: bool) -> bytes:
    """Store the readings of a request body; the JSON answer, committed.

    What `POST /api/readings` does once the key is checked, whoever serves it (this
    route, or `api.readings_ingest` in front of FastAPI); `BadInput` for a body that
    cannot be parsed at all.
    """
    items = parse_body(body, ndjson)
    if len(items) <= INLINE_MAX_ITEMS:
        results = await ingest_readings_async(engine, items, channel="http")
    else:
        results = await run_in_threadpool(ingest_readings, engine, items, channel="http")
    return _answer(results)


# The served app answers this path in `api.readings_ingest`, ahead of FastAPI's routing,
# with the same checks and answers; this route documents it (and serves an app built
# without that middleware).
@router.post(
    "/readings",
    openapi_extra=_BODY,
    responses={422: ERROR_RESPONSES[422]},
    summary="Send readings",
)
async def post_readings(request: Request, engine: EngineDep, _key: GatewayKey) -> Response:
    """Store readings sent as a JSON array or NDJSON (`application/x-ndjson`) of
    `{sensor, ts, value}`.

    Answers 200 with counts and one result per item, in input order: `stored`,
    `duplicate` (that sensor and time are already stored) or `rejected` with a
    `reason` and a `detail`. Valid items are stored even when others are rejected;
    422 only when the body cannot be parsed at all. `ts` needs a time zone.
    """
    ndjson = "ndjson" in request.headers.get("content-type", "")
    answer = await store_body(engine, await request.body(), ndjson)
    return Response(answer, media_type="application/json")


_LATEST_SCHEMA = {
    "type": "object",
    "additionalProperties": {
        "type": "object",
        "properties": {"ts": {"type": "string"}, "value": {"type": "number"}},
    },
}


@router.get(
    "/readings/latest",
    response_class=Response,
    responses={
        200: {"content": {"application/json": {"schema": _LATEST_SCHEMA}}},
        **ERROR_RESPONSES,
    },
)
def latest(
    engine: EngineDep,
    sensor: Annotated[list[str] | None, Query(description="Only these sensors.")] = None,
) -> Response:
    """Each sensor's newest reading: `{sensor id: {ts, value}}`.

    Serialised straight to JSON bytes: for ten thousand sensors FastAPI's generic
    encoding would cost more than the query.
    """
    found = readings.latest_by_sensor(engine, sensor)
    return Response(orjson.dumps(found), media_type="application/json")


@router.get("/rooms/{code}/live", responses=ERROR_RESPONSES)
def room_live(
    engine: EngineDep,
    code: Annotated[str, Path(description="Room code, any case.", examples=["WZ01-B01-F02-003K"])],
) -> dict[str, Any]:
    """The room's sensors, each with its newest value as a number (null when silent)."""
    return readings.room_live(engine, code)
