"""`/api/alarms`: list by state, acknowledge, clear; the threshold rules and room overrides."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from api.deps import AdminKey, EngineDep
from api.schemas.common import ERROR_RESPONSES
from layers import alarm_rules, alarms
from twin.workorders import work_orders_of_alarm

__all__ = ["router"]

router = APIRouter(prefix="/alarms", tags=["alarms"])

AlarmId = Annotated[int, Path(description="The alarm's id.", examples=[1])]


class AlarmAction(BaseModel):
    """Who acknowledges or clears; default: the key's id."""

    model_config = ConfigDict(extra="forbid")

    who: str | None = Field(default=None, max_length=200, examples=["alice"])


def _who(action: AlarmAction | None, key_id: str) -> str:
    return action.who if action and action.who else f"key:{key_id}"


@router.get("", responses=ERROR_RESPONSES)
def list_alarms(
    engine: EngineDep,
    state: Annotated[
        str | None, Query(description="raised, acknowledged or cleared; all when left out.")
    ] = None,
) -> list[dict[str, Any]]:
    """Alarms, newest first."""
    return alarms.list_alarms(engine, state)


@router.get("/rules")
def list_rules(engine: EngineDep) -> dict[str, Any]:
    """The default rule of each kind and every room's override."""
    return alarm_rules.list_rules(engine)


@router.put("/rules/{room_code}/{rule}", responses=ERROR_RESPONSES)
def put_rule(
    engine: EngineDep,
    _key: AdminKey,
    room_code: Annotated[str, Path(examples=["WZ01-B01-F02-003K"])],
    rule: Annotated[str, Path(examples=["temperature.high"])],
    change: alarm_rules.RuleOverride,
) -> dict[str, Any]:
    """Set one room's override of one rule (fields left out keep the default); admin key."""
    alarm_rules.set_override(engine, room_code, rule, change)
    return alarm_rules.list_rules(engine)


@router.get("/{alarm_id}", responses=ERROR_RESPONSES)
def get_alarm(engine: EngineDep, alarm_id: AlarmId) -> dict[str, Any]:
    """One alarm, with the work orders opened from it (`work_orders`)."""
    alarm = alarms.get_alarm(engine, alarm_id)
    return {**alarm, "work_orders": work_orders_of_alarm(engine, alarm_id)}


@router.post("/{alarm_id}/acknowledge", responses={**ERROR_RESPONSES, 409: {}})
def acknowledge(
    engine: EngineDep,
    key: AdminKey,
    alarm_id: AlarmId,
    action: Annotated[AlarmAction | None, Body()] = None,
) -> dict[str, Any]:
    """Acknowledge a raised alarm (stops escalation); `who` defaults to the key's id."""
    return alarms.acknowledge(engine, alarm_id, _who(action, key.key_id))


@router.post("/{alarm_id}/clear", responses={**ERROR_RESPONSES, 409: {}})
def clear(
    engine: EngineDep,
    key: AdminKey,
    alarm_id: AlarmId,
    action: Annotated[AlarmAction | None, Body()] = None,
) -> dict[str, Any]:
    """Clear an open alarm by hand."""
    return alarms.clear(engine, alarm_id, _who(action, key.key_id))
