// The feed into Pinia: subscribe, then snapshot; patches already in the snapshot are dropped, later ones applied once, a reset reloads all.
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import type { AppSnapshot, LobbyBridge, PatchMessage } from '../../src-main/contract';
import { initialSnapshot } from '../../src-main/core/lobby/state';
import { startFeed } from '../../src-renderer/client';
import { useChatStore, useReplaysStore, useSettingsStore, useStatsStore } from '../../src-renderer/stores';
import { loadSnapshot, routePatch } from '../../src-renderer/stores/feed';

const snapshotAt = (userCount: number): AppSnapshot => ({
  ...initialSnapshot('http://127.0.0.1:1'),
  stats: { userCount, history: [] },
  settings: { serverUrl: null, enginePaths: [], dataDir: null },
  servers: { current: 'embedded', profiles: [{ id: 'embedded', kind: 'embedded', url: null, label: 'This computer', signedIn: false }] },
  session: { state: 'signed_in', server: 'embedded' },
});

beforeEach(() => setActivePinia(createPinia()));

describe('patch feed', () => {
  it('drops patches the snapshot contains and applies the rest in order', async () => {
    let listener: ((m: PatchMessage) => void) | null = null;
    const stats = (seq: number, userCount: number): PatchMessage => ({ seq, patch: { slice: 'stats', userCount, sample: { at: seq, userCount } } });
    const bridge = {
      onPatch(l: (m: PatchMessage) => void) {
        listener = l;
        return () => (listener = null);
      },
      async invoke() {
        // Patches 1 and 2 race the snapshot request: 1 is inside the snapshot (seq 1), 2 is not.
        listener!(stats(1, 10));
        listener!(stats(2, 11));
        return { ok: true, value: { seq: 1, state: snapshotAt(10) } };
      },
    } as unknown as LobbyBridge;
    (globalThis as { lobby?: unknown }).lobby = bridge;
    const stop = await startFeed({ snapshot: loadSnapshot, patch: routePatch });
    expect(useStatsStore().view.userCount).toBe(11);
    expect(useStatsStore().view.history.map((s) => s.at)).toEqual([2]);
    listener!(stats(2, 99)); // a repeat is ignored
    listener!(stats(3, 12));
    expect(useStatsStore().view.userCount).toBe(12);
    stop();
    expect(listener).toBeNull();
  });

  it('reset reloads every store', () => {
    routePatch({ slice: 'chat', append: [{ marker: 'm1', at: 1, fromUserId: 'u', channel: { type: 'party', partyId: 'p' }, text: 'x' }] });
    expect(useChatStore().lines).toHaveLength(1);
    routePatch({ slice: 'reset', value: { ...snapshotAt(3), settings: { serverUrl: 'https://lobby.example', enginePaths: [], dataDir: null } } });
    expect(useChatStore().lines).toHaveLength(0);
    expect(useSettingsStore().view.serverUrl).toBe('https://lobby.example');
  });

  it('routes the replays slice to its store, and a reset empties it', () => {
    const entry = { file: 'a.sdfz', size: 1, mtimeMs: 1, status: 'damaged' as const, code: 'corrupt', message: 'damaged' };
    routePatch({ slice: 'replays', value: { entries: [entry], scanning: false } });
    expect(useReplaysStore().view.entries).toEqual([entry]);
    routePatch({ slice: 'reset', value: { ...snapshotAt(4), settings: { serverUrl: null, enginePaths: [], dataDir: null } } });
    expect(useReplaysStore().view.entries).toEqual([]);
  });
});
