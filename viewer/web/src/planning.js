// Space planning in the room panel: how an office stands against the area standard.
// The figures come with the room from the API (`area_standard`, `occupants`,
// `over_standard_m2`, made by twin/planning/standing.py); rooms without them add nothing.

function people(count) {
  return count === 1 ? '1 person' : `${count} people`;
}

/** Rows for the room panel: [] for rooms that are not offices on a site with a standard. */
export function standingRows(room) {
  const standing = room.area_standard;
  if (!standing) return [];
  if (standing === 'idle') return [['Area vs standard', 'Idle: nobody assigned']];
  if (standing === 'over') {
    return [['Area vs standard', `Over by ${room.over_standard_m2} m² (${people(room.occupants)})`]];
  }
  return [['Area vs standard', `Within (${people(room.occupants)})`]];
}
