"""Trace a service network from one element: upstream to its source, or downstream to
every terminal, with the rooms the run passes through.

The walk follows joints in the direction of flow within the element's medium and
stops at a source (a boiler, the municipal connection) and at a normally closed
valve, so heating loops and ring mains end instead of going round forever.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Literal

import networkx as nx
from sqlalchemy import Engine

from models.errors import BadInput
from twin.network.model import GRAVITY_FAMILIES, MediumNetwork, ServiceNetwork, load_network

__all__ = ["DIRECTIONS", "Direction", "trace", "trace_element"]

Direction = Literal["upstream", "downstream"]
DIRECTIONS: tuple[Direction, ...] = ("upstream", "downstream")


def _direction(text: str) -> Direction:
    wanted = text.strip().lower()
    for direction in DIRECTIONS:
        if wanted == direction:
            return direction
    raise BadInput(f"unknown direction {text!r}: use upstream or downstream")


def _walk(network: MediumNetwork, start: str, direction: Direction) -> dict[str, str | None]:
    """Every element reached from `start`, in breadth-first order, with its predecessor."""
    graph = network.flow if direction == "downstream" else network.flow.reverse(copy=False)
    stops = network.sources | network.closed

    def onward(node: str) -> Iterator[str]:
        if node != start and node in stops:
            return iter(())
        return iter(sorted(graph.neighbors(node)))

    reached: dict[str, str | None] = {start: None}
    for parent, child in nx.generic_bfs_edges(graph, start, neighbors=onward):
        reached[child] = parent
    return reached


def _path_to(reached: dict[str, str | None], end: str) -> list[str]:
    path = [end]
    while (parent := reached[path[-1]]) is not None:
        path.append(parent)
    return path[::-1]


def trace_element(
    net: ServiceNetwork, element_id: str, direction: str = "upstream"
) -> dict[str, Any]:
    """The trace of `element_id` on an already loaded network (see `trace`)."""
    way = _direction(direction)
    element = net.element(element_id)
    network = net.network_of(element)
    reached = _walk(network, element.element_id, way)
    order = list(reached)
    sources = [n for n in order if n in network.sources and n != element.element_id]
    terminals = [n for n in order if n in network.terminals and n != element.element_id]
    if way == "upstream":
        ends = sources or [n for n in order if not network.flow.in_degree(n)]
    else:
        ends = terminals or [n for n in order if not network.flow.out_degree(n)]
    path = _path_to(reached, ends[0]) if ends else [element.element_id]
    rooms: list[str] = []
    buildings: list[str] = []
    for node in order:
        for room in net.rooms_of.get(node, []):
            if room not in rooms:
                rooms.append(room)
        building = net.elements[node].building_code
        if building and building not in buildings:
            buildings.append(building)
    distance = {element.element_id: 0}
    for node in order[1:]:
        parent = reached[node]
        assert parent is not None
        distance[node] = distance[parent] + 1
    elements = [{**net.elements[n].summary(), "distance": distance[n]} for n in order]
    return {
        "element": net.elements[element.element_id].summary(),
        "direction": way,
        "medium": network.family,
        "elements": elements,
        "path": path,
        "sources": sources,
        "terminals": terminals,
        "closed_valves": [n for n in order if n in network.closed],
        "rooms": rooms,
        "buildings": buildings,
        "message": _message(net, network, element.element_id, way, sources, terminals, path),
    }


def _message(
    net: ServiceNetwork,
    network: MediumNetwork,
    start: str,
    way: Direction,
    sources: list[str],
    terminals: list[str],
    path: list[str],
) -> str:
    name = net.elements[start].name or net.elements[start].ifc_class
    if way == "upstream":
        if network.family in GRAVITY_FAMILIES:
            return (
                f"{network.family} runs by gravity: {len(path) - 1} element(s) drain "
                f"into {start} ({name}) from {path[-1]}"
            )
        if not sources:
            gap = (
                ", which has a port joined to nothing: see `twin check-network`"
                if path[-1] in network.open_ends
                else ""
            )
            return (
                f"no source upstream of {start} ({name}): the {network.family} network "
                f"has no boiler or mains connection modelled upstream (it ends at {path[-1]}{gap})"
            )
        names = ", ".join(
            f"{s} ({net.elements[s].name or net.elements[s].ifc_class})" for s in sources
        )
        return f"{start} ({name}) is fed from {names}, {len(path) - 1} joint(s) to the nearest"
    if not terminals:
        return f"nothing downstream of {start} ({name}) reaches a terminal"
    return f"{start} ({name}) feeds {len(terminals)} terminal(s) downstream"


def trace(
    engine: Engine, element_id: str, direction: str = "upstream", site_code: str | None = None
) -> dict[str, Any]:
    """Follow the network from `element_id` upstream to its source(s) or downstream to
    every terminal it feeds.

    Returns `element`, `direction`, `medium`, `elements` (each with its `distance` in
    joints, nearest first), `path` (element ids from the element to the nearest source
    or terminal), `sources`, `terminals`, `closed_valves` met, `rooms` and `buildings`
    passed, and a `message` in words (also when no source is modelled). Raises
    `UnknownElement` for an unknown id and `BadInput` for a bad direction or an
    element joined to nothing.
    """
    _direction(direction)
    return trace_element(load_network(engine, site_code), element_id, direction)
