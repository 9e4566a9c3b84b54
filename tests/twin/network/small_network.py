"""A small service network (30 elements) written straight into a store, and its plan.

Cold water: a municipal connection feeds a ring main (J1 → J2 and J1 → J3, with an
undirected pipe between J2 and J3, taps on J1 and J2), a normally closed standby
connection joins the ring at J3, and a branch off J2 splits in two (one side through
a check valve) and rejoins at J5 to feed two taps; heating: a boiler loop with two
radiators, each needing its return. Every
joint is a pair of ports (SOURCE → SINK) at one point, 1 m apart along x per step.

Besides, outside the 30: a drainage pair (toilet → soil pipe), an element with no
ports, and a pipe whose ports are joined to nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import count
from pathlib import Path
from random import Random
from typing import Any

from sqlalchemy import Engine, insert

from twin.store import open_store
from twin.store import schema as t

__all__ = ["PLAN", "SmallNetwork", "random_plan", "small_network_store"]

SITE, BUILDING, STOREY = "SN01", "SN01-B01", "SN01-B01-F01"
ROOMS = ("SN01-B01-F01-001A", "SN01-B01-F01-002B", "SN01-B01-F01-003C")


@dataclass(frozen=True)
class SmallNetwork:
    """The plan: elements (key → (ifc_class, kind, system, extra)), joints, sources."""

    elements: dict[str, tuple[str, str, str, dict[str, Any]]]
    joints: list[tuple[str, str, bool]]  # (from, to, directed)
    sources: frozenset[str]
    rooms: dict[str, str]  # terminal → room
    loose: dict[str, tuple[str, str, str | None, int]]  # outside the 30: class, kind, system, ports

    def element_id(self, key: str) -> str:
        return f"{BUILDING}-E{sorted([*self.elements, *self.loose]).index(key) + 1:06d}"


PIPE, VALVE, FITTING, TERMINAL = "IfcPipeSegment", "IfcValve", "IfcPipeFitting", "IfcFlowTerminal"
WATER, HEATING = "Domestic cold water", "Heating"
_OPEN: dict[str, Any] = {"valve_type": "ISOLATING", "normally_open": True}

PLAN = SmallNetwork(
    elements={
        "S1": (PIPE, "pipe_segment", WATER, {"name": "Municipal water connection"}),
        "V1": (VALVE, "valve", WATER, _OPEN),
        "J1": (FITTING, "fitting", WATER, {}),
        "V2": (VALVE, "valve", WATER, _OPEN),
        "J2": (FITTING, "fitting", WATER, {}),
        "V3": (VALVE, "valve", WATER, _OPEN),
        "J3": (FITTING, "fitting", WATER, {}),
        "P2": (PIPE, "pipe_segment", WATER, {"name": "Ring pipe, flow either way"}),
        "T3": ("IfcSanitaryTerminal", "terminal", WATER, {"name": "Tap"}),
        "T4": ("IfcSanitaryTerminal", "terminal", WATER, {"name": "Tap"}),
        "S2": (PIPE, "pipe_segment", WATER, {"name": "Standby connection"}),
        "VNC": (VALVE, "valve", WATER, {"valve_type": "ISOLATING", "normally_open": False}),
        "V4": (VALVE, "valve", WATER, _OPEN),
        "J4": (FITTING, "fitting", WATER, {}),
        "V6": (VALVE, "valve", WATER, _OPEN),
        "P9": (PIPE, "pipe_segment", WATER, {}),
        "CK": (VALVE, "valve", WATER, {"valve_type": "CHECK", "normally_open": True}),
        "P5": (PIPE, "pipe_segment", WATER, {}),
        "V7": (VALVE, "valve", WATER, _OPEN),
        "P6": (PIPE, "pipe_segment", WATER, {}),
        "J5": (FITTING, "fitting", WATER, {}),
        "T1": ("IfcSanitaryTerminal", "terminal", WATER, {"name": "Tap"}),
        "T2": ("IfcSanitaryTerminal", "terminal", WATER, {"name": "Sink"}),
        "B": ("IfcBoiler", "equipment", HEATING, {"name": "Boiler"}),
        "VS": (VALVE, "valve", HEATING, _OPEN),
        "JS": (FITTING, "fitting", HEATING, {}),
        "R1": ("IfcSpaceHeater", "terminal", HEATING, {"name": "Radiator"}),
        "R2": ("IfcSpaceHeater", "terminal", HEATING, {"name": "Radiator"}),
        "JR": (FITTING, "fitting", HEATING, {}),
        "VR": (VALVE, "valve", HEATING, _OPEN),
    },
    joints=[
        ("S1", "V1", True),
        ("V1", "J1", True),
        ("J1", "V2", True),
        ("V2", "J2", True),
        ("J1", "V3", True),
        ("V3", "J3", True),
        ("J2", "P2", False),
        ("P2", "J3", False),
        ("J1", "T3", True),
        ("J2", "T4", True),
        ("S2", "VNC", True),
        ("VNC", "J3", True),
        ("J2", "V4", True),
        ("V4", "J4", True),
        ("J4", "V6", True),
        ("V6", "P9", True),
        ("P9", "CK", True),
        ("CK", "P5", True),
        ("P5", "J5", True),
        ("J4", "V7", True),
        ("V7", "P6", True),
        ("P6", "J5", True),
        ("J5", "T1", True),
        ("J5", "T2", True),
        ("B", "VS", True),
        ("VS", "JS", True),
        ("JS", "R1", True),
        ("JS", "R2", True),
        ("R1", "JR", True),
        ("R2", "JR", True),
        ("JR", "VR", True),
        ("VR", "B", True),
    ],
    sources=frozenset({"S1", "S2", "B"}),
    rooms={
        "T3": ROOMS[0],
        "T4": ROOMS[2],
        "T1": ROOMS[0],
        "T2": ROOMS[1],
        "R1": ROOMS[1],
        "R2": ROOMS[2],
    },
    loose={
        "WC": ("IfcSanitaryTerminal", "terminal", "Drainage", 1),
        "SOIL": (PIPE, "pipe_segment", "Drainage", 1),
        "RX": ("IfcSpaceHeater", "terminal", None, 0),
        "PX": (PIPE, "pipe_segment", WATER, 2),
    },
)
_MEDIUM = {WATER: "cold water", HEATING: "heating", "Drainage": "drainage"}


def _random_valve(rng: Random, closed_ok: bool) -> dict[str, Any]:
    roll = rng.random()
    if roll < 0.15:
        return {"valve_type": "CHECK", "normally_open": True}
    if roll < 0.25 and closed_ok:
        return {"valve_type": "ISOLATING", "normally_open": False}
    return dict(_OPEN)


def random_plan(seed: int) -> SmallNetwork:
    """A random network of at most 30 elements: even seeds water (two mains connections,
    loops, check and closed valves), odd seeds a boiler loop with radiators."""
    rng = Random(seed)
    elements: dict[str, tuple[str, str, str, dict[str, Any]]] = {}
    joints: list[tuple[str, str, bool]] = []
    names = count(1)

    def add(ifc_class: str, kind: str, system: str, parent: str | None, **extra: Any) -> str:
        key = f"N{next(names):02d}"
        elements[key] = (ifc_class, kind, system, extra)
        if parent is not None:
            joints.append((parent, key, True))
        return key

    def inner(system: str, parent: str) -> str:
        roll = rng.random()
        if roll < 0.55:
            return add(VALVE, "valve", system, parent, **_random_valve(rng, system == WATER))
        if roll < 0.7:
            return add(FITTING, "fitting", system, parent)
        return add(PIPE, "pipe_segment", system, parent)

    rooms: dict[str, str] = {}
    if seed % 2 == 0:
        first = add(PIPE, "pipe_segment", WATER, None, name="Municipal water connection")
        network = [first]
        for _ in range(15):
            network.append(inner(WATER, rng.choice(network)))
        second = add(PIPE, "pipe_segment", WATER, None, name="Second connection")
        joints.append((second, rng.choice(network[1:]), True))
        for _ in range(4):
            a, b = rng.sample(network[1:], 2)
            if not any({a, b} == {x, y} for x, y, _ in joints):
                joints.append((a, b, rng.random() < 0.5))
        for _ in range(5):
            tap = add("IfcSanitaryTerminal", "terminal", WATER, rng.choice(network[1:]))
            rooms[tap] = rng.choice(ROOMS)
        sources = frozenset({first, second})
    else:
        boiler = add("IfcBoiler", "equipment", HEATING, None, name="Boiler")
        supply = [boiler]
        for _ in range(8):
            supply.append(inner(HEATING, rng.choice(supply)))
        returns: list[str] = []
        for _ in range(4):
            radiator = add("IfcSpaceHeater", "terminal", HEATING, rng.choice(supply[1:]))
            rooms[radiator] = rng.choice(ROOMS)
            back = inner(HEATING, radiator)
            if returns and rng.random() < 0.6:
                joints.append((back, rng.choice(returns), True))
            returns.append(back)
        # every return end not yet draining somewhere runs back to the boiler
        draining = {a for a, _, _ in joints}
        for back in returns:
            if back not in draining:
                joints.append((back, boiler, True))
        sources = frozenset({boiler})
    return SmallNetwork(elements, joints, sources, rooms, loose={})


def _base_rows(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(insert(t.sites).values(site_code=SITE, name="Small network site"))
        conn.execute(
            insert(t.buildings).values(
                building_code=BUILDING, site_code=SITE, number="B01", name="Plant"
            )
        )
        conn.execute(
            insert(t.storeys).values(
                storey_code=STOREY, building_code=BUILDING, code="F01", name="F01", elevation_m=0
            )
        )
        conn.execute(
            insert(t.rooms),
            [
                {
                    "room_code": code,
                    "building_code": BUILDING,
                    "storey_code": STOREY,
                    "room_number": number,
                    "global_id": f"room{number}",
                    "source_file": "small.ifc",
                    "status": "active",
                    "name": f"F01-00{number}",
                    "usage": "office",
                    "created_at": "2026-01-01T00:00:00Z",
                }
                for number, code in enumerate(ROOMS, start=1)
            ],
        )
        conn.execute(
            insert(t.sensors),
            [
                {
                    "sensor_id": f"temp-{code}",
                    "kind": "temperature",
                    "room_code": code,
                    "placed_by": "code",
                    "registered_at": "2026-01-01T00:00:00Z",
                }
                for code in ROOMS
            ],
        )


def small_network_store(folder: Path, plan: SmallNetwork = PLAN) -> Path:
    """A store at `folder/twin.db` holding `plan`'s elements, ports and joints."""
    db = folder / "twin.db"
    engine = open_store(str(db))
    _base_rows(engine)
    systems = {name: index for index, name in enumerate((WATER, HEATING, "Drainage"), start=1)}
    everything = {
        **{key: (c, k, s, extra) for key, (c, k, s, extra) in plan.elements.items()},
        **{key: (c, k, s, {}) for key, (c, k, s, _) in plan.loose.items()},
    }
    port_ids = count(1)
    with engine.begin() as conn:
        conn.execute(
            insert(t.systems),
            [
                {
                    "system_id": sid,
                    "site_code": SITE,
                    "building_code": BUILDING,
                    "global_id": f"system{sid}",
                    "source_file": "small.ifc",
                    "name": name,
                    "medium": _MEDIUM[name],
                }
                for name, sid in systems.items()
            ],
        )
        for key, (ifc_class, kind, system, extra) in everything.items():
            conn.execute(
                insert(t.elements).values(
                    element_id=plan.element_id(key),
                    site_code=SITE,
                    building_code=BUILDING,
                    storey_code=STOREY,
                    global_id=f"gid-{key}",
                    source_file="small.ifc",
                    ifc_class=ifc_class,
                    kind=kind,
                    name=extra.get("name", key),
                    predefined_type=extra.get("valve_type"),
                    valve_type=extra.get("valve_type"),
                    normally_open=extra.get("normally_open"),
                    medium=_MEDIUM[system] if system else None,
                )
            )
            if system:
                conn.execute(
                    insert(t.element_systems).values(
                        element_id=plan.element_id(key), system_id=systems[system]
                    )
                )
        joints = [*plan.joints, *([("WC", "SOIL", True)] if "WC" in plan.loose else [])]
        for step, (a, b, directed) in enumerate(joints):
            ends = []
            for key, direction in ((a, "SOURCE"), (b, "SINK")):
                port_id = next(port_ids)
                conn.execute(
                    insert(t.ports).values(
                        port_id=port_id,
                        element_id=plan.element_id(key),
                        global_id=f"port{port_id}",
                        flow_direction=direction if directed else "SOURCEANDSINK",
                        x_m=float(step),
                        y_m=0.0,
                        z_m=0.0,
                    )
                )
                ends.append(port_id)
            conn.execute(
                insert(t.connections).values(
                    site_code=SITE,
                    port_from=ends[0],
                    port_to=ends[1],
                    element_from=plan.element_id(a),
                    element_to=plan.element_id(b),
                    declared=True,
                    directed=directed,
                )
            )
        # PX: two ports joined to nothing, far from everything else.
        for _ in range(2 if "PX" in plan.loose else 0):
            port_id = next(port_ids)
            conn.execute(
                insert(t.ports).values(
                    port_id=port_id,
                    element_id=plan.element_id("PX"),
                    global_id=f"port{port_id}",
                    flow_direction="SINK",
                    x_m=100.0 + port_id,
                    y_m=50.0,
                    z_m=0.0,
                )
            )
        conn.execute(
            insert(t.serves),
            [{"element_id": plan.element_id(k), "room_code": r} for k, r in plan.rooms.items()],
        )
    engine.dispose()
    return db
