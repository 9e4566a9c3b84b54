"""`GET /api/buildings`, a building's storeys, its 3D model (GLB) and its snapshot (PNG)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request, Response

from api.caching import cached_response
from api.deps import BuildingCode, EngineDep, SettingsDep
from api.schemas import BuildingPublic, StoreyPublic
from api.schemas.common import ERROR_RESPONSES
from twin import campus
from twin.rooms import campus_info
from viewer.snapshot_service import SnapshotService

__all__ = ["router"]

router = APIRouter(prefix="/buildings", tags=["buildings"])

IfNoneMatch = Annotated[str | None, Header(description="ETag of the copy the client holds.")]


@router.get("", response_model=list[BuildingPublic])
def list_buildings(engine: EngineDep) -> list[dict[str, Any]]:
    """Every building, in code order, with counts of storeys, rooms, area and elements."""
    return campus_info(engine)


@router.get(
    "/{building_code}/storeys", response_model=list[StoreyPublic], responses=ERROR_RESPONSES
)
def list_storeys(engine: EngineDep, building: BuildingCode) -> list[dict[str, Any]]:
    """The building's storeys, lowest first, with their active room counts."""
    return campus.storeys(engine, building)


@router.get(
    "/{building_code}/model.glb",
    response_class=Response,
    responses={
        200: {"content": {"model/gltf-binary": {}}, "description": "The building as glTF 2.0."},
        304: {"description": "Unchanged since the ETag in If-None-Match."},
        **ERROR_RESPONSES,
    },
)
def building_model(
    engine: EngineDep,
    settings: SettingsDep,
    building: BuildingCode,
    if_none_match: IfNoneMatch = None,
) -> Response:
    """The building as one binary glTF: a node per room (named by room code) and per element.

    Built once per change of the building and cached; the ETag is the content hash,
    so a client that sends it back in If-None-Match gets 304 and no body.
    """
    from viewer.gltf import building_glb

    model = building_glb(engine, building, settings.cache_dir)
    return cached_response(model.content, model.etag, "model/gltf-binary", if_none_match)


def _storey_code(
    engine: EngineDep,
    building: BuildingCode,
    storey: Annotated[str | None, Query(description="`F02`; the whole building if absent.")] = None,
) -> str | None:
    return campus.resolve_storey_code(engine, building, storey) if storey else None


@router.get(
    "/{building_code}/snapshot.png",
    response_class=Response,
    responses={
        200: {"content": {"image/png": {}}, "description": "An off-screen picture with legend."},
        304: {"description": "Unchanged since the ETag in If-None-Match."},
        **ERROR_RESPONSES,
    },
)
async def building_snapshot(
    request: Request,
    settings: SettingsDep,
    building: BuildingCode,
    storey_code: Annotated[str | None, Depends(_storey_code)],
    colour: Annotated[str, Query(description="A colour mode of `/api/palette`.")] = "usage",
    if_none_match: IfNoneMatch = None,
) -> Response:
    """A PNG of the building, or of one storey with those above hidden, coloured by `colour`.

    Drawn off-screen by one worker process and cached until the building's data
    changes; an unknown colour mode answers 422, an unknown storey 404.
    """
    service: SnapshotService = request.app.state.snapshots
    png = await service.render(settings.database_url, building, storey_code, colour)
    return cached_response(png, None, "image/png", if_none_match)
