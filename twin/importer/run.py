"""The state of one import while it writes, and what it reports when done."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, insert

from twin.manifest import Manifest
from twin.store import schema as t

__all__ = ["ChangeReport", "ImportRun", "ImportSummary", "inserted_id", "now_utc", "record_event"]


@dataclass
class ChangeReport:
    """What a re-import changed about rooms."""

    added: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    renamed: list[dict[str, str]] = field(default_factory=list)
    area_changed: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class ImportSummary:
    site_code: str
    files: list[str]
    buildings: list[str]
    counts: dict[str, int]
    warnings: list[str]
    unclassified_rooms: list[str]
    reimport: bool
    changes: ChangeReport

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def now_utc() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass
class ImportRun:
    """State of one import while it writes."""

    conn: Connection
    site_code: str
    manifest: Manifest
    at: str
    warnings: list[str] = field(default_factory=list)
    changes: ChangeReport = field(default_factory=ChangeReport)
    counts: Counter[str] = field(default_factory=Counter)
    buildings_touched: set[str] = field(default_factory=set)
    unclassified: list[str] = field(default_factory=list)


def inserted_id(conn: Connection, statement: Any) -> int:
    key = conn.execute(statement).inserted_primary_key
    assert key is not None
    return int(key[0])


def record_event(conn: Connection, code: str, at: str, kind: str, detail: dict[str, Any]) -> None:
    conn.execute(
        insert(t.room_events).values(
            room_code=code, at=at, kind=kind, detail=json.dumps(detail, ensure_ascii=False)
        )
    )
