"""Door labels: the right rooms, the right links, and QR codes a phone can actually read."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from models.errors import BadInput, UnknownBuilding
from tests.campus_stores import copy_store, imported_store
from twin.rooms import list_rooms, set_room
from twin.store import open_store
from viewer.labels import check_base_url, labels_pdf, room_labels, room_labels_pdf

BASE_URL = "https://twin.campus.example"


@pytest.fixture(scope="module")
def duplex_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return imported_store(tmp_path_factory.mktemp("labels"), {"DX01": ["duplex.ifc"]})


@pytest.mark.parametrize(
    "url",
    [
        None,
        "",
        "twin.campus.example",
        "ftp://twin.campus.example",
        "http://127.0.0.1:8000",
        "http://localhost:8000/",
        "http://[::1]:8000",
        "http://0.0.0.0:8000",
        "https://twin.campus.example/?x=1",
    ],
)
def test_refuses_addresses_a_phone_cannot_open(url: str | None) -> None:
    with pytest.raises(BadInput):
        check_base_url(url)


def test_accepts_public_and_lan_addresses() -> None:
    assert check_base_url("https://twin.campus.example/") == BASE_URL
    assert check_base_url("http://10.20.0.5:8000") == "http://10.20.0.5:8000"
    assert check_base_url("https://fm.example.net/twin/") == "https://fm.example.net/twin"


def test_one_label_per_active_room_linking_to_the_page(duplex_db: Path) -> None:
    engine = open_store(str(duplex_db))
    labels = room_labels(engine, "DX01-B01", BASE_URL + "/")
    rooms = list_rooms(engine, building="DX01-B01")
    assert [label.room_code for label in labels] == [room["room_code"] for room in rooms]
    assert len(labels) == 21
    assert labels[0].url == f"{BASE_URL}/?room=DX01-B01-F01-001C"
    assert labels[0].name == "A101"
    assert labels[0].long_name == "Foyer"
    assert "circulation" in labels[0].details
    with pytest.raises(UnknownBuilding):
        room_labels(engine, "DX01-B02", BASE_URL)
    engine.dispose()


def _pages_text(pdf: bytes) -> list[str]:
    from pypdf import PdfReader

    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def test_pdf_prints_every_code_and_the_qr_codes_decode_to_the_links(duplex_db: Path) -> None:
    pdfium = pytest.importorskip("pypdfium2", reason="rendering the PDF needs pypdfium2")
    zxingcpp = pytest.importorskip("zxingcpp", reason="reading QR codes needs zxing-cpp")
    engine = open_store(str(duplex_db))
    labels = room_labels(engine, "DX01-B01", BASE_URL)
    pdf = room_labels_pdf(engine, "DX01-B01", BASE_URL)
    engine.dispose()
    assert pdf.startswith(b"%PDF")
    pages = _pages_text(pdf)
    assert len(pages) == 3  # ten labels to a page
    text = "\n".join(pages)
    for label in labels:
        assert label.room_code in text
        assert label.name in text
    decoded: list[str] = []
    document = pdfium.PdfDocument(pdf)
    for index in range(len(document)):
        page = document[index]
        image = page.render(scale=3).to_pil()
        page.close()
        decoded += [code.text for code in zxingcpp.read_barcodes(image)]
    document.close()
    assert sorted(decoded) == sorted(label.url for label in labels)


def test_chinese_names_are_printed(duplex_db: Path, tmp_path: Path) -> None:
    if not Path("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf").is_file():
        pytest.skip("Chinese text needs Debian's fonts-droid-fallback")
    engine = open_store(str(copy_store(duplex_db, tmp_path)))
    set_room(engine, "DX01-B01-F01-001C", {"long_name": "门厅 一层"})
    labels = room_labels(engine, "DX01-B01", BASE_URL)
    engine.dispose()
    first_page = _pages_text(labels_pdf(labels[:1]))[0]
    assert "门厅 一层" in first_page
    assert "DX01-B01-F01-001C" in first_page
