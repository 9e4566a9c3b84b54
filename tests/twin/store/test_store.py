"""The store: URLs, WAL mode, and noticing changes made by other connections."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from tests.campus_stores import imported_store
from twin.rooms import list_rooms, set_room
from twin.store import ChangeWatch, data_version, database_url, open_store


def test_database_url_from_path_or_url() -> None:
    assert database_url("x.db") == "sqlite:///x.db"
    assert database_url("postgresql://h/db") == "postgresql://h/db"


def test_sqlite_store_runs_in_wal_mode(tmp_path: Path) -> None:
    engine = open_store(str(tmp_path / "twin.db"))
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_change_watch_sees_an_edit_made_through_another_engine(
    shared_ifc: Path, tmp_path: Path
) -> None:
    db = imported_store(tmp_path, {"DX01": ["duplex.ifc"]})
    watcher_engine = open_store(str(db))
    watch = ChangeWatch(watcher_engine)
    first = watch.version()
    assert watch.version() == first == data_version(watcher_engine)
    editor = open_store(str(db))
    code = list_rooms(editor)[0]["room_code"]
    set_room(editor, code, {"department": "Facilities"})
    assert watch.version() != first
    assert watch.version() == data_version(watcher_engine)
    watch.close()


def test_a_store_made_before_an_added_index_gets_it_when_opened(tmp_path: Path) -> None:
    db = str(tmp_path / "twin.db")
    engine = open_store(db)
    with engine.begin() as conn:
        for name in ("ix_connections_port_from", "ix_connections_port_to"):
            conn.execute(text(f"DROP INDEX {name}"))
    engine.dispose()
    with open_store(db).connect() as conn:
        # the lookup SQLite makes for each deleted port, finding its connections
        for column in ("port_from", "port_to"):
            plan = conn.execute(
                text(f"EXPLAIN QUERY PLAN SELECT 1 FROM connections WHERE {column} = 1")
            ).all()
            assert f"ix_connections_{column}" in str(plan)
