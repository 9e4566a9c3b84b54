"""Bulk inserts: tuples straight to the driver, in the table's column order."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import insert, select

from twin.store import open_store
from twin.store import schema as t
from twin.store.bulk import execute_many, insert_rows


def test_insert_rows_stores_every_tuple(tmp_path: Path) -> None:
    engine = open_store(str(tmp_path / "twin.db"))
    rows = [(f"P{n}", n * 3) for n in range(250)]
    with engine.begin() as conn:
        insert_rows(conn, t.element_counters, ("prefix", "highest_number"), rows)
        insert_rows(conn, t.element_counters, ("prefix", "highest_number"), [])
    with engine.connect() as conn:
        stored = conn.execute(
            select(t.element_counters.c.prefix, t.element_counters.c.highest_number)
        ).all()
    assert sorted(tuple(row) for row in stored) == sorted(rows)


def test_execute_many_counts_rows_of_all_columns(tmp_path: Path) -> None:
    engine = open_store(str(tmp_path / "twin.db"))
    with engine.begin() as conn:
        assert execute_many(conn, insert(t.element_counters), [("A", 1), ("B", 2)]) == 2
        assert execute_many(conn, insert(t.element_counters), []) == 0


def test_columns_out_of_table_order_are_refused(tmp_path: Path) -> None:
    engine = open_store(str(tmp_path / "twin.db"))
    with engine.begin() as conn, pytest.raises(ValueError, match="not in the table's order"):
        insert_rows(conn, t.element_counters, ("highest_number", "prefix"), [(1, "A")])
    with engine.connect() as conn:
        assert conn.execute(select(t.element_counters)).all() == []
