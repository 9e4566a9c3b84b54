"""Classify a room's usage from its IFC texts through the keyword table `usage.toml`.

>>> classify_usage(["Room 12", "办公室"]).category
'office'
>>> classify_usage(["R-1"]).category
'unclassified'
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

__all__ = ["UNCLASSIFIED", "UsageMatch", "classify_usage", "usage_categories"]

UNCLASSIFIED = "unclassified"


@dataclass(frozen=True)
class UsageMatch:
    """The category chosen and the keyword and text that chose it (None when unmatched)."""

    category: str
    keyword: str | None = None
    text: str | None = None


@cache
def _keyword_table() -> tuple[tuple[str, str], ...]:
    raw = resources.files("bim_import").joinpath("usage.toml").read_text(encoding="utf-8")
    table = tomllib.loads(raw)
    pairs = [
        (keyword.casefold(), category)
        for category, entry in table["categories"].items()
        for keyword in entry["keywords"]
    ]
    # Longest keyword first: "meeting room" must beat "room", "teeküche" beat "küche".
    return tuple(sorted(pairs, key=lambda pair: (-len(pair[0]), pair[0])))


def usage_categories() -> list[str]:
    """Every category the table knows, plus `unclassified`."""
    return [*sorted({category for _, category in _keyword_table()}), UNCLASSIFIED]


def _matches(keyword: str, text: str) -> bool:
    if keyword.isascii() and len(keyword) <= 3:
        # Short Latin keywords ("wc", "bad", "it") must stand as whole words.
        words = "".join(c if c.isalnum() else " " for c in text).split()
        return keyword in words
    return keyword in text


@lru_cache(maxsize=4096)
def _keyword_in(text: str) -> tuple[str, str] | None:
    """(keyword, category) of the first keyword `text` contains; texts repeat from room to room."""
    folded = text.casefold()
    for keyword, category in _keyword_table():
        if _matches(keyword, folded):
            return keyword, category
    return None


def classify_usage(texts: Iterable[str | None]) -> UsageMatch:
    """The usage category of the first text, in order, that contains a keyword."""
    for text in texts:
        if not text:
            continue
        found = _keyword_in(text)
        if found is not None:
            return UsageMatch(found[1], found[0], text)
    return UsageMatch(UNCLASSIFIED)
