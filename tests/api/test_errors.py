"""One table maps every error class to a status; subclasses must come before parents."""

from __future__ import annotations

import inspect
import sqlite3
from pathlib import Path

import httpx
import pytest

import models.errors
from api.app import create_app
from api.errors import STATUS_BY_ERROR
from api.settings import Settings
from models.errors import UnknownElement, UnknownStorey


def test_no_entry_is_hidden_behind_a_parent_listed_earlier() -> None:
    for index, (kind, _status) in enumerate(STATUS_BY_ERROR):
        earlier = [parent for parent, _ in STATUS_BY_ERROR[:index]]
        assert not any(issubclass(kind, parent) for parent in earlier), kind


def test_every_twin_error_has_a_status_and_bad_input_is_4xx() -> None:
    classes = [
        cls
        for _, cls in inspect.getmembers(models.errors, inspect.isclass)
        if issubclass(cls, models.errors.TwinError)
    ] + [UnknownElement, UnknownStorey]
    for cls in classes:
        status = next(code for kind, code in STATUS_BY_ERROR if issubclass(cls, kind))
        if issubclass(cls, models.errors.BadInput):
            assert 400 <= status < 500, cls
    statuses = dict(STATUS_BY_ERROR)
    assert statuses[models.errors.InvalidRoomCode] == 422
    assert statuses[models.errors.UnknownRoomCode] == 404


@pytest.mark.anyio
async def test_a_fault_answers_500_json_without_a_traceback(tmp_path: Path) -> None:
    # A store whose rooms table predates the schema: reading rooms fails inside the app.
    db = tmp_path / "old.db"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE rooms (room_code TEXT PRIMARY KEY)")
    app = create_app(Settings(database_url=str(db)))
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        response = await client.get("/api/rooms")
    app.state.engine.dispose()
    assert response.status_code == 500
    assert response.json()["detail"]["message"] == "internal error: OperationalError"
    assert "Traceback" not in response.text
