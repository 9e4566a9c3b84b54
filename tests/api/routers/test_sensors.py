"""`/api/sensors` over the real app: keys, registration statuses, lists, orphans, history."""

from __future__ import annotations

from pathlib import Path

import pytest

from layers.keys import create_key
from models.codes import RoomCode
from tests.api.conftest import app_client
from tests.campus_stores import copy_store
from twin.store import open_store

pytestmark = pytest.mark.anyio

A101 = "DX01-B01-F01-001C"


def _keys(db: Path) -> dict[str, str]:
    engine = open_store(str(db))
    return {role: create_key(engine, role) for role in ("gateway", "admin")}


def _auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


async def test_registration_needs_a_gateway_or_admin_key(campus_db: Path, tmp_path: Path) -> None:
    db = copy_store(campus_db, tmp_path)
    keys = _keys(db)
    sensor = {"id": "t-1", "kind": "temperature", "room_code": A101}
    async with app_client(db) as client:
        missing = await client.post("/api/sensors", json=sensor)
        assert missing.status_code == 401
        assert missing.headers["www-authenticate"] == "Bearer"
        bad = await client.post("/api/sensors", json=sensor, headers=_auth("twin_made-up"))
        assert bad.status_code == 401
        assert "unknown or revoked key" in bad.json()["detail"]["message"]
        created = await client.post("/api/sensors", json=sensor, headers=_auth(keys["gateway"]))
        assert created.status_code == 201, created.text
        assert created.json()["room_code"] == A101
        again = await client.post("/api/sensors", json=sensor, headers=_auth(keys["admin"]))
        assert again.status_code == 200
        moved = await client.post(
            "/api/sensors",
            json={**sensor, "room_code": None, "code": "DX01"},
            headers=_auth(keys["admin"]),
        )
        assert moved.status_code == 409
        listed = await client.get("/api/sensors", params={"room_code": A101})
        assert [s["id"] for s in listed.json()] == ["t-1"]


async def test_mistyped_code_422_unknown_code_404_with_closest(
    campus_db: Path, tmp_path: Path
) -> None:
    db = copy_store(campus_db, tmp_path)
    key = _auth(_keys(db)["gateway"])
    async with app_client(db) as client:
        typo = await client.post(
            "/api/sensors",
            json={"id": "t-1", "kind": "temperature", "room_code": A101[:-1] + "Z"},
            headers=key,
        )
        assert typo.status_code == 422
        assert "check character" in typo.json()["detail"]["message"]
        unknown = str(RoomCode.make("DX01", "B01", "F01", 98))
        missing = await client.post(
            "/api/sensors",
            json={"id": "t-1", "kind": "temperature", "room_code": unknown},
            headers=key,
        )
        assert missing.status_code == 404
        assert missing.json()["detail"]["closest"]
        incomplete = await client.post(
            "/api/sensors", json={"id": "t-1", "kind": "temperature"}, headers=key
        )
        assert incomplete.status_code == 422
        assert "room_code, code, or a position" in incomplete.json()["detail"]["message"]


async def test_orphan_by_position_is_listed_and_kinds_are_public(
    campus_db: Path, tmp_path: Path
) -> None:
    db = copy_store(campus_db, tmp_path)
    key = _auth(_keys(db)["gateway"])
    async with app_client(db) as client:
        placed = await client.post(
            "/api/sensors",
            json={"id": "t-far", "kind": "temperature", "x": 900, "y": 900, "z": 1},
            headers=key,
        )
        assert placed.status_code == 201 and placed.json()["orphan"] is True
        orphans = await client.get("/api/sensors/orphans")
        assert [o["id"] for o in orphans.json()] == ["t-far"]
        kinds = {k["kind"]: k for k in (await client.get("/api/sensors/kinds")).json()}
        assert kinds["manhole_cover"]["states"] == {"closed": 0.0, "open": 1.0}
        unknown = await client.get("/api/sensors/t-fa")
        assert unknown.status_code == 404
        assert unknown.json()["detail"]["closest"] == ["t-far"]


async def test_reads_need_a_key_when_the_setting_says_so(campus_db: Path, tmp_path: Path) -> None:
    db = copy_store(campus_db, tmp_path)
    keys = _keys(db)
    async with app_client(db, keys_for_reads=True) as client:
        for path in ("/api/buildings", "/api/rooms", "/api/sensors", "/api/ingest/stats"):
            assert (await client.get(path)).status_code == 401, path
            allowed = await client.get(path, headers=_auth(keys["gateway"]))
            assert allowed.status_code == 200, path
    async with app_client(db) as client:
        assert (await client.get("/api/sensors")).status_code == 200
