// Matchmaking end to end over real sockets: queue, found, ready tally, battle/start, lost, cancelled with its reasons, and a reconnect that finds the queue place the server kept.
import { afterEach, describe, expect, it } from 'vitest';
import type { BattleStartRequestData } from 'tachyon-protocol/types';
import { connected, createWorld, waitFor, type World } from '../support/world';
import type { PlaylistConfig } from '../../src-main/core/server/match';
import { recordSecrets } from '../support/secret-ledger';

const duel: PlaylistConfig = { id: '1v1', name: 'Duel', numOfTeams: 2, teamSize: 1, engine: '106.0', game: 'Test Game', map: 'Test Map' };

let world: World;
afterEach(async () => {
  const violations = world.controls.violations.slice();
  await world.dispose();
  expect(violations).toEqual([]);
});

async function twoPlayers(options: { readyTimeoutMs?: number; launchFails?: boolean } = {}) {
  world = await createWorld({
    playlists: [duel],
    readyTimeoutMs: options.readyTimeoutMs ?? 5_000,
    launcher: { launch: async () => { if (options.launchFails) throw new Error('no room'); return { ip: '127.0.0.1', port: 8452 }; } },
  });
  const started: BattleStartRequestData[] = [];
  const onBattleStart = async (data: BattleStartRequestData) => { started.push(data); recordSecrets(data.password); };
  const alice = await world.player('alice', { onBattleStart });
  const bob = await world.player('bob', { onBattleStart });
  await waitFor('both connected', () => connected(alice.app) && connected(bob.app) && alice.app.snapshot().matchmaking.playlists.length === 1 && bob.app.snapshot().matchmaking.playlists.length === 1);
  return { alice, bob, started };
}

describe('matchmaking', () => {
  it('queues, finds a match, tallies readies and starts the battle', async () => {
    const { alice, bob, started } = await twoPlayers();
    expect(alice.app.snapshot().matchmaking.playlists[0]).toMatchObject({ id: '1v1', name: 'Duel', maps: ['Test Map'] });
    await alice.app.intents.queue(['1v1']);
    expect(alice.app.snapshot().matchmaking.phase).toBe('queued');
    await bob.app.intents.queue(['1v1']);
    const found = await waitFor('alice found', () => alice.app.snapshot().matchmaking.found);
    expect(found.queueId).toBe('1v1');
    expect(found.deadline - Date.now()).toBeGreaterThan(3_000);
    await waitFor('bob found', () => bob.app.snapshot().matchmaking.phase === 'found');
    await alice.app.intents.ready();
    await waitFor('bob sees one ready', () => bob.app.snapshot().matchmaking.readyCount === 1);
    expect(alice.app.snapshot().matchmaking.phase).toBe('readied');
    await bob.app.intents.ready();
    await waitFor('both launched', () => started.length === 2);
    await waitFor('in battle', () => alice.app.snapshot().matchmaking.phase === 'battle' && alice.app.snapshot().battle?.phase === 'running');
    expect(alice.app.snapshot().battle).toMatchObject({ map: 'Test Map', game: 'Test Game', engine: '106.0', host: '127.0.0.1:8452' });
    expect(JSON.stringify(alice.app.snapshot())).not.toContain(started[0]?.password ?? '§');
    expect(new Set(started.map((s) => s.username))).toEqual(new Set(['alice', 'bob']));
    alice.app.battleEnded();
    expect(alice.app.snapshot().matchmaking.phase).toBe('idle');
  });

  it('tells the one who readied `lost` (still queued) and the late one `cancelled: ready_timeout`', async () => {
    const { alice, bob } = await twoPlayers({ readyTimeoutMs: 400 });
    await alice.app.intents.queue(['1v1']);
    await bob.app.intents.queue(['1v1']);
    await waitFor('found', () => alice.app.snapshot().matchmaking.phase === 'found' && bob.app.snapshot().matchmaking.phase === 'found');
    await alice.app.intents.ready();
    await waitFor('bob cancelled', () => bob.app.snapshot().matchmaking.phase === 'cancelled');
    expect(bob.app.snapshot().matchmaking.cancelReason).toBe('ready_timeout');
    expect(bob.app.snapshot().notices.at(-1)?.text).toMatch(/did not ready up in time/);
    await waitFor('alice lost but queued', () => alice.app.snapshot().matchmaking.phase === 'lost');
    // Alice is still in the queue: bob queues again and both are matched anew.
    await bob.app.intents.queue(['1v1']);
    await waitFor('found again', () => alice.app.snapshot().matchmaking.phase === 'found' && bob.app.snapshot().matchmaking.phase === 'found');
  });

  it('cancels intentionally, and the other player is told the match was lost', async () => {
    const { alice, bob } = await twoPlayers();
    await alice.app.intents.queue(['1v1']);
    await bob.app.intents.queue(['1v1']);
    await waitFor('found', () => alice.app.snapshot().matchmaking.phase === 'found');
    await bob.app.intents.cancelQueue();
    await waitFor('bob cancelled', () => bob.app.snapshot().matchmaking.phase === 'cancelled');
    expect(bob.app.snapshot().matchmaking.cancelReason).toBe('intentional');
    await waitFor('alice lost', () => alice.app.snapshot().matchmaking.phase === 'lost');
    await expect(bob.app.intents.cancelQueue()).resolves.toBeUndefined();
    expect(bob.app.snapshot().matchmaking.phase).toBe('idle');
  });

  it('cancels with server_error when the battle cannot be hosted', async () => {
    const { alice, bob } = await twoPlayers({ launchFails: true });
    await alice.app.intents.queue(['1v1']);
    await bob.app.intents.queue(['1v1']);
    await waitFor('found', () => alice.app.snapshot().matchmaking.phase === 'found' && bob.app.snapshot().matchmaking.phase === 'found');
    await alice.app.intents.ready();
    await bob.app.intents.ready();
    await waitFor('both cancelled', () => [alice, bob].every((p) => p.app.snapshot().matchmaking.cancelReason === 'server_error'));
    expect(alice.app.snapshot().notices.at(-1)?.text).toBe('Matchmaking stopped. The server said: The battle could not be started.');
  });

  it('keeps its place in the queue across a dropped connection: the server kept it, and user/self says so', async () => {
    const { alice, bob } = await twoPlayers();
    await alice.app.intents.queue(['1v1']);
    const reconnected = { alice: false, bob: false };
    alice.app.onPatch((p) => { if (p.slice === 'connection' && p.value.phase === 'reconnecting') reconnected.alice = true; });
    bob.app.onPatch((p) => { if (p.slice === 'connection' && p.value.phase === 'reconnecting') reconnected.bob = true; });
    const sentByAlice: string[] = [];
    world.controls.onFrame((userId, text) => { if (userId === alice.userId) sentByAlice.push((JSON.parse(text) as { commandId: string }).commandId); });
    world.controls.dropAllConnections();
    await waitFor('both back', () => reconnected.alice && reconnected.bob && connected(alice.app) && connected(bob.app));
    expect(world.server.matchmaker.queuedUserIds('1v1')).toEqual([alice.userId]);
    expect(alice.app.snapshot().matchmaking).toMatchObject({ phase: 'queued', queues: ['1v1'] });
    // A request after the reconnect: anything the client sent on its own before it has arrived by the time it is answered.
    await alice.app.intents.refreshPlaylists();
    expect(sentByAlice).not.toContain('matchmaking/queue');
    await bob.app.intents.queue(['1v1']);
    await waitFor('matched after the drop', () => alice.app.snapshot().matchmaking.phase === 'found');
  });
});

describe('hosting a match', () => {
  it('hosts it once however often players ready', async () => {
    let launches = 0;
    world = await createWorld({
      playlists: [duel],
      launcher: { launch: async () => { launches++; await new Promise((r) => setTimeout(r, 100)); return { ip: '127.0.0.1', port: 8452 }; } },
    });
    const started: string[] = [];
    const alice = await world.player('alice', { onBattleStart: async (d) => { started.push(d.username); recordSecrets(d.password); } });
    const bob = await world.player('bob', { onBattleStart: async (d) => { started.push(d.username); recordSecrets(d.password); } });
    await waitFor('connected', () => connected(alice.app) && connected(bob.app) && alice.app.snapshot().matchmaking.playlists.length === 1 && bob.app.snapshot().matchmaking.playlists.length === 1);
    await alice.app.intents.queue(['1v1']);
    await bob.app.intents.queue(['1v1']);
    await waitFor('found', () => [alice, bob].every((p) => p.app.snapshot().matchmaking.phase === 'found'));
    // Clients that ready twice (e.g. on every tally update): both requests leave before any answer.
    await Promise.allSettled([alice.app.intents.ready(), alice.app.intents.ready(), bob.app.intents.ready(), bob.app.intents.ready()]);
    await waitFor('both started', () => started.length === 2);
    await new Promise((r) => setTimeout(r, 300));
    expect(launches).toBe(1);
    expect([alice, bob].map((p) => p.app.snapshot().matchmaking.cancelReason)).toEqual([null, null]);
  });
});
