"""`twin trace ID`, `twin isolate ID` and `twin check-network`: the service networks."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table

from api.cli.common import DbOption, JsonOption, engine_for, guarded, out, print_json

__all__ = ["check_network_command", "isolate_command", "trace_command"]

ElementArg = Annotated[str, typer.Argument(metavar="ID", help="Element id, e.g. WZ01-B01-E000421.")]


def _element_rows(title: str, elements: list[dict[str, Any]], extra: str | None = None) -> Table:
    table = Table(title=title)
    for column in ("element id", "kind", "name", "storey", *((extra,) if extra else ())):
        table.add_column(column)
    for e in elements:
        storey = e["storey_code"] or ("site" if not e["building_code"] else "")
        row = [e["element_id"], e["kind"], e["name"] or e["ifc_class"], storey]
        if extra:
            row.append(str(e[extra]))
        table.add_row(*row)
    return table


@guarded
def trace_command(
    element_id: ElementArg,
    direction: Annotated[
        str, typer.Option(help="upstream (to the source) or downstream (to every terminal).")
    ] = "upstream",
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Follow a service network from an element: up to its source or down to its terminals."""
    from twin.network.trace import trace

    found = trace(engine_for(db), element_id, direction)
    if as_json:
        print_json(found)
        return
    out.print(found["message"], highlight=False)
    elements = found["elements"]
    if direction.strip().lower() == "upstream":
        by_id = {e["element_id"]: e for e in elements}
        elements = [by_id[key] for key in found["path"]]
        out.print(_element_rows("path to the source", elements))
    else:
        out.print(_element_rows("downstream", elements, "distance"))
    if found["rooms"]:
        out.print(f"rooms passed: {', '.join(found['rooms'])}", highlight=False)


@guarded
def isolate_command(
    element_id: ElementArg,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """The valves to close for a leak on an element, and who loses service."""
    from twin.network.isolate import isolate

    found = isolate(engine_for(db), element_id)
    if as_json:
        print_json(found)
        return
    out.print(found["message"], highlight=False)
    for warning in found["warnings"]:
        out.print(f"[yellow]warning:[/yellow] {warning}", highlight=False)
    if found["valves"]:
        out.print(_element_rows("valves to close", found["valves"]))
    elif found["nearest_upstream_valve"]:
        out.print(
            f"nearest upstream valve: {found['nearest_upstream_valve']['element_id']}",
            highlight=False,
        )
    if found["rooms"]:
        out.print(
            f"{len(found['terminals'])} terminal(s) lose service in "
            f"{len(found['rooms'])} room(s): {', '.join(found['rooms'])}",
            highlight=False,
        )
    if found["buildings"]:
        out.print(f"buildings affected: {', '.join(found['buildings'])}", highlight=False)
    if found["sensors"]:
        out.print(
            f"sensors in those rooms: {', '.join(s['sensor_id'] for s in found['sensors'])}",
            highlight=False,
        )


@guarded
def check_network_command(
    site: Annotated[str | None, typer.Option(help="Site code, e.g. WZ01 (default: all).")] = None,
    repair: Annotated[
        bool, typer.Option("--repair", help="Add the connections geometry can infer.")
    ] = False,
    tolerance: Annotated[
        float, typer.Option(help="Snap tolerance in metres for inferring connections.")
    ] = 0.01,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Unconnected ports, dangling segments, elements in no system, inferred connections."""
    from twin.network.check import check_network, repair_network

    engine = engine_for(db)
    report = (repair_network if repair else check_network)(engine, site, tolerance)
    if as_json:
        print_json(report)
        return
    table = Table(title=f"service networks of {', '.join(report['sites']) or 'no site'}")
    table.add_column("finding")
    table.add_column("count", justify="right")
    for key, count in report["counts"].items():
        table.add_row(key.replace("_", " "), str(count))
    out.print(table)
    for port in report["unconnected_ports"][:20]:
        out.print(
            f"  unconnected port {port['port_id']} of {port['element_id']} "
            f"({port['flow_direction']})",
            highlight=False,
        )
    if repair:
        out.print(
            f"added {len(report['added'])} inferred connection(s) at {tolerance} m; "
            "declared connections untouched",
            highlight=False,
        )
    elif report["inferable_connections"]:
        out.print(
            f"{len(report['inferable_connections'])} connection(s) can be inferred at "
            f"{tolerance} m: run with --repair to add them",
            highlight=False,
        )
