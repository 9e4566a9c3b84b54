"""Layers kept until the store changes: same text while nothing changes, new after an edit."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from models.errors import BadInput
from tests.campus_stores import copy_store
from twin.geo.geojson import site_geojson
from twin.geo.layer_cache import LayerCache
from twin.rooms import list_rooms, set_room
from twin.store import open_store


def test_cache_follows_the_store(sample_db: Path, tmp_path: Path) -> None:
    engine = open_store(str(copy_store(sample_db, tmp_path)))
    cache = LayerCache(engine, max_entries=2)
    text, etag = cache.layer("wz01", "rooms")
    assert text == site_geojson(engine, "WZ01", "rooms")
    assert cache.layer("WZ01", "rooms") == (text, etag)
    code = list_rooms(engine)[0]["room_code"]
    set_room(engine, code, {"name": "Renamed"})
    changed, new_etag = cache.layer("WZ01", "rooms")
    assert new_etag != etag
    names = {f["id"]: f["properties"]["name"] for f in json.loads(changed)["features"]}
    assert names[code] == "Renamed"
    # Storeys are kept apart, and bad requests are raised, never kept.
    assert cache.layer("WZ01", "rooms", "F02")[0] != changed
    with pytest.raises(BadInput):
        cache.layer("WZ01", "roofs")
    cache.close()
    engine.dispose()


def test_map_sites_kept_until_the_store_or_the_alarms_change(
    sample_db: Path, tmp_path: Path
) -> None:
    from datetime import UTC, datetime

    from sqlalchemy import insert, update

    from twin.geo.sites import map_sites
    from twin.store import schema as t

    engine = open_store(str(copy_store(sample_db, tmp_path)))
    cache = LayerCache(engine)
    body, etag = cache.sites()
    assert json.loads(body) == map_sites(engine)
    assert cache.sites() == (body, etag)
    office = list_rooms(engine, usage="office")[0]["room_code"]
    set_room(engine, office, {"department": "Finance"})  # a new data version
    edited, edited_etag = cache.sites()
    assert edited_etag != etag and json.loads(edited) == map_sites(engine)

    def site_alarms() -> int | None:
        (feature,) = json.loads(cache.sites()[0])["features"]
        return feature["properties"]["open_alarms"]

    assert site_alarms() is None
    with engine.begin() as conn:  # as the alarm worker raises one: no new data version
        conn.execute(
            insert(t.alarms).values(
                rule="temperature.high",
                sensor_id="s1",
                kind="temperature",
                room_code=office,
                severity="warning",
                state="raised",
                message="too warm",
                raised_at=datetime.now(UTC).isoformat(timespec="seconds"),
            )
        )
    assert site_alarms() == 1
    with engine.begin() as conn:  # and clears it
        conn.execute(update(t.alarms).values(state="cleared"))
    assert site_alarms() == 0
    assert json.loads(cache.sites()[0]) == map_sites(engine)
    cache.close()
    engine.dispose()
