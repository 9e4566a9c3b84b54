"""Attributes a class may lack, and unit scales, read without loading ifcopenshell's rules.

`getattr(entity, name, default)` for an attribute the entity's class does not have
makes ifcopenshell import its generated EXPRESS rules for the whole schema (looking
for a derived attribute of that name): ~3.5 MiB resident for IFC4, for nothing.
`ifcopenshell.util.unit.calculate_unit_scale` does so on every IfcMonetaryUnit.
"""

from __future__ import annotations

from typing import Any

import ifcopenshell
import ifcopenshell.util.unit

__all__ = ["attribute_or", "unit_scale"]

_INVALID = 0  # get_attribute_category of a name the class has no attribute by


def attribute_or(entity: ifcopenshell.entity_instance, name: str, default: Any = None) -> Any:
    """`getattr(entity, name, default)`, without the rules import when the class lacks `name`."""
    if entity.get_attribute_category(name) == _INVALID:
        return default
    return getattr(entity, name, default)


def unit_scale(model: ifcopenshell.file, unit_type: str = "LENGTHUNIT") -> float:
    """What `ifcopenshell.util.unit.calculate_unit_scale(model, unit_type)` gives."""
    projects = model.by_type("IfcProject")
    units = projects[0].UnitsInContext if projects else None
    if units is None:
        return 1
    scale = 1
    for unit in units.Units:
        if attribute_or(unit, "UnitType", ...) == unit_type:
            scale *= ifcopenshell.util.unit.get_unit_scale(unit)
    return scale
