// The map benchmark's baseline: the same maplibre, the same sites (inlined in this bundle
// by bench/map_bench.py as sites.json, so nothing is fetched), one clustered source and
// the same two circle layers, fitted to the same bounds. First render: `load`, then `idle`.

import 'maplibre-gl/dist/maplibre-gl.css';
import { Map as MapLibre, setWorkerUrl } from 'maplibre-gl';
import sites from './sites.json';

setWorkerUrl(new URL('map-worker.js', window.location.href).href);

let west = 180; let south = 90; let east = -180; let north = -90;
for (const { geometry: { coordinates: [lon, lat] } } of sites.features) {
  west = Math.min(west, lon); east = Math.max(east, lon);
  south = Math.min(south, lat); north = Math.max(north, lat);
}
const map = new MapLibre({
  container: 'map',
  bounds: [[west - 0.002, south - 0.002], [east + 0.002, north + 0.002]],
  fitBoundsOptions: { padding: 40, maxZoom: 14 },
  style: {
    version: 8,
    sources: { sites: { type: 'geojson', data: sites, cluster: true, clusterRadius: 45, clusterMaxZoom: 13 } },
    layers: [
      { id: 'background', type: 'background', paint: { 'background-color': '#eef1f4' } },
      {
        id: 'clusters', type: 'circle', source: 'sites', filter: ['has', 'point_count'],
        paint: { 'circle-color': '#2864b4', 'circle-radius': 18, 'circle-stroke-color': '#fff', 'circle-stroke-width': 2 },
      },
      {
        id: 'sites', type: 'circle', source: 'sites', filter: ['!', ['has', 'point_count']],
        paint: { 'circle-color': '#d9480f', 'circle-radius': 6, 'circle-stroke-color': '#fff', 'circle-stroke-width': 2 },
      },
    ],
  },
});
window.bareMap = {
  ready: new Promise((resolve) => {
    // As /map does: after `load`, ask for a frame and wait for the map to be idle.
    map.once('load', () => {
      map.once('idle', () => resolve({
        sites: sites.features.length,
        clusters: map.queryRenderedFeatures({ layers: ['clusters'] }).length,
        firstRenderAt: performance.now(),
      }));
      map.triggerRepaint();
    });
  }),
};
