"""How fast and how lean our IFC import is, against web-ifc and ifcopenshell's defaults.

For each input (by default the 4 largest `expect=ok` files of ../shared/ifc/MANIFEST.tsv,
read in place, plus a 20-building campus from `twin sample` written to a temp dir) it
times, in one run and alternating their order from one repetition to the next:

- ``import``: our whole `import_models` call into a fresh SQLite store;
- ``web-ifc``: OpenModel + StreamAllMeshes in node, every vertex and index read
  (bench/webifc/stream_meshes.mjs; node start-up and wasm init are reported apart);
- ``ifcopenshell-default``: `ifcopenshell.open` + the geometry iterator with default
  settings (world coordinates, default kernel, 1 thread) over all shapes;
- ``open``: `ifcopenshell.open` alone, the yardstick for memory.

Every run is a child process of its own, so its peak RSS is its own: a child takes its
RSS once its imports are done, resets the kernel's high-water mark, does the work and
reads the peak. "Growth" is that peak minus that RSS. The ``import`` and ``open``
children import the same modules, so their growths compare like with like.

How to read it: absolute seconds mean little on a shared machine; the ratios do.
``import/web-ifc`` is how many times slower our import is than the fastest engine known
(goal ≤ 2×); ``import/default`` below 1 means we beat ifcopenshell's defaults;
``RSS import/open`` is our import's peak memory growth against merely opening the file
(goal ≤ 1.5×). Each cell is the median of ``--repeat`` runs (5 by default); the overall
ratios are medians over the inputs. A goal is met only when every input meets it (the
overall median would hide the campus-sized input); the verdict names the worst. It exits 0
whether or not a goal is met; it exits 1 when a run failed and 2 when it cannot start.

The variants do not do identical work. web-ifc's StreamAllMeshes leaves out IfcSpace and
openings but cuts openings into walls; our import tessellates spaces, skips furniture and
does not cut openings; the default iterator does everything the slow way. Below the table,
"RSS growth at the end" splits memory into anonymous (data) and file-backed pages: the
latter is mostly geometry-kernel code mapped in on first use, a fixed cost of tessellating.

    .venv/bin/python bench/import_bench.py [--repeat N] [--files F.ifc ...] [--json]

`make bench` installs web-ifc (bench/webifc, `npm ci`) and runs this.
"""

from __future__ import annotations

import argparse
import csv
import gc
import importlib.util
import json
import logging
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SHARED_IFC = ROOT.parent / "shared" / "ifc"
WEBIFC_DIR = ROOT / "bench" / "webifc"
STREAM_SCRIPT = WEBIFC_DIR / "stream_meshes.mjs"
SAMPLE_MODULE = "bim_import.sample.campus"

IMPORT = "import"
WEB_IFC = "web-ifc"
DEFAULT_ITERATOR = "ifcopenshell-default"
OPEN = "open"
VARIANTS = (IMPORT, WEB_IFC, DEFAULT_ITERATOR, OPEN)

GOAL_WEB_IFC_RATIO = 2.0
GOAL_RSS_RATIO = 1.5
CHILD_TIMEOUT_S = 1800
SITE_CODE = "BENCH"
MIB = 1024 * 1024

log = logging.getLogger("import_bench")


class BenchSetupError(Exception):
    """The benchmark cannot start; the message says what to do."""


@dataclass(frozen=True)
class BenchInput:
    """One row of the table: one or more IFC files imported together."""

    label: str
    paths: tuple[Path, ...]

    @property
    def size_bytes(self) -> int:
        return sum(path.stat().st_size for path in self.paths)


@dataclass
class Sample:
    """What one child reported about one run."""

    seconds: float
    growth_bytes: int
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class VariantRuns:
    samples: list[Sample] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def median_seconds(self) -> float | None:
        return statistics.median(s.seconds for s in self.samples) if self.samples else None

    def median_growth_bytes(self) -> float | None:
        return statistics.median(s.growth_bytes for s in self.samples) if self.samples else None

    def median_extra(self, key: str) -> float | None:
        values = [s.extra[key] for s in self.samples if isinstance(s.extra.get(key), int | float)]
        return statistics.median(values) if values else None


# --- the children: each measures one variant on one input and writes JSON ---------------


def _status_bytes(name: str) -> int | None:
    """A `VmRSS`/`VmHWM` line of /proc/self/status in bytes, None off Linux."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(f"{name}:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def _rss_bytes() -> int:
    rss = _status_bytes("VmRSS")
    if rss is None:
        import psutil  # only where /proc is missing

        rss = int(psutil.Process().memory_info().rss)
    return rss


def _rss_split() -> tuple[int, int] | None:
    """Resident anonymous and file-backed bytes, None off Linux."""
    anon, file_backed = _status_bytes("RssAnon"), _status_bytes("RssFile")
    return None if anon is None or file_backed is None else (anon, file_backed)


def _peak_rss_bytes() -> int:
    peak = _status_bytes("VmHWM")
    if peak is None:
        import resource

        scale = 1 if sys.platform == "darwin" else 1024  # ru_maxrss is bytes on macOS only
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale
    return peak


def _reset_peak_rss() -> bool:
    """Reset the high-water mark so start-up and imports do not count (Linux ≥ 4.0)."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as clear_refs:
            clear_refs.write("5")
    except OSError:
        return False
    return True


def _child_import(paths: list[Path], work_dir: Path) -> dict[str, Any]:
    from twin.importer import import_models
    from twin.store import open_store

    engine = open_store(str(work_dir / "twin.db"))
    start = time.perf_counter()
    summary = import_models(engine, paths, site_code=SITE_CODE)
    seconds = time.perf_counter() - start
    engine.dispose()
    return {
        "seconds": seconds,
        "counts": dict(summary.counts),
        "warnings": len(summary.warnings),
        "db_bytes": sum(p.stat().st_size for p in work_dir.glob("twin.db*")),
    }


def _child_default_iterator(paths: list[Path], _work_dir: Path) -> dict[str, Any]:
    import ifcopenshell
    import ifcopenshell.geom

    settings = ifcopenshell.geom.settings()
    settings.set("use-world-coords", True)
    shapes = triangles = 0
    start = time.perf_counter()
    for path in paths:
        model = ifcopenshell.open(str(path))
        iterator = ifcopenshell.geom.iterator(settings, model, 1)
        if not iterator.initialize():
            continue
        while True:
            geometry = iterator.get().geometry
            # Copy the buffers out, as any user of the iterator would.
            len(geometry.verts_buffer)
            triangles += len(geometry.faces_buffer) // 12
            shapes += 1
            if not iterator.next():
                break
    return {"seconds": time.perf_counter() - start, "shapes": shapes, "triangles": triangles}


def _child_open(paths: list[Path], _work_dir: Path) -> dict[str, Any]:
    import ifcopenshell

    start = time.perf_counter()
    models = [ifcopenshell.open(str(path)) for path in paths]
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "files": len(models)}


_CHILDREN: dict[str, Callable[[list[Path], Path], dict[str, Any]]] = {
    IMPORT: _child_import,
    DEFAULT_ITERATOR: _child_default_iterator,
    OPEN: _child_open,
}


def _import_variant_modules(variant: str) -> None:
    """Import what the variant needs before the baseline is taken.

    `import` and `open` load the same modules so that their growths are comparable.
    """
    import ifcopenshell
    import ifcopenshell.geom  # noqa: F401

    if variant in (IMPORT, OPEN):
        import bim_import.reader  # noqa: F401  (import_models loads it lazily)
        import twin.importer
        import twin.store  # noqa: F401


def child_main(argv: Sequence[str]) -> int:
    """`import_bench.py _child VARIANT RESULT.json WORK_DIR FILE...`: one measured run."""
    variant, result_file, work_dir, *files = argv
    sys.path.insert(0, str(ROOT))
    _import_variant_modules(variant)
    gc.collect()
    baseline = _rss_bytes()
    # Anonymous memory vs file-backed pages (mostly library code touched for the first
    # time): their growth to the end of the run says which kind the peak is made of.
    split_before = _rss_split()
    reset = _reset_peak_rss()
    result = _CHILDREN[variant]([Path(f) for f in files], Path(work_dir))
    peak = _peak_rss_bytes()
    split_after = _rss_split()
    result.update(baseline_rss_bytes=baseline, peak_rss_bytes=peak, peak_rss_reset=reset)
    if split_before is not None and split_after is not None:
        result.update(
            end_anon_growth_bytes=split_after[0] - split_before[0],
            end_file_growth_bytes=split_after[1] - split_before[1],
        )
    Path(result_file).write_text(json.dumps(result), encoding="utf-8")
    return 0


# --- the parent: choose inputs, run the children in turn, summarise ----------------------


def largest_manifest_files(count: int, manifest: Path = SHARED_IFC / "MANIFEST.tsv") -> list[Path]:
    """The `count` largest files marked `expect=ok` in the shared manifest."""
    if not manifest.exists():
        raise BenchSetupError(f"{manifest} not found: the shared IFC files must sit beside main/")
    with manifest.open(encoding="utf-8", newline="") as stream:
        rows = [row for row in csv.DictReader(stream, delimiter="\t") if row["expect"] == "ok"]
    rows.sort(key=lambda row: int(row["size_bytes"]), reverse=True)
    return [manifest.parent / row["file"] for row in rows[:count]]


def resolve_files(names: Sequence[str]) -> list[Path]:
    """Paths as given, else names in ../shared/ifc."""
    paths = []
    for name in names:
        path = Path(name)
        if not path.exists() and (SHARED_IFC / name).exists():
            path = SHARED_IFC / name
        if not path.is_file():
            raise BenchSetupError(f"{name}: no such file (here or in {SHARED_IFC})")
        paths.append(path.resolve())
    return paths


def check_web_ifc() -> str:
    """The node executable, once node and the installed web-ifc package are found."""
    node = shutil.which("node")
    if node is None:
        raise BenchSetupError("node is not on PATH: install Node.js ≥ 18, then run `make bench`")
    if not (WEBIFC_DIR / "node_modules" / "web-ifc" / "package.json").exists():
        raise BenchSetupError(
            "web-ifc is not installed in bench/webifc/node_modules: run `make bench` "
            "(or `cd bench/webifc && npm ci`) first"
        )
    return node


def make_sample(buildings: int, out_dir: Path) -> tuple[BenchInput | None, str | None]:
    """The `twin sample` campus as an input, or None and why it is skipped."""
    try:
        available = importlib.util.find_spec(SAMPLE_MODULE) is not None
    except ModuleNotFoundError:
        available = False
    if not available:
        return None, f"sample skipped: {SAMPLE_MODULE} does not exist yet (`twin sample` needs it)"
    twin = Path(sys.executable).with_name("twin")
    command = (
        [str(twin)]
        if twin.exists()
        else [sys.executable, "-c", "from api.cli.main import main; main()"]
    )
    out_file = out_dir / f"campus-{buildings}.ifc"
    command += ["sample", str(out_file), "--buildings", str(buildings), "--seed", "1"]
    start = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        why = (done.stderr.strip().splitlines() or ["no message"])[-1]
        return None, f"sample skipped: `twin sample` failed ({why})"
    listed = [Path(line.strip()) for line in done.stdout.splitlines() if line.strip()]
    paths = tuple(p for p in listed if p.suffix.lower() == ".ifc" and p.is_file())
    paths = paths or tuple(sorted(out_dir.glob("*.ifc")))
    if not paths:
        return None, "sample skipped: `twin sample` wrote no IFC file"
    log.info("generated the %d-building sample in %.1f s", buildings, time.perf_counter() - start)
    return BenchInput(f"sample --buildings {buildings}", paths), None


def _failure(what: str, returncode: int, stderr: str) -> str:
    last = (stderr.strip().splitlines() or ["no message"])[-1]
    return f"{what}: exit {returncode}: {last}"


def run_web_ifc(node: str, bench_input: BenchInput) -> Sample | str:
    command = [node, str(STREAM_SCRIPT), *map(str, bench_input.paths)]
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=CHILD_TIMEOUT_S, check=False
    )
    if done.returncode != 0:
        return _failure(WEB_IFC, done.returncode, done.stderr)
    report = json.loads(done.stdout.strip().splitlines()[-1])
    growth = int(report["peak_rss_bytes"]) - int(report["baseline_rss_bytes"])
    return Sample(float(report["seconds"]), growth, report)


def run_python_child(variant: str, bench_input: BenchInput, scratch: Path) -> Sample | str:
    work_dir = Path(tempfile.mkdtemp(prefix=f"{variant}-", dir=scratch))
    result_file = work_dir / "result.json"
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "_child",
        variant,
        str(result_file),
        str(work_dir),
        *map(str, bench_input.paths),
    ]
    try:
        done = subprocess.run(
            command, cwd=ROOT, capture_output=True, text=True, timeout=CHILD_TIMEOUT_S, check=False
        )
        if done.returncode != 0 or not result_file.exists():
            return _failure(variant, done.returncode, done.stderr)
        report = json.loads(result_file.read_text(encoding="utf-8"))
    finally:
        shutil.rmtree(work_dir, ignore_errors=True)
    growth = int(report["peak_rss_bytes"]) - int(report["baseline_rss_bytes"])
    return Sample(float(report["seconds"]), growth, report)


def measure(
    inputs: Sequence[BenchInput], repeat: int, node: str, scratch: Path
) -> dict[str, dict[str, VariantRuns]]:
    """Runs by input label and variant; the variants' order rotates with each repetition."""
    runs = {item.label: {variant: VariantRuns() for variant in VARIANTS} for item in inputs}
    for round_index in range(repeat):
        shift = round_index % len(VARIANTS)
        order = VARIANTS[shift:] + VARIANTS[:shift]
        for item in inputs:
            for variant in order:
                try:
                    if variant == WEB_IFC:
                        outcome = run_web_ifc(node, item)
                    else:
                        outcome = run_python_child(variant, item, scratch)
                except subprocess.TimeoutExpired:
                    outcome = f"{variant}: no result after {CHILD_TIMEOUT_S} s"
                target = runs[item.label][variant]
                if isinstance(outcome, str):
                    target.failures.append(outcome)
                    log.warning("%s, %s", item.label, outcome)
                    continue
                target.samples.append(outcome)
                log.info(
                    "round %d/%d  %-28s %-21s %7.2f s  peak +%.0f MiB",
                    round_index + 1,
                    repeat,
                    item.label[:28],
                    variant,
                    outcome.seconds,
                    outcome.growth_bytes / MIB,
                )
    return runs


def _ratio(numerator: float | None, denominator: float | None) -> float | None:
    if numerator is None or not denominator:
        return None
    return numerator / denominator


def _mib(value: float | None) -> float | None:
    return None if value is None else value / MIB


def _median(values: Sequence[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else None


def summarise(
    inputs: Sequence[BenchInput],
    runs: dict[str, dict[str, VariantRuns]],
    repeat: int,
    skipped: Sequence[str],
    node: str,
) -> dict[str, Any]:
    """The whole result as a JSON-ready document."""
    rows: list[dict[str, Any]] = []
    ratios_by_input: list[dict[str, float | None]] = []
    for item in inputs:
        by_variant = runs[item.label]
        seconds = {v: by_variant[v].median_seconds() for v in VARIANTS}
        growth = {v: by_variant[v].median_growth_bytes() for v in VARIANTS}
        ratios = {
            "import/web-ifc": _ratio(seconds[IMPORT], seconds[WEB_IFC]),
            "import/ifcopenshell-default": _ratio(seconds[IMPORT], seconds[DEFAULT_ITERATOR]),
            "ifcopenshell-default/web-ifc": _ratio(seconds[DEFAULT_ITERATOR], seconds[WEB_IFC]),
            "rss import/open": _ratio(growth[IMPORT], growth[OPEN]),
        }
        ratios_by_input.append(ratios)
        rows.append(
            {
                "input": item.label,
                "paths": [str(p) for p in item.paths],
                "size_bytes": item.size_bytes,
                "median_seconds": seconds,
                "median_peak_growth_bytes": growth,
                "ratios": ratios,
                "end_rss_split_mib": {
                    v: {
                        kind: _mib(by_variant[v].median_extra(f"end_{kind}_growth_bytes"))
                        for kind in ("anon", "file")
                    }
                    for v in (IMPORT, OPEN)
                },
                "web_ifc_startup_seconds": by_variant[WEB_IFC].median_extra("startup_seconds"),
                "web_ifc_init_seconds": by_variant[WEB_IFC].median_extra("init_seconds"),
                "samples": {
                    v: [{"seconds": s.seconds, **s.extra} for s in by_variant[v].samples]
                    for v in VARIANTS
                },
                "failures": {v: by_variant[v].failures for v in VARIANTS if by_variant[v].failures},
            }
        )
    overall = {name: _median([r[name] for r in ratios_by_input]) for name in ratios_by_input[0]}
    goals = []
    for name, ratio_key, limit in (
        ("import time ≤ 2× web-ifc", "import/web-ifc", GOAL_WEB_IFC_RATIO),
        ("import peak RSS growth ≤ 1.5× ifcopenshell.open", "rss import/open", GOAL_RSS_RATIO),
    ):
        measured = [
            (r[ratio_key], item.label)
            for r, item in zip(ratios_by_input, inputs, strict=True)
            if r[ratio_key] is not None
        ]
        within = sum(1 for ratio, _ in measured if ratio is not None and ratio <= limit)
        worst, worst_input = max(measured, key=lambda pair: pair[0] or 0.0, default=(None, "—"))
        goals.append(
            {
                "goal": name,
                "ratio": ratio_key,
                "limit": limit,
                # Every input must be within: a median would hide the campus-sized one.
                "met": bool(measured) and within == len(measured),
                "inputs_within": within,
                "inputs_measured": len(measured),
                "worst": worst,
                "worst_input": worst_input,
                "overall_median": overall[ratio_key],
            }
        )
    import ifcopenshell

    web_ifc_version = json.loads(
        (WEBIFC_DIR / "node_modules" / "web-ifc" / "package.json").read_text(encoding="utf-8")
    )["version"]
    node_version = subprocess.run(
        [node, "--version"], capture_output=True, text=True, check=False
    ).stdout.strip()
    return {
        "repeat": repeat,
        "environment": {
            "python": platform.python_version(),
            "ifcopenshell": ifcopenshell.version,
            "web_ifc": web_ifc_version,
            "node": node_version,
            "cpus": os.cpu_count(),
            "machine": platform.platform(),
        },
        "inputs": rows,
        "skipped": list(skipped),
        "overall_median_ratios": overall,
        "goals": goals,
    }


def _cell(value: float | None, fmt: str, suffix: str = "") -> str:
    return "—" if value is None else f"{value:{fmt}}{suffix}"


def _nonzero(counts: dict[str, int]) -> str:
    return ", ".join(f"{count} {name}" for name, count in counts.items() if count) or "nothing"


def render_table(result: dict[str, Any]) -> str:
    """The readable report: one row per input, overall medians and the verdicts."""
    header = (
        f"{'input':<30}{'MiB':>6}{'import s':>10}{'web-ifc s':>11}{'default s':>11}{'open s':>8}"
        f"{'imp/web':>9}{'imp/def':>9}{'def/web':>9}"
        f"{'RSS+ imp':>10}{'RSS+ open':>11}{'RSS+ web':>10}{'imp/open':>10}"
    )
    lines = [
        f"IFC import benchmark: median of {result['repeat']} run(s); RSS+ = peak RSS growth, MiB",
        header,
        "-" * len(header),
    ]
    for row in result["inputs"]:
        s = row["median_seconds"]
        g = {k: None if v is None else v / MIB for k, v in row["median_peak_growth_bytes"].items()}
        r = row["ratios"]
        lines.append(
            f"{row['input'][:29]:<30}{row['size_bytes'] / MIB:>6.1f}"
            f"{_cell(s[IMPORT], '.2f'):>10}{_cell(s[WEB_IFC], '.2f'):>11}"
            f"{_cell(s[DEFAULT_ITERATOR], '.2f'):>11}{_cell(s[OPEN], '.2f'):>8}"
            f"{_cell(r['import/web-ifc'], '.2f', '×'):>9}"
            f"{_cell(r['import/ifcopenshell-default'], '.2f', '×'):>9}"
            f"{_cell(r['ifcopenshell-default/web-ifc'], '.1f', '×'):>9}"
            f"{_cell(g[IMPORT], '.0f'):>10}{_cell(g[OPEN], '.0f'):>11}"
            f"{_cell(g[WEB_IFC], '.0f'):>10}"
            f"{_cell(r['rss import/open'], '.2f', '×'):>10}"
        )
    overall = result["overall_median_ratios"]
    lines += [
        "-" * len(header),
        f"{'overall median':<86}{_cell(overall['import/web-ifc'], '.2f', '×'):>9}"
        f"{_cell(overall['import/ifcopenshell-default'], '.2f', '×'):>9}"
        f"{_cell(overall['ifcopenshell-default/web-ifc'], '.1f', '×'):>9}"
        f"{'':>31}{_cell(overall['rss import/open'], '.2f', '×'):>10}",
        "",
    ]
    for row in result["inputs"]:
        web = row["samples"][WEB_IFC]
        ours = row["samples"][IMPORT]
        default = row["samples"][DEFAULT_ITERATOR]
        split = row["end_rss_split_mib"]
        lines += [
            f"{row['input']}:",
            f"  web-ifc {web[-1]['meshes'] if web else '—'} meshes, "
            f"{web[-1]['triangles'] if web else '—'} triangles; node start-up "
            f"{_cell(row['web_ifc_startup_seconds'], '.2f')} s and module + wasm init "
            f"{_cell(row['web_ifc_init_seconds'], '.2f')} s, not timed",
            f"  default iterator {default[-1]['shapes'] if default else '—'} shapes; "
            f"import {_nonzero(ours[-1]['counts']) if ours else '—'}",
            f"  RSS growth at the end, anonymous + file-backed MiB: import "
            f"{_cell(split[IMPORT]['anon'], '.0f')} + {_cell(split[IMPORT]['file'], '.0f')}, "
            f"open {_cell(split[OPEN]['anon'], '.0f')} + {_cell(split[OPEN]['file'], '.0f')}",
        ]
        for variant, failures in row["failures"].items():
            lines.append(f"  {variant} failed {len(failures)}×: {failures[-1]}")
    lines += [f"note: {message}" for message in result["skipped"]]
    lines.append("")
    for goal in result["goals"]:
        verdict = "met" if goal["met"] else "NOT met"
        lines.append(
            f"goal {goal['goal']}: {verdict} ({goal['inputs_within']} of "
            f"{goal['inputs_measured']} inputs within; worst {goal['worst_input']} "
            f"{_cell(goal['worst'], '.2f', '×')}; overall median "
            f"{_cell(goal['overall_median'], '.2f', '×')})"
        )
    return "\n".join(lines)


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Time our IFC import against web-ifc and ifcopenshell's default iterator.",
    )
    parser.add_argument("--repeat", type=int, default=5, help="runs per variant (median; ≥ 1)")
    parser.add_argument(
        "--files",
        nargs="+",
        metavar="FILE",
        help="IFC files instead of the largest of ../shared/ifc (names there or paths); "
        "the sample is still added unless --sample-buildings 0",
    )
    parser.add_argument(
        "--largest", type=int, default=4, help="how many of the largest shared files (default 4)"
    )
    parser.add_argument(
        "--sample-buildings",
        type=int,
        default=20,
        help="buildings in the generated campus; 0 leaves it out (default 20)",
    )
    parser.add_argument("--json", action="store_true", help="print a JSON document, no table")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    return args


def main(argv: Sequence[str]) -> int:
    if argv[:1] == ["_child"]:
        return child_main(argv[1:])
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    try:
        node = check_web_ifc()
        files = resolve_files(args.files) if args.files else largest_manifest_files(args.largest)
    except BenchSetupError as exc:
        print(f"import_bench: {exc}", file=sys.stderr)
        return 2
    inputs = [BenchInput(path.name, (path,)) for path in files]
    skipped: list[str] = []
    with tempfile.TemporaryDirectory(prefix="import-bench-") as scratch_name:
        scratch = Path(scratch_name)
        if args.sample_buildings > 0:
            sample, why = make_sample(args.sample_buildings, scratch)
            if sample is not None:
                inputs.append(sample)
            elif why is not None:
                log.warning("%s", why)
                skipped.append(why)
        if not inputs:
            print("import_bench: nothing to measure", file=sys.stderr)
            return 2
        runs = measure(inputs, args.repeat, node, scratch)
        result = summarise(inputs, runs, args.repeat, skipped, node)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(render_table(result))
    failed = any(row["failures"] for row in result["inputs"])
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
