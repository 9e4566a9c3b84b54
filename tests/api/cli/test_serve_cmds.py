"""`twin serve` as a user starts it (real uvicorn on a real port), and `twin labels`."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from twin.rooms import campus_info
from twin.store import open_store

TWIN = [sys.executable, "-m", "api.cli"]
ROOT = Path(__file__).resolve().parents[3]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TWIN_")}
    return {**env, "COLUMNS": "200", **extra}


def test_serve_answers_on_its_port_and_logs_where(campus_db: Path, tmp_path: Path) -> None:
    port = _free_port()
    log = tmp_path / "serve.log"
    with log.open("w") as stream:
        server = subprocess.Popen(
            [*TWIN, "serve", "--host", "127.0.0.1", "--port", str(port), "--db", str(campus_db)],
            stdout=stream,
            stderr=subprocess.STDOUT,
            env=_env(TWIN_WEB_DIR=str(tmp_path / "not-built")),
            cwd=ROOT,
        )
    try:
        deadline = time.monotonic() + 60
        buildings = None
        while buildings is None:
            assert server.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            try:
                buildings = httpx.get(f"http://127.0.0.1:{port}/api/buildings", timeout=5)
            except httpx.TransportError:
                time.sleep(0.2)
        assert buildings.status_code == 200
        assert buildings.json() == campus_info(open_store(str(campus_db)))
        page = httpx.get(f"http://127.0.0.1:{port}/", timeout=5)
        assert page.status_code == 200
        assert "not built" in page.text
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    text = log.read_text()
    assert f"listening on http://127.0.0.1:{port}/" in text
    assert "2 buildings, 26 rooms" in text
    assert "web client not built" in text
    assert server.returncode == 0, text


def _labels(*args: str, db: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*TWIN, "labels", *args, "--db", str(db)],
        capture_output=True,
        text=True,
        env=_env(**env),
        cwd=ROOT,
        timeout=300,
    )


def test_labels_need_a_public_address(campus_db: Path, tmp_path: Path) -> None:
    missing = _labels("--building", "DX01-B01", str(tmp_path / "l.pdf"), db=campus_db)
    assert missing.returncode == 2
    assert "TWIN_PUBLIC_BASE_URL" in missing.stderr
    assert "Traceback" not in missing.stderr
    loopback = _labels(
        "--building",
        "DX01-B01",
        str(tmp_path / "l.pdf"),
        "--base-url",
        "http://127.0.0.1:8000",
        db=campus_db,
    )
    assert loopback.returncode == 2
    assert "cannot reach" in loopback.stderr
    assert not (tmp_path / "l.pdf").exists()


def test_labels_write_one_label_per_room(campus_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "duplex.pdf"
    result = _labels(
        "--building",
        "dx01-b01",
        str(out),
        "--json",
        db=campus_db,
        TWIN_PUBLIC_BASE_URL="https://twin.campus.example/",
    )
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["building_code"] == "DX01-B01"
    assert len(summary["labels"]) == 21
    assert summary["labels"][0] == "https://twin.campus.example/?room=DX01-B01-F01-001C"
    assert out.read_bytes().startswith(b"%PDF")
    override = _labels(
        "--building",
        "DX01-B01",
        str(out),
        "--base-url",
        "https://facilities.example.net/twin",
        "--json",
        db=campus_db,
        TWIN_PUBLIC_BASE_URL="https://twin.campus.example/",
    )
    assert override.returncode == 0, override.stderr
    first = json.loads(override.stdout)["labels"][0]
    assert first == "https://facilities.example.net/twin/?room=DX01-B01-F01-001C"
