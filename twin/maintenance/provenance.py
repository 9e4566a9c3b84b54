"""Where an answer about hidden services comes from, and how each service is described.

Every answer that tells a crew where a pipe is names the files it was read from and
says that the positions are as designed, never as built: the twin does not know
what the fitters actually did. Services are described the same way everywhere
(`describe_service`), with the names of their systems (`system_names`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, Connection, select

from models.services import SEGMENT_KINDS
from twin.store import data_version
from twin.store import schema as t

__all__ = [
    "AS_DESIGNED",
    "SEGMENT_KIND_NAMES",
    "describe_service",
    "model_files",
    "segment_files",
    "system_names",
]

AS_DESIGNED = (
    "Positions are as designed in the model, not as built: confirm on site "
    "(detector, drawings, opening) before drilling or cutting."
)
SEGMENT_KIND_NAMES = tuple(kind.value for kind in SEGMENT_KINDS)


def model_files(conn: Connection, site_code: str, names: Iterable[str]) -> list[dict[str, Any]]:
    """`{"file_name", "imported_at"}` for each named file of the site, in name order."""
    wanted = sorted(set(names))
    if not wanted:
        return []
    rows = conn.execute(
        select(t.model_files.c.file_name, t.model_files.c.imported_at).where(
            t.model_files.c.site_code == site_code, t.model_files.c.file_name.in_(wanted)
        )
    ).all()
    dates = {row.file_name: row.imported_at for row in rows}
    return [{"file_name": name, "imported_at": dates.get(name)} for name in wanted]


_segment_files: dict[tuple[str, str], tuple[str, list[str]]] = {}


def segment_files(conn: Connection, site_code: str) -> list[str]:
    """The files of the site that hold pipe, duct, cable or tray segments, in name order.

    Finding them reads every element of the site, so the answer is kept per store and
    site until the store's data version (`twin.store.data_version`) moves.
    """
    version = data_version(conn.engine)
    key = (conn.engine.url.render_as_string(hide_password=True), site_code)
    cached = _segment_files.get(key)
    if cached is not None and cached[0] == version:
        return list(cached[1])
    found = sorted(
        conn.execute(
            select(t.elements.c.source_file)
            .where(t.elements.c.site_code == site_code, t.elements.c.kind.in_(SEGMENT_KIND_NAMES))
            .distinct()
        ).scalars()
    )
    _segment_files[key] = (version, found)
    return list(found)


def system_names(conn: Connection, where: ColumnElement[bool]) -> dict[str, str]:
    """`element id -> "System A, System B"` for the element-system rows `where` selects."""
    found: dict[str, list[str]] = {}
    for element, name in conn.execute(
        select(t.element_systems.c.element_id, t.systems.c.name)
        .join(t.systems, t.systems.c.system_id == t.element_systems.c.system_id)
        .where(where)
    ):
        found.setdefault(element, []).append(name)
    return {element: ", ".join(sorted(names)) for element, names in found.items()}


def describe_service(row: Any, systems: dict[str, str]) -> dict[str, Any]:
    """What a crew is told about a segment: id, kind, system, medium, outer diameter."""
    return {
        "element_id": row.element_id,
        "kind": row.kind,
        "system": systems.get(row.element_id),
        "medium": row.medium,
        "outer_diameter_m": None
        if row.outer_diameter_m is None
        else round(row.outer_diameter_m, 4),
    }
