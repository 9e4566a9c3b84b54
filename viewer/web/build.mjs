// Builds the web client into dist/: one ES module bundle (three.js included), the page and
// its stylesheet; and the map page (maplibre-gl and its CSS bundled, its worker copied
// beside). Nothing is fetched from a CDN at run time; the API serves dist/ at `/`.
import { build } from 'esbuild';
import { copyFile, mkdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, 'dist');

await rm(out, { recursive: true, force: true });
await mkdir(out, { recursive: true });
const bundle = {
  bundle: true,
  format: 'esm',
  // Top-level await in the page needs es2022.
  target: 'es2022',
  minify: true,
  sourcemap: true,
  legalComments: 'linked',
  logLevel: 'warning',
};
await build({ ...bundle, entryPoints: [join(here, 'src', 'main.js')], outfile: join(out, 'app.js') });
// The map page: map.js and map.css (maplibre's stylesheet bundled into it).
await build({ ...bundle, entryPoints: { map: join(here, 'src', 'map.js') }, outdir: out });
// maplibre-gl 6 runs its tile work in a module worker it loads by URL (map.js sets it).
await copyFile(
  join(here, 'node_modules', 'maplibre-gl', 'dist', 'maplibre-gl-worker.mjs'),
  join(out, 'map-worker.js'),
);
for (const file of ['index.html', 'style.css', 'map.html']) {
  await copyFile(join(here, 'src', file), join(out, file));
}
console.log(`built ${out}`);
