"""`twin pipes ROOM` (hidden services of a room) and `twin drill-check ROOM` (before drilling)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

import typer
from rich.table import Table

from api.cli.common import DbOption, JsonOption, engine_for, guarded, out, print_json
from models.errors import BadInput

__all__ = ["drill_check_command", "pipes_command"]

RoomArgument = Annotated[
    str, typer.Argument(metavar="ROOM_CODE", help="Room code, e.g. WZ01-B01-F02-003K.")
]


def _triple(text: str, option: str) -> list[float]:
    parts = [p for p in text.replace(" ", "").split(",") if p]
    try:
        values = [float(p) for p in parts]
    except ValueError:
        values = []
    if len(values) != 3:
        raise BadInput(f"{option} must be three numbers x,y,z, not {text!r}")
    return values


def _num(value: float | None, digits: int = 2) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def _where_text(service: dict[str, Any]) -> str:
    position = service["position"]
    if position is None:
        return "position not worked out"
    height = position["height_above_floor_m"]
    level = f"{height:.2f} m above floor" if height >= 0 else f"{-height:.2f} m below floor"
    if service["where"] == "wall":
        behind = position["room_behind"] or "no room"
        end = position["from_wall_end"]
        return (
            f"{position['wall']} wall (behind it {behind}), "
            f"{position['depth_behind_face_m']:.2f} m deep, {level}, "
            f"{end['distance_m']:.2f} m from its {end['end']} end"
        )
    walls = ", ".join(f"{w['distance_m']:.2f} m from {w['wall']} wall" for w in position["walls"])
    return f"{level}, {walls}"


@guarded
def pipes_command(
    code: RoomArgument,
    where: Annotated[
        str, typer.Option("--where", help="ceiling, floor, wall or all (all three).")
    ] = "all",
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Pipes, ducts, cables and trays hidden in a room's ceiling void, floor and walls."""
    from twin.maintenance.hidden import hidden_services

    found = hidden_services(engine_for(db), code, where)
    if as_json:
        print_json(found)
        return
    out.print(f"[bold]{found['room_code']}[/bold]  hidden services ({where})", highlight=False)
    if not found["services"]:
        out.print("  no modelled service hidden here", highlight=False)
    else:
        _print_services(found["services"], {"where": lambda s: s["where"], "position": _where_text})
    _print_provenance(found)
    out.print(f"  compass: {found['compass']['convention']}", highlight=False)


def _print_services(
    services: list[dict[str, Any]], more: dict[str, Callable[[dict[str, Any]], str]]
) -> None:
    """One row per service: what it is, then the columns `more` adds."""
    table = Table()
    for column in ("element id", "kind", "system", "medium", "Ø m", *more):
        table.add_column(column)
    for s in services:
        table.add_row(
            s["element_id"],
            s["kind"],
            s["system"] or "",
            s["medium"] or "",
            _num(s["outer_diameter_m"], 3),
            *(cell(s) for cell in more.values()),
        )
    out.print(table)


def _print_provenance(found: dict[str, Any]) -> None:
    for model in found["models"]:
        out.print(
            f"  model {model['file_name']} imported {model['imported_at'] or '?'}",
            highlight=False,
        )
    out.print(f"  {found['notice']}", highlight=False)


@guarded
def drill_check_command(
    code: RoomArgument,
    point: Annotated[str, typer.Option("--point", help="Drill point x,y,z in site metres.")],
    direction: Annotated[
        str, typer.Option("--direction", help="Drill direction dx,dy,dz (into the surface).")
    ],
    depth: Annotated[float, typer.Option("--depth", help="Drill depth, metres.")] = 0.1,
    clearance: Annotated[
        float, typer.Option("--clearance", help="Clearance from each service's outside, metres.")
    ] = 0.05,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Modelled services within clearance of a drill path; it never says "safe"."""
    from twin.maintenance.near import drill_check

    found = drill_check(
        engine_for(db),
        code,
        _triple(point, "--point"),
        _triple(direction, "--direction"),
        depth_m=depth,
        clearance_m=clearance,
    )
    if as_json:
        print_json(found)
        return
    out.print(f"[bold]{found['room_code']}[/bold]  {found['message']}", highlight=False)
    if found["services"]:
        _print_services(
            found["services"],
            {
                "distance m": lambda s: _num(s["distance_m"], 3),
                "at depth m": lambda s: _num(s["along_m"], 3),
            },
        )
    _print_provenance(found)
