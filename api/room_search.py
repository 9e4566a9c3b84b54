"""The room search behind `GET /api/rooms`: every room in memory, rebuilt when the data changes.

Rooms are read once through `twin.rooms.list_rooms` (so local edits apply) and kept
with their search keys; each request asks the store only for its data version
(`twin.store.ChangeWatch`: SQLite's own change counter, then the last import run,
room event and local edit) and filters in memory. A campus of a thousand rooms is
searched in well under a millisecond, where re-reading the rooms with their edits
takes tens.

Order: without `q`, by room code. With `q`, best match first — the exact code, then
codes starting with `q`, then codes containing it, then names containing it — and
by room code within each group.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine

from twin.rooms import list_rooms
from twin.store import ChangeWatch

__all__ = ["RoomSearch", "SearchResult"]


@dataclass(frozen=True)
class _Entry:
    room: dict[str, Any]
    code: str
    text: str
    usage: str


@dataclass(frozen=True)
class SearchResult:
    """One page of matches and how many matched in all."""

    total: int
    items: list[dict[str, Any]]


def _entry(room: dict[str, Any]) -> _Entry:
    names = " ".join(filter(None, (room["name"], room["long_name"])))
    return _Entry(room, room["room_code"], names.casefold(), str(room["usage"]).casefold())


def _rank(entry: _Entry, code_q: str, text_q: str) -> int | None:
    """0 exact code, 1 code prefix, 2 code substring, 3 name; None when no match."""
    if code_q and code_q in entry.code:
        if entry.code == code_q:
            return 0
        return 1 if entry.code.startswith(code_q) else 2
    if text_q in entry.text:
        return 3
    return None


class RoomSearch:
    """Search rooms by building, storey, usage and free text; one per app."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._watch = ChangeWatch(engine)
        self._lock = threading.Lock()
        self._version: str | None = None
        self._entries: list[_Entry] = []

    def close(self) -> None:
        self._watch.close()

    def _current(self) -> list[_Entry]:
        version = self._watch.version()
        if version != self._version:
            with self._lock:
                if version != self._version:
                    rooms = list_rooms(self._engine, retired=True)
                    self._entries = [_entry(room) for room in rooms]
                    self._version = version
        return self._entries

    def search(
        self,
        *,
        building: str | None = None,
        storey: str | None = None,
        usage: str | None = None,
        q: str | None = None,
        retired: bool = False,
        limit: int = 100,
        offset: int = 0,
    ) -> SearchResult:
        """Rooms matching every filter given; `building` and `storey` as full codes.

        `storey` may also be a bare storey code (`F02`), matching that storey in
        every building. `q` matches part of a room code, name or long name, in any
        case.
        """
        storey_suffix = f"-{storey}" if storey and storey.count("-") != 2 else None
        wanted_usage = usage.strip().casefold() if usage else None
        text_q = (q or "").strip().casefold()
        code_q = (q or "").strip().upper()
        ranked: list[tuple[int, str, dict[str, Any]]] = []
        for entry in self._current():
            room = entry.room
            if not retired and room["status"] != "active":
                continue
            if building and room["building_code"] != building:
                continue
            if storey and not (
                room["storey_code"].endswith(storey_suffix)
                if storey_suffix
                else room["storey_code"] == storey
            ):
                continue
            if wanted_usage and entry.usage != wanted_usage:
                continue
            rank = _rank(entry, code_q, text_q) if text_q else 0
            if rank is not None:
                ranked.append((rank, entry.code, room))
        if text_q:
            ranked.sort(key=lambda item: (item[0], item[1]))
        return SearchResult(len(ranked), [room for _, _, room in ranked[offset : offset + limit]])
