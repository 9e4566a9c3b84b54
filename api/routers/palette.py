"""`GET /api/palette`: every colour mode and every category's colour, from `viewer.palette`.

The page and the snapshots colour rooms from this one definition.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

__all__ = ["router"]

router = APIRouter(prefix="/palette", tags=["palette"])


@router.get("")
def palette() -> dict[str, Any]:
    """The colour modes, each category's `#rrggbb` colour and label."""
    from viewer.palette import palette_document

    return palette_document()
