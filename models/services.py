"""Records of building services as read from IFC: elements, ports, connections, systems.

An element is anything with a body the twin keeps: pipe, duct, cable and tray
segments, fittings, valves, terminals, pumps and other equipment, and the building
elements (walls, slabs, ceilings, doors) that hidden-service queries need.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from models.geometry import FloatArray, SourceRef

__all__ = [
    "SEGMENT_KINDS",
    "SERVICE_KINDS",
    "ConnectionRecord",
    "ElementKind",
    "ElementRecord",
    "FlowDirection",
    "PortRecord",
    "SystemRecord",
]


class ElementKind(StrEnum):
    PIPE_SEGMENT = "pipe_segment"
    DUCT_SEGMENT = "duct_segment"
    CABLE_SEGMENT = "cable_segment"
    CABLE_CARRIER_SEGMENT = "cable_carrier_segment"
    FITTING = "fitting"
    VALVE = "valve"
    SWITCH = "switch"
    PROTECTIVE_DEVICE = "protective_device"
    TERMINAL = "terminal"
    PUMP = "pump"
    EQUIPMENT = "equipment"
    WALL = "wall"
    SLAB = "slab"
    COVERING = "covering"
    DOOR = "door"
    WINDOW = "window"
    OTHER = "other"


SEGMENT_KINDS = frozenset(
    {
        ElementKind.PIPE_SEGMENT,
        ElementKind.DUCT_SEGMENT,
        ElementKind.CABLE_SEGMENT,
        ElementKind.CABLE_CARRIER_SEGMENT,
    }
)
SERVICE_KINDS = SEGMENT_KINDS | {
    ElementKind.FITTING,
    ElementKind.VALVE,
    ElementKind.SWITCH,
    ElementKind.PROTECTIVE_DEVICE,
    ElementKind.TERMINAL,
    ElementKind.PUMP,
    ElementKind.EQUIPMENT,
}


class FlowDirection(StrEnum):
    SOURCE = "SOURCE"
    SINK = "SINK"
    SOURCEANDSINK = "SOURCEANDSINK"
    NOTDEFINED = "NOTDEFINED"


@dataclass(slots=True)
class ElementRecord:
    """One element as read. `axis` is `(k, 3) float` (a polyline, metres) for segments."""

    source: SourceRef
    kind: ElementKind
    name: str | None
    type_name: str | None
    predefined_type: str | None
    storey_global_id: str | None
    building_global_id: str | None
    system_global_ids: list[str] = field(default_factory=list)
    axis: FloatArray | None = None
    outer_diameter_m: float | None = None
    normally_open: bool | None = None
    ifc_valve_type: str | None = None


@dataclass(frozen=True, slots=True)
class PortRecord:
    global_id: str
    element_global_id: str
    flow_direction: FlowDirection
    position: tuple[float, float, float] | None


@dataclass(frozen=True, slots=True)
class ConnectionRecord:
    """Two ports joined. `declared` is True for IfcRelConnectsPorts, False when inferred.

    Flow runs from `port_from` to `port_to` when `directed`; otherwise the order is
    as found.
    """

    port_from: str
    port_to: str
    declared: bool
    directed: bool
    relation_global_id: str | None = None


@dataclass(frozen=True)
class SystemRecord:
    source: SourceRef
    name: str
    predefined_type: str | None
    medium: str
