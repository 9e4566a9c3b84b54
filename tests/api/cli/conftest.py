"""The store the command-line tests share: the duplex imported with `twin import`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import SHARED_IFC
from tests.processes import run_twin


@pytest.fixture(scope="module")
def duplex_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """duplex.ifc imported as site DX01 through the command line, once per module."""
    if not (SHARED_IFC / "duplex.ifc").exists():
        pytest.skip(f"real IFC files not found at {SHARED_IFC}")
    db = tmp_path_factory.mktemp("cli") / "twin.db"
    result = run_twin("import", str(SHARED_IFC / "duplex.ifc"), "--site", "DX01", "--json", db=db)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["counts"]["rooms"] == 21
    return db
