"""`twin wo open|assign|start|comment|close|reopen|list|show`: work orders from the shell.

The command line works on the store directly, with no key: who makes a change is
`--by` (default: the login name), recorded with `via = "cli"`.
"""

from __future__ import annotations

import getpass
from collections.abc import Callable
from typing import Annotated, Any

import typer
from rich.table import Table

from api.cli.common import DbOption, JsonOption, engine_for, guarded, out, print_json

__all__ = ["wo_app"]

wo_app = typer.Typer(
    help="Work orders against rooms and elements: open, assign, close, list.",
    no_args_is_help=True,
)

IdArgument = Annotated[int, typer.Argument(metavar="ID", help="The work order's id.")]
ByOption = Annotated[
    str | None, typer.Option("--by", help="Who makes the change (default: your login name).")
]


def _actor(by: str | None) -> Any:
    from twin.workorders import Actor

    if by is None:
        try:
            by = getpass.getuser()
        except (OSError, KeyError):  # no login name in this environment
            by = "unknown"
    return Actor(by, "cli")


def _target(order: dict[str, Any]) -> str:
    return str(order["room_code"] or order["element_id"] or "")


def _print_order(order: dict[str, Any], as_json: bool, history: bool = True) -> None:
    if as_json:
        print_json(order)
        return
    assignee = f", assigned to {order['assignee']}" if order["assignee"] else ""
    alarm = f", from alarm {order['alarm_id']}" if order["alarm_id"] else ""
    out.print(
        f"work order {order['work_order_id']} · {order['state']} · {order['priority']}{assignee}",
        highlight=False,
    )
    out.print(f"{order['title']} — {_target(order)}{alarm}", highlight=False)
    if order["description"]:
        out.print(order["description"], highlight=False)
    if not history:
        return
    table = Table()
    for column in ("at", "event", "by", "via", "state", "assignee", "note"):
        table.add_column(column)
    for event in order["history"]:
        table.add_row(
            event["at"],
            event["event"],
            event["by"],
            event["via"],
            event["state"],
            event["assignee"] or "",
            event["note"] or "",
        )
    out.print(table)


@wo_app.command("open")
@guarded
def open_command(
    target: Annotated[
        str | None,
        typer.Argument(
            metavar="ROOM_OR_ELEMENT",
            help="A room code or an element id; may be left out with --from-alarm.",
        ),
    ] = None,
    title: Annotated[
        str | None, typer.Option(help="What is to be done (default with --from-alarm: its text).")
    ] = None,
    from_alarm: Annotated[
        int | None, typer.Option("--from-alarm", metavar="ID", help="Open it from this alarm.")
    ] = None,
    description: Annotated[str, typer.Option(help="More detail.")] = "",
    priority: Annotated[str, typer.Option(help="low, normal, high or urgent.")] = "normal",
    by: ByOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Open a work order against a room or element, by hand or from an alarm."""
    from twin.workorders import open_work_order, split_target

    room_code, element_id = split_target(target) if target else (None, None)
    order = open_work_order(
        engine_for(db),
        _actor(by),
        title=title,
        room_code=room_code,
        element_id=element_id,
        alarm_id=from_alarm,
        description=description,
        priority=priority.strip().lower(),
    )
    _print_order(order, as_json, history=False)


@wo_app.command("assign")
@guarded
def assign_command(
    work_order_id: IdArgument,
    who: Annotated[str, typer.Argument(metavar="WHO", help="Who does the work.")],
    by: ByOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Assign (or hand over) an order that is not closed."""
    from twin.workorders import assign_work_order

    _print_order(assign_work_order(engine_for(db), work_order_id, who, _actor(by)), as_json)


@wo_app.command("start")
@guarded
def start_command(
    work_order_id: IdArgument, by: ByOption = None, db: DbOption = None, as_json: JsonOption = False
) -> None:
    """Mark an assigned order in progress."""
    from twin.workorders import start_work_order

    _print_order(start_work_order(engine_for(db), work_order_id, _actor(by)), as_json)


@wo_app.command("comment")
@guarded
def comment_command(
    work_order_id: IdArgument,
    text: Annotated[str, typer.Argument(metavar="TEXT", help="The comment.")],
    by: ByOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Add a comment; the state stays."""
    from twin.workorders import comment_work_order

    _print_order(comment_work_order(engine_for(db), work_order_id, text, _actor(by)), as_json)


NoteOption = Annotated[str, typer.Option("--note", help="Required: what was done, or why.")]


def _noted_command(action: str, summary: str) -> Callable[..., None]:
    """`twin wo close|reopen ID --note …`: the two changes that need a note."""

    @wo_app.command(action, help=summary)
    @guarded
    def command(
        work_order_id: IdArgument,
        note: NoteOption = "",
        by: ByOption = None,
        db: DbOption = None,
        as_json: JsonOption = False,
    ) -> None:
        from twin import workorders

        change = getattr(workorders, f"{action}_work_order")
        _print_order(change(engine_for(db), work_order_id, note, _actor(by)), as_json)

    return command


close_command = _noted_command("close", "Close an order; --note says what was done.")
reopen_command = _noted_command("reopen", "Reopen a closed order; --note says why.")


@wo_app.command("list")
@guarded
def list_command(
    room: Annotated[str | None, typer.Option(help="A room code.")] = None,
    building: Annotated[str | None, typer.Option(help="A building, e.g. WZ01-B01.")] = None,
    element: Annotated[str | None, typer.Option(help="An element id.")] = None,
    state: Annotated[
        str | None,
        typer.Option(help="open, assigned, in_progress, closed, or active (all but closed)."),
    ] = None,
    assignee: Annotated[str | None, typer.Option(help="Who it is assigned to.")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Work orders matching every filter given, newest first."""
    from twin.workorders import list_work_orders

    found = list_work_orders(
        engine_for(db),
        room=room,
        building=building,
        element=element,
        state=state,
        assignee=assignee,
    )
    if as_json:
        print_json(found)
        return
    table = Table()
    for column in ("id", "state", "priority", "room or element", "assignee", "title", "updated"):
        table.add_column(column)
    for order in found:
        table.add_row(
            str(order["work_order_id"]),
            order["state"],
            order["priority"],
            _target(order),
            order["assignee"] or "",
            order["title"],
            order["updated_at"],
        )
    out.print(table)


@wo_app.command("show")
@guarded
def show_command(
    work_order_id: IdArgument, db: DbOption = None, as_json: JsonOption = False
) -> None:
    """One work order with its whole history."""
    from twin.workorders import work_order_detail

    _print_order(work_order_detail(engine_for(db), work_order_id), as_json)
