"""The in-memory room search: filters, ranking, paging, and rebuilding when the data changes."""

from __future__ import annotations

from pathlib import Path

from api.room_search import RoomSearch
from tests.campus_stores import copy_store
from twin.rooms import list_rooms, set_room
from twin.store import open_store


def test_ranks_exact_then_prefix_then_substring_then_name(campus_db: Path, tmp_path: Path) -> None:
    engine = open_store(str(copy_store(campus_db, tmp_path)))
    set_room(engine, "DX01-B01-F01-001C", {"long_name": "Foyer near F02-00 stairs"})
    search = RoomSearch(engine)
    found = search.search(q="f02-00", limit=1000)
    codes = [room["room_code"] for room in found.items]
    substring = sorted(c for c in codes if "F02-00" in c)
    assert codes == [*substring, "DX01-B01-F01-001C"]
    exact = search.search(q="dx01-b01-f02-001x").items
    assert exact[0]["room_code"] == "DX01-B01-F02-001X"
    prefix = search.search(q="HT01-B01-F01-00").items
    assert [r["room_code"] for r in prefix] == sorted(r["room_code"] for r in prefix)
    engine.dispose()


def test_sees_edits_and_matches_the_twin(campus_db: Path, tmp_path: Path) -> None:
    engine = open_store(str(copy_store(campus_db, tmp_path)))
    search = RoomSearch(engine)
    assert search.search(limit=1000).items == list_rooms(engine)
    assert search.search(q="Boiler room").total == 0
    set_room(engine, "HT01-B01-F01-001P", {"name": "Boiler Room", "usage": "plant"})
    boiler = search.search(q="boiler room")
    assert [room["room_code"] for room in boiler.items] == ["HT01-B01-F01-001P"]
    assert search.search(q="Basement_Stock").total == 0
    assert search.search(usage="plant", building="HT01-B01").total == 1
    assert search.search(limit=1000).items == list_rooms(engine)
    engine.dispose()


def test_pages_and_storey_filters(campus_db: Path) -> None:
    engine = open_store(str(campus_db))
    search = RoomSearch(engine)
    everything = search.search(limit=1000)
    page = search.search(limit=4, offset=20)
    assert page.total == everything.total
    assert page.items == everything.items[20:24]
    full = search.search(storey="DX01-B01-F02").items
    bare = search.search(storey="F02").items
    assert full == bare and full
    assert search.search(storey="F02", building="HT01-B01").total == 0
    engine.dispose()
