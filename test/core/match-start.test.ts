// The moment a match becomes a battle: a player who leaves while the autohost starts it gets no battle/start and the battle is killed;
// battle/start goes to the session that queued.
import { afterEach, describe, expect, it } from 'vitest';
import type { BattleStartRequestData } from 'tachyon-protocol/types';
import WebSocket from 'ws';
import { connected, createWorld, waitFor, type World } from '../support/world';
import type { BattleLauncher, MatchToLaunch, PlaylistConfig } from '../../src-main/core/server/match';
import { recordSecrets } from '../support/secret-ledger';
import { autohostToken, wsClient } from './raw-client';

const duel: PlaylistConfig = { id: '1v1', name: 'Duel', numOfTeams: 2, teamSize: 1, engine: '106.0', game: 'Test Game', map: 'Test Map' };

let world: World;
afterEach(async () => {
  await world.dispose();
});

/** A launcher that holds each start until the test lets it go. */
function heldLauncher() {
  const starts: { match: MatchToLaunch; finish: (ok: boolean) => void }[] = [];
  const killed: string[] = [];
  let started: () => void = () => undefined;
  const firstStart = new Promise<void>((resolve) => { started = resolve; });
  let wakeKill: () => void = () => undefined;
  const firstKill = new Promise<void>((resolve) => { wakeKill = resolve; });
  const launcher: BattleLauncher = {
    launch: (match) => new Promise((resolve, reject) => {
      starts.push({ match, finish: (ok) => (ok ? resolve({ ip: '127.0.0.1', port: 8452 }) : reject(new Error('no room'))) });
      started();
    }),
    kill: async (battleId) => {
      killed.push(battleId);
      wakeKill();
    },
  };
  return { launcher, starts, killed, firstStart, firstKill };
}

async function twoPlayers(launcher: BattleLauncher) {
  world = await createWorld({ playlists: [duel], readyTimeoutMs: 10_000, launcher });
  return queueBoth();
}

/** In the current world: Alice and Bob connected, both queued for the duel, and matched (phase `found`); `started` lists who got battle/start. */
async function queueBoth() {
  const started: string[] = [];
  const onBattleStart = async (data: BattleStartRequestData) => { started.push(data.username); recordSecrets(data.password); };
  const alice = await world.player('alice', { onBattleStart });
  const bob = await world.player('bob', { onBattleStart });
  await waitFor('both connected', () => [alice, bob].every((p) => connected(p.app) && p.app.snapshot().matchmaking.playlists.length === 1));
  await alice.app.intents.queue(['1v1']);
  await bob.app.intents.queue(['1v1']);
  await waitFor('found', () => [alice, bob].every((p) => p.app.snapshot().matchmaking.phase === 'found'));
  return { alice, bob, started };
}

describe('a match that falls apart while its battle starts', () => {
  it('sends no battle/start after a cancel, kills the battle, and keeps the other player queued', async () => {
    const held = heldLauncher();
    const { alice, bob, started } = await twoPlayers(held.launcher);
    await alice.app.intents.ready();
    await bob.app.intents.ready();
    await held.firstStart;
    await bob.app.intents.cancelQueue();
    await waitFor('alice lost', () => alice.app.snapshot().matchmaking.phase === 'lost');
    held.starts[0]?.finish(true);
    await held.firstKill;
    expect(held.killed).toEqual([held.starts[0]?.match.battleId]);
    // A round trip on each socket after the kill: a battle/start sent before it would have arrived by now.
    await alice.app.intents.cancelQueue();
    await bob.app.intents.cancelQueue();
    expect(started).toEqual([]);
    expect([alice.userId, bob.userId].map((id) => world.server.matchmaker.isInBattle(id))).toEqual([false, false]);
    expect(bob.app.snapshot().matchmaking.phase).toBe('idle');
  });

  it('sends no battle/start to the one who stays after the other disconnects', async () => {
    const held = heldLauncher();
    const { alice, bob, started } = await twoPlayers(held.launcher);
    await alice.app.intents.ready();
    await bob.app.intents.ready();
    await held.firstStart;
    await bob.app.close();
    await waitFor('alice lost', () => alice.app.snapshot().matchmaking.phase === 'lost');
    held.starts[0]?.finish(true);
    await held.firstKill;
    await alice.app.intents.cancelQueue();
    expect(started).toEqual([]);
    expect(world.server.matchmaker.isInBattle(alice.userId)).toBe(false);
  });

  it('does not dissolve it twice when the start then fails: the one still queued is not told server_error', async () => {
    const held = heldLauncher();
    const { alice, bob } = await twoPlayers(held.launcher);
    await alice.app.intents.ready();
    await bob.app.intents.ready();
    await held.firstStart;
    await bob.app.intents.cancelQueue();
    await waitFor('alice lost', () => alice.app.snapshot().matchmaking.phase === 'lost');
    held.starts[0]?.finish(false);
    // Bob queues again and is matched with alice, who was still queued: the failed start changed nothing.
    await bob.app.intents.queue(['1v1']);
    await waitFor('found again', () => [alice, bob].every((p) => p.app.snapshot().matchmaking.phase === 'found'));
    expect(alice.app.snapshot().matchmaking.cancelReason).toBeNull();
    expect(held.killed).toEqual([]);
  });

  it('sends autohost/kill to the real fleet\'s autohost when the match is gone after a slow autohost/start', async () => {
    world = await createWorld({ playlists: [duel], readyTimeoutMs: 10_000 });
    const autohost = await slowAutohost(world);
    const { alice, bob, started } = await queueBoth();
    await alice.app.intents.ready();
    await bob.app.intents.ready();
    const battleId = await autohost.startAsked;
    await bob.app.intents.cancelQueue();
    await waitFor('alice lost', () => alice.app.snapshot().matchmaking.phase === 'lost');
    autohost.answerStart();
    expect(await autohost.killAsked).toBe(battleId);
    await alice.app.intents.cancelQueue();
    expect(started).toEqual([]);
    autohost.socket.close();
  });
});

describe('battle/start and a player\'s several sessions', () => {
  it('goes only to the session that queued, not to the player\'s other socket', async () => {
    world = await createWorld({ playlists: [duel], launcher: { launch: async () => ({ ip: '127.0.0.1', port: 8452 }) } });
    const started: string[] = [];
    const onBattleStart = async (data: BattleStartRequestData) => { started.push(data.username); recordSecrets(data.password); };
    const alice = await world.player('alice', { onBattleStart });
    const bob = await world.player('bob', { onBattleStart });
    const aliceElsewhere = await wsClient(world.server, alice.token);
    await waitFor('both connected', () => [alice, bob].every((p) => connected(p.app) && p.app.snapshot().matchmaking.playlists.length === 1));
    await alice.app.intents.queue(['1v1']);
    await bob.app.intents.queue(['1v1']);
    await waitFor('found', () => [alice, bob].every((p) => p.app.snapshot().matchmaking.phase === 'found'));
    await alice.app.intents.ready();
    await bob.app.intents.ready();
    await waitFor('both started', () => started.length === 2);
    // The other socket was told about the match (events go to every session), but got no battle/start.
    await roundTrip(aliceElsewhere.socket);
    const commands = aliceElsewhere.messages.map((m) => m.commandId);
    expect(commands).toContain('matchmaking/found');
    expect(commands).not.toContain('battle/start');
    aliceElsewhere.socket.close();
  });

  it('takes the player out of matchmaking when the session that queued closes, and tells the other session', async () => {
    world = await createWorld({ playlists: [duel], launcher: { launch: async () => ({ ip: '127.0.0.1', port: 8452 }) } });
    const alice = await world.player('alice');
    await waitFor('connected', () => connected(alice.app) && alice.app.snapshot().matchmaking.playlists.length === 1);
    const elsewhere = await wsClient(world.server, alice.token);
    await alice.app.intents.queue(['1v1']);
    expect(world.server.matchmaker.queuedUserIds('1v1')).toEqual([alice.userId]);
    await alice.app.close();
    await waitFor('cancelled on the other session', () => elsewhere.messages.some((m) => m.commandId === 'matchmaking/cancelled'));
    expect(world.server.matchmaker.queuedUserIds('1v1')).toEqual([]);
    elsewhere.socket.close();
  });
});

/** One request and its answer on a raw socket: everything the server sent before it has arrived. */
async function roundTrip(socket: WebSocket): Promise<void> {
  const answered = new Promise<void>((resolve) => {
    const onMessage = (d: WebSocket.RawData) => {
      if ((JSON.parse(d.toString()) as { messageId?: string }).messageId === 'rt') {
        socket.off('message', onMessage);
        resolve();
      }
    };
    socket.on('message', onMessage);
  });
  socket.send(JSON.stringify({ type: 'request', messageId: 'rt', commandId: 'system/serverStats' }));
  await answered;
}

/** An autohost speaking raw Tachyon: it holds autohost/start until told, and reports the autohost/kill it gets. */
async function slowAutohost(w: World) {
  const token = await autohostToken(w.server, 'slow-autohost');
  const socket = new WebSocket(`ws://127.0.0.1:${w.server.port}/tachyon`, ['v0.tachyon'], { headers: { Authorization: `Bearer ${token}` } });
  let startId = '';
  let asked: (battleId: string) => void = () => undefined;
  let killed: (battleId: string) => void = () => undefined;
  const startAsked = new Promise<string>((resolve) => { asked = resolve; });
  const killAsked = new Promise<string>((resolve) => { killed = resolve; });
  const respond = (messageId: string, commandId: string, data?: unknown) =>
    socket.send(JSON.stringify({ type: 'response', messageId, commandId, status: 'success', ...(data === undefined ? {} : { data }) }));
  socket.on('message', (raw) => {
    const message = JSON.parse(raw.toString()) as { type: string; messageId: string; commandId: string; data: { battleId: string } };
    if (message.type !== 'request') return;
    if (message.commandId === 'autohost/subscribeUpdates') respond(message.messageId, message.commandId);
    if (message.commandId === 'autohost/start') {
      startId = message.messageId;
      asked(message.data.battleId);
    }
    if (message.commandId === 'autohost/kill') {
      respond(message.messageId, message.commandId);
      killed(message.data.battleId);
    }
  });
  await new Promise((resolve, reject) => { socket.once('open', resolve); socket.once('error', reject); });
  socket.send(JSON.stringify({ type: 'event', messageId: 'status', commandId: 'autohost/status', data: { maxBattles: 2, currentBattles: 0, availableEngines: ['106.0'] } }));
  await waitFor('the autohost status', () => w.server.autohosts.statusOf('slow-autohost') !== null);
  return { socket, startAsked, killAsked, answerStart: () => respond(startId, 'autohost/start', { ips: ['127.0.0.1'], port: 8452 }) };
}
