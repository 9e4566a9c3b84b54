"""`twin sites`, `twin export imdf SITE OUT.zip`, `twin utilities import FILE.geojson`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from api.cli.common import DbOption, JsonOption, engine_for, err, guarded, out, print_json

__all__ = ["export_app", "sites_command", "utilities_app"]

export_app = typer.Typer(help="Export a site to other formats.", no_args_is_help=True)
utilities_app = typer.Typer(help="Outdoor utility lines (GeoJSON).", no_args_is_help=True)


@guarded
def sites_command(
    idle_since: Annotated[
        str | None,
        typer.Option(help="Count offices idle since then (e.g. 30d) as vacant too."),
    ] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Sites with their position (lon, lat), EPSG and key figures."""
    from api.room_use import idle_by_room
    from twin.geo.sites import site_summaries

    engine = engine_for(db)
    found = site_summaries(engine, idle_by_room(engine, idle_since) if idle_since else None)
    if as_json:
        print_json(found)
        return
    table = Table()
    for column in ("site", "name", "lon", "lat", "EPSG", "buildings", "rooms", "m²", "vacancy"):
        table.add_column(column)
    table.add_column("open alarms")
    for s in found:
        table.add_row(
            s["site_code"],
            s["name"],
            "" if s["longitude_deg"] is None else f"{s['longitude_deg']:.6f}",
            "" if s["latitude_deg"] is None else f"{s['latitude_deg']:.6f}",
            "" if s["epsg"] is None else str(s["epsg"]),
            str(s["buildings"]),
            str(s["rooms"]),
            f"{s['net_floor_area_m2']:.1f}",
            "" if s["vacancy"] is None else f"{s['vacancy']:.0%}",
            "" if s["open_alarms"] is None else str(s["open_alarms"]),
        )
    out.print(table)


@export_app.command("imdf")
@guarded
def imdf_command(
    site: Annotated[str, typer.Argument(metavar="SITE", help="Site code, e.g. WZ01.")],
    target: Annotated[Path, typer.Argument(metavar="OUT.zip", help="Archive to write.")],
    language: Annotated[str, typer.Option(help="Language tag of the names.")] = "zh-CN",
    country: Annotated[str, typer.Option(help="ISO 3166 country of the address.")] = "CN",
    db: DbOption = None,
) -> None:
    """Write the site as an IMDF 1.0 archive (venue, buildings, levels, units, openings)."""
    from models.errors import BadInput
    from twin.geo.imdf import imdf_archive

    archive = imdf_archive(engine_for(db), site, language=language, country=country)
    try:
        target.write_bytes(archive)
    except OSError as exc:
        raise BadInput(f"{target}: cannot write: {exc.strerror}") from exc
    err.print(f"wrote {target} ({len(archive):,} bytes)", highlight=False)


@utilities_app.command("import")
@guarded
def utilities_import_command(
    path: Annotated[Path, typer.Argument(metavar="FILE.geojson", help="Utility lines, WGS84.")],
    site: Annotated[str | None, typer.Option(help="Site code (needed with several sites).")] = None,
    tolerance: Annotated[
        float, typer.Option(help="Metres within which a line end joins a service entry.")
    ] = 2.0,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Import utility lines as site-level pipes joined to the buildings' service entries."""
    from twin.geo.utilities import import_utilities

    summary = import_utilities(engine_for(db), path, site, tolerance)
    if as_json:
        print_json(summary)
        return
    out.print(
        f"{summary['site_code']}: {summary['segments']} segments, "
        f"{summary['line_connections']} line joints, "
        f"{len(summary['joined_entries'])} joined to service entries",
        highlight=False,
    )
    for joined in summary["joined_entries"]:
        out.print(
            f"  {joined['element_id']} → {joined['entry_element_id']} "
            f"({joined['building_code']}, {joined['distance_m']} m)",
            highlight=False,
        )
    for warning in summary["warnings"]:
        err.print(f"[yellow]warning:[/yellow] {warning}", highlight=False)
