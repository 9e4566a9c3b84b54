"""`twin org …` (level, departments, staff, CSV import, sample), `twin warnings`, `lifecycle`."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from api.cli.common import DbOption, JsonOption, engine_for, guarded, out, print_json

__all__ = ["lifecycle_command", "org_app", "warnings_command"]

org_app = typer.Typer(
    help="Who sits where: standards level, departments, staff, room allocations.",
    no_args_is_help=True,
)

ByOption = Annotated[
    str | None, typer.Option("--by", help="Who makes the change (default: your login).")
]


def _by(by: str | None) -> str:
    return by or getpass.getuser()


@org_app.command("level")
@guarded
def level_command(
    site: Annotated[str, typer.Argument(metavar="SITE", help="Site code, e.g. WZ01.")],
    level: Annotated[
        str | None,
        typer.Argument(metavar="[LEVEL]", help="central, provincial, municipal or county."),
    ] = None,
    standards: Annotated[
        Path | None, typer.Option("--standards", help="The site's own standards TOML.")
    ] = None,
    by: ByOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show the site's standards level, or choose it (with its own overrides)."""
    from models.errors import BadInput
    from twin.planning.org import set_site_level, site_standards_info

    engine = engine_for(db)
    if level is None:
        if standards is not None:
            raise BadInput("--standards needs a LEVEL")
        info = site_standards_info(engine, site)
    else:
        text = None
        if standards is not None:
            if not standards.is_file():
                raise BadInput(f"{standards}: no such file")
            text = standards.read_text(encoding="utf-8")
        info = set_site_level(engine, site, level, text, by=_by(by))
    if as_json:
        print_json(info)
        return
    out.print(f"[bold]{info['site_code']}[/bold] level: {info['level'] or 'not set'}")
    table = Table()
    for column in ("rank", "name", "label", "m² per person"):
        table.add_column(column, justify="right" if column.startswith("m²") else "left")
    for rank in info["ranks"]:
        table.add_row(rank["rank"], rank["name"], rank["label"], f"{rank['area_m2']:g}")
    out.print(table)


@org_app.command("import")
@guarded
def import_command(
    paths: Annotated[
        list[Path], typer.Argument(metavar="FILE_OR_FOLDER…", help="CSV files or folders.")
    ],
    kind: Annotated[
        str | None,
        typer.Option("--kind", help="departments, allocations or staff (default: file name)."),
    ] = None,
    by: ByOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Import departments, allocations and staff from CSV; nothing on any bad row."""
    from twin.planning.org import import_org_files

    written = import_org_files(engine_for(db), paths, kind=kind, by=_by(by))
    if as_json:
        print_json(written)
        return
    out.print(", ".join(f"{count} {name}" for name, count in written.items()) + " imported")


@org_app.command("sample")
@guarded
def sample_command(
    site: Annotated[str, typer.Option("--site", help="Site of the sample campus.")] = "WZ01",
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 1,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Load a seeded municipal organisation onto the imported sample campus."""
    from twin.planning.sample_org import write_sample_org

    written = write_sample_org(engine_for(db), site, seed=seed)
    if as_json:
        print_json(written)
        return
    out.print(
        f"{written['site_code']} ({written['level']}): {written['departments']} departments, "
        f"{written['staff']} staff ({written['seated']} seated), "
        f"{written['allocations']} rooms allocated, {written['idle_offices']} idle offices, "
        f"{written['lifecycle_events']} lifecycle events",
        highlight=False,
    )


@org_app.command("departments")
@guarded
def departments_command(
    site: Annotated[str | None, typer.Option("--site", help="Site code.")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Departments: parent, staff and allocated rooms."""
    from twin.planning.org import list_departments

    found = list_departments(engine_for(db), site)
    if as_json:
        print_json(found)
        return
    table = Table()
    for column in ("code", "name", "parent", "site", "staff", "rooms"):
        table.add_column(column, justify="right" if column in ("staff", "rooms") else "left")
    for d in found:
        table.add_row(
            d["department_code"],
            d["name"],
            d["parent_code"] or "",
            d["site_code"],
            str(d["staff"]),
            str(len(d["rooms"])),
        )
    out.print(table)


@org_app.command("staff")
@guarded
def staff_command(
    department: Annotated[str | None, typer.Option("--department", help="Department.")] = None,
    site: Annotated[str | None, typer.Option("--site", help="Site code.")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Staff: rank, department and seat."""
    from twin.planning.org import list_staff

    found = list_staff(engine_for(db), department, site)
    if as_json:
        print_json(found)
        return
    table = Table()
    for column in ("id", "name", "rank", "department", "room"):
        table.add_column(column)
    for s in found:
        table.add_row(
            s["staff_id"], s["name"], s["rank"], s["department_code"], s["room_code"] or ""
        )
    out.print(table)
    out.print(f"{len(found)} staff", highlight=False)


@guarded
def warnings_command(
    site: Annotated[str | None, typer.Option("--site", help="Site code.")] = None,
    kind: Annotated[
        list[str] | None,
        typer.Option(
            "--kind",
            help="over_standard, idle, lease_ending, rent_overdue, department_over_entitlement"
            " (repeatable).",
        ),
    ] = None,
    days: Annotated[
        int, typer.Option("--days", min=1, max=366, help="Utilisation over the last days.")
    ] = 28,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Planning warnings: over-standard and idle offices, departments over entitlement, leases."""
    from api.planning_service import warnings

    found = warnings(engine_for(db), site, kind, days)
    if as_json:
        print_json(found)
        return
    for warning in found:
        out.print(f"[bold]{warning['kind']:28}[/bold] {warning['message']}", highlight=False)
    out.print(f"{len(found)} warnings", highlight=False)


@guarded
def lifecycle_command(
    code: Annotated[str, typer.Argument(metavar="ROOM", help="Room code.")],
    event: Annotated[
        str | None,
        typer.Argument(
            metavar="[EVENT]",
            help="ownership, lease, rent_paid, maintenance or disposal; none: show the history.",
        ),
    ] = None,
    why: Annotated[str | None, typer.Option("--why", help="Why (required for an event).")] = None,
    ownership: Annotated[str | None, typer.Option(help="owned, leased or lent.")] = None,
    counterparty: Annotated[str | None, typer.Option(help="Landlord or borrower.")] = None,
    lease_start: Annotated[str | None, typer.Option(help="YYYY-MM-DD.")] = None,
    lease_end: Annotated[str | None, typer.Option(help="YYYY-MM-DD.")] = None,
    rent: Annotated[float | None, typer.Option(help="Rent per period.")] = None,
    rent_period: Annotated[str | None, typer.Option(help="month, quarter or year.")] = None,
    paid_until: Annotated[str | None, typer.Option(help="YYYY-MM-DD.")] = None,
    on: Annotated[str | None, typer.Option(help="Date of maintenance or disposal.")] = None,
    description: Annotated[str | None, typer.Option(help="What the maintenance was.")] = None,
    how: Annotated[str | None, typer.Option(help="How the room was disposed of.")] = None,
    by: ByOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """A room's lifecycle (一房一码): show it, or record one event with who and why."""
    from models.errors import BadInput
    from twin.planning.lifecycle import record_lifecycle_event, room_lifecycle

    engine = engine_for(db)
    fields: dict[str, Any] = {
        "ownership": ownership,
        "counterparty": counterparty,
        "lease_start": lease_start,
        "lease_end": lease_end,
        "rent_amount": rent,
        "rent_period": rent_period,
        "paid_until": paid_until,
        "on": on,
        "description": description,
        "how": how,
    }
    given = {k: v for k, v in fields.items() if v is not None}
    if event is None:
        if given or why:
            raise BadInput("options describe an event: give EVENT (e.g. lease) after the room")
        result = room_lifecycle(engine, code)
    else:
        result = record_lifecycle_event(engine, code, event, given, by=_by(by), why=why or "")
    if as_json:
        print_json(result)
        return
    state = {k: v for k, v in result["state"].items() if v is not None}
    out.print(f"[bold]{result['room_code']}[/bold]", highlight=False)
    for key, value in state.items():
        out.print(f"  {key:17} {value}", highlight=False)
    for e in result["events"]:
        detail = ", ".join(f"{k}={v}" for k, v in e["fields"].items())
        out.print(
            f"  {e['at']}  {e['event']:12} {detail}  — {e['by']}: {e['why']}", highlight=False
        )
