"""Axis-aligned geometry used to plan the sample campus.

Everything in the sample campus is a rectangle, a box or a straight run along one
axis, in site coordinates (metres). Keeping the plan this simple lets the answer
file be computed exactly from the plan instead of from the IFC it produces:
`length_inside_m` clips a straight run against a box and is the only measuring
tool the zone calculation needs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias

__all__ = [
    "Box",
    "Point3",
    "Rect",
    "axis_of",
    "distance_m",
    "length_inside_m",
    "moved",
    "point",
    "rect",
    "rounded",
]

Point3: TypeAlias = tuple[float, float, float]

_DIGITS = 6


def rounded(value: float) -> float:
    """Round to a micrometre so sums of widths print the same on every run."""
    return round(value, _DIGITS) + 0.0  # + 0.0 turns -0.0 into 0.0


def point(x: float, y: float, z: float) -> Point3:
    """A rounded point."""
    return (rounded(x), rounded(y), rounded(z))


def rect(x0: float, y0: float, x1: float, y1: float) -> Rect:
    """A rounded rectangle."""
    return Rect(rounded(x0), rounded(y0), rounded(x1), rounded(y1))


def moved(p: Point3, dx: float = 0.0, dy: float = 0.0, dz: float = 0.0) -> Point3:
    """`p` moved by (dx, dy, dz)."""
    return point(p[0] + dx, p[1] + dy, p[2] + dz)


def distance_m(p0: Point3, p1: Point3) -> float:
    """Euclidean distance between two points."""
    return float(sum((b - a) ** 2 for a, b in zip(p0, p1, strict=True)) ** 0.5)


def axis_of(p0: Point3, p1: Point3) -> Point3:
    """Unit vector from p0 to p1; the run must be parallel to one axis and not empty."""
    delta = [b - a for a, b in zip(p0, p1, strict=True)]
    moving = [i for i, d in enumerate(delta) if abs(d) > 1e-9]
    if len(moving) != 1:
        raise ValueError(f"run {p0} -> {p1} is not parallel to one axis")
    unit = [0.0, 0.0, 0.0]
    unit[moving[0]] = 1.0 if delta[moving[0]] > 0 else -1.0
    return (unit[0], unit[1], unit[2])


@dataclass(frozen=True)
class Rect:
    """An axis-aligned rectangle in plan, x0 < x1 and y0 < y1 (metres)."""

    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def width_m(self) -> float:
        return rounded(self.x1 - self.x0)

    @property
    def depth_m(self) -> float:
        return rounded(self.y1 - self.y0)

    @property
    def area_m2(self) -> float:
        return rounded((self.x1 - self.x0) * (self.y1 - self.y0))

    @property
    def centre(self) -> tuple[float, float]:
        return (rounded((self.x0 + self.x1) / 2), rounded((self.y0 + self.y1) / 2))

    def corners(self) -> list[tuple[float, float]]:
        """The four corners, counter-clockwise from (x0, y0), not closed."""
        return [(self.x0, self.y0), (self.x1, self.y0), (self.x1, self.y1), (self.x0, self.y1)]

    def grown(self, margin_m: float) -> Rect:
        """The rectangle grown on every side by margin_m (shrunk when negative)."""
        return Rect(self.x0 - margin_m, self.y0 - margin_m, self.x1 + margin_m, self.y1 + margin_m)


@dataclass(frozen=True)
class Box:
    """An axis-aligned box: a rectangle in plan between two heights."""

    rect: Rect
    z0: float
    z1: float

    @property
    def lo(self) -> Point3:
        return (self.rect.x0, self.rect.y0, self.z0)

    @property
    def hi(self) -> Point3:
        return (self.rect.x1, self.rect.y1, self.z1)

    @staticmethod
    def around(centre: Point3, size: Point3, bottom: bool = False) -> Box:
        """A box of the given size centred on `centre` (or standing on it)."""
        sx, sy, sz = size
        x, y, z = centre
        z0 = z if bottom else z - sz / 2
        return Box(
            rect(x - sx / 2, y - sy / 2, x + sx / 2, y + sy / 2),
            rounded(z0),
            rounded(z0 + sz),
        )


def length_inside_m(p0: Point3, p1: Point3, box: Box) -> float:
    """Length of the straight run p0 -> p1 that lies inside `box` (Liang-Barsky clip)."""
    t_in, t_out = 0.0, 1.0
    for a, b, lo, hi in zip(p0, p1, box.lo, box.hi, strict=True):
        d = b - a
        if abs(d) < 1e-12:
            if a < lo or a > hi:
                return 0.0
            continue
        t0, t1 = (lo - a) / d, (hi - a) / d
        if t0 > t1:
            t0, t1 = t1, t0
        t_in, t_out = max(t_in, t0), min(t_out, t1)
        if t_in >= t_out:
            return 0.0
    return (t_out - t_in) * distance_m(p0, p1)
