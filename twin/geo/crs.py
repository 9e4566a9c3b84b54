"""Where a site's coordinates are on the earth: site metres to WGS84 and to map grids.

A site's frame is the store's frame (metres, as the site's first model drew them).
`frame_for` turns a `Georeference` into a `SiteFrame`, from the first that applies:

- an IfcMapConversion in a projected CRS with an EPSG code: the site's x axis is
  turned by XAxisAbscissa/XAxisOrdinate, lengths multiplied by the (metric) Scale
  and shifted to Eastings/Northings, then pyproj takes the grid to WGS84;
- a reference latitude/longitude (IFC2X3's IfcSite RefLatitude/RefLongitude, with
  TrueNorth): an azimuthal-equidistant plane around the reference point, which has
  no zone edges and works across ±180° longitude.

pyproj is always used with `always_xy=True` (EPSG:4549 and EPSG:4326 list northing
or latitude first) and imported at first use, so `import twin` stays light.

>>> frame = frame_for(Georeference(latitude_deg=28.0, longitude_deg=120.7))
>>> [round(float(v), 6) for v in frame.to_lonlat(np.array([[0.0, 0.0]]))[0]]
[120.7, 28.0]
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from models.campus import Georeference
from models.geometry import FloatArray

if TYPE_CHECKING:
    from pyproj import Transformer

__all__ = [
    "WGS84",
    "SiteFrame",
    "affine_between",
    "frame_for",
    "georeference_of",
    "transformer",
]

WGS84 = "EPSG:4326"
GEOREFERENCE_KEYS = tuple(Georeference.__dataclass_fields__)


@functools.lru_cache(maxsize=128)
def transformer(source: str, target: str) -> Transformer:
    """A cached pyproj transformer between two CRS definitions, x/lon first."""
    from pyproj import Transformer

    return Transformer.from_crs(source, target, always_xy=True)


@dataclass(frozen=True)
class SiteFrame:
    """A site frame on the earth: a plane CRS, an origin in it, a rotation and a scale.

    `crs` is any pyproj definition of the plane (an EPSG grid, or an azimuthal
    plane around the reference point); `placed_by` says where the placement came
    from (`map_conversion`, `lat_lon`, `manifest`).
    """

    crs: str
    origin_e: float
    origin_n: float
    height_m: float
    cos: float
    sin: float
    scale: float
    epsg: int | None
    placed_by: str
    reference_lonlat: tuple[float, float] | None = None

    def origin_lonlat(self) -> tuple[float, float]:
        """WGS84 longitude, latitude of the site origin (0, 0)."""
        if self.reference_lonlat is not None:
            # The azimuthal plane is centred on the origin: no projection to build.
            return self.reference_lonlat
        lon, lat = self.to_lonlat(np.zeros((1, 2)))[0]
        return float(lon), float(lat)

    def to_plane(self, xy: FloatArray) -> FloatArray:
        """`(n, 2)` site metres to `(n, 2)` coordinates of the frame's plane CRS."""
        xy = np.asarray(xy, dtype=np.float64).reshape(-1, 2)
        x, y = xy[:, 0], xy[:, 1]
        east = self.origin_e + self.scale * (self.cos * x - self.sin * y)
        north = self.origin_n + self.scale * (self.sin * x + self.cos * y)
        return np.column_stack([east, north])

    def from_plane(self, en: FloatArray) -> FloatArray:
        """The inverse of `to_plane`."""
        en = np.asarray(en, dtype=np.float64).reshape(-1, 2)
        de = (en[:, 0] - self.origin_e) / self.scale
        dn = (en[:, 1] - self.origin_n) / self.scale
        return np.column_stack([self.cos * de + self.sin * dn, -self.sin * de + self.cos * dn])

    def to_lonlat(self, xy: FloatArray) -> FloatArray:
        """`(n, 2)` site metres to `(n, 2)` WGS84 longitude, latitude in degrees."""
        plane = self.to_plane(xy)
        lon, lat = transformer(self.crs, WGS84).transform(plane[:, 0], plane[:, 1])
        return np.column_stack([np.asarray(lon, dtype=np.float64), np.asarray(lat)])

    def from_lonlat(self, lonlat: FloatArray) -> FloatArray:
        """`(n, 2)` WGS84 longitude, latitude to `(n, 2)` site metres."""
        lonlat = np.asarray(lonlat, dtype=np.float64).reshape(-1, 2)
        e, n = transformer(WGS84, self.crs).transform(lonlat[:, 0], lonlat[:, 1])
        return self.from_plane(np.column_stack([np.asarray(e, dtype=np.float64), np.asarray(n)]))

    def to_projected(self, xy: FloatArray, epsg: int | None = None) -> FloatArray:
        """`(n, 2)` site metres in the grid `epsg` (default: the site's own EPSG)."""
        target = epsg or self.epsg
        if target is None:
            raise ValueError("the site has no projected CRS; name one")
        if self.epsg == target:
            return self.to_plane(xy)
        plane = self.to_plane(xy)
        e, n = transformer(self.crs, f"EPSG:{target}").transform(plane[:, 0], plane[:, 1])
        return np.column_stack([np.asarray(e, dtype=np.float64), np.asarray(n)])


def frame_for(georef: Georeference, placed_by: str | None = None) -> SiteFrame | None:
    """The frame a georeference gives, or None when it does not place the site."""
    if georef.has_map_conversion and georef.epsg is not None:
        angle = math.atan2(georef.x_axis_ordinate, georef.x_axis_abscissa)
        return SiteFrame(
            crs=f"EPSG:{georef.epsg}",
            origin_e=float(georef.eastings_m or 0.0),
            origin_n=float(georef.northings_m or 0.0),
            height_m=float(georef.orthogonal_height_m or 0.0),
            cos=math.cos(angle),
            sin=math.sin(angle),
            scale=float(georef.scale or 1.0),
            epsg=georef.epsg,
            placed_by=placed_by or "map_conversion",
        )
    if georef.latitude_deg is not None and georef.longitude_deg is not None:
        # TrueNorth is anticlockwise from the model's +y; east/north are the model's
        # axes turned back by that angle.
        angle = -math.radians(georef.true_north_deg or 0.0)
        crs = (
            f"+proj=aeqd +lat_0={georef.latitude_deg!r} +lon_0={georef.longitude_deg!r} "
            "+x_0=0 +y_0=0 +datum=WGS84 +units=m +no_defs"
        )
        return SiteFrame(
            crs=crs,
            origin_e=0.0,
            origin_n=0.0,
            height_m=float(georef.elevation_m or 0.0),
            cos=math.cos(angle),
            sin=math.sin(angle),
            scale=1.0,
            epsg=georef.epsg,
            placed_by=placed_by or "lat_lon",
            reference_lonlat=(float(georef.longitude_deg), float(georef.latitude_deg)),
        )
    return None


def georeference_of(row: Any) -> Georeference:
    """The `Georeference` held by a `sites` row (a SQLAlchemy row or a mapping)."""
    mapping = row._mapping if hasattr(row, "_mapping") else row
    values = {key: mapping.get(key) for key in GEOREFERENCE_KEYS}
    for key, default in (("x_axis_abscissa", 1.0), ("x_axis_ordinate", 0.0), ("scale", 1.0)):
        if values[key] is None:
            values[key] = default
    return Georeference(**values)


def affine_between(
    source: SiteFrame, target: SiteFrame, span_m: float = 100.0
) -> tuple[FloatArray, FloatArray]:
    """The plan matrix `(2, 2)` and offset `(3,)` taking `source` frame metres to `target`'s.

    Exact when both frames share a plane CRS; otherwise fitted through WGS84 over
    `span_m` (projection distortion across a campus is far below a millimetre).
    """
    probe = np.array([[0.0, 0.0], [span_m, 0.0], [0.0, span_m]])
    if source.crs == target.crs:
        moved = target.from_plane(source.to_plane(probe))
    else:
        moved = target.from_lonlat(source.to_lonlat(probe))
    matrix = np.column_stack([(moved[1] - moved[0]) / span_m, (moved[2] - moved[0]) / span_m])
    offset = np.array([moved[0][0], moved[0][1], source.height_m - target.height_m])
    return matrix, offset
