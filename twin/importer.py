"""Import IFC files into the twin, in one transaction: all of it, or nothing.

Files are read first (a file that cannot be read stops the import before anything
is written), then federated into site, buildings and storeys, rooms registered
under their codes, elements stored under stable ids, connections inferred where
ports coincide, and the spatial relations (which room each segment runs through,
which rooms are neighbours) computed for the buildings touched.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from sqlalchemy import Connection, Engine, and_, delete, func, insert, select, update

from models.codes import RoomCode, element_id
from models.services import SEGMENT_KINDS, SERVICE_KINDS, ElementKind
from twin.federation import (
    SiteTransform,
    StoreyInput,
    derive_site_code,
    resolve_building,
    resolve_storeys,
    site_transform,
)
from twin.manifest import Manifest
from twin.registry import RegisteredRoom, register_storey
from twin.store import schema as t

__all__ = ["ChangeReport", "ImportSummary", "import_models", "refresh_spatial"]

Progress = Callable[[str, float], None]


@dataclass
class ChangeReport:
    """What a re-import changed about rooms."""

    added: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    renamed: list[dict[str, str]] = field(default_factory=list)
    area_changed: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class ImportSummary:
    site_code: str
    files: list[str]
    buildings: list[str]
    counts: dict[str, int]
    warnings: list[str]
    unclassified_rooms: list[str]
    reimport: bool
    changes: ChangeReport

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def import_models(
    engine: Engine,
    paths: Sequence[Path],
    site_code: str | None = None,
    manifest: Manifest | None = None,
    kernel: str | None = None,
    progress: Progress | None = None,
) -> ImportSummary:
    """Import `paths` as one revision of one site; returns what was imported and changed.

    Raises `ModelImportError` (a `BadInput`) naming the file for a file that cannot
    be read, and `BadInput` for a federation problem; the store is then untouched.
    """
    from bim_import.geometry import DEFAULT_KERNEL
    from bim_import.reader import read_model

    manifest = manifest or Manifest()
    report = progress or (lambda _stage, _fraction: None)
    parsed = []
    for index, path in enumerate(paths):
        report(f"reading {path.name}", index / max(1, len(paths)))
        parsed.append(read_model(Path(path), kernel=kernel or DEFAULT_KERNEL))
    report("storing", 0.9)
    with engine.begin() as conn:
        summary = _store(conn, parsed, site_code or manifest.site_code, manifest)
    report("done", 1.0)
    return summary


@dataclass
class _Run:
    """State of one import while it writes."""

    conn: Connection
    site_code: str
    manifest: Manifest
    at: str
    warnings: list[str] = field(default_factory=list)
    changes: ChangeReport = field(default_factory=ChangeReport)
    counts: Counter[str] = field(default_factory=Counter)
    buildings_touched: set[str] = field(default_factory=set)
    unclassified: list[str] = field(default_factory=list)


def _store(
    conn: Connection, parsed: list[Any], site_code: str | None, manifest: Manifest
) -> ImportSummary:
    first_site = next((model.site for model in parsed if model.site is not None), None)
    code = site_code or derive_site_code(
        conn,
        first_site.source.global_id if first_site else None,
        (first_site.name if first_site else "") or "SITE",
    )
    run = _Run(conn, code, manifest, _now())
    site_georef = _upsert_site(run, parsed)
    reimport = bool(
        conn.execute(
            select(func.count())
            .select_from(t.model_files)
            .where(
                t.model_files.c.site_code == code,
                t.model_files.c.file_name.in_([m.path.name for m in parsed]),
            )
        ).scalar()
    )
    building_of: dict[tuple[str, str], str] = {}  # (file, IfcBuilding id) -> building code
    claimed: dict[str, str] = {}
    for model in parsed:
        for building in model.buildings:
            building_code = resolve_building(
                conn,
                code,
                manifest,
                model.path.name,
                building.source.global_id,
                building.name,
                claimed,
            )
            claimed[building.source.global_id] = building_code
            if building.name:
                claimed[f"name:{building.name}"] = building_code
            building_of[(model.path.name, building.source.global_id)] = building_code
            _upsert_building(run, building_code, building)
    storey_of = _store_storeys(run, parsed, building_of)
    transforms = {
        model.path.name: site_transform(model.georeference, site_georef) for model in parsed
    }
    for model in parsed:
        for warning in model.warnings:
            run.warnings.append(f"{warning.file}: {warning.message}")
        _store_rooms(run, model, storey_of, transforms[model.path.name])
    element_ids: dict[tuple[str, str], str] = {}
    for model in parsed:
        element_ids.update(
            _store_elements(run, model, building_of, storey_of, transforms[model.path.name])
        )
    _infer_connections(run)
    for building_code in sorted(run.buildings_touched):
        refresh_spatial(conn, building_code, _boundary_pairs(run, parsed, building_code))
    _record_files(run, parsed, building_of)
    _warn_empty_buildings(run)
    _count(run)
    summary = ImportSummary(
        site_code=code,
        files=[m.path.name for m in parsed],
        buildings=sorted(run.buildings_touched),
        counts=dict(run.counts),
        warnings=run.warnings,
        unclassified_rooms=run.unclassified,
        reimport=reimport,
        changes=run.changes,
    )
    run_id = _inserted_id(
        conn,
        insert(t.import_runs).values(
            at=run.at, files=json.dumps(summary.files), summary=json.dumps(summary.to_dict())
        ),
    )
    if run.warnings:
        conn.execute(
            insert(t.import_warnings),
            [
                {"run_id": run_id, "file_name": w.split(":", 1)[0], "message": w}
                for w in run.warnings
            ],
        )
    return summary


def _inserted_id(conn: Connection, statement: Any) -> int:
    key = conn.execute(statement).inserted_primary_key
    assert key is not None
    return int(key[0])


def _upsert_site(run: _Run, parsed: list[Any]) -> Any:
    from models.campus import Georeference

    existing = run.conn.execute(select(t.sites).where(t.sites.c.site_code == run.site_code)).first()
    georef = next(
        (m.georeference for m in parsed if m.georeference.has_map_conversion),
        next(
            (m.georeference for m in parsed if m.georeference.latitude_deg is not None),
            Georeference(),
        ),
    )
    site = next((m.site for m in parsed if m.site is not None), None)
    values = {
        "global_id": site.source.global_id if site else None,
        "name": run.manifest.site_name or (site.long_name or site.name if site else run.site_code),
        "long_name": site.long_name if site else None,
        **{
            key: getattr(georef, key)
            for key in (
                "epsg",
                "crs_name",
                "eastings_m",
                "northings_m",
                "orthogonal_height_m",
                "x_axis_abscissa",
                "x_axis_ordinate",
                "scale",
                "latitude_deg",
                "longitude_deg",
                "elevation_m",
                "true_north_deg",
            )
        },
    }
    if existing is None:
        if not georef.has_map_conversion and georef.latitude_deg is None:
            run.warnings.append(
                f"site {run.site_code}: no georeference in the model; imported at a local origin"
            )
        run.conn.execute(insert(t.sites).values(site_code=run.site_code, **values))
        return georef
    if existing.eastings_m is None and georef.has_map_conversion:
        run.conn.execute(
            update(t.sites).where(t.sites.c.site_code == run.site_code).values(**values)
        )
        return georef
    return Georeference(
        **{key: getattr(existing, key) for key in Georeference.__dataclass_fields__}
    )


def _upsert_building(run: _Run, building_code: str, building: Any) -> None:
    conn = run.conn
    run.buildings_touched.add(building_code)
    if (
        conn.execute(
            select(t.buildings.c.building_code).where(t.buildings.c.building_code == building_code)
        ).first()
        is None
    ):
        conn.execute(
            insert(t.buildings).values(
                building_code=building_code,
                site_code=run.site_code,
                number=building_code.split("-")[-1],
                name=building.name or building_code,
                long_name=building.long_name,
            )
        )
    known = conn.execute(
        select(t.building_global_ids.c.building_code).where(
            t.building_global_ids.c.site_code == run.site_code,
            t.building_global_ids.c.global_id == building.source.global_id,
        )
    ).scalar()
    if known is None:
        conn.execute(
            insert(t.building_global_ids).values(
                global_id=building.source.global_id,
                site_code=run.site_code,
                building_code=building_code,
            )
        )


def _store_storeys(
    run: _Run, parsed: list[Any], building_of: dict[tuple[str, str], str]
) -> dict[tuple[str, str], str]:
    """Storey code by (file, storey GlobalId)."""
    per_building: dict[str, list[tuple[str, Any]]] = {}
    for model in parsed:
        for storey in model.storeys:
            building_code = building_of[(model.path.name, storey.building_global_id)]
            per_building.setdefault(building_code, []).append((model.path.name, storey))
    storey_of: dict[tuple[str, str], str] = {}
    for building_code, entries in per_building.items():
        pin = next(
            (p for p in run.manifest.buildings if p.code and building_code.endswith(f"-{p.code}")),
            None,
        )
        inputs = [
            StoreyInput(f"{file}\x00{s.source.global_id}", s.name, s.elevation_m)
            for file, s in entries
        ]
        # Storey GlobalIds are remembered per building, not per file: the same storey
        # exported twice keeps its id; the file prefix only separates the inputs here.
        known_inputs = [
            StoreyInput(i.global_id.split("\x00", 1)[1], i.name, i.elevation_m) for i in inputs
        ]
        mapping, new_storeys, warnings = resolve_storeys(
            run.conn, building_code, known_inputs, pin.ground_storey if pin else None
        )
        run.warnings.extend(warnings)
        for storey_code, code, name, elevation in new_storeys:
            run.conn.execute(
                insert(t.storeys).values(
                    storey_code=storey_code,
                    building_code=building_code,
                    code=code,
                    name=name,
                    elevation_m=elevation,
                )
            )
        for (file, storey), item in zip(entries, known_inputs, strict=True):
            storey_code = mapping[item.global_id]
            storey_of[(file, storey.source.global_id)] = storey_code
            exists = run.conn.execute(
                select(t.storey_global_ids.c.storey_code).where(
                    t.storey_global_ids.c.building_code == building_code,
                    t.storey_global_ids.c.global_id == item.global_id,
                )
            ).first()
            if exists is None:
                run.conn.execute(
                    insert(t.storey_global_ids).values(
                        global_id=item.global_id,
                        building_code=building_code,
                        storey_code=storey_code,
                    )
                )
    return storey_of


def _footprint(room: Any, transform: SiteTransform | None) -> shapely.Polygon | None:
    if room.footprint is None:
        return None
    shell = room.footprint if transform is None else transform.apply(room.footprint)
    holes = [h if transform is None else transform.apply(h) for h in room.holes]
    polygon = shapely.Polygon(shell, holes)
    return polygon if polygon.is_valid else shapely.make_valid(polygon).buffer(0)


def _store_rooms(
    run: _Run, model: Any, storey_of: dict[tuple[str, str], str], transform: SiteTransform | None
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
                conn.execute(
                    insert(t.rooms).values(
                        room_code=code,
                        building_code=building_code,
                        storey_code=storey_code,
                        room_number=assignment.code.room_number,
                        created_at=run.at,
                        **values,
                    )
                )
                _event(conn, code, run.at, "created", {"global_id": record.source.global_id})
                run.changes.added.append(code)
            else:
                conn.execute(update(t.rooms).where(t.rooms.c.room_code == code).values(**values))
                _report_changes(run, code, old, values)
            if record.usage == "unclassified":
                run.unclassified.append(f"{code} ({record.name} {record.long_name or ''})".strip())
            run.counts["rooms"] += 1
        for room in registration.retired:
            code = str(room.code)
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
            _event(conn, code, run.at, "retired", {"global_id": room.global_id})
            run.changes.retired.append(code)
        _set_counter(conn, storey_code, registration.highest_number)
        mesh_rows = []
        for assignment in registration.assignments:
            mesh = model.meshes.get(assignment.record.source.global_id)
            if mesh is not None:
                mesh_rows.append(_mesh_row(str(assignment.code), building_code, mesh, transform))
        _replace_meshes(conn, mesh_rows)


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


def _report_changes(run: _Run, code: str, old: Any, values: dict[str, Any]) -> None:
    if old.status != "active":
        _event(run.conn, code, run.at, "reactivated", {})
    if (old.name, old.long_name) != (values["name"], values["long_name"]):
        run.changes.renamed.append(
            {
                "room_code": code,
                "old": f"{old.name} {old.long_name or ''}".strip(),
                "new": f"{values['name']} {values['long_name'] or ''}".strip(),
            }
        )
        _event(run.conn, code, run.at, "renamed", run.changes.renamed[-1])
    old_area, new_area = old.net_floor_area_m2, values["net_floor_area_m2"]
    if old_area is not None and new_area is not None and abs(old_area - new_area) > 0.01:
        change = {"room_code": code, "old_m2": round(old_area, 2), "new_m2": round(new_area, 2)}
        run.changes.area_changed.append(change)
        _event(run.conn, code, run.at, "area_changed", change)


def _event(conn: Connection, code: str, at: str, kind: str, detail: dict[str, Any]) -> None:
    conn.execute(
        insert(t.room_events).values(
            room_code=code, at=at, kind=kind, detail=json.dumps(detail, ensure_ascii=False)
        )
    )


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


def _mesh_row(
    owner: str, building_code: str | None, mesh: Any, transform: SiteTransform | None
) -> dict[str, Any]:
    from models.geometry import Mesh

    if transform is not None:
        mesh = Mesh(transform.apply(mesh.vertices), mesh.faces)
    vertices, faces = mesh.to_bytes()
    return {"owner_id": owner, "building_code": building_code, "vertices": vertices, "faces": faces}


def _replace_meshes(conn: Connection, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    conn.execute(delete(t.meshes).where(t.meshes.c.owner_id.in_([r["owner_id"] for r in rows])))
    conn.execute(insert(t.meshes), rows)


def _store_elements(
    run: _Run,
    model: Any,
    building_of: dict[tuple[str, str], str],
    storey_of: dict[tuple[str, str], str],
    transform: SiteTransform | None,
) -> dict[tuple[str, str], str]:
    """Replace what `model`'s file said before; element ids stay those of the last import."""
    conn = run.conn
    file_name = model.path.name
    previous = dict(
        conn.execute(
            select(t.elements.c.global_id, t.elements.c.element_id).where(
                t.elements.c.site_code == run.site_code, t.elements.c.source_file == file_name
            )
        ).all()
    )
    _forget_file(conn, run.site_code, file_name, list(previous.values()))
    counters = dict(
        conn.execute(select(t.element_counters.c.prefix, t.element_counters.c.highest_number)).all()
    )
    ids: dict[str, str] = {}
    rows: list[dict[str, Any]] = []
    system_ids = _store_systems(run, model, building_of)
    member_rows: list[dict[str, Any]] = []
    mesh_rows: list[dict[str, Any]] = []
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
            {
                "element_id": element_key,
                "site_code": run.site_code,
                "building_code": building_code,
                "storey_code": storey_of.get((file_name, element.storey_global_id or "")),
                "global_id": global_id,
                "source_file": file_name,
                "ifc_class": element.source.ifc_class,
                "kind": element.kind.value,
                "name": element.name,
                "type_name": element.type_name,
                "predefined_type": element.predefined_type,
                "medium": media[0] if media else None,
                "outer_diameter_m": element.outer_diameter_m,
                "axis_json": json.dumps(np.round(axis, 4).tolist()) if axis is not None else None,
                "normally_open": element.normally_open,
                "valve_type": element.ifc_valve_type,
            }
        )
        for system in element.system_global_ids:
            if system in system_ids:
                member_rows.append({"element_id": element_key, "system_id": system_ids[system][0]})
        mesh = model.meshes.get(global_id)
        if mesh is not None:
            mesh_rows.append(_mesh_row(element_key, building_code, mesh, transform))
        if building_code:
            run.buildings_touched.add(building_code)
    if rows:
        conn.execute(insert(t.elements), rows)
    if member_rows:
        conn.execute(insert(t.element_systems), member_rows)
    _replace_meshes(conn, mesh_rows)
    for prefix, highest in counters.items():
        updated = conn.execute(
            update(t.element_counters)
            .where(t.element_counters.c.prefix == prefix)
            .values(highest_number=highest)
        ).rowcount
        if not updated:
            conn.execute(insert(t.element_counters).values(prefix=prefix, highest_number=highest))
    _store_ports(run, model, ids, transform)
    return {(file_name, gid): key for gid, key in ids.items()}


def _forget_file(conn: Connection, site_code: str, file_name: str, element_keys: list[str]) -> None:
    if not element_keys:
        return
    port_ids = select(t.ports.c.port_id).where(t.ports.c.element_id.in_(element_keys))
    conn.execute(
        delete(t.connections).where(
            t.connections.c.port_from.in_(port_ids) | t.connections.c.port_to.in_(port_ids)
        )
    )
    conn.execute(delete(t.ports).where(t.ports.c.element_id.in_(element_keys)))
    conn.execute(delete(t.runs_through).where(t.runs_through.c.element_id.in_(element_keys)))
    conn.execute(delete(t.serves).where(t.serves.c.element_id.in_(element_keys)))
    conn.execute(delete(t.element_systems).where(t.element_systems.c.element_id.in_(element_keys)))
    conn.execute(delete(t.meshes).where(t.meshes.c.owner_id.in_(element_keys)))
    conn.execute(delete(t.elements).where(t.elements.c.element_id.in_(element_keys)))
    conn.execute(
        delete(t.systems).where(
            and_(t.systems.c.site_code == site_code, t.systems.c.source_file == file_name)
        )
    )


def _store_systems(
    run: _Run, model: Any, building_of: dict[tuple[str, str], str]
) -> dict[str, tuple[int, str]]:
    """System id and medium by system GlobalId."""
    building_codes = {code for (file, _), code in building_of.items() if file == model.path.name}
    building_code = next(iter(building_codes)) if len(building_codes) == 1 else None
    found = {}
    for system in model.systems:
        system_id = _inserted_id(
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
    run: _Run, model: Any, ids: dict[str, str], transform: SiteTransform | None
) -> None:
    conn = run.conn
    port_rows = []
    for port in model.ports:
        element_key = ids.get(port.element_global_id)
        if element_key is None:
            continue
        position = port.position
        if position is not None and transform is not None:
            position = tuple(transform.apply(np.array([position]))[0])
        port_rows.append(
            {
                "element_id": element_key,
                "global_id": port.global_id,
                "flow_direction": port.flow_direction.value,
                "x_m": position[0] if position else None,
                "y_m": position[1] if position else None,
                "z_m": position[2] if position else None,
            }
        )
    if port_rows:
        conn.execute(insert(t.ports), port_rows)
    element_keys = sorted(set(ids.values()))
    port_keys: dict[str, tuple[int, str]] = {}
    for chunk in range(0, len(element_keys), 500):
        for row in conn.execute(
            select(t.ports.c.port_id, t.ports.c.global_id, t.ports.c.element_id).where(
                t.ports.c.element_id.in_(element_keys[chunk : chunk + 500])
            )
        ):
            port_keys[row.global_id] = (row.port_id, row.element_id)
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
            {
                "site_code": run.site_code,
                "port_from": start[0],
                "port_to": end[0],
                "element_from": start[1],
                "element_to": end[1],
                "declared": True,
                "directed": connection.directed,
                "relation_global_id": connection.relation_global_id,
                "source_file": model.path.name,
            }
        )
    if rows:
        conn.execute(insert(t.connections), rows)


def _infer_connections(run: _Run) -> None:
    """Re-infer the site's connections from ports that coincide and nothing connects."""
    from models.services import FlowDirection, PortRecord
    from twin.connectivity import infer_connections

    conn = run.conn
    conn.execute(
        delete(t.connections).where(
            t.connections.c.site_code == run.site_code, t.connections.c.declared.is_(False)
        )
    )
    rows = conn.execute(
        select(
            t.ports.c.port_id,
            t.ports.c.element_id,
            t.ports.c.flow_direction,
            t.ports.c.x_m,
            t.ports.c.y_m,
            t.ports.c.z_m,
        )
        .join(t.elements, t.elements.c.element_id == t.ports.c.element_id)
        .where(t.elements.c.site_code == run.site_code)
    ).all()
    connected: set[str] = set()
    for a, b in conn.execute(
        select(t.connections.c.port_from, t.connections.c.port_to).where(
            t.connections.c.site_code == run.site_code
        )
    ):
        connected.update((str(a), str(b)))
    ports = [
        PortRecord(
            str(r.port_id),
            r.element_id,
            FlowDirection(r.flow_direction),
            (r.x_m, r.y_m, r.z_m) if r.x_m is not None else None,
        )
        for r in rows
    ]
    element_of = {str(r.port_id): r.element_id for r in rows}
    inferred = infer_connections(ports, connected) if ports else []
    if inferred:
        conn.execute(
            insert(t.connections),
            [
                {
                    "site_code": run.site_code,
                    "port_from": int(c.port_from),
                    "port_to": int(c.port_to),
                    "element_from": element_of[c.port_from],
                    "element_to": element_of[c.port_to],
                    "declared": False,
                    "directed": c.directed,
                }
                for c in inferred
            ],
        )


def _boundary_pairs(
    run: _Run, parsed: list[Any], building_code: str
) -> set[tuple[str, str]] | None:
    """Room-code pairs from the files' IfcRelSpaceBoundary, when the rooms' files have them."""
    pairs: set[tuple[str, str]] = set()
    found = False
    for model in parsed:
        if model.space_boundary_pairs is None:
            continue
        codes = dict(
            run.conn.execute(
                select(t.rooms.c.global_id, t.rooms.c.room_code).where(
                    t.rooms.c.building_code == building_code,
                    t.rooms.c.source_file == model.path.name,
                    t.rooms.c.status == "active",
                )
            ).all()
        )
        for a, b in model.space_boundary_pairs:
            if a in codes and b in codes:
                found = True
                first, second = sorted((codes[a], codes[b]))
                pairs.add((first, second))
    return pairs if found else None


def _record_files(run: _Run, parsed: list[Any], building_of: dict[tuple[str, str], str]) -> None:
    for model in parsed:
        codes = {code for (file, _), code in building_of.items() if file == model.path.name}
        values = {
            "building_code": next(iter(codes)) if len(codes) == 1 else None,
            "schema": model.schema,
            "sha256": _sha256(model.path),
            "size_bytes": model.path.stat().st_size,
            "imported_at": run.at,
        }
        updated = run.conn.execute(
            update(t.model_files)
            .where(
                t.model_files.c.site_code == run.site_code,
                t.model_files.c.file_name == model.path.name,
            )
            .values(**values)
        ).rowcount
        if not updated:
            run.conn.execute(
                insert(t.model_files).values(
                    site_code=run.site_code, file_name=model.path.name, **values
                )
            )


def _warn_empty_buildings(run: _Run) -> None:
    """A building with no rooms or no services imports, with a warning saying so."""
    service_kinds = [kind.value for kind in SERVICE_KINDS]
    for building_code in sorted(run.buildings_touched):
        rooms = run.conn.execute(
            select(func.count())
            .select_from(t.rooms)
            .where(t.rooms.c.building_code == building_code, t.rooms.c.status == "active")
        ).scalar()
        services = run.conn.execute(
            select(func.count())
            .select_from(t.elements)
            .where(
                t.elements.c.building_code == building_code, t.elements.c.kind.in_(service_kinds)
            )
        ).scalar()
        if not rooms:
            run.warnings.append(f"building {building_code} has no rooms (no IfcSpace)")
        if not services:
            run.warnings.append(f"building {building_code} has no services (pipes, ducts, cables…)")


def _count(run: _Run) -> None:
    conn = run.conn
    site = run.site_code
    run.counts["buildings"] = len(run.buildings_touched)
    run.counts["storeys"] = (
        conn.execute(
            select(func.count())
            .select_from(t.storeys)
            .where(t.storeys.c.building_code.in_(run.buildings_touched))
        ).scalar()
        or 0
    )
    kinds: dict[str, int] = dict(
        conn.execute(
            select(t.elements.c.kind, func.count())
            .where(t.elements.c.site_code == site)
            .group_by(t.elements.c.kind)
        ).all()
    )
    run.counts["segments"] = sum(kinds.get(k.value, 0) for k in SEGMENT_KINDS)
    run.counts["fittings"] = kinds.get(ElementKind.FITTING.value, 0)
    run.counts["valves"] = kinds.get(ElementKind.VALVE.value, 0)
    run.counts["terminals"] = kinds.get(ElementKind.TERMINAL.value, 0)
    run.counts["pumps"] = kinds.get(ElementKind.PUMP.value, 0)
    run.counts["cables"] = kinds.get(ElementKind.CABLE_SEGMENT.value, 0) + kinds.get(
        ElementKind.CABLE_CARRIER_SEGMENT.value, 0
    )
    run.counts["systems"] = (
        conn.execute(
            select(func.count()).select_from(t.systems).where(t.systems.c.site_code == site)
        ).scalar()
        or 0
    )
    declared: dict[bool, int] = dict(
        conn.execute(
            select(t.connections.c.declared, func.count())
            .where(t.connections.c.site_code == site)
            .group_by(t.connections.c.declared)
        ).all()
    )
    run.counts["declared_connections"] = declared.get(True, 0)
    run.counts["inferred_connections"] = declared.get(False, 0)
    run.counts["warnings"] = len(run.warnings)


def refresh_spatial(
    conn: Connection, building_code: str, boundary_pairs: set[tuple[str, str]] | None = None
) -> None:
    """Recompute the building's room zones, segment runs and room adjacency."""
    from twin.spatial_store import compute_building_spatial

    compute_building_spatial(conn, building_code, boundary_pairs)
