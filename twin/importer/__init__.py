"""Import IFC files into the twin, in one transaction: all of it, or nothing.

Files are read first (a file that cannot be read stops the import before anything
is written), then federated into site, buildings and storeys, rooms registered
under their codes, elements stored under stable ids, connections inferred where
ports coincide, and the spatial relations (which room each segment runs through,
which rooms are neighbours) computed for the buildings touched.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, func, insert, select

from models.services import SEGMENT_KINDS, SERVICE_KINDS, ElementKind
from twin.federation import derive_site_code, resolve_building, site_transform
from twin.geo.footprints import refresh_footprints
from twin.importer.elements import infer_site_connections, store_elements
from twin.importer.rooms import store_rooms
from twin.importer.run import ChangeReport, ImportRun, ImportSummary, inserted_id, now_utc
from twin.importer.structure import record_files, store_storeys, upsert_building, upsert_site
from twin.manifest import Manifest
from twin.store import schema as t
from twin.store.bulk import indexes_built_after

if TYPE_CHECKING:
    from bim_import.reader import ParsedModel

__all__ = ["ChangeReport", "ImportSummary", "import_models", "refresh_spatial"]

Progress = Callable[[str, float], None]
_IMPORT_CACHE_KIB = 256  # SQLite's page cache during an import (its default is 2000 KiB)


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
    with engine.begin() as conn, _small_page_cache(conn):
        summary = _store(conn, parsed, site_code or manifest.site_code, manifest)
    report("done", 1.0)
    return summary


@contextmanager
def _small_page_cache(conn: Connection) -> Iterator[None]:
    """SQLite's page cache held to `_IMPORT_CACHE_KIB` while the import writes.

    The default (2 MiB) would fill with pages the import writes once and seldom
    reads again, adding to its peak memory; dirty pages beyond the cache spill to
    the write-ahead log, within the same transaction. The pooled connection gets
    its own setting back.
    """
    if conn.dialect.name != "sqlite":
        yield
        return
    (before,) = conn.exec_driver_sql("PRAGMA cache_size").one()
    conn.exec_driver_sql(f"PRAGMA cache_size=-{_IMPORT_CACHE_KIB}")
    try:
        yield
    finally:
        conn.exec_driver_sql(f"PRAGMA cache_size={int(before)}")


def _store(
    conn: Connection, parsed: list[ParsedModel], site_code: str | None, manifest: Manifest
) -> ImportSummary:
    first_site = next((model.site for model in parsed if model.site is not None), None)
    code = site_code or derive_site_code(
        conn,
        first_site.source.global_id if first_site else None,
        (first_site.name if first_site else "") or "SITE",
    )
    run = ImportRun(conn, code, manifest, now_utc())
    site_georef = upsert_site(run, parsed)
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
            upsert_building(run, building_code, building)
    storey_of = store_storeys(run, parsed, building_of)
    transforms = {
        model.path.name: site_transform(model.georeference, site_georef) for model in parsed
    }
    for model in parsed:
        for warning in model.warnings:
            run.warnings.append(f"{warning.file}: {warning.message}")
        store_rooms(run, model, storey_of, transforms[model.path.name])
    with indexes_built_after(conn, (t.elements, t.ports, t.connections)):
        for model in parsed:
            store_elements(run, model, building_of, storey_of, transforms[model.path.name])
            model.release_stored()
    infer_site_connections(run)
    for building_code in sorted(run.buildings_touched):
        refresh_spatial(conn, building_code, _boundary_pairs(run, parsed, building_code))
        refresh_footprints(conn, building_code)
    record_files(run, parsed, building_of)
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
    run_id = inserted_id(
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


def _boundary_pairs(
    run: ImportRun, parsed: list[ParsedModel], building_code: str
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


def _warn_empty_buildings(run: ImportRun) -> None:
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


def _count(run: ImportRun) -> None:
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
