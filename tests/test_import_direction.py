"""Imports point one way (DESIGN.md): models ← bim_import ← twin ← layers ← viewer ← api.

`import twin` must not load fastapi, pyvista or ifcopenshell; no package imports one
above it.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ORDER = ["models", "bim_import", "twin", "layers", "viewer", "api"]


def _imported_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("package", ORDER)
def test_no_package_imports_one_above_it(package: str) -> None:
    above = set(ORDER[ORDER.index(package) + 1 :])
    offenders = {
        str(path.relative_to(ROOT)): sorted(_imported_packages(path) & above)
        for path in (ROOT / package).rglob("*.py")
        if "node_modules" not in path.parts
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_models_uses_numpy_only() -> None:
    allowed = {"numpy", "stdnum", "__future__", "models", *sys.stdlib_module_names}
    for path in (ROOT / "models").rglob("*.py"):
        assert _imported_packages(path) <= allowed, path


def test_import_twin_loads_no_heavy_dependency() -> None:
    code = (
        "import sys, twin, twin.importer, twin.rooms, twin.spatial, twin.spatial_store;"
        "heavy = [m for m in ('fastapi', 'pyvista', 'ifcopenshell') if m in sys.modules];"
        "print(','.join(heavy))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""
