"""ETags: a client holding the current copy gets 304 and no body."""

from __future__ import annotations

import hashlib

from api.caching import cached_response, etag_matches


def test_if_none_match_forms() -> None:
    assert etag_matches('"abc"', "abc")
    assert etag_matches('W/"abc"', '"abc"')
    assert etag_matches('"x", "abc"', "abc")
    assert etag_matches("*", "abc")
    assert not etag_matches('"abcd"', "abc")
    assert not etag_matches(None, "abc")
    assert not etag_matches("", "abc")


def test_body_with_etag_or_304_without_body() -> None:
    fresh = cached_response(b"png", None, "image/png", None)
    assert fresh.status_code == 200
    assert fresh.body == b"png"
    assert fresh.headers["etag"] == f'"{hashlib.sha256(b"png").hexdigest()}"'
    assert fresh.headers["cache-control"] == "no-cache"
    same = cached_response(b"png", None, "image/png", fresh.headers["etag"])
    assert same.status_code == 304
    assert same.body == b""
    changed = cached_response(b"png2", None, "image/png", fresh.headers["etag"])
    assert changed.status_code == 200
