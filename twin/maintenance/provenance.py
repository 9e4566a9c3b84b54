"""Where an answer about hidden services comes from: the model files and their import dates.

Every answer that tells a crew where a pipe is names the files it was read from and
says that the positions are as designed, never as built: the twin does not know
what the fitters actually did.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, select

from models.services import SEGMENT_KINDS
from twin.store import schema as t

__all__ = ["AS_DESIGNED", "SEGMENT_KIND_NAMES", "model_files", "segment_files"]

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


def segment_files(conn: Connection, site_code: str) -> list[str]:
    """The files of the site that hold pipe, duct, cable or tray segments."""
    return list(
        conn.execute(
            select(t.elements.c.source_file)
            .where(t.elements.c.site_code == site_code, t.elements.c.kind.in_(SEGMENT_KIND_NAMES))
            .distinct()
        ).scalars()
    )
