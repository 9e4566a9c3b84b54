"""`GET /api/elements/{element_id}`: a pipe with its system, diameter and rooms."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from twin.store import open_store
from twin.store import schema as t

pytestmark = pytest.mark.anyio


async def test_pipe_shows_system_diameter_axis_and_rooms(client: httpx.AsyncClient) -> None:
    room = (await client.get("/api/rooms/HT01-B01-F01-001P")).json()
    pipe_id = next(s["element_id"] for s in room["services"] if s["kind"] == "pipe_segment")
    response = await client.get(f"/api/elements/{pipe_id.lower()}")
    pipe = response.json()
    assert response.status_code == 200
    assert pipe["element_id"] == pipe_id
    assert pipe["kind"] == "pipe_segment"
    assert pipe["ifc_class"] == "IfcPipeSegment"
    assert pipe["medium"] == "heating"
    assert pipe["outer_diameter_m"] > 0
    assert pipe["systems"] and all(s["medium"] == "heating" for s in pipe["systems"])
    assert len(pipe["axis_m"]) >= 2 and all(len(point) == 3 for point in pipe["axis_m"])
    assert "HT01-B01-F01-001P" in {run["room_code"] for run in pipe["runs_through"]}


async def test_terminal_names_the_rooms_it_serves(
    client: httpx.AsyncClient, campus_db: Path
) -> None:
    with open_store(str(campus_db)).connect() as conn:
        served = conn.execute(select(t.serves.c.element_id, t.serves.c.room_code)).all()
    assert served, "the heating model's radiators serve its rooms"
    for element_id, room_code in served:
        element = (await client.get(f"/api/elements/{element_id}")).json()
        assert room_code in element["serves"]
        assert element["kind"] == "terminal"


async def test_unknown_element_is_404_with_closest_ids(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/elements/HT01-B01-E900114")
    detail = response.json()["detail"]
    assert response.status_code == 404
    assert "HT01-B01-E900114" in detail["message"]
    assert detail["closest"] and all(i.startswith("HT01-B01-E") for i in detail["closest"])
    for closest in detail["closest"]:
        assert (await client.get(f"/api/elements/{closest}")).status_code == 200
