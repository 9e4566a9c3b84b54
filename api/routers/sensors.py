"""`/api/sensors`: register (gateway or admin key), list, kinds, orphans, history."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response, status
from starlette.concurrency import run_in_threadpool

from api.deps import EngineDep, GatewayKey
from api.schemas.common import ERROR_RESPONSES
from layers import readings, sensors
from layers.kinds import SENSOR_KINDS

__all__ = ["router"]

router = APIRouter(prefix="/sensors", tags=["sensors"])

SensorId = Annotated[str, Path(description="The sensor's id.", examples=["dx-t-0001"])]


@router.get("", responses=ERROR_RESPONSES)
def list_sensors(
    engine: EngineDep,
    room_code: Annotated[str | None, Query(description="Only this room's sensors.")] = None,
    kind: Annotated[str | None, Query(description="Only this kind.")] = None,
) -> list[dict[str, Any]]:
    """Registered sensors in id order."""
    return sensors.list_sensors(engine, room_code=room_code, kind=kind)


@router.get("/kinds")
async def sensor_kinds() -> list[dict[str, object]]:
    """Every sensor kind: unit, plausible range, expected reporting interval, value type."""
    return [kind.public() for kind in SENSOR_KINDS.values()]


@router.get("/orphans")
def sensor_orphans(engine: EngineDep) -> list[dict[str, Any]]:
    """Sensors bound to nothing that exists: a retired room, a vanished code, no room at all."""
    return sensors.orphans(engine)


@router.post("", status_code=status.HTTP_201_CREATED, responses=ERROR_RESPONSES)
async def register_sensor(
    engine: EngineDep, _key: GatewayKey, sensor: sensors.SensorCreate, response: Response
) -> dict[str, Any]:
    """Register a sensor at a room (`room_code`), a site/building/element (`code`) or a position.

    A position with no code is placed in the room whose footprint holds (x, y) on the
    storey whose height range holds z; a position in no room is registered as an
    orphan (`orphan: true`), not guessed. The same registration again answers 200; a
    different one for an existing id 409.
    """
    registered = await run_in_threadpool(sensors.register_sensor, engine, sensor)
    if not registered["created"]:
        response.status_code = status.HTTP_200_OK
    return registered


@router.get("/{sensor_id}", responses=ERROR_RESPONSES)
def sensor(engine: EngineDep, sensor_id: SensorId) -> dict[str, Any]:
    """One sensor; 404 with the closest ids when there is none."""
    return sensors.get_sensor(engine, sensor_id)


@router.get("/{sensor_id}/readings", responses=ERROR_RESPONSES)
def sensor_history(
    engine: EngineDep,
    sensor_id: SensorId,
    since: Annotated[str | None, Query(description="ISO 8601 with zone; default 24 h ago.")] = None,
    until: Annotated[str | None, Query(description="ISO 8601 with zone; default now.")] = None,
    bucket: Annotated[str, Query(description="Bucket length: 30s, 15m, 1h, 1d.")] = "15m",
) -> dict[str, Any]:
    """Average, minimum, maximum and count of the sensor's readings per bucket."""
    return readings.history(engine, sensor_id, since=since, until=until, bucket=bucket)
