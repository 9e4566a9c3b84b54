"""Planning warnings with the live layer's utilisation: what the API and the CLI both serve.

`twin` may not import `layers`, so this api-level helper measures each room's share
of working time used over the last days (`layers.utilisation`) and passes it to
`twin.planning.checks.planning_warnings`, where it marks occupied offices idle.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine

from layers.utilisation import utilisation
from twin.planning.checks import planning_warnings

__all__ = ["UTILISATION_DAYS", "room_utilisation", "warnings"]

UTILISATION_DAYS = 28


def room_utilisation(engine: Engine, days: int = UTILISATION_DAYS) -> dict[str, float | None]:
    """Each room's share of working time used over the last `days` (None: no sensor)."""
    since = datetime.now(UTC) - timedelta(days=days)
    report = utilisation(engine, since, by="room", period="week")
    return {group["key"]: group["utilisation"] for group in report["groups"]}


def warnings(
    engine: Engine,
    site_code: str | None = None,
    kinds: Iterable[str] | None = None,
    days: int = UTILISATION_DAYS,
) -> list[dict[str, Any]]:
    """Every planning warning, with idle judged by utilisation where sensors measure it."""
    return planning_warnings(engine, site_code, kinds, utilisation=room_utilisation(engine, days))
