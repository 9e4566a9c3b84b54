// Reallocation scenarios on the page: pick a saved scenario (`/api/planning/scenarios`),
// colour the campus by department before or after its plan, and list its moves (a click
// on a move opens the room the person moves to). The plan comes from the server: the page
// only swaps each office's `department` for the department seated there, and back.

import { getJson } from './api.js';

const SHOWN_MOVES = 300;

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, String(value));
  }
  node.append(...children);
  return node;
}

export class ScenarioPanel {
  /** `app` is main.js's App: its view, setMode, refreshLegend, openRoom and ui.status. */
  constructor(app) {
    this.app = app;
    this.detail = null;
    this.which = 'before';
    this.original = null; // room code -> department as the campus has it
    this.select = el('select', { id: 'scenario-select', 'aria-label': 'Scenario', style: 'max-width:100%' });
    this.select.addEventListener('change', () => this.choose(this.select.value));
    this.before = el('button', { type: 'button', id: 'scenario-before', 'aria-pressed': 'true', onclick: () => this.show('before') }, 'Before');
    this.after = el('button', { type: 'button', id: 'scenario-after', 'aria-pressed': 'false', onclick: () => this.show('after') }, 'After');
    this.summary = el('p', { id: 'scenario-summary' });
    this.moves = el('ol', { id: 'scenario-moves' });
    this.section = el(
      'section',
      { id: 'scenario-section', hidden: '' },
      el('h2', {}, 'Scenarios'),
      this.select,
      el('div', { class: 'scenario-toggle' }, this.before, this.after),
      this.summary,
      this.moves,
    );
    document.getElementById('nav').append(this.section);
  }

  /** Fill the list of saved scenarios; the section stays hidden when there are none. */
  async load() {
    const saved = await getJson('/api/planning/scenarios');
    this.select.replaceChildren(
      el('option', { value: '' }, 'Choose a scenario…'),
      ...saved.map((s) => el('option', { value: String(s.scenario_id) }, `${s.scenario_id} · ${s.name} (${s.status})`)),
    );
    this.section.hidden = saved.length === 0;
    return saved.length;
  }

  async choose(id) {
    if (!id) {
      this.detail = null;
      this.show('before');
      this.moves.replaceChildren();
      this.summary.textContent = '';
      return null;
    }
    this.detail = await getJson(`/api/planning/scenarios/${encodeURIComponent(id)}`);
    this.select.value = String(id);
    const d = this.detail;
    const gap = d.gap === null ? '—' : `${(d.gap * 100).toFixed(1)} %`;
    this.summary.textContent = `${d.status} · ${d.moves.length} moves · gap ${gap} · `
      + `over standard ${d.kpis_before.over_standard_m2} → ${d.kpis_after.over_standard_m2} m²`;
    this.moves.replaceChildren(...d.moves.slice(0, SHOWN_MOVES).map((move) => el(
      'li',
      {},
      el('button', {
        type: 'button',
        'data-staff': move.staff_id,
        onclick: () => move.to_room && this.app.openRoom(move.to_room),
      }, `${move.staff_id} ${move.department}: ${move.from_room || 'no seat'} → ${move.to_room || 'no seat'}`),
    )));
    this.show('after');
    return d.scenario_id;
  }

  /**
   * Colour offices by the department of the people in them before or after the plan
   * ('before' | 'after'); with no scenario chosen, by the rooms' own allocation again.
   */
  show(which) {
    const view = this.app.view;
    if (this.original === null) {
      this.original = new Map([...view.roomData].map(([code, room]) => [code, room.department]));
    }
    const d = this.detail;
    const seated = d ? (which === 'after' ? d.rooms_after : d.rooms_before) : {};
    const planned = d ? { ...d.rooms_before, ...d.rooms_after } : {};
    const rooms = [];
    for (const [code, department] of this.original) {
      // An office the plan seats people in, or empties, shows who sits there; others as allocated.
      const shown = code in seated ? seated[code] : code in planned ? null : department;
      rooms.push({ ...view.roomData.get(code), department: shown });
    }
    view.setRoomData(rooms);
    this.which = d && which === 'after' ? 'after' : 'before';
    this.before.setAttribute('aria-pressed', String(this.which === 'before'));
    this.after.setAttribute('aria-pressed', String(this.which === 'after'));
    if (this.app.palette.modes.has('department')) this.app.setMode('department');
    else this.app.refreshLegend();
  }
}
