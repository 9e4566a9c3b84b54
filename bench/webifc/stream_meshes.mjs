// Stream every mesh of one or more IFC files with web-ifc and print what it took, as JSON.
//
//   node bench/webifc/stream_meshes.mjs FILE.ifc [FILE.ifc ...]
//
// prints {"seconds", "meshes", "triangles", "vertices", "startup_seconds", "init_seconds",
// "read_seconds", "baseline_rss_bytes", "peak_rss_bytes", "web_ifc_version"}.
// `seconds` covers OpenModel + StreamAllMeshes (with every vertex and index array copied
// out of the wasm heap and read, so nothing is skipped) + CloseModel, summed over the
// files. Node start-up, wasm initialisation and reading the files into memory are
// reported apart and are not in `seconds`. The wasm is loaded from the installed
// package, never from the network.

import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";

// performance.now() counts from the process's time origin, so this is node's start-up.
const startupSeconds = performance.now() / 1000;

const require = createRequire(import.meta.url);
// The package's node entry point sits beside its wasm files and package.json.
const packageDir = dirname(require.resolve("web-ifc"));
const webIfcVersion = JSON.parse(readFileSync(join(packageDir, "package.json"), "utf8")).version;
const importStart = performance.now();
const WebIFC = await import("web-ifc");
const importSeconds = (performance.now() - importStart) / 1000;

function residentBytes(field) {
  // VmRSS / VmHWM from /proc, in bytes; process.resourceUsage() where /proc is missing.
  try {
    const status = readFileSync("/proc/self/status", "utf8");
    const match = status.match(new RegExp(`^${field}:\\s+(\\d+) kB`, "m"));
    if (match) return Number(match[1]) * 1024;
  } catch {
    // not Linux
  }
  return field === "VmHWM" ? process.resourceUsage().maxRSS * 1024 : process.memoryUsage().rss;
}

function resetPeakRss() {
  // Writing 5 to clear_refs resets VmHWM, so the peak excludes start-up and wasm init.
  try {
    writeFileSync("/proc/self/clear_refs", "5");
    return true;
  } catch {
    return false;
  }
}

async function main(paths) {
  if (paths.length === 0) {
    process.stderr.write("usage: node stream_meshes.mjs FILE.ifc [FILE.ifc ...]\n");
    process.exit(2);
  }
  const api = new WebIFC.IfcAPI();
  api.SetWasmPath(`${packageDir}/`, true);
  const initStart = performance.now();
  await api.Init(undefined, true);
  api.SetLogLevel(WebIFC.LogLevel.LOG_LEVEL_OFF);
  // Loading the JS module is part of initialisation, as is compiling the wasm.
  const initSeconds = importSeconds + (performance.now() - initStart) / 1000;

  const readStart = performance.now();
  const buffers = paths.map((path) => new Uint8Array(readFileSync(path)));
  const readSeconds = (performance.now() - readStart) / 1000;

  const baselineRss = residentBytes("VmRSS");
  const peakReset = resetPeakRss();
  let meshes = 0;
  let triangles = 0;
  let vertices = 0;
  let checksum = 0;
  const start = performance.now();
  for (const data of buffers) {
    const modelID = api.OpenModel(data);
    api.StreamAllMeshes(modelID, (mesh) => {
      meshes += 1;
      const placed = mesh.geometries;
      for (let i = 0; i < placed.size(); i++) {
        const geometry = api.GetGeometry(modelID, placed.get(i).geometryExpressID);
        const vertexData = api.GetVertexArray(
          geometry.GetVertexData(),
          geometry.GetVertexDataSize(),
        );
        const indexData = api.GetIndexArray(geometry.GetIndexData(), geometry.GetIndexDataSize());
        // Read every value so no engine can skip the copies; 6 floats per vertex (xyz, normal).
        for (let j = 0; j < vertexData.length; j++) checksum += vertexData[j];
        for (let j = 0; j < indexData.length; j++) checksum += indexData[j];
        vertices += vertexData.length / 6;
        triangles += indexData.length / 3;
        geometry.delete();
      }
    });
    api.CloseModel(modelID);
  }
  const seconds = (performance.now() - start) / 1000;
  const peakRss = residentBytes("VmHWM");

  process.stdout.write(
    `${JSON.stringify({
      seconds,
      meshes,
      triangles,
      vertices,
      checksum_finite: Number.isFinite(checksum),
      startup_seconds: startupSeconds,
      init_seconds: initSeconds,
      read_seconds: readSeconds,
      baseline_rss_bytes: baselineRss,
      peak_rss_bytes: peakRss,
      peak_rss_reset: peakReset,
      web_ifc_version: webIfcVersion,
    })}\n`,
  );
}

await main(process.argv.slice(2));
