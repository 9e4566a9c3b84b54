"""Write the sample campus: one IFC4 file, or split files, plus its answer file.

The campus is planned as plain data first (`layout` for rooms and walls, `services`
for the networks), then written to IFC with ifcopenshell.api, and the answer file
is derived from the same plan. In split mode the site file holds the site and its
underground pipes; per building an architecture file holds the building, storeys,
spaces, walls, slabs, ceilings and doors, and an MEP file holds its own building
and storeys (same names and elevations, other GlobalIds) with the building's
services. Every file has its own project and the same georeferencing.

>>> from pathlib import Path; import tempfile
>>> files = write_sample_campus(Path(tempfile.mkdtemp()) / "campus.ifc", buildings=1)
>>> [p.name for p in files.ifc_files], files.answers.name
(['campus.ifc'], 'campus.answers.json')
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

import ifcopenshell

from bim_import.sample.answers import build_answers
from bim_import.sample.ifc_file import IfcWriter
from bim_import.sample.ifc_services import write_services
from bim_import.sample.ifc_spatial import Container, write_architecture, write_building, write_site
from bim_import.sample.layout import CampusLayout, plan_campus
from bim_import.sample.mep import MepPlan
from bim_import.sample.services import plan_services

__all__ = [
    "MAX_BUILDINGS",
    "SampleFiles",
    "build_sample_campus",
    "plan_sample_campus",
    "write_sample_campus",
]

MAX_BUILDINGS = 200


@dataclass(frozen=True)
class SampleFiles:
    """The IFC files written (single file, or site file then arch/MEP per building)
    and the answer file."""

    ifc_files: list[Path]
    answers: Path


def plan_sample_campus(buildings: int = 3) -> tuple[CampusLayout, MepPlan]:
    """The campus as plain data: architectural layout and services."""
    if isinstance(buildings, bool) or not isinstance(buildings, int):
        raise ValueError(f"the number of buildings must be a whole number, not {buildings!r}")
    if not 1 <= buildings <= MAX_BUILDINGS:
        raise ValueError(
            f"the sample campus has 1 to {MAX_BUILDINGS} buildings; {buildings} was asked for"
        )
    layout = plan_campus(buildings)
    return layout, plan_services(layout)


def _time_stamp() -> str:
    """Now (UTC), or SOURCE_DATE_EPOCH when set, for reproducible builds."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = dt.datetime.fromtimestamp(int(epoch), dt.UTC) if epoch else dt.datetime.now(dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S")


def _single(
    layout: CampusLayout, mep: MepPlan, seed: int, name: str, stamp: str
) -> ifcopenshell.file:
    w = IfcWriter(seed, "campus", "project")
    site = write_site(w)
    containers: dict[str | None, Container] = {None: site}
    for building in layout.buildings:
        storeys = write_building(w, site, building)
        write_architecture(w, building, storeys)
        containers.update(storeys)
    write_services(w, list(mep.elements.values()), containers, mep.connections)
    return w.finish(name, stamp)


def build_sample_campus(buildings: int = 3, seed: int = 1) -> ifcopenshell.file:
    """The whole campus as one in-memory IFC4 model."""
    layout, mep = plan_sample_campus(buildings)
    return _single(layout, mep, seed, "campus.ifc", _time_stamp())


def _split(
    layout: CampusLayout, mep: MepPlan, seed: int, stem: Path, stamp: str
) -> list[tuple[Path, ifcopenshell.file]]:
    files = []
    path = stem.with_name(f"{stem.name}.site.ifc")
    w = IfcWriter(seed, "site", f"project/{path.name}")
    site = write_site(w)
    site_elements = [e for e in mep.elements.values() if e.owner is None]
    write_services(w, site_elements, {None: site}, mep.connections)
    files.append((path, w.finish(path.name, stamp)))
    for building in layout.buildings:
        path = stem.with_name(f"{stem.name}.{building.key}.arch.ifc")
        w = IfcWriter(seed, f"{building.key}.arch", f"project/{path.name}")
        site = write_site(w)
        write_architecture(w, building, write_building(w, site, building))
        files.append((path, w.finish(path.name, stamp)))

        path = stem.with_name(f"{stem.name}.{building.key}.mep.ifc")
        w = IfcWriter(seed, f"{building.key}.mep", f"project/{path.name}")
        site = write_site(w)
        containers: dict[str | None, Container] = {}
        containers.update(write_building(w, site, building, mep=True))
        own = [e for e in mep.elements.values() if e.owner == building.key]
        write_services(w, own, containers, mep.connections)
        files.append((path, w.finish(path.name, stamp)))
    return files


def write_sample_campus(
    out: Path, buildings: int = 3, seed: int = 1, split: bool = False
) -> SampleFiles:
    """Write the sample campus to `out` (or split files beside it) and its answer file.

    Single mode writes `out` and `<out without .ifc>.answers.json`. Split mode writes
    `<stem>.site.ifc` and, per building, `<stem>.B01.arch.ifc` and
    `<stem>.B01.mep.ifc`, plus the same answer file. The same seed gives the same
    bytes apart from the header time stamp. Raises ValueError for buildings outside
    1 to 200.
    """
    out = Path(out)
    layout, mep = plan_sample_campus(buildings)
    stem = out.with_suffix("") if out.suffix.lower() == ".ifc" else out
    out.parent.mkdir(parents=True, exist_ok=True)
    stamp = _time_stamp()
    if split:
        written = _split(layout, mep, seed, stem, stamp)
    else:
        written = [(out, _single(layout, mep, seed, out.name, stamp))]
    for path, model in written:
        model.write(str(path))
    answers = stem.with_name(f"{stem.name}.answers.json")
    answers.write_text(build_answers(layout, mep, seed, buildings).to_json(), encoding="utf-8")
    return SampleFiles([path for path, _ in written], answers)
