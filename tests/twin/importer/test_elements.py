"""Ports and declared connections as stored: each connection joins the stored ports it names."""

from __future__ import annotations

from pathlib import Path

import ifcopenshell
from sqlalchemy import Engine, select

from twin.importer import import_models
from twin.store import schema as t


def _declared_pairs(path: Path) -> set[frozenset[str]]:
    model = ifcopenshell.open(str(path))
    return {
        frozenset((rel.RelatingPort.GlobalId, rel.RelatedPort.GlobalId))
        for rel in model.by_type("IfcRelConnectsPorts")
    }


def test_connections_join_the_ports_stored_for_them(shared_ifc: Path, store: Engine) -> None:
    heating, electrical = (
        shared_ifc / "b03_heating_with_building_blenderBIM.ifc",
        shared_ifc / "Elektro_080729.ifc",
    )
    import_models(store, [heating], site_code="HT01")
    import_models(store, [electrical], site_code="EL01")
    import_models(store, [heating], site_code="HT01")  # its ports replaced above the others'
    with store.connect() as conn:
        ports = {row.port_id: row for row in conn.execute(select(t.ports))}
        connections = conn.execute(select(t.connections).where(t.connections.c.declared)).all()
    for site, path in (("HT01", heating), ("EL01", electrical)):
        joined = set()
        for connection in (c for c in connections if c.site_code == site):
            start, end = ports[connection.port_from], ports[connection.port_to]
            assert (start.element_id, end.element_id) == (
                connection.element_from,
                connection.element_to,
            )
            joined.add(frozenset((start.global_id, end.global_id)))
        assert joined == _declared_pairs(path)
    assert len(connections) == 228 + 74
    # the re-imported file's ports are numbered above every port already stored
    heating_ids = [k for k, port in ports.items() if port.element_id.startswith("HT01-")]
    electrical_ids = [k for k, port in ports.items() if port.element_id.startswith("EL01-")]
    assert min(heating_ids) > max(electrical_ids)


def test_an_import_into_an_empty_store_leaves_every_index_in_place(
    shared_ifc: Path, store: Engine
) -> None:
    """The elements, ports and connections indexes are built after the rows, not lost."""

    def indexes() -> set[tuple[str, str]]:
        with store.connect() as conn:
            return set(
                conn.exec_driver_sql(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
                ).all()
            )

    before = indexes()
    import_models(store, [shared_ifc / "duplex.ifc"], site_code="DX01")
    assert indexes() == before
    assert {name for name, _ in before} >= {
        "ix_elements_file",
        "ix_elements_building",
        "ix_ports_element",
        "ix_connections_from",
        "ix_connections_port_from",
    }
