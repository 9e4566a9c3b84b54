"""Conditional responses: send a body with its ETag, or 304 when the client already has it.

`Cache-Control: no-cache` lets the browser keep the copy but ask every time, so a
changed building shows at once and an unchanged one costs a 304 with no body.

>>> cached_response(b"glb", "abc", "model/gltf-binary", '"abc"').status_code
304
>>> cached_response(b"glb", "abc", "model/gltf-binary", '"old"').headers["etag"]
'"abc"'
"""

from __future__ import annotations

import hashlib

from fastapi import Response

__all__ = ["cached_response", "etag_matches"]


def _bare(tag: str) -> str:
    tag = tag.strip()
    return tag.removeprefix("W/").strip('"')


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """Whether an If-None-Match header names `etag` (weak comparison, `*` matches all)."""
    if not if_none_match:
        return False
    wanted = _bare(etag)
    return any(tag.strip() == "*" or _bare(tag) == wanted for tag in if_none_match.split(","))


def cached_response(
    content: bytes, etag: str | None, media_type: str, if_none_match: str | None
) -> Response:
    """200 with `content` and its ETag (the content's SHA-256 when `etag` is None), or 304."""
    quoted = f'"{_bare(etag) if etag else hashlib.sha256(content).hexdigest()}"'
    headers = {"ETag": quoted, "Cache-Control": "no-cache"}
    if etag_matches(if_none_match, quoted):
        return Response(status_code=304, headers=headers)
    return Response(content, media_type=media_type, headers=headers)
