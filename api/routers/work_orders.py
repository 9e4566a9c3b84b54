"""`/api/work-orders`: open, list and read work orders; assign, start, comment, close, reopen.

Each change is its own `POST /api/work-orders/{id}/<action>` rather than a PATCH of
fields: every action has its own rule (closing needs a note, a closed order cannot be
assigned) and becomes one event in the history, which a PATCH would have to reverse-
engineer from a diff. Writes need an admin key, like every write but readings and
sensor registration: a gateway key sits in a field device and its MQTT login, and a
stolen one must not be able to close or reassign a crew's jobs. The room panel reads
`GET /api/rooms/{code}/work-orders`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Query, status

from api.deps import AdminKey, EngineDep
from api.schemas.common import ERROR_RESPONSES
from api.schemas.work_orders import (
    WorkOrderAction,
    WorkOrderAssign,
    WorkOrderComment,
    WorkOrderCreate,
    WorkOrderNote,
    WorkOrderPublic,
    WorkOrderSummary,
)
from layers.keys import KeyInfo
from twin import workorders

__all__ = ["router"]

router = APIRouter(tags=["work orders"])

WorkOrderId = Annotated[int, Path(description="The work order's id.", examples=[1])]
StateQuery = Annotated[
    str | None,
    Query(description="open, assigned, in_progress, closed, or active (every state but closed)."),
]
CHANGE_RESPONSES: dict[int | str, dict[str, Any]] = {
    **ERROR_RESPONSES,
    409: {"description": "The order's state does not allow this, e.g. assigning a closed one."},
}


def _action(name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The route of one change: `POST /work-orders/{work_order_id}/<name>`."""
    return router.post(
        f"/work-orders/{{work_order_id}}/{name}",
        response_model=WorkOrderPublic,
        responses=CHANGE_RESPONSES,
    )


def _actor(key: KeyInfo, action: WorkOrderAction) -> workorders.Actor:
    return workorders.Actor(action.by or f"key:{key.key_id}", f"{key.role} key {key.key_id}")


@router.post(
    "/work-orders",
    status_code=status.HTTP_201_CREATED,
    response_model=WorkOrderPublic,
    responses=CHANGE_RESPONSES,
)
def open_work_order(engine: EngineDep, key: AdminKey, order: WorkOrderCreate) -> dict[str, Any]:
    """Open a work order against a room or an element, or from an alarm; admin key.

    A mistyped room code answers 422, an unknown room, element or alarm 404 (with the
    closest codes for a room or element), an alarm that already has a work order not
    yet closed 409.
    """
    return workorders.open_work_order(
        engine,
        _actor(key, order),
        title=order.title,
        room_code=order.room_code,
        element_id=order.element_id,
        alarm_id=order.alarm_id,
        description=order.description,
        priority=order.priority,
    )


@router.get("/work-orders", response_model=list[WorkOrderSummary], responses=ERROR_RESPONSES)
def list_work_orders(
    engine: EngineDep,
    room: Annotated[str | None, Query(description="A room code.")] = None,
    building: Annotated[str | None, Query(description="`SITE-Bnn`, or `Bnn`.")] = None,
    element: Annotated[str | None, Query(description="An element id.")] = None,
    state: StateQuery = None,
    assignee: Annotated[str | None, Query(description="Who it is assigned to, any case.")] = None,
) -> list[dict[str, Any]]:
    """Work orders matching every filter given, newest first."""
    return workorders.list_work_orders(
        engine, room=room, building=building, element=element, state=state, assignee=assignee
    )


@router.get(
    "/rooms/{code}/work-orders",
    response_model=list[WorkOrderSummary],
    responses=ERROR_RESPONSES,
)
def room_work_orders(
    engine: EngineDep,
    code: Annotated[str, Path(description="Room code, any case.", examples=["WZ01-B01-F02-003K"])],
    state: StateQuery = None,
) -> list[dict[str, Any]]:
    """The work orders of one room, newest first (the viewer's room panel asks `state=active`)."""
    return workorders.list_work_orders(engine, room=code, state=state)


@router.get(
    "/work-orders/{work_order_id}", response_model=WorkOrderPublic, responses=ERROR_RESPONSES
)
def work_order(engine: EngineDep, work_order_id: WorkOrderId) -> dict[str, Any]:
    """One work order with its whole history, oldest event first."""
    return workorders.work_order_detail(engine, work_order_id)


@_action("assign")
def assign(
    engine: EngineDep, key: AdminKey, work_order_id: WorkOrderId, change: WorkOrderAssign
) -> dict[str, Any]:
    """Assign or hand over an order that is not closed; it becomes assigned."""
    return workorders.assign_work_order(engine, work_order_id, change.assignee, _actor(key, change))


@_action("start")
def start(
    engine: EngineDep,
    key: AdminKey,
    work_order_id: WorkOrderId,
    change: Annotated[WorkOrderAction | None, Body()] = None,
) -> dict[str, Any]:
    """Mark an assigned order in progress."""
    return workorders.start_work_order(
        engine, work_order_id, _actor(key, change or WorkOrderAction())
    )


@_action("comment")
def comment(
    engine: EngineDep, key: AdminKey, work_order_id: WorkOrderId, change: WorkOrderComment
) -> dict[str, Any]:
    """Add a comment, in any state; the state stays."""
    return workorders.comment_work_order(engine, work_order_id, change.text, _actor(key, change))


@_action("close")
def close(
    engine: EngineDep, key: AdminKey, work_order_id: WorkOrderId, change: WorkOrderNote
) -> dict[str, Any]:
    """Close an order; the note (required) says what was done."""
    return workorders.close_work_order(engine, work_order_id, change.note, _actor(key, change))


@_action("reopen")
def reopen(
    engine: EngineDep, key: AdminKey, work_order_id: WorkOrderId, change: WorkOrderNote
) -> dict[str, Any]:
    """Reopen a closed order; the note (required) says why. Back to assigned if it has one."""
    return workorders.reopen_work_order(engine, work_order_id, change.note, _actor(key, change))
