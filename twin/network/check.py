"""Check a site's service networks for gaps, and repair what geometry can tell.

The check reports ports joined to nothing, segments joined at one end or none
(dangling), service elements in no system, the connections the twin inferred from
coinciding ports, and those it could still infer at a given snap tolerance.
`repair_network` adds the latter in one transaction; declared connections
(IfcRelConnectsPorts) are never touched.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, insert, select

from models.errors import BadInput, UnknownCode
from models.services import (
    SEGMENT_KINDS,
    SERVICE_KINDS,
    ConnectionRecord,
    FlowDirection,
    PortRecord,
)
from twin.connectivity import DEFAULT_SNAP_TOLERANCE_M, infer_connections
from twin.store import schema as t

__all__ = [
    "MAX_SNAP_TOLERANCE_M",
    "add_inferred_connections",
    "check_network",
    "repair_network",
]

# Beyond this, ports of different pipes that merely run close would be joined.
MAX_SNAP_TOLERANCE_M = 0.5


@dataclass(frozen=True)
class _Port:
    port_id: int
    element_id: str
    site_code: str
    flow_direction: str
    position: tuple[float, float, float] | None


def _sites(conn: Connection, site_code: str | None) -> list[str]:
    known = list(conn.execute(select(t.sites.c.site_code).order_by(t.sites.c.site_code)).scalars())
    if site_code is None:
        return known
    wanted = site_code.strip().upper()
    if wanted not in known:
        raise UnknownCode(
            f"unknown site {site_code!r}; the twin has {', '.join(known) or 'no site'}", known
        )
    return [wanted]


def _tolerance(tolerance_m: float) -> float:
    if not 0 < tolerance_m <= MAX_SNAP_TOLERANCE_M:
        raise BadInput(
            f"snap tolerance {tolerance_m} m is out of range: give more than 0 "
            f"and at most {MAX_SNAP_TOLERANCE_M} m"
        )
    return tolerance_m


def _ports(conn: Connection, sites: list[str], free_only: bool = False) -> list[_Port]:
    """The ports of `sites` by port id; with `free_only`, the placed ones no connection joins."""
    query = (
        select(
            t.ports.c.port_id,
            t.ports.c.element_id,
            t.elements.c.site_code,
            t.ports.c.flow_direction,
            t.ports.c.x_m,
            t.ports.c.y_m,
            t.ports.c.z_m,
        )
        .join(t.elements, t.elements.c.element_id == t.ports.c.element_id)
        .where(t.elements.c.site_code.in_(sites))
        .order_by(t.ports.c.port_id)
    )
    if free_only:
        c = t.connections.c
        in_sites = c.site_code.in_(sites)
        query = query.where(
            t.ports.c.x_m.is_not(None),
            t.ports.c.port_id.not_in(select(c.port_from).where(in_sites)),
            t.ports.c.port_id.not_in(select(c.port_to).where(in_sites)),
        )
    rows = conn.execute(query)
    return [
        _Port(
            r.port_id,
            r.element_id,
            r.site_code,
            r.flow_direction,
            (r.x_m, r.y_m, r.z_m) if r.x_m is not None else None,
        )
        for r in rows
    ]


def _joined_ports(conn: Connection, sites: list[str]) -> set[int]:
    joined: set[int] = set()
    for a, b in conn.execute(
        select(t.connections.c.port_from, t.connections.c.port_to).where(
            t.connections.c.site_code.in_(sites)
        )
    ):
        joined.update((int(a), int(b)))
    return joined


def _inferable(
    ports: list[_Port], joined: set[int], tolerance_m: float
) -> list[tuple[_Port, _Port, bool]]:
    """Pairs of free ports within the tolerance, per site: (from, to, directed)."""
    by_id = {p.port_id: p for p in ports}
    found = []
    for site in sorted({p.site_code for p in ports}):
        # only the free, placed ports can pair: the others are left out here, before a
        # record is made for each of the site's (tens of thousands of) ports
        records = [
            PortRecord(str(p.port_id), p.element_id, FlowDirection(p.flow_direction), p.position)
            for p in ports
            if p.site_code == site and p.port_id not in joined and p.position is not None
        ]
        pairs: list[ConnectionRecord] = infer_connections(records, set(), tolerance_m)
        found += [(by_id[int(c.port_from)], by_id[int(c.port_to)], c.directed) for c in pairs]
    return found


def _port_dict(port: _Port) -> dict[str, Any]:
    return {
        "port_id": port.port_id,
        "element_id": port.element_id,
        "flow_direction": port.flow_direction,
        "position_m": list(port.position) if port.position else None,
    }


def _pair_dict(a: _Port, b: _Port, directed: bool) -> dict[str, Any]:
    return {
        "port_from": a.port_id,
        "port_to": b.port_id,
        "element_from": a.element_id,
        "element_to": b.element_id,
        "directed": directed,
    }


def _report(conn: Connection, sites: list[str], tolerance_m: float) -> dict[str, Any]:
    ports = _ports(conn, sites)
    joined = _joined_ports(conn, sites)
    e = t.elements
    elements = conn.execute(
        select(e.c.element_id, e.c.kind, e.c.name, e.c.building_code)
        .where(e.c.site_code.in_(sites), e.c.kind.in_([k.value for k in SERVICE_KINDS]))
        .order_by(e.c.element_id)
    ).all()
    in_system = set(conn.execute(select(t.element_systems.c.element_id).distinct()).scalars())
    joints: dict[str, int] = {}
    free: dict[str, int] = {}
    for port in ports:
        counted = joints if port.port_id in joined else free
        counted[port.element_id] = counted.get(port.element_id, 0) + 1
    segment_kinds = {k.value for k in SEGMENT_KINDS}
    inferred = conn.execute(
        select(
            t.connections.c.port_from,
            t.connections.c.port_to,
            t.connections.c.element_from,
            t.connections.c.element_to,
            t.connections.c.directed,
        )
        .where(t.connections.c.site_code.in_(sites), t.connections.c.declared.is_(False))
        .order_by(t.connections.c.connection_id)
    ).all()
    inferable = _inferable(ports, joined, tolerance_m)
    report = {
        "sites": sites,
        "tolerance_m": tolerance_m,
        "unconnected_ports": [_port_dict(p) for p in ports if p.port_id not in joined],
        "dangling_segments": [
            {
                "element_id": r.element_id,
                "kind": r.kind,
                "name": r.name,
                "joined_ports": joints.get(r.element_id, 0),
                "free_ports": free.get(r.element_id, 0),
            }
            for r in elements
            if r.kind in segment_kinds
            and (free.get(r.element_id, 0) or not joints.get(r.element_id, 0))
        ],
        "elements_in_no_system": [
            {"element_id": r.element_id, "kind": r.kind, "name": r.name}
            for r in elements
            if r.element_id not in in_system
        ],
        "inferred_connections": [dict(r._mapping) for r in inferred],
        "inferable_connections": [_pair_dict(a, b, d) for a, b, d in inferable],
    }
    report["counts"] = {
        key: len(value)
        for key, value in report.items()
        if isinstance(value, list) and key != "sites"
    }
    return report


def add_inferred_connections(
    conn: Connection, sites: list[str], tolerance_m: float = DEFAULT_SNAP_TOLERANCE_M
) -> list[tuple[_Port, _Port, bool]]:
    """Join the free ports of `sites` that coincide within `tolerance_m`, as inferred
    connections, inside the caller's transaction; returns the pairs (from, to, directed)."""
    # only the free, placed ports can pair: read those alone, not every port of the sites
    pairs = _inferable(_ports(conn, sites, free_only=True), set(), tolerance_m)
    if pairs:
        conn.execute(
            insert(t.connections),
            [
                {
                    "site_code": a.site_code,
                    "port_from": a.port_id,
                    "port_to": b.port_id,
                    "element_from": a.element_id,
                    "element_to": b.element_id,
                    "declared": False,
                    "directed": directed,
                }
                for a, b, directed in pairs
            ],
        )
    return pairs


def check_network(
    engine: Engine, site_code: str | None = None, tolerance_m: float = DEFAULT_SNAP_TOLERANCE_M
) -> dict[str, Any]:
    """What is missing or guessed in the service networks of one site (or all).

    Returns `unconnected_ports`, `dangling_segments` (with a port joined to nothing, or
    joined nowhere),
    `elements_in_no_system`, `inferred_connections` (from geometry, not declared),
    `inferable_connections` (what `repair_network` would add at `tolerance_m`) and
    their `counts`. Raises `UnknownCode` for an unknown site, `BadInput` for a
    tolerance out of range.
    """
    tolerance = _tolerance(tolerance_m)
    with engine.connect() as conn:
        return _report(conn, _sites(conn, site_code), tolerance)


def repair_network(
    engine: Engine, site_code: str | None = None, tolerance_m: float = DEFAULT_SNAP_TOLERANCE_M
) -> dict[str, Any]:
    """Join free ports that coincide within `tolerance_m`, as inferred connections.

    One transaction: all the pairs or none. Declared connections and ports already
    joined are left as they are. Returns the check after the repair with `added`,
    the connections written.
    """
    tolerance = _tolerance(tolerance_m)
    with engine.begin() as conn:
        sites = _sites(conn, site_code)
        pairs = add_inferred_connections(conn, sites, tolerance)
        report = _report(conn, sites, tolerance)
    report["added"] = [_pair_dict(a, b, d) for a, b, d in pairs]
    return report
