"""Work orders against a room or an element: opened by hand or from an alarm, tracked to closed.

`read` holds the queries, `change` the operations that change an order; every change
appends one event to the order's history, which is never edited.
"""

from __future__ import annotations

from twin.workorders.change import (
    ALLOWED_FROM,
    Actor,
    assign_work_order,
    close_work_order,
    comment_work_order,
    open_work_order,
    reopen_work_order,
    split_target,
    start_work_order,
)
from twin.workorders.read import (
    ACTIVE,
    PRIORITIES,
    STATES,
    find_work_order,
    list_work_orders,
    work_order_detail,
    work_orders_of_alarm,
)

__all__ = [
    "ACTIVE",
    "ALLOWED_FROM",
    "PRIORITIES",
    "STATES",
    "Actor",
    "assign_work_order",
    "close_work_order",
    "comment_work_order",
    "find_work_order",
    "list_work_orders",
    "open_work_order",
    "reopen_work_order",
    "split_target",
    "start_work_order",
    "work_order_detail",
    "work_orders_of_alarm",
]
