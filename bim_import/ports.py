"""Ports, declared port connections, and connections inferred from coinciding ports.

Ports come from IfcRelNests (IFC4) or IfcRelConnectsPortToElement (IFC2X3);
connections only from IfcRelConnectsPorts, one record per relationship. (Inferring
connections from coinciding ports is the twin's job: `twin.connectivity`.)
"""

from __future__ import annotations

from collections.abc import Iterable

import ifcopenshell
import numpy as np

from bim_import.step_text import PortText
from bim_import.structure import ModelIndex
from models.geometry import FloatArray
from models.services import ConnectionRecord, FlowDirection, PortRecord

__all__ = ["declared_connections", "read_ports"]


# Attributes by position (three times faster than by name): IfcRoot GlobalId 0,
# IfcProduct ObjectPlacement 5, IfcDistributionPort FlowDirection 7 (IFC2X3 and IFC4),
# IfcRelConnectsPorts RelatingPort 4 and RelatedPort 5.
_GLOBAL_ID, _OBJECT_PLACEMENT, _FLOW_DIRECTION = 0, 5, 7
_RELATING_PORT, _RELATED_PORT = 4, 5


_DIRECTIONS = {direction.value: direction for direction in FlowDirection}


def _flow_direction(port: ifcopenshell.entity_instance) -> FlowDirection:
    return _direction(
        port.get_argument(_FLOW_DIRECTION) if port.is_a("IfcDistributionPort") else None
    )


def _direction(value: str | None) -> FlowDirection:
    # a dictionary, not FlowDirection(value): the enum's constructor is slow, and this
    # runs for every port and twice for every connection
    return _DIRECTIONS.get(value, FlowDirection.NOTDEFINED) if value else FlowDirection.NOTDEFINED


def read_ports(
    elements: Iterable[tuple[int, str]],
    index: ModelIndex,
    length_scale: float,
    text: PortText | None = None,
) -> dict[int, list[PortRecord]]:
    """The ports of each element, by element step id, with world positions in metres.

    `elements` pairs each element's step id with its record id (its GlobalId, made
    unique). A port's position is the origin of its placement (None when unplaced),
    computed for all ports at once from their parent placements. What `text` (the
    file's text, `bim_import.step_text`) gives of a port is not read again.
    """
    found: dict[int, list[tuple[str, str, FlowDirection]]] = {}
    placed: list[tuple[int, int]] = []  # (element step id, port number) of placed ports
    parents: list[FloatArray] = []
    origins: list[tuple[float, float, float]] = []
    for step_id, element_id in elements:
        ports = index.ports_by_id(step_id)
        if not ports:
            continue
        records = found[step_id] = []
        for port in ports:
            read = text.port(port.id()) if text is not None else None
            if read is not None:  # the same attributes, taken from the file's text
                global_id, direction, relative_to, origin = read
                placed.append((step_id, len(records)))
                parents.append(index.world_matrix_by_id(relative_to))
                origins.append(origin)
                records.append((global_id, element_id, _direction(direction)))
                continue
            placement = port.get_argument(_OBJECT_PLACEMENT)
            if placement is not None:
                parent, origin = index.placement_parts(placement)
                placed.append((step_id, len(records)))
                parents.append(parent)
                origins.append(origin)
            records.append((port.get_argument(_GLOBAL_ID), element_id, _flow_direction(port)))
    positions: dict[tuple[int, int], tuple[float, float, float]] = {}
    if placed:
        homogeneous = np.ones((len(origins), 4))
        homogeneous[:, :3] = origins
        world = np.einsum("nij,nj->ni", np.array(parents), homogeneous)[:, :3] * length_scale
        positions = dict(zip(placed, map(tuple, world.tolist()), strict=True))
    return {
        step_id: [
            PortRecord(global_id, element_id, direction, positions.get((step_id, number)))
            for number, (global_id, element_id, direction) in enumerate(records)
        ]
        for step_id, records in found.items()
    }


def declared_connections(
    model: ifcopenshell.file, text: PortText | None = None
) -> list[ConnectionRecord]:
    """One record per IfcRelConnectsPorts, oriented along the flow where ports say it.

    From `text` (the file's text, `bim_import.step_text`) when it gives every relation
    and every port they join; else through the binding.
    """
    from_text = _connections_from_text(text) if text is not None else None
    if from_text is not None:
        return from_text
    connections = []
    for rel in model.by_type("IfcRelConnectsPorts"):
        relating, related = rel.get_argument(_RELATING_PORT), rel.get_argument(_RELATED_PORT)
        if relating is None or related is None:
            continue
        connections.append(
            _connection(
                (relating.get_argument(_GLOBAL_ID), _flow_direction(relating)),
                (related.get_argument(_GLOBAL_ID), _flow_direction(related)),
                rel.get_argument(0),
            )
        )
    return connections


def _connections_from_text(text: PortText) -> list[ConnectionRecord] | None:
    relations = text.connections()
    if relations is None:
        return None
    connections = []
    for relation_id, relating_id, related_id in relations:
        if relating_id < 0 or related_id < 0:
            continue
        relating, related = text.port_identity(relating_id), text.port_identity(related_id)
        if relating is None or related is None:
            return None  # a port the text did not give: all through the binding
        connections.append(
            _connection(
                (relating[0], _direction(relating[1])),
                (related[0], _direction(related[1])),
                relation_id,
            )
        )
    return connections


def _connection(
    relating: tuple[str, FlowDirection], related: tuple[str, FlowDirection], relation_id: str
) -> ConnectionRecord:
    if relating[1] == FlowDirection.SINK and related[1] == FlowDirection.SOURCE:
        return ConnectionRecord(related[0], relating[0], True, True, relation_id)
    directed = relating[1] == FlowDirection.SOURCE and related[1] == FlowDirection.SINK
    return ConnectionRecord(relating[0], related[0], True, directed, relation_id)
