"""Ports and port connections from the STEP text, against what ifcopenshell reads."""

from __future__ import annotations

from pathlib import Path

import ifcopenshell
import numpy as np
import pytest

from bim_import.ports import declared_connections
from bim_import.step_text import read_port_text
from bim_import.structure import ModelIndex


@pytest.fixture(scope="module")
def sample_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    campus = pytest.importorskip("bim_import.sample.campus")
    out = tmp_path_factory.mktemp("step_text") / "campus.ifc"
    return Path(campus.write_sample_campus(out, buildings=1, seed=1).ifc_files[0])


def test_every_port_of_the_sample_is_read_as_the_binding_reads_it(sample_file: Path) -> None:
    text = read_port_text(sample_file)
    model = ifcopenshell.open(str(sample_file))
    ports = model.by_type("IfcDistributionPort")
    assert len(ports) > 1000
    for port in ports:
        placement = port.ObjectPlacement
        location = placement.RelativePlacement.Location
        coordinates = [*location.Coordinates, 0.0][:3] if location is not None else [0.0] * 3
        parent = placement.PlacementRelTo
        assert text.port(port.id()) == (
            port.GlobalId,
            port.FlowDirection,
            parent.id() if parent is not None else -1,
            tuple(float(c) for c in coordinates),
        )


def test_placement_matrices_are_the_model_index_ones_bit_for_bit(sample_file: Path) -> None:
    text = read_port_text(sample_file)
    model = ifcopenshell.open(str(sample_file))
    index = ModelIndex(model)
    matrices = text.world_matrices()
    assert len(matrices) > 100
    for step_id, matrix in matrices.items():
        expected = index.world_matrix(model.by_id(step_id))
        assert np.array_equal(matrix, expected)
        assert np.array_equal(np.signbit(matrix), np.signbit(expected))


def test_connections_from_the_text_equal_the_binding_ones(sample_file: Path) -> None:
    model = ifcopenshell.open(str(sample_file))
    text = read_port_text(sample_file)
    assert text.connections() is not None
    from_text = declared_connections(model, text)
    assert len(from_text) == len(model.by_type("IfcRelConnectsPorts"))
    assert from_text == declared_connections(model)


_HEADER = "ISO-10303-21;\nHEADER;\nFILE_SCHEMA(('IFC4'));\nENDSEC;\nDATA;\n"
_PLACED = (
    "#1=IFCCARTESIANPOINT((1.,2.));\n"
    "#2=IFCDIRECTION((0.,0.,1.));\n"
    "#3=IFCAXIS2PLACEMENT3D(#1,#2,$);\n"
    "#4=IFCLOCALPLACEMENT($,#3);\n"
    "#5=IFCLOCALPLACEMENT(#4,#3);\n"
    "#6=IFCGRIDPLACEMENT($,$,$);\n"
    "#7=IFCLOCALPLACEMENT(#6,#3);\n"
)


def _text_file(tmp_path: Path, records: str) -> Path:
    path = tmp_path / "ports.ifc"
    path.write_text(_HEADER + _PLACED + records + "ENDSEC;\nEND-ISO-10303-21;\n")
    return path


def test_a_two_dimensional_point_is_made_three(tmp_path: Path) -> None:
    path = _text_file(
        tmp_path, "#10=IFCDISTRIBUTIONPORT('0123456789abcdefghijkl',$,$,$,$,#5,$,.SOURCE.,$,$);\n"
    )
    assert read_port_text(path).port(10) == ("0123456789abcdefghijkl", "SOURCE", 4, (1.0, 2.0, 0.0))


def test_records_that_are_not_exactly_as_expected_are_left_to_the_binding(tmp_path: Path) -> None:
    path = _text_file(
        tmp_path,
        # spaces around '=', a placement under a grid, an unplaced port, a comma in a name
        "#10 = IFCDISTRIBUTIONPORT('0123456789abcdefghijk0',$,$,$,$,#5,$,.SINK.);\n"
        "#11=IFCDISTRIBUTIONPORT('0123456789abcdefghijk1',$,$,$,$,#7,$,.SINK.);\n"
        "#12=IFCDISTRIBUTIONPORT('0123456789abcdefghijk2',$,'it''s',$,$,$,$,$);\n"
        "#13=IFCDISTRIBUTIONPORT('0123456789abcdefghijk3',$,'a, b',$,$,#5,$,.SINK.);\n",
    )
    text = read_port_text(path)
    assert text.port(10) is None and text.port_identity(10) is None
    # relative to a grid: the origin is read, the grid's matrix is left to the binding
    assert text.port(11) == ("0123456789abcdefghijk1", "SINK", 6, (1.0, 2.0, 0.0))
    assert 6 not in text.world_matrices() and 4 in text.world_matrices()
    assert text.port(12) is None
    assert text.port_identity(12) == ("0123456789abcdefghijk2", None)
    assert text.port(13) == ("0123456789abcdefghijk3", "SINK", 4, (1.0, 2.0, 0.0))


def test_connections_are_given_only_when_every_relation_matched(tmp_path: Path) -> None:
    ports = (
        "#10=IFCDISTRIBUTIONPORT('0123456789abcdefghijk0',$,$,$,$,#5,$,.SOURCE.);\n"
        "#11=IFCDISTRIBUTIONPORT('0123456789abcdefghijk1',$,$,$,$,#5,$,.SINK.);\n"
    )
    whole = "#20=IFCRELCONNECTSPORTS('0123456789abcdefghijr0',$,$,$,#10,#11,$);\n"
    assert read_port_text(_text_file(tmp_path, ports + whole)).connections() == [
        ("0123456789abcdefghijr0", 10, 11)
    ]
    # the same relation across two lines: found by its keyword, not by its pattern
    split = "#20=IFCRELCONNECTSPORTS('0123456789abcdefghijr0',$,$,$,\n#10,#11,$);\n"
    assert read_port_text(_text_file(tmp_path, ports + split)).connections() is None


def test_a_file_with_a_comment_or_a_repeated_step_id_gives_nothing(tmp_path: Path) -> None:
    port = "#10=IFCDISTRIBUTIONPORT('0123456789abcdefghijk0',$,$,$,$,#5,$,.SOURCE.);\n"
    assert read_port_text(_text_file(tmp_path, port)).port(10) is not None
    header_comment = _text_file(tmp_path, port).read_text().replace("HEADER;", "HEADER;/* x */")
    (tmp_path / "header.ifc").write_text(header_comment)
    assert read_port_text(tmp_path / "header.ifc").port(10) is not None
    commented = "/* an old version:\n#1=IFCCARTESIANPOINT((9.,9.,9.));\n*/\n"
    assert read_port_text(_text_file(tmp_path, commented + port)).port(10) is None
    repeated = "#1=IFCCARTESIANPOINT((9.,9.,9.));\n"
    text = read_port_text(_text_file(tmp_path, repeated + port))
    assert text.port(10) is None and text.connections() is None
