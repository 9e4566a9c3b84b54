"""`twin report utilisation` as a user runs it."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from layers.ingest import ingest_readings
from layers.sensors import SensorCreate, register_sensor
from tests.campus_stores import copy_store
from tests.processes import run_twin
from twin.store import open_store

A101 = "DX01-B01-F01-001C"


def test_report_utilisation(campus_db: Path, tmp_path: Path) -> None:
    db = copy_store(campus_db, tmp_path)
    engine = open_store(str(db))
    register_sensor(engine, SensorCreate(id="occ-1", kind="occupancy", room_code=A101))
    ingest_readings(
        engine,
        [
            {
                "sensor": "occ-1",
                "ts": (datetime.now(UTC) - timedelta(days=40)).isoformat(),
                "value": 1,
            }
        ],
        "http",
    )
    engine.dispose()
    shown = run_twin("report", "utilisation", "--since", "30d", "--by", "building", db=db)
    assert shown.returncode == 0, shown.stderr
    assert "DX01-B01" in shown.stdout and "idle below 10 %: DX01-B01-F01-001C" in shown.stdout
    as_json = run_twin("report", "utilisation", "--json", db=db)
    report = json.loads(as_json.stdout)
    assert report["by"] == "room" and report["working_hours"]["time_zone"] == "Asia/Shanghai"
    idle = {r["room_code"]: r["status"] for r in report["idle"]}
    assert idle[A101] == "idle" and set(idle.values()) == {"idle", "unknown"}
    bad = run_twin("report", "utilisation", "--since", "last month", db=db)
    assert bad.returncode == 2 and "since" in bad.stderr
