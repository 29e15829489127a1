// Pure lobby reducers: user merging (full then diffs), the matchmaking state machine, and what is copied from hostile server objects.
import { describe, expect, it } from 'vitest';
import { chatLine, friendsFromList, mergeUser, mmBattle, mmCancelled, mmFound, mmIdle, mmLost, mmQueued, mmReadied, mmReadyCount, parsePlayersQueued, unixTimeMs } from '../../src-main/core/lobby/reducers';
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

  it("takes Teiserver's `country` as the country code when countryCode is absent, capped like it", () => {
    const teiserver = { userId: '8', username: 'bob', displayName: 'Bob', clanId: null, status: 'menu', country: 'FI' } as never;
    expect(mergeUser(undefined, teiserver)?.countryCode).toBe('FI');
    expect(mergeUser(undefined, { userId: '8', countryCode: 'SE', country: 'FI' } as never)?.countryCode).toBe('SE');
    expect(mergeUser(undefined, { userId: '8', country: 42 } as never)?.countryCode).toBeUndefined();
    expect(mergeUser(undefined, { userId: '8', country: 'X'.repeat(50) } as never)?.countryCode).toHaveLength(8);
  });

  it('turns server microseconds into milliseconds for chat lines', () => {
    const line = chatLine({ message: 'hi', source: { type: 'party', partyId: 'p1', userId: '3' }, timestamp: 1_700_000_000_123_456, marker: 'm1' });
    expect(line).toEqual({ marker: 'm1', at: 1_700_000_000_123, fromUserId: '3', channel: { type: 'party', partyId: 'p1' }, text: 'hi' });
  });
});

describe('protocol times', () => {
  it('reads seconds, milliseconds and microseconds by magnitude into milliseconds', () => {
    expect(unixTimeMs(1_764_000_000)).toBe(1_764_000_000_000); // Teiserver's friend times: seconds
    expect(unixTimeMs(1_764_000_000_123)).toBe(1_764_000_000_123);
    expect(unixTimeMs(1_764_000_000_123_456)).toBe(1_764_000_000_123);
    expect(unixTimeMs(99_999_999_999)).toBe(99_999_999_999_000);
    expect(unixTimeMs(1e11)).toBe(1e11);
    expect(unixTimeMs(1e14)).toBe(1e11);
    for (const odd of [0, -5, Number.NaN, Number.POSITIVE_INFINITY]) expect(unixTimeMs(odd)).toBe(0);
  });

  it('puts friend/list request times into the state in milliseconds', () => {
    const view = friendsFromList({
      friends: [{ userId: '2', addedAt: 1_700_000_000 }],
      incomingPendingRequests: [{ from: '3', sentAt: 1_700_000_001 }],
      outgoingPendingRequests: [{ to: '4', sentAt: 1_700_000_002_000_000 }],
    });
    expect(view).toEqual({ friendIds: ['2'], incoming: [{ userId: '3', sentAt: 1_700_000_001_000 }], outgoing: [{ userId: '4', sentAt: 1_700_000_002_000 }] });
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
