"""`twin alarms evaluate`: judges what no worker has judged yet, once."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from api.cli.main import app as cli
from layers import alarms
from layers.ingest import ingest_readings
from layers.sensors import SensorCreate, register_sensor
from tests.campus_stores import copy_store
from twin.store import open_store

A101 = "DX01-B01-F01-001C"


def test_evaluate_judges_pending_readings_once(campus_db: Path, tmp_path: Path) -> None:
    db = copy_store(campus_db, tmp_path)
    engine = open_store(str(db))
    register_sensor(engine, SensorCreate(id="smoke-1", kind="smoke", room_code=A101))
    items = [
        {"sensor": "smoke-1", "ts": "2026-03-01T08:00:00Z", "value": True},
        {"sensor": "smoke-1", "ts": "2026-03-01T08:01:00Z", "value": False},
    ]
    ingest_readings(engine, items, "http")
    assert alarms.list_alarms(engine) == []  # no worker watches this store
    first = CliRunner().invoke(cli, ["alarms", "evaluate", "--json", "--db", str(db)])
    assert first.exit_code == 0, first.output
    assert json.loads(first.stdout) == {"evaluated": 2, "alarms_changed": 2}
    assert [(a["rule"], a["state"]) for a in alarms.list_alarms(engine)] == [
        ("smoke.on", "cleared")
    ]
    again = CliRunner().invoke(cli, ["alarms", "evaluate", "--db", str(db)])
    assert again.exit_code == 0 and "judged 0 reading(s)" in again.stdout
    alarms.settle(engine, timeout_s=1)  # nothing left behind
    engine.dispose()
