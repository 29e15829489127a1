// The one way to apply a lobby patch: the limits and pure per-slice reducers that the core's store, the headless shell and the
// renderer's stores all use. Runtime-neutral (no Node, no Electron, no DOM), so the sandboxed page can import it as it is.
import type {
  BattleUpdateView, ChatLine, ConnectionView, DownloadsView, EngineView, LibraryView, LobbyPatch, LobbySnapshot, LobbyValueSlices, Notice, ReplaysView,
  StatsView, UserView,
} from '../core/lobby/state';
import { assertNever } from './assert-never';
import { isValueSliceName, type LobbyValueSliceName } from './lobby-slices';

type PatchOf<S extends LobbyPatch['slice']> = Extract<LobbyPatch, { slice: S }>;

/** How much of each list any copy of the state holds; the oldest entries go first. */
export const LOBBY_LIMITS = {
  /** One hour at one sample per 10 s. */
  statsHistory: 360,
  chat: 2_000,
  notices: 50,
  engineConsole: 500,
  battleUpdates: 1_000,
  /** Known users; past it the lobby client evicts the users it heard of longest ago (with a `remove` in the same patch). */
  users: 100_000,
  /** Demos listed, newest first (the core's replay library lists no more). */
  replays: 2_000,
  /** Custom lobbies listed (the `lobbies` slice); a list past it keeps those it had. */
  lobbiesListed: 5_000,
  /** Finished votes kept per lobby, newest (Teiserver keeps 10). */
  voteHistory: 20,
  /** Download items (active and finished; the core's manager keeps no more). */
  downloads: 250,
  /** Library entries (the core's library lists no more). */
  library: 2_000,
} as const;

export function appendBounded<T>(list: readonly T[], items: readonly T[], limit: number): readonly T[] {
  if (items.length === 0) return list;
  const next = list.concat(items);
  return next.length > limit ? next.slice(next.length - limit) : next;
}

export function reduceStats(state: StatsView, patch: PatchOf<'stats'>): StatsView {
  return { userCount: patch.userCount, history: appendBounded(state.history, [patch.sample], LOBBY_LIMITS.statsHistory) };
}

/**
 * How many lines of a chat list carry each marker, kept beside the newest list each copy of the state made, so a new line is
 * checked against the 2,000 held in constant time. It moves to the next list (the old one loses it; reducing an old list
 * again just counts it afresh).
 */
const markerCounts = new WeakMap<readonly ChatLine[], Map<string, number>>();

function countsOf(lines: readonly ChatLine[]): Map<string, number> {
  const known = markerCounts.get(lines);
  if (known) {
    markerCounts.delete(lines);
    return known;
  }
  const counts = new Map<string, number>();
  for (const line of lines) counts.set(line.marker, (counts.get(line.marker) ?? 0) + 1);
  return counts;
}

/** Appends new lines; a marker already held is never shown twice (a resubscribe after a reconnect may repeat the edge). */
export function reduceChat(state: readonly ChatLine[], patch: PatchOf<'chat'>): readonly ChatLine[] {
  const counts = countsOf(state);
  const fresh: ChatLine[] = [];
  for (const line of patch.append) {
    if (counts.has(line.marker)) continue;
    counts.set(line.marker, 1);
    fresh.push(line);
  }
  const next = appendBounded(state, fresh, LOBBY_LIMITS.chat);
  // The lines that fell off the front leave the counts.
  const dropped = state.length + fresh.length - next.length;
  for (let i = 0; i < dropped; i++) {
    const marker = (i < state.length ? state[i] : fresh[i - state.length])!.marker;
    const left = (counts.get(marker) ?? 1) - 1;
    if (left > 0) counts.set(marker, left);
    else counts.delete(marker);
  }
  markerCounts.set(next, counts);
  return next;
}

/**
 * The connection's status, keeping the revision learnt on this connection; a connection that begins (or begins again)
 * forgets it, since the next server may speak another one.
 */
export function reduceConnection(state: ConnectionView, patch: PatchOf<'connection'> | PatchOf<'protocol'>): ConnectionView {
  if (patch.slice === 'protocol') return { ...state, protocol: patch.value };
  const begins = patch.value.phase === 'connecting' || patch.value.phase === 'reconnecting';
  return { ...patch.value, protocol: begins ? 'unknown' : state.protocol };
}

export function reduceEngine(state: EngineView, patch: PatchOf<'engine'> | PatchOf<'engineConsole'>): EngineView {
  if (patch.slice === 'engine') return { ...patch.value, console: state.console };
  return { ...state, console: appendBounded(state.console, patch.append, LOBBY_LIMITS.engineConsole) };
}

export function reduceNotices(state: readonly Notice[], patch: PatchOf<'notice'>): readonly Notice[] {
  return appendBounded(state, [patch.value], LOBBY_LIMITS.notices);
}

export function reduceBattleUpdates(state: readonly BattleUpdateView[], patch: PatchOf<'battleUpdates'>): readonly BattleUpdateView[] {
  return appendBounded(state, patch.append, LOBBY_LIMITS.battleUpdates);
}

/** The replays list as the core sent it, held to the bound (newest first, so the oldest go). */
export function reduceReplays(patch: PatchOf<'replays'>): ReplaysView {
  const { entries } = patch.value;
  return entries.length > LOBBY_LIMITS.replays ? { ...patch.value, entries: entries.slice(0, LOBBY_LIMITS.replays) } : patch.value;
}

/** The downloads list as the core sent it, held to the bound. */
export function reduceDownloads(patch: PatchOf<'downloads'>): DownloadsView {
  const { items } = patch.value;
  return items.length > LOBBY_LIMITS.downloads ? { items: items.slice(0, LOBBY_LIMITS.downloads) } : patch.value;
}

/** The library as the core sent it, held to the bound. */
export function reduceLibrary(patch: PatchOf<'library'>): LibraryView {
  const { entries } = patch.value;
  return entries.length > LOBBY_LIMITS.library ? { ...patch.value, entries: entries.slice(0, LOBBY_LIMITS.library) } : patch.value;
}

/** The value slices held to a bound (lists the core already bounds, checked again on every copy); the rest are taken as they come. */
const VALUE_BOUNDS: { readonly [K in keyof LobbyValueSlices]?: (value: LobbyValueSlices[K]) => LobbyValueSlices[K] } = {
  replays: (value) => reduceReplays({ slice: 'replays', value }),
  downloads: (value) => reduceDownloads({ slice: 'downloads', value }),
  library: (value) => reduceLibrary({ slice: 'library', value }),
};

/** Whether a patch is a value slice's `{ slice, value }` (the core's or, in the renderer, the app's patches alike). */
export function isValueSlicePatch<P extends { readonly slice: string }>(patch: P): patch is Extract<P, { readonly slice: LobbyValueSliceName }> {
  return isValueSliceName(patch.slice);
}

/** A value slice's new value: the patch's, held to the slice's bound where it has one. */
export function reduceValueSlice<P extends { readonly slice: string; readonly value: unknown }>(patch: P): P['value'] {
  const bound = Object.hasOwn(VALUE_BOUNDS, patch.slice) ? (VALUE_BOUNDS as Readonly<Record<string, (value: P['value']) => P['value']>>)[patch.slice] : undefined;
  return bound ? bound(patch.value) : patch.value;
}

/**
 * Applies a users patch in place, in time proportional to the users it names. A Map, so ids such as `__proto__` are just ids.
 * An upserted user moves to the end: the Map's order is "heard of longest ago first", which is what eviction needs.
 */
export function applyUsersPatch(users: Map<string, UserView>, patch: PatchOf<'users'>): void {
  for (const userId of patch.remove) users.delete(userId);
  for (const user of patch.upsert) {
    users.delete(user.userId);
    users.set(user.userId, user);
  }
}

/** A live copy of the lobby state: plain slices plus the users in a Map. */
export type LobbyState = { -readonly [K in Exclude<keyof LobbySnapshot, 'users'>]: LobbySnapshot[K] } & { readonly users: Map<string, UserView> };

export function lobbyStateFrom(snapshot: LobbySnapshot): LobbyState {
  const { users, ...slices } = snapshot;
  return { ...slices, users: new Map(Object.entries(users)) };
}

/**
 * The state as one plain JSON object (what crosses IPC or a wire): users copied out of the Map into an object with no
 * prototype, so looking up `constructor` or `__proto__` finds a user or nothing, never Object's own members.
 */
export function lobbySnapshotOf(state: LobbyState): LobbySnapshot {
  const users = Object.create(null) as Record<string, UserView>;
  for (const [userId, user] of state.users) users[userId] = user;
  return { ...state, users };
}

/** Applies one patch in place. Every copy of the state (core, headless, renderer) goes through these reducers. */
export function applyLobbyPatch(state: LobbyState, patch: LobbyPatch): void {
  if (isValueSlicePatch(patch)) {
    // The patch type pairs each value slice's name with its value's type.
    (state as unknown as Record<LobbyValueSliceName, unknown>)[patch.slice] = reduceValueSlice(patch);
    return;
  }
  switch (patch.slice) {
    case 'connection':
    case 'protocol': state.connection = reduceConnection(state.connection, patch); return;
    case 'stats': state.stats = reduceStats(state.stats, patch); return;
    case 'users': applyUsersPatch(state.users, patch); return;
    case 'chat': state.chat = reduceChat(state.chat, patch); return;
    case 'engine':
    case 'engineConsole': state.engine = reduceEngine(state.engine, patch); return;
    case 'battleUpdates': state.battleUpdates = reduceBattleUpdates(state.battleUpdates, patch); return;
    case 'notice': state.notices = reduceNotices(state.notices, patch); return;
    default: assertNever(patch);
  }
}
