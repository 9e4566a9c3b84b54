// The map page (/map): every site of the portfolio as a point, clustered when zoomed out;
// closer in, the sites in view load their boundary, building footprints and outdoor
// pipes, and closest in the rooms of one storey, coloured like the 3D view (palette.js,
// /api/palette). A click on a site or building opens its 3D view, on a room that room.
// `window.campusMap` is a small hook for the browser test and the benchmark.

import 'maplibre-gl/dist/maplibre-gl.css';
import './map.css';
import { Map as MapLibre, Marker, NavigationControl, Popup, ScaleControl, setWorkerUrl } from 'maplibre-gl';
import { getJson } from './api.js';
import { DETAIL_ZOOM, ROOM_ZOOM, mapStyle } from './mapstyle.js';
import { Palette } from './palette.js';
import { viewHref } from './sitelink.js';

// build.mjs copies maplibre's worker next to this bundle.
setWorkerUrl(new URL('/map-worker.js', window.location.href).href);

/** Sites in view above which details are not loaded (the status asks to zoom in). */
const MAX_DETAIL_SITES = 40;
const CLICKABLE = ['rooms-fill', 'footprint-fill', 'sites'];
const $ = (id) => document.getElementById(id);
const EMPTY = { type: 'FeatureCollection', features: [] };

const mapApi = {
  config: () => getJson('/api/map/config'),
  palette: () => getJson('/api/palette'),
  sites: () => getJson('/api/map/sites'),
  layer: (site, layer, storey = null) => getJson(
    `/api/sites/${encodeURIComponent(site)}/geojson?layer=${layer}${storey ? `&storey=${encodeURIComponent(storey)}` : ''}`,
  ),
  storeys: (building) => getJson(`/api/buildings/${encodeURIComponent(building)}/storeys`),
  liveRooms: () => getJson('/api/live/rooms'),
};

function text(value, digits = 0) {
  if (value === null || value === undefined) return '—';
  return typeof value === 'number' ? value.toLocaleString('en', { maximumFractionDigits: digits }) : String(value);
}

class MapPage {
  constructor(config, palette) {
    this.config = config;
    this.palette = palette;
    this.sites = { ...EMPTY, unplaced: [] };
    this.byCode = new Map();
    this.layers = new Map(); // `${site}|${layer}|${storey}` -> features
    this.requests = new Map(); // the same keys -> the promise of their fetch
    this.mode = palette.document.default_mode;
    this.storey = 'F01';
    this.live = null;
    this.focus = null;
    this.clusterMarkers = new Map();
    this.map = new MapLibre({
      container: 'map',
      // The map starts while the sites are still on their way (setSites).
      style: mapStyle({ sites: EMPTY, tileUrl: config.tile_url, tileAttribution: config.tile_attribution }),
      center: [0, 20],
      zoom: 1,
      attributionControl: { compact: true },
    });
    this.map.addControl(new NavigationControl({ showCompass: false }), 'top-right');
    this.map.addControl(new ScaleControl(), 'bottom-right');
    this.popup = new Popup({ closeButton: false, closeOnClick: false, offset: 10 });
    this.setupPanel();
    this.setupEvents();
  }

  /** Show the sites (`/api/map/sites`) and fit the view to them. */
  setSites(sites) {
    this.sites = sites;
    this.byCode = new Map(sites.features.map((f) => [f.properties.site_code, f]));
    this.map.getSource('sites').setData(sites);
    this.map.fitBounds(this.bounds(sites.features), { padding: 40, maxZoom: DETAIL_ZOOM, animate: false });
    const unplaced = (sites.unplaced || []).length;
    this.status(`${sites.features.length} sites${unplaced ? ` · ${unplaced} without a georeference` : ''}`);
  }

  bounds(features) {
    if (!features.length) return [[-10, -10], [10, 10]];
    let [west, south, east, north] = [180, 90, -180, -90];
    for (const { geometry: { coordinates: [lon, lat] } } of features) {
      west = Math.min(west, lon); east = Math.max(east, lon);
      south = Math.min(south, lat); north = Math.max(north, lat);
    }
    const pad = 0.002;
    return [[west - pad, south - pad], [east + pad, north + pad]];
  }

  // --- the panel -----------------------------------------------------------------------

  setupPanel() {
    const modes = $('map-mode');
    modes.replaceChildren(...this.palette.document.modes.map((mode) => {
      const option = document.createElement('option');
      option.value = mode.key;
      option.textContent = mode.label;
      option.selected = mode.key === this.mode;
      return option;
    }));
    modes.addEventListener('change', () => this.setMode(modes.value));
    $('map-storey').addEventListener('change', () => this.setStorey($('map-storey').value));
  }

  status(message, error = false) {
    $('map-status').textContent = message;
    $('map-status').dataset.error = String(error);
  }

  showFocus(code) {
    if (code === this.focus) return;
    this.focus = code;
    const panel = $('map-site');
    if (!code) {
      panel.hidden = true;
      return;
    }
    const p = this.byCode.get(code).properties;
    $('map-site-name').textContent = `${p.site_code} · ${p.name}`;
    $('map-site-figures').textContent = [
      `${text(p.buildings)} buildings`, `${text(p.rooms)} rooms`, `${text(p.net_floor_area_m2)} m²`,
      p.vacancy === null ? null : `${text(100 * p.vacancy)} % offices unallocated`,
      p.open_alarms ? `${p.open_alarms} open alarms` : null,
    ].filter(Boolean).join(' · ');
    $('map-site-open').href = viewHref(code);
    panel.hidden = false;
    this.loadStoreys(code);
  }

  async loadStoreys(code) {
    const buildings = this.features(code, 'footprints').map((f) => f.properties.building_code);
    const lists = await Promise.all(buildings.map((b) => mapApi.storeys(b).catch(() => [])));
    if (code !== this.focus) return;
    const byCode = new Map();
    for (const storey of lists.flat()) {
      if (!byCode.has(storey.storey)) byCode.set(storey.storey, storey.elevation_m ?? 0);
    }
    const storeys = [...byCode.entries()].sort((a, b) => a[1] - b[1]).map(([storey]) => storey);
    if (!storeys.includes(this.storey) && storeys.length) {
      this.storey = storeys.includes('F01') ? 'F01' : storeys[0];
    }
    $('map-storey').replaceChildren(...storeys.reverse().map((storey) => {
      const option = document.createElement('option');
      option.value = storey;
      option.textContent = storey;
      option.selected = storey === this.storey;
      return option;
    }));
    this.loadDetails();
  }

  setLegend() {
    const rooms = this.features(null, 'rooms').map((f) => f.properties);
    $('map-legend').replaceChildren(...this.palette.legend(this.mode, rooms).map((entry) => {
      const item = document.createElement('li');
      item.dataset.key = entry.key;
      const swatch = document.createElement('span');
      swatch.className = 'swatch';
      swatch.style.background = entry.colour;
      item.append(swatch, ` ${entry.label} `);
      const count = document.createElement('span');
      count.className = 'count';
      count.textContent = entry.count;
      item.append(count);
      return item;
    }));
  }

  // --- what is shown -------------------------------------------------------------------

  async setMode(mode) {
    this.mode = mode;
    $('map-mode').value = mode;
    if (this.palette.liveModes().includes(mode) && this.live === null) {
      try {
        this.live = await mapApi.liveRooms();
      } catch (error) {
        this.live = {};
        this.status(`live values: ${error.message}`, true);
      }
    }
    this.refreshRooms();
  }

  setStorey(storey) {
    this.storey = storey;
    this.refreshRooms();
    this.loadDetails();
  }

  features(site, layer) {
    const found = [];
    for (const [key, features] of this.layers) {
      const [s, l, storey] = key.split('|');
      if ((site === null || s === site) && l === layer && (layer !== 'rooms' || storey === this.storey)) {
        found.push(...features);
      }
    }
    return found;
  }

  refreshRooms() {
    const rooms = this.features(null, 'rooms').map((feature) => {
      const live = this.live ? this.live[feature.id] || {} : {};
      const room = { ...feature.properties, ...live };
      return { ...feature, properties: { ...feature.properties, colour: this.palette.colourFor(this.mode, room) } };
    });
    this.map.getSource('rooms').setData({ type: 'FeatureCollection', features: rooms });
    this.setLegend();
  }

  refreshLayers() {
    const media = this.palette.media;
    const pipes = this.features(null, 'pipes').map((f) => ({
      ...f, properties: { ...f.properties, colour: media[f.properties.medium] || media.unknown || '#7f7f7f' },
    }));
    this.map.getSource('footprints').setData({ ...EMPTY, features: this.features(null, 'footprints') });
    this.map.getSource('boundaries').setData({ ...EMPTY, features: this.features(null, 'boundary') });
    this.map.getSource('pipes').setData({ ...EMPTY, features: pipes });
  }

  sitesInView() {
    const bounds = this.map.getBounds();
    return this.sites.features
      .filter((f) => bounds.contains(f.geometry.coordinates))
      .map((f) => f.properties.site_code);
  }

  /** Load the layers of the sites in view that the zoom calls for and are not loaded yet. */
  async loadDetails() {
    const zoom = this.map.getZoom();
    if (zoom < DETAIL_ZOOM - 1) {
      this.showFocus(null);
      return;
    }
    const codes = this.sitesInView();
    if (codes.length > MAX_DETAIL_SITES) {
      this.status(`${codes.length} sites in view: zoom in to see their buildings`);
      return;
    }
    const wanted = [];
    for (const code of codes) {
      for (const layer of ['boundary', 'footprints', 'pipes']) wanted.push([code, layer, '']);
      if (zoom >= ROOM_ZOOM - 0.5) wanted.push([code, 'rooms', this.storey]);
    }
    this.updateFocus(codes);
    const fresh = wanted.filter(([c, l, st]) => !this.requests.has(`${c}|${l}|${st}`)).length;
    if (fresh) this.status(`Loading ${codes.length} sites…`);
    const results = await Promise.all(wanted.map(([code, layer, storey]) => this.fetchLayer(code, layer, storey)));
    if (!fresh) return;
    const failed = results.filter(Boolean);
    this.refreshLayers();
    this.refreshRooms();
    this.updateFocus(this.sitesInView());
    if (failed.length) this.status(failed[0], true);
    else this.status(`${codes.length} sites in view`);
  }

  /** One layer of one site, fetched once; resolves to null, or the error to show. */
  fetchLayer(code, layer, storey) {
    const key = `${code}|${layer}|${storey}`;
    if (!this.requests.has(key)) {
      this.requests.set(key, mapApi.layer(code, layer, storey || null).then(
        (collection) => { this.layers.set(key, collection.features); return null; },
        (error) => {
          // A storey one site lacks is a 404: nothing to draw there.
          this.layers.set(key, []);
          return error.status === 404 ? null : `${code} ${layer}: ${error.message}`;
        },
      ));
    }
    return this.requests.get(key);
  }

  /** The site nearest the middle of the view is the one the panel describes. */
  updateFocus(codes) {
    if (this.map.getZoom() < DETAIL_ZOOM - 1 || !codes.length) {
      this.showFocus(null);
      return;
    }
    const centre = this.map.getCenter();
    let best = null;
    let bestDistance = Infinity;
    for (const code of codes) {
      const [lon, lat] = this.byCode.get(code).geometry.coordinates;
      const distance = (lon - centre.lng) ** 2 + (lat - centre.lat) ** 2;
      if (distance < bestDistance) [best, bestDistance] = [code, distance];
    }
    if (best && this.features(best, 'footprints').length === 0 && !this.layers.has(`${best}|footprints|`)) return;
    this.showFocus(best);
  }

  // --- pointer -------------------------------------------------------------------------

  setupEvents() {
    const map = this.map;
    map.on('click', 'clusters', async (event) => {
      const feature = event.features[0];
      const zoom = await map.getSource('sites').getClusterExpansionZoom(feature.properties.cluster_id);
      map.easeTo({ center: feature.geometry.coordinates, zoom: Math.min(zoom, DETAIL_ZOOM + 1) });
    });
    map.on('click', (event) => {
      // The most detailed thing under the pointer wins: a room, a building, then a site.
      const hits = map.queryRenderedFeatures(event.point, { layers: CLICKABLE });
      const hit = CLICKABLE.map((id) => hits.find((f) => f.layer.id === id)).find(Boolean);
      if (!hit) return;
      window.location.assign(this.hrefFor(hit));
    });
    for (const layer of ['clusters', 'sites', 'footprint-fill', 'rooms-fill']) {
      map.on('mouseenter', layer, () => { map.getCanvas().style.cursor = 'pointer'; });
      map.on('mouseleave', layer, () => { map.getCanvas().style.cursor = ''; this.popup.remove(); });
    }
    map.on('mousemove', 'sites', (event) => {
      const p = event.features[0].properties;
      this.popup.setLngLat(event.features[0].geometry.coordinates)
        .setText(`${p.site_code} ${p.name} · ${p.buildings} buildings, ${p.rooms} rooms`).addTo(map);
    });
    map.on('mousemove', 'rooms-fill', (event) => {
      const p = event.features[0].properties;
      this.popup.setLngLat(event.lngLat).setText(`${p.room_code} ${p.name}`).addTo(map);
    });
    map.on('moveend', () => this.loadDetails());
    map.on('render', () => this.updateClusterCounts());
  }

  /** Where a click on a map feature leads: the 3D view of its site, building or room. */
  hrefFor(feature) {
    const p = feature.properties;
    if (feature.layer.id === 'rooms-fill') return viewHref(p.site_code, { room: p.room_code });
    if (feature.layer.id === 'footprint-fill') {
      return viewHref(p.building_code.split('-')[0], { building: p.building_code });
    }
    return viewHref(p.site_code);
  }

  /** Count labels on the clusters on screen, as HTML markers (no glyphs needed). */
  updateClusterCounts() {
    if (!this.map.isSourceLoaded('sites')) return;
    const shown = new Map();
    for (const feature of this.map.querySourceFeatures('sites')) {
      const p = feature.properties;
      if (!p.cluster) continue;
      let marker = this.clusterMarkers.get(p.cluster_id);
      if (!marker) {
        const label = document.createElement('div');
        label.className = 'cluster-count';
        label.textContent = p.point_count_abbreviated ?? p.point_count;
        marker = new Marker({ element: label }).setLngLat(feature.geometry.coordinates);
      }
      shown.set(p.cluster_id, marker);
    }
    for (const [id, marker] of this.clusterMarkers) if (!shown.has(id)) marker.remove();
    for (const [id, marker] of shown) if (!this.clusterMarkers.has(id)) marker.addTo(this.map);
    this.clusterMarkers = shown;
  }

  /** Centre on a site (from `?site=`), close enough to show its buildings. */
  centreOn(code) {
    const site = this.byCode.get(code);
    if (!site) {
      this.status(`No site ${code} on the map`, true);
      return false;
    }
    this.map.jumpTo({ center: site.geometry.coordinates, zoom: ROOM_ZOOM + 1 });
    return true;
  }

  /** Fit the view to a site's boundary once it is loaded. */
  fitSite(code) {
    const boundary = this.features(code, 'boundary')[0];
    if (!boundary) return;
    const ring = boundary.geometry.coordinates[0];
    const lons = ring.map((p) => p[0]);
    const lats = ring.map((p) => p[1]);
    this.map.fitBounds([[Math.min(...lons), Math.min(...lats)], [Math.max(...lons), Math.max(...lats)]], {
      padding: { top: 40, bottom: 40, left: 330, right: 60 }, maxZoom: 19, animate: false,
    });
  }
}

function idle(map) {
  return new Promise((resolve) => {
    if (map.loaded() && !map.isMoving()) {
      map.once('idle', resolve);
      map.triggerRepaint();
    } else {
      map.once('idle', resolve);
    }
  });
}

function installHook(page, ready) {
  const map = page.map;
  window.campusMap = {
    ready,
    get zoom() { return map.getZoom(); },
    get focus() { return page.focus; },
    get storey() { return page.storey; },
    get mode() { return page.mode; },
    renderedClusters: () => map.queryRenderedFeatures({ layers: ['clusters'] })
      .map((f) => ({ count: f.properties.point_count, lonLat: f.geometry.coordinates })),
    renderedSites: () => map.queryRenderedFeatures({ layers: ['sites'] }).map((f) => f.properties.site_code),
    renderedLayer: (layer) => map.queryRenderedFeatures({ layers: [layer] }).map((f) => ({ id: f.id, ...f.properties })),
    clusterLabels: () => [...document.querySelectorAll('.cluster-count')].map((el) => el.textContent),
    /** Screen position (CSS px in the page) of a lon/lat. */
    project: (lonLat) => {
      const point = map.project(lonLat);
      const box = map.getCanvas().getBoundingClientRect();
      return { x: box.left + point.x, y: box.top + point.y };
    },
    siteAt: (code) => page.byCode.get(code)?.geometry.coordinates ?? null,
    /** Jump and wait until the details the new view calls for are drawn. */
    jumpTo: async (center, zoom) => {
      map.jumpTo({ center, zoom });
      await idle(map);
      await page.loadDetails();
      await idle(map);
      return map.getZoom();
    },
    setMode: async (mode) => { await page.setMode(mode); await idle(map); },
    setStorey: async (storey) => { page.setStorey(storey); await page.loadDetails(); await idle(map); },
  };
}

async function start() {
  let resolveReady;
  const ready = new Promise((resolve) => { resolveReady = resolve; });
  try {
    // The sites take the server longest: asked for first, awaited last.
    const sitesRequest = mapApi.sites();
    const [config, paletteDocument] = await Promise.all([mapApi.config(), mapApi.palette()]);
    const page = new MapPage(config, new Palette(paletteDocument));
    installHook(page, ready);
    const map = page.map;
    const [sites] = await Promise.all([sitesRequest, new Promise((resolve) => map.once('load', resolve))]);
    // First render: the style loaded, the sites clustered and drawn, the map idle.
    page.setSites(sites);
    await idle(map);
    const firstRenderAt = performance.now();
    const site = new URLSearchParams(window.location.search).get('site');
    const code = (site || '').trim().toUpperCase();
    if (code && page.centreOn(code)) {
      await idle(map);
      await page.loadDetails();
      page.fitSite(code);
      await idle(map);
      await page.loadDetails();
      await idle(map);
    }
    resolveReady({ sites: sites.features.length, firstRenderAt });
  } catch (error) {
    console.error(error);
    $('map-status').textContent = `The map could not be loaded: ${error.message}`;
    $('map-status').dataset.error = 'true';
    resolveReady({ sites: 0, error: error.message });
  }
}

start();
