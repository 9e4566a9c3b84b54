"""The campus as one networkx `MultiDiGraph`, built from the store.

Nodes are keyed `kind:code` — `site:WZ01`, `building:WZ01-B01`, `storey:WZ01-B01-F02`,
`room:WZ01-B01-F02-003K`, `element:WZ01-B01-E000421` — and carry their attributes.
Edges carry a `kind`: `contains` (site → building → storey → room), `adjacent` (rooms
sharing a wall or door, both directions), `connects` (element → element along the
flow, both directions when the flow is unknown; with `declared`), `serves`
(terminal → room) and `runs_through` (segment → room, with `where` and `length_m`).

>>> node_key("room", "WZ01-B01-F02-003K")
'room:WZ01-B01-F02-003K'
"""

from __future__ import annotations

import networkx as nx
from sqlalchemy import Engine, select

from twin.store import schema as t

__all__ = ["build_graph", "node_key"]


def node_key(kind: str, code: str) -> str:
    return f"{kind}:{code}"


def build_graph(engine: Engine, site_code: str | None = None) -> nx.MultiDiGraph:
    """The graph of one site (or every site), active rooms only."""
    graph = nx.MultiDiGraph()
    with engine.connect() as conn:
        sites = select(t.sites)
        buildings = select(t.buildings)
        if site_code:
            sites = sites.where(t.sites.c.site_code == site_code)
            buildings = buildings.where(t.buildings.c.site_code == site_code)
        for row in conn.execute(sites):
            graph.add_node(node_key("site", row.site_code), kind="site", name=row.name)
        building_codes = []
        for row in conn.execute(buildings):
            building_codes.append(row.building_code)
            graph.add_node(node_key("building", row.building_code), kind="building", name=row.name)
            graph.add_edge(
                node_key("site", row.site_code),
                node_key("building", row.building_code),
                kind="contains",
            )
        for row in conn.execute(
            select(t.storeys).where(t.storeys.c.building_code.in_(building_codes))
        ):
            storey = node_key("storey", row.storey_code)
            graph.add_node(storey, kind="storey", name=row.name, elevation_m=row.elevation_m)
            graph.add_edge(node_key("building", row.building_code), storey, kind="contains")
        rooms = select(
            t.rooms.c.room_code,
            t.rooms.c.storey_code,
            t.rooms.c.name,
            t.rooms.c.usage,
            t.rooms.c.net_floor_area_m2,
        ).where(t.rooms.c.building_code.in_(building_codes), t.rooms.c.status == "active")
        room_codes = set()
        for row in conn.execute(rooms):
            room_codes.add(row.room_code)
            room = node_key("room", row.room_code)
            graph.add_node(
                room,
                kind="room",
                name=row.name,
                usage=row.usage,
                net_floor_area_m2=row.net_floor_area_m2,
            )
            graph.add_edge(node_key("storey", row.storey_code), room, kind="contains")
        for row in conn.execute(select(t.adjacency)):
            if row.room_a in room_codes and row.room_b in room_codes:
                a, b = node_key("room", row.room_a), node_key("room", row.room_b)
                graph.add_edge(a, b, kind="adjacent", via=row.via)
                graph.add_edge(b, a, kind="adjacent", via=row.via)
        elements = select(
            t.elements.c.element_id, t.elements.c.kind, t.elements.c.medium, t.elements.c.site_code
        )
        if site_code:
            elements = elements.where(t.elements.c.site_code == site_code)
        element_ids = set()
        for row in conn.execute(elements):
            element_ids.add(row.element_id)
            graph.add_node(
                node_key("element", row.element_id),
                kind="element",
                element_kind=row.kind,
                medium=row.medium,
            )
        for row in conn.execute(select(t.connections)):
            if row.element_from not in element_ids:
                continue
            a, b = node_key("element", row.element_from), node_key("element", row.element_to)
            graph.add_edge(a, b, kind="connects", declared=row.declared, directed=row.directed)
            if not row.directed:
                graph.add_edge(b, a, kind="connects", declared=row.declared, directed=False)
        for row in conn.execute(select(t.serves)):
            if row.element_id in element_ids and row.room_code in room_codes:
                graph.add_edge(
                    node_key("element", row.element_id),
                    node_key("room", row.room_code),
                    kind="serves",
                )
        for row in conn.execute(select(t.runs_through)):
            if row.element_id in element_ids and row.room_code in room_codes:
                graph.add_edge(
                    node_key("element", row.element_id),
                    node_key("room", row.room_code),
                    kind="runs_through",
                    where=row.where,
                    length_m=row.length_m,
                )
    return graph
