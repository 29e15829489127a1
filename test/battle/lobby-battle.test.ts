// A matchmade battle on the real engine through the lobby core: battle/start → content check → join script → spring-headless joins a real host, plays, and comes back.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EngineRegistry, TEST_GAME_NAME, TEST_MAP_NAME, writeTestContent } from '../../src-main/core/engine';
import { startRequest } from '../../src-main/core/server/autohost-fleet';
import type { MatchToLaunch } from '../../src-main/core/server/matchmaking';
import { connected, createWorld, waitFor, type World } from '../support/world';
import { startRealHost, type RealHost } from '../engine/real-host';

let base: string;
let contentDir: string;
let registry: Promise<EngineRegistry>;
beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'lobby-battle-'));
  contentDir = join(base, 'content');
  await writeTestContent(contentDir, { gameOverFrame: 90 });
  registry = EngineRegistry.discover();
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('a matchmade battle on the real engine', () => {
  let world: World;
  const hosts: RealHost[] = [];
  afterAll(async () => {
    await world?.dispose();
    for (const host of hosts) await host.stop();
  });

  it('launches both players into the host, plays to game over, and returns them to the menu', async () => {
    const engineVersion = (await registry).versions[0] ?? 'none';
    world = await createWorld({
      playlists: [{ id: '1v1', name: 'Duel', numOfTeams: 2, teamSize: 1, engine: engineVersion, game: TEST_GAME_NAME, map: TEST_MAP_NAME }],
      launcher: {
        async launch(match: MatchToLaunch) {
          const host = await startRealHost(join(base, `host-${hosts.length}`), contentDir, startRequest(match));
          hosts.push(host);
          return { ip: '127.0.0.1', port: host.port };
        },
      },
    });
    const engine = () => ({ registry, contentDirs: [contentDir], binary: 'headless' as const, runner: { tempBase: join(base, 'runs') }, statsIntervalMs: 300 });
    const alice = await world.player('alice', { engine: engine() });
    const bob = await world.player('bob', { engine: engine() });
    await waitFor('both connected with playlists', () => [alice, bob].every((p) => connected(p.app) && p.app.snapshot().matchmaking.playlists.length === 1));
    const engineStatuses: string[] = [];
    alice.app.onPatch((p) => { if (p.slice === 'engine' && engineStatuses.at(-1) !== p.value.status) engineStatuses.push(p.value.status); });
    await alice.app.intents.queue(['1v1']);
    await bob.app.intents.queue(['1v1']);
    await waitFor('found', () => [alice, bob].every((p) => p.app.snapshot().matchmaking.phase === 'found'));
    await alice.app.intents.ready();
    await bob.app.intents.ready();
    await waitFor('alice engine running', () => alice.app.snapshot().engine.status === 'running', 15_000);
    expect(alice.app.snapshot().battle).toMatchObject({ phase: 'running', map: TEST_MAP_NAME, game: TEST_GAME_NAME });
    const host = hosts[0];
    if (!host) throw new Error('no host started');
    await waitFor('both players joined the host', () => host.events.filter((e) => e.type === 'player_joined').length === 2, 30_000);
    await waitFor('game over', () => host.events.some((e) => e.type === 'game_over'), 30_000);
    await waitFor('both engines exited', () => [alice, bob].every((p) => p.app.snapshot().engine.status === 'offline' && p.app.snapshot().engine.exitCode !== null), 30_000);
    for (const p of [alice, bob]) {
      const snap = p.app.snapshot();
      expect(snap.engine.exitCode).toBe(0);
      expect(snap.battle?.phase).toBe('ended');
      expect(snap.matchmaking.phase).toBe('idle');
      expect(snap.engine.console.length).toBeGreaterThan(0);
      expect(snap.engine.console.join('\n')).not.toMatch(/MyPasswd=(?!\[redacted\])/);
    }
    expect(engineStatuses).toEqual(expect.arrayContaining(['starting', 'running', 'offline']));
    await waitFor('host quit', () => host.events.some((e) => e.type === 'quit'), 15_000);
    // No join script or used launch directory is left behind: only each player's spare for the next launch (no script in it).
    const left = readdirSync(join(base, 'runs'));
    expect(left.length).toBeLessThanOrEqual(2);
    for (const name of left) expect(readdirSync(join(base, 'runs', name)).sort()).toEqual(['home', 'owner.json', 'write']);
  }, 90_000);

  it('answers battle/start with the missing map named, and the player sees it', async () => {
    const engineVersion = (await registry).versions[0] ?? 'none';
    const alice = await world.player('carol', { engine: { registry, contentDirs: [contentDir], binary: 'headless' } });
    await waitFor('connected', () => connected(alice.app));
    const response = await world.controls.request(alice.userId, 'battle/start', {
      username: 'carol', password: 'pw', ip: '127.0.0.1', port: 8452, engine: { version: engineVersion }, game: { springName: TEST_GAME_NAME }, map: { springName: 'No Such Map 1.0' },
    });
    expect(response).toMatchObject({ status: 'failed', reason: 'internal_error' });
    expect('details' in response ? response.details : '').toMatch(/No Such Map 1\.0/);
    expect(alice.app.snapshot().battle).toMatchObject({ phase: 'failed' });
    expect(alice.app.snapshot().battle?.message).toMatch(/No Such Map/);
    const unknown = await world.controls.request(alice.userId, 'battle/start', {
      username: 'carol', password: 'pw', ip: '127.0.0.1', port: 8452, engine: { version: '../../bin' }, game: { springName: TEST_GAME_NAME }, map: { springName: TEST_MAP_NAME },
    });
    expect(unknown).toMatchObject({ status: 'failed', reason: 'internal_error' });
    expect('details' in unknown ? unknown.details : '').toMatch(/installed/);
    const hostile = await world.controls.request(alice.userId, 'battle/start', {
      username: 'carol;IsHost=1', password: 'pw', ip: '127.0.0.1', port: 8452, engine: { version: engineVersion }, game: { springName: TEST_GAME_NAME }, map: { springName: TEST_MAP_NAME },
    });
    expect(hostile).toMatchObject({ status: 'failed', reason: 'invalid_request' });
  }, 30_000);
});
