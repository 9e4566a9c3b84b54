"""Outlines of swept profiles as numpy rings: rectangles, circles, polylines, arcs.

An extrusion's body follows from its profile's outline (`bim_import.extrusions`).
Here a profile becomes rings of 2D points in its own coordinates (file units): the
outer ring first, then the holes (voids of an `IfcArbitraryProfileDefWithVoids`, the
inside of an `IfcCircleHollowProfileDef`). Curves may be polylines, indexed poly
curves of line and three-point arc segments, and composite curves of polylines and
circle arcs trimmed by parameter or by point. A full circle has `CYLINDER_SIDES` (12)
sides, as the round segments rebuilt between ports (`bim_import.segments`) and as the
kernel gives a small circle (a 10 mm railing bar in Office_A), so a circle of radius
r has area 3 r² (4.5 % under the true circle; the kernel gives larger circles more
sides); an arc has one side per 22.5° (16 per turn, as the kernel gives the fillets of
steel sections in duplex.ifc). Any other profile or curve gives None: its product is
left to the kernel.
"""

from __future__ import annotations

import itertools
import math

import ifcopenshell
import numpy as np
import shapely

from bim_import.linear import apply, dot, matvec, norm
from bim_import.segments import CYLINDER_SIDES
from bim_import.structure import axis2placement_matrix
from models.geometry import FloatArray

__all__ = ["ARC_SIDES_PER_TURN", "curve_points", "profile_rings"]

ARC_SIDES_PER_TURN = 16

# Attributes by position (the same in IFC2X3, IFC4 and IFC4X3): IfcProfileDef
# ProfileType 0; IfcParameterizedProfileDef Position 2; IfcRectangleProfileDef XDim 3,
# YDim 4; IfcCircleProfileDef Radius 3; IfcCircleHollowProfileDef WallThickness 4;
# IfcArbitraryClosedProfileDef OuterCurve 2; IfcArbitraryProfileDefWithVoids
# InnerCurves 3; IfcPolyline Points 0; IfcIndexedPolyCurve Points 0, Segments 1;
# IfcCompositeCurve Segments 0; IfcCompositeCurveSegment SameSense 1, ParentCurve 2;
# IfcTrimmedCurve BasisCurve 0, Trim1 1, Trim2 2, SenseAgreement 3,
# MasterRepresentation 4; IfcCircle Position 0, Radius 1.
_PROFILE_POSITION, _OUTER_CURVE, _INNER_CURVES = 2, 2, 3


def profile_rings(
    profile: ifcopenshell.entity_instance, angle_scale: float
) -> list[FloatArray] | None:
    """The outer ring and the holes of an area profile, each `(k, 2) float`, or None.

    Rings carry no closing point; `angle_scale` is radians per plane angle unit of the
    file (trims of circle arcs are given in that unit).
    """
    if profile.get_argument(0) != "AREA":
        return None
    kind = profile.is_a()  # exact class: the rounded and other subtypes are not handled
    if kind in ("IfcArbitraryClosedProfileDef", "IfcArbitraryProfileDefWithVoids"):
        curves = [profile.get_argument(_OUTER_CURVE)]
        if kind == "IfcArbitraryProfileDefWithVoids":
            curves += list(profile.get_argument(_INNER_CURVES))
        rings = [curve_points(curve, angle_scale) for curve in curves]
    else:
        rings = _parameterized(profile, kind)
    if any(ring is None or len(ring) < 3 for ring in rings) or not rings:
        return None
    valid = [ring for ring in rings if ring is not None]
    return valid if shapely.Polygon(valid[0], valid[1:]).is_valid else None


def _parameterized(profile: ifcopenshell.entity_instance, kind: str) -> list[FloatArray | None]:
    if kind == "IfcRectangleProfileDef":
        half_x, half_y = float(profile.get_argument(3)) / 2.0, float(profile.get_argument(4)) / 2.0
        corners = [[-half_x, -half_y], [half_x, -half_y], [half_x, half_y], [-half_x, half_y]]
        rings = [np.array(corners)]
    elif kind == "IfcCircleProfileDef":
        rings = [_circle(float(profile.get_argument(3)))]
    elif kind == "IfcCircleHollowProfileDef":
        radius = float(profile.get_argument(3))
        inner = radius - float(profile.get_argument(4))
        if not 0.0 < inner < radius:
            return [None]
        rings = [_circle(radius), _circle(inner)[::-1]]
    else:
        return [None]
    position = profile.get_argument(_PROFILE_POSITION)
    if position is None:
        return list(rings)
    matrix = axis2placement_matrix(position)
    return [apply(ring, matrix) for ring in rings]


def _circle(radius: float) -> FloatArray:
    angles = np.arange(CYLINDER_SIDES) * (2.0 * math.pi / CYLINDER_SIDES)
    return radius * np.column_stack([np.cos(angles), np.sin(angles)])


def curve_points(curve: ifcopenshell.entity_instance, angle_scale: float) -> FloatArray | None:
    """The closed plane curve as a ring, `(k, 2) float` without the closing point, or None."""
    points = _open_points(curve, angle_scale)
    if points is None:
        return None
    if len(points) > 1 and np.allclose(points[0], points[-1], rtol=0.0, atol=1e-9):
        points = points[:-1]
    return points if len(points) >= 3 else None


def _open_points(curve: ifcopenshell.entity_instance, angle_scale: float) -> FloatArray | None:
    """Points along a plane curve from its start to its end, or None if not handled."""
    kind = curve.is_a()
    if kind == "IfcPolyline":
        return _plane_points([point.get_argument(0) for point in curve.get_argument(0)])
    if kind == "IfcIndexedPolyCurve":
        return _indexed_points(curve)
    if kind in ("IfcCompositeCurve", "Ifc2DCompositeCurve"):
        return _composite_points(curve, angle_scale)
    if kind == "IfcTrimmedCurve":
        return _arc_points(curve, angle_scale)
    return None


def _plane_points(coordinates: list[tuple[float, ...]]) -> FloatArray | None:
    if any(len(c) != 2 for c in coordinates):
        return None
    return np.array(coordinates, dtype=float).reshape(-1, 2)


def _composite_points(curve: ifcopenshell.entity_instance, angle_scale: float) -> FloatArray | None:
    pieces = []
    for segment in curve.get_argument(0):
        points = _open_points(segment.get_argument(2), angle_scale)
        if points is None:
            return None
        pieces.append(points if segment.get_argument(1) else points[::-1])
    return _joined(pieces)


def _joined(pieces: list[FloatArray]) -> FloatArray:
    """Consecutive pieces of a curve as one, each joint once."""
    joined = [pieces[0]] + [
        piece[1:] if np.allclose(piece[0], previous[-1], rtol=0.0, atol=1e-9) else piece
        for previous, piece in itertools.pairwise(pieces)
    ]
    return np.vstack(joined)


def _indexed_points(curve: ifcopenshell.entity_instance) -> FloatArray | None:
    """An IfcIndexedPolyCurve: its points in order, or along its line and arc segments."""
    points = _plane_points(list(curve.get_argument(0).get_argument(0)))
    segments = curve.get_argument(1)
    if points is None or not segments:
        return points
    pieces = []
    for segment in segments:
        corners = points[np.array(segment.wrappedValue, dtype=np.int64) - 1]
        if segment.is_a() == "IfcLineIndex":
            pieces.append(corners)
        elif segment.is_a() == "IfcArcIndex" and len(corners) == 3:
            pieces.append(_three_point_arc(corners))
        else:
            return None
    return _joined(pieces)


def _three_point_arc(corners: FloatArray) -> FloatArray:
    """The circle arc from `corners[0]` through `corners[1]` to `corners[2]` ((3, 2) float)."""
    start, middle, end = corners
    chord_a, chord_b = middle - start, end - start
    twice_area = chord_a[0] * chord_b[1] - chord_a[1] * chord_b[0]
    if abs(twice_area) < 1e-12 * max(1.0, dot(chord_b, chord_b)):
        return corners[[0, 2]]  # the three points on a line: a straight piece
    # the centre, from the perpendicular bisectors of the two chords
    a2, b2 = dot(chord_a, chord_a), dot(chord_b, chord_b)
    offset = np.array([chord_b[1] * a2 - chord_a[1] * b2, chord_a[0] * b2 - chord_b[0] * a2]) / (
        2.0 * twice_area
    )
    centre, radius = start + offset, norm(offset)
    angles = [math.atan2(*(point - centre)[::-1]) for point in (start, middle, end)]
    turn = 2.0 * math.pi
    sweep = (angles[2] - angles[0]) % turn
    if (angles[1] - angles[0]) % turn > sweep:  # the middle is not on the way round: go back
        sweep -= turn
    sides = max(1, math.ceil(abs(sweep) / (turn / ARC_SIDES_PER_TURN) - 1e-6))
    steps = angles[0] + np.linspace(0.0, sweep, sides + 1)
    arc = centre + radius * np.column_stack([np.cos(steps), np.sin(steps)])
    arc[0], arc[-1] = start, end  # exactly the given ends, so that the pieces join
    return arc


def _arc_points(curve: ifcopenshell.entity_instance, angle_scale: float) -> FloatArray | None:
    """A circle arc trimmed by parameter or by point, from its first trim to its second."""
    circle = curve.get_argument(0)
    if not circle.is_a("IfcCircle") or not circle.get_argument(0).is_a("IfcAxis2Placement2D"):
        return None
    matrix = axis2placement_matrix(circle.get_argument(0))[:2]
    radius = float(circle.get_argument(1))
    by_point = curve.get_argument(4) == "CARTESIAN"
    first = _trim_angle(curve.get_argument(1), matrix, angle_scale, by_point)
    last = _trim_angle(curve.get_argument(2), matrix, angle_scale, by_point)
    if first is None or last is None or not radius > 0.0:
        return None
    turn = 2.0 * math.pi
    if curve.get_argument(3):  # counter-clockwise from Trim1 to Trim2
        sweep = (last - first) % turn or turn
    else:
        sweep = -((first - last) % turn or turn)
    sides = max(1, math.ceil(abs(sweep) / (turn / ARC_SIDES_PER_TURN) - 1e-6))
    angles = first + np.linspace(0.0, sweep, sides + 1)
    local = radius * np.column_stack([np.cos(angles), np.sin(angles)])
    return apply(local, matrix)


def _trim_angle(
    trims: tuple[ifcopenshell.entity_instance, ...],
    matrix: FloatArray,
    angle_scale: float,
    by_point: bool,
) -> float | None:
    """The angle (radians, on the circle) of a trim: its parameter, else its point."""
    parameters = [trim for trim in trims if trim.is_a() == "IfcParameterValue"]
    points = [trim for trim in trims if trim.is_a() == "IfcCartesianPoint"]
    if parameters and not (by_point and points):
        return float(parameters[0].wrappedValue) * angle_scale
    if points:
        offset = np.array(points[0].get_argument(0)[:2], dtype=float) - matrix[:2, 3]
        local = matvec(matrix[:2, :2].T, offset)
        return math.atan2(float(local[1]), float(local[0]))
    return None
