"""ModelIndex's attribute reads by position give what reading them by name gives."""

from __future__ import annotations

from pathlib import Path

import ifcopenshell
import pytest

from bim_import.structure import ModelIndex


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
