"""Rooms found again by a re-import hold what the file now says, as a fresh import would."""

from __future__ import annotations

import shutil
from pathlib import Path

import ifcopenshell
from sqlalchemy import select

from twin.importer import import_models
from twin.store import open_store
from twin.store import schema as t

_WHEN = {"created_at", "retired_at"}


def _rooms(db: Path) -> list[dict[str, object]]:
    columns = [c for c in t.rooms.columns if c.name not in _WHEN]
    with open_store(str(db)).connect() as conn:
        query = select(*columns).order_by(t.rooms.c.room_code)
        return [row._asdict() for row in conn.execute(query)]


def test_a_reimport_stores_each_room_as_a_fresh_import_of_the_file(
    shared_ifc: Path, tmp_path: Path
) -> None:
    original = tmp_path / "duplex.ifc"
    shutil.copy(shared_ifc / "duplex.ifc", original)
    model = ifcopenshell.open(str(original))
    space = next(s for s in model.by_type("IfcSpace") if s.Name == "A103")
    space.Name, space.LongName = "A103b", "Kitchenette"
    revised = tmp_path / "revised" / "duplex.ifc"
    revised.parent.mkdir()
    model.write(str(revised))

    again = open_store(str(tmp_path / "again.db"))
    import_models(again, [original], site_code="DX01")
    summary = import_models(again, [revised], site_code="DX01")
    import_models(open_store(str(tmp_path / "fresh.db")), [revised], site_code="DX01")

    assert [change["new"] for change in summary.changes.renamed] == ["A103b Kitchenette"]
    rooms = _rooms(tmp_path / "again.db")
    assert rooms == _rooms(tmp_path / "fresh.db")
    assert ("A103b", "Kitchenette") in {(row["name"], row["long_name"]) for row in rooms}
