"""Ports, declared port connections, and connections inferred from coinciding ports.

Ports come from IfcRelNests (IFC4) or IfcRelConnectsPortToElement (IFC2X3);
connections only from IfcRelConnectsPorts, one record per relationship. (Inferring
connections from coinciding ports is the twin's job: `twin.connectivity`.)
"""

from __future__ import annotations

import ifcopenshell

from bim_import.structure import ModelIndex
from models.services import ConnectionRecord, FlowDirection, PortRecord

__all__ = ["declared_connections", "read_ports"]


def _flow_direction(port: ifcopenshell.entity_instance) -> FlowDirection:
    value = getattr(port, "FlowDirection", None)
    try:
        return FlowDirection(value) if value else FlowDirection.NOTDEFINED
    except ValueError:
        return FlowDirection.NOTDEFINED


def read_ports(
    element: ifcopenshell.entity_instance,
    element_id: str,
    index: ModelIndex,
    length_scale: float,
) -> list[PortRecord]:
    """The element's ports with world positions in metres (None when unplaced).

    `element_id` is the element's record id (its GlobalId, made unique).
    """
    ports = []
    for port in index.ports(element):
        position: tuple[float, float, float] | None = None
        placement = port.ObjectPlacement
        if placement is not None:
            matrix = index.world_matrix(placement)
            position = (
                float(matrix[0, 3]) * length_scale,
                float(matrix[1, 3]) * length_scale,
                float(matrix[2, 3]) * length_scale,
            )
        ports.append(PortRecord(port.GlobalId, element_id, _flow_direction(port), position))
    return ports


def declared_connections(model: ifcopenshell.file) -> list[ConnectionRecord]:
    """One record per IfcRelConnectsPorts, oriented along the flow where ports say it."""
    connections = []
    for rel in model.by_type("IfcRelConnectsPorts"):
        relating, related = rel.RelatingPort, rel.RelatedPort
        if relating is None or related is None:
            continue
        first, second = _flow_direction(relating), _flow_direction(related)
        if first == FlowDirection.SINK and second == FlowDirection.SOURCE:
            connections.append(
                ConnectionRecord(related.GlobalId, relating.GlobalId, True, True, rel.GlobalId)
            )
        else:
            directed = first == FlowDirection.SOURCE and second == FlowDirection.SINK
            connections.append(
                ConnectionRecord(relating.GlobalId, related.GlobalId, True, directed, rel.GlobalId)
            )
    return connections
