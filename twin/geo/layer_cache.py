"""Rendered GeoJSON layers kept until the store changes, for a server answering the map.

A map page asks for the same few layers of the same sites again and again; the text
of a layer only changes when an import, a utilities import or a room edit changes
the store. `LayerCache` keeps the text and its ETag per (site, layer, storey) and
drops them when `twin.store.ChangeWatch` sees a new data version (on SQLite a
`PRAGMA data_version` read, so a hit costs no query on the twin's tables).
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict

from sqlalchemy import Engine

from twin.geo.geojson import site_geojson
from twin.store import ChangeWatch

__all__ = ["LayerCache"]


class LayerCache:
    """`site_geojson` with its answers kept while the store's data version holds."""

    def __init__(self, engine: Engine, max_entries: int = 512) -> None:
        self._engine = engine
        self._watch = ChangeWatch(engine)
        self._lock = threading.Lock()
        self._max_entries = max_entries
        self._entries: OrderedDict[tuple[str, str, str], tuple[str, str, str]] = OrderedDict()

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

    def close(self) -> None:
        self._watch.close()
