"""`twin keys …` and `twin sensors …` as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from api.cli.serve_cmds import _loopback
from layers.keys import check_key
from tests.campus_stores import imported_store
from tests.processes import run_twin
from twin.store import open_store

A101 = "DX01-B01-F01-001C"


@pytest.fixture
def duplex_db(tmp_path: Path) -> Path:
    return imported_store(tmp_path, {"DX01": ["duplex.ifc"]})


def test_keys_create_prints_the_key_alone_on_the_last_line(duplex_db: Path) -> None:
    result = run_twin("keys", "create", "--role", "gateway", db=duplex_db)
    assert result.returncode == 0, result.stderr
    key = result.stdout.splitlines()[-1]
    info = check_key(open_store(str(duplex_db)), key)
    assert info is not None and info.role == "gateway"
    bad = run_twin("keys", "create", "--role", "root", db=duplex_db)
    assert bad.returncode == 2
    assert "unknown role" in bad.stderr and "Traceback" not in bad.stderr


def test_sensors_import_reports_lines_and_exits_2_on_rejections(
    duplex_db: Path, tmp_path: Path
) -> None:
    csv_file = tmp_path / "sensors.csv"
    csv_file.write_text(
        f"id,kind,room_code\nt-1,temperature,{A101}\nt-2,temperature,{A101[:-1]}Z\n",
        encoding="utf-8",
    )
    result = run_twin("sensors", "import", str(csv_file), "--json", db=duplex_db)
    assert result.returncode == 2
    report = json.loads(result.stdout)
    assert [s["id"] for s in report["registered"]] == ["t-1"]
    assert report["rejected"][0]["line"] == 3
    assert "check character" in report["rejected"][0]["reason"]
    orphans = run_twin("sensors", "orphans", "--json", db=duplex_db)
    assert orphans.returncode == 0 and json.loads(orphans.stdout) == []


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("localhost", True),
        ("::1", True),
        ("0.0.0.0", False),
        ("10.1.2.3", False),
    ],
)
def test_serving_beyond_loopback_is_recognised(host: str, loopback: bool) -> None:
    assert _loopback(host) is loopback
