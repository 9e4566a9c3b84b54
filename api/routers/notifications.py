"""`/api/notifications`: every delivery with its attempts and errors; the routing config."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from api.deps import AdminKey, EngineDep
from api.schemas.common import ERROR_RESPONSES
from layers import notify, notify_config

__all__ = ["router"]

router = APIRouter(prefix="/notifications", tags=["alarms"])


@router.get("", responses=ERROR_RESPONSES)
def list_deliveries(
    engine: EngineDep,
    status: Annotated[str | None, Query(description="pending, delivered or failed.")] = None,
    alarm_id: Annotated[int | None, Query()] = None,
) -> list[dict[str, Any]]:
    """Deliveries, newest first: channel, target, attempts, last error, delivered_at."""
    return notify.list_deliveries(engine, status, alarm_id)


@router.get("/config")
def get_config(engine: EngineDep, _key: AdminKey) -> notify_config.NotifyConfig:
    """Contacts, rotas and routes (admin key: it holds addresses)."""
    return notify_config.get_config(engine)


@router.put("/config", responses=ERROR_RESPONSES)
def put_config(
    engine: EngineDep, _key: AdminKey, config: notify_config.NotifyConfig
) -> notify_config.NotifyConfig:
    """Replace contacts, rotas and routes."""
    notify_config.set_config(engine, config)
    return config
