// Live values on the page: the WebSocket `/api/live` says which rooms changed (reading and
// alarm events); the page then asks `/api/live/rooms` for those rooms, so what a value
// means (how full, which alarm state) is decided by the server only. Rooms in alarm get
// a badge that follows them on screen.

import { api } from './api.js';

const LIVE_FIELDS = ['temperature', 'people', 'present', 'occupancy_now', 'alarm_state'];
const FLUSH_MS = 150;
const MAX_RETRY_MS = 30000;

export class LiveRooms {
  /** `onChange(codes)` after live fields of these rooms changed in `view.roomData`. */
  constructor(view, onChange) {
    this.view = view;
    this.onChange = onChange;
    this.pending = new Set();
    this.all = false;
    this.timer = null;
    this.events = 0;
    this.connected = false;
    this.retryMs = 1000;
    this.badges = document.getElementById('badges');
    view.onRendered = () => this.placeBadges();
  }

  /** Merge live records into the room data; rooms asked for but not answered have none. */
  merge(codes, live) {
    const rooms = [];
    for (const code of codes) {
      const room = this.view.roomData.get(code) || { room_code: code };
      const blank = Object.fromEntries(LIVE_FIELDS.map((field) => [field, null]));
      rooms.push({ ...room, ...blank, ...(live[code] || {}) });
    }
    this.view.setRoomData(rooms);
    this.onChange(codes);
  }

  async refresh(codes = null) {
    const live = await api.liveRooms(codes);
    this.merge(codes || [...this.view.roomData.keys()], live);
  }

  connect() {
    const scheme = window.location.protocol === 'https:' ? 'wss' : 'ws';
    const socket = new WebSocket(`${scheme}://${window.location.host}/api/live`);
    socket.addEventListener('open', () => {
      const reconnected = this.retryMs > 1000 || this.everConnected;
      this.connected = true;
      this.everConnected = true;
      this.retryMs = 1000;
      if (reconnected) this.schedule(null); // events may have been missed meanwhile
    });
    socket.addEventListener('message', (message) => {
      const event = JSON.parse(message.data);
      this.events += 1;
      if (event.type === 'reading' && event.room_code) this.schedule(event.room_code);
      else if (event.type === 'alarm' && event.alarm && event.alarm.room_code) this.schedule(event.alarm.room_code);
      else if (event.type === 'missed') this.schedule(null);
    });
    socket.addEventListener('close', () => {
      this.connected = false;
      setTimeout(() => this.connect(), this.retryMs);
      this.retryMs = Math.min(this.retryMs * 2, MAX_RETRY_MS);
    });
    this.socket = socket;
  }

  /** Ask for a room's live state soon (`null`: every room); bursts become one request. */
  schedule(code) {
    if (code === null) this.all = true;
    else if (this.view.roomData.has(code)) this.pending.add(code);
    else return;
    if (this.timer) return;
    this.timer = setTimeout(async () => {
      const codes = this.all ? null : [...this.pending];
      this.timer = null;
      this.all = false;
      this.pending.clear();
      try {
        await this.refresh(codes);
      } catch (error) {
        console.warn(`live values: ${error.message}`);
      }
    }, FLUSH_MS);
  }

  /** Rooms in alarm: `[{code, state, x, y}]` for those shown and in view. */
  badgeSpots() {
    const shown = new Set(this.view.shownRoomCodes());
    const spots = [];
    for (const [code, room] of this.view.roomData) {
      if (!room.alarm_state || !shown.has(code)) continue;
      const point = this.view.projectRoom(code);
      if (point) spots.push({ code, state: room.alarm_state, x: point.x, y: point.y });
    }
    return spots;
  }

  placeBadges() {
    if (!this.badges) return;
    const spots = this.badgeSpots();
    const nodes = spots.map((spot) => {
      const badge = document.createElement('span');
      badge.className = 'badge';
      badge.dataset.code = spot.code;
      badge.dataset.state = spot.state;
      badge.title = `${spot.code}: alarm ${spot.state}`;
      badge.textContent = '!';
      badge.style.background = this.view.palette.colourFor('alarms', { alarm_state: spot.state });
      badge.style.transform = `translate(${Math.round(spot.x)}px, ${Math.round(spot.y)}px)`;
      return badge;
    });
    this.badges.replaceChildren(...nodes);
  }
}
