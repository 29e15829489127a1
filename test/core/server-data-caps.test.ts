// What a hostile server sends is capped where it arrives: long strings cut, long ids refused, lists bounded, the marker file small.
import { readdirSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { connected, createWorld, waitFor, type World } from '../support/world';
import { LIST_CAPS, TEXT_CAPS } from '../../src-main/core/lobby/caps';
import { LOBBY_LIMITS } from '../../src-main/shared/lobby-reducers';

let world: World;
afterEach(async () => world?.dispose({ allowViolations: true }));

const received = (marker: string, message: string, userId = '900') => ({ marker, message, timestamp: 1_700_000_000_000_000, source: { type: 'player' as const, userId } });

describe('caps on server data', () => {
  it('cuts long chat text, keeps long markers as digests and never writes them to disk', async () => {
    world = await createWorld();
    const alice = await world.player('alice');
    await waitFor('connected', () => connected(alice.app));
    const big = 'x'.repeat(200_000);
    for (let i = 0; i < 20; i++) world.controls.sendEvent(alice.userId, 'messaging/received', received(`${i}${big}`, big));
    world.controls.sendEvent(alice.userId, 'messaging/received', received('short-marker', 'hello'));
    await waitFor('chat lines', () => alice.app.snapshot().chat.length === 21);
    const chat = alice.app.snapshot().chat;
    expect(new Set(chat.map((l) => l.marker)).size).toBe(21);
    for (const line of chat) {
      expect(line.text.length).toBeLessThanOrEqual(TEXT_CAPS.chatText);
      expect(line.marker.length).toBeLessThanOrEqual(TEXT_CAPS.marker);
    }
    // The same long marker again is recognised as a repeat.
    world.controls.sendEvent(alice.userId, 'messaging/received', received(`0${big}`, 'again'));
    world.controls.sendEvent(alice.userId, 'messaging/received', received('after', 'after'));
    await waitFor('the line after', () => alice.app.snapshot().chat.some((l) => l.marker === 'after'));
    expect(alice.app.snapshot().chat).toHaveLength(22);
    await alice.app.close();
    const markerFile = readdirSync(alice.dataDir).find((f) => f.startsWith('chat-marker-'));
    expect(JSON.parse(readFileSync(`${alice.dataDir}/${markerFile}`, 'utf8'))).toEqual({ marker: 'after' });
    expect(readdirSync(alice.dataDir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('cuts long names, drops users whose id is too long, treats __proto__ as an id', async () => {
    world = await createWorld();
    const alice = await world.player('alice');
    await waitFor('connected', () => connected(alice.app));
    world.controls.sendEvent(alice.userId, 'user/updated', {
      users: [
        { userId: '__proto__', username: 'proto', displayName: 'n'.repeat(100_000), clanId: null, status: 'menu' },
        { userId: 'i'.repeat(10_000), username: 'long-id', displayName: 'x', clanId: null, status: 'menu' },
        { userId: 'constructor', username: 'ctor', displayName: 'C', clanId: 'c'.repeat(5000), status: 'playing', countryCode: 'z'.repeat(300) },
      ],
    });
    await waitFor('users', () => Object.hasOwn(alice.app.snapshot().users, 'constructor'));
    const users = alice.app.snapshot().users;
    expect(Object.hasOwn(users, '__proto__')).toBe(true);
    expect(users['hasOwnProperty']).toBeUndefined();
    expect(users['__proto__']!.displayName.length).toBeLessThanOrEqual(TEXT_CAPS.name);
    expect(users['constructor']!.clanId!.length).toBeLessThanOrEqual(TEXT_CAPS.name);
    expect(users['constructor']!.countryCode!.length).toBeLessThanOrEqual(TEXT_CAPS.countryCode);
    expect(Object.values(users).some((u) => u.username === 'long-id')).toBe(false);
  });

  it('bounds friend requests and party invitations, evicting the oldest', async () => {
    world = await createWorld();
    const alice = await world.player('alice');
    await waitFor('connected', () => connected(alice.app));
    const requests = LIST_CAPS.friendRequests + 50;
    for (let i = 0; i < requests; i++) world.controls.sendEvent(alice.userId, 'friend/requestReceived', { from: `f${i}` });
    const invitations = LIST_CAPS.partyInvitations + 10;
    for (let i = 0; i < invitations; i++) {
      world.controls.sendEvent(alice.userId, 'party/invited', { party: { id: `p${i}`, members: [{ userId: 'x', joinedAt: 1 }], maxMembers: 8, invited: [{ userId: alice.userId, invitedAt: 1 }] } });
    }
    await waitFor('last invitation', () => alice.app.snapshot().party.invitations.some((p) => p.id === `p${invitations - 1}`));
    await waitFor('last request', () => alice.app.snapshot().friends.incoming.some((r) => r.userId === `f${requests - 1}`));
    const { friends, party } = alice.app.snapshot();
    expect(friends.incoming).toHaveLength(LIST_CAPS.friendRequests);
    expect(friends.incoming[0]!.userId).toBe('f50');
    expect(party.invitations).toHaveLength(LIST_CAPS.partyInvitations);
    expect(party.invitations[0]!.id).toBe('p10');
  });

  it('keeps at most the users limit, forgetting those heard of longest ago but never a friend', async () => {
    world = await createWorld();
    const alice = await world.player('alice');
    const bob = world.server.addPlayer('bob');
    await waitFor('connected', () => connected(alice.app));
    await alice.app.intents.sendFriendRequest(bob.userId);
    world.controls.sendEvent(alice.userId, 'friend/requestAccepted', { from: bob.userId });
    await waitFor('friend', () => alice.app.snapshot().friends.friendIds.includes(bob.userId));
    await waitFor('bob known', () => alice.app.snapshot().users[bob.userId]);
    const batch = 5_000;
    const total = LOBBY_LIMITS.users + batch * 2;
    for (let start = 0; start < total; start += batch) {
      const users = Array.from({ length: batch }, (_, k) => ({ userId: `u${start + k}`, username: `u${start + k}`, displayName: 'u', clanId: null, status: 'menu' as const }));
      world.controls.sendEvent(alice.userId, 'user/updated', { users });
    }
    await waitFor('last user', () => alice.app.snapshot().users[`u${total - 1}`], 20_000);
    const users = alice.app.snapshot().users;
    expect(Object.keys(users).length).toBe(LOBBY_LIMITS.users);
    expect(users[bob.userId]).toBeDefined();
    expect(users[alice.userId]).toBeDefined();
    expect(users['u0']).toBeUndefined();
  });
});
