// The Lobbies view's list and create form as plain functions of the `lobbies` slice: filter, sort, the maps to suggest
// and the page's own checks of the form (main checks again against the contract's bounds and has the last word).
import type { LobbySummaryView } from '../src-main/contract';

export type LobbySortKey = 'name' | 'players' | 'map' | 'battle' | 'engine';

export interface LobbyFilter {
  readonly text: string;
  readonly hideFull: boolean;
  readonly hideRunning: boolean;
}

export const isLobbyFull = (entry: LobbySummaryView): boolean => entry.maxPlayerCount > 0 && entry.playerCount >= entry.maxPlayerCount;

/** The lobbies that hold every word of the search in their name, map, engine or game, less the full or running ones if asked. */
export function filterLobbies(entries: Readonly<Record<string, LobbySummaryView>>, filter: LobbyFilter): readonly LobbySummaryView[] {
  const words = filter.text.toLowerCase().split(/\s+/).filter(Boolean);
  return Object.values(entries).filter((entry) => {
    if (filter.hideFull && isLobbyFull(entry)) return false;
    if (filter.hideRunning && entry.battleStartedAt !== null) return false;
    if (words.length === 0) return true;
    const text = `${entry.name} ${entry.mapName} ${entry.engineVersion} ${entry.gameVersion}`.toLowerCase();
    return words.every((w) => text.includes(w));
  });
}

function sortValue(entry: LobbySummaryView, key: LobbySortKey): string | number {
  switch (key) {
    case 'name': return entry.name.toLowerCase();
    case 'players': return entry.playerCount;
    case 'map': return entry.mapName.toLowerCase();
    // A lobby without a battle sorts as if its battle started at the end of time: after every running one, ascending.
    case 'battle': return entry.battleStartedAt ?? Number.MAX_SAFE_INTEGER;
    case 'engine': return `${entry.engineVersion} ${entry.gameVersion}`.toLowerCase();
  }
}

/** Sorted by the key; ties by name, then id, so the order never depends on the order patches arrived in. */
export function sortLobbies(entries: readonly LobbySummaryView[], key: LobbySortKey, descending: boolean): readonly LobbySummaryView[] {
  const keyed = entries.map((entry) => ({ entry, value: sortValue(entry, key), name: entry.name.toLowerCase() }));
  keyed.sort((a, b) => {
    const order = a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
    if (order !== 0) return descending ? -order : order;
    if (a.name !== b.name) return a.name < b.name ? -1 : 1;
    return a.entry.id < b.entry.id ? -1 : a.entry.id > b.entry.id ? 1 : 0;
  });
  return keyed.map((k) => k.entry);
}

/** The default direction when a column is first chosen: most players and newest battles first, names from A. */
export const defaultDescending = (key: LobbySortKey): boolean => key === 'players';

/**
 * Map names to suggest in the create form, the given lists first, in order (the installed maps, then those the player's
 * playlists name), then the maps lobbies are using; each once, at most `limit`. The field stays free text: the server
 * may know maps the player has not installed yet.
 */
export function mapSuggestions(first: readonly (readonly string[])[], lobbies: Readonly<Record<string, LobbySummaryView>>, limit = 50): readonly string[] {
  const seen = new Set<string>();
  const add = (name: string) => {
    if (name && seen.size < limit) seen.add(name);
  };
  for (const list of first) for (const name of list) add(name);
  const used = Object.values(lobbies).map((l) => l.mapName).sort((a, b) => a.localeCompare(b));
  for (const name of used) add(name);
  return [...seen];
}

/** The same bounds the contract's `createLobby` schema holds (src-main/contract/payloads.ts). */
export const CREATE_LIMITS = { name: 64, mapName: 256, allyTeams: 16, teamSize: 16 } as const;

export interface CreateLobbyDraft {
  readonly name: string;
  readonly mapName: string;
  readonly allyTeams: number;
  readonly teamSize: number;
  readonly bossesEnabled: boolean;
}

export type CreateLobbyErrors = { readonly [K in 'name' | 'mapName' | 'allyTeams' | 'teamSize']?: string };

export type CreateLobbyCheck =
  | { readonly ok: true; readonly value: CreateLobbyDraft }
  | { readonly ok: false; readonly errors: CreateLobbyErrors };

function countError(value: number, max: number, what: string): string | undefined {
  if (!Number.isInteger(value) || value < 1 || value > max) return `${what}: a whole number from 1 to ${max}.`;
  return undefined;
}

/** The form as the intent will carry it (names trimmed), or what is wrong beside each field. */
export function checkCreateLobby(draft: CreateLobbyDraft): CreateLobbyCheck {
  const name = draft.name.trim();
  const mapName = draft.mapName.trim();
  const errors: { -readonly [K in keyof CreateLobbyErrors]: string } = {};
  if (!name) errors.name = 'Give the lobby a name.';
  else if (name.length > CREATE_LIMITS.name) errors.name = `At most ${CREATE_LIMITS.name} characters.`;
  if (!mapName) errors.mapName = 'Choose a map.';
  else if (mapName.length > CREATE_LIMITS.mapName) errors.mapName = `At most ${CREATE_LIMITS.mapName} characters.`;
  const allyTeams = countError(draft.allyTeams, CREATE_LIMITS.allyTeams, 'Teams');
  if (allyTeams) errors.allyTeams = allyTeams;
  const teamSize = countError(draft.teamSize, CREATE_LIMITS.teamSize, 'Players per team');
  if (teamSize) errors.teamSize = teamSize;
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, value: { ...draft, name, mapName } };
}

/** The view is shown and connected but the list is not subscribed (a reconnect drops the subscription): ask for it. */
export const shouldWatchLobbies = (phase: string, watching: boolean): boolean => phase === 'connected' && !watching;
