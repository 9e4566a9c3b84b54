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
