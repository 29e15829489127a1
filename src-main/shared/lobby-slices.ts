// The value slices' table at run time: each slice whose patch is its whole new value (`LobbyValueSlices` in
// core/lobby/state.ts), with its start value. From it come the start of every copy of the state (`initialSnapshot`),
// the reducers' dispatch (`isValueSlicePatch`, `reduceValueSlice` in lobby-reducers.ts) and the renderer's stores
// (`useSliceStore(name)`). Names no core type (state.ts checks the values against the views), so nothing cycles.

/** Fresh start values, one per value slice; core/lobby/state.ts fails to compile when one is missing or of the wrong shape. */
export function valueSliceStart() {
  return {
    self: null,
    matchmaking: { phase: 'idle' as const, playlists: [], queues: [], playersQueued: null, found: null, readyCount: 0, cancelReason: null },
    friends: { friendIds: [], incoming: [], outgoing: [] },
    party: { current: null, invitations: [] },
    battle: null,
    replays: { entries: [], scanning: false },
    lobbies: { watching: false, loaded: false, entries: {} },
    lobby: null,
    skirmishAis: [],
    downloads: { items: [] },
    library: { entries: [], scanning: false },
  };
}

export type LobbyValueSliceName = keyof ReturnType<typeof valueSliceStart>;

export const VALUE_SLICE_NAMES: readonly LobbyValueSliceName[] = Object.freeze(Object.keys(valueSliceStart()) as LobbyValueSliceName[]);

const NAMES: ReadonlySet<string> = new Set(VALUE_SLICE_NAMES);

/** Whether a slice name is a value slice's (its patch is `{ slice, value }` and replaces the whole value). */
export function isValueSliceName(slice: string): slice is LobbyValueSliceName {
  return NAMES.has(slice);
}
