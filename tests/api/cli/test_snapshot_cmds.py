"""`twin snapshot` as a user runs it: a PNG on success, one red line and exit 2 on bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.processes import run_twin as twin


def test_snapshot_writes_a_png(duplex_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "f02.png"
    result = twin(
        "snapshot", "--building", "DX01-B01", "--storey", "F02", "--colour", "usage", str(out),
        db=duplex_db,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert out.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert str(out) in result.stdout


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--colour", "rainbow", "unknown colour mode 'rainbow'"),
        ("--storey", "F09", "no storey 'F09'"),
        ("--building", "DX01-B07", "unknown building 'DX01-B07'"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    duplex_db: Path, tmp_path: Path, option: str, value: str, message: str
) -> None:
    args = {"--building": "DX01-B01", "--colour": "usage", option: value}
    flat = [part for pair in args.items() for part in pair]
    out = tmp_path / "never.png"
    result = twin("snapshot", *flat, str(out), db=duplex_db)
    assert result.returncode == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr
    assert not out.exists()
