"""Attributes and unit scales read as ifcopenshell would, without loading its EXPRESS rules."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import ifcopenshell
import ifcopenshell.util.unit
import pytest

from bim_import.attributes import attribute_or, unit_scale
from tests.conftest import PROJECT_ROOT

UNITS = """ISO-10303-21;
HEADER;
FILE_DESCRIPTION(('ViewDefinition [CoordinationView]'),'2;1');
FILE_NAME('units.ifc','2026-01-01T00:00:00',(''),(''),'','','');
FILE_SCHEMA(('IFC4'));
ENDSEC;
DATA;
#1=IFCPROJECT('0YvctVUKr0kugbFTf53O9L',$,'P',$,$,$,$,$,#2);
#2=IFCUNITASSIGNMENT((#3,#4,#5,#6));
#3=IFCSIUNIT(*,.LENGTHUNIT.,.MILLI.,.METRE.);
#4=IFCMONETARYUNIT('EUR');
#5=IFCSIUNIT(*,.AREAUNIT.,.CENTI.,.SQUARE_METRE.);
#6=IFCSIUNIT(*,.PLANEANGLEUNIT.,$,.RADIAN.);
ENDSEC;
END-ISO-10303-21;
"""
UNIT_TYPES = ("LENGTHUNIT", "AREAUNIT", "VOLUMEUNIT", "PLANEANGLEUNIT")
REAL_FILES = (
    "AC20-FZK-Haus.ifc",
    "AC90R1-niedriha-V2-2x3.ifc",
    "duplex.ifc",
    "Office_A_20110811.ifc",
)


@pytest.fixture
def units_file(tmp_path: Path) -> Path:
    path = tmp_path / "units.ifc"
    path.write_text(UNITS, encoding="ascii")
    return path


def test_unit_scales_of_a_file_with_a_monetary_unit(units_file: Path) -> None:
    model = ifcopenshell.open(str(units_file))
    assert unit_scale(model) == pytest.approx(0.001)
    assert unit_scale(model, "AREAUNIT") == pytest.approx(1e-4)
    assert unit_scale(model, "VOLUMEUNIT") == 1
    assert unit_scale(model, "PLANEANGLEUNIT") == 1
    for unit_type in UNIT_TYPES:
        assert unit_scale(model, unit_type) == ifcopenshell.util.unit.calculate_unit_scale(
            model, unit_type
        )


@pytest.mark.parametrize("name", REAL_FILES)
def test_unit_scales_equal_ifcopenshells_on_real_files(shared_ifc: Path, name: str) -> None:
    model = ifcopenshell.open(str(shared_ifc / name))
    for unit_type in UNIT_TYPES:
        assert unit_scale(model, unit_type) == ifcopenshell.util.unit.calculate_unit_scale(
            model, unit_type
        )


def test_attribute_or_gives_stored_inverse_and_default(units_file: Path) -> None:
    model = ifcopenshell.open(str(units_file))
    length, money = model.by_id(3), model.by_id(4)
    assert attribute_or(length, "UnitType") == "LENGTHUNIT"
    assert attribute_or(money, "UnitType") is None
    assert attribute_or(money, "UnitType", ...) is ...
    assert attribute_or(money, "Currency") == "EUR"
    assert attribute_or(model.by_id(2), "Units") == (length, money, model.by_id(5), model.by_id(6))
    assert attribute_or(model.by_id(1), "Declares") == ()  # an inverse attribute


def test_attribute_or_gives_derived_attributes_as_getattr_does(units_file: Path) -> None:
    length = ifcopenshell.open(str(units_file)).by_id(3)
    dimensions = attribute_or(length, "Dimensions")  # derived: a new instance on each read
    assert dimensions is not None
    assert list(dimensions) == list(length.Dimensions) == [1, 0, 0, 0, 0, 0, 0]


def test_a_missing_attribute_does_not_load_the_schema_rules(units_file: Path) -> None:
    """The rules module is what the import spares (~3.5 MiB): checked in a fresh interpreter."""
    script = (
        "import sys, ifcopenshell\n"
        "from bim_import.attributes import attribute_or, unit_scale\n"
        f"model = ifcopenshell.open({str(units_file)!r})\n"
        "assert attribute_or(model.by_id(4), 'UnitType') is None\n"
        "assert unit_scale(model) > 0\n"
        "print(sorted(m for m in sys.modules if m.startswith('ifcopenshell.express.rules.')))\n"
        "getattr(model.by_id(4), 'UnitType', None)\n"
        "print(sorted(m for m in sys.modules if m.startswith('ifcopenshell.express.rules.')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    ours, plain = result.stdout.splitlines()
    assert ours == "[]"
    # what plain getattr does, so that this test keeps meaning something
    assert plain == "['ifcopenshell.express.rules.IFC4']"
