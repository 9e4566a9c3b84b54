"""Which rooms were measured idle: the live layer's utilisation, keyed for the map's vacancy."""

from __future__ import annotations

from sqlalchemy import Engine

__all__ = ["idle_by_room"]


def idle_by_room(engine: Engine, since: str, threshold: float = 0.10) -> dict[str, bool]:
    """Room code → idle (used less than `threshold` of working time since `since`, e.g.
    `30d`), for every room with a presence or people sensor; rooms without are left out.

    Raises `BadInput` for a malformed `since` or threshold.
    """
    from layers.utilisation import idle_rooms, parse_since
    from twin.rooms import list_rooms

    found = idle_rooms(engine, parse_since(since), threshold=threshold)
    unknown = {room["room_code"] for room in found if room["status"] == "unknown"}
    idle = {room["room_code"] for room in found if room["status"] == "idle"}
    return {
        room["room_code"]: room["room_code"] in idle
        for room in list_rooms(engine)
        if room["room_code"] not in unknown
    }
