"""Changes to who sits where: each site's standards level, departments, staff, allocations.

Every write goes through one checker (`_Book`), whether it comes from a CSV file
(`twin.planning.org_csv`, `twin org import`) or an API body, so a mistyped
department, an unknown rank for the site's level or a mistyped room code is refused
the same way everywhere. Rows are checked whole and written in one transaction: one
bad row and nothing is written, and every bad row is reported by where it came from
(`BadRows`). Reads are in `twin.planning.directory`.

A room's allocation to a department is its `department` local edit (`room_edits`),
so the rooms list, the room search and the `department` colour mode show it. Every
change is appended to `org_events` with time and who.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, delete, insert, select, update

from models.codes import RoomCode
from models.errors import BadInput, BadRows, InvalidRoomCode
from twin.planning.directory import (
    department_detail,
    known_site,
    site_standards,
    site_standards_info,
    staff_detail,
    staff_row,
    unknown_message,
)
from twin.planning.lifecycle import LIFECYCLE_PREFIX
from twin.planning.standards import load_standards, parse_standards_toml
from twin.rooms import write_room_edits
from twin.store import schema as t

__all__ = [
    "COLUMNS",
    "KINDS",
    "OrgRow",
    "allocate_room",
    "import_org",
    "move_staff",
    "put_department",
    "put_staff",
    "remove_staff",
    "set_site_level",
]

KINDS = ("departments", "allocations", "staff")
"""The kinds of org file, in the order a folder's files are checked and written."""

COLUMNS: dict[str, tuple[str, ...]] = {
    "departments": ("department_code", "name", "parent_code", "site_code"),
    "staff": ("staff_id", "name", "rank", "department_code", "room_code"),
    "allocations": ("room_code", "department_code"),
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
        site = known_site(conn, site_code)
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
        _log(conn, by, "level", [(site, {"level": level, "own": bool(standards_toml)})])
    return site_standards_info(engine, site)


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
        problems.append(unknown_message("department", text or "", self.departments)[0])
        return None

    def room(self, text: str, problems: list[str], office: bool) -> str | None:
        try:
            code = str(RoomCode.parse(text))
        except InvalidRoomCode as exc:
            problems.append(str(exc))
            return None
        if code not in self.rooms:
            problems.append(unknown_message("room code", code, self.rooms)[0])
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
            problems.append(
                f"{where}: {unknown_message('parent department', parent, book.departments)[0]}"
            )
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


def _log(
    conn: Connection, by: str, kind: str, entries: Sequence[tuple[str, Mapping[str, Any]]]
) -> None:
    """Append one org event per (subject, detail), in one statement."""
    if not entries:
        return
    at = _now()
    conn.execute(
        insert(t.org_events),
        [
            {
                "at": at,
                "by": by,
                "kind": kind,
                "subject": subject,
                "detail": json.dumps(dict(detail), ensure_ascii=False),
            }
            for subject, detail in entries
        ],
    )


def _upsert(conn: Connection, table: Any, key: str, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert the rows whose key is new and update the others: two statements in all."""
    keys = [row[key] for row in rows]
    present: set[str] = set()
    for chunk in range(0, len(keys), 500):
        present.update(
            conn.execute(
                select(table.c[key]).where(table.c[key].in_(keys[chunk : chunk + 500]))
            ).scalars()
        )
    new = [dict(row) for row in rows if row[key] not in present]
    if new:
        conn.execute(insert(table), new)
    changed = [{f"v_{k}": v for k, v in row.items()} for row in rows if row[key] in present]
    if changed:
        columns: dict[str, Any] = {k: bindparam(f"v_{k}") for k in rows[0] if k != key}
        conn.execute(
            update(table).where(table.c[key] == bindparam(f"v_{key}")).values(**columns), changed
        )


def _write(conn: Connection, kind: str, rows: Sequence[Mapping[str, Any]], by: str) -> None:
    if not rows:
        return
    if kind == "departments":
        _upsert(conn, t.departments, "department_code", rows)
        _log(conn, by, "department", [(row["department_code"], row) for row in rows])
    elif kind == "staff":
        _upsert(conn, t.staff, "staff_id", rows)
        _log(conn, by, "staff", [(row["staff_id"], row) for row in rows])
    else:
        edits = {row["room_code"]: {"department": row["department_code"]} for row in rows}
        write_room_edits(conn, edits)
        _log(conn, by, "allocation", [(row["room_code"], row) for row in rows])


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
            _write(conn, kind, [good for good, _ in checked[kind]], by)
    return {kind: len(checked[kind]) for kind in KINDS}


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


def move_staff(
    engine: Engine, moves: Mapping[str, str | None], by: str, why: str
) -> dict[str, int]:
    """Seat staff in other rooms (None: no seat), e.g. to apply a reallocation plan.

    `moves` maps staff ids to their new room. Every id and room is checked first (an
    active office on the person's site); then all moves are written in one
    transaction, logged in `org_events` (kind `moved`, from and to) and, for every
    room someone leaves or enters, as a `lifecycle.occupancy` event in the room's
    history with who, why, and who arrived and left. Returns the counts.
    """
    if not by.strip() or not why.strip():
        raise BadInput("moving staff needs who (by) and why")
    with engine.begin() as conn:
        book = _Book.read(conn)
        current = {
            row.staff_id: (row.room_code, book.departments[row.department_code])
            for row in conn.execute(select(t.staff))
        }
        problems: list[str] = []
        wanted: dict[str, str | None] = {}
        for staff_id, room_text in moves.items():
            key = staff_id.strip().upper()
            found: list[str] = []
            if key not in current:
                found.append(unknown_message("staff id", staff_id, current)[0])
            room = book.room(room_text, found, office=True) if room_text else None
            if room and key in current and not room.startswith(current[key][1] + "-"):
                found.append(f"room {room} is not on site {current[key][1]}")
            problems += [f"{staff_id}: {problem}" for problem in found]
            wanted[key] = room
        if problems:
            raise BadRows("moves", problems)
        changed = {k: v for k, v in wanted.items() if current[k][0] != v}
        if changed:
            conn.execute(
                update(t.staff)
                .where(t.staff.c.staff_id == bindparam("v_id"))
                .values(room_code=bindparam("v_room")),
                [{"v_id": k, "v_room": v} for k, v in changed.items()],
            )
            _log(
                conn,
                by,
                "moved",
                [(k, {"from": current[k][0], "to": v, "why": why}) for k, v in changed.items()],
            )
            arrived: dict[str, list[str]] = {}
            left: dict[str, list[str]] = {}
            for staff_id, room in changed.items():
                if room:
                    arrived.setdefault(room, []).append(staff_id)
                if current[staff_id][0]:
                    left.setdefault(str(current[staff_id][0]), []).append(staff_id)
            at = _now()
            conn.execute(
                insert(t.room_events),
                [
                    {
                        "room_code": room,
                        "at": at,
                        "kind": f"{LIFECYCLE_PREFIX}occupancy",
                        "detail": json.dumps(
                            {
                                "by": by,
                                "why": why,
                                "arrived": arrived.get(room, []),
                                "left": left.get(room, []),
                            },
                            ensure_ascii=False,
                        ),
                    }
                    for room in sorted({*arrived, *left})
                ],
            )
    return {"moved": len(changed), "unchanged": len(wanted) - len(changed)}


def remove_staff(engine: Engine, staff_id: str, by: str = "twin") -> None:
    """Take a member of staff off the roll (they leave); the change is logged."""
    with engine.begin() as conn:
        row = staff_row(conn, staff_id)
        conn.execute(delete(t.staff).where(t.staff.c.staff_id == row.staff_id))
        _log(conn, by, "staff_removed", [(row.staff_id, dict(row._mapping))])


# --- reads ---------------------------------------------------------------------------
