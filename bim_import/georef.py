"""Read how a model sits on the earth: IfcMapConversion + IfcProjectedCRS (in IFC2X3 the
property sets ePSet_MapConversion / ePSet_ProjectedCRS on the project), IfcSite lat/lon.

Eastings and northings are converted to metres through the CRS's map unit (some
exporters write them in millimetres). A reference latitude or longitude of exactly
0 is treated as absent (exporters write 0 for "not set"), and a malformed compound
angle (minutes or seconds out of range, degrees beyond ±90/±180) is reported, not
believed.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

import ifcopenshell
import ifcopenshell.util.unit

from bim_import.attributes import unit_scale
from models.campus import Georeference

__all__ = ["MalformedAngle", "compound_angle_deg", "metric_scale", "read_georeference"]

_EPSG_RE = re.compile(r"EPSG\s*:\s*(\d+)", re.IGNORECASE)


class MalformedAngle(ValueError):
    """An IfcCompoundPlaneAngleMeasure that cannot be a latitude or longitude."""


def compound_angle_deg(parts: Sequence[int] | None, limit_deg: float) -> float | None:
    """Degrees from an IFC compound angle (deg, min, sec[, millionths of a second]).

    None when absent or exactly zero; raises `MalformedAngle` when out of range.

    >>> round(compound_angle_deg((28, 0, 0, 0), 90), 6)
    28.0
    >>> round(compound_angle_deg((-71, -3, -35, -194702), 180), 5)
    -71.05978
    """
    if not parts:
        return None
    values = list(parts) + [0] * (4 - len(parts))
    degrees, minutes, seconds, millionths = values[:4]
    if abs(minutes) >= 60 or abs(seconds) >= 60 or abs(millionths) >= 1_000_000:
        raise MalformedAngle(f"compound angle {tuple(parts)} has minutes/seconds out of range")
    value = degrees + minutes / 60 + (seconds + millionths / 1e6) / 3600
    if abs(value) > limit_deg:
        raise MalformedAngle(f"compound angle {tuple(parts)} is beyond ±{limit_deg:g}°")
    return None if value == 0 else value


def read_georeference(model: ifcopenshell.file, warnings: list[str]) -> Georeference:
    """The model's georeference; problems are appended to `warnings` as readable lines."""
    values: dict[str, object] = {}
    site = next(iter(model.by_type("IfcSite")), None)
    if site is not None:
        for attribute, key, limit in (
            ("RefLatitude", "latitude_deg", 90.0),
            ("RefLongitude", "longitude_deg", 180.0),
        ):
            try:
                values[key] = compound_angle_deg(getattr(site, attribute), limit)
            except MalformedAngle as exc:
                warnings.append(f"IfcSite {site.GlobalId}: malformed {attribute}: {exc}")
        if site.RefElevation is not None:
            length_scale = unit_scale(model)
            values["elevation_m"] = float(site.RefElevation) * length_scale
    values.update(_map_conversion(model, warnings))
    values.update(_true_north(model))
    return Georeference(**values)  # type: ignore[arg-type]


def metric_scale(
    scale: float | None, project_unit_m: float, map_unit_m: float
) -> tuple[float, bool]:
    """IfcMapConversion.Scale as metres on the map per metre of the model, and whether
    it was read as the reciprocal of the unit ratio.

    The standard's Scale takes model units to map units, so it carries the unit
    conversion (0.001 for a model in millimetres on a map in metres) and any grid
    distortion. Exporters also write the reciprocal (1000) or 1 for a pure unit
    change; both are read as "no distortion".

    >>> metric_scale(0.001, 0.001, 1.0)
    (1.0, False)
    >>> metric_scale(1000.0, 0.001, 1.0)
    (1.0, True)
    >>> metric_scale(0.9996, 1.0, 1.0)
    (0.9996, False)
    """
    given = float(scale) if scale else 1.0
    ratio = project_unit_m / map_unit_m
    if math.isclose(ratio, 1.0) or math.isclose(given, ratio, rel_tol=1e-9):
        return given / ratio, False
    if math.isclose(given, 1.0 / ratio, rel_tol=1e-9):
        return 1.0, True
    if math.isclose(given, 1.0, rel_tol=1e-9):
        return 1.0, False
    return given / ratio, False


def _map_conversion(model: ifcopenshell.file, warnings: list[str]) -> dict[str, object]:
    project_unit = unit_scale(model)
    if model.schema == "IFC2X3":
        return _ifc2x3_map_conversion(model, project_unit, warnings)
    for conversion in model.by_type("IfcMapConversion"):
        crs = conversion.TargetCRS
        map_unit = project_unit
        if crs is not None and getattr(crs, "MapUnit", None) is not None:
            map_unit = _unit_to_metres(crs.MapUnit)
        return _conversion_values(
            conversion.Eastings,
            conversion.Northings,
            conversion.OrthogonalHeight,
            conversion.XAxisAbscissa,
            conversion.XAxisOrdinate,
            conversion.Scale,
            getattr(crs, "Name", None),
            project_unit,
            map_unit,
            warnings,
        )
    return {}


def _ifc2x3_map_conversion(
    model: ifcopenshell.file, project_unit: float, warnings: list[str]
) -> dict[str, object]:
    """IFC2X3 has no IfcMapConversion: the georeferencing user guide puts the same
    attributes in property sets `ePSet_MapConversion` and `ePSet_ProjectedCRS` on the
    IfcProject."""
    import ifcopenshell.util.element

    project = next(iter(model.by_type("IfcProject")), None)
    if project is None:
        return {}
    psets = ifcopenshell.util.element.get_psets(project)
    conversion = psets.get("ePSet_MapConversion") or {}
    if conversion.get("Eastings") is None or conversion.get("Northings") is None:
        return {}
    crs = psets.get("ePSet_ProjectedCRS") or {}
    map_unit = _label_to_metres(crs.get("MapUnit"), project_unit)
    return _conversion_values(
        conversion["Eastings"],
        conversion["Northings"],
        conversion.get("OrthogonalHeight") or 0.0,
        conversion.get("XAxisAbscissa"),
        conversion.get("XAxisOrdinate"),
        conversion.get("Scale"),
        crs.get("Name"),
        project_unit,
        map_unit,
        warnings,
    )


def _label_to_metres(unit: object, default: float) -> float:
    """A map unit given in a property set: a unit entity or a label like MILLIMETRE."""
    if isinstance(unit, ifcopenshell.entity_instance):
        return _unit_to_metres(unit)
    if isinstance(unit, str):
        label = unit.upper().replace(" ", "")
        for word, metres in (("MILLI", 0.001), ("CENTI", 0.01), ("FOOT", 0.3048), ("METRE", 1.0)):
            if word in label:
                return metres
    return default


def _conversion_values(
    eastings: float,
    northings: float,
    height: float,
    abscissa: float | None,
    ordinate: float | None,
    given_scale: float | None,
    crs_name: str | None,
    project_unit: float,
    map_unit: float,
    warnings: list[str],
) -> dict[str, object]:
    scale, reciprocal = metric_scale(given_scale, project_unit, map_unit)
    if reciprocal:
        warnings.append(
            f"IfcMapConversion Scale {given_scale:g} is the reciprocal of the "
            "model-to-map unit ratio; read as a unit conversion (no distortion)"
        )
    # An abscissa of exactly 0 is a quarter turn, not "absent"; only both absent
    # (or both zero, which is no direction) mean no rotation.
    x_abscissa, x_ordinate = float(abscissa or 0.0), float(ordinate or 0.0)
    if x_abscissa == 0.0 and x_ordinate == 0.0:
        x_abscissa = 1.0
    match = _EPSG_RE.search(crs_name) if crs_name else None
    return {
        "epsg": int(match.group(1)) if match else None,
        "crs_name": crs_name,
        "eastings_m": float(eastings) * map_unit,
        "northings_m": float(northings) * map_unit,
        "orthogonal_height_m": float(height or 0.0) * map_unit,
        "x_axis_abscissa": x_abscissa,
        "x_axis_ordinate": x_ordinate,
        "scale": scale,
    }


def _unit_to_metres(unit: ifcopenshell.entity_instance) -> float:
    if unit.is_a("IfcSIUnit"):
        return float(ifcopenshell.util.unit.get_prefix_multiplier(unit.Prefix))
    if unit.is_a("IfcConversionBasedUnit"):
        factor = unit.ConversionFactor
        return float(factor.ValueComponent.wrappedValue) * _unit_to_metres(factor.UnitComponent)
    return 1.0


def _true_north(model: ifcopenshell.file) -> dict[str, object]:
    for context in model.by_type("IfcGeometricRepresentationContext"):
        if context.is_a("IfcGeometricRepresentationSubContext"):
            continue
        north = getattr(context, "TrueNorth", None)
        if north is not None and north.DirectionRatios:
            x, y = north.DirectionRatios[:2]
            # TrueNorth is the direction of north in the model's x/y plane; the angle
            # is measured anticlockwise from +y.
            return {"true_north_deg": math.degrees(math.atan2(-x, y))}
    return {}
