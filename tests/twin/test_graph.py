"""The campus graph built from a real import: containment, adjacency, flow, runs."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
from sqlalchemy import Engine

from twin.graph import build_graph, node_key
from twin.importer import import_models


def _edges(graph: nx.MultiDiGraph, kind: str) -> list[tuple[str, str, dict[str, object]]]:
    return [(a, b, d) for a, b, d in graph.edges(data=True) if d["kind"] == kind]


def test_duplex_graph_contains_and_adjacency(store: Engine, shared_ifc: Path) -> None:
    import_models(store, [shared_ifc / "duplex.ifc"], site_code="DX01")
    graph = build_graph(store, "DX01")
    rooms = [n for n, d in graph.nodes(data=True) if d["kind"] == "room"]
    assert len(rooms) == 21
    for room in rooms:
        storeys = [a for a, _, d in graph.in_edges(room, data=True) if d["kind"] == "contains"]
        assert len(storeys) == 1 and storeys[0].startswith("storey:DX01-B01-")
    adjacent = _edges(graph, "adjacent")
    assert len(adjacent) == 2 * 46
    assert node_key("building", "DX01-B01") in graph.successors(node_key("site", "DX01"))


def test_heating_network_flow_edges(store: Engine, shared_ifc: Path) -> None:
    import_models(
        store, [shared_ifc / "b03_heating_with_building_blenderBIM.ifc"], site_code="HT01"
    )
    graph = build_graph(store, "HT01")
    connects = _edges(graph, "connects")
    directed = [e for e in connects if e[2]["directed"]]
    assert connects and directed
    # a flow path exists from the boiler (equipment) to some radiator (terminal)
    terminals = [n for n, d in graph.nodes(data=True) if d.get("element_kind") == "terminal"]
    sources = [n for n, d in graph.nodes(data=True) if d.get("element_kind") == "equipment"]
    flow = graph.edge_subgraph(
        [(a, b, k) for a, b, k, d in graph.edges(keys=True, data=True) if d["kind"] == "connects"]
    )
    assert any(
        nx.has_path(flow, s, t) for s in sources if s in flow for t in terminals if t in flow
    )
