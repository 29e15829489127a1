// The value-slice table: one start value per slice whose patch is its whole value, and from it the core's start state,
// the shared reducers' dispatch and the renderer's stores, each slice's store named after it.
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import type { AppSnapshot, ReplayEntryView } from '../../src-main/contract';
import { initialSnapshot } from '../../src-main/core/lobby/state';
import { applyLobbyPatch, isValueSlicePatch, LOBBY_LIMITS, lobbyStateFrom, reduceValueSlice } from '../../src-main/shared/lobby-reducers';
import { isValueSliceName, VALUE_SLICE_NAMES, valueSliceStart } from '../../src-main/shared/lobby-slices';
import { useSliceStore } from '../../src-renderer/stores';
import { loadSnapshot, routePatch } from '../../src-renderer/stores/feed';

const replay = (i: number): ReplayEntryView => ({ status: 'damaged', file: `${i}.sdfz`, bytes: 1, modifiedAt: i, error: 'x' }) as unknown as ReplayEntryView;

beforeEach(() => setActivePinia(createPinia()));

describe('value slices', () => {
  it('the core starts every value slice at the table value, each call with fresh objects', () => {
    const snapshot = initialSnapshot();
    for (const name of VALUE_SLICE_NAMES) expect(snapshot[name]).toEqual(valueSliceStart()[name]);
    expect(initialSnapshot().matchmaking).not.toBe(initialSnapshot().matchmaking);
    expect(VALUE_SLICE_NAMES).toContain('lobby');
    expect(VALUE_SLICE_NAMES).not.toContain('users');
  });

  it('tells value slices from the others by name, own names only', () => {
    expect(isValueSliceName('library')).toBe(true);
    for (const other of ['users', 'chat', 'settings', 'reset', 'constructor', '__proto__']) expect(isValueSliceName(other)).toBe(false);
    expect(isValueSlicePatch({ slice: 'party', value: { current: null, invitations: [] } })).toBe(true);
    expect(isValueSlicePatch({ slice: 'notice', value: { at: 1, level: 'info', text: 'x' } })).toBe(false);
  });

  it('a value patch replaces the slice on every copy, held to its bound where it has one', () => {
    const state = lobbyStateFrom(initialSnapshot());
    const party = { current: null, invitations: [] };
    applyLobbyPatch(state, { slice: 'party', value: party });
    expect(state.party).toBe(party);
    const entries = Array.from({ length: LOBBY_LIMITS.replays + 5 }, (_, i) => replay(i));
    applyLobbyPatch(state, { slice: 'replays', value: { entries, scanning: false } });
    expect(state.replays.entries).toHaveLength(LOBBY_LIMITS.replays);
    expect(reduceValueSlice({ slice: 'settings', value: 7 })).toBe(7);
  });

  it('the renderer has one store per value slice, named after it, loaded from a snapshot and patched by the feed', () => {
    for (const name of VALUE_SLICE_NAMES) {
      const store = useSliceStore(name);
      expect(store.$id).toBe(name);
      expect(store.view).toEqual(valueSliceStart()[name]);
      expect(useSliceStore(name)).toBe(store);
    }
    const snapshot: AppSnapshot = {
      ...initialSnapshot(),
      battle: { phase: 'running', map: 'M', game: 'G', engine: '106.0', host: '127.0.0.1' },
      settings: { serverUrl: null, enginePaths: [], dataDir: null },
      servers: { current: 'embedded', profiles: [] },
      session: { state: 'signed_out', server: 'embedded' },
    };
    loadSnapshot(snapshot);
    expect(useSliceStore('battle').view).toEqual(snapshot.battle);
    routePatch({ slice: 'battle', value: null });
    expect(useSliceStore('battle').view).toBeNull();
    const many = Array.from({ length: LOBBY_LIMITS.library + 1 }, (_, i) => ({ id: `e${i}` })) as unknown as AppSnapshot['library']['entries'];
    routePatch({ slice: 'library', value: { entries: many, scanning: true } });
    expect(useSliceStore('library').view.entries).toHaveLength(LOBBY_LIMITS.library);
  });
});
