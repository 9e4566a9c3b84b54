"""Utility lines from GeoJSON: stored as site pipes, joined to the buildings' entries."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pytest
from sqlalchemy import func, select

from models.errors import BadInput, UnknownCode
from tests.campus_stores import copy_store
from twin.geo.crs import frame_for, georeference_of
from twin.geo.geojson import site_geojson
from twin.geo.utilities import import_utilities
from twin.graph import build_graph, node_key
from twin.store import open_store
from twin.store import schema as t


def lonlat(engine: Any, points: list[list[float]]) -> list[list[float]]:
    with engine.connect() as conn:
        row = conn.execute(select(t.sites)).one()
    frame = frame_for(georeference_of(row))
    assert frame is not None
    return np.round(frame.to_lonlat(np.array(points)), 9).tolist()


def line(ident: str, coordinates: Any, **properties: Any) -> dict[str, Any]:
    kind = "MultiLineString" if isinstance(coordinates[0][0], list) else "LineString"
    return {
        "type": "Feature",
        "properties": {"id": ident, **properties},
        "geometry": {"type": kind, "coordinates": coordinates},
    }


def write(tmp_path: Path, features: list[dict[str, Any]], name: str = "lines.geojson") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


def free_entry(engine: Any, medium: str) -> Any:
    with engine.connect() as conn:
        connected = select(t.connections.c.port_from).union(select(t.connections.c.port_to))
        return conn.execute(
            select(t.ports, t.elements.c.name, t.elements.c.building_code)
            .join(t.elements, t.elements.c.element_id == t.ports.c.element_id)
            .where(t.elements.c.medium == medium, t.ports.c.port_id.not_in(connected))
        ).one()


def counts(engine: Any) -> tuple[int, int, int, int]:
    with engine.connect() as conn:
        return tuple(
            conn.execute(select(func.count()).select_from(table)).scalar()
            for table in (t.elements, t.ports, t.connections, t.systems)
        )


def test_lines_join_the_service_entry_and_trace_into_the_building(
    entry_db: Path, tmp_path: Path
) -> None:
    engine = open_store(str(copy_store(entry_db, tmp_path)))
    entry = free_entry(engine, "cold water")
    assert entry.name == "Water entry valve"
    x, y = entry.x_m, entry.y_m
    path = write(
        tmp_path,
        [
            # Ends 0.4 m short of the entry valve's outward port, 8.5 m from the street.
            line(
                "W1",
                lonlat(engine, [[x, y - 9.0], [x, y - 0.4]]),
                depth_m=1.5,
                diameter_m=0.1,
                medium="cold water",
            ),
            line(
                "W2",
                lonlat(engine, [[x - 60, y - 9.0], [x, y - 9.0]]),
                depth_m=1.5,
                diameter_m=0.15,
                system="Municipal water",
            ),
            line(
                "G1",
                [lonlat(engine, [[x + 50, y], [x + 60, y]])],
                depth_m=1.0,
                diameter_m=0.05,
                medium="gas",
            ),
        ],
    )
    summary = import_utilities(engine, path)
    assert summary["segments"] == 3 and summary["line_connections"] == 1
    (joined,) = summary["joined_entries"]
    assert joined["entry_element_id"] == entry.element_id
    assert joined["building_code"] == "WZ01-B01"
    assert joined["distance_m"] == pytest.approx(0.4, abs=0.005)
    # The street end of W2 and both gas ends find no entry: reported, not dropped.
    assert len(summary["warnings"]) == 3
    assert all("no free" in w for w in summary["warnings"])
    assert any("feature 2 (G1)" in w for w in summary["warnings"])
    pipes = json.loads(site_geojson(engine, "WZ01", "pipes"))["features"]
    ours = {f["properties"]["element_id"]: f["properties"] for f in pipes}
    assert {p["source"] for p in ours.values()} == {"geojson"}
    w1 = ours[joined["element_id"]]
    assert (w1["depth_m"], w1["outer_diameter_m"], w1["medium"]) == (1.5, 0.1, "cold water")
    # "Municipal water" names the medium through the system words.
    assert {p["system"] for p in ours.values()} >= {"Municipal water"}
    assert {p["medium"] for p in ours.values()} == {"cold water", "gas"}
    # The network crosses from the street line W2 through W1 into the building.
    graph = build_graph(engine, "WZ01")
    connects = nx.DiGraph((a, b) for a, b, kind in graph.edges(data="kind") if kind == "connects")
    street = next(k for k, p in ours.items() if p["system"] == "Municipal water")
    reached = nx.descendants(connects, node_key("element", street))
    indoor = {n for n in reached if n.startswith("element:WZ01-B01-")}
    assert node_key("element", entry.element_id) in reached and len(indoor) > 10
    # Importing the same file again replaces it and keeps the element ids.
    before = counts(engine)
    again = import_utilities(engine, path)
    assert counts(engine) == before
    assert again["joined_entries"] == summary["joined_entries"]
    engine.dispose()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not json", "not valid JSON"),
        ('{"type": "Feature"}', "not a GeoJSON FeatureCollection"),
        ('{"type": "FeatureCollection", "features": []}', "has no features"),
    ],
)
def test_unreadable_files(entry_db: Path, tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.geojson"
    path.write_text(text)
    engine = open_store(str(entry_db))
    with pytest.raises(BadInput, match=message):
        import_utilities(engine, path)
    engine.dispose()


def test_bad_features_are_named_and_nothing_is_stored(entry_db: Path, tmp_path: Path) -> None:
    engine = open_store(str(copy_store(entry_db, tmp_path)))
    good = lonlat(engine, [[0.0, -20.0], [10.0, -20.0]])
    path = write(
        tmp_path,
        [
            line("OK", good, depth_m=1.0, diameter_m=0.1, medium="gas"),
            {
                "type": "Feature",
                "properties": {"id": "P", "depth_m": 1, "diameter_m": 0.1, "medium": "gas"},
                "geometry": {"type": "Polygon", "coordinates": [good]},
            },
            line("D", good, diameter_m=0.1, medium="gas"),
            line("M", good, depth_m=1.0, diameter_m=0.1),
            line("OK", [[200.0, 95.0], [0.0, 0.0]], depth_m=1.0, diameter_m=-1, medium="gas"),
        ],
    )
    before = counts(engine)
    with pytest.raises(BadInput) as failure:
        import_utilities(engine, path)
    message = str(failure.value)
    assert "4 bad feature(s)" in message
    assert "feature 1 (P): geometry 'Polygon' is not a LineString" in message
    assert "feature 2 (D): depth_m None" in message
    assert "feature 3 (M): needs a medium or system" in message
    assert "feature 4 (OK): id 'OK' is empty or used twice" in message
    assert "diameter_m -1" in message and "[200.0, 95.0]" in message
    assert "\n" not in message
    assert counts(engine) == before
    engine.dispose()


def test_site_must_be_known_and_placed(georef_db: Path, tmp_path: Path) -> None:
    path = write(
        tmp_path, [line("A", [[8.0, 49.0], [8.001, 49.0]], depth_m=1, diameter_m=0.1, medium="gas")]
    )
    engine = open_store(str(georef_db))
    before = counts(engine)
    with pytest.raises(BadInput, match="with --site"):
        import_utilities(engine, path)
    with pytest.raises(UnknownCode, match=r"unknown site 'UT02'.*UT01"):
        import_utilities(engine, path, site="UT02")
    with pytest.raises(BadInput, match="EX01 has no georeference"):
        import_utilities(engine, path, site="EX01")
    with pytest.raises(BadInput, match="no such file"):
        import_utilities(engine, tmp_path / "missing.geojson", site="UT01")
    assert counts(engine) == before
    engine.dispose()
