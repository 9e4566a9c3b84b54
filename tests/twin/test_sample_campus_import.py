"""The sample campus imported, checked against the generator's own answer file.

The generator never imports twin/: its answers (which rooms each segment passes and
where, which rooms are neighbours, how many of everything) come from its plan, not
from reading the IFC back. The split files (architecture and MEP per building, plus
a site file) must federate to exactly the same rooms, codes and assignments.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select

from bim_import.sample.campus import write_sample_campus
from models.codes import RoomCode
from twin.importer import ImportSummary, import_models
from twin.store import open_store
from twin.store import schema as t


@pytest.fixture(scope="module")
def campus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("sample")
    single = write_sample_campus(folder / "campus.ifc", buildings=3, seed=7)
    split = write_sample_campus(folder / "split" / "campus.ifc", buildings=3, seed=7, split=True)
    answers = json.loads(single.answers.read_text(encoding="utf-8"))
    single_db = open_store(str(folder / "single.db"))
    single_summary = import_models(single_db, single.ifc_files, site_code="WZ01")
    split_db = open_store(str(folder / "split.db"))
    split_summary = import_models(split_db, split.ifc_files, site_code="WZ01")
    return {
        "answers": answers,
        "single": (single_db, single_summary),
        "split": (split_db, split_summary),
        "single_files": single.ifc_files,
    }


def _rooms(engine: Engine) -> dict[str, Any]:
    with engine.connect() as conn:
        return {row.global_id: row for row in conn.execute(select(t.rooms))}


def _runs(engine: Engine) -> dict[str, set[tuple[str, str]]]:
    with engine.connect() as conn:
        gid_of_room = dict(conn.execute(select(t.rooms.c.room_code, t.rooms.c.global_id)).all())
        found: dict[str, set[tuple[str, str]]] = {}
        for element_gid, room_code, where in conn.execute(
            select(t.elements.c.global_id, t.runs_through.c.room_code, t.runs_through.c.where).join(
                t.elements, t.elements.c.element_id == t.runs_through.c.element_id
            )
        ):
            found.setdefault(element_gid, set()).add((gid_of_room[room_code], where))
    return found


def test_every_room_with_its_usage_area_and_storey(campus: dict[str, Any]) -> None:
    engine, summary = campus["single"]
    answers = campus["answers"]
    rooms = _rooms(engine)
    assert len(rooms) == len(answers["rooms"]) >= 150
    storey_names = {
        storey["global_id"]: storey["name"]
        for building in answers["buildings"]
        for storey in building["storeys"]
    }
    with engine.connect() as conn:
        storey_rows = {row.storey_code: row for row in conn.execute(select(t.storeys))}
    for expected in answers["rooms"]:
        room = rooms[expected["global_id"]]
        assert room.usage == expected["usage"], (expected["long_name"], room.usage)
        assert room.net_floor_area_m2 == pytest.approx(expected["declared_area_m2"], rel=1e-3)
        storey = storey_rows[room.storey_code]
        assert storey.name == storey_names[expected["storey_global_id"]]
        RoomCode.parse(room.room_code)
    unclassified = [r for r in answers["rooms"] if r["usage"] == "unclassified"]
    assert len(summary.unclassified_rooms) == len(unclassified) > 0


def test_area_mismatch_is_warned_with_the_global_id(campus: dict[str, Any]) -> None:
    _, summary = campus["single"]
    for global_id in campus["answers"]["area_mismatch_rooms"]:
        assert any(global_id in w and "differs from the geometry" in w for w in summary.warnings)


def test_basement_is_b1_and_ground_floor_f01(campus: dict[str, Any]) -> None:
    engine, _ = campus["single"]
    with engine.connect() as conn:
        storeys = {
            (row.building_code, row.code): row.elevation_m
            for row in conn.execute(select(t.storeys))
        }
    basements = [key for key in storeys if key[1] == "B1"]
    assert basements and all(storeys[key] < -1.0 for key in basements)
    assert all(abs(elevation) < 0.5 for (_, code), elevation in storeys.items() if code == "F01")


def test_counts_match_the_answer_file(campus: dict[str, Any]) -> None:
    _, summary = campus["single"]
    expected = campus["answers"]["counts"]
    for key in (
        "buildings",
        "rooms",
        "segments",
        "fittings",
        "valves",
        "terminals",
        "cables",
        "pumps",
        "systems",
    ):
        assert summary.counts[key] == expected[key], key
    assert summary.counts["declared_connections"] == expected["connections"]
    assert summary.counts["inferred_connections"] == 0


def test_every_segment_runs_where_the_generator_put_it(campus: dict[str, Any]) -> None:
    engine, _ = campus["single"]
    runs = _runs(engine)
    wrong = {}
    for segment, expected in campus["answers"]["segments"].items():
        want = {(item["room"], item["where"]) for item in expected}
        got = runs.get(segment, set())
        if want != got:
            wrong[segment] = (sorted(want), sorted(got))
    assert wrong == {}
    assert sum(len(v) for v in runs.values()) > 100


def test_adjacency_matches_the_plan(campus: dict[str, Any]) -> None:
    engine, _ = campus["single"]
    with engine.connect() as conn:
        gid = dict(conn.execute(select(t.rooms.c.room_code, t.rooms.c.global_id)).all())
        stored = {
            tuple(sorted((gid[a], gid[b])))
            for a, b in conn.execute(select(t.adjacency.c.room_a, t.adjacency.c.room_b))
        }
    expected = {tuple(sorted(pair)) for pair in campus["answers"]["adjacent"]}
    assert stored == expected


def test_split_files_federate_to_the_same_rooms_codes_and_runs(campus: dict[str, Any]) -> None:
    single_db, single_summary = campus["single"]
    split_db, split_summary = campus["split"]
    single_rooms, split_rooms = _rooms(single_db), _rooms(split_db)
    assert {g: r.room_code for g, r in split_rooms.items()} == {
        g: r.room_code for g, r in single_rooms.items()
    }
    assert _runs(split_db) == _runs(single_db)
    assert split_summary.buildings == single_summary.buildings
    total_single = single_summary.counts["declared_connections"]
    split_counts = split_summary.counts
    assert (
        split_counts["declared_connections"] + split_counts["inferred_connections"] == total_single
    )
    assert split_counts["inferred_connections"] == len(
        campus["answers"]["split_inferred_connections"]
    )


def test_reimporting_the_sample_changes_nothing(campus: dict[str, Any], tmp_path: Path) -> None:
    engine = open_store(str(tmp_path / "twin.db"))
    first: ImportSummary = import_models(engine, campus["single_files"], site_code="WZ01")
    codes = {g: r.room_code for g, r in _rooms(engine).items()}
    again = import_models(engine, campus["single_files"], site_code="WZ01")
    assert {g: r.room_code for g, r in _rooms(engine).items()} == codes
    assert again.reimport and not first.reimport
    assert (again.changes.added, again.changes.retired, again.changes.renamed) == ([], [], [])
