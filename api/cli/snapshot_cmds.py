"""`twin snapshot --building B [--storey F02] --colour usage OUT.png`: a picture with a legend."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from api.cli.common import DbOption, guarded, out
from models.errors import BadInput

__all__ = ["snapshot_command"]


@guarded
def snapshot_command(
    output: Annotated[
        Path, typer.Argument(help="PNG file to write.", dir_okay=False, metavar="OUT.png")
    ],
    building: Annotated[str, typer.Option(help="Building, e.g. WZ01-B01.")],
    storey: Annotated[
        str | None,
        typer.Option(help="Storey, e.g. F02; the storeys above are hidden. Default: all."),
    ] = None,
    colour: Annotated[
        str, typer.Option("--colour", help="Colour mode: usage, department, area.")
    ] = "usage",
    db: DbOption = None,
) -> None:
    """Draw a building or one storey off-screen, rooms coloured by a mode, with a legend."""
    from twin.store import open_store
    from viewer.snapshot import SNAPSHOT_SIZE_PX, render_snapshot

    if not output.parent.is_dir():
        raise BadInput(f"folder {str(output.parent)!r} does not exist; create it first")
    engine = open_store(db)
    try:
        png = render_snapshot(engine, building, storey, colour)
    finally:
        engine.dispose()
    output.write_bytes(png)
    width, height = SNAPSHOT_SIZE_PX
    out.print(f"wrote {output} ({width}×{height} px, {len(png) // 1024} kB)", highlight=False)
