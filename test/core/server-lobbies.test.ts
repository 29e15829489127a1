// The embedded server's custom battles (`lobby/*`) against raw clients, as Teiserver serves them: create, join and leave,
// seats and the join queue, bots, merge-patch updates with null removals, the list, lobby chat, bosses, votes, kickban.
import { describe, expect, it } from 'vitest';
import { useLobbyServer, type LobbyDetails } from '../support/lobby-server';
import { allyTeams, lobbyName, rawPlayer, startBox, type RawPlayer } from './lobby-client-harness';

const suite = useLobbyServer({ playlists: [{ id: '1v1', name: 'Duel', numOfTeams: 2, teamSize: 1, engine: '106.0', game: 'Test Game 1', map: 'Test Map' }] });
const { start, join, create, twoInLobby, players } = suite;
type Details = LobbyDetails;
type Update = Record<string, unknown> & { id: string };

/** The next update that starts a vote. */
async function voteIn(player: RawPlayer): Promise<{ id: string; action: unknown }> {
  for (;;) {
    const update = await player.next<Update & { currentVote?: { id: string; action: unknown } | null }>('lobby/updated');
    if (update.currentVote?.action) return update.currentVote;
  }
}

describe('lobby/create, join, leave', () => {
  it('creates with the server\'s engine and game, joins as a spectator, tells the members, and leaves', async () => {
    await start();
    const alice = await join('alice');
    const bob = await join('bob');
    const lobby = await create(alice, { gameOptions: { startmetal: { value: '1000' } }, tags: { casual: {} } });
    expect(lobby).toMatchObject({
      mapName: 'Test Map', engineVersion: '106.0', gameVersion: 'Test Game 1', areBossesEnabled: false, bosses: {},
      players: { [alice.userId]: { id: alice.userId, allyTeam: '0', team: '0', player: '0', isReady: false, assetStatus: 'complete' } },
      spectators: {}, bots: {}, gameOptions: { startmetal: { value: '1000' } }, tags: { casual: {} },
      allyTeamConfig: { 0: { maxTeams: 1, startBox, teams: { 0: { maxPlayers: 1 } } }, 1: { maxTeams: 1 } },
    });
    expect(lobby.currentBattle).toBeUndefined();
    expect(suite.server().lobbies.lobbyOf(alice.userId)).toBe(lobby.id);

    const joined = await bob.ok<Details>('lobby/join', { id: lobby.id });
    expect(joined.spectators).toEqual({ [bob.userId]: { id: bob.userId } });
    expect(await alice.next<Update>('lobby/updated')).toEqual({ id: lobby.id, spectators: { [bob.userId]: { id: bob.userId } } });
    // Joining the lobby one is in answers its details again; another lobby is refused.
    expect(await bob.ok<Details>('lobby/join', { id: lobby.id })).toMatchObject({ id: lobby.id });
    const carol = await join('carol');
    const other = await create(carol);
    expect(await bob.call('lobby/join', { id: other.id })).toMatchObject({ status: 'failed', reason: 'invalid_request', details: 'already_in_lobby' });
    expect(await bob.call('lobby/create', { name: 'x', mapName: 'm', allyTeamConfig: allyTeams() })).toMatchObject({ status: 'failed', reason: 'invalid_request', details: 'already_in_lobby' });
    expect(await carol.call('lobby/join', { id: 'no-such-lobby' })).toMatchObject({ status: 'failed', reason: 'invalid_request', details: 'already_in_lobby' });
    await carol.ok('lobby/leave');
    expect(await carol.call('lobby/join', { id: 'no-such-lobby' })).toMatchObject({ status: 'failed', reason: 'invalid_request', details: 'invalid_lobby' });
    expect(await carol.call('lobby/leave')).toMatchObject({ status: 'failed', reason: 'invalid_request', details: 'not_in_lobby' });

    await bob.ok('lobby/leave');
    expect(await alice.next<Update>('lobby/updated')).toEqual({ id: lobby.id, spectators: { [bob.userId]: null } });
    expect(suite.server().lobbies.lobbyOf(bob.userId)).toBeNull();
    // The last member leaving ends the lobby.
    await alice.ok('lobby/leave');
    expect(suite.server().lobbies.lobbyCount).toBe(0);
    expect(await bob.call('lobby/join', { id: lobby.id })).toMatchObject({ status: 'failed', details: 'invalid_lobby' });
  });

  it('refuses bad names and layouts as Teiserver words them', async () => {
    await start();
    const alice = await join('alice');
    const bad = async (data: Record<string, unknown>) => alice.call('lobby/create', { name: lobbyName(), mapName: 'Test Map', allyTeamConfig: allyTeams(), ...data });
    expect(await bad({ name: '' })).toMatchObject({ status: 'failed', reason: 'invalid_request', details: 'Cannot create lobby: Lobby name must not be empty' });
    expect(await bad({ name: 'x'.repeat(71) })).toMatchObject({ details: 'Cannot create lobby: Lobby name is too long' });
    expect(await bad({ name: 'bad/name' })).toMatchObject({ details: 'Cannot create lobby: Lobby name contains invalid characters' });
    expect(await bad({ allyTeamConfig: [] })).toMatchObject({ status: 'failed', reason: 'invalid_request' });
    expect(await bad({ allyTeamConfig: allyTeams(17) })).toMatchObject({ status: 'failed', reason: 'invalid_request' });
    expect(suite.server().lobbies.lobbyCount).toBe(0);
  });

  it('user/self names the lobby, also after a reconnect within the grace; a drop past it or a disconnect leaves', async () => {
    await start({ sessionGraceMs: 60_000 });
    const { alice, bob, lobby } = await twoInLobby();
    await alice.next('lobby/updated');
    const token = suite.server().addPlayer('bob').token; // the same account, a second token
    // A drop (no system/disconnect): bob keeps his place and finds it in user/self.
    bob.socket.terminate();
    await new Promise((resolve) => bob.socket.once('close', resolve));
    players.splice(players.indexOf(bob), 1);
    await alice.barrier();
    expect(alice.pending('lobby/updated')).toBe(0);
    const back = await rawPlayer(suite.server(), 'bob', token);
    players.push(back);
    const self = back.messages.find((m) => m.commandId === 'user/self')?.data as { user: { currentLobby: string | null } };
    expect(self.user.currentLobby).toBe(lobby.id);
    // system/disconnect ends the session at once: he leaves.
    await back.ok('system/disconnect');
    expect(await alice.next<Update>('lobby/updated')).toEqual({ id: lobby.id, spectators: { [back.userId]: null } });
  });

  it('a drop with no grace removes the member and their bots', async () => {
    await start({ sessionGraceMs: 0 });
    const { alice, bob, lobby } = await twoInLobby();
    await alice.next('lobby/updated');
    const { id: botId } = await bob.ok<{ id: string }>('lobby/addBot', { allyTeam: '1', shortName: 'NullAI' });
    await alice.next('lobby/updated');
    bob.socket.terminate();
    expect(await alice.next<Update>('lobby/updated')).toEqual({ id: lobby.id, bots: { [botId]: null }, spectators: { [bob.userId]: null } });
  });
});

describe('seats, bots and the join queue', () => {
  it('moves between ally teams and spectators with ally_team_full, and queues', async () => {
    await start();
    const alice = await join('alice');
    const bob = await join('bob');
    const carol = await join('carol');
    const lobby = await create(alice);
    for (const p of [bob, carol]) await p.ok('lobby/join', { id: lobby.id });
    await alice.next('lobby/updated');
    await alice.next('lobby/updated');
    await bob.next('lobby/updated');
    expect(await bob.call('lobby/joinAllyTeam', { allyTeam: '0' })).toMatchObject({ status: 'failed', reason: 'ally_team_full' });
    expect(await bob.call('lobby/joinAllyTeam', { allyTeam: '5' })).toMatchObject({ status: 'failed', reason: 'invalid_request', details: 'invalid_ally_team' });
    expect(await bob.call('lobby/joinAllyTeam', { allyTeam: 'one' })).toMatchObject({ status: 'failed', reason: 'invalid_request', details: 'Invalid ally team' });
    await bob.ok('lobby/joinAllyTeam', { allyTeam: '1' });
    const seated = { id: lobby.id, players: { [bob.userId]: { id: bob.userId, allyTeam: '1', team: '0', player: '0', isReady: false, assetStatus: 'complete' } }, spectators: { [bob.userId]: null } };
    expect(await alice.next<Update>('lobby/updated')).toEqual(seated);
    expect(await bob.next<Update>('lobby/updated')).toEqual(seated);
    // Every seat taken: carol queues; when bob spectates she is seated in his place.
    await carol.ok('lobby/joinQueue');
    expect(await alice.next<Update>('lobby/updated')).toEqual({ id: lobby.id, spectators: { [carol.userId]: { id: carol.userId, joinQueuePosition: 1 } } });
    await bob.ok('lobby/spectate');
    expect(await alice.next<Update>('lobby/updated')).toEqual({
      id: lobby.id,
      players: { [bob.userId]: null, [carol.userId]: { id: carol.userId, allyTeam: '1', team: '0', player: '0', isReady: false, assetStatus: 'complete' } },
      spectators: { [bob.userId]: { id: bob.userId }, [carol.userId]: null },
    });
    // Ready only for players.
    expect(await bob.call('lobby/updateClientStatus', { isReady: true })).toMatchObject({ status: 'failed', reason: 'invalid_request', details: 'not_a_player' });
    await carol.ok('lobby/updateClientStatus', { isReady: true, assetStatus: 'downloading' });
    expect(await alice.next<Update>('lobby/updated')).toEqual({ id: lobby.id, players: { [carol.userId]: { id: carol.userId, isReady: true, assetStatus: 'downloading' } } });
    const outsider = await join('dave');
    for (const command of ['lobby/spectate', 'lobby/joinQueue']) expect(await outsider.call(command)).toMatchObject({ status: 'failed', reason: 'not_in_lobby' });
    expect(await outsider.call('lobby/joinAllyTeam', { allyTeam: '0' })).toMatchObject({ status: 'failed', reason: 'not_in_lobby' });
    expect(await outsider.call('lobby/updateClientStatus', { isReady: true })).toMatchObject({ status: 'failed', reason: 'invalid_request', details: 'not_in_lobby' });
  });

  it('adds, updates (null clears) and removes bots, hosted by the player who added them', async () => {
    await start();
    const alice = await join('alice');
    const lobby = await create(alice, { allyTeamConfig: allyTeams(2, 2) });
    const { id } = await alice.ok<{ id: string }>('lobby/addBot', { allyTeam: '1', shortName: 'NullAI', name: 'Nully', version: '0.1', options: { aggression: 'high' } });
    expect(await alice.next<Update>('lobby/updated')).toEqual({
      id: lobby.id,
      bots: { [id]: { id, hostUserId: alice.userId, allyTeam: '1', team: '0', player: '0', name: 'Nully', shortName: 'NullAI', version: '0.1', options: { aggression: 'high' } } },
    });
    await alice.ok('lobby/updateBot', { id, version: null, options: { aggression: null, style: 'turtle' } });
    expect(await alice.next<Update>('lobby/updated')).toEqual({ id: lobby.id, bots: { [id]: { id, version: null, options: { aggression: null, style: 'turtle' } } } });
    await alice.ok('lobby/updateBot', { id, name: 'Renamed' });
    expect(await alice.next<Update>('lobby/updated')).toEqual({ id: lobby.id, bots: { [id]: { id, name: 'Renamed', version: null, options: {} } } });
    const second = await alice.ok<{ id: string }>('lobby/addBot', { allyTeam: '1', shortName: 'NullAI' });
    expect(await alice.next<Update>('lobby/updated')).toMatchObject({ bots: { [second.id]: { team: '1', version: null, options: null } } });
    expect(await alice.call('lobby/addBot', { allyTeam: '1', shortName: 'NullAI' })).toMatchObject({ status: 'failed', reason: 'ally_team_full' });
    // Removing the first repacks the second into team 0.
    await alice.ok('lobby/removeBot', { id });
    expect(await alice.next<Update>('lobby/updated')).toEqual({ id: lobby.id, bots: { [id]: null, [second.id]: { id: second.id, team: '0', version: null, options: null } } });
    expect(await alice.call('lobby/removeBot', { id })).toMatchObject({ status: 'failed', reason: 'invalid_request', details: 'invalid_bot_id' });
    expect(await alice.call('lobby/updateBot', { id })).toMatchObject({ status: 'failed', reason: 'invalid_request', details: 'invalid_bot_id' });
  });
});

describe('lobby/update', () => {
  it('merges a patch where null removes, and reshapes the ally teams', async () => {
    await start();
    const alice = await join('alice');
    const lobby = await create(alice, { gameOptions: { a: { value: '1' }, b: { value: '2' } }, tags: { t1: {} } });
    await alice.ok('lobby/update', {});
    await alice.ok('lobby/update', { name: 'Renamed lobby', gameOptions: { a: null, c: { value: '3' } }, tags: { t1: null, t2: {} } });
    expect(await alice.next<Update>('lobby/updated')).toEqual({ id: lobby.id, name: 'Renamed lobby', gameOptions: { a: null, c: { value: '3' } }, tags: { t1: null, t2: {} } });
    // Alone among players, the map changes at once.
    await alice.ok('lobby/update', { mapName: 'Other Map' });
    expect(await alice.next<Update>('lobby/updated')).toEqual({ id: lobby.id, mapName: 'Other Map' });
    const { id: bot } = await alice.ok<{ id: string }>('lobby/addBot', { allyTeam: '1', shortName: 'NullAI' });
    await alice.next('lobby/updated');
    // One ally team left: the bot's seat is gone with it.
    await alice.ok('lobby/update', { allyTeamConfig: [{ maxTeams: 2, startBox: { top: 0, bottom: 1, left: 0, right: 1 }, teams: [{ maxPlayers: 1 }, { maxPlayers: 1 }] }] });
    expect(await alice.next<Update>('lobby/updated')).toEqual({
      id: lobby.id, bots: { [bot]: null },
      allyTeamConfig: { 0: { maxTeams: 2, startBox: { top: 0, bottom: 1, left: 0, right: 1 }, teams: { 1: { maxPlayers: 1 } } }, 1: null },
    });
    expect(await alice.call('lobby/update', { name: '' })).toMatchObject({ status: 'failed', reason: 'invalid_request', details: 'Cannot update lobby: Lobby name must not be empty' });
  });

  it('with bosses, only a boss updates; appointBoss and unboss', async () => {
    await start();
    const alice = await join('alice');
    const bob = await join('bob');
    const lobby = await create(alice, { areBossesEnabled: true });
    expect(lobby.bosses).toEqual({ [alice.userId]: {} });
    await bob.ok('lobby/join', { id: lobby.id });
    await alice.next('lobby/updated');
    expect(await bob.call('lobby/update', { name: 'Mine' })).toMatchObject({ status: 'failed', reason: 'invalid_request', details: 'Cannot update lobby: you are not a boss' });
    expect(await bob.call('lobby/appointBoss', { userId: bob.userId })).toMatchObject({ status: 'failed', reason: 'invalid_request', details: 'not_a_boss' });
    await alice.ok('lobby/appointBoss', { userId: bob.userId });
    expect(await alice.next<Update>('lobby/updated')).toEqual({ id: lobby.id, bosses: { [bob.userId]: {} } });
    await bob.ok('lobby/update', { name: 'Mine' });
    await alice.next('lobby/updated');
    await bob.ok('lobby/unboss', {});
    expect(await alice.next<Update>('lobby/updated')).toEqual({ id: lobby.id, bosses: { [bob.userId]: null } });
    expect(await bob.call('lobby/unboss', { userId: alice.userId })).toMatchObject({ status: 'failed', reason: 'invalid_request', details: 'not_a_boss' });
    const carol = await join('carol');
    const plain = await create(carol);
    expect(plain.areBossesEnabled).toBe(false);
    expect(await carol.call('lobby/appointBoss', { userId: carol.userId })).toMatchObject({ status: 'failed', reason: 'invalid_request', details: 'no_boss_allowed' });
  });
});

describe('votes', () => {
  it('puts a map change among two players to a vote that passes with both, and one that fails', async () => {
    await start();
    const { alice, bob, lobby } = await twoInLobby({ seat: '1' });
    await alice.next('lobby/updated');
    await alice.next('lobby/updated');
    await bob.next('lobby/updated');
    await alice.ok('lobby/update', { mapName: 'Voted Map' });
    const started = await bob.next<Update & { currentVote: { id: string; until: number } }>('lobby/updated');
    expect(started.currentVote).toMatchObject({
      action: { type: 'changeMap', newMapName: 'Voted Map' }, initiator: alice.userId, quorum: 2, majority: 2,
      voters: { [alice.userId]: { vote: 'yes' }, [bob.userId]: { vote: 'pending' } },
    });
    expect(started.currentVote.until).toBeGreaterThan(Date.now() * 1000);
    expect(await bob.call('lobby/update', { mapName: 'Another' })).toMatchObject({ status: 'failed', details: 'Cannot update lobby: vote_in_progress' });
    expect(await bob.call('lobby/voteSubmit', { id: 'vote-99', vote: 'yes' })).toMatchObject({ status: 'failed', reason: 'invalid_request', details: 'invalid_vote' });
    await bob.ok('lobby/voteSubmit', { id: started.currentVote.id, vote: 'yes' });
    expect(await bob.next('lobby/voteEnded')).toEqual({ id: started.currentVote.id, outcome: 'passed' });
    const ended = await bob.next<Update>('lobby/updated');
    expect(ended).toMatchObject({ id: lobby.id, mapName: 'Voted Map', currentVote: null, voteHistory: { [started.currentVote.id]: { vote: { type: 'changeMap', newMapName: 'Voted Map' }, outcome: 'passed' } } });

    await bob.ok('lobby/update', { mapName: 'Refused Map' });
    const second = await voteIn(bob);
    expect(second.id).not.toBe(started.currentVote.id);
    await alice.ok('lobby/voteSubmit', { id: second.id, vote: 'no' });
    expect(await bob.next('lobby/voteEnded')).toEqual({ id: second.id, outcome: 'failed' });
    expect(await bob.next<Update>('lobby/updated')).toMatchObject({ currentVote: null, voteHistory: { [second.id]: { outcome: 'failed' } } });
    expect(suite.server().lobbies.lobbyOf(alice.userId)).toBe(lobby.id);
  });

  it('a vote nobody finishes times out', async () => {
    await start({ lobbies: { voteDurationMs: 100 } });
    const { alice, bob, lobby } = await twoInLobby({ seat: '1' });
    await alice.ok('lobby/update', { mapName: 'Slow Map' });
    const vote = await voteIn(alice);
    expect(await alice.next('lobby/voteEnded')).toEqual({ id: vote.id, outcome: 'timeout' });
    expect(suite.server().lobbies.lobbyOf(bob.userId)).toBe(lobby.id);
  });
});

describe('kickban', () => {
  it('kicks at once for a boss, bans until a time, and lets the player back after it', async () => {
    await start();
    const { alice, bob, lobby } = await twoInLobby({ lobby: { areBossesEnabled: true } });
    expect(await bob.call('lobby/kickban', { userId: alice.userId })).toMatchObject({ status: 'failed', reason: 'invalid_request' });
    await alice.ok('lobby/kickban', { userId: bob.userId });
    expect(await bob.next('lobby/left')).toEqual({ id: lobby.id, reason: 'kicked' });
    expect(suite.server().lobbies.lobbyOf(bob.userId)).toBeNull();
    await bob.ok('lobby/join', { id: lobby.id });
    const banUntil = (Date.now() + 800) * 1000;
    await alice.ok('lobby/kickban', { userId: bob.userId, banUntil });
    expect(await bob.next('lobby/left')).toEqual({ id: lobby.id, reason: 'banned', bannedUntil: banUntil });
    const refused = await bob.call('lobby/join', { id: lobby.id });
    expect(refused).toMatchObject({ status: 'failed', reason: 'banned', details: `Banned until ${new Date(banUntil / 1000).toISOString()}` });
    // Past the ban the player may join again.
    const deadline = Date.now() + 20_000;
    while (Date.now() < banUntil / 1000 + 50 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    await bob.ok('lobby/join', { id: lobby.id });
    expect(await bob.call('lobby/kickban', { userId: 'nobody' })).toMatchObject({ status: 'failed', reason: 'invalid_request' });
    const outsider = await join('carol');
    expect(await outsider.call('lobby/kickban', { userId: bob.userId })).toMatchObject({ status: 'failed', reason: 'invalid_request', details: ':not_in_lobby' });
  });

  it('without bosses and with two players a kick is a vote', async () => {
    await start();
    const { alice, bob, lobby } = await twoInLobby({ seat: '1' });
    await alice.ok('lobby/kickban', { userId: bob.userId });
    const vote = await voteIn(bob);
    expect(vote.action).toEqual({ type: 'kickban', userId: bob.userId });
    // The target leaving cancels the vote to kick him.
    await bob.ok('lobby/leave');
    expect(await alice.next('lobby/voteEnded')).toEqual({ id: vote.id, outcome: 'cancelled' });
    expect(suite.server().lobbies.lobbyOf(alice.userId)).toBe(lobby.id);
  });
});

describe('the list and lobby chat', () => {
  it('subscribeList answers, then listReset, then batched listUpdated; unsubscribe stops them', async () => {
    await start();
    const alice = await join('alice');
    const watcher = await join('watcher');
    const first = await create(alice);
    await watcher.ok('lobby/subscribeList');
    const reset = await watcher.next<{ lobbies: Record<string, unknown> }>('lobby/listReset');
    expect(reset.lobbies).toEqual({
      [first.id]: { id: first.id, name: first.name, playerCount: 1, maxPlayerCount: 2, mapName: 'Test Map', engineVersion: '106.0', gameVersion: 'Test Game 1', areBossesEnabled: false, tags: {}, currentBattle: null },
    });
    await alice.ok('lobby/update', { mapName: 'New Map' });
    expect(await watcher.next('lobby/listUpdated')).toEqual({ lobbies: { [first.id]: { id: first.id, mapName: 'New Map' } } });
    await alice.ok('lobby/leave');
    expect(await watcher.next('lobby/listUpdated')).toEqual({ lobbies: { [first.id]: null } });
    const second = await create(alice);
    expect(await watcher.next('lobby/listUpdated')).toMatchObject({ lobbies: { [second.id]: { id: second.id, playerCount: 1, currentBattle: null } } });
    await watcher.ok('lobby/unsubscribeList');
    await alice.ok('lobby/update', { mapName: 'Unseen Map' });
    await new Promise((resolve) => setTimeout(resolve, 100));
    await watcher.barrier();
    expect(watcher.pending('lobby/listUpdated')).toBe(0);
  });

  it('messaging/send to the lobby reaches the other members with the lobby as source', async () => {
    await start();
    const { alice, bob, lobby } = await twoInLobby();
    for (const p of [alice, bob]) await p.ok('messaging/subscribeReceived', { since: { type: 'latest' } });
    await alice.ok('messaging/send', { target: { type: 'lobby' }, message: 'glhf' });
    expect(await bob.next('messaging/received')).toMatchObject({ message: 'glhf', source: { type: 'lobby', lobbyId: lobby.id, userId: alice.userId } });
    await alice.barrier();
    expect(alice.pending('messaging/received')).toBe(0);
    const outsider = await join('carol');
    expect(await outsider.call('messaging/send', { target: { type: 'lobby' }, message: 'hi' })).toMatchObject({ status: 'failed', reason: 'invalid_request', details: ':not_in_lobby' });
  });
});

describe('caps against a hostile client', () => {
  it('bounds lobbies, members, options and bans', async () => {
    await start({ lobbies: { maxLobbies: 3, limits: { members: 3, gameOptions: 4 } } });
    const creators = [await join('a'), await join('b'), await join('c'), await join('d')];
    const lobbies = [];
    for (const p of creators.slice(0, 3)) lobbies.push(await create(p));
    expect(await creators[3]!.call('lobby/create', { name: 'one more', mapName: 'm', allyTeamConfig: allyTeams() }))
      .toMatchObject({ status: 'failed', reason: 'invalid_request', details: 'Cannot create lobby: the server holds as many lobbies as it can' });
    const target = lobbies[0]!;
    const extra = [await join('e'), await join('f'), await join('g')];
    await extra[0]!.ok('lobby/join', { id: target.id });
    await extra[1]!.ok('lobby/join', { id: target.id });
    expect(await extra[2]!.call('lobby/join', { id: target.id })).toMatchObject({ status: 'failed', reason: 'lobby_full' });
    const owner = creators[0]!;
    const options = Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`o${i}`, { value: 'v' }]));
    expect(await owner.call('lobby/update', { gameOptions: options })).toMatchObject({ status: 'failed', reason: 'invalid_request', details: 'Cannot update lobby: at most 4 game options' });
    expect(await owner.call('lobby/update', { gameOptions: { big: { value: 'x'.repeat(2000) } } })).toMatchObject({ status: 'failed', reason: 'invalid_request' });
    expect(await owner.call('lobby/addBot', { allyTeam: '1', shortName: 'NullAI', options: Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${i}`, 'v'])) }))
      .toMatchObject({ status: 'failed', reason: 'invalid_request' });
    // Subscribing again and again is still one subscription: one listUpdated a change.
    const watcher = extra[2]!;
    for (let i = 0; i < 30; i++) await watcher.ok('lobby/subscribeList');
    await owner.ok('lobby/update', { name: 'Renamed once' });
    await watcher.next('lobby/listUpdated');
    await new Promise((resolve) => setTimeout(resolve, 100));
    await watcher.barrier();
    expect(watcher.pending('lobby/listUpdated')).toBe(0);
    // Creating and leaving in a loop leaves nothing behind.
    await creators[2]!.ok('lobby/leave');
    const churner = creators[3]!;
    for (let i = 0; i < 50; i++) {
      await create(churner);
      await churner.ok('lobby/leave');
    }
    expect(suite.server().lobbies.lobbyCount).toBe(2);
    // Bots only where there are seats: two ally teams of one, the owner in one.
    await owner.ok('lobby/addBot', { allyTeam: '1', shortName: 'NullAI' });
    for (let i = 0; i < 5; i++) expect(await owner.call('lobby/addBot', { allyTeam: String(i % 2), shortName: 'NullAI' })).toMatchObject({ status: 'failed', reason: 'ally_team_full' });
  });
});
