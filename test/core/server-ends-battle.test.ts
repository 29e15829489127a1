// Players are told why in words when their match cannot start or the server ends their battle itself (its autohost
// restarted and lost it), through `matchmaking/cancelled`'s `details` as Teiserver sends them; nobody is left `playing`.
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { BattleStartRequestData } from 'tachyon-protocol/types';
import type { PlaylistConfig } from '../../src-main/core/server/match';
import { RESTARTED_TEXT } from '../../src-main/core/server/autohost-fleet';
import { connected, createWorld, waitFor, type World } from '../support/world';
import { recordSecrets } from '../support/secret-ledger';
import { autohostToken } from './raw-client';

const duel: PlaylistConfig = { id: '1v1', name: 'Duel', numOfTeams: 2, teamSize: 1, engine: '106.0', game: 'Test Game', map: 'Test Map' };

let world: World;
const sockets: WebSocket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.terminate();
  await world.dispose();
});

/** A bare autohost: reports the status given, answers every start at once, and records the kills it is asked for. */
async function rawAutohost(w: World, status: { currentBattles: number; availableEngines: string[] }) {
  const token = await autohostToken(w.server, 'raw-autohost');
  recordSecrets(token);
  const socket = new WebSocket(`ws://127.0.0.1:${w.server.port}/tachyon`, ['v0.tachyon'], { headers: { Authorization: `Bearer ${token}` } });
  sockets.push(socket);
  const kills: string[] = [];
  const respond = (messageId: string, commandId: string, data?: unknown) =>
    socket.send(JSON.stringify({ type: 'response', messageId, commandId, status: 'success', ...(data === undefined ? {} : { data }) }));
  socket.on('message', (raw) => {
    const message = JSON.parse(raw.toString()) as { type: string; messageId: string; commandId: string; data: { battleId: string } };
    if (message.type !== 'request') return;
    if (message.commandId === 'autohost/start') respond(message.messageId, message.commandId, { ips: ['127.0.0.1'], port: 8452 });
    else if (message.commandId === 'autohost/kill') { kills.push(message.data.battleId); respond(message.messageId, message.commandId); } else respond(message.messageId, message.commandId);
  });
  await new Promise((resolve, reject) => { socket.once('open', resolve); socket.once('error', reject); });
  socket.send(JSON.stringify({ type: 'event', messageId: 'status', commandId: 'autohost/status', data: { maxBattles: 2, ...status } }));
  await waitFor('the autohost status', () => w.server.autohosts.statusOf('raw-autohost') !== null);
  return { socket, kills };
}

async function matchedPair() {
  const started: string[] = [];
  const onBattleStart = async (data: BattleStartRequestData) => { started.push(data.username); recordSecrets(data.password); };
  const alice = await world.player('alice', { onBattleStart });
  const bob = await world.player('bob', { onBattleStart });
  await waitFor('both connected', () => [alice, bob].every((p) => connected(p.app) && p.app.snapshot().matchmaking.playlists.length === 1));
  for (const p of [alice, bob]) await p.app.intents.queue(['1v1']);
  await waitFor('found', () => [alice, bob].every((p) => p.app.snapshot().matchmaking.phase === 'found'));
  for (const p of [alice, bob]) await p.app.intents.ready();
  return { alice, bob, started };
}

const lastNotice = (p: { app: { snapshot(): { notices: readonly { text: string }[] } } }) => p.app.snapshot().notices.at(-1)?.text ?? '';

describe('a match that cannot start says why', () => {
  it('when no autohost is connected', async () => {
    world = await createWorld({ playlists: [duel], readyTimeoutMs: 10_000 });
    const { alice, bob } = await matchedPair();
    await waitFor('both cancelled', () => [alice, bob].every((p) => p.app.snapshot().matchmaking.cancelReason === 'server_error'));
    for (const p of [alice, bob]) expect(lastNotice(p)).toContain('No autohost is connected to host the battle.');
  });

  it('when no autohost has the engine, naming it', async () => {
    world = await createWorld({ playlists: [duel], readyTimeoutMs: 10_000 });
    await rawAutohost(world, { currentBattles: 0, availableEngines: ['105.1.1'] });
    const { alice, bob } = await matchedPair();
    await waitFor('both cancelled', () => [alice, bob].every((p) => p.app.snapshot().matchmaking.cancelReason === 'server_error'));
    for (const p of [alice, bob]) expect(lastNotice(p)).toContain('No autohost has engine 106.0.');
  });
});

describe('a battle its autohost lost in a restart', () => {
  it('ends for the server at once: players back in the menu, told why, the battle killed, and they can queue again', async () => {
    world = await createWorld({ playlists: [duel], readyTimeoutMs: 10_000 });
    const first = await rawAutohost(world, { currentBattles: 0, availableEngines: ['106.0'] });
    const { alice, bob, started } = await matchedPair();
    await waitFor('battle/start for both', () => started.length === 2);
    const ids = [alice.userId, bob.userId];
    await waitFor('both playing', () => ids.every((id) => world.server.community.statusOf(id) === 'playing'));
    const [battleId] = world.server.autohosts.battlesOf('raw-autohost');
    first.socket.terminate();
    await waitFor('the autohost gone', () => world.server.autohosts.connectedCount === 0);
    const second = await rawAutohost(world, { currentBattles: 0, availableEngines: ['106.0'] });
    await waitFor('both in the menu', () => ids.every((id) => world.server.community.statusOf(id) === 'menu'));
    await waitFor('both told why', () => [alice, bob].every((p) => lastNotice(p).includes(RESTARTED_TEXT)));
    await waitFor('the battle killed', () => second.kills.length === 1);
    expect(second.kills).toEqual([battleId]);
    expect(world.server.autohosts.battlesOf('raw-autohost')).toEqual([]);
    await alice.app.intents.queue(['1v1']);
    await waitFor('alice queued again', () => alice.app.snapshot().matchmaking.phase === 'queued');
  });
});
