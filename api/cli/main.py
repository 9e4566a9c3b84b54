"""The `twin` command: assembles the command groups."""

from __future__ import annotations

import typer

from api.cli.alarms_cmds import alarms_app
from api.cli.geo_cmds import export_app, sites_command, utilities_app
from api.cli.keys_cmds import keys_app
from api.cli.maintenance_cmds import drill_check_command, pipes_command
from api.cli.models_cmds import import_command, sample_command
from api.cli.network_cmds import check_network_command, isolate_command, trace_command
from api.cli.org_cmds import lifecycle_command, org_app, warnings_command
from api.cli.portfolio_cmds import sample_portfolio_command
from api.cli.report_cmds import report_app
from api.cli.rooms_cmds import info_command, room_command, rooms_command, set_app
from api.cli.scenario_cmds import scenario_app
from api.cli.sensors_cmds import sensors_app
from api.cli.serve_cmds import labels_command, serve_command
from api.cli.simulate_cmds import simulate_app
from api.cli.snapshot_cmds import snapshot_command
from api.cli.wo_cmds import wo_app

__all__ = ["app", "main"]

app = typer.Typer(
    name="twin",
    help="Campus Twin: IFC models to a graph of rooms and pipes, one stable code per room.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.command("sample")(sample_command)
app.command("import")(import_command)
app.command("sample-portfolio")(sample_portfolio_command)
app.command("info")(info_command)
app.command("rooms")(rooms_command)
app.command("room")(room_command)
app.add_typer(set_app, name="set")
app.command("serve")(serve_command)
app.command("labels")(labels_command)
app.command("snapshot")(snapshot_command)
app.add_typer(sensors_app, name="sensors")
app.add_typer(keys_app, name="keys")
app.add_typer(alarms_app, name="alarms")
app.add_typer(report_app, name="report")
app.add_typer(simulate_app, name="simulate")
app.add_typer(wo_app, name="wo")
app.command("sites")(sites_command)
app.add_typer(export_app, name="export")
app.add_typer(utilities_app, name="utilities")
app.command("pipes")(pipes_command)
app.command("drill-check")(drill_check_command)
app.add_typer(org_app, name="org")
app.command("warnings")(warnings_command)
app.command("lifecycle")(lifecycle_command)
app.command("trace")(trace_command)
app.command("isolate")(isolate_command)
app.command("check-network")(check_network_command)
app.add_typer(scenario_app, name="scenario")


def main() -> None:
    app()
