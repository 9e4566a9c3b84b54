"""The map's data: every site as a point, one site's GeoJSON layers, its IMDF archive."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, Response

from api.caching import cached_response
from api.deps import EngineDep
from twin.geo.geojson import LAYERS
from twin.geo.layer_cache import LayerCache
from twin.geo.sites import map_sites

__all__ = ["router"]

router = APIRouter(tags=["map"])

GEOJSON = "application/geo+json"


@router.get("/map/sites", response_class=Response)
def sites_on_map(
    request: Request,
    engine: EngineDep,
    idle_since: Annotated[
        str | None,
        Query(description="Count offices idle since then (e.g. 30d) as vacant too."),
    ] = None,
    if_none_match: Annotated[str | None, Header()] = None,
) -> Response:
    """Every placed site as a GeoJSON point with its key figures; the rest under `unplaced`.

    Without `idle_since` the answer is kept until the store or the open alarms change,
    with an ETag: an unchanged answer is a 304 to a client that has it."""
    from api.room_use import idle_by_room

    if idle_since:
        body = json.dumps(map_sites(engine, idle_by_room(engine, idle_since))).encode()
        return Response(body, media_type="application/json")
    layers: LayerCache = request.app.state.geo_layers
    content, etag = layers.sites()
    return cached_response(content, etag, "application/json", if_none_match)


@router.get("/sites/{site_code}/geojson", response_class=Response)
def site_layer(
    request: Request,
    site_code: str,
    layer: Annotated[str, Query(description=f"One of {', '.join(LAYERS)}.")] = "footprints",
    storey: Annotated[str | None, Query(description="F01, or a full storey code.")] = None,
    if_none_match: Annotated[str | None, Header()] = None,
) -> Response:
    """One layer of a site as an RFC 7946 FeatureCollection (WGS84 lon/lat), with an ETag:
    an unchanged layer answers 304 to a client that has it."""
    layers: LayerCache = request.app.state.geo_layers
    text, etag = layers.layer(site_code, layer, storey)
    return cached_response(text.encode(), etag, GEOJSON, if_none_match)


@router.get("/sites/{site_code}/imdf", response_class=Response)
def site_imdf(engine: EngineDep, site_code: str) -> Response:
    """The site as an IMDF 1.0 archive (venue, buildings, levels, units, openings)."""
    from twin.geo.imdf import imdf_archive

    archive = imdf_archive(engine, site_code)
    name = site_code.strip().upper()
    return Response(
        archive,
        media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{name}.imdf.zip"'},
    )
