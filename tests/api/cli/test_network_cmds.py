"""`twin trace`, `twin isolate` and `twin check-network` as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from tests.campus_stores import copy_store
from tests.processes import run_twin as twin
from tests.processes import serve_twin
from tests.twin.network.small_network import PLAN, small_network_store


@pytest.fixture(scope="module")
def small_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return small_network_store(tmp_path_factory.mktemp("small"))


def test_json_output_is_the_api_answer(small_db: Path, tmp_path: Path) -> None:
    leak = PLAN.element_id("J5")
    traced = twin("trace", leak, "--direction", "downstream", "--json", db=small_db)
    isolated = twin("isolate", leak.lower(), "--json", db=small_db)
    assert traced.returncode == 0 and isolated.returncode == 0, traced.stderr + isolated.stderr
    with serve_twin(small_db, tmp_path / "serve.log") as (base, _):
        api_trace = httpx.get(f"{base}/api/elements/{leak}/trace?direction=downstream").json()
        api_isolate = httpx.post(f"{base}/api/isolate", json={"element_id": leak}).json()
    assert json.loads(traced.stdout) == api_trace
    assert json.loads(isolated.stdout) == api_isolate
    assert api_isolate["valves_to_close"] == [PLAN.element_id("V4")]


def test_plain_output_names_the_valves(small_db: Path) -> None:
    result = twin("isolate", PLAN.element_id("JS"), db=small_db)
    assert result.returncode == 0, result.stderr
    assert PLAN.element_id("VS") in result.stdout and PLAN.element_id("VR") in result.stdout
    result = twin("trace", PLAN.element_id("R1"), db=small_db)
    assert result.returncode == 0, result.stderr
    assert "Boiler" in result.stdout


def test_bad_input_exits_2_with_one_line(small_db: Path) -> None:
    for args in (
        ("trace", "SN01-B01-E000099"),
        ("isolate", "SN01-B01-E000099"),
        ("trace", PLAN.element_id("P2"), "--direction", "sideways"),
        ("isolate", PLAN.element_id("RX")),
        ("check-network", "--site", "XX99"),
        ("check-network", "--repair", "--tolerance", "0"),
    ):
        result = twin(*args, db=small_db)
        assert result.returncode == 2, (args, result.stdout, result.stderr)
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert "Traceback" not in result.stderr


def test_check_network_repairs_with_a_tolerance(small_db: Path, tmp_path: Path) -> None:
    db = copy_store(small_db, tmp_path)
    report = twin("check-network", "--json", db=db)
    assert report.returncode == 0, report.stderr
    counts = json.loads(report.stdout)["counts"]
    assert counts["unconnected_ports"] == 2 and counts["inferable_connections"] == 0
    # PX's two ports lie 1 m apart: joined only with a tolerance that wide… which is
    # refused, as ports of different elements only are ever paired.
    repaired = twin("check-network", "--repair", "--tolerance", "0.5", "--json", db=db)
    assert repaired.returncode == 0, repaired.stderr
    assert json.loads(repaired.stdout)["added"] == []
    plain = twin("check-network", db=db)
    assert "unconnected ports" in plain.stdout
