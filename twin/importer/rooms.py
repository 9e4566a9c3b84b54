"""Rooms of an import: registered under their codes, updated, retired, with history."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import shapely
from sqlalchemy import Connection, bindparam, delete, insert, select, update

from models.codes import RoomCode
from models.geometry import Mesh
from twin.federation import SiteTransform
from twin.importer.run import ImportRun, record_event
from twin.registry import RegisteredRoom, register_storey
from twin.store import schema as t
from twin.store.bulk import execute_many, insert_dicts, insert_rows

if TYPE_CHECKING:
    pass

if TYPE_CHECKING:
    from bim_import.reader import ParsedModel

__all__ = ["insert_meshes", "mesh_row", "replace_meshes", "store_rooms"]


def _footprint(room: Any, transform: SiteTransform | None) -> shapely.Polygon | None:
    if room.footprint is None:
        return None
    shell = room.footprint if transform is None else transform.apply(room.footprint)
    holes = [h if transform is None else transform.apply(h) for h in room.holes]
    polygon = shapely.Polygon(shell, holes)
    return polygon if polygon.is_valid else shapely.make_valid(polygon).buffer(0)


def store_rooms(
    run: ImportRun,
    model: ParsedModel,
    storey_of: dict[tuple[str, str], str],
    transform: SiteTransform | None,
) -> None:
    conn = run.conn
    by_storey: dict[str, list[tuple[Any, shapely.Polygon | None]]] = {}
    for room in model.rooms:
        storey_code = storey_of.get((model.path.name, room.storey_global_id))
        if storey_code is None:
            continue
        by_storey.setdefault(storey_code, []).append((room, _footprint(room, transform)))
    for storey_code, incoming in sorted(by_storey.items()):
        site, building, storey = storey_code.split("-")
        building_code = f"{site}-{building}"
        rows = conn.execute(select(t.rooms).where(t.rooms.c.storey_code == storey_code)).all()
        registered = [
            RegisteredRoom(
                RoomCode.parse(row.room_code),
                row.global_id,
                row.status == "active",
                row.source_file,
                shapely.from_wkb(row.footprint_wkb) if row.footprint_wkb else None,
            )
            for row in rows
        ]
        highest = (
            conn.execute(
                select(t.storey_counters.c.highest_room_number).where(
                    t.storey_counters.c.storey_code == storey_code
                )
            ).scalar()
            or 0
        )
        registration = register_storey(
            site,
            building,
            storey,
            incoming,
            registered,
            highest,
            {model.path.name},
            run.manifest.room_pins,
        )
        footprints = dict((id(r), f) for r, f in incoming)
        old_rows = {row.room_code: row for row in rows}
        new_rows: list[dict[str, Any]] = []
        updated_rows: list[tuple[Any, ...]] = []
        for assignment in registration.assignments:
            record = assignment.record
            code = str(assignment.code)
            footprint = footprints[id(record)]
            values = _room_values(record, footprint, transform)
            values.update(
                global_id=record.source.global_id,
                source_file=model.path.name,
                status="active",
                retired_at=None,
            )
            old = old_rows.get(code)
            if old is None:
                new_rows.append(
                    {
                        "room_code": code,
                        "building_code": building_code,
                        "storey_code": storey_code,
                        "room_number": assignment.code.room_number,
                        "created_at": run.at,
                        **values,
                    }
                )
                run.changes.added.append(code)
            else:
                updated_rows.append((*(values[name] for name in _UPDATED), code))
                _report_changes(run, code, old, values)
            if record.usage == "unclassified":
                run.unclassified.append(f"{code} ({record.name} {record.long_name or ''})".strip())
            run.counts["rooms"] += 1
        execute_many(conn, _UPDATE_ROOM, updated_rows, _UPDATE_ROOM_NAMES)
        insert_dicts(conn, t.rooms, new_rows)
        insert_rows(
            conn,
            t.room_events,
            ("room_code", "at", "kind", "detail"),
            [
                (row["room_code"], run.at, "created", json.dumps({"global_id": row["global_id"]}))
                for row in new_rows
            ],
        )
        for retired in registration.retired:
            code = str(retired.code)
            conn.execute(
                update(t.rooms)
                .where(t.rooms.c.room_code == code)
                .values(status="retired", retired_at=run.at)
            )
            conn.execute(
                delete(t.adjacency).where(
                    (t.adjacency.c.room_a == code) | (t.adjacency.c.room_b == code)
                )
            )
            conn.execute(delete(t.runs_through).where(t.runs_through.c.room_code == code))
            conn.execute(delete(t.serves).where(t.serves.c.room_code == code))
            record_event(conn, code, run.at, "retired", {"global_id": retired.global_id})
            run.changes.retired.append(code)
        _set_counter(conn, storey_code, registration.highest_number)
        mesh_rows = []
        for assignment in registration.assignments:
            mesh = model.meshes.get(assignment.record.source.global_id)
            if mesh is not None:
                mesh_rows.append(mesh_row(str(assignment.code), building_code, mesh, transform))
        replace_meshes(conn, mesh_rows)


def _room_values(
    record: Any, footprint: shapely.Polygon | None, transform: SiteTransform | None
) -> dict[str, Any]:
    floor = record.floor_elevation_m
    if floor is not None and transform is not None:
        floor += float(transform.offset[2])
    return {
        "name": record.name,
        "long_name": record.long_name,
        "object_type": record.object_type,
        "usage": record.usage,
        "usage_matched": record.usage_matched,
        "net_floor_area_m2": record.net_floor_area_m2,
        "area_source": record.area_source,
        "declared_area_m2": record.declared_area_m2,
        "height_m": record.height_m,
        "volume_m3": record.volume_m3,
        "floor_elevation_m": floor,
        "finish_ceiling_m": (floor + record.finish_ceiling_height_m)
        if floor is not None and record.finish_ceiling_height_m
        else None,
        "footprint_wkb": shapely.to_wkb(footprint) if footprint is not None else None,
    }


# what an import sets on a room it finds again: what the model says (`_room_values`)
# and where it comes from, in the table's order (the order of the statement's SET)
_UPDATED = tuple(
    column.name
    for column in t.rooms.columns
    if column.name
    in {
        "name",
        "long_name",
        "object_type",
        "usage",
        "usage_matched",
        "net_floor_area_m2",
        "area_source",
        "declared_area_m2",
        "height_m",
        "volume_m3",
        "floor_elevation_m",
        "finish_ceiling_m",
        "footprint_wkb",
        "global_id",
        "source_file",
        "status",
        "retired_at",
    }
)
_UPDATE_ROOM = (
    update(t.rooms)
    .where(t.rooms.c.room_code == bindparam("found_code"))
    .values({name: bindparam(f"new_{name}") for name in _UPDATED})
)
_UPDATE_ROOM_NAMES = (*(f"new_{name}" for name in _UPDATED), "found_code")


def _report_changes(run: ImportRun, code: str, old: Any, values: dict[str, Any]) -> None:
    if old.status != "active":
        record_event(run.conn, code, run.at, "reactivated", {})
    if (old.name, old.long_name) != (values["name"], values["long_name"]):
        run.changes.renamed.append(
            {
                "room_code": code,
                "old": f"{old.name} {old.long_name or ''}".strip(),
                "new": f"{values['name']} {values['long_name'] or ''}".strip(),
            }
        )
        record_event(run.conn, code, run.at, "renamed", run.changes.renamed[-1])
    old_area, new_area = old.net_floor_area_m2, values["net_floor_area_m2"]
    if old_area is not None and new_area is not None and abs(old_area - new_area) > 0.01:
        change = {"room_code": code, "old_m2": round(old_area, 2), "new_m2": round(new_area, 2)}
        run.changes.area_changed.append(change)
        record_event(run.conn, code, run.at, "area_changed", change)


def _set_counter(conn: Connection, storey_code: str, highest: int) -> None:
    updated = conn.execute(
        update(t.storey_counters)
        .where(t.storey_counters.c.storey_code == storey_code)
        .values(highest_room_number=highest)
    ).rowcount
    if not updated:
        conn.execute(
            insert(t.storey_counters).values(storey_code=storey_code, highest_room_number=highest)
        )


_MESH_COLUMNS = ("owner_id", "building_code", "vertices", "faces")


def mesh_row(
    owner: str, building_code: str | None, mesh: Any, transform: SiteTransform | None
) -> tuple[str, str | None, bytes, bytes]:
    """A `meshes` row (owner_id, building_code, vertices, faces) in site coordinates."""
    if transform is not None:
        mesh = Mesh(transform.apply(mesh.vertices), mesh.faces)
    vertices, faces = mesh.to_bytes()
    return (owner, building_code, vertices, faces)


def replace_meshes(conn: Connection, rows: list[tuple[str, str | None, bytes, bytes]]) -> None:
    """Store `rows` (from `mesh_row`) in place of the owners' meshes."""
    if not rows:
        return
    conn.execute(delete(t.meshes).where(t.meshes.c.owner_id.in_([r[0] for r in rows])))
    insert_meshes(conn, rows)


def insert_meshes(conn: Connection, rows: list[tuple[str, str | None, bytes, bytes]]) -> None:
    """Store `rows` (from `mesh_row`) for owners that have no mesh stored."""
    insert_rows(conn, t.meshes, _MESH_COLUMNS, rows)
