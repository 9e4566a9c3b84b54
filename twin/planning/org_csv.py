"""Org CSV files: one kind per file (departments, allocations, staff), read and imported whole.

Layouts (UTF-8, a header row, columns in any order):

- departments: `department_code,name,parent_code,site_code` (parent and site optional)
- staff: `staff_id,name,rank,department_code,room_code` (room optional: no seat)
- allocations: `room_code,department_code` (an empty department clears it)

A malformed file (bad header, wrong number of fields, an empty required value) is
refused before any row is checked; then every row goes through
`twin.planning.org.import_org`, which checks them all and writes them in one
transaction. Every problem names its file and line.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from pathlib import Path

from sqlalchemy import Engine

from models.errors import BadInput, BadRows
from twin.planning.org import COLUMNS, KINDS, OrgRow, import_org

__all__ = ["REQUIRED", "import_org_files", "read_org_csv"]

REQUIRED: dict[str, tuple[str, ...]] = {
    "departments": ("department_code", "name"),
    "staff": ("staff_id", "name", "rank", "department_code"),
    "allocations": ("room_code",),
}


def read_org_csv(text: str, kind: str, source: str) -> list[OrgRow]:
    """The rows of one org CSV, each with `source:line N`; BadRows for a malformed file."""
    if kind not in COLUMNS:
        raise BadInput(f"unknown kind {kind!r}; one of: {', '.join(KINDS)}")
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    try:
        header = [column.strip().lower() for column in next(reader)]
    except StopIteration:
        raise BadRows(source, ["line 1: the file is empty; expected a header row"]) from None
    except csv.Error as exc:
        raise BadRows(source, [f"line 1: {exc}"]) from None
    extra = [column for column in header if column not in COLUMNS[kind]]
    missing = [column for column in REQUIRED[kind] if column not in header]
    if extra or missing:
        what = []
        if missing:
            what.append(f"missing {', '.join(missing)}")
        if extra:
            what.append(f"unknown {', '.join(extra)}")
        raise BadRows(
            source,
            [f"line 1: header {'; '.join(what)}; a {kind} file has {', '.join(COLUMNS[kind])}"],
        )
    rows: list[OrgRow] = []
    problems: list[str] = []
    try:
        for fields in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in fields):
                continue
            if len(fields) != len(header):
                problems.append(
                    f"{source}:line {line}: {len(fields)} fields, the header has {len(header)}"
                )
                continue
            values = {
                column: (cell.strip() or None) for column, cell in zip(header, fields, strict=True)
            }
            missing_values = [c for c in REQUIRED[kind] if not values.get(c)]
            if missing_values:
                problems.append(f"{source}:line {line}: {', '.join(missing_values)} empty")
                continue
            rows.append(OrgRow(kind, values, f"{source}:line {line}"))
    except csv.Error as exc:
        problems.append(f"{source}:line {reader.line_num}: {exc}")
    if problems:
        raise BadRows(source, problems)
    return rows


def import_org_files(
    engine: Engine, paths: Iterable[Path], kind: str | None = None, by: str = "twin"
) -> dict[str, int]:
    """Import org CSV files (or folders of `departments.csv`, `allocations.csv`, `staff.csv`).

    A file's kind is `kind` when given, else its name (`staff.csv` → staff). All files
    are checked and written together, in one transaction.
    """
    files: list[tuple[Path, str]] = []
    for path in paths:
        if path.is_dir():
            found = [(path / f"{k}.csv", k) for k in KINDS if (path / f"{k}.csv").exists()]
            if not found:
                raise BadInput(f"{path}: no departments.csv, allocations.csv or staff.csv in it")
            files.extend(found)
        elif not path.exists():
            raise BadInput(f"{path}: no such file")
        else:
            files.append((path, kind or path.stem.lower()))
    rows: list[OrgRow] = []
    for path, file_kind in files:
        if file_kind not in COLUMNS:
            raise BadInput(
                f"{path}: cannot tell the kind from the name; give --kind {'|'.join(KINDS)}"
            )
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise BadInput(f"{path}: not UTF-8 text") from None
        rows.extend(read_org_csv(text, file_kind, path.name))
    if not rows:
        raise BadInput("the files hold no rows")
    return import_org(engine, rows, by=by)
