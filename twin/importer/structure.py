"""Sites, buildings, storeys and model files: the skeleton an import hangs on."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert, select, update

from models.campus import Georeference
from twin.federation import StoreyInput, resolve_storeys
from twin.geo.sites import record_placement
from twin.importer.run import ImportRun
from twin.store import schema as t

if TYPE_CHECKING:
    pass

if TYPE_CHECKING:
    from bim_import.reader import ParsedModel
    from models.campus import BuildingRecord

__all__ = ["record_files", "store_storeys", "upsert_building", "upsert_site"]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 16), b""):  # small blocks: no peak
            digest.update(block)
    return digest.hexdigest()


def upsert_site(run: ImportRun, parsed: list[ParsedModel]) -> Georeference:

    existing = run.conn.execute(select(t.sites).where(t.sites.c.site_code == run.site_code)).first()
    georef = next(
        (m.georeference for m in parsed if m.georeference.has_map_conversion),
        next(
            (m.georeference for m in parsed if m.georeference.latitude_deg is not None),
            Georeference(),
        ),
    )
    placed_by_manifest = False
    if (
        not georef.has_map_conversion
        and georef.latitude_deg is None
        and run.manifest.site_georeference is not None
    ):
        georef = run.manifest.site_georeference
        placed_by_manifest = True
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
        record_placement(run.conn, run.site_code, "manifest" if placed_by_manifest else None)
        return georef
    # A site keeps the frame it was first placed in (what is stored is in it); only a
    # site imported at a local origin takes the placement a later file brings.
    unplaced = existing.eastings_m is None and existing.latitude_deg is None
    if unplaced and (georef.has_map_conversion or georef.latitude_deg is not None):
        run.conn.execute(
            update(t.sites).where(t.sites.c.site_code == run.site_code).values(**values)
        )
        record_placement(run.conn, run.site_code, "manifest" if placed_by_manifest else None)
        return georef
    return Georeference(
        **{key: getattr(existing, key) for key in Georeference.__dataclass_fields__}
    )


def upsert_building(run: ImportRun, building_code: str, building: BuildingRecord) -> None:
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


def store_storeys(
    run: ImportRun, parsed: list[ParsedModel], building_of: dict[tuple[str, str], str]
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
        # Storey GlobalIds are remembered per building, not per file: the same storey
        # exported in two files keeps one code.
        inputs = [StoreyInput(s.source.global_id, s.name, s.elevation_m) for _, s in entries]
        mapping, new_storeys, warnings = resolve_storeys(
            run.conn, building_code, inputs, pin.ground_storey if pin else None
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
        for (file, storey), item in zip(entries, inputs, strict=True):
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


def record_files(
    run: ImportRun, parsed: list[ParsedModel], building_of: dict[tuple[str, str], str]
) -> None:
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
