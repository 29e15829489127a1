// A lobby's battle on the embedded server, in the order Teiserver's "battle lifecycle" test sets (`lobby_test.exs`):
// autohost/start with players, bots and spectators, the startBattle success, battle/start to every player and spectator,
// lobby/updated {currentBattle} and the list; a late joiner through autohost/addPlayer; the end; and the refusals.
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { useLobbyServer } from '../support/lobby-server';
import { recordSecrets } from '../support/secret-ledger';
import { waitFor } from '../support/world';
import { autohostToken } from './raw-client';
import { allyTeams, lobbyName } from './lobby-client-harness';

const suite = useLobbyServer({ lobbies: { engine: '106.0', game: 'Test Game 1' } });
const { start, join } = suite;
const sockets: WebSocket[] = [];
suite.teardown(() => {
  for (const socket of sockets.splice(0)) socket.terminate();
});

type Request = { type: string; messageId: string; commandId: string; data: Record<string, unknown> };

/** A bare autohost: it reports its status, answers start and addPlayer, records every request, and sends the updates it is given. */
async function rawAutohost() {
  const token = await autohostToken(suite.server(), 'raw-autohost');
  recordSecrets(token);
  const socket = new WebSocket(`ws://127.0.0.1:${suite.server().port}/tachyon`, ['v0.tachyon'], { headers: { Authorization: `Bearer ${token}` } });
  sockets.push(socket);
  const requests: Request[] = [];
  socket.on('message', (raw) => {
    const message = JSON.parse(raw.toString()) as Request;
    if (message.type !== 'request') return;
    requests.push(message);
    const data = message.commandId === 'autohost/start' ? { data: { ips: ['127.0.0.1'], port: 8452 } } : {};
    socket.send(JSON.stringify({ type: 'response', messageId: message.messageId, commandId: message.commandId, status: 'success', ...data }));
  });
  await new Promise((resolve, reject) => { socket.once('open', resolve); socket.once('error', reject); });
  socket.send(JSON.stringify({ type: 'event', messageId: 'status', commandId: 'autohost/status', data: { maxBattles: 2, currentBattles: 0, availableEngines: ['106.0'] } }));
  await waitFor('the autohost status', () => suite.server().autohosts.statusOf('raw-autohost') !== null);
  let time = Date.now() * 1000;
  return {
    requests,
    update(battleId: string, update: Record<string, unknown>) {
      socket.send(JSON.stringify({ type: 'event', messageId: `u${time}`, commandId: 'autohost/update', data: { battleId, time: ++time, update } }));
    },
  };
}

describe('a lobby battle', () => {
  it('starts with players, bots and spectators, sends battle/start to each, then currentBattle; a late joiner; the end', async () => {
    await start();
    const autohost = await rawAutohost();
    const alice = await join('alice');
    const bob = await join('bob');
    const watcher = await join('watcher');
    const lobby = await alice.ok<{ id: string }>('lobby/create', { name: lobbyName(), mapName: 'Test Map', allyTeamConfig: allyTeams(), gameOptions: { speed: { value: '2' } } });
    await bob.ok('lobby/join', { id: lobby.id });
    await alice.ok('lobby/addBot', { allyTeam: '1', shortName: 'NullAI', name: 'Nully', options: { level: '1' } });
    await watcher.ok('lobby/subscribeList');
    await watcher.next('lobby/listReset');
    await alice.barrier();
    alice.skip('lobby/updated');
    const before = alice.messages.length;

    await alice.ok('lobby/startBattle');
    const startRequest = autohost.requests.find((r) => r.commandId === 'autohost/start');
    expect(startRequest?.data).toMatchObject({
      engineVersion: '106.0', gameName: 'Test Game 1', mapName: 'Test Map', gameOptions: { speed: '2' },
      allyTeams: [
        { teams: [{ players: [{ userId: alice.userId, name: 'alice' }] }] },
        { teams: [{ bots: [{ hostUserId: alice.userId, aiShortName: 'NullAI', name: 'Nully', aiOptions: { level: '1' } }] }] },
      ],
      spectators: [{ userId: bob.userId, name: 'bob' }],
    });
    type Scripted = { allyTeams: Array<{ teams: Array<{ players?: Array<{ password: string }> }> }>; spectators: Array<{ password: string }>; battleId: string };
    const scripted = startRequest?.data as Scripted;
    const alicePassword = scripted.allyTeams[0]?.teams[0]?.players?.[0]?.password ?? '';
    recordSecrets(alicePassword, scripted.spectators[0]?.password ?? '');
    // The response came first, then battle/start, then the update (Teiserver's order).
    const aliceStart = await alice.next<Record<string, unknown>>('battle/start');
    expect(aliceStart).toEqual({
      username: 'alice', password: alicePassword, ip: '127.0.0.1', port: 8452, engine: { version: '106.0' }, game: { springName: 'Test Game 1' }, map: { springName: 'Test Map' },
    });
    expect(await bob.next('battle/start')).toMatchObject({ username: 'bob', password: scripted.spectators[0]?.password });
    const withBattle = await alice.next<{ currentBattle: { id: string; startedAt: number } }>('lobby/updated');
    expect(withBattle.currentBattle.id).toBe(scripted.battleId);
    const order = alice.messages.slice(before).map((m) => `${m.commandId} ${m.type}`);
    expect(order.filter((o) => o !== 'system/serverStats response')).toEqual(['lobby/startBattle response', 'battle/start request', 'lobby/updated event']);
    expect(await watcher.next('lobby/listUpdated')).toEqual({ lobbies: { [lobby.id]: { id: lobby.id, currentBattle: { startedAt: withBattle.currentBattle.startedAt } } } });
    expect(suite.server().community.statusOf(alice.userId)).toBe('playing');

    expect(await bob.call('lobby/startBattle')).toMatchObject({ status: 'failed', reason: 'invalid_request', details: 'battle_already_started' });

    // A late joiner sees the battle in the details and joins it through autohost/addPlayer.
    const carol = await join('carol');
    const details = await carol.ok<{ currentBattle: { id: string } }>('lobby/join', { id: lobby.id });
    expect(details.currentBattle.id).toBe(scripted.battleId);
    await carol.ok('lobby/joinBattle');
    const add = autohost.requests.find((r) => r.commandId === 'autohost/addPlayer');
    expect(add?.data).toMatchObject({ battleId: scripted.battleId, userId: carol.userId, name: 'carol' });
    recordSecrets(String(add?.data.password));
    expect(await carol.next('battle/start')).toMatchObject({ username: 'carol', password: add?.data.password, port: 8452 });

    // The engine quits: the lobby has no battle any more, and the list says so.
    autohost.update(scripted.battleId, { type: 'engine_quit' });
    let ended: Record<string, unknown> | null = null;
    while (!ended) {
      const update = await alice.next<Record<string, unknown>>('lobby/updated');
      if ('currentBattle' in update) ended = update;
    }
    expect(ended).toEqual({ id: lobby.id, currentBattle: null });
    await waitFor('listUpdated with no battle', () => watcher.messages.some((m) => m.commandId === 'lobby/listUpdated' && JSON.stringify(m.data).includes('"currentBattle":null')));
    await waitFor('alice back in the menu', () => suite.server().community.statusOf(alice.userId) === 'menu');
    // And a new battle may start.
    await alice.ok('lobby/startBattle');
    expect(autohost.requests.filter((r) => r.commandId === 'autohost/start')).toHaveLength(2);
    await alice.next('battle/start');
  });

  it('fails in words with no autohost, and outside a lobby', async () => {
    await start();
    const alice = await join('alice');
    expect(await alice.call('lobby/startBattle')).toMatchObject({ status: 'failed', reason: 'invalid_request', details: 'not_in_lobby' });
    expect(await alice.call('lobby/joinBattle')).toMatchObject({ status: 'failed', reason: 'invalid_request', details: 'not_in_lobby' });
    await alice.ok('lobby/create', { name: lobbyName(), mapName: 'Test Map', allyTeamConfig: allyTeams() });
    expect(await alice.call('lobby/startBattle')).toMatchObject({ status: 'failed', reason: 'invalid_request', details: 'No autohost is connected to host the battle.' });
    expect(await alice.call('lobby/joinBattle')).toMatchObject({ status: 'failed', reason: 'invalid_request', details: 'invalid_battle' });
    await alice.barrier();
    expect(alice.pending('lobby/updated')).toBe(0);
    expect(alice.pending('battle/start')).toBe(0);
  });
});
