"""The service networks of one site as flow graphs, one per medium, read from the campus graph.

A joint between two elements belongs to the media both carry (cold water and
sprinklers are one medium: the sprinklers hang off the cold-water riser); an element
in no system takes the medium of what it is joined to. Each medium's `flow` graph
holds the joints in the direction water (gas, current…) runs in normal operation;
a joint whose direction nobody declared runs both ways. Where the medium comes
from: boilers and other producing plant, and the open ends where a main enters the
site (an element that only gives flow, like the municipal connection). Indoor and
outdoor pipes are one graph, so a tap's network reaches the site main.

>>> medium_family("sprinkler")
'water'
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from functools import cached_property

import networkx as nx
from sqlalchemy import Engine, func, select

from models.codes import closest_codes
from models.errors import BadInput, UnknownElement
from twin.graph import build_graph
from twin.store import data_version
from twin.store import schema as t

__all__ = [
    "GRAVITY_FAMILIES",
    "ROOT",
    "MediumNetwork",
    "NetworkElement",
    "ServiceNetwork",
    "load_network",
    "medium_family",
    "reachable",
]

# Media that share pipes: a joint between them is one network.
_FAMILY_OF_MEDIUM = {"cold water": "water", "sprinkler": "water"}
# Networks without pressure: nothing upstream to close.
GRAVITY_FAMILIES = frozenset({"drainage"})
# Plant that produces what its network carries (when it feeds that network).
_PRODUCING_CLASSES = frozenset(
    {
        "IfcBoiler",
        "IfcChiller",
        "IfcElectricGenerator",
        "IfcTransformer",
        "IfcSolarDevice",
        "IfcHeatExchanger",
    }
)


# The one node above every source in a rooted copy of a network.
ROOT = "\x00sources"


def medium_family(medium: str | None) -> str:
    """The network a medium flows in: cold water and sprinklers share one."""
    if not medium:
        return "unknown"
    return _FAMILY_OF_MEDIUM.get(medium, medium)


@dataclass(frozen=True)
class NetworkElement:
    """One element of a service network, with what isolation needs to know about it."""

    element_id: str
    kind: str
    ifc_class: str
    name: str | None
    predefined_type: str | None
    valve_type: str | None
    normally_open: bool | None
    building_code: str | None
    storey_code: str | None
    media: tuple[str, ...]

    @property
    def is_valve(self) -> bool:
        return self.kind == "valve"

    @property
    def is_check_valve(self) -> bool:
        return self.is_valve and "CHECK" in {self.valve_type, self.predefined_type}

    @property
    def is_closed(self) -> bool:
        """A valve that is shut in normal operation (a standby connection, a bypass)."""
        return self.is_valve and self.normally_open is False

    @property
    def is_terminal(self) -> bool:
        return self.kind == "terminal"

    def summary(self) -> dict[str, object]:
        return {
            "element_id": self.element_id,
            "kind": self.kind,
            "ifc_class": self.ifc_class,
            "name": self.name,
            "building_code": self.building_code,
            "storey_code": self.storey_code,
            "medium": self.media[0] if self.media else None,
        }


@dataclass
class MediumNetwork:
    """The joints of one medium family as a directed flow graph.

    `flow` has an edge u → v when the medium runs from u into v in normal
    operation (both ways for a joint of unknown direction); `feeds` adds the ways
    it can run backwards when a leak draws it, except through a check valve.
    """

    family: str
    flow: nx.DiGraph
    elements: dict[str, NetworkElement]
    # elements with a port joined to nothing: a gap in the model, never a source
    open_ends: frozenset[str] = frozenset()

    @cached_property
    def sources(self) -> frozenset[str]:
        """Where the medium comes from: producing plant, and elements that only give flow."""
        found = set()
        for node in self.flow:
            element = self.elements[node]
            if not self.flow.out_degree(node):
                continue
            if element.ifc_class in _PRODUCING_CLASSES or (
                not self.flow.in_degree(node)
                and not element.is_terminal
                and node not in self.open_ends
                and self.family not in GRAVITY_FAMILIES
            ):
                found.add(node)
        return frozenset(found)

    @cached_property
    def feeds(self) -> nx.DiGraph:
        """u → v when the medium can reach v from u: forwards, or backwards unless a check
        valve on either side of the joint stops the backflow."""
        graph = nx.DiGraph()
        graph.add_nodes_from(self.flow)
        graph.add_edges_from(self.flow.edges)
        for u, v in self.flow.edges:
            if not (self.elements[u].is_check_valve or self.elements[v].is_check_valve):
                graph.add_edge(v, u)
        return graph

    @cached_property
    def feed_dominators(self) -> dict[str, str]:
        """Immediate dominators in `feeds` from all sources, normally closed valves shut:
        every node on the chain above n lies on every way the medium reaches n."""
        rooted = nx.DiGraph(nx.restricted_view(self.feeds, list(self.closed), []))
        rooted.add_edges_from((ROOT, s) for s in self.sources if s in rooted)
        return nx.immediate_dominators(rooted, ROOT) if ROOT in rooted else {}

    @cached_property
    def rooted_flow(self) -> tuple[nx.DiGraph, nx.DiGraph]:
        """`flow` and its reverse, each with ROOT joined to every source (for dominators)."""
        forward = nx.DiGraph(self.flow)
        forward.add_edges_from((ROOT, s) for s in self.sources)
        backward = nx.DiGraph(self.flow.reverse(copy=False))
        backward.add_edges_from((ROOT, s) for s in self.sources)
        return forward, backward

    @cached_property
    def closed(self) -> frozenset[str]:
        return frozenset(n for n in self.flow if self.elements[n].is_closed)

    @cached_property
    def closable(self) -> frozenset[str]:
        """Valves a crew can close: open in normal operation, not check valves."""
        return frozenset(
            n
            for n in self.flow
            if self.elements[n].is_valve
            and not self.elements[n].is_check_valve
            and not self.elements[n].is_closed
        )

    @cached_property
    def terminals(self) -> frozenset[str]:
        return frozenset(n for n in self.flow if self.elements[n].is_terminal)

    def served(self, shut: Collection[str]) -> tuple[frozenset[str], frozenset[str]]:
        """(terminals with flow, everything the medium reaches) with `shut` closed.

        A terminal that passes flow on (a radiator into its return) also needs a way
        back to a source.
        """
        reached = reachable(self.flow, self.sources, shut)
        back = reachable(self.flow.reverse(copy=False), self.sources, shut)
        flow = self.flow
        terminals = frozenset(
            n for n in self.terminals if n in reached and (not flow.out_degree(n) or n in back)
        )
        return terminals, frozenset(reached)

    @cached_property
    def normally_served(self) -> tuple[frozenset[str], frozenset[str]]:
        """`served` in normal operation: only the normally closed valves shut."""
        return self.served(self.closed)


def reachable(graph: nx.DiGraph, starts: Iterable[str], blocked: Collection[str]) -> set[str]:
    """Nodes of `graph` reached from `starts` without entering `blocked`."""
    begin = [s for s in starts if s not in blocked and s in graph]
    if not begin:
        return set()
    view = nx.restricted_view(graph, list(blocked), []) if blocked else graph
    return {node for layer in nx.bfs_layers(view, begin) for node in layer}


@dataclass
class ServiceNetwork:
    """Every service element of a site, its joints by medium, and the rooms it touches."""

    site_code: str | None
    elements: dict[str, NetworkElement]
    ports: dict[str, int]
    networks: dict[str, MediumNetwork]
    # element id -> room codes it runs through or serves, in a stable order
    rooms_of: dict[str, list[str]] = field(default_factory=dict)
    # terminal id -> the rooms it serves
    served_rooms: dict[str, list[str]] = field(default_factory=dict)

    def element(self, element_id: str) -> NetworkElement:
        """The element with `element_id` (any case); `UnknownElement` with the closest ids."""
        wanted = element_id.strip().upper()
        found = self.elements.get(wanted)
        if found is None:
            closest = closest_codes(wanted, self.elements)
            hint = f"; closest: {', '.join(closest)}" if closest else ""
            raise UnknownElement(f"unknown element {element_id!r}{hint}", closest)
        return found

    def network_of(self, element: NetworkElement) -> MediumNetwork:
        """The medium network the element belongs to (the one it has most joints in).

        Raises `BadInput`, in words, for an element with no ports or no joints.
        """
        if not self.ports.get(element.element_id):
            raise BadInput(
                f"element {element.element_id} ({element.ifc_class}"
                f"{', ' + element.name if element.name else ''}) has no ports: "
                "it is not joined to any service network"
            )
        joined = [
            (network.flow.degree(element.element_id), family)
            for family, network in self.networks.items()
            if element.element_id in network.flow
        ]
        if not joined:
            raise BadInput(
                f"element {element.element_id} has ports but nothing is joined to them; "
                "run `twin check-network` to see unconnected ports"
            )
        return self.networks[max(joined)[1]]


def _element_media(engine: Engine) -> dict[str, set[str]]:
    media: dict[str, set[str]] = {}
    with engine.connect() as conn:
        for element_id, medium in conn.execute(
            select(t.element_systems.c.element_id, t.systems.c.medium).join(
                t.systems, t.systems.c.system_id == t.element_systems.c.system_id
            )
        ):
            media.setdefault(element_id, set()).add(medium)
    return media


def _read_network(engine: Engine, site_code: str | None) -> ServiceNetwork:
    graph = build_graph(engine, site_code)
    media = _element_media(engine)
    e = t.elements
    query = select(
        e.c.element_id,
        e.c.kind,
        e.c.ifc_class,
        e.c.name,
        e.c.predefined_type,
        e.c.valve_type,
        e.c.normally_open,
        e.c.building_code,
        e.c.storey_code,
        e.c.medium,
    )
    if site_code:
        query = query.where(e.c.site_code == site_code)
    ports_query = select(t.ports.c.element_id, func.count()).group_by(t.ports.c.element_id)
    joined_ports = select(t.connections.c.port_from).union(select(t.connections.c.port_to))
    open_query = (
        select(t.ports.c.element_id)
        .where(t.ports.c.port_id.not_in(joined_ports.scalar_subquery()))
        .distinct()
    )
    with engine.connect() as conn:
        rows = conn.execute(query).all()
        ports = {element_id: int(count) for element_id, count in conn.execute(ports_query)}
        open_ends = frozenset(conn.execute(open_query).scalars())
    elements = {
        row.element_id: NetworkElement(
            element_id=row.element_id,
            kind=row.kind,
            ifc_class=row.ifc_class,
            name=row.name,
            predefined_type=row.predefined_type,
            valve_type=row.valve_type,
            normally_open=row.normally_open,
            building_code=row.building_code,
            storey_code=row.storey_code,
            media=tuple(sorted(media.get(row.element_id) or ([row.medium] if row.medium else []))),
        )
        for row in rows
    }
    families = {key: {medium_family(m) for m in el.media} for key, el in elements.items()}
    flows: dict[str, nx.DiGraph] = {}
    rooms_of: dict[str, list[str]] = {}
    served_rooms: dict[str, list[str]] = {}
    for u, v, data in graph.edges(data=True):
        kind = data["kind"]
        a, b = u.partition(":")[2], v.partition(":")[2]
        if kind in ("runs_through", "serves") and a in elements:
            rooms_of.setdefault(a, [])
            if b not in rooms_of[a]:
                rooms_of[a].append(b)
            if kind == "serves":
                served_rooms.setdefault(a, []).append(b)
        if kind != "connects" or a not in elements or b not in elements:
            continue
        shared = (
            (families[a] & families[b])
            if families[a] and families[b]
            else families[a] | families[b]
        )
        for family in shared or {"unknown"}:
            flows.setdefault(family, nx.DiGraph()).add_edge(a, b)
    for codes in rooms_of.values():
        codes.sort()
    networks = {
        family: MediumNetwork(family, flow, elements, open_ends)
        for family, flow in sorted(flows.items())
    }
    return ServiceNetwork(site_code, elements, ports, networks, rooms_of, served_rooms)


_CACHE: OrderedDict[tuple[str, str | None, str], ServiceNetwork] = OrderedDict()
_CACHE_LOCK = threading.Lock()
_CACHE_SIZE = 4


def _network_version(engine: Engine) -> str:
    with engine.connect() as conn:
        highest, count = conn.execute(
            select(func.max(t.connections.c.connection_id), func.count())
        ).one()
    return f"{data_version(engine)}.conn{highest or 0}-{count}"


def load_network(engine: Engine, site_code: str | None = None) -> ServiceNetwork:
    """The service networks of one site (or every site), read once per store version.

    Kept in memory while the store is unchanged (imports and `check-network --repair`
    change it), so an API answering many traces reads the store once.
    """
    key = (str(engine.url), site_code, _network_version(engine))
    with _CACHE_LOCK:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
    network = _read_network(engine, site_code)
    with _CACHE_LOCK:
        _CACHE[key] = network
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return network
