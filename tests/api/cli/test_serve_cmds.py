"""`twin serve` as a user starts it (real uvicorn on a real port), and `twin labels`."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import httpx
import pytest

from tests.processes import run_twin, serve_twin
from twin.rooms import campus_info
from twin.store import open_store


def test_serve_answers_on_its_port_and_logs_where(campus_db: Path, tmp_path: Path) -> None:
    log = tmp_path / "serve.log"
    with serve_twin(campus_db, log, TWIN_WEB_DIR=str(tmp_path / "not-built")) as (base, server):
        buildings = httpx.get(f"{base}/api/buildings", timeout=5)
        assert buildings.status_code == 200
        assert buildings.json() == campus_info(open_store(str(campus_db)))
        page = httpx.get(f"{base}/", timeout=5)
        assert page.status_code == 200
        assert "not built" in page.text
    text = log.read_text()
    assert f"listening on {base}/" in text
    assert "2 buildings, 26 rooms" in text
    assert "web client not built" in text
    assert server.returncode == 0, text


@pytest.mark.parametrize("flag", [None, "--access-log"])
def test_access_log_is_off_unless_asked_for(
    campus_db: Path, tmp_path: Path, flag: str | None
) -> None:
    log = tmp_path / "serve.log"
    with serve_twin(campus_db, log, *([flag] if flag else [])) as (base, _server):
        assert httpx.get(f"{base}/api/palette", timeout=5).status_code == 200
    logged = '"GET /api/palette HTTP/1.1" 200' in log.read_text()
    assert logged == (flag is not None), log.read_text()


def _labels(*args: str, db: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return run_twin("labels", *args, "--db", str(db), env=env)


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
