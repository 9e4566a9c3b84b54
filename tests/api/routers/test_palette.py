"""`GET /api/palette`: the one colour definition the page and the snapshots share."""

from __future__ import annotations

import httpx
import pytest

pytestmark = pytest.mark.anyio


async def test_palette_is_the_viewer_palette(client: httpx.AsyncClient) -> None:
    palette = pytest.importorskip("viewer.palette", reason="viewer.palette is another engineer's")
    response = await client.get("/api/palette")
    assert response.status_code == 200
    assert response.json() == palette.palette_document()
    modes = {mode["key"] for mode in response.json()["modes"]}
    assert "usage" in modes
