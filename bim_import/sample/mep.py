"""Services of the sample campus as plain data: elements, ports, joints, systems.

`NetworkBuilder` lays a network out from its root (a supply connection, a boiler,
a distribution board, a sewer outfall) towards its ends. Every time something is
attached to a tip, both elements get a port at the same point and one joint is
recorded from the upstream SOURCE port to the downstream SINK port; a network whose
medium flows towards the root (heating return, drainage) simply flips which side is
upstream. Ports therefore exist only where something is connected: there are no
dangling ports, and a change of direction in a pipe run gets a bend fitting.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum

from bim_import.sample.geometry import Box, Point3, axis_of, distance_m, moved, rect, rounded

__all__ = [
    "SEGMENT_CLASSES",
    "SYSTEMS",
    "TERMINAL_CLASSES",
    "ConnectionPlan",
    "ElementPlan",
    "Flow",
    "MepPlan",
    "NetworkBuilder",
    "PortPlan",
    "Profile",
    "Run",
    "SystemPlan",
    "Tip",
]

SEGMENT_CLASSES = ("IfcPipeSegment", "IfcDuctSegment", "IfcCableSegment", "IfcCableCarrierSegment")
TERMINAL_CLASSES = (
    "IfcSanitaryTerminal",
    "IfcFireSuppressionTerminal",
    "IfcSpaceHeater",
    "IfcOutlet",
)
FITTING_MARGIN_M = 0.06


class Flow(StrEnum):
    SOURCE = "SOURCE"
    SINK = "SINK"


@dataclass(frozen=True)
class SystemPlan:
    """A distribution system: name, IFC predefined type, medium, short code for keys."""

    name: str
    predefined_type: str
    medium: str
    code: str


SYSTEMS: dict[str, SystemPlan] = {
    s.name: s
    for s in (
        SystemPlan("Domestic cold water", "DOMESTICCOLDWATER", "water", "dcw"),
        SystemPlan("Sprinkler", "FIREPROTECTION", "water", "spr"),
        SystemPlan("Heating supply", "HEATING", "heating", "hs"),
        SystemPlan("Heating return", "HEATING", "heating", "hr"),
        SystemPlan("Drainage", "DRAINAGE", "waste", "drn"),
        SystemPlan("Gas", "GAS", "gas", "gas"),
        SystemPlan("Electrical", "ELECTRICAL", "power", "el"),
    )
}


@dataclass(frozen=True)
class Profile:
    """Cross-section of a run: "pipe" (outer diameter, wall), "round" (cable), "rect"."""

    shape: str
    size_m: float
    other_m: float = 0.0  # pipe wall thickness, or rectangle height


@dataclass(frozen=True)
class Run:
    """A straight segment from start to end with a constant cross-section."""

    start: Point3
    end: Point3
    profile: Profile

    @property
    def length_m(self) -> float:
        return distance_m(self.start, self.end)

    @property
    def axis(self) -> Point3:
        return axis_of(self.start, self.end)


@dataclass
class PortPlan:
    key: str
    element_key: str
    point: Point3
    flow: Flow
    port_type: str  # PIPE, CABLE, CABLECARRIER
    system_type: str  # IfcDistributionSystemEnum of the network it joins


@dataclass
class ElementPlan:
    """One distribution element with its shape (a run or a box) and its ports."""

    key: str
    ifc_class: str
    predefined_type: str
    name: str
    owner: str | None  # building key, or None for site-level (underground) elements
    systems: list[str]
    run: Run | None = None
    box: Box | None = None
    ports: list[PortPlan] = field(default_factory=list)
    normally_open: bool | None = None  # isolating valves only
    room_key: str | None = None  # the room a terminal serves or equipment stands in
    storey_key: str | None = None  # set by MepPlan.finish; None for site elements

    @property
    def is_segment(self) -> bool:
        return self.ifc_class in SEGMENT_CLASSES

    @property
    def is_terminal(self) -> bool:
        return self.ifc_class in TERMINAL_CLASSES

    @property
    def lowest_z_m(self) -> float:
        if self.run is not None:
            return min(self.run.start[2], self.run.end[2])
        if self.box is not None:
            return self.box.z0
        return min(port.point[2] for port in self.ports)


@dataclass(frozen=True)
class ConnectionPlan:
    """One joint: flow leaves `source_port` of one element into `sink_port` of the next."""

    source_port: str
    sink_port: str
    source_element: str
    sink_element: str
    medium: str


@dataclass
class MepPlan:
    """Every service element of the campus, the joints between them, and landmarks."""

    elements: dict[str, ElementPlan] = field(default_factory=dict)
    connections: list[ConnectionPlan] = field(default_factory=list)
    sources: set[str] = field(default_factory=set)  # pressure sources: supply, boiler, board
    landmarks: dict[str, str] = field(default_factory=dict)  # name -> element key
    _counters: dict[str, int] = field(default_factory=dict)

    def new_key(self, prefix: str) -> str:
        number = self._counters.get(prefix, 0) + 1
        self._counters[prefix] = number
        return f"{prefix}/{number:04d}"

    def systems_used(self) -> list[SystemPlan]:
        used = {name for element in self.elements.values() for name in element.systems}
        return [system for name, system in SYSTEMS.items() if name in used]

    def finish(self, storey_floors: dict[str, list[tuple[float, str]]]) -> None:
        """Size fittings from their ports, name bends and tees, put elements in storeys.

        storey_floors maps a building key to (elevation, storey key), lowest first.
        """
        for element in self.elements.values():
            if element.ifc_class == "IfcPipeFitting":
                _shape_fitting(element)
            if element.owner is not None:
                element.storey_key = _storey_for(storey_floors[element.owner], element.lowest_z_m)


def _shape_fitting(element: ElementPlan) -> None:
    if len(element.ports) < 2:
        raise ValueError(f"fitting {element.key} has {len(element.ports)} port(s)")
    xs, ys, zs = zip(*(port.point for port in element.ports), strict=True)
    m = FITTING_MARGIN_M
    element.box = Box(
        rect(min(xs) - m, min(ys) - m, max(xs) + m, max(ys) + m),
        rounded(min(zs) - m),
        rounded(max(zs) + m),
    )
    element.predefined_type = "JUNCTION" if len(element.ports) > 2 else "BEND"
    if element.name == "Fitting":
        element.name = "Tee" if len(element.ports) > 2 else "Bend"


def _storey_for(floors: list[tuple[float, str]], z_m: float) -> str:
    """The storey whose slab or room holds height z (below the lowest: the lowest)."""
    chosen = floors[0][1]
    for elevation, key in floors:
        if z_m >= elevation - 0.25 - 1e-6:
            chosen = key
    return chosen


@dataclass(frozen=True)
class Tip:
    """An open end of the network: where the next element will be attached."""

    element: str
    point: Point3
    heading: Point3 | None = None  # direction of the run that ends here, None after fittings


@dataclass
class NetworkBuilder:
    """Lays out one system for one owner (a building, or None for the site)."""

    mep: MepPlan
    system: str
    owner: str | None
    outward: bool = True  # flow leaves the root; False for heating return and drainage
    segment_class: str = "IfcPipeSegment"
    segment_type: str = "RIGIDSEGMENT"
    port_type: str = "PIPE"
    fittings: bool = True  # bends at changes of direction (pipes, not cables)

    def for_owner(self, owner: str | None) -> NetworkBuilder:
        return replace(self, owner=owner)

    @property
    def _prefix(self) -> str:
        return f"{self.owner or 'site'}/{SYSTEMS[self.system].code}"

    def new(self, ifc_class: str, predefined_type: str, name: str, **shape: object) -> str:
        """Register a new element of this system; returns its key."""
        key = self.mep.new_key(self._prefix)
        element = ElementPlan(key, ifc_class, predefined_type, name, self.owner, [self.system])
        for attribute, value in shape.items():
            setattr(element, attribute, value)
        self.mep.elements[key] = element
        return key

    def attach(self, tip: Tip, child: str) -> None:
        """Give tip's element and `child` a port at tip.point and join them."""
        parent_port = self._port(tip.element, tip.point, Flow.SOURCE if self.outward else Flow.SINK)
        child_port = self._port(child, tip.point, Flow.SINK if self.outward else Flow.SOURCE)
        source, sink = (parent_port, child_port) if self.outward else (child_port, parent_port)
        self.mep.connections.append(
            ConnectionPlan(
                source.key,
                sink.key,
                source.element_key,
                sink.element_key,
                SYSTEMS[self.system].medium,
            )
        )

    def _port(self, element_key: str, at: Point3, flow: Flow) -> PortPlan:
        element = self.mep.elements[element_key]
        port = PortPlan(
            f"{element_key}/P{len(element.ports) + 1}",
            element_key,
            at,
            flow,
            self.port_type,
            SYSTEMS[self.system].predefined_type,
        )
        element.ports.append(port)
        return port

    def start(self, start: Point3, end: Point3, profile: Profile, name: str) -> Tip:
        """A root segment: no port at its start (the network begins there)."""
        run = Run(start, end, profile)
        key = self.new(self.segment_class, self.segment_type, name, run=run)
        return Tip(key, end, run.axis)

    def turn(self, tip: Tip, axis: Point3) -> Tip:
        """A bend at tip when the next run leaves in another direction."""
        if not self.fittings or tip.heading is None or tip.heading == axis:
            return tip
        return Tip(self.fitting(tip), tip.point)

    def pipe_to(self, tip: Tip, end: Point3, profile: Profile, name: str) -> Tip:
        """A straight segment from tip to end (a bend first if the direction changes)."""
        run = Run(tip.point, end, profile)
        tip = self.turn(tip, run.axis)
        key = self.new(self.segment_class, self.segment_type, name, run=run)
        self.attach(tip, key)
        return Tip(key, end, run.axis)

    def route(self, tip: Tip, points: list[Point3], profile: Profile, name: str) -> Tip:
        """Straight segments through `points` in turn, skipping points already reached."""
        for point in points:
            if point != tip.point:
                tip = self.pipe_to(tip, point, profile, name)
        return tip

    def fitting(self, tip: Tip, name: str = "Fitting") -> str:
        """A fitting at tip; branches leave from its key at the same point."""
        key = self.new("IfcPipeFitting", "NOTDEFINED", name)
        self.attach(tip, key)
        return key

    def inline(
        self,
        tip: Tip,
        ifc_class: str,
        predefined_type: str,
        name: str,
        length_m: float,
        axis: Point3 | None = None,
        width_m: float = 0.12,
        normally_open: bool | None = None,
    ) -> Tip:
        """A two-port element (valve, pump) of `length_m` along axis, starting at tip."""
        direction = axis or tip.heading
        if direction is None:
            raise ValueError(f"inline {name} at {tip.point} needs a direction")
        tip = self.turn(tip, direction)
        end = moved(tip.point, *(length_m * d for d in direction))
        size = tuple(length_m if d else width_m for d in direction)
        centre = moved(tip.point, *(length_m / 2 * d for d in direction))
        box = Box.around(centre, (size[0], size[1], size[2]))
        key = self.new(ifc_class, predefined_type, name, box=box, normally_open=normally_open)
        self.attach(tip, key)
        return Tip(key, end, direction)

    def terminal(
        self, tip: Tip, ifc_class: str, predefined_type: str, name: str, box: Box, room: str
    ) -> str:
        """An end of the network (tap, sprinkler head, radiator, outlet) in a room."""
        key = self.new(ifc_class, predefined_type, name, box=box, room_key=room)
        self.attach(tip, key)
        return key

    def join(self, tip: Tip, element: str, add_system: bool = False) -> None:
        """Connect tip to an element that already exists (radiator, boiler, return tee)."""
        systems = self.mep.elements[element].systems
        if add_system and self.system not in systems:
            systems.append(self.system)
        self.attach(tip, element)
