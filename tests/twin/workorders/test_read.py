"""Listing work orders by room, building, element, state and assignee on a real store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from models.errors import BadInput, InvalidRoomCode, UnknownBuilding, UnknownWorkOrder
from tests.twin.workorders.wo_stores import (
    raise_smoke_alarm,
    some_rooms,
    some_valve,
    wo_campus,
    wo_campus_db,
)
from twin.store import open_store
from twin.workorders import (
    Actor,
    assign_work_order,
    close_work_order,
    list_work_orders,
    open_work_order,
    start_work_order,
    work_order_detail,
    work_orders_of_alarm,
)

__all__ = ["wo_campus", "wo_campus_db"]

BY = Actor("dispatcher", "cli")


@pytest.fixture
def orders(wo_campus: Path) -> Iterator[tuple[Engine, dict[str, int], list[str], str]]:
    """Five orders in two rooms and on a valve, in every state; their ids by name."""
    engine = open_store(str(wo_campus))
    room_a, room_b = some_rooms(engine)
    valve = some_valve(engine)
    ids = {}
    for name, room, element in (
        ("a_open", room_a, None),
        ("a_assigned", room_a, None),
        ("a_closed", room_a, None),
        ("b_in_progress", room_b, None),
        ("valve_assigned", None, valve),
    ):
        order = open_work_order(engine, BY, title=name, room_code=room, element_id=element)
        ids[name] = order["work_order_id"]
    assign_work_order(engine, ids["a_assigned"], "Li Wei", BY)
    assign_work_order(engine, ids["b_in_progress"], "li wei", BY)
    start_work_order(engine, ids["b_in_progress"], BY)
    assign_work_order(engine, ids["valve_assigned"], "Zhang", BY)
    close_work_order(engine, ids["a_closed"], "done", BY)
    yield engine, ids, [room_a, room_b], valve
    engine.dispose()


def _titles(found: list[dict[str, object]]) -> list[object]:
    return [order["title"] for order in found]


def test_filters_combine_and_newest_comes_first(
    orders: tuple[Engine, dict[str, int], list[str], str],
) -> None:
    engine, _ids, (room_a, room_b), valve = orders
    assert _titles(list_work_orders(engine)) == [
        "valve_assigned",
        "b_in_progress",
        "a_closed",
        "a_assigned",
        "a_open",
    ]
    assert _titles(list_work_orders(engine, room=room_a.lower())) == [
        "a_closed",
        "a_assigned",
        "a_open",
    ]
    assert _titles(list_work_orders(engine, room=room_a, state="active")) == [
        "a_assigned",
        "a_open",
    ]
    assert _titles(list_work_orders(engine, state="assigned")) == ["valve_assigned", "a_assigned"]
    assert _titles(list_work_orders(engine, assignee="LI WEI")) == ["b_in_progress", "a_assigned"]
    assert _titles(list_work_orders(engine, assignee="li wei", room=room_b)) == ["b_in_progress"]
    assert _titles(list_work_orders(engine, element=valve.lower())) == ["valve_assigned"]
    building = room_a.rsplit("-", 2)[0]
    assert len(list_work_orders(engine, building=building)) == 5
    assert len(list_work_orders(engine, building=building.split("-")[1], state="closed")) == 1
    assert list_work_orders(engine, room=room_b, state="closed") == []


def test_a_bad_filter_is_named(orders: tuple[Engine, dict[str, int], list[str], str]) -> None:
    engine, _ids, (room_a, _), _valve = orders
    with pytest.raises(InvalidRoomCode, match="check character"):
        list_work_orders(engine, room=room_a[:-1] + ("Q" if room_a[-1] != "Q" else "R"))
    with pytest.raises(UnknownBuilding, match="unknown building"):
        list_work_orders(engine, building="WZ01-B77")
    with pytest.raises(BadInput, match="unknown work order state 'done'"):
        list_work_orders(engine, state="done")
    with pytest.raises(UnknownWorkOrder, match="no work order has id 999"):
        work_order_detail(engine, 999)


def test_an_alarm_lists_the_orders_opened_from_it(wo_campus: Path) -> None:
    engine = open_store(str(wo_campus))
    room = some_rooms(engine)[0]
    alarm_id = raise_smoke_alarm(engine, "smoke-read", room_code=room)
    assert work_orders_of_alarm(engine, alarm_id) == []
    first = open_work_order(engine, BY, alarm_id=alarm_id)
    close_work_order(engine, first["work_order_id"], "false alarm: toaster", BY)
    second = open_work_order(engine, BY, alarm_id=alarm_id, title="Move the toaster")
    assert work_orders_of_alarm(engine, alarm_id) == [
        {
            "work_order_id": first["work_order_id"],
            "state": "closed",
            "title": first["title"],
            "assignee": None,
        },
        {
            "work_order_id": second["work_order_id"],
            "state": "open",
            "title": "Move the toaster",
            "assignee": None,
        },
    ]
    engine.dispose()
