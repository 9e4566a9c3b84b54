// Maintenance network tools on the page: for the selected element, "Trace up", "Trace
// down" and "Isolate" ask the API (GET /api/elements/{id}/trace, POST /api/isolate) and
// highlight the answer in the 3D view: the traced elements, the valves to close, the
// terminals and rooms that lose service, drawn on top of everything (X-ray on).
// main.js and ui.js only hook this in; the overlays are this module's own meshes.

import * as THREE from 'three';

export const NETWORK_COLOURS = {
  path: '#00e5ff', // traced elements
  valve: '#ff1fd2', // valves to close (apart from every medium's colour)
  lost: '#ffb000', // terminals that lose service
  room: '#ff6f61', // rooms that lose service
};

async function requestJson(path, options = {}) {
  const response = await fetch(path, {
    ...options,
    headers: { Accept: 'application/json', 'Content-Type': 'application/json' },
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    const detail = body.detail || {};
    throw new Error(detail.message || `${response.status} ${response.statusText}`);
  }
  return body;
}

export const networkApi = {
  trace: (id, direction) => requestJson(
    `/api/elements/${encodeURIComponent(id)}/trace?direction=${direction}`,
  ),
  isolate: (id) => requestJson('/api/isolate', {
    method: 'POST',
    body: JSON.stringify({ element_id: id }),
  }),
};

/** Triangles of the parts `indices` of one GLB group, in the group's own coordinates. */
function partTriangles(group, indices) {
  const out = [];
  if (group.merged) {
    const source = group.merged.geometry;
    const ids = source.getAttribute(group.indexAttribute);
    const position = source.getAttribute('position');
    const triangles = source.index;
    for (let i = 0; i < triangles.count; i += 3) {
      if (!indices.has(ids.getX(triangles.getX(i)))) continue;
      for (let j = 0; j < 3; j++) {
        const v = triangles.getX(i + j);
        out.push(position.getX(v), position.getY(v), position.getZ(v));
      }
    }
  }
  const matrix = new THREE.Matrix4();
  const point = new THREE.Vector3();
  for (const mesh of group.instanced) {
    const position = mesh.geometry.getAttribute('position');
    const triangles = mesh.geometry.index;
    mesh.userData.indices.forEach((index, k) => {
      if (!indices.has(index)) return;
      mesh.getMatrixAt(k, matrix);
      const count = triangles ? triangles.count : position.count;
      for (let i = 0; i < count; i++) {
        const v = triangles ? triangles.getX(i) : i;
        point.fromBufferAttribute(position, v).applyMatrix4(matrix);
        out.push(point.x, point.y, point.z);
      }
    });
  }
  return out;
}

export class NetworkTools {
  /** `app` is main.js's App: its view, ui and showBuilding are used. */
  constructor(app) {
    this.app = app;
    this.view = app.view;
    this.overlays = [];
    this.last = null;
    this.shown = { elements: 0, valves: 0, terminals: 0, rooms: 0 };
  }

  /** The buttons under an element's details (ui.js calls this from showElement). */
  elementSection(element) {
    const section = document.createElement('div');
    section.className = 'network-tools';
    const heading = document.createElement('h3');
    heading.textContent = 'Network';
    const buttons = document.createElement('div');
    buttons.className = 'network-buttons';
    const result = document.createElement('div');
    result.className = 'network-result';
    result.setAttribute('aria-live', 'polite');
    for (const [action, label] of [['up', 'Trace up'], ['down', 'Trace down'], ['isolate', 'Isolate'], ['clear', 'Clear']]) {
      const button = document.createElement('button');
      button.type = 'button';
      button.dataset.network = action;
      button.textContent = label;
      button.addEventListener('click', () => this.run(action, element.element_id, result));
      buttons.append(button);
    }
    section.append(heading, buttons, result);
    return section;
  }

  /** Run one tool on element `id`; shows the answer in `into` (a node) if given. */
  async run(action, id, into = null) {
    if (action === 'clear') {
      this.clear();
      if (into) into.replaceChildren();
      return null;
    }
    let answer;
    try {
      answer = action === 'isolate'
        ? await networkApi.isolate(id)
        : await networkApi.trace(id, action === 'up' ? 'upstream' : 'downstream');
    } catch (error) {
      this.app.ui.status(error.message, true);
      if (into) into.replaceChildren(Object.assign(document.createElement('p'), { className: 'error', textContent: error.message }));
      return null;
    }
    this.last = { action, answer };
    await this.highlight(action, answer);
    if (into) into.replaceChildren(...this.describe(action, answer));
    this.app.ui.status(answer.message);
    return answer;
  }

  describe(action, answer) {
    const nodes = [];
    const p = (text, className) => Object.assign(document.createElement('p'), { textContent: text, className: className || '' });
    nodes.push(p(answer.message));
    for (const warning of answer.warnings || []) nodes.push(p(`⚠ ${warning}`, 'warning'));
    const list = (title, items) => {
      if (!items.length) return;
      nodes.push(Object.assign(document.createElement('h4'), { textContent: title }));
      const ul = document.createElement('ul');
      for (const item of items) ul.append(Object.assign(document.createElement('li'), { textContent: item }));
      nodes.push(ul);
    };
    if (action === 'isolate') {
      list('Valves to close', answer.valves.map((v) => `${v.element_id} ${v.name || ''}`));
      list('Rooms losing service', answer.rooms);
      list('Sensors in them', answer.sensors.map((s) => `${s.sensor_id} (${s.kind})`));
    } else {
      list(action === 'up' ? 'Sources' : 'Terminals', action === 'up' ? answer.sources : answer.terminals.slice(0, 50));
      list('Rooms passed', answer.rooms);
    }
    return nodes;
  }

  clear() {
    for (const mesh of this.overlays) {
      mesh.removeFromParent();
      mesh.geometry.dispose();
      mesh.material.dispose();
    }
    this.overlays = [];
    this.shown = { elements: 0, valves: 0, terminals: 0, rooms: 0 };
    this.view.requestRender();
  }

  /** Draw `ids` (rooms or elements) of every loaded building in `colour`; returns how many. */
  overlay(kind, ids, colour, opacity) {
    let drawn = 0;
    for (const model of this.view.buildings.values()) {
      const table = kind === 'rooms' ? model.rooms : model.elements;
      const byGroup = new Map();
      for (const id of ids) {
        const part = table.get(id);
        if (!part) continue;
        drawn += 1;
        if (!byGroup.has(part.group)) byGroup.set(part.group, new Set());
        byGroup.get(part.group).add(part.index);
      }
      for (const [group, indices] of byGroup) {
        const triangles = partTriangles(group, indices);
        if (!triangles.length) continue;
        const geometry = new THREE.BufferGeometry();
        geometry.setAttribute('position', new THREE.Float32BufferAttribute(triangles, 3));
        const material = new THREE.MeshBasicMaterial({
          color: colour, transparent: true, opacity, depthTest: false, depthWrite: false,
          side: THREE.DoubleSide,
        });
        const mesh = new THREE.Mesh(geometry, material);
        mesh.renderOrder = kind === 'rooms' ? 8 : 9;
        mesh.userData.networkOverlay = kind;
        group.object.add(mesh);
        this.overlays.push(mesh);
      }
    }
    return drawn;
  }

  async highlight(action, answer) {
    this.clear();
    if (!this.view.state.xray) this.app.ui.setXray(true);
    const building = answer.element.building_code;
    // Traces and dead sections span storeys: show the whole building (or campus).
    await this.app.showBuilding(building || null, { fly: false });
    if (action === 'isolate') {
      this.shown.rooms = this.overlay('rooms', answer.rooms, NETWORK_COLOURS.room, 0.45);
      this.shown.terminals = this.overlay('elements', answer.terminals.map((t) => t.element_id), NETWORK_COLOURS.lost, 0.9);
      this.shown.valves = this.overlay('elements', answer.valves_to_close, NETWORK_COLOURS.valve, 1.0);
      this.shown.elements = this.overlay('elements', [answer.element.element_id], NETWORK_COLOURS.path, 1.0);
    } else {
      this.shown.rooms = this.overlay('rooms', answer.rooms, NETWORK_COLOURS.room, 0.25);
      this.shown.elements = this.overlay('elements', answer.elements.map((e) => e.element_id), NETWORK_COLOURS.path, 0.95);
    }
    this.view.requestRender();
  }

  /** For window.campusTwin: run a tool and report what is highlighted. */
  testHook() {
    return {
      run: (action, id) => this.run(action, id).then((answer) => answer && { ...this.shown }),
      shown: () => ({ ...this.shown }),
      colours: NETWORK_COLOURS,
    };
  }
}
