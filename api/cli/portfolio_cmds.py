"""`twin sample-portfolio`: a synthetic province portfolio of georeferenced sites in the store."""

from __future__ import annotations

from typing import Annotated

import typer

from api.cli.common import DbOption, JsonOption, engine_for, err, guarded, out, print_json

__all__ = ["sample_portfolio_command"]


@guarded
def sample_portfolio_command(
    sites: Annotated[int, typer.Option(help="Number of sites (700 for the map benchmark).")] = 700,
    seed: Annotated[int, typer.Option(help="Seed: the same seed gives the same portfolio.")] = 1,
    full_3d: Annotated[
        int,
        typer.Option(
            "--full-3d", help="Sites that get the whole 3-building sample campus (pipes too)."
        ),
    ] = 2,
    prefix: Annotated[str, typer.Option(help="Site codes are PREFIX0001, PREFIX0002, …")] = "PV",
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Write a synthetic province portfolio (sites, buildings, storeys, rooms) into the store."""
    from twin.portfolio import generate_portfolio

    engine = engine_for(db)
    try:
        summary = generate_portfolio(
            engine,
            sites=sites,
            seed=seed,
            full_3d=full_3d,
            prefix=prefix.strip().upper(),
            progress=None if as_json else lambda stage, _f: err.print(stage, highlight=False),
        )
    finally:
        engine.dispose()
    if as_json:
        print_json(summary.to_dict())
        return
    out.print(
        f"{summary.sites} sites, {summary.buildings} buildings, {summary.storeys} storeys, "
        f"{summary.rooms} rooms; full 3D: {', '.join(summary.full_3d_sites) or 'none'}",
        highlight=False,
    )
