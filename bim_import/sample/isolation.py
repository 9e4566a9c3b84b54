"""Which valves a crew must close to stop a leak, computed on the planned network.

Water (or heating water, or gas) reaches a leaking element from a pressure source
along joints of the same medium, in either direction through pipes, fittings and
open valves, but only forwards through a check valve; normally closed valves are
already shut. The answer is the set of valves that cuts every such path while
shutting off the fewest terminals, then affecting the fewest rooms, then using the
fewest valves. The valves nearest the leak on each feeding side always achieve the
fewest terminals; a cheaper set with the same effect (one valve farther away
instead of several near ones) is then searched among valves on the feeding paths.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import combinations

from bim_import.sample.mep import SYSTEMS, MepPlan

__all__ = ["Isolation", "isolate"]


@dataclass(frozen=True)
class Isolation:
    """The valves to close for a leak on `element`, and what the crew shuts off."""

    element: str
    valves: tuple[str, ...]
    terminals_lost: frozenset[str]
    rooms_lost: frozenset[str]


class _Network:
    """The joints of one medium as forward and backward neighbour lists."""

    def __init__(self, mep: MepPlan, medium: str):
        self.mep = mep
        self.downstream: dict[str, list[str]] = defaultdict(list)
        self.upstream: dict[str, list[str]] = defaultdict(list)
        for joint in mep.connections:
            if joint.medium == medium:
                self.downstream[joint.source_element].append(joint.sink_element)
                self.upstream[joint.sink_element].append(joint.source_element)
        nodes = set(self.downstream) | set(self.upstream)
        # a boiler is a source of heating water, not of gas: it must feed this medium
        self.sources = {key for key in mep.sources if self.downstream[key]}
        self.closed = {key for key in nodes if mep.elements[key].normally_open is False}
        self.check = {key for key in nodes if mep.elements[key].predefined_type == "CHECK"}
        self.closable = {
            key
            for key in nodes
            if mep.elements[key].ifc_class == "IfcValve" and key not in self.check | self.closed
        }
        self.terminals = {key for key in nodes if mep.elements[key].is_terminal}

    def feeders(self, node: str) -> Iterable[str]:
        """Neighbours water can come from: upstream always, downstream unless a check
        valve (on either side of the joint) stops the backflow."""
        yield from self.upstream[node]
        if node not in self.check:
            for other in self.downstream[node]:
                if other not in self.check:
                    yield other

    def reached_by_water(self, start: str, blocked: set[str]) -> set[str]:
        """Everything water can flow from into `start`, not passing `blocked`."""
        seen, queue = {start}, deque([start])
        while queue:
            node = queue.popleft()
            for other in self.feeders(node):
                if other not in seen and other not in blocked:
                    seen.add(other)
                    queue.append(other)
        return seen

    def served(self, shut: set[str]) -> frozenset[str]:
        """Terminals that still get flow in normal operation with `shut` closed."""

        def walk(starts: set[str], step: dict[str, list[str]]) -> set[str]:
            seen, queue = set(starts), deque(starts)
            while queue:
                for other in step[queue.popleft()]:
                    if other not in seen and other not in shut:
                        seen.add(other)
                        queue.append(other)
            return seen

        reached = walk(self.sources - shut, self.downstream)
        back = walk(self.sources - shut, self.upstream)
        return frozenset(
            t for t in self.terminals if t in reached and (not self.downstream[t] or t in back)
        )


def isolate(mep: MepPlan, element: str, system: str) -> Isolation | None:
    """The valves to close for a leak on `element` (None if it cannot be isolated)."""
    net = _Network(mep, SYSTEMS[system].medium)
    region = net.reached_by_water(element, net.closed | net.closable)
    if region & net.sources:
        return None
    frontier = sorted(
        {other for node in region for other in net.feeders(node) if other in net.closable}
    )
    feeding: list[str] = []
    on_paths: set[str] = set()
    for valve in frontier:
        reach = net.reached_by_water(valve, net.closed | region | (set(frontier) - {valve}))
        if reach & net.sources:
            feeding.append(valve)
            on_paths |= reach & net.closable
    if not feeding:
        return None
    base = net.served(set())
    best = set(feeding)
    target = net.served(net.closed | best | {element})
    spare = []  # valves that cost nothing more to close, as candidate replacements
    if len(best) > 1:
        spare = sorted(
            v for v in on_paths - best if net.served(net.closed | best | {v, element}) == target
        )
    done = False
    for size in range(1, len(best)):
        for chosen in combinations(sorted(best | set(spare)), size):
            shut = net.closed | set(chosen)
            if net.reached_by_water(element, shut) & net.sources:
                continue
            if net.served(shut | {element}) == target:
                best, done = set(chosen), True
                break
        if done:
            break
    lost = base - target
    rooms = frozenset(mep.elements[t].room_key or "" for t in lost)
    return Isolation(element, tuple(sorted(best)), frozenset(lost), rooms)
