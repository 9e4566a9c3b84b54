"""`twin serve` (the API and the 3D page under uvicorn) and `twin labels` (door labels, PDF)."""

from __future__ import annotations

import copy
import logging
from pathlib import Path
from typing import Annotated, Any

import typer

from api.cli.common import DbOption, JsonOption, guarded, out, print_json

__all__ = ["labels_command", "serve_command"]

logger = logging.getLogger("twin.api")


def _settings(db: str | None) -> Any:
    from api.settings import Settings

    return Settings(database_url=db) if db else Settings()


def _log_config() -> dict[str, Any]:
    """uvicorn's logging set-up, with the twin's own messages in the same format."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["loggers"]["twin"] = {"handlers": ["default"], "level": "INFO", "propagate": False}
    return config


def _where(host: str, port: int) -> str:
    if host in ("0.0.0.0", "::"):
        return f"all interfaces, port {port}: open http://<this machine's address>:{port}/"
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/"


def _loopback(host: str) -> bool:
    import ipaddress

    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _mqtt_settings(
    settings: Any,
    host: str | None,
    port: int | None,
    user: str | None,
    password: str | None,
    own_broker: bool,
) -> None:
    """Command-line MQTT options over the `TWIN_MQTT_*` settings."""
    given = {"mqtt_host": host, "mqtt_port": port, "mqtt_user": user, "mqtt_password": password}
    for name, value in given.items():
        if value is not None:
            setattr(settings, name, value)
    if own_broker:
        settings.mqtt_own_broker = True


@guarded
def serve_command(
    host: Annotated[str, typer.Option(help="Address to listen on; 0.0.0.0 for every one.")] = (
        "127.0.0.1"
    ),
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    db: DbOption = None,
    mqtt_host: Annotated[
        str | None, typer.Option(help="MQTT broker to take readings from ($TWIN_MQTT_HOST).")
    ] = None,
    mqtt_port: Annotated[
        int | None, typer.Option(min=0, max=65535, help="Its port (default 1883).")
    ] = None,
    mqtt_user: Annotated[str | None, typer.Option(help="The app's MQTT login.")] = None,
    mqtt_password: Annotated[str | None, typer.Option(help="Its password.")] = None,
    own_broker: Annotated[
        bool,
        typer.Option(
            "--own-broker",
            help="Start a mosquitto on loopback (--mqtt-port, 0 = any free port) whose"
            " logins follow the gateway keys.",
        ),
    ] = False,
    access_log: Annotated[
        bool,
        typer.Option(
            "--access-log/--no-access-log",
            help="Log one line per request (off by default: at ingest rates it costs"
            " more than the request).",
        ),
    ] = False,
) -> None:
    """Serve the 3D campus page and the API (docs at /docs) with uvicorn."""
    import logging.config

    import uvicorn
    from sqlalchemy.engine import make_url

    from api.app import create_app
    from twin.rooms import campus_info

    settings = _settings(db)
    _mqtt_settings(settings, mqtt_host, mqtt_port, mqtt_user, mqtt_password, own_broker)
    if not _loopback(host):
        # Anyone on the network could read the campus: reads need a key too.
        settings.keys_for_reads = True
    log_config = _log_config()
    logging.config.dictConfig(log_config)
    app = create_app(settings)
    info = campus_info(app.state.engine)
    store = make_url(app.state.engine.url).render_as_string(hide_password=True)
    rooms = sum(b["rooms"] for b in info)
    logger.info(
        "store %s: %d building%s, %d room%s%s",
        store,
        len(info),
        "" if len(info) == 1 else "s",
        rooms,
        "" if rooms == 1 else "s",
        "" if info else " (empty: `twin import` some IFC files first)",
    )
    if app.state.web_dir is None:
        logger.warning("web client not built: `/` says how to build it; the API works")
    else:
        logger.info("web client from %s", app.state.web_dir)
    if settings.keys_for_reads:
        logger.info("reads need a key (`twin keys create`): not serving on loopback only")
    logger.info("Campus Twin listening on %s (API docs at /docs)", _where(host, port))
    # uvloop and httptools (uvicorn[standard]) named, not left to "auto": without them
    # the server is several times slower per request, and should say so at start.
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_config=log_config,
        loop="uvloop",
        http="httptools",
        access_log=access_log,
    )


@guarded
def labels_command(
    out_file: Annotated[Path, typer.Argument(metavar="OUT.pdf", help="Where to write the PDF.")],
    building: Annotated[str, typer.Option(help="Building, e.g. WZ01-B01.")],
    base_url: Annotated[
        str | None,
        typer.Option(
            "--base-url",
            help="Address people reach the twin at (default: $TWIN_PUBLIC_BASE_URL).",
        ),
    ] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Door labels: one per room, its code in large type and a QR code opening the 3D page."""
    from models.errors import BadInput
    from twin.rooms import resolve_building_code
    from twin.store import open_store
    from viewer.labels import labels_pdf, room_labels

    if not out_file.parent.is_dir():
        raise BadInput(f"folder {out_file.parent} does not exist")
    base = base_url or _settings(db).base_url
    engine = open_store(db)
    code = resolve_building_code(engine, building)
    labels = room_labels(engine, code, base)
    out_file.write_bytes(labels_pdf(labels, title=f"Door labels {code}"))
    if as_json:
        print_json(
            {"file": str(out_file), "building_code": code, "labels": [x.url for x in labels]}
        )
        return
    link = labels[0].url.rsplit("=", 1)[0]
    out.print(f"{out_file}: {len(labels)} door labels for {code}, linking to {link}=CODE")
