"""Connections inferred from ports that coincide where nothing declares a connection.

Ports of different elements lying within a tolerance are paired, nearest first,
each port at most once; a pair whose flow directions say SOURCE → SINK is
directed. Inferred connections are marked so and never replace declared ones.
"""

from __future__ import annotations

import numpy as np
import shapely

from models.services import ConnectionRecord, FlowDirection, PortRecord

__all__ = ["DEFAULT_SNAP_TOLERANCE_M", "infer_connections"]

DEFAULT_SNAP_TOLERANCE_M = 0.01


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
    plan = shapely.points(points[:, :2])
    left, right = shapely.STRtree(plan).query(plan, predicate="dwithin", distance=tolerance_m)
    pairs = np.stack([left, right], axis=1)[left < right]
    distances = np.linalg.norm(points[pairs[:, 0]] - points[pairs[:, 1]], axis=1)
    keep = distances <= tolerance_m
    pairs, distances = pairs[keep], distances[keep]
    if len(pairs) == 0:
        return []
    used: set[int] = set()
    inferred = []
    for index in np.argsort(distances, kind="stable"):
        a, b = (int(i) for i in pairs[index])
        port_a, port_b = free[a], free[b]
        if a in used or b in used or port_a.element_global_id == port_b.element_global_id:
            continue
        used.update((a, b))
        if (
            port_a.flow_direction == FlowDirection.SINK
            and port_b.flow_direction == FlowDirection.SOURCE
        ):
            port_a, port_b = port_b, port_a
        directed = (
            port_a.flow_direction == FlowDirection.SOURCE
            and port_b.flow_direction == FlowDirection.SINK
        )
        inferred.append(ConnectionRecord(port_a.global_id, port_b.global_id, False, directed))
    return inferred
