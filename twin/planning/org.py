"""Who sits where: each site's standards level, departments, staff and room allocations.

Every write goes through one checker (`_Book`), whether it comes from a CSV file
(`twin org import`) or an API body, so a mistyped department, an unknown rank for
the site's level or a mistyped room code is refused the same way everywhere. A
file is checked whole and written in one transaction: one bad row and nothing is
imported, and every bad row is reported by its line number (`BadRows`).

A room's allocation to a department is its `department` local edit (`room_edits`),
so the rooms list, the room search and the `department` colour mode show it. Every
change is appended to `org_events` with time and who.

CSV layouts (UTF-8, a header row; a kind per file):

- departments: `department_code,name,parent_code,site_code` (parent and site optional)
- staff: `staff_id,name,rank,department_code,room_code` (room optional: no seat)
- allocations: `room_code,department_code` (an empty department clears it)
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, delete, func, insert, select, update

from models.codes import RoomCode, closest_codes
from models.errors import BadInput, BadRows, InvalidRoomCode, UnknownDepartment, UnknownStaff
from twin.planning.standards import Standards, load_standards, parse_standards_toml
from twin.rooms import write_room_edits
from twin.store import schema as t

__all__ = [
    "COLUMNS",
    "KINDS",
    "OrgRow",
    "allocate_room",
    "department_detail",
    "import_org",
    "import_org_files",
    "list_departments",
    "list_staff",
    "put_department",
    "put_staff",
    "read_org_csv",
    "remove_staff",
    "set_site_level",
    "site_standards",
    "site_standards_info",
    "staff_detail",
]

KINDS = ("departments", "allocations", "staff")
"""The kinds of org file, in the order a folder's files are checked and written."""

COLUMNS: dict[str, tuple[str, ...]] = {
    "departments": ("department_code", "name", "parent_code", "site_code"),
    "staff": ("staff_id", "name", "rank", "department_code", "room_code"),
    "allocations": ("room_code", "department_code"),
}
_REQUIRED: dict[str, tuple[str, ...]] = {
    "departments": ("department_code", "name"),
    "staff": ("staff_id", "name", "rank", "department_code"),
    "allocations": ("room_code",),
}
_CODE_RE = re.compile(r"[A-Z0-9][A-Z0-9_.-]{0,31}")


@dataclass(frozen=True)
class OrgRow:
    """One row to check and write: its kind, values by column, and where it came from."""

    kind: str
    values: Mapping[str, str | None]
    where: str


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _text(value: Any) -> str | None:
    if value is None:
        return None
    cleaned = str(value).strip()
    return cleaned or None


# --- standards per site -------------------------------------------------------------


def site_standards(conn: Connection, site_code: str) -> tuple[str | None, Standards]:
    """The site's level (None when not chosen yet) and its standards with its overrides."""
    row = conn.execute(
        select(t.planning_sites).where(t.planning_sites.c.site_code == site_code)
    ).first()
    if row is None:
        return None, load_standards()
    override = parse_standards_toml(row.standards_toml, site_code) if row.standards_toml else None
    return row.level, load_standards(override)


def _known_site(conn: Connection, site_code: str) -> str:
    cleaned = site_code.strip().upper()
    sites = conn.execute(select(t.sites.c.site_code)).scalars().all()
    if cleaned not in sites:
        hint = f"; sites: {', '.join(sites)}" if sites else "; import a model first"
        raise BadInput(f"unknown site {site_code!r}{hint}")
    return cleaned


def set_site_level(
    engine: Engine,
    site_code: str,
    level: str,
    standards_toml: str | None = None,
    by: str = "twin",
) -> dict[str, Any]:
    """Choose a site's administrative level, optionally with its own standards TOML.

    The level must exist after the overrides (a site may define its own level). Staff
    already stored must still have ranks of the new level, else nothing changes.
    """
    override = parse_standards_toml(standards_toml, "site standards") if standards_toml else None
    standards = load_standards(override)
    allowance = standards.allowance_m2(level)
    with engine.begin() as conn:
        site = _known_site(conn, site_code)
        ranks = conn.execute(
            select(t.staff.c.staff_id, t.staff.c.rank)
            .join(t.departments, t.departments.c.department_code == t.staff.c.department_code)
            .where(t.departments.c.site_code == site)
        ).all()
        stranded = sorted({rank for _, rank in ranks if rank not in allowance})
        if stranded:
            raise BadInput(
                f"staff of {site} have ranks the {level} level lacks: {', '.join(stranded)}"
            )
        values = {"level": level, "standards_toml": standards_toml, "updated_at": _now()}
        if not conn.execute(
            update(t.planning_sites).where(t.planning_sites.c.site_code == site).values(**values)
        ).rowcount:
            conn.execute(insert(t.planning_sites).values(site_code=site, **values))
        _log(conn, by, "level", site, {"level": level, "own_standards": bool(standards_toml)})
    return site_standards_info(engine, site)


def site_standards_info(engine: Engine, site_code: str) -> dict[str, Any]:
    """The site's level and the allowance per rank it uses, with the check settings."""
    with engine.connect() as conn:
        site = _known_site(conn, site_code)
        level, standards = site_standards(conn, site)
        own = conn.execute(
            select(t.planning_sites.c.standards_toml).where(t.planning_sites.c.site_code == site)
        ).scalar()
    document = standards.public()
    ranks: list[dict[str, Any]] = next(
        (x["ranks"] for x in document["levels"] if x["level"] == level), []
    )
    return {
        "site_code": site,
        "level": level,
        "ranks": ranks,
        "checks": document["checks"],
        "own_standards": own is not None,
        "levels": [x["level"] for x in document["levels"]],
    }


# --- the checker --------------------------------------------------------------------


@dataclass
class _Book:
    """What is stored and what the rows so far add: enough to check the next row."""

    sites: set[str]
    levels: dict[str, tuple[str | None, dict[str, float]]]
    departments: dict[str, str]
    parents: dict[str, str | None]
    staff: set[str]
    rooms: dict[str, tuple[str, str]]
    seen: dict[tuple[str, str], str] = field(default_factory=dict)

    @classmethod
    def read(cls, conn: Connection) -> _Book:
        sites = set(conn.execute(select(t.sites.c.site_code)).scalars())
        levels = {}
        for site in sites:
            level, standards = site_standards(conn, site)
            levels[site] = (level, standards.allowance_m2(level) if level else {})
        departments: dict[str, str] = {}
        parents: dict[str, str | None] = {}
        for code, site, parent in conn.execute(
            select(
                t.departments.c.department_code,
                t.departments.c.site_code,
                t.departments.c.parent_code,
            )
        ):
            departments[code] = site
            parents[code] = parent
        usage_edits = dict(
            conn.execute(
                select(t.room_edits.c.room_code, t.room_edits.c.value).where(
                    t.room_edits.c.field == "usage"
                )
            ).all()
        )
        rooms = {
            code: (str(json.loads(usage_edits[code])) if code in usage_edits else usage, status)
            for code, usage, status in conn.execute(
                select(t.rooms.c.room_code, t.rooms.c.usage, t.rooms.c.status)
            )
        }
        staff = set(conn.execute(select(t.staff.c.staff_id)).scalars())
        return cls(sites, levels, departments, parents, staff, rooms)

    def department(self, text: str | None, problems: list[str]) -> str | None:
        code = (text or "").upper()
        if code in self.departments:
            return code
        closest = closest_codes(code, self.departments)
        hint = f"; closest: {', '.join(closest)}" if closest else ""
        problems.append(f"unknown department {text!r}{hint}")
        return None

    def room(self, text: str, problems: list[str], office: bool) -> str | None:
        try:
            code = str(RoomCode.parse(text))
        except InvalidRoomCode as exc:
            problems.append(str(exc))
            return None
        if code not in self.rooms:
            closest = closest_codes(code, self.rooms)
            hint = f"; closest: {', '.join(closest)}" if closest else ""
            problems.append(f"unknown room code {code}{hint}")
            return None
        usage, status = self.rooms[code]
        if status != "active":
            problems.append(f"room {code} is retired")
            return None
        if office and usage != "office":
            problems.append(
                f"room {code} is a {usage} room, not an office; "
                f"`twin set room {code} --usage office` first if people sit there"
            )
            return None
        return code

    def once(self, kind: str, key: str, where: str, problems: list[str]) -> None:
        earlier = self.seen.get((kind, key))
        if earlier is not None:
            problems.append(f"{key} appears twice (also {earlier})")
        self.seen[(kind, key)] = where


def _code(text: str | None, what: str, problems: list[str]) -> str | None:
    code = (text or "").upper()
    if not _CODE_RE.fullmatch(code):
        problems.append(f"{what} {text!r} is not a code (letters, digits, '_', '.', '-'; up to 32)")
        return None
    return code


def _check_department(
    book: _Book, values: Mapping[str, str | None], where: str
) -> tuple[dict[str, Any] | None, list[str]]:
    problems: list[str] = []
    code = _code(values.get("department_code"), "department_code", problems)
    if code:
        book.once("departments", code, where, problems)
    site_text = values.get("site_code")
    site: str | None = None
    if site_text:
        site = site_text.upper()
        if site not in book.sites:
            problems.append(f"unknown site {site_text!r}; sites: {', '.join(sorted(book.sites))}")
    elif code in book.departments:
        site = book.departments[code]
    elif len(book.sites) == 1:
        site = next(iter(book.sites))
    else:
        problems.append("site_code is needed: the store holds several sites")
    if not values.get("name"):
        problems.append("name is empty")
    if problems or code is None or site is None:
        return None, problems
    book.departments[code] = site
    parent = (values.get("parent_code") or "").upper() or None
    book.parents[code] = parent
    return {
        "department_code": code,
        "name": values["name"],
        "parent_code": parent,
        "site_code": site,
    }, []


def _check_parents(book: _Book, rows: list[tuple[dict[str, Any], str]]) -> list[str]:
    """Parents exist, sit on the same site, and no unit is its own ancestor."""
    problems = []
    for row, where in rows:
        code, parent = row["department_code"], row["parent_code"]
        if parent is None:
            continue
        if parent not in book.departments:
            closest = closest_codes(parent, book.departments)
            hint = f"; closest: {', '.join(closest)}" if closest else ""
            problems.append(f"{where}: unknown parent department {parent!r}{hint}")
            continue
        if book.departments[parent] != row["site_code"]:
            problems.append(f"{where}: parent {parent} belongs to another site")
            continue
        seen, walk = {code}, parent
        while walk is not None:
            if walk in seen:
                problems.append(f"{where}: {code} would be its own ancestor (through {parent})")
                break
            seen.add(walk)
            walk = book.parents.get(walk)
    return problems


def _check_staff(
    book: _Book, values: Mapping[str, str | None], where: str
) -> tuple[dict[str, Any] | None, list[str]]:
    problems: list[str] = []
    staff_id = _code(values.get("staff_id"), "staff_id", problems)
    if staff_id:
        book.once("staff", staff_id, where, problems)
    if not values.get("name"):
        problems.append("name is empty")
    department = book.department(values.get("department_code"), problems)
    rank = (values.get("rank") or "").strip().lower().replace(" ", "_").replace("-", "_")
    if department:
        site = book.departments[department]
        level, allowance = book.levels.get(site, (None, {}))
        if level is None:
            problems.append(f"site {site} has no standards level; `twin org level {site} LEVEL`")
        elif rank not in allowance:
            problems.append(
                f"unknown rank {values.get('rank')!r} for the {level} level; "
                f"one of: {', '.join(allowance)}"
            )
    room = None
    if values.get("room_code"):
        room = book.room(str(values["room_code"]), problems, office=True)
        if room and department and not room.startswith(book.departments[department] + "-"):
            problems.append(f"room {room} is not on site {book.departments[department]}")
    if problems or staff_id is None:
        return None, problems
    book.staff.add(staff_id)
    return {
        "staff_id": staff_id,
        "name": values["name"],
        "rank": rank,
        "department_code": department,
        "room_code": room,
    }, []


def _check_allocation(
    book: _Book, values: Mapping[str, str | None], where: str
) -> tuple[dict[str, Any] | None, list[str]]:
    problems: list[str] = []
    room = book.room(values.get("room_code") or "", problems, office=False)
    if room:
        book.once("allocations", room, where, problems)
    department = None
    if values.get("department_code"):
        department = book.department(values["department_code"], problems)
        if room and department and not room.startswith(book.departments[department] + "-"):
            problems.append(f"room {room} is not on site {book.departments[department]}")
    if problems:
        return None, problems
    return {"room_code": room, "department_code": department}, []


_CHECKS = {
    "departments": _check_department,
    "staff": _check_staff,
    "allocations": _check_allocation,
}


def _log(conn: Connection, by: str, kind: str, subject: str, detail: Mapping[str, Any]) -> None:
    conn.execute(
        insert(t.org_events).values(
            at=_now(),
            by=by,
            kind=kind,
            subject=subject,
            detail=json.dumps(dict(detail), ensure_ascii=False),
        )
    )


def _upsert(conn: Connection, table: Any, key: str, row: Mapping[str, Any]) -> None:
    values = {k: v for k, v in row.items() if k != key}
    if not conn.execute(update(table).where(table.c[key] == row[key]).values(**values)).rowcount:
        conn.execute(insert(table).values(**row))


def _write(conn: Connection, kind: str, row: Mapping[str, Any], by: str) -> None:
    if kind == "departments":
        _upsert(conn, t.departments, "department_code", row)
        _log(conn, by, "department", row["department_code"], row)
    elif kind == "staff":
        _upsert(conn, t.staff, "staff_id", row)
        _log(conn, by, "staff", row["staff_id"], row)
    else:
        write_room_edits(conn, row["room_code"], {"department": row["department_code"]})
        _log(conn, by, "allocation", row["room_code"], row)


def import_org(engine: Engine, rows: Sequence[OrgRow], by: str = "twin") -> dict[str, int]:
    """Check every row, then write them all in one transaction; nothing on any bad row.

    Rows are checked kind by kind (departments, allocations, staff) so a file of
    departments and a file of staff can arrive together. Returns rows written per kind.
    """
    unknown = sorted({row.kind for row in rows} - set(KINDS))
    if unknown:
        raise BadInput(f"unknown kind {unknown[0]!r}; one of: {', '.join(KINDS)}")
    with engine.begin() as conn:
        book = _Book.read(conn)
        problems: list[str] = []
        checked: dict[str, list[tuple[dict[str, Any], str]]] = {kind: [] for kind in KINDS}
        for kind in KINDS:
            for row in (r for r in rows if r.kind == kind):
                good, found = _CHECKS[kind](book, row.values, row.where)
                problems.extend(f"{row.where}: {problem}" for problem in found)
                if good is not None:
                    checked[kind].append((good, row.where))
            if kind == "departments":
                problems.extend(_check_parents(book, checked[kind]))
        if problems:
            raise BadRows(rows[0].where.split(":")[0] if rows else "org", problems)
        for kind in KINDS:
            for good, _ in checked[kind]:
                _write(conn, kind, good, by)
    return {kind: len(checked[kind]) for kind in KINDS}


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
    missing = [column for column in _REQUIRED[kind] if column not in header]
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
            values = {column: _text(cell) for column, cell in zip(header, fields, strict=True)}
            missing_values = [c for c in _REQUIRED[kind] if not values.get(c)]
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


# --- single edits (the API's bodies) ----------------------------------------------


def _one(engine: Engine, kind: str, values: Mapping[str, Any], by: str) -> None:
    cleaned = {column: _text(values.get(column)) for column in COLUMNS[kind]}
    try:
        import_org(engine, [OrgRow(kind, cleaned, kind)], by=by)
    except BadRows as exc:
        raise BadInput("; ".join(p.split(": ", 1)[1] for p in exc.problems)) from None


def put_department(
    engine: Engine, code: str, values: Mapping[str, Any], by: str = "twin"
) -> dict[str, Any]:
    """Create or change one department (name, parent_code, site_code)."""
    _one(engine, "departments", {**values, "department_code": code}, by)
    return department_detail(engine, code)


def put_staff(
    engine: Engine, staff_id: str, values: Mapping[str, Any], by: str = "twin"
) -> dict[str, Any]:
    """Create or change one member of staff (name, rank, department_code, room_code)."""
    _one(engine, "staff", {**values, "staff_id": staff_id}, by)
    return staff_detail(engine, staff_id)


def allocate_room(
    engine: Engine, room_code: str, department_code: str | None, by: str = "twin"
) -> dict[str, Any]:
    """Allocate a room to a department (None clears it); returns the allocation."""
    _one(engine, "allocations", {"room_code": room_code, "department_code": department_code}, by)
    code = str(RoomCode.parse(room_code))
    return {
        "room_code": code,
        "department_code": department_code.upper() if department_code else None,
    }


def remove_staff(engine: Engine, staff_id: str, by: str = "twin") -> None:
    """Take a member of staff off the roll (they leave); the change is logged."""
    with engine.begin() as conn:
        row = _staff_row(conn, staff_id)
        conn.execute(delete(t.staff).where(t.staff.c.staff_id == row.staff_id))
        _log(conn, by, "staff_removed", row.staff_id, dict(row._mapping))


# --- reads ---------------------------------------------------------------------------


def _staff_row(conn: Connection, staff_id: str) -> Any:
    wanted = staff_id.strip().upper()
    row = conn.execute(select(t.staff).where(t.staff.c.staff_id == wanted)).first()
    if row is None:
        known = conn.execute(select(t.staff.c.staff_id)).scalars().all()
        closest = closest_codes(wanted, known)
        hint = f"; closest: {', '.join(closest)}" if closest else ""
        raise UnknownStaff(f"unknown staff id {staff_id!r}{hint}", closest)
    return row


def _allocations(conn: Connection) -> dict[str, str]:
    return {
        code: value
        for code, raw in conn.execute(
            select(t.room_edits.c.room_code, t.room_edits.c.value).where(
                t.room_edits.c.field == "department"
            )
        )
        if isinstance(value := json.loads(raw), str)
    }


def _staff_public(row: Any, site: str) -> dict[str, Any]:
    return {
        "staff_id": row.staff_id,
        "name": row.name,
        "rank": row.rank,
        "department_code": row.department_code,
        "site_code": site,
        "room_code": row.room_code,
    }


def list_departments(engine: Engine, site_code: str | None = None) -> list[dict[str, Any]]:
    """Departments in code order, with their staff count and allocated rooms."""
    with engine.connect() as conn:
        query = select(t.departments).order_by(t.departments.c.department_code)
        if site_code:
            query = query.where(t.departments.c.site_code == _known_site(conn, site_code))
        rows = conn.execute(query).all()
        counts: dict[str, int] = dict(
            conn.execute(
                select(t.staff.c.department_code, func.count()).group_by(t.staff.c.department_code)
            ).all()
        )
        rooms: dict[str, list[str]] = {}
        for room, department in sorted(_allocations(conn).items()):
            rooms.setdefault(department, []).append(room)
    return [
        {
            "department_code": row.department_code,
            "name": row.name,
            "parent_code": row.parent_code,
            "site_code": row.site_code,
            "staff": counts.get(row.department_code, 0),
            "rooms": rooms.get(row.department_code, []),
        }
        for row in rows
    ]


def department_detail(engine: Engine, code: str) -> dict[str, Any]:
    """One department: its fields, its staff and its rooms; UnknownDepartment else."""
    wanted = code.strip().upper()
    found = [d for d in list_departments(engine) if d["department_code"] == wanted]
    if not found:
        with engine.connect() as conn:
            known = conn.execute(select(t.departments.c.department_code)).scalars().all()
        closest = closest_codes(wanted, known)
        hint = f"; closest: {', '.join(closest)}" if closest else ""
        raise UnknownDepartment(f"unknown department {code!r}{hint}", closest)
    detail = found[0]
    detail["members"] = list_staff(engine, department_code=wanted)
    detail["units"] = [
        d["department_code"] for d in list_departments(engine) if d["parent_code"] == wanted
    ]
    return detail


def list_staff(
    engine: Engine, department_code: str | None = None, site_code: str | None = None
) -> list[dict[str, Any]]:
    """Staff in id order, optionally of one department or one site."""
    query = (
        select(t.staff, t.departments.c.site_code)
        .join(t.departments, t.departments.c.department_code == t.staff.c.department_code)
        .order_by(t.staff.c.staff_id)
    )
    with engine.connect() as conn:
        if department_code:
            wanted = department_code.strip().upper()
            if (
                conn.execute(
                    select(t.departments.c.department_code).where(
                        t.departments.c.department_code == wanted
                    )
                ).first()
                is None
            ):
                known = conn.execute(select(t.departments.c.department_code)).scalars().all()
                closest = closest_codes(wanted, known)
                hint = f"; closest: {', '.join(closest)}" if closest else ""
                raise UnknownDepartment(f"unknown department {department_code!r}{hint}", closest)
            query = query.where(t.staff.c.department_code == wanted)
        if site_code:
            query = query.where(t.departments.c.site_code == _known_site(conn, site_code))
        rows = conn.execute(query).all()
    return [_staff_public(row, row.site_code) for row in rows]


def staff_detail(engine: Engine, staff_id: str) -> dict[str, Any]:
    """One member of staff, with the m² their rank allows at the site's level."""
    with engine.connect() as conn:
        row = _staff_row(conn, staff_id)
        site = conn.execute(
            select(t.departments.c.site_code).where(
                t.departments.c.department_code == row.department_code
            )
        ).scalar_one()
        level, standards = site_standards(conn, site)
    detail = _staff_public(row, site)
    detail["level"] = level
    detail["allowance_m2"] = standards.allowance_m2(level).get(row.rank) if level else None
    return detail
