"""The building GLB: a node per room and element, merged groups with per-vertex ids, caching.

The GLB is read back with trimesh (and its JSON chunk as it is) and compared with the
store it was built from: the names, the groups, where every room's vertices are, where
every instanced copy lands, and the Y-up rotation.
"""

from __future__ import annotations

import io
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import trimesh
from sqlalchemy import Engine, insert, select, update

from models.errors import UnknownBuilding
from models.geometry import Mesh
from tests.campus_stores import copy_store, imported_store, sample_store
from twin.rooms import set_room
from twin.store import open_store
from twin.store import schema as t
from viewer.gltf import GROUPS, building_glb, clear_memory_cache

BUILDING = "WZ01-B01"


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return sample_store(tmp_path_factory.mktemp("sample"), buildings=2)


@pytest.fixture
def engine(sample_db: Path, tmp_path: Path) -> Any:
    """A copy of the sample store each test may change."""
    engine = open_store(str(copy_store(sample_db, tmp_path)))
    clear_memory_cache()
    yield engine
    engine.dispose()


def _json(content: bytes) -> dict[str, Any]:
    assert content[:4] == b"glTF"
    length = int.from_bytes(content[12:16], "little")
    assert content[16:20] == b"JSON"
    tree: dict[str, Any] = json.loads(content[20 : 20 + length])
    return tree


def _scene(content: bytes) -> Any:
    return trimesh.load(io.BytesIO(content), file_type="glb", process=False)


def _active_rooms(engine: Engine, building: str) -> dict[str, Any]:
    with engine.connect() as conn:
        return {
            row.room_code: row
            for row in conn.execute(
                select(t.rooms).where(
                    t.rooms.c.building_code == building, t.rooms.c.status == "active"
                )
            )
        }


def _stored_meshes(engine: Engine, building: str) -> dict[str, Mesh]:
    with engine.connect() as conn:
        return {
            row.owner_id: Mesh.from_bytes(row.vertices, row.faces)
            for row in conn.execute(select(t.meshes).where(t.meshes.c.building_code == building))
        }


def _y_up(points: np.ndarray) -> np.ndarray:
    return np.column_stack([points[:, 0], points[:, 2], -points[:, 1]])


def test_every_active_room_code_and_element_id_is_a_node_name(engine: Engine) -> None:
    model = building_glb(engine, BUILDING)
    names = {node.get("name") for node in _json(model.content)["nodes"]}
    rooms = _active_rooms(engine, BUILDING)
    assert rooms and set(rooms) <= names
    with engine.connect() as conn:
        elements = set(
            conn.execute(
                select(t.meshes.c.owner_id)
                .join(t.elements, t.elements.c.element_id == t.meshes.c.owner_id)
                .where(t.elements.c.building_code == BUILDING)
            ).scalars()
        )
    assert elements and elements <= names
    assert model.rooms == len(rooms) and model.elements == len(elements)
    other = _active_rooms(engine, "WZ01-B02")
    assert not set(other) & names, "another building's rooms leaked into the GLB"


def test_every_active_room_of_office_a_is_a_node(tmp_path: Path) -> None:
    db = imported_store(tmp_path, {"OA": ["Office_A_20110811.ifc"]})
    engine = open_store(str(db))
    names = {node.get("name") for node in _json(building_glb(engine, "OA-B01").content)["nodes"]}
    rooms = _active_rooms(engine, "OA-B01")
    assert len(rooms) == 99
    assert set(rooms) <= names
    engine.dispose()


def test_groups_per_storey_hold_walls_slabs_and_services_by_system(engine: Engine) -> None:
    tree = _json(building_glb(engine, BUILDING).content)
    nodes = tree["nodes"]
    with engine.connect() as conn:
        kinds = dict(
            conn.execute(
                select(t.elements.c.element_id, t.elements.c.kind).where(
                    t.elements.c.building_code == BUILDING
                )
            ).all()
        )
        systems: dict[str, set[str]] = defaultdict(set)
        for element, name in conn.execute(
            select(t.element_systems.c.element_id, t.systems.c.name).join(
                t.systems, t.systems.c.system_id == t.element_systems.c.system_id
            )
        ):
            systems[element].add(name)
    groups = [node for node in nodes if "index_attribute" in node.get("extras", {})]
    found = {node["extras"]["group"] for node in groups}
    assert {"rooms", "walls", "slabs", "services"} <= found <= set(GROUPS)
    service_systems = set()
    for node in groups:
        extras = node["extras"]
        members = [nodes[i] for i in node.get("children", [])]
        assert sorted(m["extras"]["index"] for m in members) == list(range(extras["count"]))
        ids = [m["name"] for m in members]
        if extras["group"] == "walls":
            assert {kinds[i] for i in ids} == {"wall"}
        if extras["group"] == "slabs":
            assert {kinds[i] for i in ids} == {"slab"}
        if extras["group"] == "services":
            assert extras["system"] is not None
            service_systems.add(extras["system"])
            assert all(extras["system"] in systems[i] for i in ids), extras
            assert "wall" not in {kinds[i] for i in ids}
    assert len(service_systems) >= 3, service_systems


def test_geometry_is_merged_into_few_meshes(engine: Engine) -> None:
    model = building_glb(engine, BUILDING)
    products = len(_stored_meshes(engine, BUILDING))
    tree = _json(model.content)
    storeys = [node for node in tree["nodes"] if "elevation_m" in node.get("extras", {})]
    assert model.meshes == len(tree["meshes"])
    # The page draws one call per mesh (instanced shapes: one per storey group at most).
    assert model.meshes * 10 <= products, (model.meshes, products)
    assert model.meshes <= len(storeys) * 20


def test_each_room_is_findable_by_its_vertex_index_and_sits_where_the_store_has_it(
    engine: Engine,
) -> None:
    scene = _scene(building_glb(engine, BUILDING).content)
    stored = _stored_meshes(engine, BUILDING)
    rooms = _active_rooms(engine, BUILDING)
    checked = 0
    for node in scene.graph.nodes_geometry:
        transform, geometry_name = scene.graph[node]
        geometry = scene.geometry[geometry_name]
        if "_ROOM_INDEX" not in geometry.vertex_attributes:
            continue
        index = np.asarray(geometry.vertex_attributes["_ROOM_INDEX"]).reshape(-1)
        world = trimesh.transform_points(geometry.vertices, transform)
        for child in scene.graph.transforms.children[node]:
            code = child
            position = scene.graph.transforms.edge_data[(node, child)]["metadata"]["index"]
            vertices = world[index == position]
            expected = _y_up(stored[code].vertices)
            assert np.allclose(vertices.min(axis=0), expected.min(axis=0), atol=1e-3), code
            assert np.allclose(vertices.max(axis=0), expected.max(axis=0), atol=1e-3), code
            # The room's node sits at its label point: inside the footprint, at its top.
            label = scene.graph[code][0][:3, 3]
            assert label[1] == pytest.approx(expected[:, 1].max(), abs=1e-3)
            assert expected[:, 0].min() < label[0] < expected[:, 0].max()
            assert expected[:, 2].min() < label[2] < expected[:, 2].max()
            checked += 1
        assert geometry.vertex_normals.shape == geometry.vertices.shape
        assert np.allclose(np.linalg.norm(geometry.vertex_normals, axis=1), 1.0, atol=1e-3)
    assert checked == len(rooms)


def test_instanced_copies_land_where_the_stored_elements_are(engine: Engine) -> None:
    model = building_glb(engine, BUILDING)
    assert model.instanced_elements > 0
    tree = _json(model.content)
    scene = _scene(model.content)
    stored = _stored_meshes(engine, BUILDING)
    instanced = [
        node["name"]
        for node in tree["nodes"]
        if "mesh" in node and "index" in node.get("extras", {})
    ]
    assert len(instanced) == model.instanced_elements
    for element in instanced:
        transform, geometry_name = scene.graph[element]
        placed = trimesh.transform_points(scene.geometry[geometry_name].vertices, transform)
        expected = _y_up(stored[element].vertices)
        # Vertices are split where faces meet at an angle: compare as point sets.
        distances = np.linalg.norm(placed[:, None, :] - expected[None, :, :], axis=2)
        assert distances.min(axis=1).max() < 2e-3, element
        assert distances.min(axis=0).max() < 2e-3, element


def test_the_model_is_y_up_in_site_coordinates(engine: Engine) -> None:
    scene = _scene(building_glb(engine, BUILDING).content)
    stored = np.vstack([mesh.vertices for mesh in _stored_meshes(engine, BUILDING).values()])
    low, high = scene.bounds
    assert np.allclose(
        low, [stored[:, 0].min(), stored[:, 2].min(), -stored[:, 1].max()], atol=1e-3
    )
    assert np.allclose(
        high, [stored[:, 0].max(), stored[:, 2].max(), -stored[:, 1].min()], atol=1e-3
    )


def test_etag_is_stable_for_unchanged_data(engine: Engine) -> None:
    first = building_glb(engine, BUILDING)
    again = building_glb(engine, "B01")
    assert again.etag == first.etag and again.content == first.content
    clear_memory_cache()
    rebuilt = building_glb(engine, BUILDING)
    assert rebuilt.etag == first.etag
    assert rebuilt.content == first.content, "the build is not deterministic"
    # A local edit changes what a room means, not its geometry: the GLB stays the same.
    room = next(iter(_active_rooms(engine, BUILDING)))
    set_room(engine, room, {"usage": "storage", "department": "Finance"})
    assert building_glb(engine, BUILDING).etag == first.etag
    assert building_glb(engine, "WZ01-B02").etag != first.etag


def test_etag_changes_when_a_room_is_retired(engine: Engine) -> None:
    before = building_glb(engine, BUILDING)
    room = sorted(_active_rooms(engine, BUILDING))[3]
    with engine.begin() as conn:  # what a re-import that drops the room writes
        conn.execute(update(t.rooms).where(t.rooms.c.room_code == room).values(status="retired"))
        conn.execute(
            insert(t.room_events).values(room_code=room, at="2030-01-01T00:00:00", kind="retired")
        )
    after = building_glb(engine, BUILDING)
    assert after.etag != before.etag
    assert room not in {node.get("name") for node in _json(after.content)["nodes"]}
    assert after.rooms == before.rooms - 1


def test_etag_changes_when_geometry_moves(engine: Engine) -> None:
    before = building_glb(engine, BUILDING)
    with engine.connect() as conn:
        row = conn.execute(
            select(t.meshes)
            .join(t.elements, t.elements.c.element_id == t.meshes.c.owner_id)
            .where(t.elements.c.kind == "wall", t.meshes.c.building_code == BUILDING)
        ).first()
    assert row is not None
    mesh = Mesh.from_bytes(row.vertices, row.faces)
    moved = Mesh(mesh.vertices + np.array([0.0, 0.0, 0.01]), mesh.faces)
    vertices, _ = moved.to_bytes()
    with engine.begin() as conn:  # what a re-import of a revised model writes
        conn.execute(
            update(t.meshes).where(t.meshes.c.owner_id == row.owner_id).values(vertices=vertices)
        )
        conn.execute(
            insert(t.import_runs).values(at="2030-01-01T00:00:00", files="[]", summary="{}")
        )
    assert building_glb(engine, BUILDING).etag != before.etag


def test_an_unchanged_store_is_not_read_again(engine: Engine) -> None:
    """Same data version: the same answer object, without reading the meshes again."""
    first = building_glb(engine, BUILDING)
    assert building_glb(engine, BUILDING) is first
    with engine.begin() as conn:
        conn.execute(
            insert(t.import_runs).values(at="2030-01-01T00:00:00", files="[]", summary="{}")
        )
    again = building_glb(engine, BUILDING)
    assert again is not first and again.etag == first.etag


def test_a_built_glb_is_kept_on_disk_and_not_rebuilt(engine: Engine, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    model = building_glb(engine, BUILDING, cache)
    stored = cache / "glb" / f"{model.etag}.glb"
    assert stored.read_bytes() == model.content
    # A process that has nothing in memory takes the file as it is: mark it and look.
    clear_memory_cache()
    stored.write_bytes(model.content + b"  ")
    assert building_glb(engine, BUILDING, cache).content == model.content + b"  "


def test_an_unknown_building_is_refused(engine: Engine) -> None:
    with pytest.raises(UnknownBuilding):
        building_glb(engine, "WZ01-B99")
