// The naive baseline of bench/viewer_bench.py: a bare three.js page that loads every GLB
// listed in glbs.json (one mesh per IFC product, as a naive converter writes them) with
// the stock GLTFLoader and materials, frames the campus the way the twin's page does,
// and renders. It exposes the same hook names the benchmark reads on the twin's page.
import * as THREE from 'three';
import { GLTFLoader } from 'three/addons/loaders/GLTFLoader.js';

const renderer = new THREE.WebGLRenderer({ antialias: true });
renderer.setPixelRatio(1);
renderer.setSize(window.innerWidth, window.innerHeight);
renderer.setClearColor(0xeef1f4, 1);
document.body.appendChild(renderer.domElement);
const scene = new THREE.Scene();
const camera = new THREE.PerspectiveCamera(45, window.innerWidth / window.innerHeight, 0.1, 5000);
scene.add(new THREE.HemisphereLight(0xffffff, 0x8d8a80, 2.2));
const sun = new THREE.DirectionalLight(0xffffff, 1.6);
sun.position.set(0.5, 1, 0.35);
scene.add(sun);

function finishFrame() {
  renderer.render(scene, camera);
  const gl = renderer.getContext();
  gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, new Uint8Array(4));
  return performance.now();
}

// The same framing as the twin's page (viewer.js frameBox): 38° down, 35° round, 1.15 margin.
function frame(box) {
  const sphere = box.getBoundingSphere(new THREE.Sphere());
  const fov = THREE.MathUtils.degToRad(camera.fov);
  const fit = Math.min(fov, 2 * Math.atan(Math.tan(fov / 2) * camera.aspect));
  const distance = (Math.max(sphere.radius, 2) * 1.15) / Math.sin(fit / 2);
  const elevation = THREE.MathUtils.degToRad(38);
  const azimuth = THREE.MathUtils.degToRad(35);
  camera.position.copy(sphere.center).add(new THREE.Vector3(
    Math.cos(elevation) * Math.sin(azimuth), Math.sin(elevation), Math.cos(elevation) * Math.cos(azimuth),
  ).multiplyScalar(distance));
  camera.near = Math.max(0.05, distance / 2000);
  camera.far = Math.max(2000, distance * 20);
  camera.updateProjectionMatrix();
  camera.lookAt(sphere.center);
  return sphere.center;
}

let loaded = 0;
let resolveReady;
const ready = new Promise((resolve) => { resolveReady = resolve; });
const files = await (await fetch('glbs.json')).json();
let target = new THREE.Vector3();
window.campusTwin = {
  ready,
  get loadedBuildings() { return loaded; },
  get failedBuildings() { return 0; },
  get totalBuildings() { return files.length; },
  finishFrame,
  drawCalls: () => { renderer.render(scene, camera); return renderer.info.render.calls; },
  rotateFrames(n = 10, degreesPerFrame = 3) {
    const times = [];
    const up = new THREE.Vector3(0, 1, 0);
    const offset = camera.position.clone().sub(target);
    for (let i = 0; i < n; i++) {
      offset.applyAxisAngle(up, THREE.MathUtils.degToRad(degreesPerFrame));
      camera.position.copy(target).add(offset);
      camera.lookAt(target);
      const started = performance.now();
      finishFrame();
      times.push(performance.now() - started);
    }
    return times;
  },
};
const loader = new GLTFLoader();
await Promise.all(files.map(async (file) => {
  const gltf = await loader.loadAsync(file);
  scene.add(gltf.scene);
  loaded += 1;
}));
target = frame(new THREE.Box3().setFromObject(scene));
const firstFrameAt = finishFrame();
resolveReady({ loaded, total: files.length, firstFrameAt });
