"""The one place where errors become HTTP statuses and JSON bodies.

Every error body reads `{"detail": {"message": ..., "closest": [...]}}`, so the page
shows `detail.message` whatever went wrong: a mistyped room code (422), a code no
room has (404, with the closest codes), a malformed query (422), a fault (500).
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from models.errors import (
    AccessDenied,
    AlarmStateError,
    BadInput,
    InvalidRoomCode,
    MissingKey,
    ModelImportError,
    ScenarioConflict,
    SensorExists,
    TwinError,
    UnknownAlarm,
    UnknownBuilding,
    UnknownCode,
    UnknownElement,
    UnknownRoomCode,
    UnknownScenario,
    UnknownSensor,
    UnknownStorey,
    UnknownWorkOrder,
    WorkOrderStateError,
    WrongRole,
)

__all__ = ["STATUS_BY_ERROR", "error_response", "install_error_handlers"]

logger = logging.getLogger("twin.api")


# First match wins, so subclasses come before their parents.
STATUS_BY_ERROR: tuple[tuple[type[TwinError], int], ...] = (
    (InvalidRoomCode, 422),
    (UnknownRoomCode, 404),
    (UnknownBuilding, 404),
    (UnknownStorey, 404),
    (UnknownElement, 404),
    (UnknownSensor, 404),
    (UnknownCode, 404),
    (UnknownScenario, 404),
    (ScenarioConflict, 409),
    (SensorExists, 409),
    (UnknownAlarm, 404),
    (AlarmStateError, 409),
    (UnknownWorkOrder, 404),
    (WorkOrderStateError, 409),
    (MissingKey, 401),
    (WrongRole, 403),
    (AccessDenied, 401),
    (ModelImportError, 422),
    (BadInput, 422),
    (TwinError, 500),
)


def _body(message: str, closest: list[str] | None = None, **extra: object) -> dict[str, object]:
    return {"detail": {"message": message, "closest": closest or [], **extra}}


def error_response(exc: TwinError) -> JSONResponse:
    """The status and JSON body of a twin error (also for routes answered outside FastAPI)."""
    status = next(code for kind, code in STATUS_BY_ERROR if isinstance(exc, kind))
    if status >= 500:
        logger.error("twin error", exc_info=exc)
    # 401 says how to authenticate (RFC 6750).
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(
        _body(str(exc), list(getattr(exc, "closest", []))), status_code=status, headers=headers
    )


async def _twin_error(_request: Request, exc: Exception) -> JSONResponse:
    if not isinstance(exc, TwinError):  # registered for TwinError only
        raise exc
    return error_response(exc)


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    errors = exc.errors() if isinstance(exc, RequestValidationError) else []
    where = [".".join(str(p) for p in e["loc"] if p not in ("query", "path")) for e in errors]
    message = "; ".join(f"{at}: {e['msg']}" for at, e in zip(where, errors, strict=True))
    # Only what JSON can carry: pydantic's `ctx` may hold exception objects.
    plain = [{"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]} for e in errors]
    return JSONResponse(_body(message, errors=plain), status_code=422)


async def _internal_error(_request: Request, exc: Exception) -> JSONResponse:
    # Starlette re-raises the exception after this answer, so the server logs it once.
    return JSONResponse(_body(f"internal error: {type(exc).__name__}"), status_code=500)


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers; FastAPI picks the most specific class that matches."""
    app.add_exception_handler(TwinError, _twin_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _internal_error)
