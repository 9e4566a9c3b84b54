"""`twin keys create --role gateway|admin`, `twin keys list`, `twin keys revoke ID`."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.table import Table

from api.cli.common import DbOption, JsonOption, engine_for, guarded, out, print_json

__all__ = ["keys_app"]

keys_app = typer.Typer(help="API keys for gateways and administrators.", no_args_is_help=True)


@keys_app.command("create")
@guarded
def create_command(
    role: Annotated[str, typer.Option(help="gateway (readings, sensors) or admin (all writes).")],
    db: DbOption = None,
) -> None:
    """Make a key; it is printed once, alone on the last line, and stored only hashed."""
    from layers.keys import create_key

    token = create_key(engine_for(db), role)
    out.print(f"new {role} key (shown once; the twin keeps only its hash):", highlight=False)
    sys.stdout.flush()
    sys.stdout.write(token + "\n")


@keys_app.command("list")
@guarded
def list_command(db: DbOption = None, as_json: JsonOption = False) -> None:
    """Every key's id, role and dates (the keys themselves are not stored)."""
    from layers.keys import list_keys

    keys = list_keys(engine_for(db))
    if as_json:
        print_json(keys)
        return
    table = Table()
    for column in ("key id", "role", "created", "revoked"):
        table.add_column(column)
    for key in keys:
        table.add_row(key["key_id"], key["role"], key["created_at"], key["revoked_at"] or "")
    out.print(table)


@keys_app.command("revoke")
@guarded
def revoke_command(
    key_id: Annotated[str, typer.Argument(metavar="KEY_ID", help="From `twin keys list`.")],
    db: DbOption = None,
) -> None:
    """Revoke a key; requests with it are refused from now on."""
    from layers.keys import revoke_key

    revoke_key(engine_for(db), key_id)
    out.print(f"key {key_id} revoked", highlight=False)
