"""Which site, building and storey each file's records belong to, in site coordinates.

A building usually arrives as several files (architecture, plumbing, electrical,
site), each with its own IfcBuilding and storeys. They are merged into one building
by the manifest's file → building entry, else the IfcBuilding GlobalId seen before,
else the building's name; storeys are merged by elevation (± 0.5 m), then kept by
GlobalId.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sqlalchemy import Connection, select

from bim_import.linear import matmul
from models.campus import Georeference
from models.codes import SITE_RE, building_number, storey_codes_by_elevation
from models.errors import BadInput
from models.geometry import FloatArray
from twin.manifest import Manifest
from twin.store import schema as t

__all__ = [
    "STOREY_MATCH_M",
    "SiteTransform",
    "derive_site_code",
    "resolve_building",
    "resolve_storeys",
    "site_transform",
]

STOREY_MATCH_M = 0.5
_ROOF_WORDS = re.compile(r"roof|dach|屋顶|屋面|^rf$", re.IGNORECASE)


@dataclass(frozen=True)
class SiteTransform:
    """A plan rotation + translation (+ height shift) from a file's coordinates to the site's."""

    rotation: FloatArray  # (2, 2)
    offset: FloatArray  # (3,)

    def apply(self, points: FloatArray) -> FloatArray:
        """Transform `(n, 2)` or `(n, 3)` points."""
        points = np.asarray(points, dtype=float)
        moved = points.copy()
        moved[:, :2] = matmul(points[:, :2], self.rotation.T) + self.offset[:2]
        if points.shape[1] == 3:
            moved[:, 2] = points[:, 2] + self.offset[2]
        return moved


def site_transform(file_georef: Georeference, site_georef: Georeference) -> SiteTransform | None:
    """The transform taking a file's coordinates into the site's, or None when they agree.

    Both georeferences are put on the earth (map conversion in any EPSG grid, else
    reference latitude/longitude with true north) and the file's frame is carried
    into the site's through them. A file or site that nothing places is taken to
    share the site's coordinates.
    """
    from twin.geo.crs import affine_between, frame_for

    if file_georef == site_georef:
        return None
    source, target = frame_for(file_georef), frame_for(site_georef)
    if source is None or target is None:
        return None
    matrix, offset = affine_between(source, target)
    if np.allclose(matrix, np.eye(2), atol=1e-9) and np.allclose(offset, 0.0, atol=1e-4):
        return None
    return SiteTransform(matrix, offset)


def derive_site_code(conn: Connection, site_global_id: str | None, site_name: str) -> str:
    """A site code for an IfcSite seen for the first time, or the code it already has."""
    if site_global_id:
        known = conn.execute(
            select(t.sites.c.site_code).where(t.sites.c.global_id == site_global_id)
        ).scalar()
        if known:
            return str(known)
    cleaned = re.sub(r"[^A-Z0-9]", "", site_name.upper())
    base = cleaned[:8] if len(cleaned) >= 2 else "SITE"
    existing = set(conn.execute(select(t.sites.c.site_code)).scalars())
    if base not in existing and SITE_RE.fullmatch(base):
        return base
    for number in range(1, 100):
        candidate = f"{base[:6]}{number:02d}"
        if candidate not in existing:
            return candidate
    raise BadInput(f"no free site code for {site_name!r}; name one with --site")


def resolve_building(
    conn: Connection,
    site_code: str,
    manifest: Manifest,
    file_name: str,
    global_id: str,
    name: str,
    claimed: dict[str, str],
) -> str:
    """The building code (`SITE-Bnn`) that an IfcBuilding of `file_name` belongs to.

    `claimed` maps GlobalIds and names already resolved in this import run, so that
    the files of one run federate. Raises `BadInput` when a file imported before
    now holds an unknown building and nothing says which building it is.
    """
    pin = manifest.building_for_file(file_name) or manifest.building_for(global_id, name)
    if pin is not None and pin.code:
        return f"{site_code}-{pin.code}"
    known = conn.execute(
        select(t.building_global_ids.c.building_code).where(
            t.building_global_ids.c.site_code == site_code,
            t.building_global_ids.c.global_id == global_id,
        )
    ).scalar()
    if known:
        return str(known)
    if global_id in claimed:
        return claimed[global_id]
    if name and f"name:{name}" in claimed:
        return claimed[f"name:{name}"]
    if name:
        by_name = (
            conn.execute(
                select(t.buildings.c.building_code).where(
                    t.buildings.c.site_code == site_code, t.buildings.c.name == name
                )
            )
            .scalars()
            .all()
        )
        if len(by_name) == 1:
            return str(by_name[0])
    before = conn.execute(
        select(t.model_files.c.building_code).where(
            t.model_files.c.site_code == site_code, t.model_files.c.file_name == file_name
        )
    ).scalar()
    if before:
        raise BadInput(
            f"{file_name}: its IfcBuilding {global_id} ({name!r}) was not seen before, but this "
            f"file was imported as {before}; add a [[buildings]] entry with files = "
            f'["{file_name}"] to the campus manifest to say which building it is'
        )
    used = set(
        conn.execute(
            select(t.buildings.c.number).where(t.buildings.c.site_code == site_code)
        ).scalars()
    )
    used |= {code.split("-")[-1] for code in claimed.values() if code.startswith(f"{site_code}-")}
    pinned = {pin.code for pin in manifest.buildings if pin.code}
    for index in range(1, 100):
        number = building_number(index)
        if number not in used and number not in pinned:
            return f"{site_code}-{number}"
    raise BadInput(f"site {site_code} is full: 99 buildings")


@dataclass(frozen=True)
class StoreyInput:
    global_id: str
    name: str
    elevation_m: float


def resolve_storeys(
    conn: Connection,
    building_code: str,
    incoming: Sequence[StoreyInput],
    ground_storey: str | None,
) -> tuple[dict[str, str], list[tuple[str, str, str, float]], list[str]]:
    """Storey codes for incoming storeys: `{global_id: storey_code}`, new storeys, warnings.

    Known GlobalIds keep their storey; others join a storey of the building within
    ± 0.5 m; the rest are new, coded by elevation among all the building's storeys.
    New storeys are returned as `(storey_code, code, name, elevation_m)`.
    """
    existing = conn.execute(
        select(t.storeys.c.storey_code, t.storeys.c.code, t.storeys.c.elevation_m).where(
            t.storeys.c.building_code == building_code
        )
    ).all()
    known = dict(
        conn.execute(
            select(t.storey_global_ids.c.global_id, t.storey_global_ids.c.storey_code).where(
                t.storey_global_ids.c.building_code == building_code
            )
        ).all()
    )
    levels: list[tuple[str | None, float, list[StoreyInput]]] = [
        (row.storey_code, row.elevation_m, []) for row in existing
    ]
    mapping: dict[str, str] = {}
    for storey in sorted(incoming, key=lambda s: s.elevation_m):
        if storey.global_id in known:
            mapping[storey.global_id] = known[storey.global_id]
            continue
        nearest = min(
            (level for level in levels if abs(level[1] - storey.elevation_m) <= STOREY_MATCH_M),
            key=lambda level: abs(level[1] - storey.elevation_m),
            default=None,
        )
        if nearest is None:
            levels.append((None, storey.elevation_m, [storey]))
        else:
            nearest[2].append(storey)
    warnings: list[str] = []
    new_storeys: list[tuple[str, str, str, float]] = []
    if any(code is None for code, _, _ in levels):
        elevations = [elevation for _, elevation, _ in levels]
        if ground_storey:
            ground = next(
                (
                    elevation
                    for code, elevation, members in levels
                    if any(m.name == ground_storey for m in members)
                    or (code or "").endswith(f"-{ground_storey}")
                ),
                None,
            )
            if ground is not None:
                elevations = [elevation - ground for elevation in elevations]
        roof = [
            bool(members) and all(_ROOF_WORDS.search(m.name or "") for m in members)
            for _, _, members in levels
        ]
        codes = storey_codes_by_elevation(elevations, roof)
        used = {code.split("-")[-1] for code, _, _ in levels if code}
        for (code, elevation, members), fresh in zip(levels, codes, strict=True):
            if code is not None:
                continue
            if fresh in used:
                fresh = _next_free(fresh, used)
                warnings.append(
                    f"storey {members[0].name!r} at {elevation:.2f} m of {building_code} gets "
                    f"{fresh}: the code its elevation gives is held by another storey"
                )
            used.add(fresh)
            storey_code = f"{building_code}-{fresh}"
            new_storeys.append((storey_code, fresh, members[0].name, elevation))
            for member in members:
                mapping[member.global_id] = storey_code
    for code, _, members in levels:
        if code is not None:
            for member in members:
                mapping[member.global_id] = code
    return mapping, new_storeys, warnings


def _next_free(code: str, used: set[str]) -> str:
    if code.startswith("B") and code[1:].isdigit():
        number = int(code[1:])
        while f"B{number}" in used:
            number += 1
        return f"B{number}"
    number = max([int(c[1:]) for c in used if c.startswith("F")] + [0]) + 1
    return f"F{number:02d}"
