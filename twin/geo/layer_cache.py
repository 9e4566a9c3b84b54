"""Rendered GeoJSON layers kept until the store changes, for a server answering the map.

A map page asks for the same few layers of the same sites again and again; the text
of a layer only changes when an import, a utilities import or a room edit changes
the store. `LayerCache` keeps the text and its ETag per (site, layer, storey) and
drops them when `twin.store.ChangeWatch` sees a new data version (on SQLite a
`PRAGMA data_version` read, so a hit costs no query on the twin's tables).

It keeps `map_sites` (every site with its key figures, as JSON bytes) the same way;
as open alarms are among those figures and alarms change without a new data
version, that entry is also keyed by the alarms' highest id and open count (two
index reads).
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict

from sqlalchemy import Engine, func, select

from twin.geo.geojson import site_geojson
from twin.geo.sites import OPEN_ALARM_STATES, map_sites
from twin.store import ChangeWatch
from twin.store import schema as t

__all__ = ["LayerCache"]


class LayerCache:
    """`site_geojson` with its answers kept while the store's data version holds."""

    def __init__(self, engine: Engine, max_entries: int = 512) -> None:
        self._engine = engine
        self._watch = ChangeWatch(engine)
        self._lock = threading.Lock()
        self._max_entries = max_entries
        self._entries: OrderedDict[tuple[str, str, str], tuple[str, str, str]] = OrderedDict()
        self._sites: tuple[str, bytes, str] | None = None

    def layer(self, site_code: str, layer: str, storey: str | None = None) -> tuple[str, str]:
        """The layer's GeoJSON text and its ETag; errors as `site_geojson` raises them."""
        version = self._watch.version()
        key = (site_code.strip().upper(), layer, (storey or "").strip().upper())
        with self._lock:
            hit = self._entries.get(key)
            if hit is not None and hit[0] == version:
                self._entries.move_to_end(key)
                return hit[1], hit[2]
        text = site_geojson(self._engine, site_code, layer, storey)
        etag = hashlib.sha256(text.encode()).hexdigest()[:32]
        with self._lock:
            self._entries[key] = (version, text, etag)
            self._entries.move_to_end(key)
            while len(self._entries) > self._max_entries:
                self._entries.popitem(last=False)
        return text, etag

    def sites(self) -> tuple[bytes, str]:
        """`map_sites` (no idle measure) as JSON bytes and their ETag."""
        with self._engine.connect() as conn:
            alarms = conn.execute(
                select(
                    select(func.max(t.alarms.c.alarm_id)).scalar_subquery(),
                    select(func.count())
                    .select_from(t.alarms)
                    .where(t.alarms.c.state.in_(OPEN_ALARM_STATES))
                    .scalar_subquery(),
                )
            ).one()
        version = f"{self._watch.version()}.alarms{alarms[0]}.{alarms[1]}"
        kept = self._sites
        if kept is not None and kept[0] == version:
            return kept[1], kept[2]
        body = json.dumps(map_sites(self._engine), separators=(",", ":")).encode()
        etag = hashlib.sha256(body).hexdigest()[:32]
        self._sites = (version, body, etag)
        return body, etag

    def close(self) -> None:
        self._watch.close()
