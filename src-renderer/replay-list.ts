// The Replays view's list: search, sort and the player's own result, as plain functions of the core's replays slice.
import type { ReplayEntryView, ReplayGoodView } from '../src-main/contract';

export type ReplaySortKey = 'date' | 'map' | 'game' | 'duration';
export type ReplayResult = 'won' | 'lost' | 'spectator' | 'unknown' | 'absent';

/** The player's result in a demo, by name (a demo knows players only by name): won, lost, watched, or not in it. */
export function replayResult(entry: ReplayGoodView, selfName: string | null): ReplayResult {
  if (selfName === null) return 'absent';
  if (entry.spectators.includes(selfName)) return 'spectator';
  const team = entry.teams.find((t) => t.players.includes(selfName));
  if (team === undefined) return 'absent';
  if (entry.winnersMissing || entry.winners.length === 0) return 'unknown';
  return entry.winners.includes(team.allyTeam) ? 'won' : 'lost';
}

/** Everything a search matches: file, map, game, engine and every name in it. */
function haystack(entry: ReplayEntryView): string {
  if (entry.status === 'damaged') return `${entry.file} ${entry.message}`.toLowerCase();
  const names = entry.teams.flatMap((t) => [...t.players, ...t.bots]);
  return [entry.file, entry.map, entry.game, entry.engine, ...names, ...entry.spectators].join(' ').toLowerCase();
}

/** The entries that hold every word of the search (case-insensitive); an empty search keeps them all. */
export function searchReplays(entries: readonly ReplayEntryView[], search: string): readonly ReplayEntryView[] {
  const words = search.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return entries;
  return entries.filter((entry) => {
    const text = haystack(entry);
    return words.every((w) => text.includes(w));
  });
}

/** A damaged file's date: its name's (the engine names demos `YYYYMMDD_HHMMSS_…`), else its file time; ISO, like a demo's. */
function damagedDate(entry: ReplayEntryView): string {
  const m = /^(\d{4})(\d{2})(\d{2})_(\d{2})(\d{2})(\d{2})/.exec(entry.file);
  return m ? `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}` : new Date(entry.mtimeMs).toISOString();
}

function sortValue(entry: ReplayEntryView, key: ReplaySortKey): string | number {
  // A damaged file has only its name and its file time.
  if (entry.status === 'damaged') return key === 'date' ? damagedDate(entry) : key === 'duration' ? -1 : '';
  switch (key) {
    case 'date': return entry.startedAt;
    case 'map': return entry.map.toLowerCase();
    case 'game': return entry.game.toLowerCase();
    case 'duration': return entry.durationS;
  }
}

/** Sorted by the key, newest (or largest, or A first) as `descending` says; ties keep the core's order (newest name first). */
export function sortReplays(entries: readonly ReplayEntryView[], key: ReplaySortKey, descending: boolean): readonly ReplayEntryView[] {
  const indexed = entries.map((entry, index) => ({ entry, index, value: sortValue(entry, key) }));
  indexed.sort((a, b) => {
    const order = a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
    return order === 0 ? a.index - b.index : descending ? -order : order;
  });
  return indexed.map((i) => i.entry);
}
