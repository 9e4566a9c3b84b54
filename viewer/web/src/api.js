// The twin's HTTP API as the page uses it (docs/viewer-api-contract.md). Errors carry the
// server's readable message (`detail.message`) so the page can show it as it is.

export class ApiError extends Error {
  constructor(status, message, closest = []) {
    super(message);
    this.status = status;
    this.closest = closest;
  }
}

export async function getJson(path) {
  const response = await fetch(path, { headers: { Accept: 'application/json' } });
  if (!response.ok) {
    let message = `${response.status} ${response.statusText} for ${path}`;
    let closest = [];
    try {
      const body = await response.json();
      const detail = body.detail;
      if (typeof detail === 'string') message = detail;
      else if (detail && detail.message) {
        message = detail.message;
        closest = detail.closest || [];
      }
    } catch {
      // not JSON: keep the status line
    }
    throw new ApiError(response.status, message, closest);
  }
  return response.json();
}

export const api = {
  palette: () => getJson('/api/palette'),
  buildings: () => getJson('/api/buildings'),
  storeys: (building) => getJson(`/api/buildings/${encodeURIComponent(building)}/storeys`),
  room: (code) => getJson(`/api/rooms/${encodeURIComponent(code)}`),
  element: (id) => getJson(`/api/elements/${encodeURIComponent(id)}`),

  /** Every active room of a building, page by page. */
  async roomsOfBuilding(building) {
    const rooms = [];
    const limit = 5000;
    for (let offset = 0; ; offset += limit) {
      const page = await getJson(
        `/api/rooms?building=${encodeURIComponent(building)}&limit=${limit}&offset=${offset}`,
      );
      rooms.push(...page.items);
      if (rooms.length >= page.total || page.items.length === 0) return rooms;
    }
  },

  /** Live state per room (`{code: {temperature, occupancy_now, alarm_state…}}`), all or some. */
  liveRooms: (codes = null) => getJson(
    `/api/live/rooms${codes ? `?${codes.map((c) => `room=${encodeURIComponent(c)}`).join('&')}` : ''}`,
  ),

  searchRooms: (q, limit = 20) => getJson(`/api/rooms?q=${encodeURIComponent(q)}&limit=${limit}`),

  /** The GLB of a building as an ArrayBuffer; the browser revalidates it by ETag. */
  async buildingModel(building) {
    const path = `/api/buildings/${encodeURIComponent(building)}/model.glb`;
    const response = await fetch(path);
    if (!response.ok) throw new ApiError(response.status, `${response.status} loading ${path}`);
    return response.arrayBuffer();
  },
};
