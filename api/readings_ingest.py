"""`POST /api/readings` answered in front of FastAPI: the hot path of HTTP ingest.

A gateway sends a thousand readings a request, many requests a second. FastAPI's
routing, dependency resolution and response handling cost about as much per request
as checking the thousand readings, so this ASGI middleware answers exactly `POST
/api/readings` itself and passes every other request on untouched. It does what the
FastAPI route (`api.routers.readings.post_readings`, kept for the OpenAPI document)
does, with the same pieces: the key checked by `api.deps.require_role` (401 and 403
with the same bodies), the body stored by `api.routers.readings.store_body` (422
for a body that cannot be parsed, per-item results in input order, the answer only
once the commit is done), errors answered by `api.errors.error_response`. Any
other exception propagates to the app's 500 handler, as from a route.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from api.deps import require_role
from api.errors import error_response
from api.routers.readings import store_body
from models.errors import TwinError

__all__ = ["PATH", "ReadingsIngest"]

PATH = "/api/readings"
_ROLES = ("gateway", "admin")


class ReadingsIngest:
    """ASGI middleware: answers `POST /api/readings`, hands anything else to `app`."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != PATH or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        try:
            # A gateway or admin key; it also satisfies `read_access` when reads need one.
            require_role(request, _ROLES)
            ndjson = "ndjson" in request.headers.get("content-type", "")
            answer = await store_body(request.app.state.engine, await request.body(), ndjson)
        except TwinError as exc:
            await error_response(exc)(scope, receive, send)
            return
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(answer)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": answer})
