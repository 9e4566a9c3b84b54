// The map's style, built in code: our own GeoJSON sources and layers over a plain
// background, plus a raster tile layer only when the server's settings name a tile URL.
// No glyphs, sprites or remote styles are fetched, so the page works offline; cluster
// counts are HTML markers (map.js), not symbol layers (which would need glyphs).

export const DETAIL_ZOOM = 14;
export const ROOM_ZOOM = 16;
export const SITE_MAX_ZOOM = 17;

const EMPTY = { type: 'FeatureCollection', features: [] };

/** The style object: sources empty except the sites, filled as the map moves. */
export function mapStyle({ sites, tileUrl = null, tileAttribution = null }) {
  const sources = {
    sites: {
      type: 'geojson',
      data: sites,
      cluster: true,
      clusterRadius: 45,
      clusterMaxZoom: DETAIL_ZOOM - 1,
    },
    boundaries: { type: 'geojson', data: EMPTY },
    footprints: { type: 'geojson', data: EMPTY },
    pipes: { type: 'geojson', data: EMPTY },
    rooms: { type: 'geojson', data: EMPTY },
  };
  const layers = [{ id: 'background', type: 'background', paint: { 'background-color': '#eef1f4' } }];
  if (tileUrl) {
    sources.tiles = {
      type: 'raster',
      tiles: [tileUrl],
      tileSize: 256,
      ...(tileAttribution ? { attribution: tileAttribution } : {}),
    };
    layers.push({ id: 'tiles', type: 'raster', source: 'tiles' });
  }
  layers.push(
    {
      id: 'boundary-fill', type: 'fill', source: 'boundaries', minzoom: DETAIL_ZOOM - 1,
      paint: { 'fill-color': '#dfe8d8', 'fill-opacity': 0.6 },
    },
    {
      id: 'boundary-line', type: 'line', source: 'boundaries', minzoom: DETAIL_ZOOM - 1,
      paint: { 'line-color': '#6b8e5a', 'line-width': 1.5, 'line-dasharray': [3, 2] },
    },
    {
      id: 'footprint-fill', type: 'fill', source: 'footprints', minzoom: DETAIL_ZOOM - 1,
      paint: {
        'fill-color': '#9aa7b5',
        // Rooms drawn over a footprint need it faint.
        'fill-opacity': ['interpolate', ['linear'], ['zoom'], ROOM_ZOOM - 1, 0.75, ROOM_ZOOM, 0.15],
      },
    },
    {
      id: 'footprint-line', type: 'line', source: 'footprints', minzoom: DETAIL_ZOOM - 1,
      paint: { 'line-color': '#3b4654', 'line-width': 1.5 },
    },
    {
      id: 'pipes', type: 'line', source: 'pipes', minzoom: DETAIL_ZOOM,
      paint: { 'line-color': ['get', 'colour'], 'line-width': 2.5, 'line-dasharray': [2, 1] },
    },
    {
      id: 'rooms-fill', type: 'fill', source: 'rooms', minzoom: ROOM_ZOOM,
      // Opaque, so a room shows its palette colour as it is (the test reads pixels).
      paint: { 'fill-color': ['get', 'colour'], 'fill-opacity': 1 },
    },
    {
      id: 'rooms-line', type: 'line', source: 'rooms', minzoom: ROOM_ZOOM,
      paint: { 'line-color': '#ffffff', 'line-width': 1 },
    },
    {
      id: 'clusters', type: 'circle', source: 'sites', filter: ['has', 'point_count'],
      paint: {
        'circle-color': ['step', ['get', 'point_count'], '#6ea8dc', 10, '#2864b4', 50, '#173e73'],
        'circle-radius': ['step', ['get', 'point_count'], 14, 10, 19, 50, 25],
        'circle-stroke-color': '#ffffff',
        'circle-stroke-width': 2,
      },
    },
    {
      id: 'sites', type: 'circle', source: 'sites', filter: ['!', ['has', 'point_count']],
      maxzoom: SITE_MAX_ZOOM,
      paint: {
        'circle-color': ['case', ['get', 'has_3d'], '#d9480f', '#2864b4'],
        'circle-radius': ['interpolate', ['linear'], ['zoom'], 6, 5, DETAIL_ZOOM, 8],
        'circle-stroke-color': '#ffffff',
        'circle-stroke-width': 2,
      },
    },
  );
  return { version: 8, name: 'Campus Twin', sources, layers };
}
