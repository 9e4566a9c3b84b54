"""Off-screen PNG pictures of a building or one storey, rooms coloured by a colour mode.

The scene is read from the store with plain numpy (`snapshot_scene`): the rooms of
the shown storeys merged into one mesh per palette colour, rooms of the storeys
below faded, walls and slabs faint, storeys above hidden. `render_snapshot` then
draws it with pyvista off-screen through EGL (no X server) and Pillow adds the title
and a legend from the same palette as the web page (`viewer.palette`). pyvista and
Pillow are imported only inside the drawing functions, so `import viewer` stays
light. VTK is not safe across threads: a server renders through
`viewer.snapshot_service`, which owns one worker process.

>>> png = render_snapshot(engine, "WZ01-B01", "F02", "usage")  # doctest: +SKIP
>>> png[:8] == b"\\x89PNG\\r\\n\\x1a\\n"  # doctest: +SKIP
True
"""

from __future__ import annotations

import io
import itertools
import os
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import Engine, select

from models.errors import BadInput
from models.geometry import Mesh
from twin.campus import resolve_storey_code
from twin.rooms import list_rooms, resolve_building_code
from twin.store import schema as t

__all__ = [
    "FADED_ROOM_COLOUR",
    "SNAPSHOT_SIZE_PX",
    "STRUCTURE_KINDS",
    "RoomGroup",
    "SnapshotScene",
    "check_colour_mode",
    "draw_scene",
    "render_snapshot",
    "snapshot_scene",
]

SNAPSHOT_SIZE_PX = (1600, 1000)
"""Width and height of every snapshot, in pixels."""

STRUCTURE_KINDS = {"wall": "walls", "slab": "slabs"}
"""Element kinds drawn faint around the rooms, and their group in `palette.STRUCTURE_COLOURS`."""

FADED_ROOM_COLOUR = "#c8ccd2"
"""Rooms of the storeys below the shown one: grey, so only the shown storey carries colours."""
BACKGROUND_COLOUR = "#ffffff"
TEXT_COLOUR = "#1f2328"
MUTED_TEXT_COLOUR = "#59636e"
PANEL_COLOUR = "#f6f8fa"
PANEL_BORDER_COLOUR = "#d1d9e0"
EDGE_COLOUR = "#3c4148"

_FADED_OPACITY = 0.35
_STRUCTURE_OPACITY = 0.3
# Below this a wall's lowest point belongs to the storey under it: slabs and walls
# often start a few centimetres below their storey's elevation.
_STOREY_TOLERANCE_M = 0.3
# Render at this multiple of the picture's size and scale down: anti-aliasing by hand.
_SUPERSAMPLE = 2
# Share of the view left empty around the framed building, on its widest side.
_FRAME_MARGIN = 0.06
_LEGEND_MIN_ROW_PX = 18
# Debian's fonts-dejavu-core; Pillow's own scalable font when it is missing.
_FONT_FILES = ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",)


@dataclass(frozen=True)
class RoomGroup:
    """The shown rooms that share one palette colour, merged into one mesh (one draw call)."""

    colour: str
    room_codes: tuple[str, ...]
    mesh: Mesh


@dataclass(frozen=True)
class SnapshotScene:
    """What a snapshot shows, in coordinates relative to `origin_m` (site metres, z up).

    `legend` is `viewer.palette.legend(mode, shown_rooms)`: dicts with `key`,
    `label`, `colour`, `count`; `structure` maps a `STRUCTURE_KINDS` group (`walls`)
    to its merged mesh.
    """

    building_code: str
    storey_code: str | None
    colour_mode: str
    colour_mode_label: str
    origin_m: npt.NDArray[np.float64]
    room_groups: tuple[RoomGroup, ...]
    faded_rooms: Mesh | None
    structure: dict[str, Mesh]
    legend: tuple[dict[str, Any], ...]
    rooms_without_mesh: tuple[str, ...]


def _merge(meshes: list[Mesh]) -> Mesh | None:
    """One mesh from many: vertices stacked, face indices shifted."""
    meshes = [mesh for mesh in meshes if not mesh.is_empty]
    if not meshes:
        return None
    offsets = np.cumsum([0] + [len(mesh.vertices) for mesh in meshes[:-1]])
    vertices = np.vstack([mesh.vertices for mesh in meshes])
    faces = np.vstack(
        [
            mesh.faces.astype(np.uint32) + np.uint32(offset)
            for mesh, offset in zip(meshes, offsets, strict=True)
        ]
    )
    return Mesh(vertices, faces)


def _shifted(mesh: Mesh, origin: npt.NDArray[np.float64]) -> Mesh:
    # Site coordinates can be 10⁶ m; near the origin, GPU float32 keeps millimetres.
    return Mesh(mesh.vertices - origin, mesh.faces)


def _storeys(engine: Engine, building_code: str) -> list[tuple[str, float]]:
    """(storey_code, elevation_m) of a building, lowest first."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(t.storeys.c.storey_code, t.storeys.c.elevation_m)
            .where(t.storeys.c.building_code == building_code)
            .order_by(t.storeys.c.elevation_m)
        ).all()
    return [(row.storey_code, float(row.elevation_m)) for row in rows]


def check_colour_mode(colour: str) -> str:
    """`colour` when the palette knows it, else `BadInput` listing the modes."""
    from viewer.palette import COLOUR_MODES

    if colour not in COLOUR_MODES:
        raise BadInput(f"unknown colour mode {colour!r}; one of: {', '.join(COLOUR_MODES)}")
    return colour


def _storey_of_height(levels: list[tuple[str, float]], z_min_m: float) -> str | None:
    """The storey whose elevation is the highest at or below `z_min_m` (with tolerance)."""
    found = levels[0][0] if levels else None
    for code, elevation in levels:
        if elevation <= z_min_m + _STOREY_TOLERANCE_M:
            found = code
    return found


def snapshot_scene(
    engine: Engine, building_code: str, storey: str | None, colour: str
) -> SnapshotScene:
    """Gather what a snapshot shows; no drawing, no pyvista.

    `building_code` is `SITE-Bnn` or a bare `Bnn` (one site only); `storey` is
    `F02` or a full storey code, or None for the whole building; `colour` is one of
    `viewer.palette.COLOUR_MODES`. Raises `BadInput` (`UnknownBuilding`) for an
    unknown building, storey or colour mode.
    """
    from viewer.palette import COLOUR_MODES, colour_for, legend

    colour = check_colour_mode(colour)
    building = resolve_building_code(engine, building_code)
    storey_code = resolve_storey_code(engine, building, storey) if storey else None
    levels = _storeys(engine, building)
    rank = {code: index for index, (code, _) in enumerate(levels)}
    chosen_rank = rank[storey_code] if storey_code else None

    def role(level: str | None) -> str:
        """'shown', 'below' or 'hidden' for a thing on storey `level`."""
        if chosen_rank is None or level is None:
            return "shown"
        level_rank = rank.get(level, len(levels))
        if level_rank == chosen_rank:
            return "shown"
        return "below" if level_rank < chosen_rank else "hidden"

    rooms = list_rooms(engine, building=building)
    if COLOUR_MODES[colour].live:
        # Live modes colour by the latest values at the time of drawing.
        from layers.live import live_rooms

        live = live_rooms(engine, [room["room_code"] for room in rooms])
        rooms = [{**room, **live.get(room["room_code"], {})} for room in rooms]
    room_codes = {room["room_code"] for room in rooms}
    with engine.connect() as conn:
        room_rows = conn.execute(
            select(t.meshes.c.owner_id, t.meshes.c.vertices, t.meshes.c.faces).where(
                t.meshes.c.building_code == building
            )
        ).all()
        structure_rows = conn.execute(
            select(
                t.elements.c.kind,
                t.elements.c.storey_code,
                t.meshes.c.vertices,
                t.meshes.c.faces,
            )
            .join(t.meshes, t.meshes.c.owner_id == t.elements.c.element_id)
            .where(
                t.elements.c.building_code == building,
                t.elements.c.kind.in_(list(STRUCTURE_KINDS)),
            )
        ).all()
    room_meshes = {
        row.owner_id: Mesh.from_bytes(row.vertices, row.faces)
        for row in room_rows
        if row.owner_id in room_codes
    }

    shown_rooms: list[dict[str, Any]] = []
    by_colour: dict[str, list[str]] = defaultdict(list)
    faded: list[Mesh] = []
    for room in rooms:
        placement = role(room["storey_code"])
        if placement == "shown":
            shown_rooms.append(room)
            if room["room_code"] in room_meshes:
                by_colour[colour_for(colour, room)].append(room["room_code"])
        elif placement == "below" and room["room_code"] in room_meshes:
            faded.append(room_meshes[room["room_code"]])

    structure: dict[str, list[Mesh]] = defaultdict(list)
    for row in structure_rows:
        mesh = Mesh.from_bytes(row.vertices, row.faces)
        if mesh.is_empty:
            continue
        level = row.storey_code or _storey_of_height(levels, mesh.z_range_m[0])
        if role(level) != "hidden":
            structure[STRUCTURE_KINDS[row.kind]].append(mesh)

    groups = []
    for hex_colour, codes in sorted(by_colour.items()):
        merged = _merge([room_meshes[code] for code in codes])
        if merged is not None:
            groups.append(RoomGroup(hex_colour, tuple(codes), merged))
    merged_faded = _merge(faded)
    merged_structure = {
        group: merged for group, meshes in structure.items() if (merged := _merge(meshes))
    }
    framed = [g.mesh for g in groups] or [
        m for m in (merged_faded, *merged_structure.values()) if m is not None
    ]
    if not framed:
        where = f"storey {storey_code}" if storey_code else f"building {building}"
        raise BadInput(f"{where} has no room or wall geometry to draw; was it imported?")
    stacked = np.vstack([mesh.vertices for mesh in framed])
    origin = (stacked.min(axis=0) + stacked.max(axis=0)) / 2.0

    return SnapshotScene(
        building_code=building,
        storey_code=storey_code,
        colour_mode=colour,
        colour_mode_label=COLOUR_MODES[colour].label,
        origin_m=origin,
        room_groups=tuple(
            RoomGroup(g.colour, g.room_codes, _shifted(g.mesh, origin)) for g in groups
        ),
        faded_rooms=None if merged_faded is None else _shifted(merged_faded, origin),
        structure={group: _shifted(mesh, origin) for group, mesh in merged_structure.items()},
        legend=tuple(legend(colour, shown_rooms)),
        rooms_without_mesh=tuple(
            room["room_code"] for room in shown_rooms if room["room_code"] not in room_meshes
        ),
    )


def _import_pyvista() -> Any:
    """pyvista on an EGL (headless) render window, or an error naming what to install."""
    # VTK reads this when it creates a render window; EGL needs no X server.
    os.environ.setdefault("VTK_DEFAULT_OPENGL_WINDOW", "vtkEGLRenderWindow")
    try:
        import pyvista
    except ModuleNotFoundError as exc:
        raise ModuleNotFoundError(
            "snapshots need pyvista (pip install pyvista) and an EGL driver "
            "(apt-get install libegl1 libegl-mesa0)"
        ) from exc
    return pyvista


def render_snapshot(
    engine: Engine,
    building_code: str,
    storey: str | None,
    colour: str,
    size_px: tuple[int, int] = SNAPSHOT_SIZE_PX,
) -> bytes:
    """A PNG of the building, or of one storey with the storeys above hidden.

    Rooms are coloured by `colour` (a `viewer.palette.COLOUR_MODES` mode) with a
    legend; walls and slabs are faint; rooms of lower storeys faded. The picture is
    `size_px` (width, height) pixels. Raises `BadInput` for an unknown building,
    storey or colour mode, before pyvista is loaded.
    """
    scene = snapshot_scene(engine, building_code, storey, colour)
    return draw_scene(scene, size_px)


def draw_scene(scene: SnapshotScene, size_px: tuple[int, int] = SNAPSHOT_SIZE_PX) -> bytes:
    """Draw `scene` off-screen: the 3D view at the left, the legend panel at the right; PNG."""
    from PIL import Image

    width, height = size_px
    panel_width = max(240, width // 5)
    view = _render_view(scene, (width - panel_width, height))
    canvas = Image.new("RGB", (width, height), BACKGROUND_COLOUR)
    canvas.paste(Image.fromarray(view), (0, 0))
    _draw_legend(canvas, scene, panel_width)
    stream = io.BytesIO()
    canvas.save(stream, format="PNG", optimize=False)
    return stream.getvalue()


def _poly_data(pv: Any, mesh: Mesh) -> Any:
    faces = np.hstack([np.full((len(mesh.faces), 1), 3, dtype=np.int64), mesh.faces]).ravel()
    return pv.PolyData(np.ascontiguousarray(mesh.vertices), faces)


def _render_view(scene: SnapshotScene, size_px: tuple[int, int]) -> npt.NDArray[np.uint8]:
    """The 3D view as an `(height, width, 3) uint8` image, rendered off-screen by pyvista.

    Two passes with one camera: the faint context (walls, slabs, lower storeys), then
    the rooms alone on a transparent background, laid over it. So a translucent wall
    never tints a room: rooms show the palette's exact colours, and the context shows
    only where no room is. Both passes render at `_SUPERSAMPLE` times the size and are
    scaled down, which smooths edges.
    """
    from PIL import Image

    from viewer.palette import STRUCTURE_COLOURS

    pv = _import_pyvista()
    width, height = size_px
    plotter = pv.Plotter(off_screen=True, window_size=[width * _SUPERSAMPLE, height * _SUPERSAMPLE])
    try:
        plotter.set_background(BACKGROUND_COLOUR)
        # No depth peeling: on Mesa's llvmpipe it costs over a second per pass, and with
        # multisampling on it drops translucent geometry altogether. Faint walls of one
        # colour look the same blended in draw order. Supersampling replaces MSAA.
        plotter.ren_win.SetMultiSamples(0)
        context = [
            plotter.add_mesh(
                _poly_data(pv, mesh),
                color=STRUCTURE_COLOURS[group],
                opacity=_STRUCTURE_OPACITY,
                lighting=False,
            )
            for group, mesh in scene.structure.items()
        ]
        if scene.faded_rooms is not None:
            context.append(
                plotter.add_mesh(
                    _poly_data(pv, scene.faded_rooms),
                    color=FADED_ROOM_COLOUR,
                    opacity=_FADED_OPACITY,
                    lighting=False,
                )
            )
        rooms = []
        for group in scene.room_groups:
            mesh = _poly_data(pv, group.mesh)
            # Unlit: the picture shows the palette's exact colours, the same as the legend
            # swatches; the outlines carry the shape instead of shading.
            rooms.append(plotter.add_mesh(mesh, color=group.colour, lighting=False))
            outline = mesh.extract_feature_edges(
                feature_angle=30, boundary_edges=True, non_manifold_edges=False
            )
            if outline.n_points:
                lines = plotter.add_mesh(
                    outline, color=EDGE_COLOUR, line_width=_SUPERSAMPLE, lighting=False
                )
                # Outlines lie on the room faces: pull them forward, or they come out dashed.
                lines.mapper.SetResolveCoincidentTopologyToPolygonOffset()
                lines.mapper.SetRelativeCoincidentTopologyLineOffsetParameters(-1.0, -8.0)
                rooms.append(lines)
        _frame(plotter)
        # pyvista's screenshot reuses the last frame: render explicitly after each change.
        for actor in rooms:
            actor.SetVisibility(False)
        plotter.render()
        background = plotter.screenshot(return_img=True)[:, :, :3].astype(np.float32)
        for actor in context:
            actor.SetVisibility(False)
        for actor in rooms:
            actor.SetVisibility(True)
        plotter.render()
        foreground = plotter.screenshot(transparent_background=True, return_img=True)
    finally:
        plotter.close()
    alpha = foreground[:, :, 3:4].astype(np.float32) / 255.0
    composite = foreground[:, :, :3].astype(np.float32) * alpha + background * (1.0 - alpha)
    image = Image.fromarray(np.clip(np.rint(composite), 0, 255).astype(np.uint8))
    return np.asarray(image.resize((width, height), Image.Resampling.BOX), dtype=np.uint8)


def _frame(plotter: Any) -> None:
    """An isometric parallel view, zoomed so the drawn geometry just fits with a margin."""
    plotter.enable_parallel_projection()
    plotter.view_isometric()
    plotter.reset_camera()
    renderer = plotter.renderer
    x0, x1, y0, y1, z0, z1 = renderer.ComputeVisiblePropBounds()
    extent = 0.0
    for corner in itertools.product((x0, x1), (y0, y1), (z0, z1)):
        renderer.SetWorldPoint(*corner, 1.0)
        renderer.WorldToView()
        view_x, view_y, _ = renderer.GetViewPoint()
        extent = max(extent, abs(view_x), abs(view_y))
    if extent > 0:
        plotter.camera.parallel_scale *= extent / (1.0 - _FRAME_MARGIN)


def _font(size_px: int) -> Any:
    from PIL import ImageFont

    for path in _FONT_FILES:
        if os.path.exists(path):
            return ImageFont.truetype(path, size_px)
    return ImageFont.load_default(size=size_px)


def _fitted(text: str, font: Any, width_px: float) -> str:
    """`text`, cut with an ellipsis to fit `width_px` in `font`."""
    if font.getlength(text) <= width_px:
        return text
    while text and font.getlength(text + "…") > width_px:
        text = text[:-1]
    return text + "…"


def _draw_legend(canvas: Any, scene: SnapshotScene, panel_width: int) -> None:
    """Title at the top left; at the right one swatch, label and room count per legend entry.

    Rows shrink to fit up to `_LEGEND_MAX_ROWS`; beyond that the last row says how
    many entries (and rooms) are left out.
    """
    from PIL import ImageDraw

    width, height = canvas.size
    draw = ImageDraw.Draw(canvas)
    margin = 24
    where = scene.storey_code or scene.building_code
    shown = "storeys above hidden" if scene.storey_code else "whole building"
    draw.text((margin, margin), where, fill=TEXT_COLOUR, font=_font(30))
    draw.text((margin, margin + 40), shown, fill=MUTED_TEXT_COLOUR, font=_font(18))

    left = width - panel_width
    draw.rectangle((left, 0, width, height), fill=PANEL_COLOUR)
    draw.line((left, 0, left, height), fill=PANEL_BORDER_COLOUR, width=1)
    title_font = _font(24)
    draw.text(
        (left + margin, margin),
        _fitted(scene.colour_mode_label, title_font, panel_width - 2 * margin),
        fill=TEXT_COLOUR,
        font=title_font,
    )
    entries = [entry for entry in scene.legend if entry.get("count", 0)] or list(scene.legend)
    top = margin + 52
    fitting = max(1, (height - top - margin) // _LEGEND_MIN_ROW_PX)
    rows: list[tuple[str | None, str, str]] = [
        (str(entry["colour"]), str(entry["label"]), str(entry.get("count", "")))
        for entry in entries
    ]
    if len(rows) > fitting:
        left_out = entries[fitting - 1 :]
        rooms_left_out = sum(int(entry.get("count", 0)) for entry in left_out)
        rows = [*rows[: fitting - 1], (None, f"… {len(left_out)} more", str(rooms_left_out))]
    row_height = min(40, max(_LEGEND_MIN_ROW_PX, (height - top - margin) // max(1, len(rows))))
    font = _font(max(11, int(row_height * 0.5)))
    swatch = int(row_height * 0.6)
    for index, (colour, label, count) in enumerate(rows):
        y = top + index * row_height
        text_y = y + swatch // 2
        if colour is not None:
            draw.rectangle(
                (left + margin, y, left + margin + swatch, y + swatch),
                fill=colour,
                outline=EDGE_COLOUR,
            )
        count_width = font.getlength(count)
        label_left = left + margin + swatch + 12
        draw.text(
            (label_left, text_y),
            _fitted(label, font, width - margin - count_width - 12 - label_left),
            fill=TEXT_COLOUR,
            font=font,
            anchor="lm",
        )
        draw.text((width - margin, text_y), count, fill=MUTED_TEXT_COLOUR, font=font, anchor="rm")
