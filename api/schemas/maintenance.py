"""What the API takes and returns about hidden services: room lists, near a point, drill check."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "Compass",
    "DrillCheckBody",
    "DrillCheckPublic",
    "HiddenService",
    "HiddenServicesPublic",
    "ModelFile",
    "NearService",
    "PipesNearPublic",
    "RoomWall",
    "SlabPosition",
    "WallDistance",
    "WallEnd",
    "WallPosition",
]


class ModelFile(BaseModel):
    file_name: str
    imported_at: str | None = Field(None, description="When the file was imported (UTC).")


class Compass(BaseModel):
    true_north_deg: float | None = Field(
        None, description="North in the plan, degrees anticlockwise from +Y; null: +Y is north."
    )
    convention: str


class WallDistance(BaseModel):
    wall: str = Field(description="Compass direction the wall faces (its outward normal).")
    distance_m: float = Field(description="Perpendicular distance at the run's middle.")
    distance_range_m: list[float] = Field(description="[least, most] over the run in the room.")


class SlabPosition(BaseModel):
    """In a ceiling void or a floor: height above the finished floor, two nearest walls."""

    height_above_floor_m: float = Field(description="Negative below the finished floor.")
    height_range_m: list[float]
    walls: list[WallDistance]


class WallEnd(BaseModel):
    end: str = Field(description="Compass direction of the wall end measured from.")
    distance_m: float
    distance_range_m: list[float]


class WallPosition(BaseModel):
    """In a wall: which wall, the room behind, depth behind the face, height, from the end."""

    wall: str
    room_behind: str | None = None
    depth_behind_face_m: float
    depth_range_m: list[float]
    height_above_floor_m: float
    height_range_m: list[float]
    from_wall_end: WallEnd
    wall_length_m: float


class HiddenService(BaseModel):
    element_id: str = Field(examples=["WZ01-B01-E000421"])
    kind: str = Field(examples=["pipe_segment"])
    system: str | None = None
    medium: str | None = Field(None, examples=["water"])
    outer_diameter_m: float | None = None
    where: str = Field(description="ceiling, floor or wall.")
    length_m: float = Field(description="Length of axis inside this zone of the room.")
    global_id: str
    source_file: str
    from_m: list[float] | None = Field(None, description="Where the run enters the zone (x,y,z).")
    to_m: list[float] | None = Field(None, description="Where it leaves it (x,y,z).")
    position: WallPosition | SlabPosition | None = None


class RoomWall(BaseModel):
    wall: str
    length_m: float
    from_m: list[float]
    to_m: list[float]


class HiddenServicesPublic(BaseModel):
    room_code: str
    where: list[str]
    floor_elevation_m: float | None = None
    finish_ceiling_m: float | None = None
    void_top_m: float | None = None
    compass: Compass
    walls: list[RoomWall]
    services: list[HiddenService]
    models: list[ModelFile]
    notice: str


class NearService(BaseModel):
    element_id: str
    kind: str
    system: str | None = None
    medium: str | None = None
    outer_diameter_m: float | None = None
    building_code: str | None = None
    storey_code: str | None = None
    source_file: str
    global_id: str
    distance_m: float = Field(description="From the query to the outside of the service.")
    axis_distance_m: float = Field(description="From the query to the service's axis.")
    along_m: float = Field(description="How far along the drill path the closest approach is.")


class PipesNearPublic(BaseModel):
    site_code: str
    point: list[float]
    radius_m: float
    storey_code: str | None = None
    services: list[NearService]


class DrillCheckBody(BaseModel):
    """A drill path: from `point` along `direction` for `depth` metres."""

    model_config = ConfigDict(extra="forbid")

    room: str = Field(examples=["WZ01-B01-F02-003K"], description="The room the crew stands in.")
    point: list[float] = Field(min_length=3, max_length=3, examples=[[12.0, 5.2, 2.9]])
    direction: list[float] = Field(min_length=3, max_length=3, examples=[[0.0, 0.0, 1.0]])
    depth: float = Field(0.1, gt=0, le=5.0, description="Drill depth in metres.")
    clearance: float = Field(
        0.05, ge=0, le=1.0, description="Clearance from the outside of each service, metres."
    )


class DrillCheckPublic(BaseModel):
    room_code: str
    point: list[float]
    direction: list[float]
    depth_m: float
    clearance_m: float
    services: list[NearService]
    message: str = Field(
        description="`no modelled service within clearance`, or how many were found; never safe."
    )
    models: list[ModelFile] = Field(description="The model files searched and their import dates.")
    notice: str
