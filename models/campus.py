"""Records of the built fabric as the importer reads it from one IFC file.

Sites, buildings, storeys and rooms, each carrying its source (`SourceRef`). The
twin turns these into coded, stored records; here they are plain values keyed by
IFC GlobalId.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from models.geometry import FloatArray, SourceRef

__all__ = [
    "BuildingRecord",
    "Georeference",
    "RoomRecord",
    "SiteRecord",
    "StoreyRecord",
]


@dataclass(frozen=True)
class Georeference:
    """How a model's engineering coordinates sit on the earth.

    From IfcMapConversion + IfcProjectedCRS (IFC4 and later) and/or IfcSite's
    reference latitude/longitude. Lengths are in metres (the map unit is already
    applied); `scale` is metres on the map per metre of the model (1.0 unless the
    grid is distorted); `x_axis_abscissa`/`x_axis_ordinate` give the grid rotation.
    """

    epsg: int | None = None
    crs_name: str | None = None
    eastings_m: float | None = None
    northings_m: float | None = None
    orthogonal_height_m: float | None = None
    x_axis_abscissa: float = 1.0
    x_axis_ordinate: float = 0.0
    scale: float = 1.0
    latitude_deg: float | None = None
    longitude_deg: float | None = None
    elevation_m: float | None = None
    true_north_deg: float | None = None

    @property
    def has_map_conversion(self) -> bool:
        return self.eastings_m is not None and self.northings_m is not None


@dataclass(frozen=True)
class SiteRecord:
    source: SourceRef
    name: str
    long_name: str | None
    georeference: Georeference


@dataclass(frozen=True)
class BuildingRecord:
    source: SourceRef
    name: str
    long_name: str | None


@dataclass(frozen=True)
class StoreyRecord:
    source: SourceRef
    building_global_id: str
    name: str
    elevation_m: float


@dataclass
class RoomRecord:
    """One IfcSpace as read: identity, usage, quantities and footprint.

    `footprint` is an `(n, 2) float` ring in site coordinates (metres), or `None` when
    the space has no usable geometry; `holes` are inner rings.
    """

    source: SourceRef
    storey_global_id: str
    name: str
    long_name: str | None
    object_type: str | None
    usage: str
    usage_matched: str | None
    net_floor_area_m2: float | None
    area_source: str
    declared_area_m2: float | None
    height_m: float | None
    volume_m3: float | None
    floor_elevation_m: float | None
    finish_ceiling_height_m: float | None
    footprint: FloatArray | None
    holes: list[FloatArray] = field(default_factory=list)
    department: str | None = None
