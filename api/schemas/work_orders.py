"""What the work-order endpoints take (`WorkOrderCreate`, `…Assign`, `…Note`) and return."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "WorkOrderAction",
    "WorkOrderAssign",
    "WorkOrderComment",
    "WorkOrderCreate",
    "WorkOrderEvent",
    "WorkOrderNote",
    "WorkOrderPublic",
    "WorkOrderSummary",
]

By = Field(
    default=None,
    max_length=200,
    description="Who makes the change; default `key:<key id>`. The key is recorded anyway.",
    examples=["alice"],
)


class WorkOrderAction(BaseModel):
    """A change that needs nothing but who makes it (start)."""

    model_config = ConfigDict(extra="forbid")

    by: str | None = By


class WorkOrderCreate(WorkOrderAction):
    """A new work order: against `room_code` or `element_id`, or from `alarm_id`.

    From an alarm, the room or element is the alarm's (give none, or the same one) and
    `title` defaults to the alarm's message.
    """

    room_code: str | None = Field(None, max_length=64, examples=["WZ01-B01-F02-003K"])
    element_id: str | None = Field(None, max_length=64, examples=["WZ01-B01-E000421"])
    alarm_id: int | None = Field(None, examples=[7])
    title: str | None = Field(None, max_length=200, examples=["Radiator valve drips"])
    description: str = Field("", max_length=5000)
    priority: Literal["low", "normal", "high", "urgent"] = "normal"


class WorkOrderAssign(WorkOrderAction):
    assignee: str = Field(max_length=200, examples=["plumber on duty"])


class WorkOrderComment(WorkOrderAction):
    text: str = Field(max_length=5000, examples=["ceiling tile removed, valve reachable"])


class WorkOrderNote(WorkOrderAction):
    """Closing or reopening: the note says what was done, or why it is reopened."""

    note: str = Field(max_length=5000, examples=["washer replaced, no drip after 10 min"])


class WorkOrderSummary(BaseModel):
    work_order_id: int
    title: str
    description: str
    priority: str
    state: str = Field(description="open, assigned, in_progress or closed")
    room_code: str | None
    element_id: str | None
    building_code: str | None
    alarm_id: int | None
    assignee: str | None
    opened_at: str
    opened_by: str
    updated_at: str
    closed_at: str | None


class WorkOrderEvent(BaseModel):
    at: str
    event: str = Field(description="opened, assigned, started, commented, closed or reopened")
    by: str
    via: str = Field(description="`cli`, or the role and id of the key that made the change")
    state: str = Field(description="The state after the event.")
    assignee: str | None
    note: str | None


class WorkOrderPublic(WorkOrderSummary):
    history: list[WorkOrderEvent]
