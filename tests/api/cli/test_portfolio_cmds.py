"""`twin sample-portfolio` as a user runs it: JSON out, taken codes and bad options refused."""

from __future__ import annotations

import json
from pathlib import Path

from tests.processes import run_twin
from twin.campus import sites
from twin.store import open_store


def test_writes_a_portfolio_and_prints_its_summary_as_json(tmp_path: Path) -> None:
    db = tmp_path / "twin.db"
    done = run_twin("sample-portfolio", "--sites", "6", "--full-3d", "0", "--json", db=db)
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["sites"] == 6 and summary["full_3d_sites"] == []
    engine = open_store(str(db))
    assert [site["site_code"] for site in sites(engine)] == [f"PV000{k}" for k in range(1, 7)]
    assert sum(site["buildings"] for site in sites(engine)) == summary["buildings"]

    again = run_twin("sample-portfolio", "--sites", "2", "--full-3d", "0", db=db)
    assert again.returncode == 2
    assert again.stderr.strip().splitlines() == [
        "error: the store already holds site PV0001 (2 of the portfolio's codes): "
        "use a fresh --db or another --prefix"
    ]
    assert len(sites(engine)) == 6


def test_bad_options_exit_2_with_one_line(tmp_path: Path) -> None:
    for args, message in (
        (("--sites", "0"), "--sites must be 1 to 9999"),
        (("--sites", "2", "--full-3d", "5"), "--full-3d must be 0 to 2"),
        (("--sites", "2", "--prefix", "ab-c"), "--prefix"),
    ):
        done = run_twin("sample-portfolio", *args, db=tmp_path / "twin.db")
        assert done.returncode == 2, done.stderr
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and message in lines[0]
