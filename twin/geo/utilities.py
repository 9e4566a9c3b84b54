"""Outdoor utility lines from GeoJSON: site-level pipe segments joined to the buildings.

Each LineString (or each part of a MultiLineString) of a FeatureCollection in WGS84
becomes one `pipe_segment` element of the site, with its axis in site metres at
`-depth_m`, a port at each end and the system and medium it names. Line ends that
meet (within 5 cm) are connected; every other end is joined to the nearest free
port of a building service of the same medium within the tolerance (the building's
service entry), so a trace crosses from the street into the building; an end that
finds none is reported. Every feature is checked before anything is written: bad
features are reported by index with the reason, and then nothing is stored.
Importing the same file again replaces what it said before, keeping element ids.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import Connection, Engine, insert, select

from models.codes import element_id
from models.errors import BadInput
from models.services import ElementKind, FlowDirection, PortRecord
from twin.connectivity import infer_connections
from twin.geo.crs import SiteFrame
from twin.geo.sites import placed_frame, resolve_site
from twin.importer.elements import forget_file, save_element_counters
from twin.importer.run import inserted_id, now_utc
from twin.store import schema as t

__all__ = ["DEFAULT_ENTRY_TOLERANCE_M", "UtilityLine", "import_utilities", "read_utility_lines"]

DEFAULT_ENTRY_TOLERANCE_M = 2.0
LINE_SNAP_M = 0.05
GLOBAL_ID_PREFIX = "geojson:"


@dataclass(frozen=True)
class UtilityLine:
    """One line part as read: its feature's index and id, WGS84 points and properties."""

    index: int
    feature_id: str
    lonlat: np.ndarray  # (n, 2) float
    depth_m: float
    diameter_m: float
    medium: str
    system: str


@dataclass
class UtilityImport:
    site_code: str
    file: str
    segments: list[str] = field(default_factory=list)
    joined: list[dict[str, Any]] = field(default_factory=list)
    line_connections: int = 0
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "site_code": self.site_code,
            "file": self.file,
            "segments": len(self.segments),
            "line_connections": self.line_connections,
            "joined_entries": self.joined,
            "warnings": self.warnings,
        }


def _number(value: Any, low: float, high: float) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) and low <= number <= high else None


def _medium(properties: dict[str, Any]) -> tuple[str | None, str | None]:
    medium = properties.get("medium")
    system = properties.get("system")
    if medium is not None and (not isinstance(medium, str) or not medium.strip()):
        return None, None
    if system is not None and (not isinstance(system, str) or not system.strip()):
        return None, None
    if isinstance(medium, str) and medium.strip():
        name = system.strip() if isinstance(system, str) else f"{medium.strip()} (utility lines)"
        return medium.strip().casefold(), name
    if isinstance(system, str) and system.strip():
        from bim_import.services import system_medium

        return system_medium(system, None), system.strip()
    return None, None


def _parts(geometry: Any) -> tuple[list[Any] | None, str | None]:
    if not isinstance(geometry, dict):
        return None, "has no geometry"
    kind, coordinates = geometry.get("type"), geometry.get("coordinates")
    if kind == "LineString":
        return [coordinates], None
    if kind == "MultiLineString" and isinstance(coordinates, list) and coordinates:
        return list(coordinates), None
    return None, f"geometry {kind!r} is not a LineString or MultiLineString"


def _points(part: Any) -> tuple[np.ndarray | None, str | None]:
    if not isinstance(part, list) or len(part) < 2:
        return None, "a line needs at least two positions"
    rows = []
    for position in part:
        if (
            not isinstance(position, list)
            or len(position) < 2
            or _number(position[0], -180, 180) is None
            or _number(position[1], -90, 90) is None
        ):
            return None, f"position {position!r} is not [lon, lat] in degrees"
        rows.append((float(position[0]), float(position[1])))
    return np.array(rows, dtype=np.float64), None


def read_utility_lines(text: str, source: str) -> list[UtilityLine]:
    """The lines of a GeoJSON FeatureCollection; `BadInput` naming every bad feature."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadInput(f"{source}: not valid JSON: {exc}") from exc
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise BadInput(f"{source}: not a GeoJSON FeatureCollection")
    features = data.get("features")
    if not isinstance(features, list) or not features:
        raise BadInput(f"{source}: the FeatureCollection has no features")
    problems: list[str] = []
    lines: list[UtilityLine] = []
    seen: set[str] = set()
    for index, feature in enumerate(features):
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            problems.append(f"feature {index}: not a GeoJSON Feature")
            continue
        properties = feature.get("properties") or {}
        if not isinstance(properties, dict):
            problems.append(f"feature {index}: properties is not an object")
            continue
        raw_id = properties.get("id", feature.get("id", index))
        ident = str(raw_id).strip()
        reasons = []
        if not ident or ident in seen:
            reasons.append(f"id {raw_id!r} is empty or used twice")
        seen.add(ident)
        depth = _number(properties.get("depth_m"), 0.0, 100.0)
        if depth is None:
            reasons.append(f"depth_m {properties.get('depth_m')!r} is not a number 0-100")
        diameter = _number(properties.get("diameter_m"), 1e-3, 5.0)
        if diameter is None:
            reasons.append(f"diameter_m {properties.get('diameter_m')!r} is not a number 0.001-5")
        medium, system = _medium(properties)
        if medium is None or system is None:
            reasons.append("needs a medium or system name")
        parts, problem = _parts(feature.get("geometry"))
        if problem:
            reasons.append(problem)
        points = []
        for part in parts or []:
            found, problem = _points(part)
            if problem:
                reasons.append(problem)
            elif found is not None:
                points.append(found)
        if reasons:
            problems.append(f"feature {index} ({ident}): {'; '.join(reasons)}")
            continue
        assert depth is not None and diameter is not None and medium and system
        lines.extend(
            UtilityLine(
                index,
                ident if len(points) == 1 else f"{ident}#{n + 1}",
                p,
                depth,
                diameter,
                medium,
                system,
            )
            for n, p in enumerate(points)
        )
    if problems:
        shown = "; ".join(problems[:5])
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        raise BadInput(f"{source}: {len(problems)} bad feature(s): {shown}{more}")
    return lines


def _site_code(conn: Connection, site: str | None) -> str:
    if site:
        return str(resolve_site(conn, site).site_code)
    codes = list(conn.execute(select(t.sites.c.site_code)).scalars())
    if len(codes) != 1:
        listed = ", ".join(codes[:10]) or "none"
        raise BadInput(f"say which site the lines belong to with --site (sites: {listed})")
    return str(codes[0])


def import_utilities(
    engine: Engine,
    path: Path,
    site: str | None = None,
    tolerance_m: float = DEFAULT_ENTRY_TOLERANCE_M,
) -> dict[str, Any]:
    """Import the utility lines of a GeoJSON file into a site, in one transaction.

    Returns a summary: segments stored, line-to-line connections, the service
    entries joined (with distances) and warnings for line ends joined to nothing.
    """
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise BadInput(f"{path}: no such file") from exc
    except (UnicodeDecodeError, IsADirectoryError) as exc:
        raise BadInput(f"{path}: not a GeoJSON text file") from exc
    if not (0 < tolerance_m <= 50):
        raise BadInput(f"tolerance {tolerance_m} m must be above 0 and at most 50 m")
    lines = read_utility_lines(text, Path(path).name)
    with engine.begin() as conn:
        code = _site_code(conn, site)
        frame = placed_frame(conn, resolve_site(conn, code))
        result = UtilityImport(code, Path(path).name)
        _store(conn, result, lines, frame, tolerance_m)
        run_id = inserted_id(
            conn,
            insert(t.import_runs).values(
                at=now_utc(), files=json.dumps([result.file]), summary=json.dumps(result.to_dict())
            ),
        )
        if result.warnings:
            conn.execute(
                insert(t.import_warnings),
                [
                    {"run_id": run_id, "file_name": result.file, "message": w}
                    for w in result.warnings
                ],
            )
    return result.to_dict()


def _store(
    conn: Connection,
    result: UtilityImport,
    lines: list[UtilityLine],
    frame: SiteFrame,
    tolerance_m: float,
) -> None:
    site, file_name = result.site_code, result.file
    previous = dict(
        conn.execute(
            select(t.elements.c.global_id, t.elements.c.element_id).where(
                t.elements.c.site_code == site, t.elements.c.source_file == file_name
            )
        ).all()
    )
    if previous:
        forget_file(conn, site, file_name)
    system_ids: dict[str, int] = {}
    for line in lines:
        if line.system not in system_ids:
            system_ids[line.system] = inserted_id(
                conn,
                insert(t.systems).values(
                    site_code=site,
                    building_code=None,
                    global_id=f"{GLOBAL_ID_PREFIX}{line.system}",
                    source_file=file_name,
                    name=line.system,
                    predefined_type=None,
                    medium=line.medium,
                ),
            )
    highest = conn.execute(
        select(t.element_counters.c.highest_number).where(t.element_counters.c.prefix == site)
    ).scalar()
    counter = int(highest or 0)
    rows, members, ends = [], [], []
    for line in lines:
        global_id = f"{GLOBAL_ID_PREFIX}{line.feature_id}"
        key = previous.get(global_id)
        if key is None:
            counter += 1
            key = element_id(site, None, counter)
        plan = frame.from_lonlat(line.lonlat)
        axis = np.column_stack([plan, np.full(len(plan), -line.depth_m)])
        rows.append(
            {
                "element_id": key,
                "site_code": site,
                "building_code": None,
                "storey_code": None,
                "global_id": global_id,
                "source_file": file_name,
                "ifc_class": "IfcPipeSegment",
                "kind": ElementKind.PIPE_SEGMENT.value,
                "name": line.feature_id,
                "type_name": None,
                "predefined_type": None,
                "medium": line.medium,
                "outer_diameter_m": line.diameter_m,
                "axis_json": json.dumps(np.round(axis, 4).tolist()),
                "normally_open": None,
                "valve_type": None,
            }
        )
        members.append({"element_id": key, "system_id": system_ids[line.system]})
        ends.append((key, line, axis[0]))
        ends.append((key, line, axis[-1]))
        result.segments.append(key)
    conn.execute(insert(t.elements), rows)
    conn.execute(insert(t.element_systems), members)
    save_element_counters(conn, {site: counter})
    port_ids = [
        inserted_id(
            conn,
            insert(t.ports).values(
                element_id=key,
                global_id=f"{key}:{'start' if n % 2 == 0 else 'end'}",
                flow_direction=FlowDirection.NOTDEFINED.value,
                x_m=float(point[0]),
                y_m=float(point[1]),
                z_m=float(point[2]),
            ),
        )
        for n, (key, _line, point) in enumerate(ends)
    ]
    _connect(conn, result, ends, port_ids, tolerance_m)


def _connect(
    conn: Connection,
    result: UtilityImport,
    ends: list[tuple[str, UtilityLine, np.ndarray]],
    port_ids: list[int],
    tolerance_m: float,
) -> None:
    records = [
        PortRecord(
            str(port),
            key,
            FlowDirection.NOTDEFINED,
            (float(point[0]), float(point[1]), float(point[2])),
        )
        for port, (key, _line, point) in zip(port_ids, ends, strict=True)
    ]
    rows = []
    joined: set[int] = set()
    for pair in infer_connections(records, set(), LINE_SNAP_M):
        a, b = int(pair.port_from), int(pair.port_to)
        joined.update((a, b))
        rows.append((a, b))
    result.line_connections = len(rows)
    entries = _free_entries(conn, result.site_code)
    taken: set[int] = set()
    index = {port: n for n, port in enumerate(port_ids)}
    for port in port_ids:
        if port in joined:
            continue
        key, line, point = ends[index[port]]
        candidates = [
            (math.dist(point[:2], (e.x_m, e.y_m)), e)
            for e in entries
            if e.medium == line.medium and e.port_id not in taken
        ]
        nearest = min(candidates, key=lambda c: (c[0], c[1].port_id), default=None)
        if nearest is None or nearest[0] > tolerance_m:
            result.warnings.append(
                f"feature {line.index} ({line.feature_id}): no free {line.medium} service entry "
                f"within {tolerance_m:g} m of its end at ({point[0]:.2f}, {point[1]:.2f}) m"
            )
            continue
        distance, entry = nearest
        taken.add(entry.port_id)
        rows.append((port, entry.port_id))
        result.joined.append(
            {
                "element_id": key,
                "entry_element_id": entry.element_id,
                "building_code": entry.building_code,
                "distance_m": round(distance, 3),
            }
        )
    element_of = {port: ends[index[port]][0] for port in port_ids}
    element_of.update({e.port_id: e.element_id for e in entries})
    if rows:
        conn.execute(
            insert(t.connections),
            [
                {
                    "site_code": result.site_code,
                    "port_from": a,
                    "port_to": b,
                    "element_from": element_of[a],
                    "element_to": element_of[b],
                    # Declared by the utilities file, so model re-inference keeps them.
                    "declared": True,
                    "directed": False,
                    "relation_global_id": None,
                    "source_file": result.file,
                }
                for a, b in rows
            ],
        )


def _free_entries(conn: Connection, site_code: str) -> list[Any]:
    """Ports of building services (with a medium and a position) that nothing connects."""
    connected = select(t.connections.c.port_from).where(t.connections.c.site_code == site_code)
    connected_to = select(t.connections.c.port_to).where(t.connections.c.site_code == site_code)
    return list(
        conn.execute(
            select(
                t.ports.c.port_id,
                t.ports.c.x_m,
                t.ports.c.y_m,
                t.elements.c.element_id,
                t.elements.c.building_code,
                t.elements.c.medium,
            )
            .join(t.elements, t.elements.c.element_id == t.ports.c.element_id)
            .where(
                t.elements.c.site_code == site_code,
                t.elements.c.building_code.is_not(None),
                t.elements.c.medium.is_not(None),
                t.ports.c.x_m.is_not(None),
                t.ports.c.port_id.not_in(connected),
                t.ports.c.port_id.not_in(connected_to),
            )
            .order_by(t.ports.c.port_id)
        ).all()
    )
