"""Many rows in one statement, without building and binding a dict per row.

SQLAlchemy's executemany turns every row into a dict and every dict back into the
driver's parameters; on an import of tens of thousands of elements, ports and
meshes that costs as much as SQLite's own inserts. Here the statement is compiled
once for the connection's dialect and, with a positional driver (sqlite3), goes to
the driver with the tuples as they are.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Dialect, Table, insert

__all__ = ["execute_many", "insert_rows"]


@functools.cache
def _driver_sql(statement: Any, dialect: Dialect, names: tuple[str, ...] | None) -> str:
    compiled = statement.compile(dialect=dialect, column_keys=list(names) if names else None)
    if names is not None and tuple(compiled.positiontup or ()) != names:
        raise ValueError(
            f"columns {names} are not in the table's order {tuple(compiled.positiontup or ())}"
        )
    return str(compiled)


def execute_many(
    conn: Connection,
    statement: Any,
    rows: Sequence[tuple[Any, ...]],
    names: Sequence[str] | None = None,
) -> int:
    """The row count of executing `statement` once per row.

    Each row is a tuple of the values of `names`, by default all the columns of the
    statement's table, in the table's order.
    """
    if not rows:
        return 0
    if conn.dialect.positional:
        sql = _driver_sql(statement, conn.dialect, tuple(names) if names is not None else None)
        return int(conn.exec_driver_sql(sql, list(rows)).rowcount)
    keys = list(names) if names is not None else [c.name for c in statement.table.columns]
    named = [dict(zip(keys, row, strict=True)) for row in rows]
    return int(conn.execute(statement, named).rowcount)


@functools.cache
def _insert(table: Table) -> Any:
    return insert(table)


def insert_rows(
    conn: Connection, table: Table, names: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> None:
    """Insert `rows`, tuples of the values of the columns `names` (in the table's order)."""
    execute_many(conn, _insert(table), rows, names)
