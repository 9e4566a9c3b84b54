// Maintenance mode: with a room selected, the "Maintenance" toggle draws the room's hidden
// services through the see-through (X-ray) surfaces (the building's rooms are fetched in
// one batch, GET /api/buildings/{b}/hidden-pipes, so moving from room to room is instant),
// labelled with element id, medium and diameter; a click on a wall, the floor or (with
// "ceiling" ticked) the ceiling of that room runs the drill check there (POST
// /api/drill-check), drilling along the surface normal into the surface, and shows the
// answer. The answer never says "safe": it names the model files and that positions are
// as designed. The store is Z-up in site metres; the scene is Y-up: (x, y, z) → (x, z, -y).

import * as THREE from 'three';
import { api } from './api.js';

const MIN_DRAWN_RADIUS_M = 0.012; // thin cables would vanish at room scale
const DRILL_RADIUS_M = 0.02;

const toWorld = ([x, y, z]) => new THREE.Vector3(x, z, -y);
const toSite = (v) => [v.x, -v.z, v.y];

const STYLE = `
#maintenance[disabled] { opacity: .5; cursor: default; }
#maintenance-panel { position: fixed; left: 236px; top: 56px; width: 340px; max-height: 45vh;
  overflow: auto; z-index: 3; background: var(--panel); border-radius: var(--radius);
  padding: 8px 12px; box-shadow: 0 4px 16px rgba(0, 0, 0, .12); font-size: 13px; }
#maintenance-panel h2 { font-size: 14px; margin: 0 0 4px; }
#maintenance-panel .controls { display: flex; gap: 10px; align-items: center; margin: 4px 0; }
#maintenance-panel .controls input[type=number] { width: 80px; min-height: 28px; padding: 2px 6px; }
#maintenance-panel .controls input[type=checkbox] { min-height: 0; }
#maintenance-panel .answer { margin-top: 6px; border-top: 1px solid var(--line); padding-top: 6px; }
#maintenance-panel .message { font-weight: 600; }
#maintenance-panel .notice, #maintenance-panel .models { color: var(--muted); }
#maintenance-panel ul { margin: 2px 0; padding-left: 18px; }
#maintenance-labels { position: fixed; inset: 0; z-index: 1; pointer-events: none; overflow: hidden; }
#maintenance-labels .label { position: absolute; transform: translate(-50%, -120%); white-space: nowrap;
  font: 600 11px/1.2 ui-monospace, monospace; background: rgba(255, 255, 255, .85);
  border-left: 4px solid var(--colour); padding: 1px 4px; border-radius: 3px; }
@media (max-width: 700px) { #maintenance-panel { left: 0; right: 0; top: auto; width: auto; bottom: 0; } }
`;

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    node.setAttribute(key, value === true ? '' : String(value));
  }
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

const diameter = (d) => (d ? `Ø ${Math.round(d * 1000)} mm` : 'Ø ?');

/** The surfaces of a room as the hidden-pipes answer describes it (site coordinates). */
function roomSurfaces(answer) {
  const floor = answer.floor_elevation_m;
  const ceiling = answer.finish_ceiling_m;
  const outline = answer.walls.map((w) => w.from_m);
  const surfaces = [
    { kind: 'floor', normal: [0, 0, -1], plane: floor, outline },
    { kind: 'ceiling', normal: [0, 0, 1], plane: ceiling, outline },
  ];
  for (const wall of answer.walls) {
    const [ax, ay] = wall.from_m;
    const [bx, by] = wall.to_m;
    const length = Math.hypot(bx - ax, by - ay);
    surfaces.push({
      kind: 'wall',
      name: wall.wall,
      normal: [(by - ay) / length, -(bx - ax) / length, 0], // right of a counter-clockwise edge
      from: [ax, ay],
      along: [(bx - ax) / length, (by - ay) / length],
      length,
      floor,
      ceiling,
    });
  }
  return surfaces;
}

function insidePolygon([x, y], outline) {
  let inside = false;
  for (let i = 0, j = outline.length - 1; i < outline.length; j = i++) {
    const [xi, yi] = outline[i];
    const [xj, yj] = outline[j];
    if ((yi > y) !== (yj > y) && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** Where a ray (site coordinates) meets a surface: {t, point} or null. */
function hitSurface(surface, origin, direction) {
  const dot = (a, b) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
  const n = surface.normal;
  const along = dot(direction, n);
  if (Math.abs(along) < 1e-9) return null;
  let t;
  if (surface.kind === 'wall') {
    const offset = surface.from[0] * n[0] + surface.from[1] * n[1];
    t = (offset - dot(origin, n)) / along;
  } else {
    t = (surface.plane - origin[2]) / direction[2];
  }
  if (!(t > 0)) return null;
  const point = [0, 1, 2].map((k) => origin[k] + t * direction[k]);
  if (surface.kind === 'wall') {
    const s = (point[0] - surface.from[0]) * surface.along[0] + (point[1] - surface.from[1]) * surface.along[1];
    if (s < 0 || s > surface.length || point[2] < surface.floor || point[2] > surface.ceiling) return null;
  } else if (!insidePolygon(point, surface.outline)) {
    return null;
  }
  return { t, point, exits: along > 0 };
}

export class Maintenance {
  /** `setXray(on)` turns the page's X-ray on or off (surfaces see-through). */
  constructor(view, palette, { setXray, status }) {
    this.view = view;
    this.palette = palette;
    this.setXray = setXray;
    this.status = status;
    this.active = false;
    this.room = null;
    this.answer = null;
    this.lastDrill = null;
    this.loading = Promise.resolve(null);
    this.batches = new Map(); // building code → promise of {room code: hidden services}
    this.overlay = new THREE.Group();
    this.overlay.name = 'maintenance';
    this.overlay.renderOrder = 20;
    view.scene.add(this.overlay);
    this.labels = [];
    this.buildDom();
    const previous = view.onRendered;
    view.onRendered = () => {
      if (previous) previous();
      this.placeLabels();
    };
  }

  buildDom() {
    document.head.append(el('style', {}, STYLE));
    this.button = el('button', {
      id: 'maintenance', type: 'button', 'aria-pressed': 'false', disabled: true,
      title: 'Select a room: its hidden services, and a drill check where you click',
    }, 'Maintenance');
    this.button.addEventListener('click', () => this.toggle(!this.active));
    document.getElementById('topbar').append(this.button);
    this.labelLayer = el('div', { id: 'maintenance-labels', 'aria-hidden': 'true' });
    document.body.append(this.labelLayer);
    this.depthInput = el('input', { type: 'number', id: 'drill-depth', min: '0.01', max: '5', step: '0.01', value: '0.1' });
    this.ceilingInput = el('input', { type: 'checkbox', id: 'drill-ceiling' });
    this.summary = el('div', { class: 'summary' });
    this.answerBox = el('div', { class: 'answer', hidden: true });
    this.panel = el('aside', { id: 'maintenance-panel', 'aria-live': 'polite', hidden: true },
      el('h2', { id: 'maintenance-title' }, 'Maintenance'),
      this.summary,
      el('div', { class: 'controls' },
        el('label', {}, 'Drill depth (m) ', this.depthInput),
        el('label', {}, this.ceilingInput, ' ceiling')),
      el('div', { class: 'hint' }, 'Click a wall or the floor of the room (tick "ceiling" for the ceiling) to check before drilling.'),
      this.answerBox);
    document.body.append(this.panel);
  }

  /** The selected room changed (null: none, or an element). */
  async roomSelected(room) {
    this.room = room ? { code: room.room_code, building: room.building_code } : null;
    this.button.disabled = !this.room;
    if (!this.active) return;
    if (!this.room) {
      await this.toggle(false);
      return;
    }
    await this.load();
  }

  async toggle(on) {
    if (on && !this.room) return null;
    this.active = on;
    this.button.setAttribute('aria-pressed', String(on));
    this.panel.hidden = !on;
    if (!on) {
      this.batches.clear(); // the next switch reads the store afresh
      this.clear();
      this.answerBox.hidden = true;
      this.view.requestRender();
      return null;
    }
    this.setXray(true);
    return this.load();
  }

  /** The room's hidden services from its building's batch (fetched once per mode switch). */
  async hiddenServices({ code, building }) {
    if (!this.batches.has(building)) {
      const batch = api.hiddenPipesOfBuilding(building);
      this.batches.set(building, batch);
      batch.catch(() => this.batches.delete(building));
    }
    const rooms = await this.batches.get(building);
    return rooms[code] || api.hiddenPipes(code);
  }

  load() {
    const code = this.room.code;
    this.loading = this.hiddenServices(this.room).then((answer) => {
      if (!this.active || !this.room || this.room.code !== code) return null;
      this.answer = answer;
      this.surfaces = roomSurfaces(answer);
      this.draw(answer);
      this.answerBox.hidden = true;
      return answer;
    }).catch((error) => {
      this.status(error.message, true);
      return null;
    });
    return this.loading;
  }

  clear() {
    for (const child of [...this.overlay.children]) {
      child.removeFromParent();
      child.geometry.dispose();
      child.material.dispose();
    }
    this.labels = [];
    this.labelLayer.replaceChildren();
  }

  colourOf(medium) {
    return this.palette.media[medium] || this.palette.media.unknown || '#7f7f7f';
  }

  /** A cylinder between two site points, drawn over everything. */
  rod(from, to, radius, colour, opacity = 0.95) {
    const a = toWorld(from);
    const b = toWorld(to);
    const length = Math.max(a.distanceTo(b), 0.01);
    const geometry = new THREE.CylinderGeometry(radius, radius, length, 12);
    const material = new THREE.MeshBasicMaterial({ color: colour, depthTest: false, transparent: true, opacity });
    const mesh = new THREE.Mesh(geometry, material);
    mesh.position.copy(a).add(b).multiplyScalar(0.5);
    const axis = b.clone().sub(a);
    if (axis.lengthSq() > 0) mesh.quaternion.setFromUnitVectors(new THREE.Vector3(0, 1, 0), axis.normalize());
    mesh.renderOrder = 20;
    this.overlay.add(mesh);
    return mesh;
  }

  draw(answer) {
    this.clear();
    const where = { ceiling: 0, floor: 0, wall: 0 };
    for (const service of answer.services) {
      where[service.where] += 1;
      if (!service.from_m || !service.to_m) continue;
      const colour = this.colourOf(service.medium);
      const radius = Math.max((service.outer_diameter_m || 0) / 2, MIN_DRAWN_RADIUS_M);
      this.rod(service.from_m, service.to_m, radius, colour);
      const middle = toWorld(service.from_m).add(toWorld(service.to_m)).multiplyScalar(0.5);
      const text = `${service.element_id} · ${service.medium || service.kind} · ${diameter(service.outer_diameter_m)}`;
      const label = el('div', { class: 'label', 'data-element': service.element_id, style: `--colour:${colour}` }, text);
      this.labelLayer.append(label);
      this.labels.push({ node: label, point: middle });
    }
    document.getElementById('maintenance-title').textContent = `Maintenance · ${answer.room_code}`;
    const files = answer.models.map((m) => `${m.file_name} (imported ${m.imported_at || '?'})`).join(', ');
    this.summary.replaceChildren(
      el('div', {}, answer.services.length
        ? `${answer.services.length} hidden services: ${where.ceiling} in the ceiling void, ${where.floor} in the floor, ${where.wall} in walls`
        : 'No modelled service hidden in this room'),
      el('div', { class: 'models' }, `Model: ${files || 'none'} · ${answer.compass.convention}`),
    );
    this.view.requestRender();
  }

  placeLabels() {
    for (const { node, point } of this.labels) {
      const at = this.view.project(point);
      node.hidden = !at;
      if (at) {
        node.style.left = `${at.x}px`;
        node.style.top = `${at.y}px`;
      }
    }
  }

  /** The room surface under a pixel: the one seen through the room (or its ceiling). */
  surfaceAt(clientX, clientY) {
    if (!this.surfaces) return null;
    const rect = this.view.renderer.domElement.getBoundingClientRect();
    const ndc = new THREE.Vector2(
      ((clientX - rect.left) / rect.width) * 2 - 1,
      -((clientY - rect.top) / rect.height) * 2 + 1,
    );
    const raycaster = new THREE.Raycaster();
    raycaster.setFromCamera(ndc, this.view.camera);
    const origin = toSite(raycaster.ray.origin);
    const direction = toSite(raycaster.ray.direction);
    const ceiling = this.ceilingInput.checked;
    let best = null;
    for (const surface of this.surfaces) {
      if (ceiling !== (surface.kind === 'ceiling')) continue;
      const hit = hitSurface(surface, origin, direction);
      // Through the see-through room one sees the inside of its far surfaces: the ray leaves there.
      if (!hit || (!ceiling && !hit.exits)) continue;
      if (!best || hit.t < best.t) best = { ...hit, surface };
    }
    return best;
  }

  /** Run the drill check where a click meets the selected room; null when it does not. */
  async drillAt(clientX, clientY) {
    if (!this.active || !this.answer) return null;
    const hit = this.surfaceAt(clientX, clientY);
    if (!hit) return null;
    const depth = Number(this.depthInput.value) || 0.1;
    const body = {
      room: this.answer.room_code,
      point: hit.point.map((v) => Math.round(v * 1000) / 1000),
      direction: hit.surface.normal,
      depth,
    };
    const surface = hit.surface.kind === 'wall' ? `${hit.surface.name} wall` : hit.surface.kind;
    let answer;
    try {
      answer = await api.drillCheck(body);
    } catch (error) {
      this.showAnswer(surface, null, error.message);
      this.lastDrill = { body, surface, error: error.message };
      return this.lastDrill;
    }
    this.drawDrill(body);
    this.showAnswer(surface, answer);
    this.lastDrill = { body, surface, answer };
    return this.lastDrill;
  }

  drawDrill(body) {
    if (this.drill) {
      this.drill.removeFromParent();
      this.drill.geometry.dispose();
      this.drill.material.dispose();
    }
    const end = body.point.map((v, k) => v + body.direction[k] * body.depth);
    this.drill = this.rod(body.point, end, DRILL_RADIUS_M, this.palette.highlight, 1);
    this.view.requestRender();
  }

  showAnswer(surface, answer, error = null) {
    this.answerBox.hidden = false;
    if (error) {
      this.answerBox.replaceChildren(el('div', { class: 'message' }, `Drill check failed: ${error}`));
      return;
    }
    const [x, y, z] = answer.point.map((v) => v.toFixed(2));
    const items = answer.services.map((s) => el('li', { 'data-element': s.element_id },
      `${s.element_id} ${s.system || s.medium || s.kind}, ${diameter(s.outer_diameter_m)}, ${(s.distance_m * 1000).toFixed(0)} mm away`));
    const files = answer.models.map((m) => `${m.file_name} (imported ${m.imported_at || '?'})`).join(', ');
    this.answerBox.replaceChildren(
      el('div', {}, `Drill into the ${surface} at (${x}, ${y}, ${z}), ${answer.depth_m} m deep:`),
      el('div', { class: 'message', id: 'drill-message' }, answer.message),
      items.length ? el('ul', { id: 'drill-services' }, ...items) : null,
      el('div', { class: 'models' }, `Model: ${files}`),
      el('div', { class: 'notice' }, answer.notice),
    );
  }

  /** What the browser test reads and drives. */
  testHook() {
    return {
      toggle: (on) => this.toggle(on),
      loaded: () => this.loading.then((answer) => (answer ? answer.room_code : null)),
      get active() { return this.owner.active; },
      get enabled() { return !this.owner.button.disabled; },
      labels: () => this.labels.map(({ node }) => node.textContent),
      drawn: () => this.overlay.children.length,
      lastDrill: () => this.lastDrill,
      setCeiling: (on) => { this.ceilingInput.checked = on; },
      /** A site point (x, y, z) on screen, in CSS pixels, or null when not in view. */
      projectSitePoint: (point) => this.view.project(toWorld(point)),
      owner: this,
    };
  }
}
