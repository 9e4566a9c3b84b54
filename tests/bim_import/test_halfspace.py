"""Meshes minus half-space solids, by hand and against the kernel on the real files."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from pathlib import Path

import ifcopenshell
import ifcopenshell.util.unit
import numpy as np
import pytest
import shapely

from bim_import.bodies import item_mesh
from bim_import.extrusions import prism_mesh as _prism_mesh
from bim_import.geometry import tessellate
from bim_import.halfspace import clip_mesh, subtract_half_space
from bim_import.meshes import mesh_volume_m3
from bim_import.structure import ModelIndex
from models.geometry import Mesh

BOOLEAN_FILES = (
    "Office_A_20110811.ifc",
    "AC20-FZK-Haus.ifc",
    "AC90R1-niedriha-V2-2x3.ifc",
    "duplex.ifc",
)
UP = (0.0, 0.0, 1.0)


def prism_mesh(outline: np.ndarray, extrusion: np.ndarray) -> Mesh:
    """`bim_import.extrusions.prism_mesh` of a valid outline (never None here)."""
    mesh = _prism_mesh(outline, extrusion)
    assert mesh is not None
    return mesh


def _box(x: float = 2.0, y: float = 1.0, z: float = 3.0) -> Mesh:
    """The box [0, x] × [0, y] × [0, z]."""
    outline = np.array([[0, 0], [x, 0], [x, y], [0, y]], dtype=float)
    return prism_mesh(outline, np.array([0.0, 0.0, z]))


def _is_closed(mesh: Mesh) -> bool:
    """Every edge is used once in each direction: closed and consistently oriented."""
    faces = mesh.faces.astype(np.int64)
    edges = np.concatenate([faces[:, [0, 1]], faces[:, [1, 2]], faces[:, [2, 0]]])
    forward = edges[:, 0] * len(mesh.vertices) + edges[:, 1]
    backward = edges[:, 1] * len(mesh.vertices) + edges[:, 0]
    return bool(len(np.unique(forward)) == len(forward) and np.isin(forward, backward).all())


def _is_watertight(mesh: Mesh) -> bool:
    """Each edge used as often one way as the other: closed, though parts may touch
    along an edge (a cut through a reflex edge of an L leaves two such parts)."""
    faces = mesh.faces.astype(np.int64)
    edges = np.concatenate([faces[:, [0, 1]], faces[:, [1, 2]], faces[:, [2, 0]]])
    ways = [
        np.unique(pairs[:, 0] * len(mesh.vertices) + pairs[:, 1], return_counts=True)
        for pairs in (edges, edges[:, ::-1])
    ]
    return all(np.array_equal(one, other) for one, other in zip(ways[0], ways[1], strict=True))


def _signed_volume(mesh: Mesh) -> float:
    corners = mesh.vertices[mesh.faces]
    return (
        float(np.einsum("ij,ij->i", corners[:, 0], np.cross(corners[:, 1], corners[:, 2])).sum())
        / 6
    )


def _bounds(mesh: Mesh) -> np.ndarray:
    return np.array([mesh.vertices.min(axis=0), mesh.vertices.max(axis=0)])


class _Operands:
    """Half-space solids written with ifcopenshell into an in-memory IFC4 file."""

    def __init__(self) -> None:
        self.file = ifcopenshell.file(schema="IFC4")

    def placement(
        self,
        origin: Sequence[float],
        axis: Sequence[float] = UP,
        ref: Sequence[float] | None = None,
    ) -> ifcopenshell.entity_instance:
        return self.file.createIfcAxis2Placement3D(
            self.file.createIfcCartesianPoint([float(v) for v in origin]),
            self.file.createIfcDirection([float(v) for v in axis]),
            None if ref is None else self.file.createIfcDirection([float(v) for v in ref]),
        )

    def plane(
        self, origin: Sequence[float], normal: Sequence[float]
    ) -> ifcopenshell.entity_instance:
        return self.file.createIfcPlane(self.placement(origin, normal))

    def half_space(
        self, origin: Sequence[float], normal: Sequence[float], agreement: bool
    ) -> ifcopenshell.entity_instance:
        return self.file.createIfcHalfSpaceSolid(self.plane(origin, normal), agreement)

    def bounded(
        self,
        origin: Sequence[float],
        normal: Sequence[float],
        agreement: bool,
        boundary: Sequence[tuple[float, float]],
        position: ifcopenshell.entity_instance | None = None,
    ) -> ifcopenshell.entity_instance:
        points = [self.file.createIfcCartesianPoint(list(p)) for p in boundary]
        return self.file.createIfcPolygonalBoundedHalfSpace(
            self.plane(origin, normal),
            agreement,
            position or self.placement((0, 0, 0)),
            self.file.createIfcPolyline([*points, points[0]]),
        )


@pytest.fixture
def operands() -> _Operands:
    return _Operands()


def test_a_box_cut_by_a_level_plane_is_closed_with_the_volume_below(operands: _Operands) -> None:
    # AgreementFlag FALSE: the normal (up) points into the solid, so the top is removed
    result = subtract_half_space(_box(), operands.half_space((0, 0, 1), UP, False))
    assert result is not None
    assert _is_closed(result)
    assert _signed_volume(result) == pytest.approx(2.0)  # positive: faces point out
    np.testing.assert_allclose(_bounds(result), [[0, 0, 0], [2, 1, 1]], atol=1e-12)


def test_agreement_flag_true_removes_the_side_behind_the_normal(operands: _Operands) -> None:
    result = subtract_half_space(_box(), operands.half_space((0, 0, 1), UP, True))
    assert result is not None
    assert _is_closed(result)
    assert _signed_volume(result) == pytest.approx(4.0)
    np.testing.assert_allclose(_bounds(result), [[0, 0, 1], [2, 1, 3]], atol=1e-12)


def test_a_slanted_plane_cuts_a_gable(operands: _Operands) -> None:
    # remove x + z > 2 from [0, 2] x [0, 1] x [0, 3]: a wedge of volume 2 is left
    result = subtract_half_space(_box(), operands.half_space((0, 0, 2), (1, 0, 1), False))
    assert result is not None
    assert _is_closed(result)
    assert _signed_volume(result) == pytest.approx(2.0)
    np.testing.assert_allclose(_bounds(result), [[0, 0, 0], [2, 1, 2]], atol=1e-12)


def test_a_boxed_half_space_is_cut_as_a_half_space(operands: _Operands) -> None:
    # the Enclosure only bounds the computation: the cut runs past it
    enclosure = operands.file.createIfcBoundingBox(
        operands.file.createIfcCartesianPoint([0.0, 0.0, 0.0]), 0.5, 0.5, 0.5
    )
    plane = operands.plane((0, 0, 1), UP)
    result = subtract_half_space(
        _box(), operands.file.createIfcBoxedHalfSpace(plane, False, enclosure)
    )
    assert result is not None and _is_closed(result)
    assert _signed_volume(result) == pytest.approx(2.0)


def test_a_mesh_with_a_vertex_per_corner_of_every_face_is_welded(operands: _Operands) -> None:
    box = _box()
    loose = Mesh(
        box.vertices[box.faces].reshape(-1, 3),
        np.arange(3 * len(box.faces), dtype=np.uint32).reshape(-1, 3),
    )
    result = subtract_half_space(loose, operands.half_space((0, 0, 2), (1, 0, 1), False))
    assert result is not None and _is_closed(result)
    assert _signed_volume(result) == pytest.approx(2.0)


def test_an_open_body_is_cut_and_capped_where_the_cut_closes(operands: _Operands) -> None:
    box = _box()
    top = np.isclose(box.vertices[box.faces][:, :, 2], 3.0).all(axis=1)
    open_box = Mesh(box.vertices, box.faces[~top])  # a box without a lid
    below = subtract_half_space(open_box, operands.half_space((0, 0, 1), UP, False))
    assert below is not None and _is_closed(below)  # the cap is the lid now
    above = subtract_half_space(open_box, operands.half_space((0, 0, 1), UP, True))
    assert above is not None and not _is_closed(above)  # open at the top, as it came
    corners = above.vertices[above.faces]
    floor = corners[np.isclose(corners[:, :, 2], 1.0).all(axis=1)]
    normals = np.cross(floor[:, 1] - floor[:, 0], floor[:, 2] - floor[:, 0])
    assert normals[:, 2].sum() / 2 == pytest.approx(-2.0)  # a 2 x 1 cap facing down


def test_a_plane_clear_of_the_box_leaves_it_whole_or_takes_it_all(operands: _Operands) -> None:
    above = subtract_half_space(_box(), operands.half_space((0, 0, 5), UP, False))
    assert above is not None and _signed_volume(above) == pytest.approx(6.0)
    np.testing.assert_allclose(_bounds(above), _bounds(_box()))
    everything = subtract_half_space(_box(), operands.half_space((0, 0, 5), UP, True))
    assert everything is not None and everything.is_empty


def test_a_plane_on_a_face_of_the_box(operands: _Operands) -> None:
    kept = subtract_half_space(_box(), operands.half_space((0, 0, 3), UP, False))
    assert kept is not None and _is_closed(kept) and _signed_volume(kept) == pytest.approx(6.0)
    gone = subtract_half_space(_box(), operands.half_space((0, 0, 3), UP, True))
    assert gone is not None and gone.is_empty


def test_a_concave_body_cut_through_its_notch_falls_in_two() -> None:
    # a U in plan (3 x 2, a 1 x 1 notch), 2 tall; keeping y >= 1.5 leaves its two prongs
    outline = np.array(
        [[0, 0], [3, 0], [3, 2], [2, 2], [2, 1], [1, 1], [1, 2], [0, 2]], dtype=float
    )
    u_shape = prism_mesh(outline, np.array([0.0, 0.0, 2.0]))
    result = clip_mesh(u_shape, np.array([0, 1.5, 0]), np.array([0.0, -1.0, 0.0]))
    assert _is_closed(result)
    assert _signed_volume(result) == pytest.approx(2 * 1.0 * 0.5 * 2.0)
    np.testing.assert_allclose(_bounds(result), [[0.0, 1.5, 0.0], [3.0, 2.0, 2.0]], atol=1e-12)


def _square_ring(height: float) -> Mesh:
    """A 4 x 4 square with a 2 x 2 square hole in plan, `height` tall, faces outwards."""
    outer = np.array([[0, 0], [4, 0], [4, 4], [0, 4]], dtype=float)
    inner = outer / 2 + 1
    flat = np.vstack([outer, inner])
    vertices = np.vstack(
        [np.column_stack([flat, np.zeros(8)]), np.column_stack([flat, np.full(8, height)])]
    )
    faces = []
    for k in range(4):
        o, o_next, i, i_next = k, (k + 1) % 4, 4 + k, 4 + (k + 1) % 4
        faces += [[o + 8, o_next + 8, i_next + 8], [o + 8, i_next + 8, i + 8]]  # top
        faces += [[o, i_next, o_next], [o, i, i_next]]  # bottom
        faces += [[o, o_next, o_next + 8], [o, o_next + 8, o + 8]]  # outer side
        faces += [[i, i_next + 8, i_next], [i, i + 8, i_next + 8]]  # inner side
    return Mesh(vertices, np.array(faces, dtype=np.uint32))


def test_a_body_with_a_hole_is_capped_around_the_hole() -> None:
    ring = _square_ring(2.0)
    assert _is_closed(ring) and _signed_volume(ring) == pytest.approx(24.0)
    result = clip_mesh(ring, np.array([0, 0, 0.5]), np.array(UP))
    assert _is_closed(result)
    assert _signed_volume(result) == pytest.approx(12.0 * 0.5)
    corners = result.vertices[result.faces]
    cap = corners[np.isclose(corners[:, :, 2], 0.5).all(axis=1)]
    areas = np.linalg.norm(np.cross(cap[:, 1] - cap[:, 0], cap[:, 2] - cap[:, 0]), axis=1) / 2
    assert areas.sum() == pytest.approx(16.0 - 4.0)  # the ring between the squares


def _square(x0: float, y0: float, x1: float, y1: float) -> list[tuple[float, float]]:
    return [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]


def test_a_polygonal_bound_covering_the_whole_cut_is_a_plane_cut(operands: _Operands) -> None:
    operand = operands.bounded((0, 0, 2), UP, False, _square(-1, -1, 3, 2))
    result = subtract_half_space(_box(), operand)
    assert result is not None and _is_closed(result)
    assert _signed_volume(result) == pytest.approx(4.0)


def test_a_polygonal_bound_clear_of_the_box_leaves_it_unchanged(operands: _Operands) -> None:
    operand = operands.bounded((0, 0, 2), UP, False, _square(5, 0, 6, 1))
    result = subtract_half_space(_box(), operand)
    assert result is not None and _is_closed(result)
    assert _signed_volume(result) == pytest.approx(6.0)


def test_a_polygonal_bound_over_part_of_the_box_cuts_a_step(operands: _Operands) -> None:
    # removes x > 1, z > 2: a 1 x 1 x 1 block off the top corner
    operand = operands.bounded((0, 0, 2), UP, False, _square(1, -1, 3, 2))
    result = subtract_half_space(_box(), operand)
    assert result is not None and _is_closed(result)
    assert _signed_volume(result) == pytest.approx(5.0)
    np.testing.assert_allclose(_bounds(result), _bounds(_box()), atol=1e-12)


def test_a_polygonal_bound_with_a_corner_inside_the_body(operands: _Operands) -> None:
    # [0, 2]^2 x [0, 3] minus x > 1, y > 1, z > 2: the corner (1, 1, 2) is inside the box
    operand = operands.bounded((0, 0, 2), UP, False, _square(1, 1, 3, 3))
    result = subtract_half_space(_box(2, 2, 3), operand)
    assert result is not None and _is_closed(result)
    assert _signed_volume(result) == pytest.approx(12.0 - 1.0)


def test_a_polygonal_bound_inside_the_top_cuts_a_pocket(operands: _Operands) -> None:
    # no vertex of the box is inside the boundary, yet it takes a 1 x 0.5 x 1 pocket
    operand = operands.bounded((0, 0, 2), UP, False, _square(0.5, 0.25, 1.5, 0.75))
    result = subtract_half_space(_box(), operand)
    assert result is not None and _is_closed(result)
    assert _signed_volume(result) == pytest.approx(6.0 - 0.5)


def test_a_concave_polygonal_bound_over_part_of_the_box(operands: _Operands) -> None:
    # an L over the box's right end and its front: removes z > 2 where x > 1 or y < 0.5
    boundary = [(-1, -1), (3, -1), (3, 2), (1, 2), (1, 0.5), (-1, 0.5)]
    result = subtract_half_space(_box(), operands.bounded((0, 0, 2), UP, False, boundary))
    assert result is not None and _is_closed(result)
    assert _signed_volume(result) == pytest.approx(6.0 - (1.0 + 0.5))


def test_a_polygonal_bound_in_its_own_frame(operands: _Operands) -> None:
    # the boundary's frame is turned a quarter round z and moved: local x is world y
    frame = operands.placement((0.0, 0.5, 0.0), UP, (0, 1, 0))
    operand = operands.bounded((0, 0, 2), UP, False, _square(-1, -3, 1, -1), frame)
    # local x in [-1, 1] -> world y in [-0.5, 1.5]; local y in [-3, -1] -> world x in [1, 3]
    result = subtract_half_space(_box(), operand)
    assert result is not None
    assert _signed_volume(result) == pytest.approx(5.0)


def test_an_indexed_poly_curve_bound_with_agreement_true(operands: _Operands) -> None:
    # AgreementFlag TRUE with the normal down: the solid is above z = 2 again
    ifc = operands.file
    curve = ifc.createIfcIndexedPolyCurve(
        ifc.createIfcCartesianPointList2D(
            [[1.0, -1.0], [3.0, -1.0], [3.0, 2.0], [1.0, 2.0], [1.0, -1.0]]
        )
    )
    operand = ifc.createIfcPolygonalBoundedHalfSpace(
        operands.plane((0, 0, 2), (0, 0, -1)), True, operands.placement((0, 0, 0)), curve
    )
    result = subtract_half_space(_box(), operand)
    assert result is not None and _is_closed(result)
    assert _signed_volume(result) == pytest.approx(5.0)


def test_unsupported_operands_give_none(operands: _Operands) -> None:
    box = _box()
    block = operands.file.createIfcBlock(operands.placement((0, 0, 0)), 1.0, 1.0, 1.0)
    assert subtract_half_space(box, block) is None
    cylinder = operands.file.createIfcCylindricalSurface(operands.placement((0, 0, 0)), 1.0)
    assert subtract_half_space(box, operands.file.createIfcHalfSpaceSolid(cylinder, False)) is None
    # a prism along x, parallel to the plane, over part of the box (its plan is y, z)
    sideways = operands.bounded(
        (0, 0, 2), UP, False, _square(0.5, -1, 3, 2.5), operands.placement((0, 0, 0), (1, 0, 0))
    )
    assert subtract_half_space(box, sideways) is None


def _body_mesh(item: ifcopenshell.entity_instance) -> Mesh | None:
    """A boolean's mesh built with numpy, recursively (file units, the item's coordinates)."""
    if item.is_a("IfcBooleanResult"):
        first = _body_mesh(item.FirstOperand)
        return None if first is None else subtract_half_space(first, item.SecondOperand)
    if item.is_a("IfcExtrudedAreaSolid"):
        return item_mesh(item)
    return None


def _clipped_products(
    model: ifcopenshell.file,
) -> list[tuple[ifcopenshell.entity_instance, ifcopenshell.entity_instance]]:
    """(product, boolean) for every product whose body is one IfcBooleanClippingResult."""
    found = []
    for representation in model.by_type("IfcShapeRepresentation"):
        items = representation.Items
        if len(items) != 1 or not items[0].is_a("IfcBooleanClippingResult"):
            continue
        for definition in representation.OfProductRepresentation:
            found += [(product, items[0]) for product in definition.ShapeOfProduct]
    return found


@pytest.mark.parametrize("name", BOOLEAN_FILES)
def test_clipped_bodies_equal_the_kernels_meshes(name: str, shared_ifc: Path) -> None:
    model = ifcopenshell.open(str(shared_ifc / name))
    index = ModelIndex(model)
    scale = ifcopenshell.util.unit.calculate_unit_scale(model)
    clipped = _clipped_products(model)
    assert clipped, f"{name} has no clipped bodies"
    kernel = tessellate(model, [product for product, _ in clipped]).meshes
    for product, boolean in clipped:
        label = f"{name} {product.is_a()} #{product.id()}"
        local = _body_mesh(boolean)
        assert local is not None, label
        world = index.world_matrix(product.ObjectPlacement)
        ours = Mesh((local.vertices @ world[:3, :3].T + world[:3, 3]) * scale, local.faces)
        theirs = kernel[product.id()]
        assert _is_closed(ours), label
        assert mesh_volume_m3(ours) == pytest.approx(mesh_volume_m3(theirs), rel=0.01), label
        np.testing.assert_allclose(_bounds(ours), _bounds(theirs), atol=1e-3, err_msg=label)


def _removed_volume(
    mesh: Mesh, operand: ifcopenshell.entity_instance, boundary: Sequence[tuple[float, float]]
) -> float:
    """The volume of mesh ∩ C, C cut into convex prisms over triangles of the boundary,
    each taken with plane cuts alone (`clip_mesh`, checked by hand above)."""
    plane = operand.BaseSurface.Position
    point = np.array(plane.Location.Coordinates)
    normal = np.array(plane.Axis.DirectionRatios) * (-1 if operand.AgreementFlag else 1)
    triangles = shapely.get_parts(shapely.constrained_delaunay_triangles(shapely.Polygon(boundary)))
    removed = 0.0
    for triangle in triangles:
        part = clip_mesh(mesh, point, -normal)
        ring = np.asarray(shapely.orient_polygons(triangle).exterior.coords)
        for start, end in itertools.pairwise(ring):  # the boundary's frame is the world's
            outward = np.array([end[1] - start[1], start[0] - end[0], 0.0])
            part = clip_mesh(part, np.array([*start, 0.0]), outward)
        removed += mesh_volume_m3(part)
    return removed


def _random_star(rng: np.random.Generator) -> list[tuple[float, float]]:
    """A polygon round the origin, convex or not (it may cross itself: check)."""
    corners = rng.integers(4, 8)
    angles = np.sort(rng.uniform(0, 2 * np.pi, corners))
    radii = rng.uniform(0.3, 2.5, (corners, 1))
    return [
        (float(x), float(y)) for x, y in np.column_stack([np.cos(angles), np.sin(angles)]) * radii
    ]


@pytest.mark.parametrize("seed", range(30))
def test_random_bounded_cuts_are_closed_and_remove_what_the_plane_cuts_do(
    seed: int, operands: _Operands
) -> None:
    rng = np.random.default_rng(seed)
    hull = shapely.MultiPoint(rng.normal(size=(8, 2))).convex_hull
    outline = np.asarray(hull.exterior.coords)[:-1]
    mesh = prism_mesh(outline, np.array([*rng.normal(size=2) * 0.3, rng.uniform(0.5, 3)]))
    boundary, normal = _random_star(rng), rng.normal(size=3)
    while not shapely.Polygon(boundary).is_valid or abs(normal[2]) < 0.05:
        boundary, normal = _random_star(rng), rng.normal(size=3)  # a plane along the prism
    origin = (rng.normal(size=3) * 0.5 + [0, 0, 1]).tolist()
    operand = operands.bounded(origin, normal.tolist(), bool(seed % 2), boundary)
    result = subtract_half_space(mesh, operand)
    assert result is not None and _is_closed(result)
    expected = mesh_volume_m3(mesh) - _removed_volume(mesh, operand, boundary)
    assert mesh_volume_m3(result) == pytest.approx(expected, rel=1e-9, abs=1e-9)


@pytest.mark.parametrize(
    ("body", "boundary", "normal", "origin", "height"),
    [
        # sides of the bound along faces of the body, cut by slanted planes: where the
        # bound's side and the section's outline are one line a rounding error apart
        (
            [(1, -3), (-2, -3), (-2, 3), (3, 3), (3, 2), (1, 2)],
            _square(-2, -1, 1, 3),
            (-1, -1, 1),
            (1, 0, 2),
            3.0,
        ),
        ([(2, -2), (2, 2), (-2, 2), (-2, -2)], _square(-3, 0, 2, 3), (-1, -1, 1), (2, -2, -2), 1.0),
        (
            [(-1, 3), (0, 3), (0, 0), (3, 0), (3, -3), (-3, -3), (-3, 0), (-1, 0)],
            _square(-3, -2, 0, 3),
            (1, -1, -1),
            (0, 1, -1),
            3.0,
        ),
        (
            [(3, 2), (3, -3), (-2, -3), (-2, -2), (-3, -2), (-3, -1), (-2, -1), (-2, 2)],
            [(1, -2), (1, 2), (-1, 2), (-1, -2)],
            (-1, -1, 1),
            (-2, 1, -1),
            3.0,
        ),
    ],
)
def test_bounds_whose_sides_run_along_the_bodys_faces(
    body: list[tuple[float, float]],
    boundary: list[tuple[float, float]],
    normal: tuple[float, float, float],
    origin: tuple[float, float, float],
    height: float,
    operands: _Operands,
) -> None:
    mesh = prism_mesh(np.array(body, dtype=float), np.array([0.0, 0.0, height]))
    operand = operands.bounded(origin, normal, False, boundary)
    result = subtract_half_space(mesh, operand)
    assert result is not None and _is_closed(result)
    expected = mesh_volume_m3(mesh) - _removed_volume(mesh, operand, boundary)
    assert mesh_volume_m3(result) == pytest.approx(expected, rel=1e-9)


def _grid_span(rng: np.random.Generator) -> tuple[float, float]:
    low, high = np.sort(rng.choice(7, 2, replace=False)) - 3
    return float(low), float(high)


def _grid_polygon(rng: np.random.Generator) -> list[tuple[float, float]]:
    """One or two overlapping boxes with corners on the integer grid, as one outline."""
    while True:
        shapes = []
        for _ in range(2):
            (x_low, x_high), (y_low, y_high) = _grid_span(rng), _grid_span(rng)
            shapes.append(shapely.box(x_low, y_low, x_high, y_high))
        outline = shapely.union(shapes[0], shapes[1]) if rng.random() < 0.6 else shapes[0]
        if isinstance(outline, shapely.Polygon) and outline.area > 0 and not outline.interiors:
            coordinates = np.asarray(shapely.simplify(outline, 0).exterior.coords)[:-1]
            return [(float(x), float(y)) for x, y in coordinates]


@pytest.mark.parametrize("seed", range(200))
def test_bounds_on_a_grid_where_planes_meet_vertices_and_faces(
    seed: int, operands: _Operands
) -> None:
    # integer corners and planes through grid points: faces on the bound's sides,
    # vertices on the plane, edges along it, as in the files' wall-end clips
    rng = np.random.default_rng(seed)
    mesh = prism_mesh(np.array(_grid_polygon(rng)), np.array([0.0, 0.0, rng.integers(1, 4)]))
    normal = rng.choice([-1.0, 0.0, 1.0], 3)
    normal[2] = rng.choice([-1.0, 1.0])  # never along the prism
    boundary = _grid_polygon(rng)
    operand = operands.bounded(rng.integers(-2, 3, 3).tolist(), normal.tolist(), False, boundary)
    result = subtract_half_space(mesh, operand)
    assert result is not None and _is_watertight(result)
    expected = mesh_volume_m3(mesh) - _removed_volume(mesh, operand, boundary)
    assert mesh_volume_m3(result) == pytest.approx(expected, rel=1e-9, abs=1e-9)
