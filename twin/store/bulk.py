"""Many rows in one statement, without building and binding a dict per row.

SQLAlchemy's executemany turns every row into a dict and every dict back into the
driver's parameters; on an import of tens of thousands of elements, ports and
meshes that costs as much as SQLite's own inserts. Here the statement is compiled
once for the connection's dialect and, with a positional driver (sqlite3), goes to
the driver with the tuples as they are. On SQLite, inserts go as statements of many
rows each (`INSERT ... VALUES (...), (...), ...`, every value bound as a parameter,
so floats and blobs are stored exactly as given): SQLite then opens its cursors and
checks its foreign keys' parent tables once per statement, not once per row. And
`indexes_built_after` builds an empty table's secondary indexes once, after a bulk
load, instead of row by row.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Dialect, Index, Table, insert, literal, select
from sqlalchemy.exc import StatementError

__all__ = ["execute_many", "indexes_built_after", "insert_dicts", "insert_rows"]

# Parameters bound per multi-row statement: well under SQLite's smallest default
# limit (32,766 since 3.32); beyond a few thousand, larger statements gain nothing.
_PARAMETERS_PER_STATEMENT = 4096


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


@functools.cache
def _multi_row_sql(table: Table, dialect: Dialect, names: tuple[str, ...], count: int) -> str:
    head, _, values = _driver_sql(_insert(table), dialect, names).rpartition(" VALUES ")
    return f"{head} VALUES {', '.join([values] * count)}"


def insert_rows(
    conn: Connection, table: Table, names: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> None:
    """Insert `rows`, tuples of the values of the columns `names` (in the table's order)."""
    if conn.dialect.name != "sqlite" or not conn.dialect.positional:
        execute_many(conn, _insert(table), rows, names)
        return
    key = tuple(names)
    per_statement = max(1, _PARAMETERS_PER_STATEMENT // len(key))
    whole = len(rows) - len(rows) % per_statement
    if whole:
        sql = _multi_row_sql(table, conn.dialect, key, per_statement)
        try:
            for start in range(0, whole, per_statement):
                chunk = rows[start : start + per_statement]
                conn.exec_driver_sql(sql, tuple(itertools.chain.from_iterable(chunk)))
        except StatementError as exc:
            # the error names the one-row statement, not thousands of placeholders
            exc.statement = (
                f"{_driver_sql(_insert(table), conn.dialect, key)} ({per_statement} rows)"
            )
            raise
    # the rest one by one: one statement of each odd size would be prepared once per call
    execute_many(conn, _insert(table), rows[whole:], names)


def insert_dicts(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert `rows`, dicts with the same keys (columns of `table`), as `insert_rows` does."""
    if not rows:
        return
    names = tuple(column.name for column in table.columns if column.name in rows[0])
    if len(names) != len(rows[0]):
        raise ValueError(f"{sorted(set(rows[0]) - set(names))} are not columns of {table.name}")
    insert_rows(conn, table, names, [tuple(row[name] for name in names) for row in rows])


@contextmanager
def indexes_built_after(conn: Connection, tables: Sequence[Table]) -> Iterator[None]:
    """Within the block, the empty `tables` have no secondary indexes; built once at its end.

    Inserting tens of thousands of rows into an index one by one costs more than
    building the index once from all of them. Only on SQLite inside an open
    transaction, where DDL is transactional: a block that raises leaves the indexes
    dropped in that transaction, which the caller must then roll back (as an import
    does), putting them back. A table that has rows keeps its indexes: the block's
    own queries may need them.
    """
    deferred: list[Index] = []
    driver = conn.connection.driver_connection
    if conn.dialect.name == "sqlite" and getattr(driver, "in_transaction", False):
        for table in tables:
            if conn.execute(select(literal(1)).select_from(table).limit(1)).first() is not None:
                continue
            # in the store's order, so that the schema reads as it did after the block
            stored = conn.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
                "ORDER BY rowid",
                (table.name,),
            ).scalars()
            by_name = {index.name: index for index in table.indexes if not index.unique}
            deferred += [by_name[name] for name in stored if name in by_name]
    for index in deferred:
        index.drop(conn)
    yield
    for index in deferred:
        index.create(conn)
