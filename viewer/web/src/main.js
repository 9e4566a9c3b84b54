// The Campus Twin page: loads the palette, the buildings and their GLBs, and wires the
// panels to the 3D view. `/?room=CODE` opens on that room (the door labels link there).
// `window.campusTwin` is a small hook for the browser test and the benchmark.

import { api } from './api.js';
import { LiveRooms } from './live.js';
import { NetworkTools } from './network.js';
import { parseBuilding } from './loader.js';
import { Maintenance } from './maintenance.js';
import { Palette } from './palette.js';
import { chooseSite, mapHref } from './sitelink.js';
import { ScenarioPanel } from './scenarios.js';
import { Ui } from './ui.js';
import { CampusView } from './viewer.js';

class App {
  constructor(palette, buildings) {
    this.palette = palette;
    this.buildings = buildings;
    this.storeys = new Map();
    this.loaded = 0;
    this.failed = 0;
    this.view = new CampusView(document.getElementById('viewport'), palette);
    this.ui = new Ui({
      onMode: (mode) => this.setMode(mode),
      onXray: (on) => this.setXray(on),
      onBuilding: (code) => this.showBuilding(code),
      onStorey: (building, storey) => this.showStorey(building, storey),
      onSystem: (system, visible) => this.view.setSystemVisible(system, visible),
      onSearch: (q) => api.searchRooms(q),
      onChooseRoom: (code) => this.openRoom(code),
      onChooseElement: (id) => this.openElement(id),
      onCloseDetails: () => this.clearSelection(),
      elementSection: (element) => this.network.elementSection(element),
    });
    this.network = new NetworkTools(this);
    this.ui.setModes(palette.document.modes, palette.document.default_mode);
    this.view.mode = palette.document.default_mode;
    this.ui.setBuildings(buildings, null);
    this.setupPicking();
    this.live = new LiveRooms(this.view, () => this.refreshLegend());
    this.maintenance = new Maintenance(this.view, palette, {
      setXray: (on) => this.ui.setXray(on),
      status: (text, error) => this.ui.status(text, error),
    });
    this.scenarios = new ScenarioPanel(this);
  }

  /** Latest values for the live colour modes, then kept current over the WebSocket. */
  async startLive() {
    try {
      await this.live.refresh();
    } catch (error) {
      console.warn(`live values: ${error.message}`);
    }
    this.live.connect();
  }

  async loadAll() {
    this.ui.status(`Loading ${this.buildings.length} buildings…`);
    let framed = false;
    await Promise.all(this.buildings.map(async (building) => {
      const code = building.building_code;
      try {
        const [buffer, rooms] = await Promise.all([api.buildingModel(code), api.roomsOfBuilding(code)]);
        const model = await parseBuilding(code, buffer);
        this.view.setRoomData(rooms, false);
        this.view.addBuilding(model);
        this.loaded += 1;
        if (!framed) {
          framed = true;
          this.view.frameBox(this.view.campusBounds(), { animate: false });
        }
        this.ui.status(`Loaded ${this.loaded} of ${this.buildings.length} buildings`);
      } catch (error) {
        this.failed += 1;
        console.error(`building ${code}: ${error.message}`);
        this.ui.status(`Could not load ${code}: ${error.message}`, true);
      }
    }));
    this.view.frameBox(this.view.campusBounds(), { animate: false });
    this.refreshLegend();
    this.ui.setSystems(this.view.systems(), this.palette.media, this.view.state.hiddenSystems);
    if (!this.failed) this.ui.status(`${this.loaded} buildings · ${this.view.roomData.size} rooms`);
  }

  // --- what is shown -------------------------------------------------------------------

  setMode(mode) {
    this.view.setMode(mode);
    this.ui.setMode(mode);
    this.refreshLegend();
  }

  setXray(on) {
    this.view.setXray(on);
    this.refreshLegend();
  }

  refreshLegend() {
    const rooms = this.view.shownRoomCodes().map((code) => this.view.roomData.get(code) || { room_code: code });
    this.legend = this.palette.legend(this.view.mode, rooms);
    this.ui.setLegend(this.legend);
  }

  async storeysOf(building) {
    if (!this.storeys.has(building)) this.storeys.set(building, await api.storeys(building));
    return this.storeys.get(building);
  }

  async showBuilding(code, { fly = true } = {}) {
    this.view.isolate(code, null);
    this.ui.setBuildings(this.buildings, code);
    this.ui.setStoreys(code, code ? await this.storeysOf(code) : [], null);
    this.refreshLegend();
    if (!fly) return;
    const model = code && this.view.buildings.get(code);
    await this.view.frameBox(model ? model.bounds : this.view.campusBounds());
  }

  async showStorey(building, storey, { fly = true } = {}) {
    if (!storey) return this.showBuilding(building, { fly });
    this.view.isolate(building, storey);
    this.ui.setBuildings(this.buildings, building);
    this.ui.setStoreys(building, await this.storeysOf(building), storey);
    this.refreshLegend();
    const model = this.view.buildings.get(building);
    if (fly && model) await this.view.frameStorey(model, storey);
  }

  // --- rooms and elements --------------------------------------------------------------

  async openRoom(code, { fly = true } = {}) {
    let room;
    try {
      room = await api.room(code);
    } catch (error) {
      const closest = error.closest && error.closest.length ? ` Closest: ${error.closest.join(', ')}` : '';
      this.ui.status(`${error.message}${closest}`, true);
      return null;
    }
    const model = this.view.buildings.get(room.building_code);
    await this.showStorey(room.building_code, room.storey_code, { fly: false });
    this.view.select({ kind: 'room', id: room.room_code, building: room.building_code });
    this.ui.showRoom(room);
    await this.maintenance.roomSelected(room);
    this.ui.status(`${room.room_code} · ${room.name}`);
    if (fly && model) await this.view.frameRoom(model, room.room_code);
    return room;
  }

  /** Show an element's panel; `reveal` also turns X-ray on and flies to it, highlighted. */
  async openElement(id, { reveal = true } = {}) {
    let element;
    try {
      element = await api.element(id);
    } catch (error) {
      this.ui.status(error.message, true);
      return null;
    }
    this.ui.showElement(element);
    await this.maintenance.roomSelected(null);
    const model = element.building_code && this.view.buildings.get(element.building_code);
    if (reveal && model && model.elements.has(id)) {
      if (!this.view.state.xray) this.ui.setXray(true);
      if (element.storey_code) await this.showStorey(element.building_code, element.storey_code, { fly: false });
      const { group, index } = model.elements.get(id);
      this.view.select({ kind: 'element', id, building: model.code, group, index });
      await this.view.frameElement(model, id);
    }
    return element;
  }

  clearSelection() {
    this.view.select(null);
    this.ui.hideDetails();
    this.maintenance.roomSelected(null);
  }

  /** A click (not a drag) picks what is under the pointer. */
  setupPicking() {
    const canvas = this.view.renderer.domElement;
    let down = null;
    canvas.addEventListener('pointerdown', (event) => {
      // event.timeStamp is when the press happened, not when a busy page got round to
      // handling it: a slow frame must not turn a click into a "long press".
      down = { x: event.clientX, y: event.clientY, t: event.timeStamp, primary: event.isPrimary };
    });
    canvas.addEventListener('pointerup', async (event) => {
      if (!down || !down.primary) return;
      const moved = Math.hypot(event.clientX - down.x, event.clientY - down.y);
      const quick = event.timeStamp - down.t < 600;
      down = null;
      if (moved > 6 || !quick) return;
      await this.pickAt(event.clientX, event.clientY);
    });
  }

  async pickAt(clientX, clientY) {
    const drilled = await this.maintenance.drillAt(clientX, clientY);
    if (drilled) return drilled;
    const hit = this.view.pick(clientX, clientY);
    if (!hit) {
      this.clearSelection();
      return null;
    }
    this.view.select(hit);
    if (hit.kind === 'room') {
      try {
        const room = await api.room(hit.id);
        this.ui.showRoom(room);
        await this.maintenance.roomSelected(room);
      } catch (error) {
        this.ui.status(error.message, true);
      }
    } else {
      await this.openElement(hit.id, { reveal: false });
    }
    return hit;
  }
}

function installTestHook(app, ready) {
  const view = app.view;
  window.campusTwin = {
    ready,
    get loadedBuildings() { return app.loaded; },
    get failedBuildings() { return app.failed; },
    get totalBuildings() { return app.buildings.length; },
    get colourMode() { return view.mode; },
    get frames() { return view.frames; },
    get detailsCode() { return app.ui.detailsCode; },
    get flying() { return view.flight !== null; },
    modes: () => [...app.palette.modes.keys()],
    setColourMode: (mode) => app.setMode(mode),
    get liveConnected() { return app.live.connected; },
    get liveEvents() { return app.live.events; },
    liveRoom: (code) => { const room = view.roomData.get(code); return room ? { ...room } : null; },
    badges: () => app.live.badgeSpots(),
    currentLegend: () => app.legend.map((entry) => ({ ...entry })),
    projectRoomCentre: (code) => view.projectRoom(code),
    projectElementCentre: (id) => view.projectElement(id),
    /** Show an element's storey and frame the element, without selecting it. */
    viewElement: async (id) => {
      const element = await api.element(id);
      const model = view.buildings.get(element.building_code);
      if (element.storey_code) await app.showStorey(element.building_code, element.storey_code, { fly: false });
      if (model) await view.frameElement(model, id, false);
      view.finishFrame();
      return id;
    },
    showCampus: () => app.showBuilding(null, { fly: false }).then(() => view.frameBox(view.campusBounds(), { animate: false })),
    selectStorey: (building, storey) => app.showStorey(building, storey, { fly: false }).then(() => {
      const model = view.buildings.get(building);
      if (model) view.frameStorey(model, storey, false);
    }),
    openRoom: (code) => app.openRoom(code).then((room) => room && room.room_code),
    /** Show a room's storey and put the room in the middle of the view, without selecting it. */
    viewRoom: async (code) => {
      const room = await api.room(code);
      await app.showStorey(room.building_code, room.storey_code, { fly: false });
      const model = view.buildings.get(room.building_code);
      if (model) await view.frameRoom(model, room.room_code, false);
      view.finishFrame();
      return room.room_code;
    },
    setXray: (on) => app.ui.setXray(on),
    /** Render now and wait for the GPU; returns performance.now() after the read-back. */
    finishFrame: () => view.finishFrame(),
    drawCalls: () => { view.renderNow(); return view.drawCalls(); },
    /** Time `n` finished frames while the camera turns around its target (ms each). */
    rotateFrames: (n = 10, degreesPerFrame = 3) => view.rotateFrames(n, degreesPerFrame),
    maintenance: app.maintenance.testHook(),
    network: app.network.testHook(),
    loadScenarios: () => app.scenarios.load(),
    showScenario: (id) => app.scenarios.choose(id),
    scenarioView: (which) => app.scenarios.show(which),
  };
}

async function start() {
  const ui = { status: (text) => { document.getElementById('status').textContent = text; } };
  let resolveReady;
  const ready = new Promise((resolve) => { resolveReady = resolve; });
  try {
    const [paletteDocument, allBuildings] = await Promise.all([api.palette(), api.buildings()]);
    const params = new URLSearchParams(window.location.search);
    const { buildings, site, note, error } = chooseSite(allBuildings, params);
    document.getElementById('map-link').href = mapHref(site);
    const app = new App(new Palette(paletteDocument), buildings);
    installTestHook(app, ready);
    await app.loadAll();
    await app.startLive();
    if (note) app.ui.status(note, error);
    const building = (params.get('building') || '').trim().toUpperCase();
    if (buildings.some((b) => b.building_code === building) && !params.get('room')) await app.showBuilding(building);
    await app.scenarios.load().catch((error) => console.warn(`scenarios: ${error.message}`));
    const room = params.get('room');
    if (room) await app.openRoom(room.trim());
    app.view.finishFrame();
    resolveReady({ loaded: app.loaded, total: app.buildings.length, firstFrameAt: performance.now() });
  } catch (error) {
    console.error(error);
    ui.status(`The campus could not be loaded: ${error.message}`);
    resolveReady({ loaded: 0, total: 0, error: error.message });
  }
}

start();
