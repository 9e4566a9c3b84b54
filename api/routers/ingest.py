"""`/api/ingest`: what every channel received (stats), and gateway keys (admin only)."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, status
from pydantic import BaseModel

from api.deps import AdminKey, EngineDep
from layers.ingest import ingest_stats
from layers.keys import create_key

__all__ = ["router"]

router = APIRouter(prefix="/ingest", tags=["readings"])


class KeyCreate(BaseModel):
    role: Literal["gateway", "admin"] = "gateway"


@router.get("/stats")
def stats(engine: EngineDep) -> dict[str, Any]:
    """Counts per channel (http, mqtt): stored, duplicate, rejected per reason, zeros included.

    Kept in the store with the readings, so they survive a restart.
    """
    return ingest_stats(engine)


@router.post("/keys", status_code=status.HTTP_201_CREATED)
def new_key(engine: EngineDep, _admin: AdminKey, body: KeyCreate) -> dict[str, str]:
    """A new key for a gateway (or an administrator); needs an admin key. Shown only here."""
    return {"role": body.role, "key": create_key(engine, body.role)}
