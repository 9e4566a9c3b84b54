"""Imports are all-or-nothing; room codes survive revisions, are never reused, and pins win."""

from __future__ import annotations

import shutil
from pathlib import Path

import ifcopenshell
import ifcopenshell.guid
import pytest
from sqlalchemy import Engine, func, select

from models.codes import RoomCode
from models.errors import BadInput, ModelImportError
from twin.importer import import_models
from twin.manifest import load_manifest
from twin.rooms import list_rooms, room_detail, set_room
from twin.store import schema as t


def _codes_by_global_id(engine: Engine) -> dict[str, tuple[str, str]]:
    with engine.connect() as conn:
        return {
            row.global_id: (row.room_code, row.status)
            for row in conn.execute(
                select(t.rooms.c.global_id, t.rooms.c.room_code, t.rooms.c.status)
            )
        }


def _table_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            name: conn.execute(select(func.count()).select_from(table)).scalar() or 0
            for name, table in t.metadata.tables.items()
        }


def _space(model: ifcopenshell.file, name: str) -> ifcopenshell.entity_instance:
    return next(s for s in model.by_type("IfcSpace") if s.Name == name)


@pytest.fixture
def duplex(shared_ifc: Path, tmp_path: Path) -> Path:
    path = tmp_path / "duplex.ifc"
    shutil.copy(shared_ifc / "duplex.ifc", path)
    return path


def test_same_file_again_gives_identical_codes(store: Engine, duplex: Path) -> None:
    first = import_models(store, [duplex], site_code="DX01")
    before = _codes_by_global_id(store)
    second = import_models(store, [duplex], site_code="DX01")
    assert _codes_by_global_id(store) == before
    assert len(first.changes.added) == 21
    assert second.reimport
    assert second.changes.added == second.changes.retired == second.changes.renamed == []


def test_codes_are_valid_and_numbered_per_storey(store: Engine, duplex: Path) -> None:
    import_models(store, [duplex], site_code="DX01")
    rooms = list_rooms(store)
    assert len(rooms) == 21
    per_storey: dict[str, list[int]] = {}
    for room in rooms:
        code = RoomCode.parse(room["room_code"])
        assert code.building_code == "DX01-B01"
        per_storey.setdefault(room["storey_code"], []).append(code.room_number)
    for numbers in per_storey.values():
        assert sorted(numbers) == list(range(1, len(numbers) + 1))


def test_revision_keeps_codes_retires_and_never_reissues(store: Engine, duplex: Path) -> None:
    import_models(store, [duplex], site_code="DX01")
    v1 = _codes_by_global_id(store)
    model = ifcopenshell.open(str(duplex))
    removed = _space(model, "A104")
    removed_gid = removed.GlobalId
    model.remove(removed)
    recreated = _space(model, "A102")  # the authoring tool re-created this space: new GlobalId
    recreated_gid = recreated.GlobalId
    recreated.GlobalId = ifcopenshell.guid.new()
    renamed = _space(model, "A103")
    renamed.LongName = "Kitchenette"
    model.write(str(duplex))

    summary = import_models(store, [duplex], site_code="DX01")
    v2 = _codes_by_global_id(store)
    assert v2[removed_gid] == (v1[removed_gid][0], "retired")
    assert summary.changes.retired == [v1[removed_gid][0]]
    assert v2[recreated.GlobalId][0] == v1[recreated_gid][0], "matched by footprint"
    assert [r["room_code"] for r in summary.changes.renamed] == [v1[renamed.GlobalId][0]]
    assert summary.changes.added == []

    # The removed room comes back as a new space: it gets a new number after the
    # highest ever used on its storey, never the retired code.
    restored = _restore_space(duplex, removed_gid)
    summary = import_models(store, [restored], site_code="DX01")
    v3 = _codes_by_global_id(store)
    new_codes = [code for gid, (code, status) in v3.items() if gid not in v2 and status == "active"]
    assert len(new_codes) == 1
    new_code = RoomCode.parse(new_codes[0])
    on_storey = [RoomCode.parse(c) for c, _ in v3.values()]
    on_storey = [c for c in on_storey if c.storey_code == new_code.storey_code]
    assert new_code.room_number == max(c.room_number for c in on_storey)
    assert new_code.room_number > RoomCode.parse(v1[removed_gid][0]).room_number
    assert new_codes[0] != v1[removed_gid][0]
    assert v3[removed_gid][1] == "retired"


def _restore_space(duplex: Path, removed_gid: str) -> Path:
    """The current revision plus the removed space again, under a fresh GlobalId."""
    import tests.conftest as conftest

    source = ifcopenshell.open(str(conftest.SHARED_IFC / "duplex.ifc"))
    space = source.by_guid(removed_gid)
    space.GlobalId = ifcopenshell.guid.new()
    # Keep every other space of the current revision: rewrite the current file's
    # spaces into the source, then drop the ones the revision removed.
    current = ifcopenshell.open(str(duplex))
    current_gids = {s.GlobalId for s in current.by_type("IfcSpace")}
    renamed = {s.Name: s for s in current.by_type("IfcSpace")}
    for other in source.by_type("IfcSpace"):
        if other.id() == space.id():
            continue
        twin = renamed.get(other.Name)
        if twin is not None:
            other.GlobalId = twin.GlobalId
            other.LongName = twin.LongName
        elif other.GlobalId not in current_gids:
            source.remove(other)
    out = duplex.parent / "duplex.ifc"
    source.write(str(out))
    return out


def test_a_bad_file_among_good_ones_leaves_the_store_as_it_was(
    store: Engine, duplex: Path, shared_ifc: Path, tmp_path: Path
) -> None:
    import_models(store, [duplex], site_code="DX01")
    before = _table_counts(store)
    truncated = tmp_path / "truncated.ifc"
    truncated.write_bytes((shared_ifc / "Office_A_20110811.ifc").read_bytes()[:200_000])
    with pytest.raises(ModelImportError, match=r"truncated\.ifc: truncated file"):
        import_models(store, [duplex, truncated], site_code="DX01")
    assert _table_counts(store) == before


def test_local_edits_survive_reimport(store: Engine, duplex: Path) -> None:
    import_models(store, [duplex], site_code="DX01")
    code = list_rooms(store)[0]["room_code"]
    set_room(store, code, {"usage": "office", "department": "Finance", "capacity": 4})
    import_models(store, [duplex], site_code="DX01")
    room = room_detail(store, code)
    assert (room["usage"], room["department"], room["capacity"]) == ("office", "Finance", 4)
    assert room["usage_from_model"] == "circulation"
    assert [event["event"] for event in room["history"]] == ["created", "edited"]
    with pytest.raises(BadInput, match="unknown usage 'offce'"):
        set_room(store, code, {"usage": "offce"})


def test_manifest_pins_site_building_and_room_codes(
    store: Engine, duplex: Path, tmp_path: Path
) -> None:
    model = ifcopenshell.open(str(duplex))
    living = _space(model, "A102")
    pinned = RoomCode.make("HQ", "B07", "F01", 42)
    manifest = tmp_path / "campus.toml"
    manifest.write_text(
        f"""
[site]
code = "HQ"

[[buildings]]
code = "B07"
files = ["duplex.ifc"]

[[rooms]]
global_id = "{living.GlobalId}"
code = "{pinned}"
""",
        encoding="utf-8",
    )
    import_models(store, [duplex], manifest=load_manifest(manifest))
    codes = _codes_by_global_id(store)
    assert codes[living.GlobalId] == (str(pinned), "active")
    assert all(code.startswith("HQ-B07-") for code, _ in codes.values())
    # numbering on that storey continues after the pinned 42
    import_models(store, [duplex], manifest=load_manifest(manifest))
    assert _codes_by_global_id(store) == codes


def test_manifest_errors_are_named(tmp_path: Path) -> None:
    bad = tmp_path / "campus.toml"
    bad.write_text('[site]\ncode = "wz-1"\n', encoding="utf-8")
    with pytest.raises(BadInput, match="site code 'wz-1'"):
        load_manifest(bad)
    bad.write_text("[[rooms]]\nglobal_id = 'x'\ncode = 'WZ01-B01-F01-001X'\n", encoding="utf-8")
    with pytest.raises(BadInput, match="check character"):
        load_manifest(bad)
    with pytest.raises(BadInput, match="no such manifest"):
        load_manifest(tmp_path / "missing.toml")


def test_changed_building_global_id_in_a_known_file_asks_for_a_manifest(
    store: Engine, duplex: Path
) -> None:
    import_models(store, [duplex], site_code="DX01")
    model = ifcopenshell.open(str(duplex))
    building = model.by_type("IfcBuilding")[0]
    building.GlobalId = ifcopenshell.guid.new()
    building.Name = "Renamed duplex"
    model.write(str(duplex))
    before = _table_counts(store)
    with pytest.raises(BadInput, match="add a \\[\\[buildings\\]\\] entry"):
        import_models(store, [duplex], site_code="DX01")
    assert _table_counts(store) == before


def test_the_import_holds_sqlites_page_cache_small_and_gives_it_back(
    store: Engine, duplex: Path
) -> None:
    """A small cache while the import writes (its memory peak), the pool's own setting after."""
    from twin.importer import _IMPORT_CACHE_KIB, _small_page_cache

    seen: list[int] = []
    with store.begin() as conn:
        (default,) = conn.exec_driver_sql("PRAGMA cache_size").one()
        with _small_page_cache(conn):
            seen.append(conn.exec_driver_sql("PRAGMA cache_size").one()[0])
        seen.append(conn.exec_driver_sql("PRAGMA cache_size").one()[0])
    assert seen == [-_IMPORT_CACHE_KIB, default]
    assert default != -_IMPORT_CACHE_KIB

    import_models(store, [duplex])
    with store.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA cache_size").one()[0] == default
        assert conn.execute(select(func.count()).select_from(t.rooms)).scalar()
