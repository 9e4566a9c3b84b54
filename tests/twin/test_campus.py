"""Campus reads besides rooms: sites, storeys by short or full code, elements by id."""

from __future__ import annotations

from pathlib import Path

import pytest

from models.errors import UnknownElement, UnknownStorey
from tests.campus_stores import imported_store
from twin.campus import element_detail, resolve_storey_code, sites, storeys
from twin.store import open_store


@pytest.fixture(scope="module")
def campus_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two sites, each with a building B01: the duplex and a heating plant."""
    return imported_store(
        tmp_path_factory.mktemp("campus"),
        {"DX01": ["duplex.ifc"], "HT01": ["b03_heating_with_building_blenderBIM.ifc"]},
    )


def test_storey_codes_short_or_full(campus_db: Path) -> None:
    engine = open_store(str(campus_db))
    assert resolve_storey_code(engine, "DX01-B01", "f02") == "DX01-B01-F02"
    assert resolve_storey_code(engine, "DX01-B01", "DX01-B01-RF") == "DX01-B01-RF"
    with pytest.raises(UnknownStorey, match="B1, F01, F02, RF"):
        resolve_storey_code(engine, "DX01-B01", "F03")
    with pytest.raises(UnknownStorey):
        resolve_storey_code(engine, "DX01-B01", "HT01-B01-F01")
    assert [s["storey"] for s in storeys(engine, "HT01-B01")] == ["F01"]
    assert [s["site_code"] for s in sites(engine)] == ["DX01", "HT01"]
    engine.dispose()


def test_unknown_element_names_the_closest(campus_db: Path) -> None:
    engine = open_store(str(campus_db))
    with pytest.raises(UnknownElement) as raised:
        element_detail(engine, "HT01-B01-E000999")
    assert raised.value.closest
    assert element_detail(engine, raised.value.closest[0])["element_id"] == raised.value.closest[0]
    engine.dispose()
