"""Leak isolation, checked three ways: an exhaustive search over every valve subset of a
small hand-made network and of 40 seeded random ones (each at most 30 elements), the
sample generator's answer file (single and split files), and the heating model in
../shared/ifc.
"""

from __future__ import annotations

import json
import re
from collections import deque
from collections.abc import Iterable
from itertools import combinations
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select

from bim_import.sample.campus import write_sample_campus
from models.errors import BadInput, UnknownElement
from tests.campus_stores import imported_store
from tests.twin.network.small_network import (
    PLAN,
    SmallNetwork,
    random_plan,
    small_network_store,
)
from twin.importer import import_models
from twin.network.isolate import isolate
from twin.store import open_store
from twin.store import schema as t

# --- the small network against an exhaustive search --------------------------------


class _Oracle:
    """The plan's semantics written out plainly, independent of twin.network."""

    def __init__(self, plan: SmallNetwork = PLAN) -> None:
        self.plan = plan
        self.forward: dict[str, set[str]] = {k: set() for k in plan.elements}
        self.backward: dict[str, set[str]] = {k: set() for k in self.plan.elements}
        for a, b, directed in self.plan.joints:
            self.forward[a].add(b)
            self.backward[b].add(a)
            if not directed:
                self.forward[b].add(a)
                self.backward[a].add(b)
        extra = {k: v[3] for k, v in self.plan.elements.items()}
        self.check = {k for k, e in extra.items() if e.get("valve_type") == "CHECK"}
        self.closed = {k for k, e in extra.items() if e.get("normally_open") is False}
        self.closable = {
            k
            for k, (_, kind, _, _) in self.plan.elements.items()
            if kind == "valve" and k not in self.check | self.closed
        }
        self.terminals = {k for k, v in self.plan.elements.items() if v[1] == "terminal"}

    def _walk(self, starts: Iterable[str], step: dict[str, set[str]], shut: set[str]) -> set[str]:
        seen = {s for s in starts if s not in shut}
        queue = deque(seen)
        while queue:
            for other in step[queue.popleft()]:
                if other not in seen and other not in shut:
                    seen.add(other)
                    queue.append(other)
        return seen

    def fed(self, leak: str, shut: set[str]) -> bool:
        """Can water from a source reach `leak` with `shut` closed?"""
        # into `node` from its upstream side, or backwards from downstream unless a check
        # valve sits on the joint
        feeders = {
            n: self.backward[n]
            | (
                {m for m in self.forward[n] if m not in self.check}
                if n not in self.check
                else set()
            )
            for n in self.plan.elements
        }
        return bool(self._walk([leak], feeders, shut) & self.plan.sources)

    def served(self, shut: set[str]) -> set[str]:
        reached = self._walk(self.plan.sources, self.forward, shut)
        back = self._walk(self.plan.sources, self.backward, shut)
        return {n for n in self.terminals if n in reached and (not self.forward[n] or n in back)}

    def best(self, leak: str) -> tuple[int, int, int] | None:
        """(terminals, rooms, valves) of the best valve set, or None when none isolates."""
        base = self.served(self.closed)
        found = None
        candidates = sorted(self.closable - {leak})
        for size in range(len(candidates) + 1):
            for chosen in combinations(candidates, size):
                cost = self.cost(leak, set(chosen), base)
                if cost is not None and (found is None or cost < found):
                    found = cost
        return found

    def cost(self, leak: str, valves: set[str], base: set[str]) -> tuple[int, int, int] | None:
        shut = self.closed | valves
        if self.fed(leak, shut):
            return None
        lost = base - self.served(shut | {leak})
        return len(lost), len({self.plan.rooms[n] for n in lost}), len(valves)


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    return open_store(str(small_network_store(tmp_path_factory.mktemp("small"))))


def test_the_small_network_has_at_most_30_elements_with_a_loop_check_and_closed_valve() -> None:
    oracle = _Oracle()
    assert len(PLAN.elements) <= 30
    assert oracle.check and oracle.closed
    assert any(not directed for _, _, directed in PLAN.joints)


@pytest.mark.parametrize(
    "leak", sorted(k for k in PLAN.elements if k not in PLAN.sources and k not in _Oracle().check)
)
def test_every_answer_on_the_small_network_is_optimal(small: Engine, leak: str) -> None:
    oracle = _Oracle()
    key_of = {PLAN.element_id(k): k for k in PLAN.elements}
    answer = isolate(small, PLAN.element_id(leak))
    best = oracle.best(leak)
    chosen = {key_of[v] for v in answer["valves_to_close"]}
    if best is None:
        assert chosen == set()
        assert answer["nearest_upstream_valve"] is None or (
            key_of[answer["nearest_upstream_valve"]["element_id"]] in oracle.closable
        )
        assert "no valve isolates" in answer["message"]
        return
    base = oracle.served(oracle.closed)
    assert chosen <= oracle.closable
    assert oracle.cost(leak, chosen, base) == best, (leak, sorted(chosen))
    assert len(answer["terminals"]) == best[0]
    assert len(answer["rooms"]) == best[1]
    assert answer["optimal"] is True


@pytest.mark.parametrize("seed", range(40))
def test_every_answer_on_random_small_networks_is_optimal(tmp_path: Path, seed: int) -> None:
    plan = random_plan(seed)
    assert len(plan.elements) <= 30
    engine = open_store(str(small_network_store(tmp_path, plan)))
    oracle = _Oracle(plan)
    key_of = {plan.element_id(k): k for k in plan.elements}
    base = oracle.served(oracle.closed)
    for leak in sorted(set(plan.elements) - plan.sources):
        answer = isolate(engine, plan.element_id(leak))
        chosen = {key_of[v] for v in answer["valves_to_close"]}
        best = oracle.best(leak)
        if best is None:
            assert chosen == set(), (seed, leak)
            continue
        assert oracle.cost(leak, chosen, base) == best, (seed, leak, sorted(chosen))
        assert len(answer["terminals"]) == best[0], (seed, leak)
        assert answer["optimal"] is True
    engine.dispose()


def test_a_ring_main_is_closed_on_both_sides(small: Engine) -> None:
    """P2 joins J2 and J3 with no direction: water comes from both ends of the ring."""
    answer = isolate(small, PLAN.element_id("P2"))
    assert sorted(answer["valves_to_close"]) == sorted(PLAN.element_id(v) for v in ("V2", "V3"))


def test_a_pipe_behind_a_check_valve_is_closed_on_its_feeding_side_only(small: Engine) -> None:
    """P9 lies between V6 and the check valve: backflow from J5 cannot reach it."""
    answer = isolate(small, PLAN.element_id("P9"))
    assert answer["valves_to_close"] == [PLAN.element_id("V6")]
    assert answer["terminals"] == []


def test_one_valve_farther_up_replaces_two_near_ones_when_it_costs_nothing(
    small: Engine,
) -> None:
    """J5 is fed through V6 and V7; V4 feeds both and nothing else."""
    answer = isolate(small, PLAN.element_id("J5"))
    assert answer["valves_to_close"] == [PLAN.element_id("V4")]


def test_a_source_or_an_unvalved_pipe_names_the_nearest_valve_upstream(small: Engine) -> None:
    answer = isolate(small, PLAN.element_id("V1"))
    assert answer["valves_to_close"] == []
    assert answer["nearest_upstream_valve"] is None
    assert "no valve isolates" in answer["message"]
    answer = isolate(small, PLAN.element_id("S2"))
    assert answer["valves_to_close"] == []
    assert "source" in answer["message"]


def test_a_radiator_loop_is_closed_on_supply_and_return(small: Engine) -> None:
    answer = isolate(small, PLAN.element_id("JS"))
    assert sorted(answer["valves_to_close"]) == sorted(PLAN.element_id(v) for v in ("VS", "VR"))
    assert {t["element_id"] for t in answer["terminals"]} == {
        PLAN.element_id("R1"),
        PLAN.element_id("R2"),
    }
    assert sorted(s["sensor_id"] for s in answer["sensors"]) == sorted(
        f"temp-{PLAN.rooms[r]}" for r in ("R1", "R2")
    )


def test_drainage_is_a_gravity_system(small: Engine) -> None:
    answer = isolate(small, PLAN.element_id("SOIL"))
    assert answer["gravity"] is True
    assert answer["valves_to_close"] == []
    assert "gravity system, no isolation" in answer["message"]


def test_bad_input_is_answered_in_words(small: Engine) -> None:
    with pytest.raises(UnknownElement, match="unknown element"):
        isolate(small, "SN01-B01-E999999")
    with pytest.raises(BadInput, match="has no ports"):
        isolate(small, PLAN.element_id("RX"))
    with pytest.raises(BadInput, match="nothing is joined"):
        isolate(small, PLAN.element_id("PX"))


# --- the sample campus answer file ------------------------------------------------

_WHY = re.compile(r"shuts off (\d+) terminal\(s\) in (\d+) room\(s\)|shuts off no terminal")


@pytest.fixture(scope="module", params=["single", "split"])
def sample(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Any:
    folder = tmp_path_factory.mktemp(f"sample-{request.param}")
    files = write_sample_campus(
        folder / "campus.ifc", buildings=3, seed=1, split=request.param == "split"
    )
    engine = open_store(str(folder / "twin.db"))
    import_models(engine, list(files.ifc_files), site_code="WZ01")
    return engine, json.loads(files.answers.read_text(encoding="utf-8"))


def _ids_by_global_id(engine: Engine) -> dict[str, str]:
    with engine.connect() as conn:
        return dict(conn.execute(select(t.elements.c.global_id, t.elements.c.element_id)).all())


def test_every_leak_in_the_answer_file(sample: Any) -> None:
    engine, answers = sample
    ids = _ids_by_global_id(engine)
    assert len(answers["leaks"]) == 9
    for leak in answers["leaks"]:
        answer = isolate(engine, ids[leak["element"]])
        expected = sorted(ids[v] for v in leak["valves_to_close"])
        assert sorted(answer["valves_to_close"]) == expected, leak["why"]
        counts = _WHY.search(leak["why"])
        assert counts is not None
        terminals, rooms = (int(n) for n in counts.groups()) if counts[1] else (0, 0)
        assert (len(answer["terminals"]), len(answer["rooms"])) == (terminals, rooms), leak["why"]
        if leak["system"] in ("Sprinkler", "Gas"):
            assert any(leak["system"].lower() in w for w in answer["warnings"]), answer


def test_isolating_the_site_main_lists_the_buildings(sample: Any) -> None:
    engine, answers = sample
    ids = _ids_by_global_id(engine)
    site_main = next(leak for leak in answers["leaks"] if "Site" in leak["why"])
    answer = isolate(engine, ids[site_main["element"]])
    assert answer["buildings"] == ["WZ01-B01", "WZ01-B02", "WZ01-B03"]


def test_a_cable_is_switched_off_at_its_board(sample: Any) -> None:
    engine, _ = sample
    with engine.connect() as conn:
        cable = conn.execute(
            select(t.elements.c.element_id)
            .where(t.elements.c.kind == "cable_segment", t.elements.c.storey_code.like("%-F03"))
            .order_by(t.elements.c.element_id)
        ).scalar()
    answer = isolate(engine, str(cable))
    assert answer["medium"] == "power"
    assert answer["valves_to_close"] == []
    assert "switch it off at" in answer["message"] and "Distribution board" in answer["message"]


# --- a real heating model -----------------------------------------------------------


def test_isolation_on_the_shared_heating_model_is_sane(tmp_path: Path) -> None:
    db = imported_store(tmp_path, {"HT01": ["b03_heating_with_building_blenderBIM.ifc"]})
    engine = open_store(str(db))
    with engine.connect() as conn:
        rows = conn.execute(
            select(t.elements.c.element_id, t.elements.c.kind).where(
                t.elements.c.element_id.in_(select(t.connections.c.element_from))
            )
        ).all()
    valves = {r.element_id for r in rows if r.kind == "valve"}
    assert rows
    for row in rows:
        answer = isolate(engine, row.element_id)
        assert set(answer["valves_to_close"]) <= valves - {row.element_id}
        assert answer["message"]
        if not answer["valves_to_close"] and not answer["gravity"]:
            assert "nearest_upstream_valve" in answer
