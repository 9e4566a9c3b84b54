"""`twin scenario run FILE | list | show ID | compare ID… | export ID OUT.csv | apply ID`."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from api.cli.common import DbOption, JsonOption, engine_for, guarded, out, print_json

__all__ = ["scenario_app"]

scenario_app = typer.Typer(
    help="Reallocation scenarios: plan with CP-SAT, compare, export the moves, apply.",
    no_args_is_help=True,
)

IdArgument = Annotated[int, typer.Argument(metavar="ID", help="Scenario number (see list).")]
ByOption = Annotated[str | None, typer.Option("--by", help="Who (default: your login).")]
KPI_ROWS = (
    ("staff", "staff"),
    ("seated", "seated"),
    ("area_per_person_m2", "m² per person"),
    ("over_standard_rooms", "rooms over standard"),
    ("over_standard_m2", "m² over standard"),
    ("vacant_rooms", "vacant rooms"),
    ("vacancy_rate", "vacancy rate"),
    ("moves", "moves"),
    ("departments_split", "departments split over storeys"),
    ("storeys_per_department", "storeys per department"),
)
SHOWN_MOVES = 20


def _figures(item: dict[str, Any]) -> str:
    bound = "—" if item["lower_bound"] is None else f"{item['lower_bound']:g}"
    gap = "—" if item["gap"] is None else f"{item['gap']:.1%}"
    return (
        f"{item['status']}, objective {item['objective']:g}, lower bound {bound}, gap {gap}, "
        f"{item['moves'] if isinstance(item['moves'], int) else len(item['moves'])} moves"
    )


def _print_detail(detail: dict[str, Any]) -> None:
    out.print(f"[bold]scenario {detail['scenario_id']}[/bold] {detail['name']}")
    out.print(_figures(detail), highlight=False)
    for shortage in detail["shortages"]:
        out.print(f"[red]{shortage['message']}[/red]", highlight=False)
    table = Table(title="KPIs")
    for column in ("", "before", "after"):
        table.add_column(column, justify="left" if not column else "right")
    for key, label in KPI_ROWS:
        table.add_row(label, f"{detail['kpis_before'][key]:g}", f"{detail['kpis_after'][key]:g}")
    out.print(table)
    moves = detail["moves"]
    if moves:
        listed = Table(title=f"moves ({len(moves)})")
        for column in ("staff", "department", "rank", "from", "to"):
            listed.add_column(column)
        for move in moves[:SHOWN_MOVES]:
            listed.add_row(
                move["staff_id"],
                move["department"],
                move["rank"],
                move["from_room"] or "(no seat)",
                move["to_room"] or "(no seat)",
            )
        out.print(listed)
        if len(moves) > SHOWN_MOVES:
            out.print(f"… and {len(moves) - SHOWN_MOVES} more: `twin scenario export`")


@scenario_app.command("run")
@guarded
def run_command(
    path: Annotated[Path, typer.Argument(metavar="FILE", help="Scenario, .toml or .json.")],
    site: Annotated[
        str | None, typer.Option("--site", help="Site code (default: every site).")
    ] = None,
    time_limit: Annotated[
        float, typer.Option("--time-limit", help="Solver seconds in all (plan and bound).")
    ] = 60.0,
    by: ByOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Plan a scenario file against the stored campus and save it."""
    from twin.planning.scenario import load_scenario
    from twin.planning.scenario_store import run_scenario

    scenario = load_scenario(path)
    engine = engine_for(db)
    if as_json:
        print_json(run_scenario(engine, scenario, site, time_limit, by=by or getpass.getuser()))
        return
    with out.status(f"planning {scenario.name!r} (up to {time_limit:g} s)…"):
        detail = run_scenario(engine, scenario, site, time_limit, by=by or getpass.getuser())
    _print_detail(detail)


@scenario_app.command("list")
@guarded
def list_command(db: DbOption = None, as_json: JsonOption = False) -> None:
    """Saved scenarios, newest first."""
    from twin.planning.scenario_store import list_scenarios

    items = list_scenarios(engine_for(db))
    if as_json:
        print_json(items)
        return
    table = Table()
    for column in ("id", "name", "site", "created", "status", "objective", "gap", "moves"):
        table.add_column(column)
    table.add_column("applied")
    for item in items:
        table.add_row(
            str(item["scenario_id"]),
            item["name"],
            item["site_code"] or "all",
            item["created_at"],
            item["status"],
            f"{item['objective']:g}",
            "—" if item["gap"] is None else f"{item['gap']:.1%}",
            str(item["moves"]),
            item["applied_at"] or "",
        )
    out.print(table)


@scenario_app.command("show")
@guarded
def show_command(scenario_id: IdArgument, db: DbOption = None, as_json: JsonOption = False) -> None:
    """One scenario: figures, KPIs before and after, shortages and moves."""
    from twin.planning.scenario_store import scenario_detail

    detail = scenario_detail(engine_for(db), scenario_id)
    if as_json:
        print_json(detail)
        return
    _print_detail(detail)


@scenario_app.command("compare")
@guarded
def compare_command(
    scenario_ids: Annotated[list[int], typer.Argument(metavar="ID…", help="Scenario numbers.")],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Scenarios side by side: objective, gap and KPIs after."""
    from twin.planning.scenario_store import compare_scenarios

    items = compare_scenarios(engine_for(db), scenario_ids)
    if as_json:
        print_json(items)
        return
    table = Table()
    table.add_column("")
    for item in items:
        table.add_column(f"{item['scenario_id']} {item['name']}", justify="right")
    table.add_row("status", *(item["status"] for item in items))
    table.add_row("objective", *(f"{item['objective']:g}" for item in items))
    table.add_row("gap", *("—" if i["gap"] is None else f"{i['gap']:.1%}" for i in items))
    for key, label in KPI_ROWS:
        table.add_row(label, *(f"{item['kpis_after'][key]:g}" for item in items))
    out.print(table)


@scenario_app.command("export")
@guarded
def export_command(
    scenario_id: IdArgument,
    target: Annotated[Path, typer.Argument(metavar="OUT.csv", help="Where to write the moves.")],
    db: DbOption = None,
) -> None:
    """Write the scenario's move list as CSV."""
    from models.errors import BadInput
    from twin.planning.scenario_store import scenario_moves_csv

    text = scenario_moves_csv(engine_for(db), scenario_id)
    try:
        target.write_text(text, encoding="utf-8")
    except OSError as error:
        raise BadInput(f"{target}: cannot write ({error.strerror})") from None
    out.print(f"wrote {text.count(chr(10)) - 1} moves to {target}", highlight=False)


@scenario_app.command("apply")
@guarded
def apply_command(
    scenario_id: IdArgument,
    why: Annotated[str, typer.Option("--why", help="Why the plan is applied (kept).")],
    by: ByOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Write the plan to the campus: seats, departments, new staff, lifecycle events."""
    from twin.planning.scenario_store import apply_scenario_plan

    done = apply_scenario_plan(engine_for(db), scenario_id, by=by or getpass.getuser(), why=why)
    if as_json:
        print_json(done)
        return
    out.print(
        f"applied scenario {scenario_id}: {done['staff_written']} staff, "
        f"{done['allocations_written']} allocations, {done['lifecycle_events']} lifecycle events",
        highlight=False,
    )
