// Between the map (/map) and the 3D view (/): which site's buildings the 3D view loads,
// and the links each page gives to the other. `/?site=CODE[&building=CODE][&room=CODE]`
// opens one site; `/map?site=CODE` opens the map centred on it.

/** Without `?site=`, a store with more buildings than this shows its first site only. */
export const MAX_BUILDINGS_WITHOUT_SITE = 60;

/** The buildings the 3D view loads: `{buildings, site, note, error}` (`site` null for all;
 * `error` when the site asked for is not in the store). */
export function chooseSite(allBuildings, params) {
  const asked = (params.get('site') || '').trim().toUpperCase()
    || (params.get('room') || params.get('building') || '').trim().toUpperCase().split('-')[0];
  const sites = [...new Set(allBuildings.map((building) => building.site_code))];
  if (asked && sites.includes(asked)) {
    return { buildings: allBuildings.filter((b) => b.site_code === asked), site: asked, note: null, error: false };
  }
  // Only an explicit ?site= is reported; a mistyped ?room= says so itself when opened.
  const unknown = params.get('site') ? `No site ${asked}. ` : '';
  if (sites.length > 1 && allBuildings.length > MAX_BUILDINGS_WITHOUT_SITE) {
    const first = sites[0];
    const note = `${unknown}${sites.length} sites: showing ${first}; pick another on the map`;
    return { buildings: allBuildings.filter((b) => b.site_code === first), site: first, note, error: Boolean(unknown) };
  }
  const site = sites.length === 1 ? sites[0] : null;
  const note = unknown ? `${unknown}Showing every building.` : null;
  return { buildings: allBuildings, site, note, error: Boolean(unknown) };
}

/** The map page, centred on `site` when given. */
export function mapHref(site) {
  return site ? `/map?site=${encodeURIComponent(site)}` : '/map';
}

/** The 3D view of a site, optionally with a building or room selected. */
export function viewHref(site, { building = null, room = null } = {}) {
  const params = new URLSearchParams({ site });
  if (building) params.set('building', building);
  if (room) params.set('room', room);
  return `/?${params}`;
}
