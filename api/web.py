"""Serving the built web client at `/`, or a plain page saying how to build it.

The client is a static bundle (three.js, built with esbuild by `make`); `/` and
`/?room=CODE` both serve its `index.html`, which reads the query itself; `/map` (and
`/map?site=CODE`) serves the map page, `map.html`. The API
works whether or not the client is built, so `twin serve` always starts.
"""

from __future__ import annotations

import html
import logging
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.staticfiles import StaticFiles

__all__ = ["NOT_BUILT_TITLE", "client_dir", "mount_web_client"]

logger = logging.getLogger("twin.api")

NOT_BUILT_TITLE = "Campus Twin: the web client is not built"


def client_dir(configured: Path | None) -> Path | None:
    """The folder of the built client: `configured`, else `viewer.web.dist_dir()`, else None."""
    if configured is not None:
        return configured
    try:
        from viewer.web import dist_dir
    except ImportError:  # viewer/web not there yet, or without dist_dir
        return None
    return Path(dist_dir())


def _not_built_page(folder: Path | None) -> str:
    where = f"<code>{html.escape(str(folder))}</code>" if folder else "the web client's folder"
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{NOT_BUILT_TITLE}</title></head>
<body style="font-family: sans-serif; max-width: 40em; margin: 2em auto; padding: 0 1em">
<h1>{NOT_BUILT_TITLE}</h1>
<p>No <code>index.html</code> in {where}. Build the 3D viewer with <code>make</code> at the
project root (it runs <code>npm ci</code> and the esbuild bundle in <code>viewer/web</code>),
then restart <code>twin serve</code>.</p>
<p>The API works meanwhile: <a href="/docs">/docs</a>,
<a href="/api/buildings">/api/buildings</a>, <a href="/api/rooms">/api/rooms</a>.</p>
</body></html>
"""


def mount_web_client(app: FastAPI, configured: Path | None) -> Path | None:
    """Serve the built client at `/` and return its folder, or serve the build hint and None.

    Mount this after the API routes: a mount at `/` answers every path not matched before.
    """
    folder = client_dir(configured)
    if folder is not None and (folder / "map.html").is_file():
        map_page = folder / "map.html"

        async def map_view() -> FileResponse:
            return FileResponse(map_page, media_type="text/html")

        app.add_api_route("/map", map_view, include_in_schema=False, response_class=FileResponse)
    if folder is not None and (folder / "index.html").is_file():
        app.mount("/", StaticFiles(directory=folder, html=True), name="web")
        return folder
    page = _not_built_page(folder)

    async def not_built() -> HTMLResponse:
        return HTMLResponse(page)

    app.add_api_route("/", not_built, include_in_schema=False, response_class=HTMLResponse)
    return None
