"""Ports, declared port connections, and connections inferred from coinciding ports.

Ports come from IfcRelNests (IFC4) or IfcRelConnectsPortToElement (IFC2X3);
connections only from IfcRelConnectsPorts, one record per relationship. Where
ports exist but nothing connects them, ports of different elements that coincide
within a tolerance are paired, nearest first, each port at most once, and marked
inferred.
"""

from __future__ import annotations

import ifcopenshell
import ifcopenshell.util.placement
import ifcopenshell.util.system
import numpy as np
from scipy.spatial import cKDTree

from models.services import ConnectionRecord, FlowDirection, PortRecord

__all__ = ["DEFAULT_SNAP_TOLERANCE_M", "declared_connections", "infer_connections", "read_ports"]

DEFAULT_SNAP_TOLERANCE_M = 0.01


def _flow_direction(port: ifcopenshell.entity_instance) -> FlowDirection:
    value = getattr(port, "FlowDirection", None)
    try:
        return FlowDirection(value) if value else FlowDirection.NOTDEFINED
    except ValueError:
        return FlowDirection.NOTDEFINED


def read_ports(
    element: ifcopenshell.entity_instance, length_scale: float
) -> list[PortRecord]:
    """The element's ports with world positions in metres (None when unplaced)."""
    ports = []
    for port in ifcopenshell.util.system.get_ports(element):
        position: tuple[float, float, float] | None = None
        if port.ObjectPlacement is not None:
            matrix = ifcopenshell.util.placement.get_local_placement(port.ObjectPlacement)
            x, y, z = (matrix[:3, 3] * length_scale).tolist()
            position = (x, y, z)
        ports.append(
            PortRecord(port.GlobalId, element.GlobalId, _flow_direction(port), position)
        )
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


def infer_connections(
    ports: list[PortRecord],
    connected: set[str],
    tolerance_m: float = DEFAULT_SNAP_TOLERANCE_M,
) -> list[ConnectionRecord]:
    """Pair unconnected ports of different elements lying within `tolerance_m`.

    Nearest pairs are taken first and each port joins at most one pair; a pair
    whose flow directions say SOURCE → SINK is directed.
    """
    free = [p for p in ports if p.global_id not in connected and p.position is not None]
    if len(free) < 2:
        return []
    points = np.array([p.position for p in free], dtype=np.float64)
    tree = cKDTree(points)
    pairs = tree.query_pairs(tolerance_m, output_type="ndarray")
    if len(pairs) == 0:
        return []
    distances = np.linalg.norm(points[pairs[:, 0]] - points[pairs[:, 1]], axis=1)
    used: set[int] = set()
    inferred = []
    for index in np.argsort(distances, kind="stable"):
        a, b = (int(i) for i in pairs[index])
        port_a, port_b = free[a], free[b]
        if a in used or b in used or port_a.element_global_id == port_b.element_global_id:
            continue
        used.update((a, b))
        if port_a.flow_direction == FlowDirection.SINK and port_b.flow_direction == FlowDirection.SOURCE:
            port_a, port_b = port_b, port_a
        directed = (
            port_a.flow_direction == FlowDirection.SOURCE
            and port_b.flow_direction == FlowDirection.SINK
        )
        inferred.append(ConnectionRecord(port_a.global_id, port_b.global_id, False, directed))
    return inferred
