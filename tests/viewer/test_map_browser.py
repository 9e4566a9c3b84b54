"""The map page in Debian's chromium, driven by playwright, against `twin serve` on a portfolio.

A 60-site `sample-portfolio` (one site with the full sample campus) is served; the page
must load with nothing fetched from elsewhere, show every site in clusters when zoomed
out, show a site's footprints, outdoor pipes and one storey's rooms in the palette's
colours when zoomed in, and take a click on a site to its 3D view, whose map link
returns to the map centred on that site. Screenshots land in the test's tmp dir.
"""

from __future__ import annotations

import http.server
import io
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
import shapely

from tests.processes import free_port, serve_twin
from tests.viewer import test_browser
from tests.viewer.test_browser import CHROMIUM, _ensure_client_built
from twin.portfolio import generate_portfolio
from twin.store import open_store
from viewer.palette import colour_for

pytestmark = pytest.mark.slow

SITES = 60
TOLERANCE = 3

# The 3D page test's chromium fixture, launched here against this module's `server`.
browser = test_browser.browser


@pytest.fixture(scope="module")
def portfolio(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store holding a 60-site portfolio, PV0001 with the full sample campus."""
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium is missing: apt-get install -y chromium")
    pytest.importorskip(
        "playwright.sync_api", reason="playwright is missing: pip install playwright"
    )
    _ensure_client_built()
    db = tmp_path_factory.mktemp("portfolio") / "twin.db"
    engine = open_store(str(db))
    generate_portfolio(engine, sites=SITES, seed=5, full_3d=1)
    engine.dispose()
    return db


@pytest.fixture(scope="module")
def server(portfolio: Path) -> Iterator[str]:
    with serve_twin(portfolio, portfolio.parent / "serve.log") as (base, _process):
        yield base


@contextmanager
def tile_server(colour: tuple[int, int, int]) -> Iterator[tuple[str, list[str]]]:
    """A loopback XYZ tile server answering every tile with one plain 256 px PNG."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (256, 256), colour).save(buffer, format="PNG")
    tile = buffer.getvalue()
    asked: list[str] = []

    class Tiles(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            asked.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Access-Control-Allow-Origin", "*")
            self.send_header("Content-Length", str(len(tile)))
            self.end_headers()
            self.wfile.write(tile)

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), Tiles)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", asked
    finally:
        server.shutdown()
        server.server_close()


class MapPage:
    """One browser page, recording console errors and every request it makes."""

    def __init__(self, browser: Any, base: str, path: str = "/map") -> None:
        self.base = base
        self.context = browser.new_context(viewport={"width": 1200, "height": 800})
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.page.on(
            "console",
            lambda message: self.errors.append(message.text) if message.type == "error" else None,
        )
        self.page.on("pageerror", lambda error: self.errors.append(f"page error: {error}"))
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.goto(base + path)
        self.ready = self.wait_map()

    def wait_map(self) -> dict[str, Any]:
        self.page.wait_for_function("window.campusMap !== undefined", timeout=60_000)
        ready: dict[str, Any] = self.page.evaluate("window.campusMap.ready")
        assert "error" not in ready, ready
        return ready

    def hook(self, function: str, *args: Any) -> Any:
        return self.page.evaluate(f"(args) => window.campusMap.{function}(...args)", list(args))

    def value(self, name: str) -> Any:
        return self.page.evaluate(f"window.campusMap.{name}")

    def pixels(self, x: float, y: float) -> list[tuple[int, int, int]]:
        from PIL import Image

        png = self.page.screenshot(
            clip={"x": round(x) - 1, "y": round(y) - 1, "width": 3, "height": 3}
        )
        image = Image.open(io.BytesIO(png)).convert("RGB")
        return [(int(r), int(g), int(b)) for r, g, b in np.asarray(image).reshape(-1, 3)]

    def shows_colour(self, lon_lat: list[float], colour: str) -> bool:
        wanted = tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))
        point = self.hook("project", lon_lat)
        near = [
            p
            for p in self.pixels(point["x"], point["y"])
            if max(abs(a - b) for a, b in zip(p, wanted, strict=True)) <= TOLERANCE
        ]
        return len(near) >= 5

    def click_through(self, lon_lat: list[float]) -> httpx.URL:
        """Click the map at a lon/lat and return the address the page goes to."""
        point = self.hook("project", lon_lat)
        with self.page.expect_navigation():
            self.page.mouse.click(point["x"], point["y"])
        return httpx.URL(self.page.url)

    def close(self) -> None:
        self.context.close()


def _rooms_layer(base: str, site: str, storey: str) -> dict[str, dict[str, Any]]:
    collection = httpx.get(
        f"{base}/api/sites/{site}/geojson", params={"layer": "rooms", "storey": storey}
    ).json()
    return {feature["id"]: feature for feature in collection["features"]}


def test_loads_offline_and_clusters_every_site(browser: Any, server: str, tmp_path: Path) -> None:
    page = MapPage(browser, server)
    try:
        assert page.ready["sites"] == SITES
        page.page.screenshot(path=str(tmp_path / "clusters.png"))
        clusters = page.hook("renderedClusters")
        singles = page.hook("renderedSites")
        assert clusters, "zoomed out, the sites are not clustered"
        assert sum(c["count"] for c in clusters) + len(singles) == SITES
        assert sorted(page.hook("clusterLabels")) == sorted(str(c["count"]) for c in clusters)
        # A cluster is drawn where it is (its fill, beside the count in its middle).
        biggest = max(clusters, key=lambda c: c["count"])
        point = page.hook("project", biggest["lonLat"])
        blue = {(0x6E, 0xA8, 0xDC), (0x28, 0x64, 0xB4), (0x17, 0x3E, 0x73)}
        patch = page.pixels(point["x"], point["y"] + 10)
        assert sum(1 for p in patch if p in blue) >= 5, patch
        # A click on a cluster zooms in.
        zoom = page.value("zoom")
        page.page.mouse.click(point["x"] + 9, point["y"] + 9)
        page.page.wait_for_function(f"window.campusMap.zoom > {zoom + 0.5}", timeout=10_000)
        assert all(url.startswith(server) for url in page.requests), [
            url for url in page.requests if not url.startswith(server)
        ]
        assert page.errors == []
    finally:
        page.close()


def test_a_site_close_up_shows_footprints_pipes_and_rooms_in_palette_colours(
    browser: Any, server: str, tmp_path: Path
) -> None:
    page = MapPage(browser, server, "/map?site=PV0001")
    try:
        assert page.value("focus") == "PV0001"
        buildings = {b["building_code"] for b in httpx.get(f"{server}/api/buildings").json()}
        footprints = {f["building_code"] for f in page.hook("renderedLayer", "footprint-fill")}
        assert footprints == {code for code in buildings if code.startswith("PV0001-")}
        assert page.hook("renderedLayer", "pipes"), "the site's outdoor pipes are not drawn"
        rooms = _rooms_layer(server, "PV0001", "F01")
        shown = {r["room_code"] for r in page.hook("renderedLayer", "rooms-fill")}
        assert shown and shown <= set(rooms)
        page.page.screenshot(path=str(tmp_path / "site.png"))
        large = sorted(
            (rooms[code] for code in shown),
            key=lambda f: -shapely.geometry.shape(f["geometry"]).area,
        )[:4]
        for mode in ("usage", "area"):
            page.hook("setMode", mode)
            for feature in large:
                centre = shapely.geometry.shape(feature["geometry"]).representative_point()
                colour = colour_for(mode, feature["properties"])
                assert page.shows_colour([centre.x, centre.y], colour), (
                    mode,
                    feature["id"],
                    colour,
                )
        legend = page.page.locator("#map-legend li").all_inner_texts()
        assert legend, "no legend"
        page.hook("setStorey", "F02")
        upstairs = {r["room_code"] for r in page.hook("renderedLayer", "rooms-fill")}
        assert upstairs and all(code.split("-")[2] == "F02" for code in upstairs)
        assert page.errors == []
    finally:
        page.close()


def test_a_click_on_a_site_opens_its_3d_view_and_the_map_link_returns(
    browser: Any, server: str, tmp_path: Path
) -> None:
    page = MapPage(browser, server)
    try:
        site = "PV0003"
        lon_lat = page.hook("siteAt", site)
        page.hook("jumpTo", lon_lat, 15)
        assert site in page.hook("renderedSites")
        assert page.click_through(lon_lat) == httpx.URL(f"{server}/?site={site}")
        page.page.wait_for_function("window.campusTwin !== undefined", timeout=60_000)
        ready = page.page.evaluate("window.campusTwin.ready")
        expected = [
            b for b in httpx.get(f"{server}/api/buildings").json() if b["site_code"] == site
        ]
        assert ready["loaded"] == ready["total"] == len(expected)
        page.page.screenshot(path=str(tmp_path / "3d.png"))
        with page.page.expect_navigation():
            page.page.click("#map-link")
        assert page.page.url == f"{server}/map?site={site}"
        page.wait_map()
        assert page.value("focus") == site
        assert page.value("zoom") > 15
        # Close up, a click on a room opens the 3D view on that room.
        rooms = _rooms_layer(server, site, page.value("storey"))
        shown = page.hook("renderedLayer", "rooms-fill")
        room = max(
            (rooms[r["room_code"]] for r in shown),
            key=lambda f: shapely.geometry.shape(f["geometry"]).area,
        )
        inside = shapely.geometry.shape(room["geometry"]).representative_point()
        url = page.click_through([inside.x, inside.y])
        assert (url.params["site"], url.params["room"]) == (site, room["id"])
        page.page.wait_for_function("window.campusTwin !== undefined", timeout=60_000)
        page.page.wait_for_function(
            f"window.campusTwin.detailsCode === {room['id']!r}", timeout=60_000
        )
        assert page.errors == []
    finally:
        page.close()


def test_a_click_on_a_building_opens_the_3d_view_with_that_building(
    browser: Any, server: str
) -> None:
    page = MapPage(browser, server)
    try:
        site = "PV0003"
        footprints = httpx.get(f"{server}/api/sites/{site}/geojson").json()["features"]
        # A building's footprint wins over the site's point drawn on its corner.
        far = footprints[-1]
        inside = shapely.geometry.shape(far["geometry"]).representative_point()
        page.hook("jumpTo", [inside.x, inside.y], 15.8)
        assert far["id"] in {
            f["building_code"] for f in page.hook("renderedLayer", "footprint-fill")
        }
        assert page.hook("renderedLayer", "rooms-fill") == []
        url = page.click_through([inside.x, inside.y])
        assert (url.params["site"], url.params["building"]) == (site, far["id"])
        page.page.wait_for_function("window.campusTwin !== undefined", timeout=60_000)
        page.page.evaluate("window.campusTwin.ready")
        current = page.page.get_attribute(
            f"#building-list button[data-code='{far['id']}']", "aria-current"
        )
        assert current == "true"
        assert page.errors == []
    finally:
        page.close()


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/", f"{SITES} sites: showing PV0001; pick another on the map"),
        ("/?site=NOPE", f"No site NOPE. {SITES} sites: showing PV0001; pick another on the map"),
    ],
)
def test_the_3d_view_of_a_portfolio_loads_one_site(
    browser: Any, server: str, path: str, status: str
) -> None:
    context = browser.new_context(viewport={"width": 1000, "height": 700})
    page = context.new_page()
    try:
        page.goto(server + path)
        page.wait_for_function("window.campusTwin !== undefined", timeout=60_000)
        ready = page.evaluate("window.campusTwin.ready")
        assert ready["loaded"] == ready["total"] == 3  # PV0001, the sample campus
        assert page.inner_text("#status") == status
        assert page.get_attribute("#status", "data-error") == str(path != "/").lower()
        assert page.get_attribute("#map-link", "href") == "/map?site=PV0001"
    finally:
        context.close()


def test_a_configured_tile_url_draws_raster_tiles_under_the_sites(
    browser: Any, portfolio: Path, tmp_path: Path
) -> None:
    colour = (0x33, 0x99, 0x66)
    with (
        tile_server(colour) as (tiles, asked),
        serve_twin(
            portfolio, tmp_path / "serve.log", TWIN_MAP_TILE_URL=f"{tiles}/{{z}}/{{x}}/{{y}}.png"
        ) as (base, _process),
    ):
        page = MapPage(browser, base)
        try:
            assert asked and all(path.endswith(".png") for path in asked)
            # Away from the panel and the sites, the map shows the tile's colour.
            width = page.page.viewport_size["width"]
            clusters = [page.hook("project", c["lonLat"]) for c in page.hook("renderedClusters")]
            spot = next(
                (x, y)
                for x in range(400, width - 60, 40)
                for y in range(100, 700, 40)
                if all(abs(x - c["x"]) > 40 or abs(y - c["y"]) > 40 for c in clusters)
            )
            assert page.pixels(*spot) == [colour] * 9
            assert page.errors == []
        finally:
            page.close()
