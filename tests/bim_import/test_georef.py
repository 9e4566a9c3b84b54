"""IfcMapConversion Scale read as metres on the map per metre of the model."""

from __future__ import annotations

from pathlib import Path

import pytest

from bim_import.georef import metric_scale, read_georeference


@pytest.mark.parametrize(
    ("scale", "project_unit_m", "map_unit_m", "expected"),
    [
        (None, 1.0, 1.0, (1.0, False)),
        (0.9996, 1.0, 1.0, (0.9996, False)),
        (0.001, 0.001, 1.0, (1.0, False)),  # the standard's reading: mm model, m map
        (0.0009996, 0.001, 1.0, (0.9996, False)),  # unit ratio and grid distortion
        (1000.0, 0.001, 1.0, (1.0, True)),  # the reciprocal some exporters write
        (1.0, 0.001, 1.0, (1.0, False)),  # a pure unit change left at 1
        (1.0, 0.001, 0.001, (1.0, False)),  # mm model on a mm map
    ],
)
def test_metric_scale(
    scale: float | None, project_unit_m: float, map_unit_m: float, expected: tuple[float, bool]
) -> None:
    got = metric_scale(scale, project_unit_m, map_unit_m)
    assert got[0] == pytest.approx(expected[0]) and got[1] == expected[1]


def test_real_files(shared_ifc: Path) -> None:
    import ifcopenshell

    warnings: list[str] = []
    mm = read_georeference(
        ifcopenshell.open(str(shared_ifc / "Building-Architecture.ifc")), warnings
    )
    assert mm.epsg == 32760 and mm.scale == 1.0
    assert mm.eastings_m == pytest.approx(729013.3488297, abs=1e-6)  # 729013348.83 mm
    assert warnings == []
    utm = read_georeference(
        ifcopenshell.open(str(shared_ifc / "geographic-referencing-utm.ifc")), warnings
    )
    assert utm.epsg == 25832 and utm.scale == 1.0
    assert len(warnings) == 1 and "reciprocal" in warnings[0]


def test_ifc2x3_map_conversion_property_sets() -> None:
    import ifcopenshell
    import ifcopenshell.guid

    model = ifcopenshell.file(schema="IFC2X3")
    millimetre = model.createIfcSIUnit(None, "LENGTHUNIT", "MILLI", "METRE")
    project = model.createIfcProject(
        ifcopenshell.guid.new(),
        None,
        "P",
        UnitsInContext=model.createIfcUnitAssignment([millimetre]),
    )

    def pset(name: str, values: dict[str, tuple[str, object]]) -> None:
        properties = [
            model.createIfcPropertySingleValue(key, None, model.create_entity(kind, value), None)
            for key, (kind, value) in values.items()
        ]
        model.createIfcRelDefinesByProperties(
            ifcopenshell.guid.new(),
            None,
            None,
            None,
            [project],
            model.createIfcPropertySet(ifcopenshell.guid.new(), None, name, None, properties),
        )

    # The georeferencing user guide's IFC2X3 property sets, eastings in the map unit (mm).
    pset(
        "ePSet_MapConversion",
        {
            "Eastings": ("IfcLengthMeasure", 568854272.0),
            "Northings": ("IfcLengthMeasure", 3098639217.0),
            "OrthogonalHeight": ("IfcLengthMeasure", 10000.0),
            "XAxisAbscissa": ("IfcReal", 0.0),
            "XAxisOrdinate": ("IfcReal", 1.0),
            "Scale": ("IfcReal", 1.0),
        },
    )
    pset(
        "ePSet_ProjectedCRS",
        {"Name": ("IfcLabel", "EPSG:4549"), "MapUnit": ("IfcLabel", "MILLIMETRE")},
    )
    warnings: list[str] = []
    georef = read_georeference(model, warnings)
    assert georef.epsg == 4549 and warnings == []
    assert (georef.eastings_m, georef.northings_m, georef.orthogonal_height_m) == pytest.approx(
        (568854.272, 3098639.217, 10.0)
    )
    # An abscissa of 0 with ordinate 1: the model's x axis points north.
    assert (georef.x_axis_abscissa, georef.x_axis_ordinate, georef.scale) == (0.0, 1.0, 1.0)
