"""Open the twin's store: a SQLite file in WAL mode by default, any SQLAlchemy URL else.

The URL comes from the caller, else `TWIN_DATABASE_URL`, else `./twin.db`. A plain
path is accepted and turned into a SQLite URL.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from typing import Any

from sqlalchemy import Engine, create_engine, event, func, select
from sqlalchemy.schema import CreateIndex

from twin.store import schema

__all__ = [
    "DEFAULT_DATABASE",
    "ChangeWatch",
    "data_version",
    "database_url",
    "open_store",
    "schema",
]

DEFAULT_DATABASE = "twin.db"


def database_url(url_or_path: str | None = None) -> str:
    """The store's SQLAlchemy URL from an explicit value, the environment, or the default."""
    value = url_or_path or os.environ.get("TWIN_DATABASE_URL") or DEFAULT_DATABASE
    if "://" in value:
        return value
    return f"sqlite:///{value}"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    # FULL: an acknowledged write survives a crash of the process or the machine.
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def open_store(url_or_path: str | None = None, create: bool = True) -> Engine:
    """An engine on the store, with the tables created when `create` is true."""
    url = database_url(url_or_path)
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    if create:
        schema.metadata.create_all(engine)
        # create_all makes the indexes of the tables it makes, not those added since
        with engine.begin() as conn:
            for index in schema.ADDED_INDEXES:
                conn.execute(CreateIndex(index, if_not_exists=True))
    return engine


def data_version(engine: Engine) -> str:
    """A text that changes whenever what the twin shows of rooms may have changed.

    The highest import run, the highest room event (every edit and every import
    change writes one, so two edits within one second still differ), the latest
    local edit time and the last change to the organisation: index-backed or
    small-table aggregates, cheap enough to ask on every request that serves
    something cached.
    """
    query = select(
        select(func.max(schema.import_runs.c.run_id)).scalar_subquery(),
        select(func.max(schema.room_events.c.event_id)).scalar_subquery(),
        select(func.max(schema.room_edits.c.edited_at)).scalar_subquery(),
        # Staff, ranks and levels change how rooms stand against the area standard.
        select(func.max(schema.org_events.c.event_id)).scalar_subquery(),
    )
    with engine.connect() as conn:
        run, event_id, edited, org = conn.execute(query).one()
    return f"run{run or 0}.event{event_id or 0}.edit{edited or '-'}.org{org or 0}"


class ChangeWatch:
    """Tells cheaply whether the store may have changed since the last look.

    On SQLite it asks `PRAGMA data_version` on a connection of its own: a counter
    SQLite bumps whenever another connection commits, read without touching any
    table. Elsewhere it compares `data_version(engine)`. `version()` returns a text
    that changes whenever the data does.
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._lock = threading.Lock()
        self._sqlite: sqlite3.Connection | None = None
        self._seen: int | None = None
        self._version = ""
        database = engine.url.database
        if engine.dialect.name == "sqlite" and database and database != ":memory:":
            self._sqlite = sqlite3.connect(database, check_same_thread=False)

    def version(self) -> str:
        if self._sqlite is None:
            return data_version(self._engine)
        with self._lock:
            (counter,) = self._sqlite.execute("PRAGMA data_version").fetchone()
            if counter != self._seen:
                self._seen = counter
                self._version = data_version(self._engine)
            return self._version

    def close(self) -> None:
        if self._sqlite is not None:
            self._sqlite.close()
            self._sqlite = None
