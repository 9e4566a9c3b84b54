"""A synthetic province portfolio: hundreds of georeferenced sites written straight into the store.

`generate_portfolio` spreads office sites around the cities of a province (Zhejiang:
Hangzhou, Ningbo, Wenzhou …), each with one to four buildings, storeys and rooms
whose footprints and box meshes are planned here as plain arrays and written with
bulk inserts, so every map layer, the KPIs and the 3D view have something to show.
A few sites get the full sample campus instead (walls, doors, pipes, underground
mains): it is written once with `bim_import.sample`, imported under each of their
codes, and moved to the site's place by its georeference. Every site is placed by
an IfcMapConversion-style georeference (origin eastings/northings in the CGCS2000
3-degree Gauss-Kruger zone of its longitude, a rotation, scale 1) plus the origin's
latitude and longitude, computed with pyproj.

>>> plan = plan_portfolio(5, seed=3)
>>> len(plan.sites), plan.sites[0].site_code, plan.sites[0].epsg in (4548, 4549, 4550)
(5, 'PV0001', True)
"""

from __future__ import annotations

import json
import math
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from sqlalchemy import Connection, Engine, insert, select, update

from models.codes import SITE_RE, RoomCode, building_number
from models.errors import BadInput
from models.geometry import Mesh
from twin.importer.run import now_utc
from twin.store import schema as t

__all__ = [
    "MAX_SITES",
    "PortfolioPlan",
    "PortfolioSummary",
    "SitePlan",
    "generate_portfolio",
    "plan_portfolio",
]

MAX_SITES = 9999
SOURCE_FILE = "sample-portfolio"
STOREY_HEIGHT_M = 3.6
ROOM_HEIGHT_M = 3.0
BAND_DEPTH_M = 5.5
CORRIDOR_M = 2.4

# (name, Chinese name, longitude, latitude, share of the sites, spread in degrees)
_CITIES: tuple[tuple[str, str, float, float, float, float], ...] = (
    ("Hangzhou", "杭州", 120.155, 30.274, 0.30, 0.06),
    ("Ningbo", "宁波", 121.550, 29.875, 0.13, 0.05),
    ("Wenzhou", "温州", 120.700, 28.000, 0.12, 0.05),
    ("Shaoxing", "绍兴", 120.580, 30.000, 0.07, 0.04),
    ("Jiaxing", "嘉兴", 120.755, 30.746, 0.06, 0.04),
    ("Huzhou", "湖州", 120.088, 30.894, 0.05, 0.03),
    ("Jinhua", "金华", 119.647, 29.079, 0.07, 0.04),
    ("Quzhou", "衢州", 118.859, 28.970, 0.04, 0.03),
    ("Taizhou", "台州", 121.421, 28.656, 0.06, 0.04),
    ("Lishui", "丽水", 119.922, 28.468, 0.05, 0.03),
    ("Zhoushan", "舟山", 122.207, 29.985, 0.05, 0.03),
)
_AGENCIES: tuple[tuple[str, str], ...] = (
    ("Civic Centre", "市民中心"),
    ("Tax Office", "税务局"),
    ("Public Security Bureau", "公安局"),
    ("Education Bureau", "教育局"),
    ("Health Commission", "卫生健康委员会"),
    ("Housing Authority", "住房和城乡建设局"),
    ("People's Court", "人民法院"),
    ("Archives", "档案馆"),
    ("Natural Resources Bureau", "自然资源局"),
    ("Civil Affairs Bureau", "民政局"),
)
# Usage of the rooms along a band, picked per room (after the fixed stair and toilet).
_BAND_USAGES = (("office", 0.62), ("meeting", 0.14), ("storage", 0.1), ("pantry", 0.06))
_USAGE_NAMES = {
    "office": "Office",
    "meeting": "Meeting room",
    "storage": "Storage",
    "pantry": "Pantry",
    "sanitary": "Toilet",
    "circulation": "Corridor",
    "plant": "Plant room",
    "it": "Server room",
}
# A box's 12 triangles over its 8 corners (bottom 0-3, top 4-7, counter-clockwise from
# above), wound outwards.
_BOX_FACES = np.array(
    [
        [0, 2, 1], [0, 3, 2], [4, 5, 6], [4, 6, 7],
        [0, 1, 5], [0, 5, 4], [1, 2, 6], [1, 6, 5],
        [2, 3, 7], [2, 7, 6], [3, 0, 4], [3, 4, 7],
    ],
    dtype=np.uint32,
)  # fmt: skip


@dataclass(frozen=True)
class SitePlan:
    """One site: where its local origin is on earth and what stands on it."""

    site_code: str
    name: str
    long_name: str
    city: str
    department: str
    longitude_deg: float
    latitude_deg: float
    epsg: int
    eastings_m: float
    northings_m: float
    rotation_deg: float
    buildings: tuple[tuple[int, int, bool], ...]
    """Per building: rooms per band, storeys above ground, has a basement."""
    full_3d: bool = False


@dataclass(frozen=True)
class PortfolioPlan:
    seed: int
    sites: list[SitePlan]


@dataclass
class PortfolioSummary:
    """What `generate_portfolio` wrote."""

    sites: int
    buildings: int
    storeys: int
    rooms: int
    full_3d_sites: list[str]
    seed: int
    counts_by_city: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def gauss_kruger_epsg(longitude_deg: float) -> int:
    """The CGCS2000 3-degree Gauss-Kruger CRS (central meridian in the EPSG name) of a longitude.

    >>> gauss_kruger_epsg(120.7), gauss_kruger_epsg(121.6), gauss_kruger_epsg(118.4)
    (4549, 4550, 4548)
    """
    central_meridian = 3 * round(longitude_deg / 3)
    return 4534 + (central_meridian - 75) // 3


def plan_portfolio(
    sites: int, seed: int = 1, full_3d: int = 2, prefix: str = "PV"
) -> PortfolioPlan:
    """The portfolio as plain data: sites, their places and their buildings.

    The first `full_3d` sites lie in Wenzhou, where the sample campus belongs.
    """
    if isinstance(sites, bool) or not 1 <= sites <= MAX_SITES:
        raise BadInput(f"--sites must be 1 to {MAX_SITES}, not {sites}")
    if not 0 <= full_3d <= min(sites, 10):
        raise BadInput(
            f"--full-3d must be 0 to {min(sites, 10)} (and at most --sites), not {full_3d}"
        )
    if not SITE_RE.fullmatch(f"{prefix}{sites:04d}") or len(prefix) > 4:
        raise BadInput(f"--prefix {prefix!r}: 1 to 4 upper-case letters or digits")
    from pyproj import Transformer

    rng = np.random.default_rng(seed)
    shares = np.array([city[4] for city in _CITIES])
    city_index = rng.choice(len(_CITIES), size=sites, p=shares / shares.sum())
    city_index[:full_3d] = 2  # Wenzhou
    centres = np.array([[c[2], c[3]] for c in _CITIES])[city_index]
    spread = np.array([c[5] for c in _CITIES])[city_index]
    lon_lat = centres + rng.normal(size=(sites, 2)) * spread[:, None]
    # The full-3D sites stand a few hundred metres apart near the city centre.
    steps = np.arange(full_3d, dtype=float)[:, None] * np.array([0.004, -0.003])
    lon_lat[:full_3d] = centres[:full_3d] + steps
    rotation = rng.uniform(-45.0, 45.0, size=sites)
    agency = rng.integers(0, len(_AGENCIES), size=sites)
    epsg = np.array([gauss_kruger_epsg(lon) for lon in lon_lat[:, 0]])
    eastings = np.zeros(sites)
    northings = np.zeros(sites)
    for code in np.unique(epsg):
        chosen = epsg == code
        transformer = Transformer.from_crs(4326, int(code), always_xy=True)
        eastings[chosen], northings[chosen] = transformer.transform(
            lon_lat[chosen, 0], lon_lat[chosen, 1]
        )
    plans = []
    seen: dict[tuple[int, int], int] = {}
    for index in range(sites):
        city = _CITIES[int(city_index[index])]
        english, chinese = _AGENCIES[int(agency[index])]
        key = (int(city_index[index]), int(agency[index]))
        seen[key] = seen.get(key, 0) + 1
        number = f" {seen[key]}" if seen[key] > 1 else ""
        count = int(rng.choice([1, 2, 3, 4], p=[0.45, 0.3, 0.15, 0.1]))
        buildings = tuple(
            (int(rng.integers(3, 9)), int(rng.integers(1, 9)), bool(rng.random() < 0.15))
            for _ in range(count)
        )
        plans.append(
            SitePlan(
                site_code=f"{prefix}{index + 1:04d}",
                name=f"{city[0]} {english}{number}",
                long_name=f"{city[1]}{chinese}{number.strip()}",
                city=city[0],
                department=english,
                longitude_deg=round(float(lon_lat[index, 0]), 7),
                latitude_deg=round(float(lon_lat[index, 1]), 7),
                epsg=int(epsg[index]),
                eastings_m=round(float(eastings[index]), 3),
                northings_m=round(float(northings[index]), 3),
                rotation_deg=round(float(rotation[index]), 3),
                buildings=buildings,
                full_3d=index < full_3d,
            )
        )
    return PortfolioPlan(seed, plans)


def _site_values(site: SitePlan) -> dict[str, Any]:
    angle = math.radians(site.rotation_deg)
    return {
        "name": site.name,
        "long_name": site.long_name,
        "epsg": site.epsg,
        "crs_name": f"EPSG:{site.epsg}",
        "eastings_m": site.eastings_m,
        "northings_m": site.northings_m,
        "orthogonal_height_m": 10.0,
        "x_axis_abscissa": round(math.cos(angle), 9),
        "x_axis_ordinate": round(math.sin(angle), 9),
        "scale": 1.0,
        "latitude_deg": site.latitude_deg,
        "longitude_deg": site.longitude_deg,
        "elevation_m": 10.0,
        "true_north_deg": None,
    }


@dataclass
class _Rows:
    """Rows for the bulk inserts, gathered site by site."""

    buildings: list[dict[str, Any]] = field(default_factory=list)
    storeys: list[dict[str, Any]] = field(default_factory=list)
    counters: list[dict[str, Any]] = field(default_factory=list)
    rooms: list[dict[str, Any]] = field(default_factory=list)
    boxes: list[tuple[float, float, float, float]] = field(default_factory=list)
    edits: list[dict[str, Any]] = field(default_factory=list)
    footprints: list[dict[str, Any]] = field(default_factory=list)
    meshes: list[dict[str, Any]] = field(default_factory=list)


def _storey_rooms(
    rng: np.random.Generator, x0: float, widths: list[float], basement: bool
) -> list[tuple[str, tuple[float, float, float, float]]]:
    """(usage, box) of one storey's rooms: a corridor along x between two bands of rooms."""
    length = sum(widths)
    south = (0.0, BAND_DEPTH_M)
    north = (BAND_DEPTH_M + CORRIDOR_M, 2 * BAND_DEPTH_M + CORRIDOR_M)
    rooms: list[tuple[str, tuple[float, float, float, float]]] = [
        ("circulation", (x0, BAND_DEPTH_M, x0 + length, BAND_DEPTH_M + CORRIDOR_M))
    ]
    usages = [u for u, _ in _BAND_USAGES]
    weights = np.array([w for _, w in _BAND_USAGES])
    for band, (y0, y1) in enumerate((south, north)):
        x = x0
        for k, width in enumerate(widths):
            if k == 0:
                usage = "circulation" if band == 0 else "sanitary"
            elif basement:
                usage = "plant" if k % 2 else "storage"
            else:
                usage = str(rng.choice(usages, p=weights / weights.sum()))
            rooms.append((usage, (x, y0, x + width, y1)))
            x += width
    return rooms


def _plan_rows(plan: PortfolioPlan, at: str) -> _Rows:
    rng = np.random.default_rng(plan.seed + 1)
    rows = _Rows()
    for site in plan.sites:
        if site.full_3d:
            continue
        x0 = 0.0
        # The share of the site's offices no department is allocated to (the map's vacancy).
        vacant_share = float(rng.uniform(0.0, 0.3))
        for index, (per_band, above, basement) in enumerate(site.buildings, start=1):
            number = building_number(index)
            building_code = f"{site.site_code}-{number}"
            rows.buildings.append(
                {
                    "building_code": building_code,
                    "site_code": site.site_code,
                    "number": number,
                    "name": f"{site.department} building {index}",
                    "long_name": None,
                }
            )
            widths = [float(w) for w in np.round(rng.uniform(3.6, 6.6, size=per_band), 1)]
            levels = [("B1", -STOREY_HEIGHT_M)] if basement else []
            levels += [(f"F{k:02d}", STOREY_HEIGHT_M * (k - 1)) for k in range(1, above + 1)]
            for storey, elevation in levels:
                storey_code = f"{building_code}-{storey}"
                rows.storeys.append(
                    {
                        "storey_code": storey_code,
                        "building_code": building_code,
                        "code": storey,
                        "name": "Basement" if storey == "B1" else f"Level {storey[1:]}",
                        "elevation_m": round(elevation, 3),
                    }
                )
                rooms = _storey_rooms(rng, x0, widths, storey == "B1")
                rows.counters.append(
                    {"storey_code": storey_code, "highest_room_number": len(rooms)}
                )
                for room_number, (usage, box) in enumerate(rooms, start=1):
                    code = str(RoomCode(site.site_code, number, storey, room_number))
                    area = (box[2] - box[0]) * (box[3] - box[1])
                    rows.rooms.append(
                        {
                            "room_code": code,
                            "building_code": building_code,
                            "storey_code": storey_code,
                            "room_number": room_number,
                            "global_id": f"portfolio-{plan.seed}-{code}",
                            "source_file": SOURCE_FILE,
                            "status": "active",
                            "name": f"{storey}-{room_number:03d} {_USAGE_NAMES[usage]}",
                            "usage": usage,
                            "usage_matched": "sample-portfolio",
                            "net_floor_area_m2": round(area, 2),
                            "area_source": "footprint",
                            "height_m": ROOM_HEIGHT_M,
                            "volume_m3": round(area * ROOM_HEIGHT_M, 2),
                            "floor_elevation_m": round(elevation, 3),
                            "finish_ceiling_m": round(elevation + ROOM_HEIGHT_M, 3),
                            "created_at": at,
                        }
                    )
                    rows.boxes.append(box)
                    if usage == "office" and rng.random() >= vacant_share:
                        rows.edits.append(
                            {
                                "room_code": code,
                                "field": "department",
                                "value": json.dumps(site.department),
                                "edited_at": at,
                            }
                        )
            depth = 2 * BAND_DEPTH_M + CORRIDOR_M
            rows.footprints.append(
                {
                    "building_code": building_code,
                    "footprint_wkb": shapely.to_wkb(
                        shapely.box(x0, 0.0, x0 + sum(widths), depth, ccw=True)
                    ),
                    "source": "generated",
                }
            )
            x0 += sum(widths) + 12.0
    _add_geometry(rows)
    return rows


def _add_geometry(rows: _Rows) -> None:
    """Footprints (WKB) and box meshes of every planned room, computed over arrays."""
    if not rows.rooms:
        return
    box = np.array(rows.boxes)
    footprints = shapely.to_wkb(shapely.box(box[:, 0], box[:, 1], box[:, 2], box[:, 3], ccw=True))
    floor = np.array([room["floor_elevation_m"] for room in rows.rooms])
    corners_x = box[:, [0, 2, 2, 0]]
    corners_y = box[:, [1, 1, 3, 3]]
    bottom = np.stack([corners_x, corners_y, np.repeat(floor[:, None], 4, axis=1)], axis=2)
    top = bottom.copy()
    top[:, :, 2] += ROOM_HEIGHT_M
    vertices = np.concatenate([bottom, top], axis=1)  # (n, 8, 3)
    _, faces = Mesh(vertices[0], _BOX_FACES).to_bytes()
    for room, wkb, corners in zip(rows.rooms, footprints, vertices, strict=True):
        room["footprint_wkb"] = wkb
        rows.meshes.append(
            {
                "owner_id": room["room_code"],
                "building_code": room["building_code"],
                "vertices": np.ascontiguousarray(corners, dtype="<f8").tobytes(),
                "faces": faces,
            }
        )


def _check_free(conn: Connection, plan: PortfolioPlan) -> None:
    codes = [site.site_code for site in plan.sites]
    taken: list[str] = []
    for chunk in range(0, len(codes), 500):
        taken += (
            conn.execute(
                select(t.sites.c.site_code).where(
                    t.sites.c.site_code.in_(codes[chunk : chunk + 500])
                )
            )
            .scalars()
            .all()
        )
    if taken:
        raise BadInput(
            f"the store already holds site {sorted(taken)[0]} ({len(taken)} of the portfolio's "
            "codes): use a fresh --db or another --prefix"
        )


def _insert(conn: Connection, table: Any, rows: list[dict[str, Any]], batch: int = 5000) -> None:
    for start in range(0, len(rows), batch):
        conn.execute(insert(table), rows[start : start + batch])


Progress = Callable[[str, float], None]


def generate_portfolio(
    engine: Engine,
    sites: int = 700,
    seed: int = 1,
    full_3d: int = 2,
    prefix: str = "PV",
    progress: Progress | None = None,
) -> PortfolioSummary:
    """Write a synthetic portfolio of `sites` sites into the store; returns what was written.

    The synthetic sites go in one transaction (all or none); each full-3D site is then
    one import of the sample campus, moved to its place. Raises `BadInput` for
    out-of-range arguments or when a site code is already taken.
    """
    report = progress or (lambda _stage, _fraction: None)
    plan = plan_portfolio(sites, seed, full_3d, prefix)
    with engine.connect() as conn:
        _check_free(conn, plan)
    at = now_utc()
    report("planning rooms", 0.05)
    rows = _plan_rows(plan, at)
    report("writing sites", 0.3)
    with engine.begin() as conn:
        _insert(
            conn,
            t.sites,
            [
                {"site_code": s.site_code, "global_id": None, **_site_values(s)}
                for s in plan.sites
                if not s.full_3d
            ],
        )
        _insert(conn, t.buildings, rows.buildings)
        _insert(conn, t.storeys, rows.storeys)
        _insert(conn, t.storey_counters, rows.counters)
        _insert(conn, t.rooms, rows.rooms)
        _insert(conn, t.room_edits, rows.edits)
        _insert(conn, t.building_footprints, rows.footprints)
        _insert(conn, t.meshes, rows.meshes, batch=2000)
        summary = PortfolioSummary(
            sites=len(plan.sites),
            buildings=len(rows.buildings),
            storeys=len(rows.storeys),
            rooms=len(rows.rooms),
            full_3d_sites=[s.site_code for s in plan.sites if s.full_3d],
            seed=seed,
        )
        for site in plan.sites:
            summary.counts_by_city[site.city] = summary.counts_by_city.get(site.city, 0) + 1
        conn.execute(
            insert(t.import_runs).values(
                at=at, files=json.dumps([SOURCE_FILE]), summary=json.dumps(summary.to_dict())
            )
        )
    full = [site for site in plan.sites if site.full_3d]
    if full:
        _import_full_3d(engine, full, seed, summary, report)
    report("done", 1.0)
    return summary


def _import_full_3d(
    engine: Engine, full: list[SitePlan], seed: int, summary: PortfolioSummary, report: Progress
) -> None:
    """Import the 3-building sample campus under each site's code, then move it into place."""
    from bim_import.sample.campus import write_sample_campus
    from twin.importer import import_models

    with tempfile.TemporaryDirectory(prefix="portfolio-") as folder:
        report("writing the sample campus", 0.5)
        files = write_sample_campus(Path(folder) / "campus.ifc", buildings=3, seed=seed)
        for index, site in enumerate(full):
            report(f"importing {site.site_code}", 0.6 + 0.4 * index / len(full))
            imported = import_models(engine, list(files.ifc_files), site_code=site.site_code)
            with engine.begin() as conn:
                conn.execute(
                    update(t.sites)
                    .where(t.sites.c.site_code == site.site_code)
                    .values(**_site_values(site))
                )
            summary.buildings += imported.counts.get("buildings", 0)
            summary.storeys += imported.counts.get("storeys", 0)
            summary.rooms += imported.counts.get("rooms", 0)
