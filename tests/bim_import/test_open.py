"""Files that are not whole, readable IFC are refused with one line naming the problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from bim_import.open import open_model
from models.errors import ModelImportError

MINIMAL = """ISO-10303-21;
HEADER;
FILE_DESCRIPTION(('ViewDefinition [CoordinationView]'),'2;1');
FILE_NAME('x.ifc','2026-01-01T00:00:00',(''),(''),'','','');
FILE_SCHEMA(('{schema}'));
ENDSEC;
DATA;
#1=IFCPROJECT('0YvctVUKr0kugbFTf53O9L',$,'P',$,$,$,$,$,$);
#2=IFCBUILDING('1YvctVUKr0kugbFTf53O9L',$,'B',$,$,$,$,$,.ELEMENT.,$,$,$);
ENDSEC;
END-ISO-10303-21;
"""


def _write(tmp_path: Path, text: str, name: str = "model.ifc") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_minimal_whole_file_opens(tmp_path: Path) -> None:
    model = open_model(_write(tmp_path, MINIMAL.format(schema="IFC4")))
    assert len(model.by_type("IfcBuilding")) == 1


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ModelImportError, match=r"nope\.ifc: no such file"):
        open_model(tmp_path / "nope.ifc")


def test_not_ifc(tmp_path: Path) -> None:
    path = _write(tmp_path, "<html>not a model</html>", "page.ifc")
    with pytest.raises(ModelImportError, match=r"page\.ifc: not an IFC file"):
        open_model(path)


def test_unsupported_schema_is_named(tmp_path: Path) -> None:
    path = _write(tmp_path, MINIMAL.format(schema="IFC4X3_RC2"))
    with pytest.raises(ModelImportError, match="unsupported schema IFC4X3_RC2"):
        open_model(path)


def test_truncated_file_is_caught_although_ifcopenshell_would_open_it(tmp_path: Path) -> None:
    whole = MINIMAL.format(schema="IFC4")
    path = _write(tmp_path, whole[: whole.index("ENDSEC;\nEND-ISO")])
    with pytest.raises(ModelImportError, match="truncated file: END-ISO-10303-21; is missing"):
        open_model(path)


def test_file_with_nothing_built_is_refused(tmp_path: Path) -> None:
    text = MINIMAL.format(schema="IFC4").replace(
        "#2=IFCBUILDING('1YvctVUKr0kugbFTf53O9L',$,'B',$,$,$,$,$,.ELEMENT.,$,$,$);\n", ""
    )
    with pytest.raises(ModelImportError, match="no IfcBuilding and no site-level service segments"):
        open_model(_write(tmp_path, text))


def test_missing_header_section(tmp_path: Path) -> None:
    text = (
        "ISO-10303-21;\nDATA;\n#1=IFCPROJECT('0YvctVUKr0kugbFTf53O9L',$,'P',$,$,$,$,$,$);\n"
        "ENDSEC;\nEND-ISO-10303-21;\n"
    )
    with pytest.raises(ModelImportError, match="HEADER section is missing"):
        open_model(_write(tmp_path, text))


def test_errorfile_whose_data_a_stray_comment_hides(shared_ifc: Path) -> None:
    with pytest.raises(ModelImportError, match=r"errorfile.ifc: no IfcBuilding .* only 7 entities"):
        open_model(shared_ifc / "errorfile.ifc")


def test_invalid_file_without_header(shared_ifc: Path) -> None:
    with pytest.raises(ModelImportError, match=r"invalid\.ifc: .*HEADER section are missing"):
        open_model(shared_ifc / "invalid.ifc")
