"""`/api/alarms` and `/api/notifications` over the real app: readings in, alarms out, keys."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli.main import app as cli
from layers import alarms
from layers.keys import check_key, create_key
from layers.sensors import SensorCreate, register_sensor
from tests.api.conftest import app_client
from tests.campus_stores import copy_store
from twin.store import open_store

pytestmark = pytest.mark.anyio

A101 = "DX01-B01-F01-001C"


def _auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def _prepare(campus_db: Path, tmp_path: Path) -> tuple[Path, dict[str, str]]:
    db = copy_store(campus_db, tmp_path)
    engine = open_store(str(db))
    register_sensor(engine, SensorCreate(id="smoke-1", kind="smoke", room_code=A101))
    keys = {role: create_key(engine, role) for role in ("gateway", "admin")}
    engine.dispose()
    return db, keys


async def test_reading_raises_alarm_admin_acknowledges_then_reading_clears(
    campus_db: Path, tmp_path: Path
) -> None:
    db, keys = _prepare(campus_db, tmp_path)
    smoke = {"sensor": "smoke-1", "ts": "2026-03-01T08:00:00Z", "value": True}
    store = open_store(str(db))
    async with app_client(db) as client:
        sent = await client.post("/api/readings", json=[smoke], headers=_auth(keys["gateway"]))
        assert sent.status_code == 200, sent.text
        alarms.settle(store)  # judged in the background, after the answer
        raised = (await client.get("/api/alarms", params={"state": "raised"})).json()
        assert [(a["rule"], a["room_code"], a["severity"]) for a in raised] == [
            ("smoke.on", A101, "critical")
        ]
        alarm_id = raised[0]["alarm_id"]
        path = f"/api/alarms/{alarm_id}/acknowledge"
        assert (await client.post(path, headers=_auth(keys["gateway"]))).status_code == 403
        acked = await client.post(path, headers=_auth(keys["admin"]))
        assert acked.status_code == 200, acked.text
        admin_id = check_key(open_store(str(db)), keys["admin"])
        assert admin_id is not None
        assert acked.json()["acknowledged_by"] == f"key:{admin_id.key_id}"
        assert (await client.get("/api/alarms", params={"state": "raised"})).json() == []
        off = {**smoke, "ts": "2026-03-01T08:05:00Z", "value": False}
        await client.post("/api/readings", json=[off], headers=_auth(keys["gateway"]))
        alarms.settle(store)
        cleared = (await client.get(f"/api/alarms/{alarm_id}")).json()
        assert (cleared["state"], cleared["cleared_at"]) == ("cleared", "2026-03-01T08:05:00Z")
        again = await client.post(path, json={"who": "bob"}, headers=_auth(keys["admin"]))
        assert again.status_code == 409
        assert (await client.get("/api/alarms/999")).status_code == 404
        assert (await client.get("/api/alarms", params={"state": "gone"})).status_code == 422
    # the app's watch ends with it: readings stored afterwards raise nothing
    engine = open_store(str(db))
    from layers.ingest import ingest_readings

    ingest_readings(engine, [{**smoke, "ts": "2026-03-01T09:00:00Z"}], "http")
    assert len(alarms.list_alarms(engine)) == 1


async def test_rules_get_put_and_notifications_listed(campus_db: Path, tmp_path: Path) -> None:
    db, keys = _prepare(campus_db, tmp_path)
    async with app_client(db) as client:
        rules = (await client.get("/api/alarms/rules")).json()
        assert "smoke.on" in {r["name"] for r in rules["defaults"]}
        path = f"/api/alarms/rules/{A101}/smoke.on"
        body = {"enabled": False}
        assert (await client.put(path, json=body)).status_code == 401
        put = await client.put(path, json=body, headers=_auth(keys["admin"]))
        assert put.status_code == 200, put.text
        assert put.json()["overrides"][0]["enabled"] is False
        bad = await client.put(
            f"/api/alarms/rules/{A101}/smoke.off", json=body, headers=_auth(keys["admin"])
        )
        assert bad.status_code == 422
        smoke = {"sensor": "smoke-1", "ts": "2026-03-01T08:00:00Z", "value": 1}
        await client.post("/api/readings", json=[smoke], headers=_auth(keys["gateway"]))
        alarms.settle(open_store(str(db)))
        assert (await client.get("/api/alarms")).json() == []
        config = {
            "contacts": {"ops": {"webhook": "http://127.0.0.1:9/"}},
            "routes": [{"name": "all", "steps": ["ops"]}],
        }
        stored = await client.put(
            "/api/notifications/config", json=config, headers=_auth(keys["admin"])
        )
        assert stored.status_code == 200, stored.text
        wrong = {**config, "routes": [{"name": "all", "steps": ["nobody"]}]}
        refused = await client.put(
            "/api/notifications/config", json=wrong, headers=_auth(keys["admin"])
        )
        assert refused.status_code == 422
        assert (await client.get("/api/notifications")).json() == []


def test_cli_loads_rules_and_lists_alarms(campus_db: Path, tmp_path: Path) -> None:
    db, _ = _prepare(campus_db, tmp_path)
    rules = tmp_path / "rules.toml"
    rules.write_text(f'[rooms."{A101}"]\n"smoke.on" = {{ severity = "major" }}\n')
    loaded = CliRunner().invoke(cli, ["alarms", "rules", "load", str(rules), "--db", str(db)])
    assert loaded.exit_code == 0, loaded.output
    assert "loaded 1 room override" in loaded.output
    rules.write_text('[rooms."DX01-B01-F01-001Z"]\n"smoke.on" = {}\n')
    typo = CliRunner().invoke(cli, ["alarms", "rules", "load", str(rules), "--db", str(db)])
    assert typo.exit_code == 2
    listed = CliRunner().invoke(cli, ["alarms", "list", "--json", "--db", str(db)])
    assert listed.exit_code == 0 and listed.stdout.strip() == "[]"
