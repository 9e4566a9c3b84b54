// Room colours from the palette document (`/api/palette`, made by viewer/palette.py).
// This file only interprets that data: the modes, categories, bands and colours are
// defined once in Python, so the page, the snapshots and the tests agree.

/** FNV-1a (32 bit) of the UTF-8 bytes of `text`; the same as `viewer.palette.fnv1a_32`. */
export function fnv1a32(text) {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

function rgb(colour) {
  return [1, 3, 5].map((i) => parseInt(colour.slice(i, i + 2), 16));
}

/** Linear in 8-bit sRGB between the stops around `value`, rounded half up; like Python. */
function rampColour(stops, value) {
  if (value <= stops[0].value) return stops[0].colour;
  for (let i = 1; i < stops.length; i++) {
    const low = stops[i - 1];
    const high = stops[i];
    if (value <= high.value) {
      const share = (value - low.value) / (high.value - low.value);
      const [a, b] = [rgb(low.colour), rgb(high.colour)];
      return `#${a.map((x, k) => Math.floor(x + (b[k] - x) * share + 0.5).toString(16).padStart(2, '0')).join('')}`;
    }
  }
  return stops[stops.length - 1].colour;
}

function present(value) {
  return !(value === null || value === undefined || value === '');
}

export class Palette {
  constructor(document) {
    this.document = document;
    this.modes = new Map(document.modes.map((mode) => [mode.key, mode]));
    this.highlight = document.highlight;
    this.structure = document.structure;
    this.media = document.media;
  }

  mode(key) {
    const mode = this.modes.get(key);
    if (!mode) throw new Error(`unknown colour mode ${key}`);
    return mode;
  }

  /** The legend entry ({key, label, colour}) a room falls in under `modeKey`. */
  entryFor(modeKey, room) {
    const mode = this.mode(modeKey);
    const value = room ? room[mode.field] : undefined;
    if (!present(value)) return mode.missing;
    if (mode.kind === 'ramp') {
      const number = Number(value);
      if (Number.isNaN(number)) return mode.missing;
      // The legend entry of a ramp is its nearest stop (the first of two equally near).
      let best = mode.stops[0];
      for (const stop of mode.stops) if (Math.abs(stop.value - number) < Math.abs(best.value - number)) best = stop;
      return best;
    }
    if (mode.kind === 'band') {
      const number = Number(value);
      if (Number.isNaN(number)) return mode.missing;
      return mode.bands.find(
        (band) => (band.low === null || number >= band.low) && (band.high === null || number < band.high),
      );
    }
    const text = String(value);
    const fixed = mode.categories.find((category) => category.key === text);
    if (fixed) return fixed;
    // Values without a fixed colour (departments, a usage added later) hash into a list.
    const list = mode.hashed_colours;
    return { key: text, label: text, colour: list[fnv1a32(text) % list.length] };
  }

  colourFor(modeKey, room) {
    const mode = this.mode(modeKey);
    const value = room ? room[mode.field] : undefined;
    if (mode.kind === 'ramp' && present(value) && !Number.isNaN(Number(value))) {
      return rampColour(mode.stops, Number(value));
    }
    return this.entryFor(modeKey, room).colour;
  }

  /** Keys of the modes that read live values (`/api/live/rooms`). */
  liveModes() {
    return this.document.modes.filter((mode) => mode.live).map((mode) => mode.key);
  }

  /** Entries in use among `rooms`, in palette order, with counts: like `viewer.palette.legend`. */
  legend(modeKey, rooms) {
    const mode = this.mode(modeKey);
    const counts = new Map();
    const entries = new Map();
    for (const room of rooms) {
      const entry = this.entryFor(modeKey, room);
      counts.set(entry.key, (counts.get(entry.key) || 0) + 1);
      entries.set(entry.key, entry);
    }
    const fixed = mode.kind === 'band' ? mode.bands : mode.kind === 'ramp' ? mode.stops : mode.categories;
    const order = fixed.filter((entry) => counts.has(entry.key)).map((entry) => entry.key);
    const known = new Set([...order, mode.missing.key]);
    const open = [...counts.keys()].filter((key) => !known.has(key));
    open.sort((a, b) => (entries.get(a).label < entries.get(b).label ? -1 : entries.get(a).label > entries.get(b).label ? 1 : 0));
    order.push(...open);
    if (counts.has(mode.missing.key)) order.push(mode.missing.key);
    return order.map((key) => ({
      key,
      label: entries.get(key).label,
      colour: entries.get(key).colour,
      count: counts.get(key),
    }));
  }
}
