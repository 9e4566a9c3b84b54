"""Classify elements (by entity, else by their type object) and read systems and media.

IFC2X3 writes most services as generic flow elements (IfcFlowSegment,
IfcFlowController…) whose type object says what they are: in
Elektro_080729.ifc the IfcFlowControllers are switches and breakers, not valves.
"""

from __future__ import annotations

import ifcopenshell
import ifcopenshell.util.element

from bim_import.attributes import attribute_or
from models.services import ElementKind

__all__ = ["classify_element", "system_medium", "valve_details"]

# Checked in order: the first class the element (or its type) is wins.
_BY_CLASS: tuple[tuple[str, ElementKind], ...] = (
    ("IfcPipeSegment", ElementKind.PIPE_SEGMENT),
    ("IfcDuctSegment", ElementKind.DUCT_SEGMENT),
    ("IfcCableSegment", ElementKind.CABLE_SEGMENT),
    ("IfcCableCarrierSegment", ElementKind.CABLE_CARRIER_SEGMENT),
    ("IfcFlowFitting", ElementKind.FITTING),
    ("IfcValve", ElementKind.VALVE),
    ("IfcSwitchingDevice", ElementKind.SWITCH),
    ("IfcProtectiveDevice", ElementKind.PROTECTIVE_DEVICE),
    ("IfcPump", ElementKind.PUMP),
    ("IfcFlowTerminal", ElementKind.TERMINAL),
    ("IfcDistributionElement", ElementKind.EQUIPMENT),
    ("IfcWall", ElementKind.WALL),
    ("IfcSlab", ElementKind.SLAB),
    ("IfcCovering", ElementKind.COVERING),
    ("IfcDoor", ElementKind.DOOR),
    ("IfcWindow", ElementKind.WINDOW),
)
# Type objects that say what a generic flow element is.
_BY_TYPE: tuple[tuple[str, ElementKind], ...] = (
    ("IfcPipeSegmentType", ElementKind.PIPE_SEGMENT),
    ("IfcDuctSegmentType", ElementKind.DUCT_SEGMENT),
    ("IfcCableSegmentType", ElementKind.CABLE_SEGMENT),
    ("IfcCableCarrierSegmentType", ElementKind.CABLE_CARRIER_SEGMENT),
    ("IfcValveType", ElementKind.VALVE),
    ("IfcSwitchingDeviceType", ElementKind.SWITCH),
    ("IfcProtectiveDeviceType", ElementKind.PROTECTIVE_DEVICE),
    ("IfcPumpType", ElementKind.PUMP),
)
_GENERIC = ("IfcFlowSegment", "IfcFlowController", "IfcFlowMovingDevice")

_MEDIUM_BY_SYSTEM_TYPE = {
    "DOMESTICCOLDWATER": "cold water",
    "WATERSUPPLY": "cold water",
    "DOMESTICHOTWATER": "hot water",
    "HEATING": "heating",
    "CHILLEDWATER": "chilled water",
    "CONDENSERWATER": "chilled water",
    "DRAINAGE": "drainage",
    "WASTEWATER": "drainage",
    "SEWAGE": "drainage",
    "STORMWATER": "drainage",
    "RAINWATER": "drainage",
    "FIREPROTECTION": "sprinkler",
    "GAS": "gas",
    "FUEL": "gas",
    "VENTILATION": "ventilation",
    "AIRCONDITIONING": "ventilation",
    "EXHAUST": "ventilation",
    "VENT": "ventilation",
    "ELECTRICAL": "power",
    "LIGHTING": "power",
    "POWERGENERATION": "power",
    "EARTHING": "power",
    "DATA": "data",
    "COMMUNICATION": "data",
    "TELEPHONE": "data",
    "SIGNAL": "data",
}
_MEDIUM_BY_WORD = (
    ("sprinkler", "sprinkler"),
    ("fire", "sprinkler"),
    ("消防", "sprinkler"),
    ("喷淋", "sprinkler"),
    ("gas", "gas"),
    ("燃气", "gas"),
    ("heiz", "heating"),
    ("heating", "heating"),
    ("采暖", "heating"),
    ("供暖", "heating"),
    ("drain", "drainage"),
    ("sewage", "drainage"),
    ("abwasser", "drainage"),
    ("排水", "drainage"),
    ("hot water", "hot water"),
    ("热水", "hot water"),
    ("cold water", "cold water"),
    ("trinkwasser", "cold water"),
    ("给水", "cold water"),
    ("冷水", "cold water"),
    ("water", "cold water"),
    ("vent", "ventilation"),
    ("lüftung", "ventilation"),
    ("通风", "ventilation"),
    ("electr", "power"),
    ("power", "power"),
    ("strom", "power"),
    ("电", "power"),
)


def classify_element(
    element: ifcopenshell.entity_instance, element_type: ifcopenshell.entity_instance | None
) -> ElementKind:
    """What an element is, in the twin's words, given its type object (if any)."""
    if any(element.is_a(generic) for generic in _GENERIC) and not _is_specific(element):
        if element_type is not None:
            for class_name, kind in _BY_TYPE:
                if element_type.is_a(class_name):
                    return kind
        if element.is_a("IfcFlowSegment"):
            return ElementKind.PIPE_SEGMENT
        return ElementKind.EQUIPMENT
    for class_name, kind in _BY_CLASS:
        if element.is_a(class_name):
            return kind
    return ElementKind.OTHER


def _is_specific(element: ifcopenshell.entity_instance) -> bool:
    """True for IFC4 subtypes (IfcPipeSegment…) of the generic flow classes."""
    return element.is_a() not in _GENERIC


def system_medium(name: str | None, predefined_type: str | None) -> str:
    """The medium a system carries, from its predefined type, else words in its name."""
    if predefined_type and predefined_type.upper() in _MEDIUM_BY_SYSTEM_TYPE:
        return _MEDIUM_BY_SYSTEM_TYPE[predefined_type.upper()]
    folded = (name or "").casefold()
    for word, medium in _MEDIUM_BY_WORD:
        if word in folded:
            return medium
    return "unknown"


def valve_details(
    element: ifcopenshell.entity_instance, element_type: ifcopenshell.entity_instance | None
) -> tuple[str | None, bool | None]:
    """A valve's predefined type (ISOLATING, CHECK…) and whether it is normally open."""
    predefined = attribute_or(element, "PredefinedType")
    if predefined in (None, "NOTDEFINED", "USERDEFINED") and element_type is not None:
        predefined = attribute_or(element_type, "PredefinedType") or predefined
    normally_open: bool | None = None
    psets = ifcopenshell.util.element.get_psets(element)
    for pset in ("Pset_ValveTypeIsolating", "Pset_ValveTypeCommon", "Pset_ValveOccurrence"):
        value = psets.get(pset, {}).get("IsNormallyOpen")
        if value is not None:
            normally_open = bool(value)
            break
    return predefined, normally_open
