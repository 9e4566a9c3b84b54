"""One GLB per building, built from the stored meshes with trimesh and cached by content hash.

What costs a browser is draw calls, not triangles, so the GLB merges geometry: one
mesh per storey and group (rooms, walls, slabs, roofs, coverings, openings, other,
and services per system). Each merged mesh carries a per-vertex index
(`_ROOM_INDEX` for rooms, `_ELEMENT_INDEX` for the rest) into its group's table, so
the page picks and recolours single rooms without splitting anything. The table is
the group node's children: one node per room named by its room code and one per
element named by its element id, each with `extras.index`. Room nodes sit at the
room's label point (the pole of inaccessibility of its footprint, at the room's
top), which is where the page projects, flies to and tests a room. Elements whose
shape repeats many times in a group (same faces, same vertices up to a translation,
as IfcMappedItem writes doors and terminals) are instanced instead: their node
points at one shared mesh with a translation, and the page draws each group's copies
with one `InstancedMesh`. Any glTF viewer shows the same building.

Coordinates: the store is Z-up in site metres; glTF is Y-up. Vertices are rotated
once here, relative to the building's origin (whole metres, kept in the building
node's translation), so float32 keeps millimetres even at map coordinates.

The ETag is the SHA-256 of everything the GLB is made of (format version, storeys,
active rooms, elements, systems, meshes), so an unchanged building is never rebuilt:
its bytes come from memory, or from `cache_dir` across restarts. Reading and hashing
a building's meshes still costs tens of milliseconds, so the answer is also kept per
store and `twin.store.data_version` (which every import and every room change
moves): a request for an unchanged store reads three numbers, not the meshes.

>>> model = building_glb(engine, "WZ01-B01")  # doctest: +SKIP
>>> model.content[:4], len(model.etag)  # doctest: +SKIP
(b'glTF', 64)
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import threading
import weakref
from collections import OrderedDict, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import Engine, select

from models.geometry import Mesh
from twin.rooms import resolve_building_code
from twin.store import data_version
from twin.store import schema as t
from viewer.palette import STRUCTURE_COLOURS, medium_colour

__all__ = [
    "FORMAT_VERSION",
    "GROUPS",
    "GlbModel",
    "building_glb",
    "clear_memory_cache",
]

log = logging.getLogger(__name__)

FORMAT_VERSION = 2
"""Bumped whenever the GLB layout changes, so cached files of an older layout are not served."""

GROUPS = ("rooms", "walls", "slabs", "roofs", "coverings", "openings", "services", "other")
"""The groups of every storey; `services` come one group per system."""

SERVICE_KINDS = frozenset(
    {
        "pipe_segment",
        "duct_segment",
        "cable_segment",
        "cable_carrier_segment",
        "fitting",
        "valve",
        "switch",
        "protective_device",
        "terminal",
        "pump",
        "equipment",
    }
)
_GROUP_BY_KIND = {
    "wall": "walls",
    "slab": "slabs",
    "covering": "coverings",
    "door": "openings",
    "window": "openings",
}

# Instance a shape only where it pays: enough copies in one storey group (each copy
# drawn by the shared InstancedMesh instead of being merged) and enough triangles
# that the bytes saved outweigh the extra draw call.
INSTANCE_MIN_COPIES = 8
INSTANCE_MIN_TRIANGLES = 48

MEMORY_CACHE_BYTES = 256 * 1024 * 1024

CREASE_DEG = 35.0
"""Faces meeting flatter than this shade smooth (a pipe of 12+ sides), sharper ones flat."""

# IFC is Z-up, glTF Y-up: (x, y, z) → (x, z, -y), a proper rotation (det +1).
_Z_UP_TO_Y_UP = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.0, -1.0, 0.0]])


@dataclass(frozen=True)
class GlbModel:
    """A building's GLB and what it holds; `etag` is the content hash of its inputs."""

    building_code: str
    content: bytes
    etag: str
    rooms: int = 0
    elements: int = 0
    meshes: int = 0
    """Merged group meshes plus instanced shapes: about the page's draw calls."""
    instanced_elements: int = 0
    triangles: int = 0


@dataclass
class _Owner:
    """One room or element with a mesh, on its way into a group."""

    owner_id: str
    mesh: Mesh | None
    label_point: tuple[float, float, float] | None = None


@dataclass
class _Inputs:
    building_code: str
    storeys: list[tuple[str, float]]
    rooms: list[Any]
    elements: dict[str, Any]
    systems: dict[str, list[tuple[str, str]]]
    meshes: dict[str, Mesh]
    etag: str


@dataclass
class _Group:
    storey_code: str
    group: str
    system: str | None = None
    medium: str | None = None
    owners: list[_Owner] = field(default_factory=list)


_memory: OrderedDict[str, bytes] = OrderedDict()
_memory_lock = threading.Lock()
_build_lock = threading.Lock()
# Per store: (building, data version) → the answer, so unchanged data is not even re-read.
_answers: weakref.WeakKeyDictionary[Engine, dict[tuple[str, str], GlbModel]] = (
    weakref.WeakKeyDictionary()
)


def clear_memory_cache() -> None:
    """Forget every GLB kept in memory (tests, or after freeing memory)."""
    with _memory_lock:
        _memory.clear()
        _answers.clear()


def _remember(etag: str, content: bytes) -> None:
    with _memory_lock:
        _memory[etag] = content
        _memory.move_to_end(etag)
        while sum(len(v) for v in _memory.values()) > MEMORY_CACHE_BYTES and len(_memory) > 1:
            _memory.popitem(last=False)


def _recall(etag: str) -> bytes | None:
    with _memory_lock:
        content = _memory.get(etag)
        if content is not None:
            _memory.move_to_end(etag)
        return content


def building_glb(engine: Engine, building_code: str, cache_dir: Path | None = None) -> GlbModel:
    """The GLB of one building (`SITE-Bnn`, or `Bnn` while one site has it), cached.

    `cache_dir` (else `TWIN_CACHE_DIR`, else memory only) keeps built GLBs across
    restarts as `<etag>.glb`. Raises `UnknownBuilding` for a building the store
    does not have.
    """
    code = resolve_building_code(engine, building_code)
    version = data_version(engine)
    with _memory_lock:
        known = _answers.get(engine, {}).get((code, version))
    if known is not None:
        return known
    model = _building_glb(engine, code, cache_dir)
    with _memory_lock:
        answers = _answers.setdefault(engine, {})
        answers = {key: value for key, value in answers.items() if key[1] == version}
        answers[(code, version)] = model
        _answers[engine] = answers
    return model


def _building_glb(engine: Engine, code: str, cache_dir: Path | None) -> GlbModel:
    """The GLB by content hash: from memory, from the disk cache, or built now."""
    inputs = _read_inputs(engine, code)
    directory = cache_dir or (
        Path(os.environ["TWIN_CACHE_DIR"]) if os.environ.get("TWIN_CACHE_DIR") else None
    )
    path = directory / "glb" / f"{inputs.etag}.glb" if directory else None
    counts = {
        "rooms": len(inputs.rooms),
        "elements": sum(1 for owner in inputs.meshes if owner in inputs.elements),
    }
    content = _recall(inputs.etag)
    if content is None and path is not None and path.exists():
        content = path.read_bytes()
        _remember(inputs.etag, content)
    if content is not None:
        return GlbModel(code, content, inputs.etag, **counts, **_stats_from_glb(content))
    with _build_lock:
        content = _recall(inputs.etag)
        if content is None:
            content = _build_glb(inputs)
            _remember(inputs.etag, content)
            if path is not None:
                _write_atomically(path, content)
    return GlbModel(code, content, inputs.etag, **counts, **_stats_from_glb(content))


def _write_atomically(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(handle, "wb") as out:
        out.write(content)
    os.replace(temporary, path)


def _stats_from_glb(content: bytes) -> dict[str, int]:
    """Counts read back from the GLB's JSON chunk (cheap: no geometry is decoded)."""
    length = int.from_bytes(content[12:16], "little")
    tree = json.loads(content[20 : 20 + length])
    meshes = tree.get("meshes", [])
    accessors = tree.get("accessors", [])
    triangles = sum(
        accessors[primitive["indices"]]["count"] // 3
        for mesh in meshes
        for primitive in mesh["primitives"]
    )
    instanced = sum(
        1 for node in tree.get("nodes", []) if "mesh" in node and "index" in node.get("extras", {})
    )
    return {"meshes": len(meshes), "instanced_elements": instanced, "triangles": triangles}


# --- reading the store ---------------------------------------------------------------


def _read_inputs(engine: Engine, code: str) -> _Inputs:
    """Everything the GLB is made of, and the SHA-256 of it in a fixed order."""
    digest = hashlib.sha256(f"campus-twin-glb/{FORMAT_VERSION}/{code}".encode())

    def feed(*values: Any) -> None:
        for value in values:
            digest.update(value if isinstance(value, bytes) else repr(value).encode())
            digest.update(b"\x1f")

    with engine.connect() as conn:
        storeys = [
            (row.storey_code, float(row.elevation_m))
            for row in conn.execute(
                select(t.storeys.c.storey_code, t.storeys.c.elevation_m)
                .where(t.storeys.c.building_code == code)
                .order_by(t.storeys.c.elevation_m, t.storeys.c.storey_code)
            )
        ]
        rooms = conn.execute(
            select(
                t.rooms.c.room_code,
                t.rooms.c.storey_code,
                t.rooms.c.footprint_wkb,
                t.rooms.c.floor_elevation_m,
                t.rooms.c.height_m,
            )
            .where(t.rooms.c.building_code == code, t.rooms.c.status == "active")
            .order_by(t.rooms.c.room_code)
        ).all()
        elements = {
            row.element_id: row
            for row in conn.execute(
                select(
                    t.elements.c.element_id,
                    t.elements.c.kind,
                    t.elements.c.storey_code,
                    t.elements.c.predefined_type,
                    t.elements.c.ifc_class,
                    t.elements.c.medium,
                )
                .where(t.elements.c.building_code == code)
                .order_by(t.elements.c.element_id)
            )
        }
        systems: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for row in conn.execute(
            select(t.element_systems.c.element_id, t.systems.c.name, t.systems.c.medium)
            .join(t.systems, t.systems.c.system_id == t.element_systems.c.system_id)
            .join(t.elements, t.elements.c.element_id == t.element_systems.c.element_id)
            .where(t.elements.c.building_code == code)
            .order_by(t.element_systems.c.element_id, t.systems.c.name)
        ):
            systems[row.element_id].append((row.name, row.medium))
        meshes: dict[str, Mesh] = {}
        for row in conn.execute(
            select(t.meshes.c.owner_id, t.meshes.c.vertices, t.meshes.c.faces)
            .where(t.meshes.c.building_code == code)
            .order_by(t.meshes.c.owner_id)
        ):
            feed(row.owner_id, row.vertices, row.faces)
            meshes[row.owner_id] = Mesh.from_bytes(row.vertices, row.faces)
    for storey in storeys:
        feed(*storey)
    for room in rooms:
        feed(*room)
    for element in elements.values():
        feed(*element)
    for element_id in sorted(systems):
        feed(element_id, systems[element_id])
    return _Inputs(code, storeys, list(rooms), elements, dict(systems), meshes, digest.hexdigest())


# --- grouping -------------------------------------------------------------------------


def _storey_for_height(storeys: list[tuple[str, float]], z_m: float) -> str:
    """The storey an element without one belongs to: the highest whose floor is below it."""
    chosen = storeys[0][0]
    for storey_code, elevation_m in storeys:
        if elevation_m <= z_m + 0.5:
            chosen = storey_code
    return chosen


def _element_group(element: Any, systems: list[tuple[str, str]]) -> tuple[str, str | None, str]:
    """(group, system name or None, medium) of an element."""
    kind = element.kind
    if kind in SERVICE_KINDS:
        if systems:
            name, medium = systems[0]
            return "services", name, medium
        return "services", None, element.medium or "unknown"
    if kind == "slab" and (element.predefined_type or "").upper() == "ROOF":
        return "roofs", None, ""
    if element.ifc_class == "IfcRoof":
        return "roofs", None, ""
    return _GROUP_BY_KIND.get(kind, "other"), None, ""


def _label_point(room: Any, mesh: Mesh | None) -> tuple[float, float, float] | None:
    """Where a room is shown, picked and flown to: the footprint's pole of inaccessibility.

    It is the point of the room farthest from its walls, so it is inside even an L-shaped
    room; its height is the room's top, the face seen from above.
    """
    import shapely
    from shapely.ops import polylabel

    top_m: float | None = None
    if mesh is not None and not mesh.is_empty:
        top_m = mesh.z_range_m[1]
    elif room.floor_elevation_m is not None and room.height_m is not None:
        top_m = room.floor_elevation_m + room.height_m
    if room.footprint_wkb:
        footprint = shapely.from_wkb(room.footprint_wkb)
        if footprint.geom_type == "MultiPolygon":
            footprint = max(footprint.geoms, key=lambda part: part.area)
        if footprint.geom_type == "Polygon" and not footprint.is_empty and top_m is not None:
            point = polylabel(footprint, tolerance=0.05)
            return float(point.x), float(point.y), top_m
    if mesh is not None and not mesh.is_empty:
        low, high = mesh.vertices.min(axis=0), mesh.vertices.max(axis=0)
        centre = (low + high) / 2
        return float(centre[0]), float(centre[1]), float(high[2])
    return None


def _groups(inputs: _Inputs) -> dict[tuple[str, str, str], _Group]:
    groups: dict[tuple[str, str, str], _Group] = {}

    def group_for(storey_code: str, group: str, system: str | None, medium: str) -> _Group:
        key = (storey_code, group, system or medium if group == "services" else "")
        if key not in groups:
            groups[key] = _Group(storey_code, group, system, medium or None)
        return groups[key]

    for room in inputs.rooms:
        mesh = inputs.meshes.get(room.room_code)
        owner = _Owner(room.room_code, mesh, _label_point(room, mesh))
        group_for(room.storey_code, "rooms", None, "").owners.append(owner)
    for element_id, element in inputs.elements.items():
        mesh = inputs.meshes.get(element_id)
        if mesh is None or mesh.is_empty:
            continue
        storey_code = element.storey_code
        if storey_code is None:
            if not inputs.storeys:
                continue
            storey_code = _storey_for_height(inputs.storeys, mesh.z_range_m[0])
        group, system, medium = _element_group(element, inputs.systems.get(element_id, []))
        group_for(storey_code, group, system, medium).owners.append(_Owner(element_id, mesh))
    return groups


# --- geometry -------------------------------------------------------------------------


def _to_y_up(points: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """`(n, 3)` Z-up points → Y-up."""
    return points @ _Z_UP_TO_Y_UP.T


def _crease_normals(
    vertices: npt.NDArray[np.float64], faces: npt.NDArray[np.int64]
) -> tuple[
    npt.NDArray[np.float64], npt.NDArray[np.int64], npt.NDArray[np.float64], npt.NDArray[Any]
]:
    """Vertex normals with sharp edges kept: split vertices where faces meet at a crease.

    Faces joined across edges flatter than `CREASE_DEG` form one smoothing group (a pipe's
    sides, a flat wall of many triangles); a vertex gets one copy per group that uses it,
    with the area-weighted normal of that group's faces there. Boxes shade flat, pipes
    round. Returns `(vertices (k, 3), faces (m', 3), normals (k, 3), source (k,))` where
    `source` is each new vertex's index in the input (to carry per-vertex data);
    degenerate faces are dropped.
    """
    import trimesh
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    corners = vertices[faces]
    crossed = np.cross(corners[:, 1] - corners[:, 0], corners[:, 2] - corners[:, 0])
    keep = np.linalg.norm(crossed, axis=1) > 1e-12
    faces, crossed = faces[keep], crossed[keep]
    mesh = trimesh.Trimesh(vertices=vertices, faces=faces, process=False)
    smooth = mesh.face_adjacency[mesh.face_adjacency_angles < np.radians(CREASE_DEG)]
    count = len(faces)
    links = coo_matrix((np.ones(len(smooth)), (smooth[:, 0], smooth[:, 1])), shape=(count, count))
    _, group = connected_components(links, directed=False)
    keys = faces.astype(np.int64) * count + group[:, None]
    unique_keys, inverse = np.unique(keys.ravel(), return_inverse=True)
    source = unique_keys // count
    normals = np.zeros((len(unique_keys), 3))
    # The cross product's length is twice the face's area: an area-weighted sum.
    np.add.at(normals, inverse, np.repeat(crossed, 3, axis=0))
    normals /= np.maximum(np.linalg.norm(normals, axis=1, keepdims=True), 1e-12)
    return vertices[source], inverse.reshape(-1, 3).astype(np.int64), normals, source


def _shape_key(mesh: Mesh) -> tuple[str, npt.NDArray[np.float64]]:
    """A key equal for meshes that are copies up to a translation (to the millimetre)."""
    low = mesh.vertices.min(axis=0)
    relative = np.rint((mesh.vertices - low) * 1000).astype(np.int64)
    digest = hashlib.sha1(relative.tobytes())
    digest.update(np.ascontiguousarray(mesh.faces).tobytes())
    return digest.hexdigest(), low


def _material(name: str, colour: str, opaque: bool = True) -> Any:
    import trimesh

    rgb = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    return trimesh.visual.material.PBRMaterial(
        name=name,
        baseColorFactor=[*rgb, 255],
        metallicFactor=0.0,
        roughnessFactor=1.0,
        doubleSided=not opaque,
    )


def _trimesh(
    vertices: npt.NDArray[np.float64],
    faces: npt.NDArray[np.int64],
    index: npt.NDArray[np.float32] | None,
    index_name: str,
    material: Any,
) -> Any:
    import trimesh

    split_vertices, split_faces, normals, source = _crease_normals(vertices, faces)
    attributes = {} if index is None else {index_name: index[source].astype(np.float32)}
    mesh = trimesh.Trimesh(
        vertices=split_vertices,
        faces=split_faces,
        vertex_normals=normals,
        vertex_attributes=attributes,
        process=False,
        visual=trimesh.visual.TextureVisuals(material=material),
    )
    return mesh


def _origin(inputs: _Inputs) -> npt.NDArray[np.float64]:
    """Whole metres near the building's lowest corner: the node translation of the building."""
    if not inputs.meshes:
        return np.zeros(3)
    lows = np.array([mesh.vertices.min(axis=0) for mesh in inputs.meshes.values()])
    return np.floor(lows.min(axis=0))


def _build_glb(inputs: _Inputs) -> bytes:
    import trimesh

    origin = _origin(inputs)
    scene = trimesh.Scene()
    building_node = inputs.building_code
    storey_elevations = dict(inputs.storeys)
    scene.graph.update(
        frame_to=building_node,
        translation=_to_y_up(origin[None, :])[0],
        metadata={
            "twin": {
                "format": FORMAT_VERSION,
                "building_code": inputs.building_code,
                "origin_m": origin.tolist(),
                "up": "Y; site x → x, site y → -z, z → y",
                "storeys": [
                    {"storey_code": code, "elevation_m": elevation}
                    for code, elevation in inputs.storeys
                ],
            }
        },
    )
    groups = _groups(inputs)
    storeys_with_groups = sorted(
        {key[0] for key in groups}, key=lambda code: (storey_elevations.get(code, 0.0), code)
    )
    for storey_code in storeys_with_groups:
        scene.graph.update(
            frame_from=building_node,
            frame_to=storey_code,
            metadata={
                "storey_code": storey_code,
                "elevation_m": storey_elevations.get(storey_code),
            },
        )
    shapes: dict[tuple[str, str], str] = {}
    group_order = {name: position for position, name in enumerate(GROUPS)}
    ordered = sorted(
        groups.items(), key=lambda item: (item[0][0], group_order[item[0][1]], item[0][2])
    )
    for key, group in ordered:
        _add_group(scene, group, key, origin, shapes)
    return bytes(trimesh.exchange.gltf.export_glb(scene, include_normals=True))


def _add_group(
    scene: Any,
    group: _Group,
    key: tuple[str, str, str],
    origin: npt.NDArray[np.float64],
    shapes: dict[tuple[str, str], str],
) -> None:
    """One group: a node with the merged mesh, and one child node per room or element."""
    is_rooms = group.group == "rooms"
    node = f"{group.storey_code} {group.group}" + (
        f" {key[2]}" if group.group == "services" else ""
    )
    colour = (
        medium_colour(group.medium)
        if group.group == "services"
        else STRUCTURE_COLOURS.get(group.group, "#cccccc")
    )
    material = _material(group.medium or group.group, colour if not is_rooms else "#ffffff")
    index_name = "_ROOM_INDEX" if is_rooms else "_ELEMENT_INDEX"

    # Shapes repeated often enough in this group are drawn instanced, the rest merged.
    copies: dict[str, list[int]] = defaultdict(list)
    keys: list[tuple[str, npt.NDArray[np.float64]] | None] = []
    for position, owner in enumerate(group.owners):
        mesh = owner.mesh
        if is_rooms or mesh is None or len(mesh.faces) < INSTANCE_MIN_TRIANGLES:
            keys.append(None)
            continue
        shape_key = _shape_key(mesh)
        keys.append(shape_key)
        copies[shape_key[0]].append(position)
    instanced = {k for k, members in copies.items() if len(members) >= INSTANCE_MIN_COPIES}

    vertices: list[npt.NDArray[np.float64]] = []
    faces: list[npt.NDArray[np.int64]] = []
    indices: list[npt.NDArray[np.float32]] = []
    offset = 0
    for position, owner in enumerate(group.owners):
        shape = keys[position]
        if owner.mesh is None or owner.mesh.is_empty or (shape and shape[0] in instanced):
            continue
        vertices.append(_to_y_up(owner.mesh.vertices - origin))
        faces.append(owner.mesh.faces.astype(np.int64) + offset)
        indices.append(np.full(len(owner.mesh.vertices), position, dtype=np.float32))
        offset += len(owner.mesh.vertices)

    extras: dict[str, Any] = {
        "group": group.group,
        "storey_code": group.storey_code,
        "index_attribute": index_name,
        "count": len(group.owners),
    }
    if group.group == "services":
        extras.update({"system": group.system, "medium": group.medium})
    geometry_name = None
    if vertices:
        geometry_name = f"{node} merged"
        scene.geometry[geometry_name] = _trimesh(
            np.vstack(vertices), np.vstack(faces), np.concatenate(indices), index_name, material
        )
    scene.graph.update(
        frame_from=group.storey_code,
        frame_to=node,
        metadata=extras,
        **({"geometry": geometry_name} if geometry_name else {}),
    )

    for position, owner in enumerate(group.owners):
        shape = keys[position]
        child: dict[str, Any] = {"metadata": {"index": position}}
        if owner.label_point is not None:
            child["translation"] = _to_y_up(np.array([owner.label_point]) - origin)[0]
        if shape and shape[0] in instanced and owner.mesh is not None:
            # One mesh per shape and look: the same shape in another system is another colour.
            shape_name = shapes.get((shape[0], colour))
            if shape_name is None:
                shape_name = shapes[(shape[0], colour)] = f"shape {len(shapes)}"
                scene.geometry[shape_name] = _trimesh(
                    _to_y_up(owner.mesh.vertices - shape[1]),
                    owner.mesh.faces.astype(np.int64),
                    None,
                    index_name,
                    material,
                )
            child["geometry"] = shape_name
            child["translation"] = _to_y_up((shape[1] - origin)[None, :])[0]
        scene.graph.update(frame_from=node, frame_to=owner.owner_id, **child)
