// The 3D view: renderer, camera and orbit controls, materials per group, which storeys are
// shown or faded, room colours, picking, highlighting and camera flights.
//
// It renders on demand (after a change, a camera move or a flight), not in a loop, so an
// idle page costs nothing. Rooms are unlit (MeshBasicMaterial with vertex colours): the top
// of a room shows its palette colour exactly, sides a fixed shade darker, so the colour a
// person sees is the legend's colour. Everything else is lit.

import * as THREE from 'three';
import { OrbitControls } from 'three/addons/controls/OrbitControls.js';

const SIDE_SHADE = 0.78;
const FADED_OPACITY = 0.14;
const XRAY_OPACITY = 0.1;
const STRUCTURE_GROUPS = ['walls', 'slabs', 'roofs', 'coverings', 'openings', 'other'];

export class CampusView {
  constructor(container, palette) {
    this.container = container;
    this.palette = palette;
    this.renderer = new THREE.WebGLRenderer({ antialias: true, preserveDrawingBuffer: false });
    this.renderer.setPixelRatio(Math.min(window.devicePixelRatio || 1, 2));
    this.renderer.setClearColor(0xeef1f4, 1);
    container.appendChild(this.renderer.domElement);

    this.scene = new THREE.Scene();
    this.camera = new THREE.PerspectiveCamera(45, 1, 0.1, 5000);
    this.camera.position.set(120, 120, 120);
    this.scene.add(new THREE.HemisphereLight(0xffffff, 0x8d8a80, 2.2));
    const sun = new THREE.DirectionalLight(0xffffff, 1.6);
    sun.position.set(0.5, 1, 0.35);
    this.scene.add(sun);

    this.controls = new OrbitControls(this.camera, this.renderer.domElement);
    this.controls.enableDamping = false;
    this.controls.screenSpacePanning = true;
    this.controls.maxPolarAngle = Math.PI * 0.495;
    this.controls.addEventListener('change', () => this.requestRender());

    this.buildings = new Map();
    this.materials = this.makeMaterials();
    this.state = { building: null, storey: null, xray: false, hiddenSystems: new Set() };
    this.roomData = new Map();
    this.mode = 'usage';
    this.selection = null;
    this.overlay = null;
    this.flight = null;
    this.frames = 0;
    this.pending = false;

    new ResizeObserver(() => this.resize()).observe(container);
    this.resize();
  }

  makeMaterials() {
    const lit = (colour, extra = {}) => new THREE.MeshLambertMaterial({ color: colour, ...extra });
    const faded = (colour) =>
      lit(colour, { transparent: true, opacity: FADED_OPACITY, depthWrite: false });
    const structure = {};
    for (const kind of STRUCTURE_GROUPS) {
      const colour = this.palette.structure[kind] || '#cccccc';
      structure[kind] = {
        normal: lit(colour),
        faded: faded(colour),
        xray: lit(colour, { transparent: true, opacity: XRAY_OPACITY, depthWrite: false }),
      };
    }
    const rooms = {
      normal: new THREE.MeshBasicMaterial({ vertexColors: true }),
      faded: new THREE.MeshBasicMaterial({
        vertexColors: true, transparent: true, opacity: FADED_OPACITY, depthWrite: false,
      }),
      xray: new THREE.MeshBasicMaterial({
        vertexColors: true, transparent: true, opacity: 0.16, depthWrite: false,
      }),
    };
    return { structure, rooms, services: new Map(), faded, lit };
  }

  serviceMaterials(medium) {
    const key = medium || 'unknown';
    if (!this.materials.services.has(key)) {
      const colour = this.palette.media[key] || this.palette.media.unknown || '#7f7f7f';
      this.materials.services.set(key, {
        normal: this.materials.lit(colour),
        faded: this.materials.faded(colour),
        // In X-ray services are the subject: lit (round pipes read as round), a little glow.
        xray: this.materials.lit(colour, { emissive: new THREE.Color(colour).multiplyScalar(0.3) }),
      });
    }
    return this.materials.services.get(key);
  }

  materialsFor(group) {
    if (group.kind === 'rooms') return this.materials.rooms;
    if (group.kind === 'services') return this.serviceMaterials(group.medium);
    return this.materials.structure[group.kind] || this.materials.structure.other;
  }

  /** Add a loaded building: its own materials are replaced by the shared ones. */
  addBuilding(model) {
    for (const group of model.groups) {
      const meshes = [group.merged, ...group.instanced].filter(Boolean);
      for (const mesh of meshes) {
        if (mesh.material && mesh.material.dispose) mesh.material.dispose();
        mesh.material = this.materialsFor(group).normal;
      }
      if (group.kind === 'rooms' && group.merged) this.prepareRoomColours(group);
    }
    this.buildings.set(model.code, model);
    this.scene.add(model.root);
    this.applyVisibility();
    this.recolourBuilding(model);
  }

  prepareRoomColours(group) {
    const geometry = group.merged.geometry;
    const count = geometry.getAttribute('position').count;
    const normal = geometry.getAttribute('normal');
    group.shade = new Float32Array(count);
    for (let i = 0; i < count; i++) group.shade[i] = normal && normal.getY(i) > 0.5 ? 1 : SIDE_SHADE;
    geometry.setAttribute('color', new THREE.BufferAttribute(new Float32Array(count * 3), 3));
  }

  /** Room records from the API (what the colour modes read); recolours what is loaded. */
  setRoomData(rooms, recolour = true) {
    for (const room of rooms) this.roomData.set(room.room_code, room);
    if (recolour) for (const model of this.buildings.values()) this.recolourBuilding(model);
  }

  setMode(mode) {
    this.palette.mode(mode);
    this.mode = mode;
    for (const model of this.buildings.values()) this.recolourBuilding(model);
  }

  recolourBuilding(model) {
    const colour = new THREE.Color();
    const highlight = new THREE.Color(this.palette.highlight);
    for (const group of model.groups) {
      if (group.kind !== 'rooms' || !group.merged) continue;
      const table = new Float32Array(group.ids.length * 3);
      group.ids.forEach((code, index) => {
        const selected = this.selection && this.selection.kind === 'room' && this.selection.id === code;
        if (selected) colour.copy(highlight);
        else colour.set(this.palette.colourFor(this.mode, this.roomData.get(code)));
        table[index * 3] = colour.r;
        table[index * 3 + 1] = colour.g;
        table[index * 3 + 2] = colour.b;
      });
      const geometry = group.merged.geometry;
      const index = geometry.getAttribute(group.indexAttribute);
      const target = geometry.getAttribute('color');
      const out = target.array;
      for (let i = 0; i < index.count; i++) {
        const k = index.getX(i) * 3;
        const shade = group.shade[i];
        out[i * 3] = table[k] * shade;
        out[i * 3 + 1] = table[k + 1] * shade;
        out[i * 3 + 2] = table[k + 2] * shade;
      }
      target.needsUpdate = true;
    }
    this.requestRender();
  }

  // --- what is shown -------------------------------------------------------------------

  /** Whole campus (`null`), one building, or one storey of it (storeys above hidden). */
  isolate(buildingCode, storeyCode = null) {
    this.state.building = buildingCode;
    this.state.storey = storeyCode;
    this.applyVisibility();
  }

  setXray(on) {
    this.state.xray = on;
    this.applyVisibility();
  }

  setSystemVisible(system, visible) {
    if (visible) this.state.hiddenSystems.delete(system);
    else this.state.hiddenSystems.add(system);
    this.applyVisibility();
  }

  /** 'normal', 'faded' or 'hidden' for a group, from the isolation state. */
  lookOf(model, storey, group) {
    const { building, storey: chosen } = this.state;
    // Services run inside walls, floors and ceilings: drawn only in X-ray, where they are
    // seen; hidden, they cost no draw call and no vertex (most triangles of a campus).
    if (group.kind === 'services' && !this.state.xray) return 'hidden';
    if (group.kind === 'services' && this.state.hiddenSystems.has(group.system || group.medium)) {
      return 'hidden';
    }
    // Roofs hide what the campus is about: without them the top storey's rooms show
    // their colours from above, like a doll's house.
    if (group.kind === 'roofs') return 'hidden';
    if (!building) return 'normal';
    if (model.code !== building) return 'faded';
    if (!chosen) return 'normal';
    const chosenStorey = model.storeyByCode.get(chosen);
    if (!chosenStorey || !storey) return 'normal';
    if (storey.elevation > chosenStorey.elevation) return 'hidden';
    if (storey.code === chosen) return 'normal';
    return 'faded';
  }

  applyVisibility() {
    const xray = this.state.xray;
    for (const model of this.buildings.values()) {
      for (const storey of model.storeys) {
        for (const group of storey.groups) {
          let look = this.lookOf(model, storey, group);
          const materials = this.materialsFor(group);
          if (xray && look === 'normal') look = 'xray';
          group.look = look;
          group.object.visible = look !== 'hidden';
          const material = look === 'hidden' ? materials.normal : materials[look];
          for (const mesh of [group.merged, ...group.instanced]) {
            if (!mesh) continue;
            mesh.material = material;
            // Faded and see-through things draw after the solid ones and take no clicks.
            mesh.renderOrder = look === 'normal' ? 0 : 1;
          }
        }
      }
    }
    this.requestRender();
  }

  /** Systems (name → medium) present in the loaded buildings, for the X-ray filter. */
  systems() {
    const found = new Map();
    for (const model of this.buildings.values()) {
      for (const group of model.groups) {
        if (group.kind === 'services') found.set(group.system || group.medium, group.medium);
      }
    }
    return new Map([...found.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1)));
  }

  /** Rooms currently shown solid (for the legend): a storey, a building, or the campus. */
  shownRoomCodes() {
    const codes = [];
    for (const model of this.buildings.values()) {
      for (const group of model.groups) {
        if (group.kind === 'rooms' && (group.look === 'normal' || group.look === 'xray')) {
          codes.push(...group.ids);
        }
      }
    }
    return codes;
  }

  // --- camera --------------------------------------------------------------------------

  campusBounds() {
    const box = new THREE.Box3();
    for (const model of this.buildings.values()) box.union(model.bounds);
    return box;
  }

  /** Put the camera so `box` fills the view, looking down at `elevationDeg`. */
  frameBox(box, { elevationDeg = 38, azimuthDeg = 35, animate = true, margin = 1.15 } = {}) {
    if (box.isEmpty()) return;
    const sphere = box.getBoundingSphere(new THREE.Sphere());
    const fov = THREE.MathUtils.degToRad(this.camera.fov);
    const fit = Math.min(fov, 2 * Math.atan(Math.tan(fov / 2) * this.camera.aspect));
    const distance = (Math.max(sphere.radius, 2) * margin) / Math.sin(fit / 2);
    const elevation = THREE.MathUtils.degToRad(elevationDeg);
    const azimuth = THREE.MathUtils.degToRad(azimuthDeg);
    const offset = new THREE.Vector3(
      Math.cos(elevation) * Math.sin(azimuth),
      Math.sin(elevation),
      Math.cos(elevation) * Math.cos(azimuth),
    ).multiplyScalar(distance);
    this.flyTo(sphere.center.clone().add(offset), sphere.center, animate);
  }

  flyTo(position, target, animate = true) {
    const near = Math.max(0.05, position.distanceTo(target) / 2000);
    this.camera.near = near;
    this.camera.far = Math.max(2000, position.distanceTo(target) * 20);
    this.camera.updateProjectionMatrix();
    if (!animate) {
      this.flight = null;
      this.camera.position.copy(position);
      this.controls.target.copy(target);
      this.controls.update();
      this.requestRender();
      return Promise.resolve();
    }
    const from = { position: this.camera.position.clone(), target: this.controls.target.clone() };
    const started = performance.now();
    const duration = 650;
    return new Promise((resolve) => {
      this.flight = { from, position, target, started, duration, resolve };
      this.requestRender();
    });
  }

  stepFlight(now) {
    const f = this.flight;
    if (!f) return;
    const t = Math.min(1, (now - f.started) / f.duration);
    const ease = t < 0.5 ? 2 * t * t : 1 - Math.pow(-2 * t + 2, 2) / 2;
    this.camera.position.lerpVectors(f.from.position, f.position, ease);
    this.controls.target.lerpVectors(f.from.target, f.target, ease);
    this.controls.update();
    if (t >= 1) {
      this.flight = null;
      f.resolve();
    } else {
      this.requestRender();
    }
  }

  /** Frame one storey of a building from above, the way a floor plan is read. */
  frameStorey(model, storeyCode, animate = true) {
    const storey = model.storeyByCode.get(storeyCode);
    const box = new THREE.Box3();
    if (storey) for (const group of storey.groups) box.union(new THREE.Box3().setFromObject(group.object));
    this.frameBox(box.isEmpty() ? model.bounds : box, { elevationDeg: 62, animate, margin: 1.0 });
  }

  /** Fly to a room: close enough to read it, steep enough to see its top. */
  frameRoom(model, code, animate = true) {
    const box = model.roomBox(code);
    const point = model.roomPoint(code);
    if (!box && !point) return Promise.resolve();
    const target = point || box.getCenter(new THREE.Vector3());
    const size = box ? box.getSize(new THREE.Vector3()) : new THREE.Vector3(6, 3, 6);
    const radius = Math.max(10, Math.hypot(size.x, size.z) * 2.2);
    const elevation = THREE.MathUtils.degToRad(65);
    const azimuth = THREE.MathUtils.degToRad(25);
    const offset = new THREE.Vector3(
      Math.cos(elevation) * Math.sin(azimuth),
      Math.sin(elevation),
      Math.cos(elevation) * Math.cos(azimuth),
    ).multiplyScalar(radius * 1.8);
    return this.flyTo(target.clone().add(offset), target, animate);
  }

  // --- picking and highlighting --------------------------------------------------------

  /** What is under a pixel (client coordinates): {kind: 'room'|'element', id, building} or null. */
  pick(clientX, clientY) {
    const rect = this.renderer.domElement.getBoundingClientRect();
    const ndc = new THREE.Vector2(
      ((clientX - rect.left) / rect.width) * 2 - 1,
      -((clientY - rect.top) / rect.height) * 2 + 1,
    );
    const raycaster = new THREE.Raycaster();
    raycaster.setFromCamera(ndc, this.camera);
    const candidates = [];
    for (const model of this.buildings.values()) {
      for (const group of model.groups) {
        const solid = group.look === 'normal';
        const xrayPickable = group.look === 'xray' && (group.kind === 'rooms' || group.kind === 'services');
        if (!solid && !xrayPickable) continue;
        if (group.merged) candidates.push(group.merged);
        candidates.push(...group.instanced);
      }
    }
    const hits = raycaster.intersectObjects(candidates, false);
    if (!hits.length) return null;
    // In X-ray the rooms are see-through: a pipe inside or behind one is what was meant.
    const hit = (this.state.xray && hits.find((h) => h.object.userData.twinGroup.kind === 'services')) || hits[0];
    const group = hit.object.userData.twinGroup;
    const index = hit.object.isInstancedMesh
      ? hit.object.userData.indices[hit.instanceId]
      : hit.object.geometry.getAttribute(group.indexAttribute).getX(hit.face.a);
    return {
      kind: group.kind === 'rooms' ? 'room' : 'element',
      id: group.ids[index],
      building: group.building.code,
      group,
      index,
    };
  }

  /** Highlight one room or element (or nothing with `null`). */
  select(selection) {
    const previous = this.selection;
    this.selection = selection;
    if (this.overlay) {
      this.overlay.removeFromParent();
      this.overlay.geometry.dispose();
      this.overlay = null;
    }
    const touched = new Set();
    if (previous && previous.kind === 'room') touched.add(this.buildings.get(previous.building));
    if (selection && selection.kind === 'room') touched.add(this.buildings.get(selection.building));
    for (const model of touched) if (model) this.recolourBuilding(model);
    if (selection && selection.kind === 'element') this.outlineElement(selection);
    this.requestRender();
  }

  /** An element in a merged mesh is highlighted by a copy of its triangles drawn on top. */
  outlineElement(selection) {
    const { group, index } = selection;
    const material = new THREE.MeshBasicMaterial({
      color: this.palette.highlight, depthTest: false, transparent: true, opacity: 0.85,
    });
    const instanced = group.instanced.find((mesh) => mesh.userData.indices.includes(index));
    let mesh;
    if (instanced) {
      const k = instanced.userData.indices.indexOf(index);
      mesh = new THREE.Mesh(instanced.geometry.clone(), material);
      instanced.getMatrixAt(k, mesh.matrix);
      mesh.matrixAutoUpdate = false;
    } else if (group.merged) {
      const source = group.merged.geometry;
      const ids = source.getAttribute(group.indexAttribute);
      const position = source.getAttribute('position');
      const triangles = source.index;
      const picked = [];
      for (let i = 0; i < triangles.count; i += 3) {
        const a = triangles.getX(i);
        if (ids.getX(a) !== index) continue;
        for (let j = 0; j < 3; j++) {
          const v = triangles.getX(i + j);
          picked.push(position.getX(v), position.getY(v), position.getZ(v));
        }
      }
      const geometry = new THREE.BufferGeometry();
      geometry.setAttribute('position', new THREE.Float32BufferAttribute(picked, 3));
      mesh = new THREE.Mesh(geometry, material);
    }
    if (!mesh) return;
    mesh.renderOrder = 10;
    group.object.add(mesh);
    this.overlay = mesh;
  }

  // --- projection and rendering --------------------------------------------------------

  /** The room's label point on screen, in CSS pixels of the page, or null when not in view. */
  projectRoom(code) {
    for (const model of this.buildings.values()) {
      if (model.rooms.has(code)) return this.project(model.roomPoint(code));
    }
    return null;
  }

  /** The centre of an element's box on screen (CSS pixels), or null. */
  projectElement(id) {
    for (const model of this.buildings.values()) {
      const box = model.elementBox(id);
      if (box) return this.project(box.getCenter(new THREE.Vector3()));
    }
    return null;
  }

  project(point) {
    if (!point) return null;
    this.camera.updateMatrixWorld();
    const ndc = point.clone().project(this.camera);
    if (ndc.z < -1 || ndc.z > 1) return null;
    const rect = this.renderer.domElement.getBoundingClientRect();
    return {
      x: rect.left + ((ndc.x + 1) / 2) * rect.width,
      y: rect.top + ((1 - ndc.y) / 2) * rect.height,
    };
  }

  /** Fly to an element (a pipe, a valve…) so it fills a good part of the view. */
  frameElement(model, id, animate = true) {
    const box = model.elementBox(id);
    if (!box) return Promise.resolve();
    const centre = box.getCenter(new THREE.Vector3());
    const size = Math.max(1.5, box.getSize(new THREE.Vector3()).length());
    const offset = new THREE.Vector3(0.35, 0.8, 0.5).normalize().multiplyScalar(size * 1.6);
    return this.flyTo(centre.clone().add(offset), centre, animate);
  }

  resize() {
    const width = this.container.clientWidth || 1;
    const height = this.container.clientHeight || 1;
    this.camera.aspect = width / height;
    this.camera.updateProjectionMatrix();
    this.renderer.setSize(width, height, false);
    this.requestRender();
  }

  requestRender() {
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame((now) => {
      this.pending = false;
      this.stepFlight(now);
      this.renderNow();
    });
  }

  renderNow() {
    this.renderer.render(this.scene, this.camera);
    this.frames += 1;
    if (this.onRendered) this.onRendered();
  }

  /** Render now and wait for the GPU: read one pixel back (what "finished frame" means). */
  finishFrame() {
    this.renderNow();
    const gl = this.renderer.getContext();
    const pixel = new Uint8Array(4);
    gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, pixel);
    return performance.now();
  }

  /** Time `n` finished frames while the camera turns around its target (ms each). */
  rotateFrames(n, degreesPerFrame) {
    const times = [];
    const up = new THREE.Vector3(0, 1, 0);
    const offset = this.camera.position.clone().sub(this.controls.target);
    for (let i = 0; i < n; i++) {
      offset.applyAxisAngle(up, THREE.MathUtils.degToRad(degreesPerFrame));
      this.camera.position.copy(this.controls.target).add(offset);
      this.camera.lookAt(this.controls.target);
      const started = performance.now();
      this.finishFrame();
      times.push(performance.now() - started);
    }
    return times;
  }

  drawCalls() {
    return this.renderer.info.render.calls;
  }
}
