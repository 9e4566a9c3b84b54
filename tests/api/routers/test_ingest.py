"""`/api/ingest`: stats with zeros, keys by role, and durability across `kill -9` of the server."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from layers.keys import create_key
from layers.sensors import SensorCreate, register_sensor
from tests.api.conftest import app_client
from tests.campus_stores import copy_store
from twin.store import open_store

pytestmark = pytest.mark.anyio

ROOT = Path(__file__).resolve().parents[3]
A101 = "DX01-B01-F01-001C"


async def test_stats_list_both_channels_every_reason_zeros_included(campus_db: Path) -> None:
    async with app_client(campus_db) as client:
        stats = (await client.get("/api/ingest/stats")).json()
    assert set(stats) == {"http", "mqtt"}
    for channel in stats.values():
        assert channel["stored"] >= 0 and channel["duplicate"] >= 0
        assert {"unknown_sensor", "out_of_range", "wrong_type", "no_time_zone"} <= set(
            channel["rejected"]
        )


async def test_admin_writes_refuse_a_gateway_key_with_403(campus_db: Path, tmp_path: Path) -> None:
    db = copy_store(campus_db, tmp_path)
    engine = open_store(str(db))
    gateway, admin = create_key(engine, "gateway"), create_key(engine, "admin")
    async with app_client(db) as client:
        wrong_role = await client.post(
            "/api/ingest/keys", json={}, headers={"Authorization": f"Bearer {gateway}"}
        )
        assert wrong_role.status_code == 403
        assert "needs admin" in wrong_role.json()["detail"]["message"]
        made = await client.post(
            "/api/ingest/keys", json={}, headers={"Authorization": f"Bearer {admin}"}
        )
        assert made.status_code == 201
        new = made.json()["key"]
        stats = await client.get("/api/ingest/stats", headers={"Authorization": f"Bearer {new}"})
        assert stats.status_code == 200
        garbled = await client.post(
            "/api/readings", json=[], headers={"Authorization": f"Basic {gateway}"}
        )
        assert garbled.status_code == 401


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _serve(db: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TWIN_")}
    with log.open("a") as stream:
        return subprocess.Popen(
            [sys.executable, "-m", "api.cli", "serve", "--port", str(port), "--db", str(db)],
            stdout=stream,
            stderr=subprocess.STDOUT,
            env={**env, "TWIN_WEB_DIR": str(log.parent / "not-built")},
            cwd=ROOT,
        )


def _wait_up(server: subprocess.Popen[bytes], url: str, log: Path) -> None:
    deadline = time.monotonic() + 60
    while True:
        assert server.poll() is None, log.read_text()
        assert time.monotonic() < deadline, log.read_text()
        try:
            httpx.get(f"{url}/api/ingest/stats", timeout=5)
            return
        except httpx.TransportError:
            time.sleep(0.2)


def test_acknowledged_readings_survive_kill_9(campus_db: Path, tmp_path: Path) -> None:
    db = copy_store(campus_db, tmp_path)
    engine = open_store(str(db))
    register_sensor(engine, SensorCreate(id="t-1", kind="temperature", room_code=A101))
    key = {"Authorization": f"Bearer {create_key(engine, 'gateway')}"}
    engine.dispose()
    port, log = _free_port(), tmp_path / "serve.log"
    url = f"http://127.0.0.1:{port}"
    readings = [
        {"sensor": "t-1", "ts": f"2026-03-01T{h:02d}:{m:02d}:00Z", "value": 20 + m / 60}
        for h in range(24)
        for m in range(60)
    ]
    server = _serve(db, port, log)
    try:
        _wait_up(server, url, log)
        acknowledged = 0
        for start in range(0, len(readings), 240):
            answer = httpx.post(
                f"{url}/api/readings", json=readings[start : start + 240], headers=key, timeout=30
            )
            assert answer.status_code == 200, answer.text
            acknowledged += answer.json()["stored"]
        server.send_signal(signal.SIGKILL)
        server.wait(timeout=20)
        assert server.returncode == -signal.SIGKILL
        server = _serve(db, port, log)
        _wait_up(server, url, log)
        latest = httpx.get(f"{url}/api/readings/latest", timeout=10).json()
        history = httpx.get(
            f"{url}/api/sensors/t-1/readings",
            params={
                "since": "2026-03-01T00:00:00Z",
                "until": "2026-03-02T00:00:00Z",
                "bucket": "1d",
            },
            timeout=10,
        ).json()
        stats = httpx.get(f"{url}/api/ingest/stats", timeout=10).json()
    finally:
        server.kill()
        server.wait()
    assert acknowledged == len(readings)
    assert history["buckets"][0]["count"] == len(readings)
    assert latest["t-1"]["ts"] == "2026-03-01T23:59:00Z"
    assert stats["http"]["stored"] == len(readings)
