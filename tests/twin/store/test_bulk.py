"""Bulk inserts: tuples straight to the driver, in the table's column order."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import Connection, Engine, insert, select
from sqlalchemy.exc import IntegrityError

from twin.store import open_store
from twin.store import schema as t
from twin.store.bulk import execute_many, indexes_built_after, insert_rows


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


def _index_sql(engine: Engine, table: str) -> dict[str, str]:
    with engine.connect() as conn:
        return _index_sql_in(conn, table)


def test_many_rows_are_stored_bit_for_bit(tmp_path: Path) -> None:
    """More rows than one multi-row statement holds, and a remainder: every value exact."""
    engine = open_store(str(tmp_path / "twin.db"))
    random = np.random.default_rng(7)
    names = ("owner_id", "building_code", "vertices", "faces")
    rows = [
        (f"E{n:05d}", None, random.normal(size=9).tobytes(), bytes([n % 256]) * (n % 5))
        for n in range(2 * 1024 + 37)
    ]
    floats = random.normal(scale=1e6, size=(len(rows), 3))
    floats[::7] = np.nextafter(0.1, 1.0)  # values whose text forms round badly
    port_rows = [
        (n + 1, "WZ01-E00001", f"G{n}", "SOURCE", *map(float, floats[n])) for n in range(len(rows))
    ]
    with engine.begin() as conn:
        insert_rows(conn, t.meshes, names, rows)
    with engine.connect() as conn:
        stored = conn.execute(select(*(t.meshes.c[name] for name in names))).all()
    assert sorted(tuple(row) for row in stored) == sorted(rows)
    engine = open_store(str(tmp_path / "ports.db"))
    with engine.begin() as conn:
        insert_rows(conn, t.sites, ("site_code", "name"), [("WZ01", "campus")])
        insert_rows(
            conn,
            t.elements,
            ("element_id", "site_code", "global_id", "source_file", "ifc_class", "kind"),
            [("WZ01-E00001", "WZ01", "G", "f.ifc", "IfcPipeSegment", "pipe_segment")],
        )
        insert_rows(
            conn,
            t.ports,
            ("port_id", "element_id", "global_id", "flow_direction", "x_m", "y_m", "z_m"),
            port_rows,
        )
    with engine.connect() as conn:
        positions = conn.execute(
            select(t.ports.c.x_m, t.ports.c.y_m, t.ports.c.z_m).order_by(t.ports.c.port_id)
        ).all()
    assert np.array(positions).tobytes() == floats.tobytes()


def test_indexes_of_an_empty_table_are_built_after_the_block(tmp_path: Path) -> None:
    engine = open_store(str(tmp_path / "twin.db"))
    before = _index_sql(engine, "elements")
    with engine.begin() as conn:
        insert_rows(conn, t.sites, ("site_code", "name"), [("WZ01", "campus")])
        with indexes_built_after(conn, [t.elements, t.sites]):
            inside = _index_sql_in(conn, "elements")
            insert_rows(conn, t.elements, _ELEMENT, [_element(n) for n in range(50)])
    assert inside == {}
    assert len(before) == 2
    assert _index_sql(engine, "elements") == before
    with engine.connect() as conn:
        plan = conn.exec_driver_sql(
            "EXPLAIN QUERY PLAN SELECT element_id FROM elements WHERE building_code IS NULL"
        ).all()
    assert "ix_elements_building" in str(plan)


def test_a_table_with_rows_keeps_its_indexes(tmp_path: Path) -> None:
    engine = open_store(str(tmp_path / "twin.db"))
    with engine.begin() as conn:
        insert_rows(conn, t.sites, ("site_code", "name"), [("WZ01", "campus")])
        insert_rows(conn, t.elements, _ELEMENT, [_element(0)])
    before = _index_sql(engine, "elements")
    with engine.begin() as conn, indexes_built_after(conn, [t.elements]):
        assert _index_sql_in(conn, "elements") == before
        insert_rows(conn, t.elements, _ELEMENT, [_element(n) for n in range(1, 9)])


def test_a_failed_block_rolls_back_to_the_store_as_it_was(tmp_path: Path) -> None:
    engine = open_store(str(tmp_path / "twin.db"))
    with engine.begin() as conn:
        insert_rows(conn, t.sites, ("site_code", "name"), [("WZ01", "campus")])
    before = _index_sql(engine, "elements")
    with (
        pytest.raises(IntegrityError),
        engine.begin() as conn,
        indexes_built_after(conn, [t.elements]),
    ):
        insert_rows(conn, t.elements, _ELEMENT, [_element(n) for n in range(20)])
        insert_rows(conn, t.elements, _ELEMENT, [_element(3)])  # a duplicate id
    assert _index_sql(engine, "elements") == before
    with engine.connect() as conn:
        assert conn.execute(select(t.elements)).all() == []
        assert conn.execute(select(t.sites.c.site_code)).scalars().all() == ["WZ01"]


_ELEMENT = ("element_id", "site_code", "global_id", "source_file", "ifc_class", "kind")


def _element(n: int) -> tuple[str, ...]:
    return (f"WZ01-E{n:05d}", "WZ01", f"G{n}", "a.ifc", "IfcPipeSegment", "pipe_segment")


def _index_sql_in(conn: Connection, table: str) -> dict[str, str]:
    return dict(
        conn.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
            "AND sql IS NOT NULL",
            (table,),
        ).all()
    )


def test_a_failed_multi_row_insert_names_the_one_row_statement(tmp_path: Path) -> None:
    engine = open_store(str(tmp_path / "twin.db"))
    with pytest.raises(IntegrityError) as failure, engine.begin() as conn:
        insert_rows(conn, t.sites, ("site_code", "name"), [("WZ01", "campus")])
        insert_rows(conn, t.elements, _ELEMENT, [_element(n % 700) for n in range(1400)])
    message = str(failure.value)
    assert "UNIQUE constraint failed: elements.element_id" in message
    assert message.count("?") < 50
