// The embedded server keeps a dropped player's matchmaking for a grace period, as Teiserver keeps a session for 30 s: a
// reconnect within it finds the queue place or the seat (user/self says which), and the match goes on with the new session.
import { afterEach, describe, expect, it } from 'vitest';
import type { BattleStartRequestData } from 'tachyon-protocol/types';
import { connected, createWorld, waitFor, type World } from '../support/world';
import type { PlaylistConfig } from '../../src-main/core/server/match';
import type { TachyonServerOptions } from '../../src-main/core/server/tachyon-server';
import { recordSecrets } from '../support/secret-ledger';
import { serverHoldsSessions } from './raw-client';

const duel: PlaylistConfig = { id: '1v1', name: 'Duel', numOfTeams: 2, teamSize: 1, engine: '106.0', game: 'Test Game', map: 'Test Map' };

let world: World;
afterEach(async () => {
  await world.dispose();
});

async function twoPlayers(options: TachyonServerOptions = {}) {
  world = await createWorld({ playlists: [duel], readyTimeoutMs: 10_000, launcher: { launch: async () => ({ ip: '127.0.0.1', port: 8452 }) }, ...options });
  const started: { username: string; at: 'alice' | 'bob' }[] = [];
  const onStart = (at: 'alice' | 'bob') => async (data: BattleStartRequestData) => { started.push({ username: data.username, at }); recordSecrets(data.password); };
  const alice = await world.player('alice', { onBattleStart: onStart('alice') });
  const bob = await world.player('bob', { onBattleStart: onStart('bob') });
  await waitFor('both connected', () => [alice, bob].every((p) => connected(p.app) && p.app.snapshot().matchmaking.playlists.length === 1));
  return { alice, bob, started };
}

/** Drops one player's socket abruptly (no close frame, no system/disconnect) and keeps them away until `back()`. */
async function dropAway(userId: string): Promise<{ back: () => void }> {
  world.controls.refuseUpgrades(503);
  for (const { socket } of world.server.sessionsOf(userId)) socket.terminate();
  await serverHoldsSessions(world.server, userId, 0);
  return { back: () => world.controls.refuseUpgrades(null) };
}

describe('a dropped player within the grace period', () => {
  it('keeps the queue place, learns it from user/self on the reconnect, and is matched', async () => {
    const { alice, bob } = await twoPlayers();
    await alice.app.intents.queue(['1v1']);
    const away = await dropAway(alice.userId);
    expect(world.server.matchmaker.queuedUserIds('1v1')).toEqual([alice.userId]);
    expect(world.server.matchmaker.stateOf(alice.userId)).toEqual({ state: 'queuing', queues: [{ id: '1v1', version: expect.any(String) }] });
    away.back();
    await waitFor('alice back', () => connected(alice.app) && alice.app.snapshot().matchmaking.phase === 'queued');
    await bob.app.intents.queue(['1v1']);
    await waitFor('both found', () => [alice, bob].every((p) => p.app.snapshot().matchmaking.phase === 'found'));
  });

  it('keeps a found match\'s seat: the reconnect shows it readied, and battle/start goes to the new session', async () => {
    const { alice, bob, started } = await twoPlayers();
    await alice.app.intents.queue(['1v1']);
    await bob.app.intents.queue(['1v1']);
    await waitFor('both found', () => [alice, bob].every((p) => p.app.snapshot().matchmaking.phase === 'found'));
    await alice.app.intents.ready();
    const away = await dropAway(alice.userId);
    expect(world.server.matchmaker.stateOf(alice.userId)).toMatchObject({ state: 'found', queue: { id: '1v1', hasAlreadyReadied: true } });
    // Bob readies while alice is away: the battle starts, and hers waits for her.
    await bob.app.intents.ready();
    await waitFor('bob started', () => started.some((s) => s.at === 'bob'));
    expect(started).toEqual([{ username: 'bob', at: 'bob' }]);
    away.back();
    await waitFor('alice started after her reconnect', () => started.some((s) => s.at === 'alice'));
    expect(started).toContainEqual({ username: 'alice', at: 'alice' });
    await waitFor('alice in battle', () => alice.app.snapshot().matchmaking.phase === 'battle');
    expect(alice.app.snapshot().notices.map((n) => n.text).join('\n')).not.toMatch(/no longer has you/);
  });

  it('keeps the seat of one who had not readied: the reconnect shows the match found, and readying then starts it', async () => {
    const { alice, bob, started } = await twoPlayers();
    await alice.app.intents.queue(['1v1']);
    await bob.app.intents.queue(['1v1']);
    await waitFor('both found', () => [alice, bob].every((p) => p.app.snapshot().matchmaking.phase === 'found'));
    const away = await dropAway(alice.userId);
    await bob.app.intents.ready();
    away.back();
    await waitFor('alice back, found', () => connected(alice.app) && alice.app.snapshot().matchmaking.phase === 'found');
    const deadline = alice.app.snapshot().matchmaking.found?.deadline ?? 0;
    expect(deadline).toBeGreaterThan(Date.now());
    await alice.app.intents.ready();
    await waitFor('both started', () => started.length === 2);
  });
});

describe('the end of a session', () => {
  it('takes a player out of matchmaking once the grace period is over, and the reconnect says so in words', async () => {
    const { alice } = await twoPlayers({ sessionGraceMs: 200 });
    await alice.app.intents.queue(['1v1']);
    const away = await dropAway(alice.userId);
    await waitFor('alice out of the queue', () => world.server.matchmaker.queuedUserIds('1v1').length === 0);
    expect(world.server.matchmaker.stateOf(alice.userId)).toEqual({ state: 'no_matchmaking' });
    away.back();
    await waitFor('alice back, idle', () => connected(alice.app) && alice.app.snapshot().matchmaking.phase === 'idle');
    expect(alice.app.snapshot().notices.at(-1)).toMatchObject({ level: 'warning', text: 'The server no longer has you in the queue for Duel; queue again to play.' });
  });

  it('ends at once on system/disconnect, however long the grace period', async () => {
    const { alice } = await twoPlayers({ sessionGraceMs: 60_000 });
    await alice.app.intents.queue(['1v1']);
    await alice.app.close();
    await serverHoldsSessions(world.server, alice.userId, 0);
    expect(world.server.matchmaker.queuedUserIds('1v1')).toEqual([]);
    expect(world.server.matchmaker.stateOf(alice.userId)).toEqual({ state: 'no_matchmaking' });
  });
});
