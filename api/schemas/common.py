"""The error body every endpoint answers with when something is wrong."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

__all__ = ["ERROR_RESPONSES", "ErrorBody", "ErrorDetail"]


class ErrorDetail(BaseModel):
    message: str = Field(description="What went wrong, in words a user can act on.")
    closest: list[str] = Field(
        default_factory=list, description="Codes or ids the user probably meant, best first."
    )


class ErrorBody(BaseModel):
    detail: ErrorDetail


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorBody, "description": "No such building, storey, room or element."},
    422: {"model": ErrorBody, "description": "Malformed input, e.g. a mistyped room code."},
}
