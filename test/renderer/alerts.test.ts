// The match-found alert: a chime and a desktop notification only when a match is newly found and the window is not focused.
import { createPinia, setActivePinia } from 'pinia';
import { nextTick } from 'vue';
import { beforeEach, describe, expect, it } from 'vitest';
import type { MatchmakingView } from '../../src-main/contract';
import { matchFoundBody, shouldAlert, watchMatchFound, type AlertEnv } from '../../src-renderer/alerts';
import { useMatchmakingStore } from '../../src-renderer/stores';

beforeEach(() => setActivePinia(createPinia()));

const view = (phase: MatchmakingView['phase'], timeoutMs = 10_000): MatchmakingView => ({
  phase,
  playlists: [],
  queues: ['1v1'],
  playersQueued: null,
  found: phase === 'found' || phase === 'readied' ? { queueId: '1v1', timeoutMs, deadline: Date.now() + timeoutMs } : null,
  readyCount: 0,
  cancelReason: null,
});

function recordingEnv(focused: boolean) {
  const calls: string[] = [];
  const env: AlertEnv & { focus(f: boolean): void } = {
    focused: () => focused,
    focus: (f) => (focused = f),
    chime: () => calls.push('chime'),
    notify: (title, body) => calls.push(`notify ${title}: ${body}`),
  };
  return { env, calls };
}

describe('shouldAlert', () => {
  it('only for a newly found match while the window is elsewhere', () => {
    expect(shouldAlert('queued', 'found', false)).toBe(true);
    expect(shouldAlert(undefined, 'found', false)).toBe(true);
    expect(shouldAlert('queued', 'found', true)).toBe(false);
    expect(shouldAlert('found', 'found', false)).toBe(false);
    for (const next of ['idle', 'queued', 'readied', 'lost', 'cancelled', 'battle'] as const) expect(shouldAlert('queued', next, false)).toBe(false);
  });

  it('words the notification from the server timeout', () => {
    expect(matchFoundBody(10_000)).toBe('Ready up within 10 seconds.');
    expect(matchFoundBody(9_500)).toBe('Ready up within 10 seconds.');
    expect(matchFoundBody(undefined)).toBe('Ready up now.');
  });
});

describe('watchMatchFound', () => {
  it('chimes and notifies once per found match when unfocused', async () => {
    const { env, calls } = recordingEnv(false);
    const stop = watchMatchFound(env);
    const matchmaking = useMatchmakingStore();
    matchmaking.apply({ slice: 'matchmaking', value: view('queued') });
    await nextTick();
    expect(calls).toEqual([]);
    matchmaking.apply({ slice: 'matchmaking', value: view('found', 15_000) });
    await nextTick();
    expect(calls).toEqual(['chime', 'notify Match found: Ready up within 15 seconds.']);
    // The same match updating (ready tally) does not alert again.
    matchmaking.apply({ slice: 'matchmaking', value: { ...view('found', 15_000), readyCount: 1 } });
    await nextTick();
    expect(calls).toHaveLength(2);
    stop();
  });

  it('stays quiet while the window is focused, and alerts again for the next match once unfocused', async () => {
    const { env, calls } = recordingEnv(true);
    const stop = watchMatchFound(env);
    const matchmaking = useMatchmakingStore();
    matchmaking.apply({ slice: 'matchmaking', value: view('found') });
    await nextTick();
    expect(calls).toEqual([]);
    matchmaking.apply({ slice: 'matchmaking', value: view('lost') });
    await nextTick();
    env.focus(false);
    matchmaking.apply({ slice: 'matchmaking', value: view('found') });
    await nextTick();
    expect(calls).toEqual(['chime', 'notify Match found: Ready up within 10 seconds.']);
    stop();
    matchmaking.apply({ slice: 'matchmaking', value: view('queued') });
    await nextTick();
    matchmaking.apply({ slice: 'matchmaking', value: view('found') });
    await nextTick();
    expect(calls).toHaveLength(2);
  });
});
