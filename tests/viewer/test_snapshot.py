"""Snapshots of a real store (duplex.ifc): what a facility manager sees in the PNG.

The duplex has pantries only on F01 and storage rooms only on F02, so a storey's
picture can be checked for the colours it must and must not show. The service
tests count the pictures the worker actually draws.
"""

from __future__ import annotations

import asyncio
import io
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
from PIL import Image
from sqlalchemy import Engine

from models.errors import BadInput, UnknownBuilding
from tests.conftest import PROJECT_ROOT, SHARED_IFC
from twin.importer import import_models
from twin.rooms import list_rooms, set_room
from twin.store import data_version, open_store
from viewer.palette import colour_for
from viewer.snapshot import SNAPSHOT_SIZE_PX, render_snapshot, snapshot_scene
from viewer.snapshot_service import SnapshotService

BUILDING = "DX01-B01"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _import_duplex(db: Path) -> Engine:
    duplex = SHARED_IFC / "duplex.ifc"
    if not duplex.exists():
        pytest.skip(f"real IFC files not found at {SHARED_IFC} (../shared/ifc beside the project)")
    engine = open_store(str(db))
    import_models(engine, [duplex], site_code="DX01")
    return engine


@pytest.fixture(scope="module")
def duplex_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    engine = _import_duplex(tmp_path_factory.mktemp("snapshot") / "twin.db")
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def snapshot(duplex_store: Engine) -> Callable[[str | None, str], bytes]:
    """Render once per (storey, colour) for the whole module: each render takes seconds."""
    rendered: dict[tuple[str | None, str], bytes] = {}

    def get(storey: str | None, colour: str = "usage") -> bytes:
        if (storey, colour) not in rendered:
            rendered[storey, colour] = render_snapshot(duplex_store, BUILDING, storey, colour)
        return rendered[storey, colour]

    return get


def _view_pixels(png: bytes) -> npt.NDArray[np.uint8]:
    """The 3D view's pixels `(n, 3)`: the legend panel (right fifth) and title cut off."""
    image = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))
    height, width, _ = image.shape
    return image[height // 10 :, : int(width * 0.75)].reshape(-1, 3)


def _share_of(png: bytes, hex_colour: str, tolerance: int = 3) -> float:
    """Share of the view's pixels that are `hex_colour` (± tolerance per channel)."""
    wanted = np.array([int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)], dtype=np.int16)
    pixels = _view_pixels(png).astype(np.int16)
    close = np.all(np.abs(pixels - wanted) <= tolerance, axis=1)
    return float(close.mean())


def _usage_colour(engine: Engine, usage: str) -> str:
    room = next(r for r in list_rooms(engine, building=BUILDING) if r["usage"] == usage)
    return colour_for("usage", room)


def test_snapshot_is_a_png_of_the_documented_size(
    snapshot: Callable[[str | None, str], bytes],
) -> None:
    png = snapshot(None, "usage")
    assert png.startswith(PNG_SIGNATURE)
    image = Image.open(io.BytesIO(png))
    image.verify()
    assert image.format == "PNG"
    assert image.size == SNAPSHOT_SIZE_PX
    # Not a blank frame: a real picture has many distinct colours.
    assert len(np.unique(_view_pixels(png), axis=0)) > 50


def test_rooms_show_their_usage_colour_and_other_storeys_do_not(
    duplex_store: Engine, snapshot: Callable[[str | None, str], bytes]
) -> None:
    residential = _usage_colour(duplex_store, "residential")
    pantry = _usage_colour(duplex_store, "pantry")  # F01 only
    storage = _usage_colour(duplex_store, "storage")  # F02 only
    upper, lower = snapshot("F02", "usage"), snapshot("F01", "usage")

    # The four 26 m² flats of F02 fill a good part of the view, in the exact colour.
    assert _share_of(upper, residential) > 0.05
    assert _share_of(upper, storage) > 0.0005
    # F01 is below F02: drawn grey, so none of its pantry colour shows on F02's picture.
    assert _share_of(upper, pantry) < 0.0001
    # F02 is above F01: hidden, so F02's storage rooms are not on F01's picture.
    assert _share_of(lower, pantry) > 0.005
    assert _share_of(lower, storage) < 0.0001


def test_storey_filter_changes_the_picture(snapshot: Callable[[str | None, str], bytes]) -> None:
    whole, upper, lower = (
        snapshot(None, "usage"),
        snapshot("F02", "usage"),
        snapshot("F01", "usage"),
    )
    assert len({whole, upper, lower}) == 3
    # Pixels, not only bytes: at least a tenth of the view differs between two storeys.
    differs = np.any(_view_pixels(upper) != _view_pixels(lower), axis=1)
    assert differs.mean() > 0.1


def test_legend_follows_the_shown_storey(duplex_store: Engine) -> None:
    legend = {
        entry["key"]: entry["count"]
        for entry in snapshot_scene(duplex_store, BUILDING, "F01", "usage").legend
    }
    assert legend == {
        "circulation": 3,
        "sanitary": 2,
        "pantry": 2,
        "residential": 2,
        "unclassified": 1,
    }
    scene = snapshot_scene(duplex_store, "B01", "DX01-B01-F02", "area")
    assert scene.storey_code == "DX01-B01-F02"
    assert sum(entry["count"] for entry in scene.legend) == 10


def test_live_modes_colour_by_the_latest_values(duplex_store: Engine) -> None:
    from layers.ingest import ingest_readings
    from layers.sensors import SensorCreate, register_sensor

    room = "DX01-B01-F01-002A"
    register_sensor(duplex_store, SensorCreate(id="snap-t", kind="temperature", room_code=room))
    for ts, value in (("2026-03-02T09:00:00Z", 18.0), ("2026-03-02T10:00:00Z", 26.5)):
        ingest_readings(duplex_store, [{"sensor": "snap-t", "ts": ts, "value": value}], "http")
    scene = snapshot_scene(duplex_store, BUILDING, "F01", "temperature")
    warm = colour_for("temperature", {"temperature": 26.5})
    groups = {group.colour: group.room_codes for group in scene.room_groups}
    assert groups[warm] == (room,)
    assert {entry["key"]: entry["count"] for entry in scene.legend} == {"t28": 1, "none": 9}

    # A cached live picture is drawn again once a value changes; the usage picture is not.
    service = SnapshotService()
    url = str(duplex_store.url)
    live_key, usage_key = (service.key(url, BUILDING, "F01", c) for c in ("temperature", "usage"))
    ingest_readings(
        duplex_store, [{"sensor": "snap-t", "ts": "2026-03-02T11:00:00Z", "value": 19.0}], "http"
    )
    assert service.key(url, BUILDING, "F01", "temperature") != live_key
    assert service.key(url, BUILDING, "F01", "usage") == usage_key
    service.close()


def test_unknown_colour_mode_storey_or_building_is_bad_input(duplex_store: Engine) -> None:
    with pytest.raises(BadInput, match=r"colour mode 'rainbow'.*usage"):
        render_snapshot(duplex_store, BUILDING, None, "rainbow")
    with pytest.raises(BadInput, match=r"no storey 'F07'.*F01, F02"):
        render_snapshot(duplex_store, BUILDING, "F07", "usage")
    with pytest.raises(UnknownBuilding):
        render_snapshot(duplex_store, "DX01-B09", None, "usage")


def test_service_caches_until_the_data_changes(tmp_path: Path) -> None:
    engine = _import_duplex(tmp_path / "twin.db")
    db_url = f"sqlite:///{tmp_path / 'twin.db'}"
    service = SnapshotService()
    try:
        first = service.render_blocking(db_url, BUILDING, "F02", "usage", timeout_s=300)
        assert service.renders == 1
        # The same view, named differently (bare building, full storey code): no new render.
        again = service.render_blocking(db_url, "B01", "DX01-B01-F02", "usage", timeout_s=300)
        assert again == first
        assert service.renders == 1

        office = colour_for("usage", {"usage": "office"})
        assert _share_of(first, office) < 0.0001
        version = data_version(engine)
        flat = next(r for r in list_rooms(engine, BUILDING, storey="F02", usage="residential"))
        set_room(engine, flat["room_code"], {"usage": "office"})
        assert data_version(engine) != version

        edited = service.render_blocking(db_url, BUILDING, "F02", "usage", timeout_s=300)
        assert service.renders == 2
        assert _share_of(edited, office) > 0.01
    finally:
        service.close()
        engine.dispose()


def test_service_renders_in_one_long_lived_worker_process(duplex_store: Engine) -> None:
    db_url = str(duplex_store.url)
    service = SnapshotService()
    try:
        worker = service.worker_pid()
        assert worker != os.getpid()

        async def two_views() -> list[bytes]:
            # Asked together, the same view is drawn once.
            pictures = await asyncio.gather(
                service.render(db_url, BUILDING, "F01", "area"),
                service.render(db_url, BUILDING, "F01", "area"),
                service.render(db_url, BUILDING, None, "area"),
            )
            return list(pictures)

        pictures = asyncio.run(two_views())
        assert pictures[0] == pictures[1] != pictures[2]
        assert service.renders == 2
        assert service.worker_pid() == worker
        with pytest.raises(BadInput):
            asyncio.run(service.render(db_url, BUILDING, None, "rainbow"))
        assert service.renders == 2
    finally:
        service.close()


def test_service_keeps_pictures_on_disk_across_restarts(
    duplex_store: Engine, tmp_path: Path
) -> None:
    db_url = str(duplex_store.url)
    first = SnapshotService(cache_dir=tmp_path / "cache")
    try:
        png = first.render_blocking(db_url, BUILDING, "F02", "area", timeout_s=300)
    finally:
        first.close()
    assert len(list((tmp_path / "cache").glob("*.png"))) == 1
    restarted = SnapshotService(cache_dir=tmp_path / "cache")
    try:
        assert restarted.render_blocking(db_url, BUILDING, "F02", "area") == png
        assert restarted.renders == 0
    finally:
        restarted.close()


def test_importing_viewer_loads_no_pyvista() -> None:
    code = (
        "import sys, twin, viewer, viewer.palette, viewer.snapshot, viewer.snapshot_service;"
        "print(','.join(m for m in ('pyvista', 'vtk', 'vtkmodules') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=PROJECT_ROOT
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""
