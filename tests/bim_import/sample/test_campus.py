"""The sample campus generator: valid IFC4, deterministic, and its answer file true.

One 3-building campus is written per module (single file and split files). The
checks read the IFC back with ifcopenshell only, so they test the written model
against the answer file rather than the plan against itself; the leak answers are
re-checked with networkx, a second implementation of "which valves isolate a leak".
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from itertools import combinations
from pathlib import Path
from typing import Any

import ifcopenshell
import ifcopenshell.util.element
import ifcopenshell.util.placement
import ifcopenshell.validate
import networkx as nx
import numpy as np
import pytest

from bim_import.sample.campus import (
    SampleFiles,
    build_sample_campus,
    plan_sample_campus,
    write_sample_campus,
)
from bim_import.sample.guids import global_id
from bim_import.sample.layout import CampusLayout
from bim_import.sample.mep import MepPlan
from bim_import.sample.zones import adjacent_rooms, segment_passages

SEED = 5


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def validation_errors(path: str, express_rules: bool = True) -> list[str]:
    """Errors and warnings of ifcopenshell.validate (with the schema's rules)."""
    logger = logging.getLogger(f"validate:{path}")
    logger.propagate = False
    collect = _Collect()
    logger.addHandler(collect)
    try:
        ifcopenshell.validate.validate(path, logger, express_rules=express_rules)
    finally:
        logger.removeHandler(collect)
    return collect.messages


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("sample")
    single = write_sample_campus(folder / "campus.ifc", buildings=3, seed=SEED)
    split = write_sample_campus(folder / "split" / "campus.ifc", buildings=3, seed=SEED, split=True)
    return {
        "single": single,
        "split": split,
        "model": ifcopenshell.open(str(single.ifc_files[0])),
        "answers": json.loads(single.answers.read_text(encoding="utf-8")),
    }


@pytest.fixture(scope="module")
def plan() -> tuple[CampusLayout, MepPlan]:
    return plan_sample_campus(3)


def _by_gid(model: ifcopenshell.file) -> dict[str, Any]:
    return {entity.GlobalId: entity for entity in model.by_type("IfcRoot")}


def _world(product: Any) -> np.ndarray:
    return ifcopenshell.util.placement.get_local_placement(product.ObjectPlacement)[:3, 3]


# --- validity -------------------------------------------------------------------------


@pytest.mark.slow
def test_every_file_passes_validation_and_a_broken_one_does_not(
    written: dict[str, Any], tmp_path: Path
) -> None:
    """Every file against the schema; the schema's rules (about 3 s each, mostly
    compiling them) on the single file and on the two kinds of split file it does not
    cover: the site file, and an MEP file with its own building and storeys."""
    broken = build_sample_campus(buildings=1, seed=SEED)
    broken.by_type("IfcPipeSegment")[0].GlobalId = None  # a required attribute missing
    broken.write(str(tmp_path / "broken.ifc"))
    split = [str(p) for p in written["split"].ifc_files]
    with_rules = [str(written["single"].ifc_files[0]), split[0], split[-1]]
    jobs = [(p, True) for p in with_rules] + [(p, False) for p in split[1:-1]]
    jobs.append((str(tmp_path / "broken.ifc"), False))
    with ProcessPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(validation_errors, *zip(*jobs, strict=True)))
    assert {Path(p).name: e for (p, _), e in zip(jobs[:-1], results, strict=False) if e} == {}
    assert results[-1], "the validator should have reported the missing GlobalId"


def test_buildings_outside_1_to_200_are_refused(tmp_path: Path) -> None:
    for wrong in (0, -3, 201):
        with pytest.raises(ValueError, match="1 to 200"):
            write_sample_campus(tmp_path / "campus.ifc", buildings=wrong)
    assert not list(tmp_path.iterdir())


# --- what the campus contains ---------------------------------------------------------


def test_schema_units_and_contexts(written: dict[str, Any]) -> None:
    model = written["model"]
    assert model.schema == "IFC4"
    units = {u.UnitType: (u.Name, u.Prefix) for u in model.by_type("IfcUnitAssignment")[0].Units}
    assert units == {
        "LENGTHUNIT": ("METRE", None),
        "AREAUNIT": ("SQUARE_METRE", None),
        "VOLUMEUNIT": ("CUBIC_METRE", None),
        "PLANEANGLEUNIT": ("RADIAN", None),
    }
    contexts = model.by_type("IfcGeometricRepresentationContext", include_subtypes=False)
    assert [c.ContextType for c in contexts] == ["Model"]
    assert model.by_type("IfcMapConversion")[0].SourceCRS == contexts[0]


def test_site_is_georeferenced_in_wenzhou(written: dict[str, Any]) -> None:
    model = written["model"]
    (site,) = model.by_type("IfcSite")
    assert (site.Name, site.LongName) == ("WZ01", "Wenzhou sample campus")
    assert tuple(site.RefLatitude) == (28, 0, 0, 0)
    assert tuple(site.RefLongitude) == (120, 42, 0, 0)
    (conversion,) = model.by_type("IfcMapConversion")
    assert conversion.TargetCRS.Name == "EPSG:4549"
    # By hand, without pyproj: Gauss-Kruger CM 120E puts 120.7E about
    # 0.7 deg * 111.32 km * cos(28 deg) = 68.8 km east of the 500 km false easting,
    # and 28 N about 3 099 km north of the equator.
    assert abs(conversion.Eastings - (500_000 + 0.7 * 111_320 * np.cos(np.radians(28)))) < 1_000
    assert abs(conversion.Eastings - 568_854) < 1_000
    assert abs(conversion.Northings - 3_098_639) < 1_000
    assert conversion.OrthogonalHeight == 10.0
    assert conversion.Scale == 1.0
    assert written["answers"]["site"]["eastings"] == conversion.Eastings


def test_three_buildings_with_the_promised_storeys_and_rooms(written: dict[str, Any]) -> None:
    model = written["model"]
    buildings = {b.Name: b for b in model.by_type("IfcBuilding")}
    assert set(buildings) == {"Office block", "Annex", "Services building"}

    def storeys(building: Any) -> dict[str, float]:
        parts = ifcopenshell.util.element.get_decomposition(building)
        return {s.Name: s.Elevation for s in parts if s.is_a("IfcBuildingStorey")}

    office = storeys(buildings["Office block"])
    assert len(office) >= 6 and office["F01"] == 0.0 and office["F07"] == pytest.approx(21.6)
    assert len(storeys(buildings["Annex"])) == 3
    assert storeys(buildings["Services building"]) == {"B1": -4.0, "F01": 0.0}
    assert len(model.by_type("IfcSpace")) >= 150
    for space in model.by_type("IfcSpace"):  # aggregated, not contained
        assert space.Decomposes[0].RelatingObject.is_a("IfcBuildingStorey")


def test_plant_room_holds_boiler_pump_and_gas_entry(written: dict[str, Any]) -> None:
    model = written["model"]
    (plant,) = [s for s in model.by_type("IfcSpace") if s.LongName == "Heizraum"]
    box = plant.Representation.Representations[0].Items[0].SweptArea
    centre = _world(plant)
    for product in (
        model.by_type("IfcBoiler")[0],
        model.by_type("IfcPump")[0],
        next(v for v in model.by_type("IfcValve") if v.PredefinedType == "GASCOCK"),
    ):
        assert ifcopenshell.util.element.get_container(product).Name == "B1"
        x, y, _ = _world(product)
        assert abs(x - centre[0]) < box.XDim / 2 and abs(y - centre[1]) < box.YDim / 2


def test_rooms_use_three_languages_and_some_match_no_usage(written: dict[str, Any]) -> None:
    names = Counter(r["long_name"] for r in written["answers"]["rooms"])
    assert {"办公室", "会议室", "走廊", "楼梯间", "卫生间", "茶水间", "管井"} <= set(names)
    assert {"Office", "Shared office", "Meeting room", "Toilet", "Pantry", "Archive"} <= set(names)
    assert {"Technikraum", "Heizraum", "Pumpenraum", "Lager", "Flur", "Büro"} <= set(names)
    usages = Counter(r["usage"] for r in written["answers"]["rooms"])
    assert 2 <= usages["unclassified"] <= 3
    assert set(usages) == {
        "office",
        "meeting",
        "circulation",
        "sanitary",
        "pantry",
        "storage",
        "plant",
        "it",
        "unclassified",
    }
    areas = {round(r["net_floor_area_m2"]) for r in written["answers"]["rooms"]}
    assert {12, 15, 18, 24, 30} <= areas


# --- determinism and GlobalIds ----------------------------------------------------------


def _without_file_name(path: Path) -> list[str]:
    return [line for line in path.read_text().splitlines() if not line.startswith("FILE_NAME(")]


def test_same_seed_writes_the_same_file(written: dict[str, Any], tmp_path: Path) -> None:
    again = write_sample_campus(tmp_path / "campus.ifc", buildings=3, seed=SEED)
    first: SampleFiles = written["single"]
    assert _without_file_name(again.ifc_files[0]) == _without_file_name(first.ifc_files[0])
    assert again.answers.read_bytes() == first.answers.read_bytes()


def test_another_seed_gives_other_global_ids_for_the_same_layout(
    written: dict[str, Any],
) -> None:
    other = build_sample_campus(1, seed=SEED + 1)  # B01 alone: the same rooms and pipes
    assert len({e.GlobalId for e in other.by_type("IfcRoot")}) == len(other.by_type("IfcRoot"))
    assert not {e.GlobalId for e in other.by_type("IfcRoot")} & set(_by_gid(written["model"]))
    office = next(b for b in written["model"].by_type("IfcBuilding") if b.Name == "Office block")
    rooms = [
        space.Name
        for storey in ifcopenshell.util.element.get_decomposition(office)
        if storey.is_a("IfcBuildingStorey")
        for space in ifcopenshell.util.element.get_decomposition(storey)
        if space.is_a("IfcSpace")
    ]
    assert sorted(rooms) == sorted(s.Name for s in other.by_type("IfcSpace"))


# --- services ---------------------------------------------------------------------------


def test_every_port_is_joined_once_from_source_to_sink(written: dict[str, Any]) -> None:
    model = written["model"]
    ports = model.by_type("IfcDistributionPort")
    assert len(ports) > 1000
    for port in ports:
        joints = list(port.ConnectedTo) + list(port.ConnectedFrom)
        assert len(joints) == 1, port
        assert port.Nests and port.Nests[0].RelatingObject.is_a("IfcDistributionElement")
        assert port.PredefinedType in ("PIPE", "CABLE", "CABLECARRIER")
    for joint in model.by_type("IfcRelConnectsPorts"):
        assert joint.RelatingPort.FlowDirection == "SOURCE"
        assert joint.RelatedPort.FlowDirection == "SINK"
        assert np.allclose(_world(joint.RelatingPort), _world(joint.RelatedPort), atol=1e-6)


def test_systems_and_required_elements(written: dict[str, Any]) -> None:
    model = written["model"]
    systems = {s.Name: s for s in model.by_type("IfcDistributionSystem")}
    assert {name: s.PredefinedType for name, s in systems.items()} == {
        "Domestic cold water": "DOMESTICCOLDWATER",
        "Sprinkler": "FIREPROTECTION",
        "Heating supply": "HEATING",
        "Heating return": "HEATING",
        "Drainage": "DRAINAGE",
        "Gas": "GAS",
        "Electrical": "ELECTRICAL",
    }
    for system in systems.values():
        assert system.IsGroupedBy and system.IsGroupedBy[0].RelatedObjects
    valves = Counter(v.PredefinedType for v in model.by_type("IfcValve"))
    assert valves["CHECK"] == 1 and valves["GASCOCK"] == 1 and valves["ISOLATING"] > 20
    closed = [
        v
        for v in model.by_type("IfcValve")
        if ifcopenshell.util.element.get_pset(v, "Pset_ValveTypeIsolating", "IsNormallyOpen")
        is False
    ]
    assert len(closed) >= 2
    for cls in (
        "IfcSpaceHeater",
        "IfcFireSuppressionTerminal",
        "IfcOutlet",
        "IfcElectricDistributionBoard",
        "IfcCableCarrierSegment",
        "IfcCableSegment",
        "IfcSanitaryTerminal",
        "IfcPipeFitting",
    ):
        assert model.by_type(cls), cls
    site_pipes = [
        e
        for e in model.by_type("IfcPipeSegment")
        if ifcopenshell.util.element.get_container(e).is_a("IfcSite")
    ]
    assert site_pipes and all(_world(p)[2] < 0 for p in site_pipes)


# --- the answer file against the model --------------------------------------------------


def test_answer_counts_equal_the_model(written: dict[str, Any]) -> None:
    model, counts = written["model"], written["answers"]["counts"]
    n = lambda cls: len(model.by_type(cls))  # noqa: E731
    assert counts == {
        "buildings": n("IfcBuilding"),
        "storeys": n("IfcBuildingStorey"),
        "rooms": n("IfcSpace"),
        "segments": n("IfcFlowSegment"),
        "fittings": n("IfcFlowFitting"),
        "valves": n("IfcValve"),
        "terminals": n("IfcFlowTerminal"),
        "cables": n("IfcCableSegment") + n("IfcCableCarrierSegment"),
        "pumps": n("IfcPump"),
        "systems": n("IfcDistributionSystem"),
        "connections": n("IfcRelConnectsPorts"),
        "split_unconnected_pairs": len(written["answers"]["split_inferred_connections"]),
    }
    assert counts["split_unconnected_pairs"] > 0


def test_answer_rooms_match_the_spaces(written: dict[str, Any]) -> None:
    model, answers = written["model"], written["answers"]
    entities = _by_gid(model)
    storey_names = {s["global_id"]: s["name"] for b in answers["buildings"] for s in b["storeys"]}
    assert len(answers["rooms"]) == len(model.by_type("IfcSpace"))
    for room in answers["rooms"]:
        space = entities[room["global_id"]]
        assert space.is_a("IfcSpace")
        assert (space.Name, space.LongName) == (room["name"], room["long_name"])
        assert space.Decomposes[0].RelatingObject.GlobalId == room["storey_global_id"]
        assert storey_names[room["storey_global_id"]] == space.Decomposes[0].RelatingObject.Name
        qto = ifcopenshell.util.element.get_pset(space, "Qto_SpaceBaseQuantities")
        assert qto["NetFloorArea"] == pytest.approx(room["declared_area_m2"])
        assert qto["Height"] == pytest.approx(room["height_m"])
        assert qto.get("FinishCeilingHeight") in (None, room["finish_ceiling_height_m"])
        profile = space.Representation.Representations[0].Items[0].SweptArea
        assert profile.XDim * profile.YDim == pytest.approx(room["net_floor_area_m2"])
        x, y, _ = _world(space)
        (x0, y0), _, (x1, y1), _ = room["footprint"]
        assert (x0 + x1) / 2 == pytest.approx(x) and (y0 + y1) / 2 == pytest.approx(y)
        covers = [c for rel in space.HasCoverings for c in rel.RelatedCoverings]
        if room["finish_ceiling_height_m"] is None:
            assert not covers
        else:
            z_floor = _world(space)[2]
            assert _world(covers[0])[2] - z_floor == pytest.approx(room["finish_ceiling_height_m"])
    (mismatch,) = answers["area_mismatch_rooms"]
    room = next(r for r in answers["rooms"] if r["global_id"] == mismatch)
    assert room["declared_area_m2"] == pytest.approx(1.1 * room["net_floor_area_m2"])
    others = [r for r in answers["rooms"] if r["global_id"] != mismatch]
    assert all(r["declared_area_m2"] == pytest.approx(r["net_floor_area_m2"]) for r in others)


def test_answer_segments_leaks_and_splits_name_real_objects(written: dict[str, Any]) -> None:
    model, answers = written["model"], written["answers"]
    entities = _by_gid(model)
    assert set(answers["segments"]) == {s.GlobalId for s in model.by_type("IfcFlowSegment")}
    wheres: Counter[str] = Counter()
    for passages in answers["segments"].values():
        for passage in passages:
            assert entities[passage["room"]].is_a("IfcSpace")
            wheres[passage["where"]] += 1
            assert passage["length_m"] >= (0.5 if passage["where"] == "wall" else 0.05)
    assert min(wheres[w] for w in ("ceiling", "floor", "wall", "open")) > 50
    for a, b in answers["adjacent"]:
        assert a < b and entities[a].is_a("IfcSpace") and entities[b].is_a("IfcSpace")
    assert len(answers["leaks"]) >= 5
    for leak in answers["leaks"]:
        assert entities[leak["element"]].is_a("IfcFlowSegment")
        assert leak["valves_to_close"] and leak["why"].endswith(".")
        for valve in leak["valves_to_close"]:
            assert entities[valve].is_a("IfcValve")
            assert entities[valve].PredefinedType != "CHECK"
    for source, sink in answers["split_inferred_connections"]:
        assert entities[source].FlowDirection == "SOURCE"
        assert entities[sink].FlowDirection == "SINK"


def test_leak_answers_hold_on_an_independent_graph(
    written: dict[str, Any], plan: tuple[CampusLayout, MepPlan]
) -> None:
    """Rebuild each leak's network with networkx from the IFC and re-check the answer:
    the valves isolate the leak, each one is needed, and no set of at most as many of
    the 8 valves nearest the leak isolates it while shutting off fewer terminals."""
    model, answers = written["model"], written["answers"]
    sources = {global_id(SEED, key) for key in plan[1].sources}
    entities = _by_gid(model)
    for leak in answers["leaks"]:
        element = entities[leak["element"]]
        graph = _flow_graph(model, element)
        feeding = {s for s in sources if s in graph and graph.out_degree(s)}
        shut = set(leak["valves_to_close"])
        assert not _feeds(graph, feeding, element.GlobalId, shut), leak["why"]
        for valve in shut:
            assert _feeds(graph, feeding, element.GlobalId, shut - {valve}), leak["why"]
        cost = (len(_lost(graph, feeding, element.GlobalId, shut)), len(shut))
        near = nx.single_source_shortest_path_length(graph.to_undirected(), element.GlobalId)
        closable = sorted(
            (n for n in near if graph.nodes[n]["closable"]), key=lambda n: (near[n], n)
        )[:8]
        for size in range(1, len(shut) + 1):
            for other in combinations(sorted(set(closable) | shut), size):
                if not _feeds(graph, feeding, element.GlobalId, set(other)):
                    lost = _lost(graph, feeding, element.GlobalId, set(other))
                    assert (len(lost), size) >= cost, (leak["why"], other)


def _medium(element: Any) -> set[str]:
    systems = {rel.RelatingGroup.PredefinedType for rel in element.HasAssignments}
    wet = {"DOMESTICCOLDWATER", "FIREPROTECTION"}
    return wet if systems & wet else systems


def _flow_graph(model: ifcopenshell.file, leak: Any) -> nx.DiGraph:
    """Elements joined by ports whose system type is the leak's medium."""
    medium = _medium(leak)
    graph = nx.DiGraph()
    for joint in model.by_type("IfcRelConnectsPorts"):
        if joint.RelatingPort.SystemType not in medium:
            continue
        a = joint.RelatingPort.Nests[0].RelatingObject
        b = joint.RelatedPort.Nests[0].RelatingObject
        for element in (a, b):
            check = element.is_a("IfcValve") and element.PredefinedType == "CHECK"
            closed = (
                ifcopenshell.util.element.get_pset(
                    element, "Pset_ValveTypeIsolating", "IsNormallyOpen"
                )
                is False
            )
            graph.add_node(
                element.GlobalId,
                check=check,
                closed=closed,
                closable=element.is_a("IfcValve") and not check and not closed,
                terminal=element.is_a("IfcFlowTerminal"),
            )
        graph.add_edge(a.GlobalId, b.GlobalId)
    return graph


def _wet_graph(graph: nx.DiGraph, shut: set[str]) -> nx.DiGraph:
    """Where water can move under pressure: both ways except through check valves."""
    wet = nx.DiGraph()
    for a, b in graph.edges:
        if {a, b} & shut or graph.nodes[a]["closed"] or graph.nodes[b]["closed"]:
            continue
        wet.add_edge(a, b)
        if not (graph.nodes[a]["check"] or graph.nodes[b]["check"]):
            wet.add_edge(b, a)
    return wet


def _feeds(graph: nx.DiGraph, sources: set[str], leak: str, shut: set[str]) -> bool:
    wet = _wet_graph(graph, shut)
    return leak in wet and any(s in wet and nx.has_path(wet, s, leak) for s in sources)


def _lost(graph: nx.DiGraph, sources: set[str], leak: str, shut: set[str]) -> set[str]:
    def served(blocked: set[str]) -> set[str]:
        flow = graph.subgraph(n for n in graph if n not in blocked and not graph.nodes[n]["closed"])
        live = [s for s in sources if s in flow]
        reached = set(live).union(*(nx.descendants(flow, s) for s in live))
        back = set(live).union(*(nx.ancestors(flow, s) for s in live))
        return {
            n
            for n in reached
            if graph.nodes[n]["terminal"] and (flow.out_degree(n) == 0 or n in back)
        }

    return served(set()) - served(shut | {leak})


# --- zones and adjacency, from the plan ---------------------------------------------------


def test_zones_do_not_depend_on_boundaries_moved_by_4_cm(
    plan: tuple[CampusLayout, MepPlan],
) -> None:
    layout, mep = plan
    base = {k: {(p.room_key, p.where) for p in v} for k, v in segment_passages(layout, mep).items()}
    for room, wall, z in ((1, 1, 1), (-1, -1, -1), (1, -1, -1), (-1, 1, 1)):
        moved = {"room_grow_m": 0.04 * room, "wall_grow_m": 0.04 * wall, "z_shift_m": 0.04 * z}
        again = segment_passages(layout, mep, **moved)
        changed = [k for k, v in again.items() if {(p.room_key, p.where) for p in v} != base[k]]
        assert changed == [], moved


def test_typical_runs_are_where_the_plan_says(plan: tuple[CampusLayout, MepPlan]) -> None:
    layout, mep = plan
    passages = segment_passages(layout, mep)
    office = layout.buildings[0]
    f03, f04 = office.storeys[2], office.storeys[3]

    def found(landmark: str) -> set[tuple[str, str]]:
        return {(p.room_key, p.where) for p in passages[mep.landmarks[landmark]]}

    assert found(f"{f03.key}/water_riser") == {(f03.shaft.key, "open"), (f04.shaft.key, "floor")}
    drop = found(f"{f04.key}/water_drop")
    assert {where for _, where in drop} == {"wall"} and len(drop) == 2
    assert (f03.corridor.key, "ceiling") in found(f"{f03.key}/water_branch")
    assert {w for _, w in found(f"{office.storeys[1].key}/heating_supply_main")} == {"floor"}


def test_adjacency_needs_one_wall_and_half_a_metre(plan: tuple[CampusLayout, MepPlan]) -> None:
    layout, _ = plan
    pairs = adjacent_rooms(layout)
    storey = layout.buildings[0].storeys[0]
    south = sorted((r for r in storey.rooms if r.band == "south"), key=lambda r: r.rect.x0)
    north = sorted((r for r in storey.rooms if r.band == "north"), key=lambda r: r.rect.x0)
    key = lambda a, b: (min(a.key, b.key), max(a.key, b.key))  # noqa: E731
    assert key(south[0], south[1]) in pairs
    assert key(south[0], storey.corridor) in pairs
    assert key(south[0], north[0]) not in pairs  # across the corridor: two walls
    assert all(a.split("/")[:2] == b.split("/")[:2] for a, b in pairs)


# --- split mode -------------------------------------------------------------------------


def test_split_files_keep_global_ids_and_separate_mep_buildings(written: dict[str, Any]) -> None:
    split: SampleFiles = written["split"]
    names = [p.name for p in split.ifc_files]
    assert names[0] == "campus.site.ifc"
    assert names[1:] == [f"campus.B0{n}.{part}.ifc" for n in (1, 2, 3) for part in ("arch", "mep")]
    assert split.answers.read_bytes() == written["single"].answers.read_bytes()
    single = written["model"]
    files = {p.name: ifcopenshell.open(str(p)) for p in split.ifc_files}
    site_ids = {f.by_type("IfcSite")[0].GlobalId for f in files.values()}
    assert site_ids == {single.by_type("IfcSite")[0].GlobalId}
    assert not files["campus.site.ifc"].by_type("IfcBuilding")
    for f in files.values():
        assert f.by_type("IfcMapConversion")[0].Eastings == pytest.approx(568854.272)
        assert len(f.by_type("IfcProject")) == 1
    spaces = {s.GlobalId for f in files.values() for s in f.by_type("IfcSpace")}
    assert spaces == {s.GlobalId for s in single.by_type("IfcSpace")}
    segments = {s.GlobalId for f in files.values() for s in f.by_type("IfcFlowSegment")}
    assert segments == {s.GlobalId for s in single.by_type("IfcFlowSegment")}
    ports = {p.GlobalId for f in files.values() for p in f.by_type("IfcDistributionPort")}
    assert ports == {p.GlobalId for p in single.by_type("IfcDistributionPort")}
    for number, building in enumerate(written["answers"]["buildings"], start=1):
        arch = files[f"campus.B0{number}.arch.ifc"].by_type("IfcBuilding")[0]
        mep = files[f"campus.B0{number}.mep.ifc"].by_type("IfcBuilding")[0]
        assert (arch.GlobalId, mep.GlobalId) == (building["global_id"], building["mep_global_id"])
        assert mep.Name == arch.Name and mep.GlobalId != arch.GlobalId
        arch_storeys = {
            (s.Name, s.Elevation, s.GlobalId)
            for s in files[f"campus.B0{number}.arch.ifc"].by_type("IfcBuildingStorey")
        }
        mep_storeys = {
            (s.Name, s.Elevation, s.GlobalId)
            for s in files[f"campus.B0{number}.mep.ifc"].by_type("IfcBuildingStorey")
        }
        assert {s[:2] for s in arch_storeys} == {s[:2] for s in mep_storeys}
        assert not {s[2] for s in arch_storeys} & {s[2] for s in mep_storeys}


def test_split_files_leave_only_the_declared_pairs_unjoined(written: dict[str, Any]) -> None:
    files = [ifcopenshell.open(str(p)) for p in written["split"].ifc_files]
    pairs = written["answers"]["split_inferred_connections"]
    joints = sum(len(f.by_type("IfcRelConnectsPorts")) for f in files)
    assert joints + len(pairs) == len(written["model"].by_type("IfcRelConnectsPorts"))
    loose = {
        port.GlobalId: _world(port)
        for f in files
        for port in f.by_type("IfcDistributionPort")
        if not port.ConnectedTo and not port.ConnectedFrom
    }
    assert set(loose) == {gid for pair in pairs for gid in pair}
    for source, sink in pairs:
        assert np.allclose(loose[source], loose[sink], atol=1e-6)
