// The pure event reducer without sockets: server events in, the patches and side effects out, with every cap applied on arrival.
import { describe, expect, it } from 'vitest';
import type { PartyState, PrivateUser } from 'tachyon-protocol/types';
import { reduceEvent } from '../../src-main/core/lobby/event-reducer';
import { LIST_CAPS, TEXT_CAPS } from '../../src-main/core/lobby/caps';
import { LobbyStore } from '../../src-main/core/lobby/store';
import type { AnyEvent } from '../../src-main/core/protocol/commands';
import type { LobbyPatch } from '../../src-main/core/lobby/state';

const NOW = 1_000_000;
const longId = 'x'.repeat(TEXT_CAPS.id + 1);
const never = () => false;

function event(commandId: AnyEvent['commandId'], data: unknown): AnyEvent {
  return { type: 'event', messageId: 'm', commandId, data } as AnyEvent;
}

function privateUser(userId: string, extra: Partial<PrivateUser> = {}): PrivateUser {
  return {
    userId, username: 'alice', displayName: 'Alice', clanId: null, status: 'menu', party: null, invitedToParties: [],
    friendIds: [], outgoingFriendRequest: [], incomingFriendRequest: [], ignoreIds: [], ...extra,
  };
}

function party(id: string, memberIds: string[]): PartyState {
  return { id, members: memberIds.map((userId) => ({ userId, joinedAt: 1 })), invited: [] };
}

/** Reduces events one after another against a real store, as the lobby client does. */
function run(store: LobbyStore, ...events: AnyEvent[]): LobbyPatch[] {
  const all: LobbyPatch[] = [];
  for (const e of events) {
    const outcome = reduceEvent(store, e, NOW, never);
    for (const patch of outcome.patches) store.publish(patch);
    all.push(...outcome.patches);
  }
  return all;
}

describe('the event reducer', () => {
  it('turns user/self into self, users, friends and party patches and watches friends and party members', () => {
    const store = new LobbyStore('http://127.0.0.1');
    const self = privateUser('1', { friendIds: ['2', longId], party: party('p1', ['1', '3']) });
    const outcome = reduceEvent(store, event('user/self', { user: self }), NOW, never);
    expect(outcome.patches.map((p) => p.slice)).toEqual(['self', 'users', 'friends', 'party', 'protocol']);
    expect(outcome.patches[4]).toEqual({ slice: 'protocol', value: 'tachyon-1.13' });
    expect(outcome.patches[2]).toEqual({ slice: 'friends', value: { friendIds: ['2'], incoming: [], outgoing: [] } });
    expect(outcome.watch).toEqual(['2', longId, '1', '3']);
  });

  it('drops a user/self whose id is longer than any real one, and says why for the log', () => {
    const outcome = reduceEvent(new LobbyStore(''), event('user/self', { user: privateUser(longId) }), NOW, never);
    expect(outcome).toEqual({ patches: [], watch: [], ignored: { level: 'warn', text: expect.stringContaining('user/self') } });
  });

  it('drops friend requests from long ids and keeps the request lists within their cap', () => {
    const store = new LobbyStore('');
    expect(run(store, event('friend/requestReceived', { from: longId }))).toEqual([]);
    const many = Array.from({ length: LIST_CAPS.friendRequests + 5 }, (_, i) => event('friend/requestReceived', { from: `u${i}` }));
    run(store, ...many);
    const incoming = store.view.friends.incoming;
    expect(incoming).toHaveLength(LIST_CAPS.friendRequests);
    expect(incoming[0]).toEqual({ userId: 'u5', sentAt: NOW });
    expect(incoming.at(-1)?.userId).toBe(`u${LIST_CAPS.friendRequests + 4}`);
  });

  it('keeps party invitations within their cap, newest last, and ignores a party with a long id', () => {
    const store = new LobbyStore('');
    expect(run(store, event('party/invited', { party: party(longId, ['2']) }))).toEqual([]);
    run(store, ...Array.from({ length: LIST_CAPS.partyInvitations + 3 }, (_, i) => event('party/invited', { party: party(`p${i}`, ['2']) })));
    const ids = store.view.party.invitations.map((i) => i.id);
    expect(ids).toHaveLength(LIST_CAPS.partyInvitations);
    expect(ids[0]).toBe('p3');
  });

  it('keeps a long chat marker as a digest that is never saved, and saves a short one even when the line was already shown', () => {
    const store = new LobbyStore('');
    const line = (marker: string) => event('messaging/received', { message: 'hi', source: { type: 'player', userId: '2' }, timestamp: 5_000_000, marker });
    const long = reduceEvent(store, line('m'.repeat(TEXT_CAPS.marker + 1)), NOW, never);
    expect(long.saveMarker).toBeUndefined();
    expect(long.shownMarker).toMatch(/^digest:/);
    expect(long.patches).toEqual([{ slice: 'chat', append: [expect.objectContaining({ marker: long.shownMarker, at: 5_000, text: 'hi' })] }]);
    expect(long.watch).toEqual(['2']);
    const replay = reduceEvent(store, line('m1'), NOW, (marker) => marker === 'm1');
    expect(replay).toEqual({ patches: [], watch: [], saveMarker: 'm1' });
  });

  it('walks the matchmaking state machine, dropping long queue ids, clamping the ready timeout and telling why a match was cancelled', () => {
    const store = new LobbyStore('');
    run(store, event('matchmaking/queuesJoined', { queues: ['1v1', longId, ...Array.from({ length: LIST_CAPS.queues }, (_, i) => `q${i}`)] }));
    expect(store.view.matchmaking.phase).toBe('queued');
    expect(store.view.matchmaking.queues).toHaveLength(LIST_CAPS.queues);
    expect(store.view.matchmaking.queues).not.toContain(longId);
    run(store, event('matchmaking/found', { queueId: '1v1', timeoutMs: 1e12 }));
    expect(store.view.matchmaking.found).toEqual({ queueId: '1v1', timeoutMs: 600_000, deadline: NOW + 600_000 });
    const cancelled = run(store, event('matchmaking/cancelled', { reason: 'server_error' }));
    expect(cancelled.map((p) => p.slice)).toEqual(['matchmaking', 'notice']);
    expect(cancelled[1]).toEqual({ slice: 'notice', value: { at: NOW, level: 'warning', text: 'The server could not start the battle.' } });
    expect(store.view.matchmaking).toMatchObject({ phase: 'cancelled', cancelReason: 'server_error', queues: [] });
    expect(run(store, event('matchmaking/cancelled', { reason: 'intentional' })).map((p) => p.slice)).toEqual(['matchmaking']);
  });

  it('tells a status change of our own user to the self slice too', () => {
    const store = new LobbyStore('');
    run(store, event('user/self', { user: privateUser('1') }));
    const patches = run(store, event('user/updated', { users: [{ userId: '1', status: 'playing' }, { userId: longId, status: 'menu' }] }));
    expect(patches).toEqual([
      { slice: 'users', upsert: [expect.objectContaining({ userId: '1', status: 'playing' })], remove: [] },
      { slice: 'self', value: expect.objectContaining({ userId: '1', status: 'playing' }) },
    ]);
  });
});
