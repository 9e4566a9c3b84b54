"""`twin sensors import FILE.csv`, `twin sensors orphans`, `twin sensors list`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from api.cli.common import DbOption, JsonOption, engine_for, err, guarded, out, print_json

__all__ = ["sensors_app"]

sensors_app = typer.Typer(help="Sensors bound to room and element codes.", no_args_is_help=True)


def _where(sensor: dict[str, Any]) -> str:
    return sensor["room_code"] or sensor["code"] or "(no room)"


@sensors_app.command("import")
@guarded
def import_command(
    csv_file: Annotated[
        Path, typer.Argument(metavar="FILE.csv", help="id,kind,room_code,code,x,y,z")
    ],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Register the sensors of a CSV file; bad lines are reported and skipped (exit 2)."""
    from layers.sensors import import_sensors_csv

    report = import_sensors_csv(engine_for(db), csv_file)
    if as_json:
        print_json(
            {
                "registered": report.registered,
                "unchanged": report.unchanged,
                "rejected": report.rejected,
            }
        )
    else:
        for s in report.registered:
            note = " — orphan: no single room holds its position" if s["orphan"] else ""
            out.print(
                f"line {s['line']}: {s['id']} ({s['kind']}) at {_where(s)}{note}", highlight=False
            )
        for r in report.rejected:
            err.print(
                f"[red]line {r['line']}:[/red] {r['id'] or '?'}: {r['reason']}", highlight=False
            )
        out.print(
            f"{len(report.registered)} registered ({len(report.orphans)} orphans), "
            f"{len(report.unchanged)} unchanged, {len(report.rejected)} rejected",
            highlight=False,
        )
    if report.rejected:
        raise typer.Exit(2)


@sensors_app.command("orphans")
@guarded
def orphans_command(db: DbOption = None, as_json: JsonOption = False) -> None:
    """Sensors whose room was retired by a re-import, or that no room holds."""
    from layers.sensors import orphans

    found = orphans(engine_for(db))
    if as_json:
        print_json(found)
        return
    table = Table()
    for column in ("sensor", "kind", "bound to", "why"):
        table.add_column(column)
    for s in found:
        table.add_row(s["id"], s["kind"], s["room_code"] or s["code"] or "", s["reason"])
    out.print(table)
    out.print(f"{len(found)} orphans", highlight=False)


@sensors_app.command("list")
@guarded
def list_command(
    room_code: Annotated[str | None, typer.Option("--room", help="Only this room.")] = None,
    kind: Annotated[str | None, typer.Option(help="Only this kind.")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Registered sensors: id, kind, where."""
    from layers.sensors import list_sensors

    found = list_sensors(engine_for(db), room_code=room_code, kind=kind)
    if as_json:
        print_json(found)
        return
    table = Table()
    for column in ("sensor", "kind", "unit", "bound to"):
        table.add_column(column)
    for s in found:
        table.add_row(s["id"], s["kind"], s["unit"], _where(s))
    out.print(table)
    out.print(f"{len(found)} sensors", highlight=False)
