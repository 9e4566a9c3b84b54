"""Clipped bodies built with numpy (`bim_import.halfspace`) against the geometry kernel.

On the real files with `IfcBooleanClippingResult` bodies (walls and slabs cut under a
roof), every product whose Body is one such boolean is made two ways, each in a child
process of its own and alternating: ``numpy`` builds the first operand's prism and
subtracts each half space with `subtract_half_space`, then places it in the world;
``kernel`` tessellates the same products with `bim_import.geometry.tessellate` (the
hybrid CGAL kernel the import would otherwise start for them). Each child opens the
file and imports its modules first, then resets the peak RSS, so the figures are the
work's time and its peak RSS growth alone (for the kernel that includes its code
pages, mapped in on first use). Cells are medians of ``--repeat`` runs; the ratios
are numpy/kernel (below 1: numpy is faster or leaner). Exits 0 either way, 1 if a
child failed, 2 if ../shared/ifc is missing.

    .venv/bin/python bench/halfspace_bench.py [--repeat 5] [--files duplex.ifc ...] [--json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.import_bench import _peak_rss_bytes, _reset_peak_rss, _rss_bytes  # noqa: E402

SHARED_IFC = ROOT.parent / "shared" / "ifc"
FILES = ("Office_A_20110811.ifc", "AC20-FZK-Haus.ifc", "AC90R1-niedriha-V2-2x3.ifc", "duplex.ifc")
VARIANTS = ("numpy", "kernel")


def child_main(variant: str, path: Path) -> dict[str, Any]:
    """Open `path`, then time one variant over its clipped products."""
    import ifcopenshell
    import ifcopenshell.util.unit

    from bim_import.bodies import item_mesh
    from bim_import.geometry import products_needing_geometry, tessellate
    from bim_import.halfspace import subtract_half_space
    from bim_import.structure import ModelIndex

    model = ifcopenshell.open(str(path))
    clipped = {
        product: body.Items[0]
        for product in products_needing_geometry(model)
        for body in product.Representation.Representations
        if body.RepresentationIdentifier == "Body"
        and len(body.Items) == 1
        and body.Items[0].is_a("IfcBooleanClippingResult")
    }
    index, scale = ModelIndex(model), ifcopenshell.util.unit.calculate_unit_scale(model)

    def numpy_mesh(item: ifcopenshell.entity_instance) -> Any:
        if item.is_a("IfcBooleanResult"):
            return subtract_half_space(numpy_mesh(item.FirstOperand), item.SecondOperand)
        return item_mesh(item)

    rss = _rss_bytes()
    _reset_peak_rss()
    start = time.perf_counter()
    if variant == "numpy":
        placed = []
        for product, item in clipped.items():
            world = index.world_matrix(product.ObjectPlacement)
            placed.append((numpy_mesh(item).vertices @ world[:3, :3].T + world[:3, 3]) * scale)
        made = len(placed)
    else:
        made = len(tessellate(model, list(clipped)).meshes)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "rss_growth": _peak_rss_bytes() - rss, "products": made}


def run(variant: str, path: Path) -> dict[str, Any]:
    command = [sys.executable, __file__, "--child", variant, str(path)]
    done = subprocess.run(command, capture_output=True, text=True, check=False, cwd=ROOT)
    if done.returncode != 0:
        raise RuntimeError(f"{variant} on {path.name} failed: {done.stderr.strip()[-300:]}")
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def measure(paths: Sequence[Path], repeat: int) -> list[dict[str, Any]]:
    rows = []
    for path in paths:
        runs: dict[str, list[dict[str, Any]]] = {variant: [] for variant in VARIANTS}
        for number in range(repeat):
            order = VARIANTS if number % 2 == 0 else VARIANTS[::-1]
            for variant in order:
                runs[variant].append(run(variant, path))
        row: dict[str, Any] = {"file": path.name, "products": runs["numpy"][0]["products"]}
        for variant in VARIANTS:
            row[f"{variant}_s"] = statistics.median(r["seconds"] for r in runs[variant])
            row[f"{variant}_rss_mib"] = (
                statistics.median(r["rss_growth"] for r in runs[variant]) / 2**20
            )
        row["time_ratio"] = row["numpy_s"] / row["kernel_s"]
        row["rss_ratio"] = row["numpy_rss_mib"] / max(row["kernel_rss_mib"], 1e-9)
        rows.append(row)
    return rows


def render(rows: Sequence[dict[str, Any]]) -> str:
    lines = [
        f"{'file':28} {'bodies':>6} {'numpy ms':>9} {'kernel ms':>9} {'ratio':>6}"
        f" {'numpy MiB':>9} {'kernel MiB':>10} {'ratio':>6}"
    ]
    for row in rows:
        lines.append(
            f"{row['file']:28} {row['products']:>6} {row['numpy_s'] * 1e3:>9.1f}"
            f" {row['kernel_s'] * 1e3:>9.1f} {row['time_ratio']:>6.3f}"
            f" {row['numpy_rss_mib']:>9.1f} {row['kernel_rss_mib']:>10.1f} {row['rss_ratio']:>6.3f}"
        )
    return "\n".join(lines)


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--files", nargs="+", default=list(FILES))
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child_main(args.child[0], Path(args.child[1]))))
        return 0
    paths = [SHARED_IFC / name for name in args.files]
    missing = [str(path) for path in paths if not path.exists()]
    if missing:
        print(f"real IFC files not found: {', '.join(missing)}", file=sys.stderr)
        return 2
    try:
        rows = measure(paths, args.repeat)
    except RuntimeError as error:
        print(error, file=sys.stderr)
        return 1
    print(json.dumps(rows, indent=2) if args.json else render(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
