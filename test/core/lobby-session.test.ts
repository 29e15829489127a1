// The lobby core against a real embedded server: opening requests, stats, presence, chat with markers, friends and parties.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connected, createWorld, waitFor, type World } from '../support/world';

let world: World;
beforeEach(async () => { world = await createWorld(); });
afterEach(async () => {
  const violations = world.controls.violations.slice();
  await world.dispose();
  expect(violations).toEqual([]);
});

describe('a lobby session', () => {
  it('connects, learns who it is and sees the user count change', async () => {
    const alice = await world.player('alice');
    await waitFor('alice connected', () => connected(alice.app));
    await waitFor('self', () => alice.app.snapshot().self?.username === 'alice');
    await waitFor('one user online', () => alice.app.snapshot().stats.userCount === 1);
    const bob = await world.player('bob');
    await waitFor('bob connected', () => connected(bob.app));
    await waitFor('two users online', () => alice.app.snapshot().stats.userCount === 2);
    expect(alice.app.snapshot().connection.versionParity).toBe('match');
    expect(alice.app.snapshot().stats.history.length).toBeGreaterThanOrEqual(2);
  });

  it('sends and receives direct messages, without losing or doubling any across a restart', async () => {
    const alice = await world.player('alice');
    const bob = await world.player('bob');
    await waitFor('both connected', () => connected(alice.app) && connected(bob.app));
    await waitFor('chat subscribed', () => alice.app.snapshot().stats.userCount === 2);
    await alice.app.intents.sendChat({ type: 'player', userId: bob.userId }, 'gl hf');
    await waitFor('bob got it', () => bob.app.snapshot().chat.some((l) => l.text === 'gl hf'));
    // Bob quits; alice writes twice while he is away; bob comes back with the same data dir.
    await bob.app.close();
    await alice.app.intents.sendChat({ type: 'player', userId: bob.userId }, 'still there?');
    await alice.app.intents.sendChat({ type: 'player', userId: bob.userId }, 'hello?');
    const bobAgain = await world.player('bob', { dataDir: bob.dataDir });
    await waitFor('bob got the missed lines', () => bobAgain.app.snapshot().chat.filter((l) => l.fromUserId === alice.userId).length === 2);
    await new Promise((r) => setTimeout(r, 200));
    expect(bobAgain.app.snapshot().chat.map((l) => l.text)).toEqual(['still there?', 'hello?']);
  });

  it('explains failures of intents as data with stable codes', async () => {
    const alice = await world.player('alice');
    await waitFor('connected', () => connected(alice.app));
    await expect(alice.app.intents.sendChat({ type: 'player', userId: '9999' }, 'hi')).rejects.toMatchObject({ code: 'rejected', reason: 'invalid_target' });
    await expect(alice.app.intents.ready()).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(alice.app.intents.queue(['nope'])).rejects.toMatchObject({ code: 'rejected', reason: 'invalid_queue_specified' });
    // The server's details reach the player's words: the reason alone would say only "did not accept".
    await expect(alice.app.intents.inviteToParty(alice.userId)).rejects.toMatchObject({ code: 'rejected', message: expect.stringContaining('not in a party') });
  });

  it('keeps friends and party state', async () => {
    const alice = await world.player('alice');
    const bob = await world.player('bob');
    await waitFor('both connected', () => connected(alice.app) && connected(bob.app) && alice.app.snapshot().self && bob.app.snapshot().self);
    await alice.app.intents.sendFriendRequest(bob.userId);
    await waitFor('bob sees the request', () => bob.app.snapshot().friends.incoming.some((r) => r.userId === alice.userId));
    await bob.app.intents.acceptFriendRequest(alice.userId);
    await waitFor('alice has a friend', () => alice.app.snapshot().friends.friendIds.includes(bob.userId));
    await waitFor('alice sees bob online', () => alice.app.snapshot().users[bob.userId]?.status === 'menu');
    await alice.app.intents.createParty();
    await alice.app.intents.inviteToParty(bob.userId);
    const invite = await waitFor('bob invited', () => bob.app.snapshot().party.invitations[0]);
    await bob.app.intents.acceptPartyInvite(invite.id);
    await waitFor('bob in party', () => bob.app.snapshot().party.current?.members.length === 2);
    await bob.app.intents.sendChat({ type: 'party' }, 'party time');
    await waitFor('alice got party chat', () => alice.app.snapshot().chat.some((l) => l.text === 'party time' && l.channel.type === 'party'));
    await bob.app.close();
    await waitFor('alice sees bob offline', () => alice.app.snapshot().users[bob.userId]?.status === 'offline');
  });
});

describe('a custom lobby session', () => {
  it('learns the names of the people in its lobby: a joiner, and those already there when it joins', async () => {
    const alice = await world.player('alice');
    const bob = await world.player('bob');
    await waitFor('both connected', () => connected(alice.app) && connected(bob.app) && alice.app.snapshot().self && bob.app.snapshot().self);
    // Strangers: neither knows the other before the lobby.
    expect(alice.app.snapshot().users[bob.userId]).toBeUndefined();
    const { lobbyId } = await alice.app.intents.createLobby({ name: 'Evening', mapName: 'Tachyon Test Map', allyTeams: 2, teamSize: 1, bossesEnabled: true });
    await bob.app.intents.joinLobby({ lobbyId });
    // Alice hears of bob as an id in lobby/updated; bob got alice as an id in the join's answer.
    await waitFor('alice sees bob in her lobby', () => alice.app.snapshot().lobby?.spectators[bob.userId] !== undefined);
    await waitFor("alice knows bob's name", () => alice.app.snapshot().users[bob.userId]?.username === 'bob');
    await waitFor("bob knows alice's name", () => bob.app.snapshot().users[alice.userId]?.username === 'alice');
  });
});
