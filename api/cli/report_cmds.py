"""`twin report utilisation --since 30d [--by room|storey|building|department] [--json]`."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table

from api.cli.common import DbOption, JsonOption, guarded, out, print_json

__all__ = ["report_app"]

report_app = typer.Typer(help="Reports over the live layers.", no_args_is_help=True)


def _percent(share: float | None) -> str:
    return "unknown" if share is None else f"{share * 100:.1f} %"


@report_app.command("utilisation")
@guarded
def utilisation_command(
    since: Annotated[str, typer.Option(help="30d, 12h, 2w, or ISO 8601 with a zone.")] = "30d",
    by: Annotated[str, typer.Option(help="room, storey, building or department.")] = "room",
    period: Annotated[str, typer.Option(help="hour, day or week, in the JSON.")] = "week",
    threshold: Annotated[float, typer.Option(help="Idle below this share.")] = 0.10,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Share of working hours each room (or group) was occupied, peak people vs capacity,
    and the rooms idle below the threshold."""
    from layers.utilisation import idle_rooms, parse_since, utilisation
    from twin.store import open_store

    engine = open_store(db)
    start = parse_since(since)
    report: dict[str, Any] = utilisation(engine, start, by=by, period=period)
    idle = idle_rooms(engine, start, threshold=threshold)
    if as_json:
        print_json({**report, "idle": idle})
        return
    table = Table(title=f"Utilisation by {by} since {report['since']}")
    for column in (by, "rooms", "sensed", "utilisation", "peak people", "capacity"):
        table.add_column(column)
    for group in report["groups"]:
        table.add_row(
            group["key"],
            str(group["rooms"]),
            str(group["rooms_with_sensor"]),
            _percent(group["utilisation"]),
            "—" if group["peak_people"] is None else f"{group['peak_people']:g}",
            "—" if group["capacity"] is None else str(group["capacity"]),
        )
    out.print(table)
    idle_now = [r["room_code"] for r in idle if r["status"] == "idle"]
    unknown = sum(r["status"] == "unknown" for r in idle)
    out.print(
        f"{len(idle_now)} idle below {threshold * 100:g} %: {', '.join(idle_now) or 'none'}; "
        f"{unknown} without a presence or people sensor (unknown)",
        highlight=False,
    )
