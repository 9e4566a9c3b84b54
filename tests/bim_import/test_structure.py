"""ModelIndex's attribute reads by position give what reading them by name gives."""

from __future__ import annotations

from pathlib import Path

import ifcopenshell
import numpy as np
import pytest

from bim_import.structure import (
    AxesCache,
    ModelIndex,
    axis2placement_matrix,
    placement_info_matrix,
)


@pytest.mark.parametrize(
    "file_name",
    ["b03_heating_with_building_blenderBIM.ifc", "Elektro_080729.ifc", "duplex.ifc"],
)
def test_attributes_by_position_are_those_by_name(shared_ifc: Path, file_name: str) -> None:
    model = ifcopenshell.open(str(shared_ifc / file_name))
    index = ModelIndex(model)
    products = model.by_type("IfcProduct") + model.by_type("IfcTypeObject")
    names = ("PredefinedType", "ObjectType", "ElementType", "Name", "NoSuchAttribute")
    compared = 0
    for entity in products:
        for name in names:
            assert index.attribute(entity, name) == getattr(entity, name, None), (entity, name)
            compared += getattr(entity, name, None) is not None
    assert compared > 100  # real values were compared, not only absent ones


def test_an_absent_attribute_is_none(shared_ifc: Path) -> None:
    # IFC2X3 flow segments have no PredefinedType: their cables are told apart by type
    model = ifcopenshell.open(str(shared_ifc / "Elektro_080729.ifc"))
    segment = model.by_type("IfcFlowSegment")[0]
    assert ModelIndex(model).attribute(segment, "PredefinedType") is None


@pytest.mark.parametrize(
    "file_name", ["AC90R1-niedriha-V2-2x3.ifc", "Office_A_20110811.ifc", "duplex.ifc"]
)
def test_placements_read_whole_give_the_matrices_read_attribute_by_attribute(
    shared_ifc: Path, file_name: str
) -> None:
    model = ifcopenshell.open(str(shared_ifc / file_name))
    cache = AxesCache()
    rotated = 0
    for local in model.by_type("IfcLocalPlacement"):
        relative = local.RelativePlacement
        whole = placement_info_matrix(relative.get_info(recursive=True), cache)
        assert whole is not None
        assert np.array_equal(whole, axis2placement_matrix(relative)), relative
        assert np.array_equal(whole, axis2placement_matrix(relative, cache)), relative
        rotated += not np.array_equal(whole[:3, :3], np.eye(3))
    assert rotated > 0  # axes were compared, not only translations
    assert 0 < len(cache) <= 256


def test_a_2d_placement_read_whole_and_the_cache_holds_at_most_256_pairs() -> None:
    model = ifcopenshell.file(schema="IFC4")
    cache = AxesCache()
    for turn in range(300):
        angle = turn * 0.01
        placement = model.createIfcAxis2Placement2D(
            model.createIfcCartesianPoint((1.0, 2.0)),
            model.createIfcDirection((np.cos(angle), np.sin(angle))),
        )
        whole = placement_info_matrix(placement.get_info(recursive=True), cache)
        assert whole is not None
        assert np.array_equal(whole, axis2placement_matrix(placement))
        assert np.allclose(whole[:2, 0], (np.cos(angle), np.sin(angle)))
        assert whole[2, 2] == 1.0 and tuple(whole[:3, 3]) == (1.0, 2.0, 0.0)
    assert len(cache) == 256


def test_a_placement_at_no_cartesian_point_is_left_to_the_attribute_reads() -> None:
    model = ifcopenshell.file(schema="IFC4")
    placement = model.createIfcAxis2Placement3D(model.createIfcCartesianPoint((1.0, 2.0, 3.0)))
    info = placement.get_info(recursive=True)
    info["Location"]["type"] = "IfcPointOnCurve"
    assert placement_info_matrix(info, AxesCache()) is None
    assert placement_info_matrix({"type": "IfcAxis1Placement"}, AxesCache()) is None
