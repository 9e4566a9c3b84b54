// The page's panels: building and storey lists, colour modes and legend, search, the
// details of a room or an element, the X-ray system filter, and the status line.
// The panels only call back into main.js; they never touch the 3D scene themselves.

import { workOrdersSection } from './workorders.js';
import { standingRows } from './planning.js';

const $ = (id) => document.getElementById(id);

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else if (key === 'style') node.setAttribute('style', value);
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

const swatch = (colour) => el('span', { class: 'swatch', style: `background:${colour}` });

function formatNumber(value, unit, digits = 1) {
  if (value === null || value === undefined) return '—';
  return `${Number(value).toFixed(digits)} ${unit}`;
}

export class Ui {
  constructor(handlers) {
    this.handlers = handlers;
    this.detailsCode = null;
    $('close-details').addEventListener('click', () => handlers.onCloseDetails());
    $('colour-mode').addEventListener('change', (event) => handlers.onMode(event.target.value));
    $('xray').addEventListener('click', () => this.setXray($('xray').getAttribute('aria-pressed') !== 'true'));
    $('toggle-nav').addEventListener('click', () => this.setNavOpen($('nav').dataset.open !== 'true'));
    $('toggle-legend').addEventListener('click', () => {
      const legend = $('legend');
      const collapsed = legend.dataset.collapsed !== 'true';
      legend.dataset.collapsed = String(collapsed);
      $('toggle-legend').setAttribute('aria-expanded', String(!collapsed));
    });
    this.setupSearch();
    if (window.matchMedia('(max-width: 700px)').matches) {
      $('legend').dataset.collapsed = 'true';
      $('toggle-legend').setAttribute('aria-expanded', 'false');
    }
  }

  setXray(on) {
    $('xray').setAttribute('aria-pressed', String(on));
    $('system-section').hidden = !on;
    this.handlers.onXray(on);
  }

  setNavOpen(open) {
    $('nav').dataset.open = String(open);
    $('toggle-nav').setAttribute('aria-expanded', String(open));
  }

  status(text, error = false) {
    $('status').textContent = text;
    $('status').dataset.error = String(error);
  }

  setModes(modes, current) {
    $('colour-mode').replaceChildren(
      ...modes.map((mode) => el('option', { value: mode.key, selected: mode.key === current }, mode.label)),
    );
  }

  setMode(mode) {
    $('colour-mode').value = mode;
  }

  setBuildings(buildings, currentCode) {
    const items = [
      el('li', {}, el('button', {
        type: 'button',
        'aria-current': currentCode === null ? 'true' : 'false',
        onclick: () => this.handlers.onBuilding(null),
      }, 'Whole campus')),
      ...buildings.map((building) => el('li', {}, el('button', {
        type: 'button',
        'data-code': building.building_code,
        'aria-current': building.building_code === currentCode ? 'true' : 'false',
        onclick: () => this.handlers.onBuilding(building.building_code),
      }, `${building.building_code} ${building.name}`, el('span', { class: 'count' }, building.rooms)))),
    ];
    $('building-list').replaceChildren(...items);
  }

  setStoreys(building, storeys, currentStorey) {
    $('storey-section').hidden = !building;
    if (!building) return;
    $('storey-title').textContent = `Storeys of ${building}`;
    const items = [
      el('li', {}, el('button', {
        type: 'button',
        'aria-current': currentStorey === null ? 'true' : 'false',
        onclick: () => this.handlers.onStorey(building, null),
      }, 'All storeys')),
      ...[...storeys].reverse().map((storey) => el('li', {}, el('button', {
        type: 'button',
        'data-code': storey.storey_code,
        'aria-current': storey.storey_code === currentStorey ? 'true' : 'false',
        onclick: () => this.handlers.onStorey(building, storey.storey_code),
      }, storey.name && storey.name !== storey.storey ? `${storey.storey} ${storey.name}` : storey.storey, el('span', { class: 'count' }, storey.rooms)))),
    ];
    $('storey-list').replaceChildren(...items);
  }

  setLegend(entries) {
    $('legend-list').replaceChildren(
      ...entries.map((entry) => el('li', { 'data-key': entry.key },
        swatch(entry.colour), el('span', {}, entry.label), el('span', { class: 'count' }, entry.count))),
    );
  }

  setSystems(systems, media, hidden) {
    $('system-list').replaceChildren(
      ...[...systems.entries()].map(([system, medium]) => el('li', {}, el('label', {},
        el('input', {
          type: 'checkbox',
          checked: !hidden.has(system),
          onchange: (event) => this.handlers.onSystem(system, event.target.checked),
        }),
        swatch(media[medium] || media.unknown || '#7f7f7f'),
        system))),
    );
  }

  // --- search --------------------------------------------------------------------------

  setupSearch() {
    const input = $('search-input');
    const list = $('search-results');
    let timer = null;
    let generation = 0;
    this.searchItems = [];
    const run = async () => {
      const q = input.value.trim();
      const mine = ++generation;
      if (!q) {
        list.hidden = true;
        return;
      }
      try {
        const page = await this.handlers.onSearch(q);
        if (mine !== generation) return;
        this.showResults(page.items, page.total);
      } catch (error) {
        if (mine === generation) this.status(error.message, true);
      }
    };
    input.addEventListener('input', () => {
      clearTimeout(timer);
      timer = setTimeout(run, 150);
    });
    input.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') {
        event.preventDefault();
        clearTimeout(timer);
        const first = this.searchItems[0];
        if (first && !list.hidden) this.choose(first.room_code);
        else run();
      } else if (event.key === 'Escape') {
        list.hidden = true;
      }
    });
  }

  showResults(items, total) {
    const list = $('search-results');
    this.searchItems = items;
    const rows = items.map((room, k) => el('li', {
      role: 'option',
      'data-code': room.room_code,
      'aria-selected': k === 0 ? 'true' : 'false',
      onclick: () => this.choose(room.room_code),
    }, el('span', { class: 'code' }, room.room_code), el('span', { class: 'name' }, room.name)));
    if (!items.length) rows.push(el('li', { 'aria-disabled': 'true' }, 'No room matches'));
    else if (total > items.length) rows.push(el('li', { 'aria-disabled': 'true' }, `… ${total - items.length} more`));
    list.replaceChildren(...rows);
    list.hidden = false;
  }

  choose(code) {
    $('search-results').hidden = true;
    $('search-input').value = code;
    $('search-input').blur();
    this.setNavOpen(false);
    this.handlers.onChooseRoom(code);
  }

  // --- details -------------------------------------------------------------------------

  showDetails(title, subtitle, rows, sections = []) {
    const body = $('details-body');
    body.replaceChildren(
      el('h2', { id: 'details-title' }, title),
      el('div', { class: 'subtitle' }, subtitle),
      el('dl', {}, ...rows.flatMap(([label, value]) => [el('dt', {}, label), el('dd', {}, value ?? '—')])),
      ...sections,
    );
    $('details').hidden = false;
  }

  showRoom(room) {
    this.detailsCode = room.room_code;
    const neighbours = room.neighbours.length
      ? el('ul', {}, ...room.neighbours.map((n) => el('li', {},
          el('a', { onclick: () => this.handlers.onChooseRoom(n.room_code) }, n.room_code), ` (${n.via})`)))
      : el('p', {}, 'None recorded');
    const services = room.services.length
      ? el('ul', {}, ...room.services.map((s) => el('li', {},
          el('a', { onclick: () => this.handlers.onChooseElement(s.element_id) }, s.element_id),
          ` ${s.system || s.medium || s.kind}, ${s.where}`,
          s.outer_diameter_m ? `, Ø ${Math.round(s.outer_diameter_m * 1000)} mm` : '')))
      : el('p', {}, 'None recorded');
    this.showDetails(room.room_code, room.long_name ? `${room.name} · ${room.long_name}` : room.name, [
      ['Usage', room.usage],
      ['Department', room.department],
      ['Storey', room.storey_name && room.storey_name !== room.storey ? `${room.storey} (${room.storey_name})` : room.storey],
      ['Building', room.building_code],
      ['Area', formatNumber(room.net_floor_area_m2, 'm²')],
      ...standingRows(room),
      ['Height', formatNumber(room.height_m, 'm', 2)],
    ], [el('h3', {}, 'Neighbours'), neighbours, el('h3', {}, 'Services through it'), services,
      workOrdersSection(room.room_code)]);
  }

  showElement(element) {
    this.detailsCode = element.element_id;
    const systems = element.systems.map((s) => `${s.name} (${s.medium})`).join(', ');
    const rooms = element.runs_through.length
      ? el('ul', {}, ...element.runs_through.map((r) => el('li', {},
          el('a', { onclick: () => this.handlers.onChooseRoom(r.room_code) }, r.room_code),
          ` ${r.where}, ${r.length_m.toFixed(1)} m`)))
      : null;
    this.showDetails(element.element_id, `${element.kind.replaceAll('_', ' ')} · ${element.ifc_class}`, [
      ['System', systems || element.medium],
      ['Diameter', element.outer_diameter_m ? `${Math.round(element.outer_diameter_m * 1000)} mm` : null],
      ['Name', element.name],
      ['Storey', element.storey_code],
      ...(element.valve_type
        ? [['Valve', `${element.valve_type}, normally ${element.normally_open ? 'open' : 'closed'}`]]
        : []),
      ['GlobalId', element.global_id],
    ], [
      ...(rooms ? [el('h3', {}, 'Runs through'), rooms] : []),
      ...(this.handlers.elementSection ? [this.handlers.elementSection(element)] : []),
    ]);
  }

  hideDetails() {
    this.detailsCode = null;
    $('details').hidden = true;
  }
}
