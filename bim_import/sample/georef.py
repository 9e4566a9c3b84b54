"""Where the sample campus is on earth: Wenzhou, 28.00 N 120.70 E, in EPSG:4549.

The site's local origin is mapped to the CGCS2000 / 3-degree Gauss-Kruger CM 120E
grid (EPSG:4549) by an IfcMapConversion without rotation or scale; pyproj gives the
grid coordinates (its axis order for EPSG:4549 is northing first, hence
always_xy=True). pyproj is imported when the numbers are first needed.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

__all__ = ["CampusGeoreference", "campus_georeference", "compound_angle"]

LATITUDE_DEG = 28.0
LONGITUDE_DEG = 120.7
EPSG = 4549
ORTHOGONAL_HEIGHT_M = 10.0


@dataclass(frozen=True)
class CampusGeoreference:
    epsg: int
    eastings: float
    northings: float
    orthogonal_height_m: float
    latitude: float
    longitude: float


@functools.cache
def campus_georeference() -> CampusGeoreference:
    """Map coordinates of the site origin, rounded to the millimetre."""
    from pyproj import Transformer

    transformer = Transformer.from_crs(4326, EPSG, always_xy=True)
    eastings, northings = transformer.transform(LONGITUDE_DEG, LATITUDE_DEG)
    return CampusGeoreference(
        EPSG,
        round(float(eastings), 3),
        round(float(northings), 3),
        ORTHOGONAL_HEIGHT_M,
        LATITUDE_DEG,
        LONGITUDE_DEG,
    )


def compound_angle(degrees: float) -> tuple[int, int, int, int]:
    """Degrees, minutes, seconds and millionths of a second, all with the angle's sign.

    >>> compound_angle(120.7)
    (120, 42, 0, 0)
    """
    sign = -1 if degrees < 0 else 1
    millionths = round(abs(degrees) * 3600 * 1_000_000)
    seconds, micro = divmod(millionths, 1_000_000)
    minutes, sec = divmod(seconds, 60)
    deg, minute = divmod(minutes, 60)
    return (sign * deg, sign * minute, sign * sec, sign * micro)
