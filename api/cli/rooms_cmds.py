"""`twin info`, `twin rooms`, `twin room CODE` and `twin set room CODE`."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table

from api.cli.common import DbOption, JsonOption, engine_for, guarded, out, print_json

__all__ = ["info_command", "room_command", "rooms_command", "set_app"]

set_app = typer.Typer(help="Local edits that survive every re-import.", no_args_is_help=True)


@guarded
def info_command(db: DbOption = None, as_json: JsonOption = False) -> None:
    """Counts per site and building."""
    from twin.rooms import campus_info

    info = campus_info(engine_for(db))
    if as_json:
        print_json(info)
        return
    table = Table(title="campus")
    for column in (
        "site",
        "building",
        "name",
        "storeys",
        "rooms",
        "retired",
        "area m²",
        "segments",
    ):
        table.add_column(
            column,
            justify="right"
            if column in ("storeys", "rooms", "retired", "area m²", "segments")
            else "left",
        )
    for b in info:
        segments = sum(v for k, v in b["elements"].items() if k.endswith("_segment"))
        table.add_row(
            b["site_code"],
            b["building_code"],
            b["name"],
            str(b["storeys"]),
            str(b["rooms"]),
            str(b["retired_rooms"]),
            f"{b['net_floor_area_m2']:.1f}",
            str(segments),
        )
    out.print(table)


@guarded
def rooms_command(
    building: Annotated[str | None, typer.Option(help="Building, e.g. WZ01-B01.")] = None,
    storey: Annotated[str | None, typer.Option(help="Storey, e.g. F02.")] = None,
    usage: Annotated[str | None, typer.Option(help="Usage category, e.g. office.")] = None,
    retired: Annotated[bool, typer.Option("--retired", help="Include retired rooms.")] = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """List rooms: code, name, usage, storey, net floor area, height."""
    from twin.rooms import list_rooms

    rooms = list_rooms(
        engine_for(db), building=building, storey=storey, usage=usage, retired=retired
    )
    if as_json:
        print_json(rooms)
        return
    table = Table()
    for column in ("room code", "name", "usage", "storey", "area m²", "height m"):
        table.add_column(
            column, justify="right" if column.endswith("m²") or column.endswith(" m") else "left"
        )
    for room in rooms:
        name = " ".join(filter(None, (room["name"], room["long_name"])))
        code = room["room_code"] + (" (retired)" if room["status"] != "active" else "")
        table.add_row(
            code,
            name,
            room["usage"],
            room["storey"],
            _num(room["net_floor_area_m2"]),
            _num(room["height_m"]),
        )
    out.print(table)
    out.print(f"{len(rooms)} rooms", highlight=False)


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


@guarded
def room_command(
    code: Annotated[str, typer.Argument(metavar="CODE", help="Room code, e.g. WZ01-B01-F02-003K.")],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """One room: identity, area, volume, storey, neighbours, services through it."""
    from twin.rooms import room_detail

    detail = room_detail(engine_for(db), code)
    if as_json:
        print_json(detail)
        return
    _print_room(detail)


def _print_room(room: dict[str, Any]) -> None:
    out.print(
        f"[bold]{room['room_code']}[/bold]  {room['name']} {room['long_name'] or ''}",
        highlight=False,
    )
    lines = [
        ("usage", room["usage"]),
        ("department", room["department"]),
        ("capacity", room["capacity"]),
        (
            "storey",
            f"{room['storey']} ({room['storey_name']}, elevation {room['storey_elevation_m']} m)",
        ),
        ("net floor area", f"{_num(room['net_floor_area_m2'])} m² ({room['area_source']})"),
        ("height", f"{_num(room['height_m'])} m"),
        ("volume", f"{_num(room['volume_m3'])} m³"),
        ("status", room["status"]),
        ("GlobalId", room["global_id"]),
        ("source file", room["source_file"]),
        (
            "neighbours",
            ", ".join(f"{n['room_code']} ({n['via']})" for n in room["neighbours"]) or "none",
        ),
    ]
    for label, value in lines:
        if value is not None:
            out.print(f"  {label:15} {value}", highlight=False)
    if room["services"]:
        table = Table(title="services through the room")
        for column in ("element id", "kind", "system", "medium", "Ø m", "where", "length m"):
            table.add_column(column)
        for s in room["services"]:
            table.add_row(
                s["element_id"],
                s["kind"],
                s["system"] or "",
                s["medium"] or "",
                _num(s["outer_diameter_m"]),
                s["where"],
                _num(s["length_m"]),
            )
        out.print(table)
    else:
        out.print("  no modelled services run through this room", highlight=False)


@set_app.command("room")
@guarded
def set_room_command(
    code: Annotated[str, typer.Argument(metavar="CODE")],
    usage: Annotated[str | None, typer.Option(help="Usage category.")] = None,
    name: Annotated[str | None, typer.Option(help="Room name.")] = None,
    long_name: Annotated[str | None, typer.Option("--long-name", help="Long name.")] = None,
    department: Annotated[str | None, typer.Option(help="Department.")] = None,
    capacity: Annotated[int | None, typer.Option(help="Work places.")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Edit a room locally; the edit survives every later re-import."""
    from models.errors import BadInput
    from twin.rooms import set_room

    changes = {
        key: value
        for key, value in (
            ("usage", usage),
            ("name", name),
            ("long_name", long_name),
            ("department", department),
            ("capacity", capacity),
        )
        if value is not None
    }
    if not changes:
        raise BadInput(
            "nothing to set: give --usage, --name, --long-name, --department or --capacity"
        )
    detail = set_room(engine_for(db), code, changes)
    if as_json:
        print_json(detail)
        return
    _print_room(detail)
