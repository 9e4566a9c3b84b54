"""Services near a point and the drill check, on the sample campus and against brute force.

The brute force here is a plain point-to-segment projection over every stored axis,
written apart from the index's segment-to-segment distance; known pipes come from
the generator's plan.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy import Engine, insert, select

from models.errors import BadInput, UnknownCode, UnknownRoomCode, UnknownStorey
from tests.campus_stores import copy_store
from tests.maintenance_sample import SampleCampus
from twin.maintenance.near import (
    NO_SERVICE,
    drill_check,
    segment_distances,
    segment_index,
    services_near,
)
from twin.store import open_store
from twin.store import schema as t


def _stored_pieces(engine: Engine) -> tuple[list[str], list[str | None], np.ndarray, np.ndarray]:
    """(element id, storey, radius, (start, end)) for every straight piece of every axis."""
    ids, storeys, radii, pieces = [], [], [], []
    with engine.connect() as conn:
        for row in conn.execute(
            select(t.elements).where(
                t.elements.c.kind.like("%segment"), t.elements.c.axis_json.is_not(None)
            )
        ):
            axis = json.loads(row.axis_json)
            for a, b in itertools.pairwise(axis):
                ids.append(row.element_id)
                storeys.append(row.storey_code)
                radii.append((row.outer_diameter_m or 0.0) / 2)
                pieces.append((a, b))
    return ids, storeys, np.array(radii), np.array(pieces, dtype=float)


def _brute_force(
    pieces: tuple[list[str], list[str | None], np.ndarray, np.ndarray],
    point: np.ndarray,
    radius: float,
    storey: str | None = None,
) -> dict[str, float]:
    ids, storeys, radii, segments = pieces
    a, b = segments[:, 0], segments[:, 1]
    ab = b - a
    length2 = np.maximum((ab * ab).sum(axis=1), 1e-12)
    u = np.clip(((point - a) * ab).sum(axis=1) / length2, 0, 1)
    distance = np.linalg.norm(a + u[:, None] * ab - point, axis=1) - radii
    found: dict[str, float] = {}
    for i in np.flatnonzero(distance <= radius):
        if storey is not None and storeys[i] != storey:
            continue
        value = max(float(distance[i]), 0.0)
        found[ids[i]] = min(found.get(ids[i], value), value)
    return found


def test_segment_distances_agree_with_dense_sampling() -> None:
    rng = np.random.default_rng(3)
    u = np.linspace(0.0, 1.0, 401)
    for trial in range(30):
        start, end = rng.normal(size=3), rng.normal(size=3)
        if trial % 5 == 0:
            end = start.copy()  # a point query
        a, b = rng.normal(size=(12, 3)), rng.normal(size=(12, 3))
        b[::5] = a[::5]  # degenerate pieces
        distances, _ = segment_distances(start, end, a, b)
        path = start + u[:, None] * (end - start)
        for i in range(12):
            piece = a[i] + u[:, None] * (b[i] - a[i])
            sampled = np.linalg.norm(path[:, None] - piece[None], axis=2).min()
            assert distances[i] <= sampled + 1e-9
            assert sampled - distances[i] < 0.01


def test_services_near_equal_a_brute_force_scan(engine: Engine, campus: SampleCampus) -> None:
    pieces = _stored_pieces(engine)
    rng = np.random.default_rng(5)
    # Points on and around real axes, so most queries find something.
    starts = pieces[3][rng.integers(0, len(pieces[3]), 40), 0]
    points = starts + rng.normal(scale=0.3, size=starts.shape)
    found_any = 0
    for point in points:
        for radius in (0.05, 0.5):
            answer = services_near(engine, point.tolist(), radius)
            got = {s["element_id"]: s["distance_m"] for s in answer["services"]}
            expected = _brute_force(pieces, point, radius)
            assert got.keys() == expected.keys()
            for element, distance in expected.items():
                assert got[element] == pytest.approx(distance, abs=1e-3)
            distances = [s["distance_m"] for s in answer["services"]]
            assert distances == sorted(distances)
            found_any += bool(got)
    assert found_any > 30


def test_storey_filter_keeps_only_that_storey(engine: Engine, campus: SampleCampus) -> None:
    pieces = _stored_pieces(engine)
    riser = campus.mep.elements[campus.mep.landmarks["B01/F02/water_riser"]]
    assert riser.run is not None
    # At a storey's floor the riser of the storey below meets the riser above.
    point = np.array(riser.run.start, dtype=float)
    storey = "WZ01-B01-F02"
    answer = services_near(engine, point.tolist(), 0.3, storey=storey)
    assert {s["element_id"] for s in answer["services"]} == set(
        _brute_force(pieces, point, 0.3, storey)
    )
    assert answer["services"] and all(s["storey_code"] == storey for s in answer["services"])
    unfiltered = services_near(engine, point.tolist(), 0.3)
    assert len(unfiltered["services"]) > len(answer["services"])


def test_drill_into_the_wall_hits_the_drop_to_the_tap(engine: Engine, campus: SampleCampus) -> None:
    drop, room_plan, (face_x, y, z) = campus.drop_beside("west")
    plan = campus.mep.elements[campus.mep.landmarks["B01/F01/water_drop"]]
    assert plan.run is not None
    radius = plan.run.profile.size_m / 2
    room = campus.room_code(room_plan)
    answer = drill_check(engine, room, [face_x, y, z], [1.0, 0.0, 0.0], depth_m=0.1)
    first = answer["services"][0]
    assert first["element_id"] == drop
    assert first["distance_m"] == 0.0
    assert first["along_m"] == pytest.approx(0.075, abs=1e-3)
    assert answer["message"] == f"{len(answer['services'])} modelled service(s) within clearance"
    assert answer["models"][0]["file_name"] == "campus.ifc"
    assert answer["models"][0]["imported_at"]
    assert "not as built" in answer["notice"]
    assert "safe" not in json.dumps(answer).lower()

    # Beside the drop by clearance + radius + 3 cm: the drop is not listed.
    aside = y + 0.05 + radius + 0.03
    missed = drill_check(engine, room, [face_x, aside, z], [1.0, 0.0, 0.0], depth_m=0.1)
    assert drop not in {s["element_id"] for s in missed["services"]}
    # ... but a wider clearance finds it again, 3 cm past the default.
    wider = drill_check(
        engine, room, [face_x, aside, z], [1.0, 0.0, 0.0], depth_m=0.1, clearance_m=0.09
    )
    hit = next(s for s in wider["services"] if s["element_id"] == drop)
    assert hit["distance_m"] == pytest.approx(0.05 + 0.03, abs=1e-3)


def test_drill_into_an_office_floor_finds_no_modelled_service(
    engine: Engine, campus: SampleCampus
) -> None:
    office = campus.room_of_kind(0, 2, "office")
    cx, cy = office.rect.centre
    answer = drill_check(
        engine, campus.room_code(office), [cx, cy, office.floor_z_m], [0, 0, -1], depth_m=0.1
    )
    assert answer["services"] == []
    assert answer["message"] == NO_SERVICE
    assert answer["models"] and "as designed" in answer["notice"]


def test_the_index_is_built_once_per_data_version(tmp_path: Path, campus: SampleCampus) -> None:
    engine = open_store(str(copy_store(campus.db, tmp_path)))
    try:
        first = segment_index(engine, "WZ01")
        assert segment_index(engine, "WZ01") is first
        with engine.begin() as conn:
            conn.execute(insert(t.import_runs).values(at="2026-01-01", files="[]", summary="{}"))
        rebuilt = segment_index(engine, "WZ01")
        assert rebuilt is not first and rebuilt.version != first.version
        assert len(rebuilt.element_ids) == len(first.element_ids)
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    ("change", "error", "words"),
    [
        ({"direction": [0, 0, 0]}, BadInput, "direction must not be the zero vector"),
        ({"direction": [0, 1]}, BadInput, "direction must be three finite numbers"),
        ({"depth_m": 0.0}, BadInput, "depth must be more than 0"),
        ({"clearance_m": -0.1}, BadInput, "clearance must be between"),
        ({"point": [500.0, 500.0, 1.0]}, BadInput, "is not in or on room"),
        ({"room": "WZ01-B01-F01-999"}, BadInput, "invalid room code"),
    ],
)
def test_bad_drill_checks_are_refused_with_the_reason(
    engine: Engine, campus: SampleCampus, change: dict[str, Any], error: type, words: str
) -> None:
    office = campus.room_of_kind(0, 2, "office")
    cx, cy = office.rect.centre
    call: dict[str, Any] = {
        "room": campus.room_code(office),
        "point": [cx, cy, office.floor_z_m],
        "direction": [0, 0, -1],
        "depth_m": 0.1,
        "clearance_m": 0.05,
    }
    call.update(change)
    with pytest.raises(error, match=words):
        drill_check(engine, **call)


def test_bad_near_queries_are_refused(engine: Engine) -> None:
    with pytest.raises(UnknownCode, match="unknown site"):
        services_near(engine, [0, 0, 0], 1.0, site="XX99")
    with pytest.raises(BadInput, match="SITE-Bnn-STOREY"):
        services_near(engine, [0, 0, 0], 1.0, storey="F02")
    with pytest.raises(UnknownStorey):
        services_near(engine, [0, 0, 0], 1.0, storey="WZ01-B01-F09")
    with pytest.raises(BadInput, match="radius"):
        services_near(engine, [0, 0, 0], -1.0)
    with pytest.raises(UnknownRoomCode):
        from models.codes import RoomCode

        drill_check(engine, str(RoomCode.make("WZ01", "B01", "F01", 999)), [0, 0, 0], [0, 0, 1])
