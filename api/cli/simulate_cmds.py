"""`twin simulate setup` (register a campus's sensors) and `twin simulate` (feed them live)."""

from __future__ import annotations

from typing import Annotated

import typer

from api.cli.common import DbOption, JsonOption, engine_for, err, guarded, out, print_json

__all__ = ["simulate_app"]

simulate_app = typer.Typer(
    help="Synthetic, realistic readings for every room, sent to a running twin.",
    invoke_without_command=True,
)


@simulate_app.command("setup")
@guarded
def setup_command(db: DbOption = None, as_json: JsonOption = False) -> None:
    """Register a temperature and presence sensor per room, people counters in meeting
    rooms, meters per building, manhole covers and parking bays per site."""
    from layers.simulate import plan_sensors, register_plan

    engine = engine_for(db)
    plan = plan_sensors(engine)
    created = register_plan(engine, plan)
    if as_json:
        print_json({"planned": len(plan), "registered": created})
    else:
        out.print(f"{created} sensors registered ({len(plan) - created} already there)")


@simulate_app.callback()
@guarded
def simulate_command(
    ctx: typer.Context,
    sensors: Annotated[
        int | None, typer.Option(min=1, help="Feed only the first N registered sensors.")
    ] = None,
    rate: Annotated[float, typer.Option(min=0.1, help="Readings per second in all.")] = 20.0,
    mqtt: Annotated[
        bool, typer.Option("--mqtt/--http", help="Publish to the broker, or POST (default).")
    ] = False,
    url: Annotated[
        str | None,
        typer.Option(help="The twin (http://127.0.0.1:8000) or broker (mqtt://127.0.0.1:1883)."),
    ] = None,
    key: Annotated[
        str | None, typer.Option(envvar="TWIN_KEY", help="A gateway key ($TWIN_KEY).")
    ] = None,
    duration: Annotated[
        float | None, typer.Option(min=0, help="Seconds to run (default: until Ctrl-C).")
    ] = None,
    seed: Annotated[int, typer.Option(help="The same seed gives the same streams.")] = 0,
    utc_offset: Annotated[
        float, typer.Option(help="The campus's clock, hours from UTC (working hours, sun).")
    ] = 8.0,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Send readings of the store's sensors to a running `twin serve`, over HTTP or MQTT."""
    if ctx.invoked_subcommand is not None:
        return
    from layers.simulate import Simulator, load_streams
    from layers.simulate_feed import HttpSender, MqttSender, Sender, feed
    from models.errors import BadInput

    if not key:
        raise BadInput("a gateway key is needed: --key or $TWIN_KEY (`twin keys create`)")
    streams = load_streams(engine_for(db), sensors)
    if not streams:
        raise BadInput("no sensors to feed: run `twin simulate setup` first")
    sender: Sender
    if mqtt:
        sender = MqttSender(url or "mqtt://127.0.0.1:1883", key)
    else:
        sender = HttpSender(url or "http://127.0.0.1:8000", key)
    if not as_json:
        err.print(f"feeding {len(streams)} sensors, {rate:g} readings/s; Ctrl-C stops")
    try:
        totals = feed(Simulator(streams, seed, utc_offset_h=utc_offset), sender, rate, duration)
    except KeyboardInterrupt:
        totals = None
    finally:
        sender.close()
    if totals is not None:
        if as_json:
            print_json(dict(totals))
        else:
            out.print(", ".join(f"{k} {v}" for k, v in sorted(totals.items())))
