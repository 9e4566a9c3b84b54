"""`twin simulate` against a real `twin serve`: over HTTP with a gateway key, over MQTT
through the served app's own mosquitto; what arrives is stored, with sensible values."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from layers.simulate import load_streams
from tests.layers.live_stores import duplex_copy, duplex_db
from tests.processes import free_port, run_twin, serve_twin
from twin.store import open_store
from twin.store import schema as t

__all__ = ["duplex_copy", "duplex_db"]


def _prepared(db: Path) -> str:
    """Register the simulated sensors and make a gateway key, as `make demo` does."""
    setup = run_twin("simulate", "setup", "--json", db=db)
    assert setup.returncode == 0, setup.stderr
    assert json.loads(setup.stdout)["registered"] > 0
    made = run_twin("keys", "create", "--role", "gateway", db=db)
    assert made.returncode == 0, made.stderr
    return made.stdout.strip().splitlines()[-1]


def _stored(db: Path) -> dict[str, list[float]]:
    engine = open_store(str(db))
    query = select(t.readings.c.sensor_id, t.sensors.c.kind, t.readings.c.value).join(
        t.sensors, t.sensors.c.sensor_id == t.readings.c.sensor_id
    )
    by_kind: dict[str, list[float]] = {}
    with engine.connect() as conn:
        for _sensor, kind, value in conn.execute(query):
            by_kind.setdefault(kind, []).append(value)
    engine.dispose()
    return by_kind


def _simulate(db: Path, *args: str) -> dict[str, int]:
    done = run_twin("simulate", "--seed", "7", "--rate", "100", "--json", *args, db=db)
    assert done.returncode == 0, done.stderr
    totals: dict[str, int] = json.loads(done.stdout)
    return totals


def test_simulated_readings_over_http_are_stored(duplex_copy: Path, tmp_path: Path) -> None:
    key = _prepared(duplex_copy)
    sensors = len(load_streams(open_store(str(duplex_copy))))
    with serve_twin(duplex_copy, tmp_path / "serve.log") as (base, _server):
        totals = _simulate(duplex_copy, "--url", base, "--key", key, "--duration", "2")
        stats = httpx.get(f"{base}/api/ingest/stats", timeout=5).json()["http"]
        wrong = run_twin(
            "simulate", "--url", base, "--key", "twin_nope", "--duration", "1", db=duplex_copy
        )
    # 100 a second for 2 s, at most one per sensor per half-second tick.
    assert 0.5 * min(200, 4 * sensors) <= totals["sent"] <= 200
    assert totals["stored"] == totals["sent"] == stats["stored"]
    assert stats["rejected"]["total"] == 0
    by_kind = _stored(duplex_copy)
    assert sum(map(len, by_kind.values())) == totals["stored"]
    assert all(15 < v < 30 for v in by_kind["temperature"])
    assert set(by_kind["occupancy"]) <= {0.0, 1.0}
    assert wrong.returncode == 2 and "refused the key (401)" in wrong.stderr


@pytest.mark.skipif(shutil.which("mosquitto") is None, reason="needs mosquitto (make test)")
def test_simulated_readings_over_mqtt_are_stored(duplex_copy: Path, tmp_path: Path) -> None:
    key = _prepared(duplex_copy)
    port = free_port()
    args = ("--own-broker", "--mqtt-port", str(port))
    with serve_twin(duplex_copy, tmp_path / "serve.log", *args) as (base, _server):
        deadline = time.monotonic() + 20
        while "MQTT subscriber connected" not in (tmp_path / "serve.log").read_text():
            assert time.monotonic() < deadline, (tmp_path / "serve.log").read_text()
            time.sleep(0.2)
        url = f"mqtt://127.0.0.1:{port}"
        totals = _simulate(duplex_copy, "--mqtt", "--url", url, "--key", key, "--duration", "2")
        assert totals["published"] == totals["sent"] > 0
        deadline = time.monotonic() + 20
        while True:
            stats = httpx.get(f"{base}/api/ingest/stats", timeout=5).json()["mqtt"]
            if stats["stored"] >= totals["sent"] or time.monotonic() > deadline:
                break
            time.sleep(0.2)
    assert stats["stored"] == totals["sent"]
    assert stats["rejected"]["total"] == 0
    assert sum(map(len, _stored(duplex_copy).values())) == totals["sent"]


def test_a_twin_not_up_yet_drops_readings_and_keeps_going(duplex_copy: Path) -> None:
    key = _prepared(duplex_copy)
    url = f"http://127.0.0.1:{free_port()}"
    totals = _simulate(duplex_copy, "--url", url, "--key", key, "--duration", "1")
    assert totals["unreachable"] == totals["sent"] > 0
    assert "stored" not in totals
