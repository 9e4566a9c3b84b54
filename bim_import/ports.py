"""Ports, declared port connections, and connections inferred from coinciding ports.

Ports come from IfcRelNests (IFC4) or IfcRelConnectsPortToElement (IFC2X3);
connections only from IfcRelConnectsPorts, one record per relationship. (Inferring
connections from coinciding ports is the twin's job: `twin.connectivity`.)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import ifcopenshell
import numpy as np

from bim_import.structure import ModelIndex
from models.geometry import FloatArray
from models.services import ConnectionRecord, FlowDirection, PortRecord

__all__ = ["declared_connections", "read_ports"]


# Attributes by position (three times faster than by name): IfcRoot GlobalId 0,
# IfcProduct ObjectPlacement 5, IfcDistributionPort FlowDirection 7 (IFC2X3 and IFC4),
# IfcRelConnectsPorts RelatingPort 4 and RelatedPort 5.
_GLOBAL_ID, _OBJECT_PLACEMENT, _FLOW_DIRECTION = 0, 5, 7
_RELATING_PORT, _RELATED_PORT = 4, 5


_ORIGIN = (0.0, 0.0, 0.0)
_DIRECTIONS = {direction.value: direction for direction in FlowDirection}


def _flow_direction(port: ifcopenshell.entity_instance) -> FlowDirection:
    # a dictionary, not FlowDirection(value): the enum's constructor is slow, and this
    # runs for every port and twice for every connection
    value = port.get_argument(_FLOW_DIRECTION) if port.is_a("IfcDistributionPort") else None
    return _DIRECTIONS.get(value, FlowDirection.NOTDEFINED) if value else FlowDirection.NOTDEFINED


def read_ports(
    elements: Iterable[tuple[int, str]],
    index: ModelIndex,
    length_scale: float,
) -> dict[int, list[PortRecord]]:
    """The ports of each element, by element step id, with world positions in metres.

    `elements` pairs each element's step id with its record id (its GlobalId, made
    unique). A port's position is the origin of its placement (None when unplaced),
    computed for all ports at once from their parent placements.
    """
    # One pass of binding reads per port, each attribute read once: on a campus-sized
    # model this loop runs for ~26k ports, and each read costs about a microsecond.
    found: dict[int, list[tuple[str, str, FlowDirection, int]]] = {}
    parent_rows: dict[int, int] = {}  # parent placement step id -> row of `matrices`
    matrices: list[FloatArray] = []
    rows: list[int] = []  # per placed port, its parent's row in `matrices`
    origins: list[Sequence[float]] = []
    for step_id, element_id in elements:
        ports = index.ports_by_id(step_id)
        if not ports:
            continue
        records = found[step_id] = []
        for port in ports:
            placement = port.get_argument(_OBJECT_PLACEMENT)
            placed = -1
            if placement is not None:
                if placement.is_a("IfcLocalPlacement"):
                    parent = placement.get_argument(0)
                    key = parent.id() if parent is not None else 0
                    location = placement.get_argument(1).get_argument(0)
                    origin = _ORIGIN if location is None else location.get_argument(0)
                else:  # a grid or linear placement: its own matrix, its own origin
                    parent, key, origin = placement, -placement.id(), _ORIGIN
                row = parent_rows.get(key)
                if row is None:
                    row = parent_rows[key] = len(matrices)
                    matrices.append(index.world_matrix(parent))
                placed = len(rows)
                rows.append(row)
                origins.append(origin if len(origin) == 3 else (origin[0], origin[1], 0.0))
            records.append(
                (port.get_argument(_GLOBAL_ID), element_id, _flow_direction(port), placed)
            )
    positions: list[tuple[float, float, float]] = []
    if rows:
        homogeneous = np.ones((len(origins), 4))
        homogeneous[:, :3] = origins
        # one parent matrix per placed port, as the einsum wants them (not a fancy index of
        # the parents' own array: that would hold both at once)
        parents = np.array([matrices[row] for row in rows])
        world = np.einsum("nij,nj->ni", parents, homogeneous)[:, :3]
        positions = list(map(tuple, (world * length_scale).tolist()))
    return {
        step_id: [
            PortRecord(global_id, element_id, direction, positions[placed] if placed >= 0 else None)
            for global_id, element_id, direction, placed in records
        ]
        for step_id, records in found.items()
    }


def declared_connections(model: ifcopenshell.file) -> list[ConnectionRecord]:
    """One record per IfcRelConnectsPorts, oriented along the flow where ports say it."""
    connections = []
    for rel in model.by_type("IfcRelConnectsPorts"):
        relating, related = rel.get_argument(_RELATING_PORT), rel.get_argument(_RELATED_PORT)
        if relating is None or related is None:
            continue
        first, second = _flow_direction(relating), _flow_direction(related)
        if first == FlowDirection.SINK and second == FlowDirection.SOURCE:
            connections.append(
                ConnectionRecord(
                    related.get_argument(_GLOBAL_ID),
                    relating.get_argument(_GLOBAL_ID),
                    True,
                    True,
                    rel.get_argument(0),
                )
            )
        else:
            directed = first == FlowDirection.SOURCE and second == FlowDirection.SINK
            connections.append(
                ConnectionRecord(
                    relating.get_argument(_GLOBAL_ID),
                    related.get_argument(_GLOBAL_ID),
                    True,
                    directed,
                    rel.get_argument(0),
                )
            )
    return connections
