"""`twin alarms list`, `twin alarms evaluate`, `twin alarms rules load FILE`,
`twin alarms notify load FILE`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from api.cli.common import DbOption, JsonOption, engine_for, guarded, out, print_json

__all__ = ["alarms_app"]

alarms_app = typer.Typer(help="Alarms, their rules and who hears them.", no_args_is_help=True)
rules_app = typer.Typer(help="Threshold rules and room overrides.", no_args_is_help=True)
notify_app = typer.Typer(help="Contacts, duty rotas and routes.", no_args_is_help=True)
alarms_app.add_typer(rules_app, name="rules")
alarms_app.add_typer(notify_app, name="notify")

FileArgument = Annotated[Path, typer.Argument(metavar="FILE", help="A TOML file.")]


@alarms_app.command("list")
@guarded
def list_command(
    state: Annotated[str | None, typer.Option(help="raised, acknowledged or cleared.")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Alarms, newest first."""
    from layers.alarms import list_alarms

    found = list_alarms(engine_for(db), state)
    if as_json:
        print_json(found)
        return
    table = Table()
    for column in ("id", "state", "severity", "rule", "sensor", "where", "raised"):
        table.add_column(column)
    for a in found:
        where = a["room_code"] or a["code"] or ""
        table.add_row(
            str(a["alarm_id"]),
            a["state"],
            a["severity"],
            a["rule"],
            a["sensor"],
            where,
            a["raised_at"],
        )
    out.print(table)


@rules_app.command("load")
@guarded
def rules_load_command(path: FileArgument, db: DbOption = None) -> None:
    """Replace the room overrides of the alarm rules with those of FILE."""
    from layers.alarm_rules import load_rules_file

    count = load_rules_file(engine_for(db), path)
    out.print(f"loaded {count} room override(s) from {path}", highlight=False)


@notify_app.command("load")
@guarded
def notify_load_command(path: FileArgument, db: DbOption = None) -> None:
    """Replace contacts, rotas and routes with those of FILE."""
    from layers.notify_config import load_config_file

    config = load_config_file(engine_for(db), path)
    out.print(
        f"loaded {len(config.contacts)} contact(s), {len(config.rotas)} rota(s), "
        f"{len(config.routes)} route(s) from {path}",
        highlight=False,
    )


@alarms_app.command("evaluate")
@guarded
def evaluate_command(db: DbOption = None, as_json: JsonOption = False) -> None:
    """Judge every stored reading not judged yet (what the served app does in the background)."""
    from layers.alarms import drain

    count, changed = drain(engine_for(db))
    if as_json:
        print_json({"evaluated": count, "alarms_changed": len(changed)})
        return
    out.print(f"judged {count} reading(s); {len(changed)} alarm change(s)", highlight=False)
