"""Which valves a crew closes to stop a leak, and who loses service.

The medium reaches a leaking element from every source (both sides of a heating
loop or a ring main), forwards through pipes, fittings, pumps and open valves, and
backwards too except through a check valve; normally closed valves are already
shut. The answer is a set of valves cutting every such path that shuts off the
fewest terminals, then the fewest rooms, then uses the fewest valves:

1. the valves nearest the leak on every feeding side (the frontier of what the
   leak drains without passing a valve) shut off the fewest terminals: any cut
   that leaves a terminal fed that the frontier kills would leave the leak fed
   through that frontier valve too;
2. fewer valves with the same effect: for two nearest valves, one valve on every
   way into the leak (on its dominator chain) that costs no further terminal; for
   more, a minimum vertex cut (networkx max-flow on the split graph) among the
   valves whose closing costs no further terminal (found with dominator trees),
   checked, and searched exhaustively when the cut alone does not keep the effect.

What goes dead is what loses flow in normal operation: a terminal needs a way
from a source and, if it returns flow (a radiator), a way back to one.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from itertools import combinations
from typing import Any

import networkx as nx
from networkx.algorithms.flow import edmonds_karp
from sqlalchemy import Engine, select

from twin.network.model import (
    GRAVITY_FAMILIES,
    ROOT,
    MediumNetwork,
    ServiceNetwork,
    load_network,
    reachable,
)
from twin.store import schema as t

__all__ = ["Isolation", "isolate", "isolate_element", "isolating_valves"]

# Above this many candidate valves the exhaustive fallback keeps the nearest valves.
_EXHAUSTIVE_LIMIT = 16


@dataclass(frozen=True)
class Isolation:
    """The valves to close on one medium network and the terminals that lose flow.

    `valves` is empty when no valve isolates the leak (`fed_directly` then names
    the source reached without passing a closable valve) or nothing feeds it.
    """

    element_id: str
    valves: tuple[str, ...]
    terminals_lost: frozenset[str]
    dead: frozenset[str]
    fed_directly: str | None
    fed: bool
    optimal: bool = True


def _fed_into(network: MediumNetwork, node: str, blocked: Collection[str]) -> set[str]:
    """Everything the medium can come from into `node`, not passing `blocked`."""
    return reachable(network.feeds.reverse(copy=False), [node], blocked)


def _dominators_of(graph: nx.DiGraph, targets: Iterable[str]) -> set[str]:
    """Every node lying on all paths from ROOT to at least one of `targets`."""
    if ROOT not in graph:
        return set()
    idom = nx.immediate_dominators(graph, ROOT)
    found: set[str] = set()
    for target in targets:
        node = idom.get(target)
        while node is not None and node != ROOT and node not in found:
            found.add(node)
            node = idom.get(node)
    return found


def _costless(network: MediumNetwork, shut: set[str], served: frozenset[str]) -> set[str]:
    """Valves whose closing, on top of `shut`, takes flow from no terminal in `served`."""
    forward, backward = network.rooted_flow
    returning = [n for n in served if network.flow.out_degree(n)]
    needed = _dominators_of(nx.restricted_view(forward, list(shut), []), served)
    needed |= _dominators_of(nx.restricted_view(backward, list(shut), []), returning)
    return set(network.closable) - needed - shut


def _minimum_cut(
    network: MediumNetwork, element_id: str, allowed: set[str], closed: Collection[str]
) -> set[str]:
    """Fewest `allowed` valves whose closing stops every way from a source to the leak.

    Only what can feed the leak takes part, and every strongly connected stretch of
    nodes that cannot be closed is one node: a cut never passes through it.
    """
    feeding = network.feeds.subgraph(_fed_into(network, element_id, closed))
    fixed = feeding.subgraph(n for n in feeding if n not in allowed)
    part = {
        node: ("part", number)
        for number, nodes in enumerate(nx.strongly_connected_components(fixed))
        for node in nodes
    }
    split = nx.DiGraph()
    for valve in allowed & set(feeding):
        split.add_edge((valve, "in"), (valve, "out"), capacity=1)
    ends = {n: (part[n], part[n]) if n in part else ((n, "in"), (n, "out")) for n in feeding}
    split.add_edges_from(
        (ends[u][1], ends[v][0]) for u, v in feeding.edges if ends[u][1] != ends[v][0]
    )
    split.add_edges_from((ROOT, ends[s][0]) for s in network.sources if s in ends)
    target = ends[element_id][0]
    if ROOT not in split or target not in split:
        return set()
    try:
        _, (near, _far) = nx.minimum_cut(split, ROOT, target, flow_func=edmonds_karp)
    except nx.NetworkXUnbounded:
        return set()
    return {node for node in allowed if (node, "in") in near and (node, "out") not in near}


def isolating_valves(network: MediumNetwork, element_id: str) -> Isolation:
    """The valves to close on `network` for a leak on `element_id` (see the module)."""
    closed = set(network.closed)
    closable = set(network.closable) - {element_id}
    sources = network.sources
    base, base_reach = network.normally_served
    region = _fed_into(network, element_id, closed | closable)
    direct = sorted(region & sources)
    feeds_reverse = network.feeds.reverse(copy=False)
    frontier = {f for node in region for f in feeds_reverse.neighbors(node) if f in closable}
    nearest: set[str] = set()
    if not direct:
        # A frontier valve feeds the leak when a source reaches it without passing the
        # leak's region or another frontier valve: one walk from the sources tells all.
        outside = reachable(network.feeds, sources, closed | region | frontier)
        nearest = {
            f for f in frontier if f in sources or any(p in outside for p in feeds_reverse[f])
        }
    if direct or not nearest:
        lost, reached = network.served(closed | {element_id})
        first = direct[0] if direct else None
        return Isolation(element_id, (), base - lost, base_reach - reached, first, bool(direct))
    target, reached = network.served(closed | nearest | {element_id})
    best, optimal = nearest, True
    if len(nearest) > 1:
        best, optimal = _fewer_valves(network, element_id, nearest, closed, target)
        if best != nearest:
            reached = network.served(closed | best | {element_id})[1]
    return Isolation(
        element_id, tuple(sorted(best)), base - target, base_reach - reached, None, True, optimal
    )


def _fewer_valves(
    network: MediumNetwork,
    element_id: str,
    nearest: set[str],
    closed: set[str],
    target: frozenset[str],
) -> tuple[set[str], bool]:
    """A smallest valve set with the nearest valves' effect; (set, proven optimal)."""

    def works(valves: Collection[str]) -> bool:
        shut = closed | set(valves)
        if _fed_into(network, element_id, shut) & network.sources:
            return False
        return network.served(shut | {element_id})[0] == target

    if len(nearest) == 2:
        # One valve does it only if it lies on every way into the leak: a dominator.
        single = []
        node = network.feed_dominators.get(element_id)
        while node is not None and node != ROOT:
            if node in network.closable and node != element_id:
                single.append(node)
            node = network.feed_dominators.get(node)
        for valve in single:
            if works([valve]):
                return {valve}, True
        return nearest, True
    allowed = nearest | _costless(network, closed | nearest | {element_id}, target)
    cut = _minimum_cut(network, element_id, allowed, closed)
    if cut and works(cut):
        return (cut if len(cut) < len(nearest) else nearest), True
    if len(allowed) > _EXHAUSTIVE_LIMIT:
        return nearest, False
    for size in range(1, len(nearest)):
        for chosen in combinations(sorted(allowed), size):
            if works(chosen):
                return set(chosen), True
    return nearest, True


# Networks switched, not valved: a fault is made dead at a switch, breaker or board.
_SWITCHED_FAMILIES = frozenset({"power", "data"})
_SWITCHING_KINDS = frozenset({"switch", "protective_device", "equipment"})


def _nearest_upstream(
    network: MediumNetwork, element_id: str, wanted: Collection[str]
) -> str | None:
    upstream = network.flow.reverse(copy=False)
    for _, node in nx.bfs_edges(upstream, element_id):
        if node in wanted:
            return node
    return None


def _sensors_in(engine: Engine, rooms: list[str]) -> list[dict[str, Any]]:
    if not rooms:
        return []
    s = t.sensors
    with engine.connect() as conn:
        rows = conn.execute(
            select(s.c.sensor_id, s.c.kind, s.c.room_code)
            .where(s.c.room_code.in_(rooms))
            .order_by(s.c.room_code, s.c.sensor_id)
        ).all()
    return [dict(row._mapping) for row in rows]


def _warnings(net: ServiceNetwork, network: MediumNetwork, found: Isolation) -> list[str]:
    warnings = []
    heads = sorted(n for n in found.dead if "sprinkler" in net.elements[n].media)
    sprinklers = [n for n in heads if net.elements[n].is_terminal]
    if heads:
        rooms = sorted({r for n in sprinklers for r in net.served_rooms.get(n, [])})
        warnings.append(
            f"a sprinkler section goes dead: {len(sprinklers)} sprinkler head(s) in "
            f"{len(rooms)} room(s) lose water; fire protection there is out until the "
            "valves are reopened: tell the fire safety officer and keep a fire watch"
        )
    if network.family == "gas" and found.dead:
        users = sorted(
            n
            for n in found.dead
            if net.elements[n].kind in ("terminal", "equipment") and n != found.element_id
        )
        named = ", ".join(
            f"{n} ({net.elements[n].name or net.elements[n].ifc_class})" for n in users
        )
        warnings.append(
            f"a gas section goes dead{': ' + named + ' lose(s) gas' if named else ''}; "
            "purge and test for tightness before reopening, then relight appliances"
        )
    return warnings


def isolate_element(
    net: ServiceNetwork, element_id: str, engine: Engine | None = None
) -> dict[str, Any]:
    """The isolation answer for `element_id` on an already loaded network (see `isolate`)."""
    element = net.element(element_id)
    network = net.network_of(element)
    key = element.element_id
    name = f"{key} ({element.name or element.ifc_class})"
    answer: dict[str, Any] = {
        "element": element.summary(),
        "medium": network.family,
        "gravity": network.family in GRAVITY_FAMILIES,
        "valves_to_close": [],
        "valves": [],
        "nearest_upstream_valve": None,
        "terminals": [],
        "rooms": [],
        "buildings": [],
        "sensors": [],
        "warnings": [],
        "optimal": True,
    }
    if answer["gravity"]:
        answer["message"] = f"{name}: {network.family} is a gravity system, no isolation"
        return answer
    found = isolating_valves(network, key)
    lost = sorted(found.terminals_lost)
    rooms = sorted({r for n in lost for r in net.served_rooms.get(n, [])})
    buildings = sorted({b for n in lost if (b := net.elements[n].building_code)})
    answer.update(
        valves_to_close=list(found.valves),
        valves=[net.elements[v].summary() for v in found.valves],
        terminals=[net.elements[n].summary() for n in lost],
        rooms=rooms,
        buildings=buildings,
        sensors=_sensors_in(engine, rooms) if engine is not None else [],
        warnings=_warnings(net, network, found),
        optimal=found.optimal,
    )
    effect = (
        f"shuts off {len(lost)} terminal(s) in {len(rooms)} room(s)"
        + (f" of {len(buildings)} building(s)" if len(buildings) > 1 else "")
        if lost
        else "shuts off no terminal"
    )
    if found.valves:
        valves = " and ".join(f"{v} ({net.elements[v].name or 'valve'})" for v in found.valves)
        answer["message"] = f"close {valves}: this stops every way into {name} and {effect}"
        if not found.optimal:
            answer["message"] += " (the nearest valves; fewer may exist among too many candidates)"
        return answer
    nearest = _nearest_upstream(network, key, network.closable)
    answer["nearest_upstream_valve"] = net.elements[nearest].summary() if nearest else None
    if network.family in _SWITCHED_FAMILIES and found.fed:
        switches = {n for n in network.flow if net.elements[n].kind in _SWITCHING_KINDS}
        switch = _nearest_upstream(network, key, switches - {key})
        where = (
            f"at {switch} ({net.elements[switch].name or net.elements[switch].ifc_class})"
            if switch
            else "at its board"
        )
        answer["message"] = (
            f"{name} is on a {network.family} circuit, not valved: switch it off {where}"
        )
        return answer
    if not found.fed:
        answer["message"] = (
            f"no source feeds {name} with the normally closed valves shut: nothing to close"
            if network.sources
            else f"the {network.family} network of {name} has no source modelled: nothing to close"
        )
        return answer
    source = found.fed_directly or ""
    hint = f"; the nearest upstream valve is {nearest}" if nearest else ""
    if source == key:
        answer["message"] = (
            f"no valve isolates {name}: it is where the {network.family} enters the network "
            "(a source); the supply must be shut off at the plant or by the utility"
        )
        return answer
    answer["message"] = (
        f"no valve isolates {name}: it is fed from {source} "
        f"({net.elements[source].name or net.elements[source].ifc_class}) without a valve "
        f"between{hint}; the supply must be shut off at the source"
    )
    return answer


def isolate(engine: Engine, element_id: str, site_code: str | None = None) -> dict[str, Any]:
    """What to close for a leak on `element_id`, and who loses service.

    Returns `valves_to_close` (valve element ids), `valves`, `terminals`, `rooms`,
    `buildings` and `sensors` that lose service, `warnings` (a sprinkler or gas
    section going dead), `nearest_upstream_valve` when no valve isolates, `gravity`
    for drainage, and a `message` in words. Raises `UnknownElement` for an unknown
    id and `BadInput` for an element joined to no network.
    """
    return isolate_element(load_network(engine, site_code), element_id, engine)
