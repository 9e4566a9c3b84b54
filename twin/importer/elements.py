"""Elements of an import: stable ids, systems, ports, declared and inferred connections.

Everything a file said before is replaced by what it says now; an element keeps its
id across re-imports by (site, file, GlobalId).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import numpy as np
from sqlalchemy import Connection, and_, delete, func, insert, select, update

from models.codes import element_id
from twin.federation import SiteTransform
from twin.importer.rooms import insert_meshes, mesh_row
from twin.importer.run import ImportRun, inserted_id
from twin.network.check import add_inferred_connections
from twin.store import schema as t
from twin.store.bulk import insert_rows

if TYPE_CHECKING:
    pass

if TYPE_CHECKING:
    from bim_import.reader import ParsedModel

__all__ = ["forget_file", "infer_site_connections", "save_element_counters", "store_elements"]

_ELEMENT_COLUMNS = (
    "element_id",
    "site_code",
    "building_code",
    "storey_code",
    "global_id",
    "source_file",
    "ifc_class",
    "kind",
    "name",
    "type_name",
    "predefined_type",
    "medium",
    "outer_diameter_m",
    "axis_json",
    "normally_open",
    "valve_type",
)
_PORT_COLUMNS = ("port_id", "element_id", "global_id", "flow_direction", "x_m", "y_m", "z_m")
_CONNECTION_COLUMNS = (
    "site_code",
    "port_from",
    "port_to",
    "element_from",
    "element_to",
    "declared",
    "directed",
    "relation_global_id",
    "source_file",
)
# rows are written this many at a time: neither the meshes as bytes nor the rows of a
# campus-sized file are all held at once
_CHUNK = 2000


def store_elements(
    run: ImportRun,
    model: ParsedModel,
    building_of: dict[tuple[str, str], str],
    storey_of: dict[tuple[str, str], str],
    transform: SiteTransform | None,
) -> dict[tuple[str, str], str]:
    """Replace what `model`'s file said before; element ids stay those of the last import.

    The elements' meshes are handed over as they are written: each leaves
    `model.meshes` once stored, so that its memory serves what comes next. They are
    inserted without deleting first: `forget_file` has removed the meshes of the
    file's previous elements, and a new element's id has never been used.
    """
    conn = run.conn
    file_name = model.path.name
    previous = dict(
        conn.execute(
            select(t.elements.c.global_id, t.elements.c.element_id).where(
                t.elements.c.site_code == run.site_code, t.elements.c.source_file == file_name
            )
        ).all()
    )
    if previous:
        forget_file(conn, run.site_code, file_name)
    counters = dict(
        conn.execute(select(t.element_counters.c.prefix, t.element_counters.c.highest_number)).all()
    )
    ids: dict[str, str] = {}
    rows: list[tuple[Any, ...]] = []
    system_ids = _store_systems(run, model, building_of)
    member_rows: list[tuple[str, int]] = []
    mesh_rows: list[tuple[str, str | None, bytes, bytes]] = []
    for element in model.elements:
        building_code = (
            building_of.get((file_name, element.building_global_id))
            if element.building_global_id
            else None
        )
        global_id = element.source.global_id
        element_key = previous.get(global_id)
        if element_key is None:
            prefix = building_code or run.site_code
            counters[prefix] = counters.get(prefix, 0) + 1
            site, _, building = prefix.partition("-")
            element_key = element_id(site, building or None, counters[prefix])
        ids[global_id] = element_key
        axis = element.axis
        if axis is not None and transform is not None:
            axis = transform.apply(axis)
        media = sorted({system_ids[s][1] for s in element.system_global_ids if s in system_ids})
        rows.append(
            (
                element_key,
                run.site_code,
                building_code,
                storey_of.get((file_name, element.storey_global_id or "")),
                global_id,
                file_name,
                element.source.ifc_class,
                element.kind.value,
                element.name,
                element.type_name,
                element.predefined_type,
                media[0] if media else None,
                element.outer_diameter_m,
                json.dumps(np.round(axis, 4).tolist()) if axis is not None else None,
                element.normally_open,
                element.ifc_valve_type,
            )
        )
        for system in element.system_global_ids:
            if system in system_ids:
                member_rows.append((element_key, system_ids[system][0]))
        mesh = model.meshes.pop(global_id, None)
        if mesh is not None:
            mesh_rows.append(mesh_row(element_key, building_code, mesh, transform))
            if len(mesh_rows) >= _CHUNK:
                insert_meshes(conn, mesh_rows)
                mesh_rows = []
        if len(rows) >= _CHUNK:
            insert_rows(conn, t.elements, _ELEMENT_COLUMNS, rows)
            rows = []
        if building_code:
            run.buildings_touched.add(building_code)
    insert_rows(conn, t.elements, _ELEMENT_COLUMNS, rows)
    insert_rows(conn, t.element_systems, ("element_id", "system_id"), member_rows)
    insert_meshes(conn, mesh_rows)
    save_element_counters(conn, counters)
    _store_ports(run, model, ids, transform)
    return {(file_name, gid): key for gid, key in ids.items()}


def save_element_counters(conn: Connection, counters: dict[str, int]) -> None:
    """Store the highest element number used per id prefix (`SITE` or `SITE-Bnn`)."""
    for prefix, highest in counters.items():
        updated = conn.execute(
            update(t.element_counters)
            .where(t.element_counters.c.prefix == prefix)
            .values(highest_number=highest)
        ).rowcount
        if not updated:
            conn.execute(insert(t.element_counters).values(prefix=prefix, highest_number=highest))


def forget_file(conn: Connection, site_code: str, file_name: str) -> None:
    """Delete the elements a file gave before, with their ports, relations and systems."""
    # the file's elements as a subquery, not as a list of ids bound one by one
    elements = select(t.elements.c.element_id).where(
        t.elements.c.site_code == site_code, t.elements.c.source_file == file_name
    )
    port_ids = select(t.ports.c.port_id).where(t.ports.c.element_id.in_(elements))
    conn.execute(
        delete(t.connections).where(
            t.connections.c.port_from.in_(port_ids) | t.connections.c.port_to.in_(port_ids)
        )
    )
    conn.execute(delete(t.ports).where(t.ports.c.element_id.in_(elements)))
    conn.execute(delete(t.runs_through).where(t.runs_through.c.element_id.in_(elements)))
    conn.execute(delete(t.serves).where(t.serves.c.element_id.in_(elements)))
    conn.execute(delete(t.element_systems).where(t.element_systems.c.element_id.in_(elements)))
    conn.execute(delete(t.meshes).where(t.meshes.c.owner_id.in_(elements)))
    conn.execute(
        delete(t.elements).where(
            t.elements.c.site_code == site_code, t.elements.c.source_file == file_name
        )
    )
    conn.execute(
        delete(t.systems).where(
            and_(t.systems.c.site_code == site_code, t.systems.c.source_file == file_name)
        )
    )


def _store_systems(
    run: ImportRun, model: ParsedModel, building_of: dict[tuple[str, str], str]
) -> dict[str, tuple[int, str]]:
    """System id and medium by system GlobalId."""
    building_codes = {code for (file, _), code in building_of.items() if file == model.path.name}
    building_code = next(iter(building_codes)) if len(building_codes) == 1 else None
    found = {}
    for system in model.systems:
        system_id = inserted_id(
            run.conn,
            insert(t.systems).values(
                site_code=run.site_code,
                building_code=building_code,
                global_id=system.source.global_id,
                source_file=model.path.name,
                name=system.name,
                predefined_type=system.predefined_type,
                medium=system.medium,
            ),
        )
        found[system.source.global_id] = (system_id, system.medium)
    return found


def _store_ports(
    run: ImportRun, model: ParsedModel, ids: dict[str, str], transform: SiteTransform | None
) -> None:
    conn = run.conn
    # Port ids are given here as SQLite would give them (one above the highest in the
    # table, in insertion order), so that connections need not read them back.
    port_id = conn.execute(select(func.max(t.ports.c.port_id))).scalar() or 0
    port_keys: dict[str, tuple[int, str]] = {}  # port GlobalId -> (port id, element id)
    port_rows = []
    for port in model.ports:
        element_key = ids.get(port.element_global_id)
        if element_key is None:
            continue
        position = port.position
        if position is not None and transform is not None:
            position = tuple(transform.apply(np.array([position]))[0])
        port_id += 1
        port_rows.append(
            (
                port_id,
                element_key,
                port.global_id,
                port.flow_direction.value,
                position[0] if position else None,
                position[1] if position else None,
                position[2] if position else None,
            )
        )
        # one GlobalId on two ports (a broken model): the port of the highest element
        # id, then port id, is the one connections join
        known = port_keys.get(port.global_id)
        if known is None or (element_key, port_id) > (known[1], known[0]):
            port_keys[port.global_id] = (port_id, element_key)
        if len(port_rows) >= _CHUNK:
            insert_rows(conn, t.ports, _PORT_COLUMNS, port_rows)
            port_rows = []
    insert_rows(conn, t.ports, _PORT_COLUMNS, port_rows)
    rows = []
    for connection in model.connections:
        start, end = port_keys.get(connection.port_from), port_keys.get(connection.port_to)
        if start is None or end is None:
            run.warnings.append(
                f"{model.path.name}: IfcRelConnectsPorts {connection.relation_global_id} "
                "joins a port of no element; skipped"
            )
            continue
        rows.append(
            (
                run.site_code,
                start[0],
                end[0],
                start[1],
                end[1],
                True,
                connection.directed,
                connection.relation_global_id,
                model.path.name,
            )
        )
    insert_rows(conn, t.connections, _CONNECTION_COLUMNS, rows)


def infer_site_connections(run: ImportRun) -> None:
    """Re-infer the site's connections from ports that coincide and nothing connects."""
    run.conn.execute(
        delete(t.connections).where(
            t.connections.c.site_code == run.site_code, t.connections.c.declared.is_(False)
        )
    )
    add_inferred_connections(run.conn, [run.site_code])
