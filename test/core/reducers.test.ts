// Pure lobby reducers: user merging (full then diffs), the matchmaking state machine, and what is copied from hostile server objects.
import { describe, expect, it } from 'vitest';
import { chatLine, mergeUser, mmBattle, mmCancelled, mmFound, mmIdle, mmLost, mmQueued, mmReadied, mmReadyCount, parsePlayersQueued } from '../../src-main/core/lobby/reducers';
import { isInQueue } from '../../src-main/shared/matchmaking';
import { initialSnapshot } from '../../src-main/core/lobby/state';
import { LobbyStore } from '../../src-main/core/lobby/store';

describe('user merging', () => {
  it('takes the full user first, then applies diffs, and never copies unknown fields', () => {
    const full = mergeUser(undefined, { userId: '7', username: 'alice', displayName: 'Alice', clanId: null, status: 'menu', countryCode: 'SE', evil: { password: 'x' } } as never);
    expect(full).toEqual({ userId: '7', username: 'alice', displayName: 'Alice', clanId: null, status: 'menu', countryCode: 'SE' });
    const diff = mergeUser(full ?? undefined, { userId: '7', status: 'playing', rating: { value: 1500 } });
    expect(diff).toMatchObject({ username: 'alice', status: 'playing', rating: 1500 });
    expect(mergeUser(undefined, { status: 'menu' })).toBeNull();
  });

  it('turns server microseconds into milliseconds for chat lines', () => {
    const line = chatLine({ message: 'hi', source: { type: 'party', partyId: 'p1', userId: '3' }, timestamp: 1_700_000_000_123_456, marker: 'm1' });
    expect(line).toEqual({ marker: 'm1', at: 1_700_000_000_123, fromUserId: '3', channel: { type: 'party', partyId: 'p1' }, text: 'hi' });
  });
});

describe('matchmaking state machine', () => {
  const idle = initialSnapshot().matchmaking;
  it('goes idle → queued → found → readied → battle → idle', () => {
    const queued = mmQueued(idle, ['1v1']);
    expect(queued).toMatchObject({ phase: 'queued', queues: ['1v1'] });
    const found = mmFound(queued, '1v1', 20_000, 1_000);
    expect(found).toMatchObject({ phase: 'found', found: { queueId: '1v1', timeoutMs: 20_000, deadline: 21_000 }, readyCount: 0 });
    const counted = mmReadyCount(found, 1);
    const readied = mmReadied(counted);
    expect(readied).toMatchObject({ phase: 'readied', readyCount: 1 });
    expect(mmBattle(readied)).toMatchObject({ phase: 'battle', found: null });
    expect(mmIdle(mmBattle(readied)).phase).toBe('idle');
  });

  it('keeps the queue after lost and clears it after cancelled', () => {
    const found = mmFound(mmQueued(idle, ['1v1']), '1v1', 10_000, 0);
    const lost = mmLost(found);
    expect(lost).toMatchObject({ phase: 'lost', queues: ['1v1'], found: null });
    expect(isInQueue(lost)).toBe(true);
    const cancelled = mmCancelled(found, 'ready_timeout');
    expect(cancelled).toMatchObject({ phase: 'cancelled', queues: [], cancelReason: 'ready_timeout' });
    expect(isInQueue(cancelled)).toBe(false);
  });

  it('clamps hostile numbers and parses playersQueued strings', () => {
    expect(mmFound(idle, 'q', -5, 100).found).toMatchObject({ timeoutMs: 0, deadline: 100 });
    expect(mmFound(idle, 'q', 1e12, 0).found?.timeoutMs).toBe(600_000);
    expect(mmReadyCount(idle, -3).readyCount).toBe(0);
    expect(mmReadied(idle)).toBe(idle); // readying outside `found` changes nothing
    expect(parsePlayersQueued(' 12 ')).toBe(12);
    expect(parsePlayersQueued('lots')).toBeNull();
    expect(parsePlayersQueued('1e99')).toBeNull();
  });
});

describe('patches', () => {
  it('reach the core store through the shared reducers, snapshot as plain JSON', () => {
    const store = new LobbyStore('http://127.0.0.1:1');
    const patches = [
      { slice: 'users', upsert: [{ userId: '1', username: 'a', displayName: 'A', clanId: null, status: 'menu' }], remove: [] },
      { slice: 'stats', userCount: 3, sample: { at: 1, userCount: 3 } },
      { slice: 'chat', append: [{ marker: 'm', at: 1, fromUserId: '1', channel: { type: 'player', userId: '1' }, text: 'x' }] },
      { slice: 'engine', value: { status: 'running', pid: 5, startedAt: 1, cpuPercent: 1, rssMb: 2, exitCode: null } },
      { slice: 'engineConsole', append: ['line'] },
      { slice: 'users', upsert: [{ userId: '2', username: 'b', displayName: 'B', clanId: null, status: 'menu' }], remove: ['1'] },
    ] as const;
    for (const patch of patches) store.publish(patch);
    const snapshot = store.snapshot();
    expect(Object.keys(snapshot.users)).toEqual(['2']);
    expect(snapshot.stats).toEqual({ userCount: 3, history: [{ at: 1, userCount: 3 }] });
    expect(snapshot.chat.map((l) => l.marker)).toEqual(['m']);
    expect(snapshot.engine).toMatchObject({ status: 'running', pid: 5, console: ['line'] });
    expect(JSON.parse(JSON.stringify(snapshot))).toEqual({ ...initialSnapshot('http://127.0.0.1:1'), ...snapshot });
  });
});
