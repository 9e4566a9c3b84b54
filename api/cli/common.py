"""What every command shares: the store option, JSON output, and turning errors into exits.

Bad input (`BadInput`) prints one red line on stderr and exits 2; any other fault
prints one line and exits 1. Nobody sees a traceback unless TWIN_DEBUG is set.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import sys
from collections.abc import Callable
from typing import Annotated, Any, ParamSpec, TypeVar

import typer
from rich.console import Console

from models.errors import BadInput, TwinError

__all__ = ["DbOption", "JsonOption", "engine_for", "err", "guarded", "out", "print_json"]

P = ParamSpec("P")
R = TypeVar("R")

out = Console()
err = Console(stderr=True)

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db", help="Store URL or SQLite path (default: $TWIN_DATABASE_URL, else ./twin.db)."
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print only JSON.")]


def engine_for(db: str | None) -> Any:
    """The store `--db` names (else `$TWIN_DATABASE_URL`, else ./twin.db), opened lazily."""
    from twin.store import open_store

    return open_store(db)


def print_json(value: Any) -> None:
    """Write `value` as JSON to stdout, nothing else."""
    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=2, default=str) + "\n")


def guarded(command: Callable[P, R]) -> Callable[P, R]:
    """Run a command, mapping bad input to exit 2 and internal faults to exit 1."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except BadInput as exc:
            err.print(f"[red]error:[/red] {exc}", highlight=False, markup=True, soft_wrap=True)
            raise typer.Exit(2) from None
        except (typer.Exit, typer.Abort, KeyboardInterrupt):
            raise
        except (TwinError, Exception) as exc:
            if os.environ.get("TWIN_DEBUG"):
                raise
            logging.getLogger("twin").debug("internal fault", exc_info=True)
            err.print(
                f"[red]internal error:[/red] {type(exc).__name__}: {exc}",
                highlight=False,
                soft_wrap=True,
            )
            raise typer.Exit(1) from None

    return wrapper
