// Custom lobbies against a scripted Teiserver-like peer: what the real server sends for create, join, the list, updates with
// `null` removals, bots, votes and kickban, with its refusals (mostly `invalid_request` and the lobby's reason in details),
// and what a reconnect restores. Shapes from Teiserver's tachyon_handler.ex and test/teiserver_web/tachyon/lobby_test.exs;
// the peer checks every client message against the current revision.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BattleStartRequestData } from 'tachyon-protocol/types';
import { createLobbyApp, type CoreLobbyApp } from '../../src-main/core/lobby-app';
import { createMemoryLogger } from '../../src-main/core/log';
import { startScriptedPeer, teiserverPlaylists, teiserverSelf, type ScriptedConnection, type ScriptedPeer } from '../support/scripted-peer';
import { connected, waitFor } from '../support/world';

const ALICE = '101';
const BOB = '102';
const US = 1_767_000_000_000_000;
const box = (left: number, right: number) => ({ top: 0, bottom: 1, left, right });

const BATTLE: BattleStartRequestData = {
  username: 'alice', password: 'lobby-battle-pass-1', ip: '127.0.0.1', port: 8452,
  engine: { version: '2025.04.01' }, game: { springName: 'Beyond All Reason test-1' }, map: { springName: 'Red Comet' },
};

let peer: ScriptedPeer;
let app: CoreLobbyApp;
let dataDir: string;
let connections: ScriptedConnection[];
let started: BattleStartRequestData[];

beforeEach(async () => {
  peer = await startScriptedPeer();
  dataDir = mkdtempSync(join(tmpdir(), 'lobby-custom-'));
  connections = [];
  started = [];
  app = createLobbyApp({
    serverUrl: peer.baseUrl, getToken: () => 'token', dataDir, logger: createMemoryLogger(), statsIntervalMs: 3_600_000,
    connection: { backoff: { baseMs: 20, capMs: 100 } },
    onBattleStart: async (data) => { started.push(data); },
  });
});

afterEach(async () => {
  const last = connections.at(-1);
  const closing = app.close();
  if (last) await Promise.race([last.next('system/disconnect').then(() => last.close(1000, 'bye')), closing]);
  await closing;
  await peer.close();
  rmSync(dataDir, { recursive: true, force: true });
  expect(connections.flatMap((c) => c.violations)).toEqual([]);
});

async function admit(self = teiserverSelf(ALICE, 'alice')): Promise<ScriptedConnection> {
  const connection = await peer.nextConnection();
  connections.push(connection);
  connection.event('user/self', self);
  connection.succeed(await connection.next('matchmaking/list'), teiserverPlaylists());
  connection.succeed(await connection.next('friend/list'), { friends: [], outgoingPendingRequests: [], incomingPendingRequests: [] });
  connection.succeed(await connection.next('messaging/subscribeReceived'), { hasMissedMessages: false });
  connection.succeed(await connection.next('system/serverStats'), { userCount: 2 });
  await waitFor('signed in', () => connected(app) && app.snapshot().self && app.snapshot().matchmaking.playlists.length > 0);
  return connection;
}

/** LobbyDetails as Teiserver answers `lobby/create` for a 1v1 without bosses (with its undeclared `tags`). */
function created(extra: Record<string, unknown> = {}) {
  return {
    id: 'lobby-7', name: 'Friday 1v1', mapName: 'Red Comet', engineVersion: '2025.04.01', gameVersion: 'Beyond All Reason test-1',
    gameOptions: {},
    allyTeamConfig: {
      '0': { maxTeams: 1, startBox: box(0, 0.25), teams: { '0': { maxPlayers: 1 } } },
      '1': { maxTeams: 1, startBox: box(0.75, 1), teams: { '0': { maxPlayers: 1 } } },
    },
    areBossesEnabled: false, bosses: {},
    players: { [ALICE]: { id: ALICE, allyTeam: '0', team: '0', player: '0', isReady: false, assetStatus: 'complete' } },
    spectators: {}, bots: {}, tags: {}, voteHistory: {},
    ...extra,
  };
}

async function createLobby(connection: ScriptedConnection): Promise<void> {
  const creating = app.intents.createLobby({ name: 'Friday 1v1', mapName: 'Red Comet', allyTeams: 2, teamSize: 1, bossesEnabled: false });
  const request = await connection.next('lobby/create');
  expect(request.data).toEqual({
    name: 'Friday 1v1', mapName: 'Red Comet', areBossesEnabled: false,
    allyTeamConfig: [
      { maxTeams: 1, startBox: box(0, 0.25), teams: [{ maxPlayers: 1 }] },
      { maxTeams: 1, startBox: box(0.75, 1), teams: [{ maxPlayers: 1 }] },
    ],
  });
  connection.succeed(request, created());
  await expect(creating).resolves.toEqual({ lobbyId: 'lobby-7' });
}

const room = () => app.snapshot().lobby;
const notices = () => app.snapshot().notices.map((n) => n.text);

/** Bob joins (a spectator first, Teiserver's join), then takes the other side. */
function bobJoins(connection: ScriptedConnection): void {
  connection.event('lobby/updated', { id: 'lobby-7', spectators: { [BOB]: { id: BOB } } });
  connection.event('lobby/updated', {
    id: 'lobby-7',
    players: { [BOB]: { id: BOB, allyTeam: '1', team: '0', player: '0', isReady: false, assetStatus: 'complete' } },
    spectators: { [BOB]: null },
  });
}

describe('custom lobbies as Teiserver serves them', () => {
  it('creates a lobby, follows a join and a seat change, and says the server\'s refusals in words', async () => {
    const connection = await admit();
    await createLobby(connection);
    expect(room()).toMatchObject({ id: 'lobby-7', name: 'Friday 1v1', mapName: 'Red Comet', engineVersion: '2025.04.01', battle: null, vote: null });
    expect(room()?.allyTeams.map((at) => at.id)).toEqual(['0', '1']);

    bobJoins(connection);
    await waitFor('bob on the other side', () => room()?.players[BOB]?.allyTeam === '1');
    expect(Object.keys(room()?.spectators ?? {})).toEqual([]);

    // A second create is refused before it is sent: we are in a lobby.
    await expect(app.intents.createLobby({ name: 'x', mapName: 'y', allyTeams: 2, teamSize: 1, bossesEnabled: false }))
      .rejects.toMatchObject({ code: 'invalid_input', message: 'You are already in a lobby; leave it first.' });

    const moving = app.intents.joinAllyTeam({ allyTeam: '1' });
    connection.fail(await connection.next('lobby/joinAllyTeam'), 'ally_team_full');
    await expect(moving).rejects.toMatchObject({ code: 'rejected', reason: 'ally_team_full', message: 'That team is full.' });

    const renaming = app.intents.updateLobby({ name: 'Friday', gameOptions: { startmetal: '1000', old: null } });
    const update = await connection.next('lobby/update');
    expect(update.data).toEqual({ name: 'Friday', gameOptions: { startmetal: { value: '1000' }, old: null } });
    connection.fail(update, 'invalid_request', 'Cannot update lobby: you are not a boss');
    await expect(renaming).rejects.toMatchObject({ message: 'Only a boss can change the lobby. The server said: Cannot update lobby: you are not a boss' });

    const starting = app.intents.startLobbyBattle();
    connection.fail(await connection.next('lobby/startBattle'), 'invalid_request', 'no_autohost');
    await expect(starting).rejects.toMatchObject({ message: 'The server has no host free to run the battle; try again later. The server said: no_autohost' });

    // Bob leaves: his seat goes with a null.
    connection.event('lobby/updated', { id: 'lobby-7', players: { [BOB]: null } });
    await waitFor('bob gone', () => room() && !Object.hasOwn(room()?.players ?? {}, BOB));

    const leaving = app.intents.leaveLobby();
    connection.succeed(await connection.next('lobby/leave'));
    await leaving;
    expect(room()).toBeNull();
    await expect(app.intents.leaveLobby()).rejects.toMatchObject({ code: 'invalid_input', message: 'You are not in a lobby.' });
  });

  it('joins from the list, which stays live while watched and stops when not', async () => {
    const connection = await admit();
    const watching = app.intents.watchLobbies();
    const subscribe = await connection.next('lobby/subscribeList');
    // Teiserver answers, then sends the whole list at once (tachyon_handler: `{:response, {nil, [listReset]}}`).
    connection.burst(() => {
      connection.succeed(subscribe);
      connection.event('lobby/listReset', {
        lobbies: {
          'lobby-7': { id: 'lobby-7', name: 'Friday 1v1', playerCount: 1, maxPlayerCount: 2, mapName: 'Red Comet', engineVersion: '2025.04.01', gameVersion: 'Beyond All Reason test-1', currentBattle: null, areBossesEnabled: false, tags: {} },
          'lobby-8': { id: 'lobby-8', name: 'Big team', playerCount: 6, maxPlayerCount: 16, mapName: 'Glacier', engineVersion: '2025.04.01', gameVersion: 'Beyond All Reason test-1', currentBattle: { startedAt: US }, areBossesEnabled: true, tags: {} },
        },
      });
    });
    await watching;
    await waitFor('the list', () => app.snapshot().lobbies.loaded);
    expect(app.snapshot().lobbies).toMatchObject({ watching: true, loaded: true });
    expect(app.snapshot().lobbies.entries['lobby-8']).toMatchObject({ playerCount: 6, battleStartedAt: US / 1000, areBossesEnabled: true });

    // As Teiserver sends them: a count change with its filler `currentBattle: null`, a lobby gone as null.
    connection.event('lobby/listUpdated', { lobbies: { 'lobby-8': { id: 'lobby-8', playerCount: 7, currentBattle: null }, 'lobby-7': null } });
    await waitFor('lobby-7 gone', () => !Object.hasOwn(app.snapshot().lobbies.entries, 'lobby-7'));
    expect(app.snapshot().lobbies.entries['lobby-8']).toMatchObject({ playerCount: 7, battleStartedAt: US / 1000 });

    const joining = app.intents.joinLobby({ lobbyId: 'lobby-8' });
    const join = await connection.next('lobby/join');
    expect(join.data).toEqual({ id: 'lobby-8' });
    connection.succeed(join, created({
      id: 'lobby-8', name: 'Big team', currentBattle: { id: 'battle-3', startedAt: US },
      spectators: { [ALICE]: { id: ALICE } }, players: { [BOB]: { id: BOB, allyTeam: '0', team: '0', player: '0', isReady: true, assetStatus: 'complete' } },
    }));
    await expect(joining).resolves.toEqual({ lobbyId: 'lobby-8' });
    expect(room()).toMatchObject({ id: 'lobby-8', battle: { id: 'battle-3', startedAt: US / 1000 } });
    expect(room()?.spectators[ALICE]).toEqual({ userId: ALICE, joinQueuePosition: null });

    const unwatching = app.intents.unwatchLobbies();
    connection.succeed(await connection.next('lobby/unsubscribeList'));
    await unwatching;
    expect(app.snapshot().lobbies).toEqual({ watching: false, loaded: false, entries: {} });
    // A late update after unsubscribing brings nothing back.
    connection.event('lobby/listUpdated', { lobbies: { 'lobby-9': { id: 'lobby-9', name: 'late', playerCount: 1, maxPlayerCount: 2, mapName: 'm', engineVersion: 'e', gameVersion: 'g', currentBattle: null } } });
    await connection.roundTrip();
    expect(app.snapshot().lobbies.entries).toEqual({});

    // Banned from a lobby: Teiserver's `banned` with the time in details.
    const leaving = app.intents.leaveLobby();
    connection.succeed(await connection.next('lobby/leave'));
    await leaving;
    expect(room()).toBeNull();
    const refused = app.intents.joinLobby({ lobbyId: 'lobby-7' });
    connection.fail(await connection.next('lobby/join'), 'banned', 'Banned until 2026-12-01T16:00:00.000000Z');
    await expect(refused).rejects.toMatchObject({ reason: 'banned', message: expect.stringMatching(/^You are banned from that lobby until 2026-12-01 16:00:00 UTC\./) });
  });

  it('adds, updates and removes a bot, the server\'s bot entries clearing version and options with null', async () => {
    const connection = await admit();
    await createLobby(connection);
    const adding = app.intents.addBot({ allyTeam: '1', shortName: 'NullAI', version: '0.1', options: { difficulty: 'hard' } });
    const add = await connection.next('lobby/addBot');
    expect(add.data).toEqual({ allyTeam: '1', shortName: 'NullAI', version: '0.1', options: { difficulty: 'hard' } });
    connection.succeed(add, { id: '1' });
    await expect(adding).resolves.toEqual({ botId: '1' });
    connection.event('lobby/updated', {
      id: 'lobby-7',
      bots: { '1': { id: '1', hostUserId: ALICE, shortName: 'NullAI', version: '0.1', name: null, options: { difficulty: 'hard' }, allyTeam: '1', team: '0', player: '0' } },
    });
    await waitFor('the bot', () => room()?.bots['1']);
    expect(room()?.bots['1']).toEqual({ id: '1', hostUserId: ALICE, allyTeam: '1', team: '0', player: '0', name: null, shortName: 'NullAI', version: '0.1', options: { difficulty: 'hard' } });

    const updating = app.intents.updateBot({ botId: '1', version: null, options: { difficulty: null, side: 'cortex' } });
    const update = await connection.next('lobby/updateBot');
    expect(update.data).toEqual({ id: '1', version: null, options: { difficulty: null, side: 'cortex' } });
    connection.succeed(update);
    await updating;
    connection.event('lobby/updated', { id: 'lobby-7', bots: { '1': { id: '1', version: null, options: { difficulty: null, side: 'cortex' } } } });
    await waitFor('updated bot', () => room()?.bots['1']?.version === null);
    expect(room()?.bots['1']?.options).toEqual({ side: 'cortex' });

    await expect(app.intents.removeBot({ botId: 'nope' })).rejects.toMatchObject({ code: 'invalid_input', message: 'There is no such bot in the lobby.' });
    const wrongTeam = app.intents.addBot({ allyTeam: '0', shortName: 'NullAI' });
    connection.fail(await connection.next('lobby/addBot'), 'invalid_request', 'Invalid ally team');
    await expect(wrongTeam).rejects.toMatchObject({ message: 'That team does not exist in this lobby. The server said: Invalid ally team' });

    const removing = app.intents.removeBot({ botId: '1' });
    const remove = await connection.next('lobby/removeBot');
    expect(remove.data).toEqual({ id: '1' });
    connection.succeed(remove);
    await removing;
    connection.event('lobby/updated', { id: 'lobby-7', bots: { '1': null } });
    await waitFor('bot gone', () => room() && Object.keys(room()?.bots ?? {}).length === 0);
  });

  it('votes: a kickban without bosses starts a vote, ballots go out, the end is a notice and a history entry', async () => {
    const connection = await admit();
    await createLobby(connection);
    bobJoins(connection);
    await waitFor('bob in', () => room()?.players[BOB]);

    const kicking = app.intents.kickbanFromLobby({ userId: BOB, banMinutes: 10 });
    const kickban = await connection.next('lobby/kickban');
    const banUntil = (kickban.data as { banUntil: number }).banUntil;
    expect(kickban.data).toEqual({ userId: BOB, banUntil });
    expect(banUntil).toBeGreaterThan(Date.now() * 1000);
    connection.succeed(kickban);
    await kicking;
    // No boss and two players: Teiserver starts a vote (lobby.ex) with quorum and majority.
    connection.event('lobby/updated', {
      id: 'lobby-7',
      currentVote: { id: 'vote-1', action: { type: 'kickban', userId: BOB, banUntil }, initiator: ALICE, voters: { [ALICE]: { vote: 'yes' }, [BOB]: { vote: 'pending' } }, until: US, quorum: 2, majority: 2 },
    });
    await waitFor('the vote', () => room()?.vote?.id === 'vote-1');
    expect(room()?.vote).toMatchObject({ quorum: 2, majority: 2, voters: { [ALICE]: 'yes', [BOB]: 'pending' } });

    const voting = app.intents.voteInLobby({ voteId: 'vote-1', vote: 'yes' });
    const ballot = await connection.next('lobby/voteSubmit');
    expect(ballot.data).toEqual({ id: 'vote-1', vote: 'yes' });
    connection.fail(ballot, 'invalid_request', 'invalid_vote');
    await expect(voting).rejects.toMatchObject({ message: 'That vote is over, or you cannot vote in it. The server said: invalid_vote' });

    connection.event('lobby/updated', { id: 'lobby-7', currentVote: { id: 'vote-1', voters: { [BOB]: { vote: 'no' } } } });
    await waitFor('bob voted', () => room()?.vote?.voters[BOB] === 'no');
    connection.event('lobby/voteEnded', { id: 'vote-1', outcome: 'failed' });
    connection.event('lobby/updated', { id: 'lobby-7', currentVote: null, voteHistory: { 'vote-1': { vote: { type: 'kickban', userId: BOB, banUntil }, outcome: 'failed', finishedAt: US } } });
    await waitFor('the vote over', () => room()?.vote === null && room()?.voteHistory.length === 1 && room()?.voteHistory[0]?.finishedAt === US / 1000);
    expect(room()?.voteHistory[0]).toMatchObject({ id: 'vote-1', outcome: 'failed', action: { type: 'kickban', userId: BOB } });
    expect(notices()).toContain('The vote to ban a player failed.');
    await expect(app.intents.voteInLobby({ voteId: 'vote-1', vote: 'no' })).rejects.toMatchObject({ code: 'invalid_input' });

    // A boss-less kickban by a player the server does not take: a bare invalid_request.
    const refused = app.intents.kickbanFromLobby({ userId: BOB });
    connection.fail(await connection.next('lobby/kickban'), 'invalid_request');
    await expect(refused).rejects.toMatchObject({ message: 'Only a boss can kick or ban (or the player is not in the lobby).' });

    // Then Bob's vote bans us: the server sends lobby/left with the reason and the time.
    connection.event('lobby/left', { id: 'lobby-7', reason: 'banned', bannedUntil: 1_796_140_800_000_000 });
    await waitFor('out of the lobby', () => room() === null);
    expect(notices()).toContain('You were banned from the lobby Friday 1v1 until 2026-12-01 16:00:00 UTC.');
  });

  it('is told when kicked, and hears nothing of lobbies it is not in', async () => {
    const connection = await admit();
    await createLobby(connection);
    connection.event('lobby/updated', { id: 'lobby-other', name: 'not ours' });
    connection.event('lobby/left', { id: 'lobby-other', reason: 'kicked' });
    await connection.roundTrip();
    expect(room()?.name).toBe('Friday 1v1');
    connection.event('lobby/left', { id: 'lobby-7', reason: 'kicked' });
    await waitFor('kicked', () => room() === null);
    expect(notices()).toContain('You were kicked from the lobby Friday 1v1.');
  });

  it('starts the battle through the same launch as matchmaking, leaving matchmaking alone', async () => {
    const connection = await admit();
    await createLobby(connection);
    const starting = app.intents.startLobbyBattle();
    const start = await connection.next('lobby/startBattle');
    connection.succeed(start);
    await starting;
    const answer = await connection.request('battle/start', BATTLE);
    expect(answer).toMatchObject({ status: 'success' });
    expect(started).toEqual([BATTLE]);
    connection.event('lobby/updated', { id: 'lobby-7', currentBattle: { id: 'battle-1', startedAt: US } });
    await waitFor('the battle in the room', () => room()?.battle?.id === 'battle-1');
    expect(app.snapshot().battle).toMatchObject({ phase: 'running', map: 'Red Comet' });
    expect(app.snapshot().matchmaking.phase).toBe('idle');
    await expect(app.intents.startLobbyBattle()).rejects.toMatchObject({ code: 'invalid_input' });
    connection.event('lobby/updated', { id: 'lobby-7', currentBattle: null });
    await waitFor('battle over', () => room()?.battle === null);
  });

  it('applies an update sent right after the room answer (in the same read) over that answer, not under it', async () => {
    const first = await admit();
    // Create, then Bob's seat in the same socket write: the seat is newer than the details and must stay.
    const creating = app.intents.createLobby({ name: 'Friday 1v1', mapName: 'Red Comet', allyTeams: 2, teamSize: 1, bossesEnabled: false });
    const create = await first.next('lobby/create');
    first.burst(() => {
      first.succeed(create, created());
      bobJoins(first);
    });
    await creating;
    await waitFor('bob seated', () => room()?.players[BOB]?.allyTeam === '1');
    await first.roundTrip();
    expect(Object.keys(room()?.players ?? {}).sort()).toEqual([ALICE, BOB].sort());
    expect(room()?.spectators).toEqual({});

    // The restore after a reconnect: Bob leaves right after the server answered the join.
    first.drop();
    const second = await admit(teiserverSelf(ALICE, 'alice', { currentLobby: 'lobby-7' }));
    const rejoin = await second.next('lobby/join');
    const withBob = created({ players: { ...created().players, [BOB]: { id: BOB, allyTeam: '1', team: '0', player: '0', isReady: false, assetStatus: 'complete' } } });
    second.burst(() => {
      second.succeed(rejoin, withBob);
      second.event('lobby/updated', { id: 'lobby-7', players: { [BOB]: null } });
    });
    await waitFor('the room restored', () => room() !== null && connected(app));
    await second.roundTrip();
    expect(Object.keys(room()?.players ?? {})).toEqual([ALICE]);
  });

  it('after a reconnect fetches the lobby user/self names again and watches the list again', async () => {
    const first = await admit();
    await createLobby(first);
    const watching = app.intents.watchLobbies();
    first.succeed(await first.next('lobby/subscribeList'));
    first.event('lobby/listReset', { lobbies: {} });
    await watching;
    await waitFor('list', () => app.snapshot().lobbies.loaded);

    first.drop();
    await waitFor('the list not live', () => !app.snapshot().lobbies.watching);
    // Teiserver's user/self after a reconnect within its grace time names the lobby; what happened meanwhile was not sent.
    const second = await admit(teiserverSelf(ALICE, 'alice', { currentLobby: 'lobby-7' }));
    const rejoin = await second.next('lobby/join');
    expect(rejoin.data).toEqual({ id: 'lobby-7' });
    second.succeed(rejoin, created({ mapName: 'Glacier', spectators: { [BOB]: { id: BOB, joinQueuePosition: 1 } } }));
    const resubscribe = await second.next('lobby/subscribeList');
    second.succeed(resubscribe);
    second.event('lobby/listReset', { lobbies: {} });
    await waitFor('the room again', () => room()?.mapName === 'Glacier' && room()?.spectators[BOB]?.joinQueuePosition === 1);
    await waitFor('the list live again', () => app.snapshot().lobbies.loaded && app.snapshot().lobbies.watching);

    // The server let us go while away: user/self names no lobby, and the player is told.
    second.drop();
    await admit(teiserverSelf(ALICE, 'alice', { currentLobby: null }));
    await waitFor('no lobby', () => room() === null);
    expect(notices()).toContain('The server no longer has you in the lobby Friday 1v1.');
    const third = connections.at(-1) as ScriptedConnection;
    third.succeed(await third.next('lobby/subscribeList'));
    await third.roundTrip();
    expect(third.received.filter((m) => m.commandId === 'lobby/join')).toEqual([]);
  });
});
