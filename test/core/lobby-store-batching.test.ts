// LobbyStore tells the busy slices once per burst (one socket read): merged patches with the effect of the whole burst, in order.
import { describe, expect, it } from 'vitest';
import { LobbyStore } from '../../src-main/core/lobby/store';
import { applyLobbyPatch, lobbyStateFrom, reduceChat } from '../../src-main/shared/lobby-reducers';
import { initialSnapshot, type ChatLine, type LobbyPatch, type MatchmakingView, type UserView } from '../../src-main/core/lobby/state';

const user = (userId: string, displayName = userId): UserView => ({ userId, username: userId, displayName, clanId: null, status: 'menu' });
const line = (marker: string): ChatLine => ({ marker, at: 1, fromUserId: 'u1', channel: { type: 'player', userId: 'u1' }, text: marker });
const endOfBurst = () => new Promise((resolve) => setImmediate(resolve));

function watched(store: LobbyStore): LobbyPatch[] {
  const told: LobbyPatch[] = [];
  store.onPatch((patch) => told.push(patch));
  return told;
}

describe('LobbyStore bursts', () => {
  it('tells one users patch per burst with the effect of all of them, and the store has them at once', async () => {
    const store = new LobbyStore('http://127.0.0.1:1');
    const told = watched(store);
    store.publish({ slice: 'users', upsert: [user('a'), user('b')], remove: [] });
    store.publish({ slice: 'users', upsert: [user('c')], remove: ['a'] });
    store.publish({ slice: 'users', upsert: [user('a', 'back')], remove: [] });
    expect(store.user('c')).toBeDefined();
    expect(told).toEqual([]);
    await endOfBurst();
    expect(told).toHaveLength(1);
    // A listener's copy that applies the one patch ends where the store is.
    const copy = lobbyStateFrom(initialSnapshot('http://127.0.0.1:1'));
    copy.users.set('a', user('a', 'stale'));
    applyLobbyPatch(copy, told[0]!);
    expect([...copy.users.values()]).toEqual([user('b'), user('c'), user('a', 'back')]);
    expect(store.snapshot().users).toEqual({ b: user('b'), c: user('c'), a: user('a', 'back') });
  });

  it('tells what a burst batched before any other patch published after it, and a snapshot ends the burst', async () => {
    const store = new LobbyStore('http://127.0.0.1:1');
    const told = watched(store);
    store.publish({ slice: 'chat', append: [line('m1')] });
    store.publish({ slice: 'users', upsert: [user('a')], remove: [] });
    store.publish({ slice: 'chat', append: [line('m2'), line('m1')] });
    store.publish({ slice: 'notice', value: { at: 1, level: 'info', text: 'hello' } });
    expect(told.map((p) => p.slice)).toEqual(['chat', 'users', 'notice']);
    expect(told[0]).toEqual({ slice: 'chat', append: [line('m1'), line('m2'), line('m1')] });
    store.publish({ slice: 'chat', append: [line('m3')] });
    // The repeated marker is shown once, as line by line.
    expect(store.snapshot().chat.map((l) => l.marker)).toEqual(['m1', 'm2', 'm3']);
    expect(told.map((p) => p.slice)).toEqual(['chat', 'users', 'notice', 'chat']);
    await endOfBurst();
    expect(told).toHaveLength(4);
  });

  it('merges matchmaking only within a phase, and a room only while it is the same room', async () => {
    const store = new LobbyStore('http://127.0.0.1:1');
    const told = watched(store);
    const mm = store.view.matchmaking;
    const found = (readyCount: number): MatchmakingView => ({ ...mm, phase: 'found', readyCount, found: { queueId: '1v1', timeoutMs: 1, deadline: 1 } });
    store.publish({ slice: 'matchmaking', value: found(0) });
    store.publish({ slice: 'matchmaking', value: found(1) });
    store.publish({ slice: 'matchmaking', value: found(2) });
    store.publish({ slice: 'matchmaking', value: { ...mm, phase: 'battle' } });
    await endOfBurst();
    expect(told.map((p) => (p.slice === 'matchmaking' ? `${p.value.phase} ${p.value.readyCount}` : p.slice))).toEqual(['found 2', 'battle 0']);
  });

  it('lets a value made in the burst be updated in place only until listeners are told anything', async () => {
    const store = new LobbyStore('http://127.0.0.1:1');
    watched(store);
    const entries = {};
    store.markDraft(entries);
    expect(store.isDraft(entries)).toBe(true);
    expect(store.isDraft({})).toBe(false);
    store.publish({ slice: 'users', upsert: [user('a')], remove: [] });
    expect(store.isDraft(entries)).toBe(true);
    await endOfBurst();
    expect(store.isDraft(entries)).toBe(false);
  });
});

describe('reduceChat marker counts', () => {
  it('forgets the markers of lines that fell off, and counts an older list afresh', () => {
    const lines = Array.from({ length: 2_000 }, (_, i) => line(`x${i}`));
    const full = reduceChat([], { slice: 'chat', append: lines });
    const next = reduceChat(full, { slice: 'chat', append: [line('new')] });
    expect(next).toHaveLength(2_000);
    // x0 fell off the front: it is a new line again.
    expect(reduceChat(next, { slice: 'chat', append: [line('x0')] }).at(-1)?.marker).toBe('x0');
    // The older list lost its counts to `next`: reduced again, it still knows x1 and not `new`.
    const again = reduceChat(full, { slice: 'chat', append: [line('x1'), line('new')] });
    expect(again.slice(-1).map((l) => l.marker)).toEqual(['new']);
  });
});
