"""`twin sample` and `twin import`: write the sample campus, import IFC files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from api.cli.common import DbOption, JsonOption, err, guarded, out, print_json

__all__ = ["import_command", "sample_command"]


@guarded
def sample_command(
    out_file: Annotated[Path, typer.Argument(metavar="OUT.ifc", help="Where to write the campus.")],
    buildings: Annotated[int, typer.Option(help="Number of buildings (20 for benchmarks).")] = 3,
    seed: Annotated[int, typer.Option(help="Seed: the same seed gives the same file.")] = 1,
    split: Annotated[
        bool,
        typer.Option(
            "--split", help="One architecture and one MEP file per building, plus a site file."
        ),
    ] = False,
) -> None:
    """Write the generated sample campus (and its answer file) as IFC4."""
    from bim_import.sample.campus import write_sample_campus
    from models.errors import BadInput

    try:
        files = write_sample_campus(out_file, buildings=buildings, seed=seed, split=split)
    except ValueError as exc:  # the generator's own check of --buildings (1 to 200)
        raise BadInput(f"--buildings: {exc}") from exc
    for path in files.ifc_files:
        out.print(str(path), highlight=False)
    err.print(f"answers: {files.answers}", highlight=False)


@guarded
def import_command(
    files: Annotated[list[Path], typer.Argument(metavar="FILE...", help="IFC files of one site.")],
    site: Annotated[str | None, typer.Option("--site", help="Site code, e.g. WZ01.")] = None,
    manifest: Annotated[
        Path | None, typer.Option("--manifest", help="Campus manifest (TOML) with pins.")
    ] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Import IFC2X3 / IFC4 / IFC4X3 files into the twin, all or nothing."""
    from models.codes import SITE_RE
    from models.errors import BadInput
    from twin.importer import import_models
    from twin.manifest import load_manifest
    from twin.store import open_store

    if site is not None and not SITE_RE.fullmatch(site):
        raise BadInput(f"invalid site code {site!r}: 2 to 8 upper-case letters/digits")
    loaded = load_manifest(manifest)
    engine = open_store(db)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    ) as progress:
        task = progress.add_task("importing", total=1.0)

        def report(stage: str, fraction: float) -> None:
            progress.update(task, description=stage, completed=fraction)

        summary = import_models(engine, files, site_code=site, manifest=loaded, progress=report)
    if as_json:
        print_json(summary.to_dict())
        return
    _print_summary(summary.to_dict())


def _print_summary(summary: dict[str, Any]) -> None:
    counts = summary["counts"]
    table = Table(title=f"site {summary['site_code']}: {', '.join(summary['buildings'])}")
    table.add_column("imported")
    table.add_column("count", justify="right")
    for key in (
        "buildings",
        "storeys",
        "rooms",
        "segments",
        "fittings",
        "valves",
        "terminals",
        "cables",
        "pumps",
        "systems",
        "declared_connections",
        "inferred_connections",
        "warnings",
    ):
        table.add_row(key.replace("_", " "), str(counts.get(key, 0)))
    out.print(table)
    for warning in summary["warnings"][:20]:
        err.print(f"[yellow]warning:[/yellow] {warning}", highlight=False, soft_wrap=True)
    if len(summary["warnings"]) > 20:
        err.print(f"… and {len(summary['warnings']) - 20} more warnings (use --json to see all)")
    if summary["unclassified_rooms"]:
        out.print(
            f"unclassified rooms ({len(summary['unclassified_rooms'])}): "
            + "; ".join(summary["unclassified_rooms"]),
            highlight=False,
        )
    if summary["reimport"]:
        changes = summary["changes"]
        out.print(
            f"changes: {len(changes['added'])} rooms added, {len(changes['retired'])} retired, "
            f"{len(changes['renamed'])} renamed, {len(changes['area_changed'])} area changed",
            highlight=False,
        )
        for code in changes["added"]:
            out.print(f"  + {code}", highlight=False)
        for code in changes["retired"]:
            out.print(f"  - {code} (retired)", highlight=False)
        for item in changes["renamed"]:
            out.print(f"  ~ {item['room_code']}: {item['old']} → {item['new']}", highlight=False)
        for item in changes["area_changed"]:
            out.print(
                f"  ~ {item['room_code']}: {item['old_m2']} m² → {item['new_m2']} m²",
                highlight=False,
            )
