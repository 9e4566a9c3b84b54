"""Profile rings: circles, hollow circles, rectangles placed, composite curves with arcs."""

from __future__ import annotations

import math

import ifcopenshell
import numpy as np
import pytest

from bim_import.profiles import ARC_SIDES_PER_TURN, profile_rings
from bim_import.segments import CYLINDER_SIDES
from bim_import.triangulation import signed_area
from tests.handmade_ifc import HandmadeModel

DEGREE = math.pi / 180.0


def _half_disc(
    model: HandmadeModel, same_sense: bool, by_point: bool
) -> ifcopenshell.entity_instance:
    """A D: the arc of radius 1 about the origin from 90° to 270° and the diameter back.

    With `same_sense` false the arc is listed from 270° back to 90° (and the segment
    says so), which must give the same ring.
    """
    file = model.file
    circle = file.createIfcCircle(file.createIfcAxis2Placement2D(model.point(0.0, 0.0), None), 1.0)
    if by_point:
        trims = ([model.point(0.0, 1.0)], [model.point(0.0, -1.0)], "CARTESIAN")
    else:
        trims = (
            [file.createIfcParameterValue(90.0)],
            [file.createIfcParameterValue(270.0)],
            "PARAMETER",
        )
    if same_sense:
        arc = file.createIfcTrimmedCurve(circle, trims[0], trims[1], True, trims[2])
    else:
        arc = file.createIfcTrimmedCurve(circle, trims[1], trims[0], False, trims[2])
    diameter = model.polyline([(0.0, -1.0), (0.0, 1.0)])
    curve = file.createIfcCompositeCurve(
        [
            file.createIfcCompositeCurveSegment("CONTINUOUS", same_sense, arc),
            file.createIfcCompositeCurveSegment("CONTINUOUS", True, diameter),
        ],
        False,
    )
    return file.createIfcArbitraryClosedProfileDef("AREA", None, curve)


@pytest.mark.parametrize(("same_sense", "by_point"), [(True, False), (False, False), (True, True)])
def test_a_composite_curve_with_an_arc_is_a_polygon_of_its_points(
    same_sense: bool, by_point: bool
) -> None:
    model = HandmadeModel()
    rings = profile_rings(_half_disc(model, same_sense, by_point), DEGREE)
    assert rings is not None and len(rings) == 1
    sides = ARC_SIDES_PER_TURN // 2
    assert len(rings[0]) == sides + 1  # the arc's points; the diameter adds no corner
    inscribed = 0.5 * sides * math.sin(math.pi / sides)  # half a 16-gon of radius 1
    assert abs(signed_area(rings[0])) == pytest.approx(inscribed)
    np.testing.assert_allclose(rings[0].min(axis=0), [-1.0, -1.0], atol=1e-12)
    np.testing.assert_allclose(rings[0].max(axis=0), [0.0, 1.0], atol=1e-12)


def test_a_circle_has_the_sides_of_a_round_segment_and_a_hollow_one_a_hole() -> None:
    model = HandmadeModel()
    centre = model.file.createIfcAxis2Placement2D(model.point(2.0, 3.0), None)
    solid = profile_rings(model.file.createIfcCircleProfileDef("AREA", None, centre, 0.5), DEGREE)
    hollow = profile_rings(
        model.file.createIfcCircleHollowProfileDef("AREA", None, centre, 0.5, 0.1), DEGREE
    )
    assert solid is not None and hollow is not None
    assert len(solid) == 1 and len(solid[0]) == CYLINDER_SIDES
    np.testing.assert_allclose(solid[0].mean(axis=0), [2.0, 3.0], atol=1e-12)
    assert abs(signed_area(solid[0])) == pytest.approx(3 * 0.5**2)  # a 12-gon: 3 r²
    assert len(hollow) == 2
    assert abs(signed_area(hollow[1])) == pytest.approx(3 * 0.4**2)


def test_a_rectangle_is_turned_and_moved_by_its_position() -> None:
    model = HandmadeModel()
    position = model.file.createIfcAxis2Placement2D(model.point(10.0, 0.0), model.direction(0, 1))
    rings = profile_rings(
        model.file.createIfcRectangleProfileDef("AREA", None, position, 4.0, 2.0), DEGREE
    )
    assert rings is not None
    np.testing.assert_allclose(rings[0].min(axis=0), [9.0, -2.0])
    np.testing.assert_allclose(rings[0].max(axis=0), [11.0, 2.0])


def test_curves_and_profiles_not_handled_give_none() -> None:
    model = HandmadeModel()
    ellipse = model.file.createIfcEllipse(
        model.file.createIfcAxis2Placement2D(model.point(0.0, 0.0), None), 2.0, 1.0
    )
    closed_ellipse = model.file.createIfcArbitraryClosedProfileDef("AREA", None, ellipse)
    curve_only = model.file.createIfcArbitraryClosedProfileDef(
        "CURVE", None, model.polyline([(0, 0), (1, 0), (1, 1), (0, 0)])
    )
    bow_tie = model.file.createIfcArbitraryClosedProfileDef(
        "AREA", None, model.polyline([(0, 0), (1, 1), (1, 0), (0, 1), (0, 0)])
    )
    assert profile_rings(closed_ellipse, DEGREE) is None
    assert profile_rings(curve_only, DEGREE) is None
    assert profile_rings(bow_tie, DEGREE) is None


def test_an_indexed_poly_curve_with_an_arc_segment_follows_the_arc() -> None:
    model = HandmadeModel()
    file = model.file
    points = file.createIfcCartesianPointList2D([(0.0, 1.0), (-1.0, 0.0), (0.0, -1.0)])
    curve = file.createIfcIndexedPolyCurve(
        points,
        [file.createIfcArcIndex((1, 2, 3)), file.createIfcLineIndex((3, 1))],
        False,
    )
    rings = profile_rings(file.createIfcArbitraryClosedProfileDef("AREA", None, curve), DEGREE)
    assert rings is not None
    sides = ARC_SIDES_PER_TURN // 2
    assert len(rings[0]) == sides + 1
    assert abs(signed_area(rings[0])) == pytest.approx(0.5 * sides * math.sin(math.pi / sides))
    np.testing.assert_allclose(rings[0].min(axis=0), [-1.0, -1.0], atol=1e-12)
