"""A room's property sets are read as ifcopenshell's get_psets reads them."""

from __future__ import annotations

from pathlib import Path

import ifcopenshell
import ifcopenshell.api
import ifcopenshell.util.element
import pytest

from bim_import.spaces import _READ_SETS, _read_sets
from bim_import.structure import ModelIndex


def _wanted(psets: dict[str, dict[str, object]]) -> dict[str, dict[str, object]]:
    return {name: values for name, values in psets.items() if name in _READ_SETS}


@pytest.mark.parametrize(
    "file_name",
    ["duplex.ifc", "Office_A_20110811.ifc", "AC20-FZK-Haus.ifc", "Building-Architecture.ifc"],
)
def test_a_rooms_sets_are_those_get_psets_gives(shared_ifc: Path, file_name: str) -> None:
    model = ifcopenshell.open(str(shared_ifc / file_name))
    index = ModelIndex(model)
    found = 0
    for space in model.by_type("IfcSpace"):
        typed = index.element_type_by_id(space.id()) is not None
        expected = _wanted(ifcopenshell.util.element.get_psets(space))
        assert _read_sets(space, typed) == expected, space
        found += len(expected)
    assert found > 0  # sets were compared, not only their absence


def test_a_space_types_sets_are_inherited_and_the_occurrences_win() -> None:
    model = ifcopenshell.file(schema="IFC4")
    space = ifcopenshell.api.run("root.create_entity", model, ifc_class="IfcSpace")
    space_type = ifcopenshell.api.run("root.create_entity", model, ifc_class="IfcSpaceType")
    ifcopenshell.api.run(
        "type.assign_type", model, related_objects=[space], relating_type=space_type
    )
    for owner, category in ((space_type, "archive"), (space, "office")):
        pset = ifcopenshell.api.run("pset.add_pset", model, product=owner, name="Pset_SpaceCommon")
        properties = {"Category": category}
        if owner is space_type:
            properties["Reference"] = "T-1"
        ifcopenshell.api.run("pset.edit_pset", model, pset=pset, properties=properties)
    other = ifcopenshell.api.run("pset.add_pset", model, product=space, name="Pset_Unread")
    ifcopenshell.api.run("pset.edit_pset", model, pset=other, properties={"Category": "x"})
    sets = _read_sets(space, typed=True)
    assert sets["Pset_SpaceCommon"]["Category"] == "office"
    assert sets["Pset_SpaceCommon"]["Reference"] == "T-1"
    assert "Pset_Unread" not in sets
    assert sets == _wanted(ifcopenshell.util.element.get_psets(space))
    assert _read_sets(space, typed=False)["Pset_SpaceCommon"].get("Reference") is None
