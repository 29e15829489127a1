// The real engine on 127.0.0.1: a two-player battle from start to game over, and the failures a player can meet.
import { readdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { AutohostStartRequestData, BattleStartRequestData } from 'tachyon-protocol/types';
import { validator } from 'tachyon-protocol/validators';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AutohostEvent } from '../../src-main/core/engine/autohost-interface';
import { planBattleLaunch } from '../../src-main/core/engine/battle-launch';
import { EngineRegistry } from '../../src-main/core/engine/engine-registry';
import type { EngineExit, EngineStatus } from '../../src-main/core/engine/engine-runner';
import { EngineBusyError, EngineRunner } from '../../src-main/core/engine/engine-runner';
import { scriptPlayerOrder } from '../../src-main/core/engine/start-script';
import { TEST_CHAT_LINE, TEST_GAME_NAME, TEST_LUA_MESSAGE, TEST_MAP_NAME, writeTestContent } from '../../src-main/core/engine/test-content';
import type { RealHost } from './real-host';
import { freePort, startRealHost } from './real-host';

let root: string;
let contentDir: string;
let runnerTemp: string;
let registry: EngineRegistry;
const runners: EngineRunner[] = [];
const hosts: RealHost[] = [];

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'real-engine-'));
  contentDir = path.join(root, 'content');
  runnerTemp = path.join(root, 'runner-temp');
  // Two seconds of play: enough for chat, luamsg and a winner.
  await writeTestContent(contentDir, { gameOverFrame: 60 });
  registry = await EngineRegistry.discover();
});

afterEach(async () => {
  for (const runner of runners.splice(0)) await runner.dispose();
  for (const host of hosts.splice(0)) await host.stop();
  // Every launch directory (script with the password, write dir, HOME) is gone once its engine exited.
  expect(await readdir(runnerTemp).catch(() => [])).toEqual([]);
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

let battleCount = 0;
function battle(players: Array<{ userId: string; name: string; password: string }>): AutohostStartRequestData {
  battleCount++;
  return {
    battleId: `00000000-0000-4000-8000-${String(battleCount).padStart(12, '0')}`,
    engineVersion: '106.0',
    gameName: TEST_GAME_NAME,
    mapName: TEST_MAP_NAME,
    startPosType: 'fixed',
    startDelay: 1,
    allyTeams: players.map((player) => ({ teams: [{ players: [player] }] })),
  };
}

function battleStart(host: RealHost, username: string, password: string, overrides: Partial<BattleStartRequestData> = {}): BattleStartRequestData {
  const data: BattleStartRequestData = {
    username,
    password,
    ip: '127.0.0.1',
    port: host.port,
    engine: { version: '106.0' },
    game: { springName: TEST_GAME_NAME },
    map: { springName: TEST_MAP_NAME },
    ...overrides,
  };
  // What a server would send: the schema of tachyon 1.13.0.
  const message = { type: 'request', messageId: 'm1', commandId: 'battle/start', data };
  expect(validator['battle/start'].request(message)).toBe(true);
  return data;
}

async function launch(
  data: BattleStartRequestData, settings?: Record<string, string | number>,
): Promise<{ runner: EngineRunner; statuses: EngineStatus[]; requestedAt: number; spawnedAt: number }> {
  const plan = await planBattleLaunch(data, { registry, contentDirs: [contentDir], binary: 'headless', ...(settings ? { settings } : {}) });
  if (!plan.ok) throw new Error(plan.details);
  const runner = new EngineRunner({ tempBase: runnerTemp, stopGraceMs: 3000 });
  runners.push(runner);
  const statuses: EngineStatus[] = [];
  runner.onStatus((status) => {
    if (statuses.at(-1) !== status) statuses.push(status);
  });
  const requestedAt = performance.now();
  await runner.launch(plan.request);
  return { runner, statuses, requestedAt, spawnedAt: performance.now() };
}

function waitForEvent<T extends AutohostEvent['type']>(host: RealHost, type: T, timeoutMs: number, match?: (e: Extract<AutohostEvent, { type: T }>) => boolean) {
  const seen = host.events.find((e) => e.type === type && (!match || match(e as Extract<AutohostEvent, { type: T }>)));
  if (seen) return Promise.resolve(seen as Extract<AutohostEvent, { type: T }>);
  return host.iface.waitFor(type, timeoutMs, match);
}

describe.sequential('real engine (Debian spring 106, headless, 127.0.0.1)', () => {
  it('plays a two-player battle: both join, the game starts and ends with a winner, everything exits by itself', async () => {
    const players = [
      { userId: 'u-alice', name: 'Alice', password: 'alice-secret-1' },
      { userId: 'u-bob', name: 'Bob', password: 'bob-secret-2' },
    ];
    const setup = battle(players);
    const host = await startRealHost(path.join(root, 'host-battle'), contentDir, setup);
    hosts.push(host);
    const order = scriptPlayerOrder(setup);

    const alice = await launch(battleStart(host, 'Alice', 'alice-secret-1'));
    const bob = await launch(battleStart(host, 'Bob', 'bob-secret-2'));
    const exits = Promise.all([alice.runner.waitForExit(), bob.runner.waitForExit()]);
    expect(alice.runner.status).toBe('starting');

    await waitForEvent(host, 'quit', 40_000);
    const [aliceExit, bobExit] = (await exits) as [EngineExit, EngineExit];
    expect(await host.exited).toBe(0);

    const joined = host.events.filter((e) => e.type === 'player_joined');
    expect(joined.map((e) => [order[e.player], e.name]).sort()).toEqual([['u-alice', 'Alice'], ['u-bob', 'Bob']]);
    const kinds = host.events.map((e) => e.type);
    expect(kinds[0]).toBe('started');
    expect(kinds.indexOf('start_playing')).toBeGreaterThan(kinds.lastIndexOf('player_joined'));
    expect(host.events).toContainEqual(expect.objectContaining({ type: 'player_chat', text: TEST_CHAT_LINE, destination: { kind: 'all' } }));
    const luamsg = host.events.find((e) => e.type === 'luamsg');
    expect(luamsg).toMatchObject({ script: 'rules' });
    expect(luamsg?.type === 'luamsg' && luamsg.data.toString()).toBe(TEST_LUA_MESSAGE);
    // One game over per client: deduplicated, they agree on the winner.
    const gameOvers = host.events.filter((e) => e.type === 'game_over');
    expect(gameOvers.length).toBeGreaterThanOrEqual(1);
    expect(new Set(gameOvers.map((e) => JSON.stringify(e.winningAllyTeams)))).toEqual(new Set(['[0]']));
    expect(host.events.filter((e) => e.type === 'player_left').map((e) => e.reason)).toEqual(['left', 'left']);
    expect(kinds.at(-1)).toBe('quit');

    for (const [who, exit, run] of [['alice', aliceExit, alice], ['bob', bobExit, bob]] as const) {
      expect(exit, who).toMatchObject({ code: 0, signal: null, ok: true, requested: false });
      expect(exit.explanation).toBeUndefined();
      expect(run.statuses).toEqual(['starting', 'running', 'offline']);
      const timings = run.runner.snapshot().timings;
      expect(timings.inGameAt).toBeDefined();
      // The password reaches the engine only through the 0600 script: never the console.
      for (const line of run.runner.console()) {
        expect(line.text).not.toContain('alice-secret-1');
        expect(line.text).not.toContain('bob-secret-2');
      }
      console.log(
        `[timing] ${who}: launch→spawn ${(run.spawnedAt - run.requestedAt).toFixed(1)} ms, ` +
          `spawn→connected ${timings.connectedAt! - timings.spawnedAt!} ms, spawn→in game ${timings.inGameAt! - timings.spawnedAt!} ms, ` +
          `run ${exit.runtimeMs} ms`,
      );
    }
  }, 60_000);

  it('a clan-tag name ([ABC]alice) joins and plays: engine 106 takes a lone [ or ] in a script value', async () => {
    const setup = battle([{ userId: 'u-tagged', name: '[ABC]alice', password: 'pw-tagged' }]);
    const host = await startRealHost(path.join(root, 'host-clan-tag'), contentDir, setup);
    hosts.push(host);
    const { runner } = await launch(battleStart(host, '[ABC]alice', 'pw-tagged'));
    const exited = runner.waitForExit();
    await waitForEvent(host, 'quit', 40_000);
    expect(await exited).toMatchObject({ code: 0, ok: true, requested: false });
    expect(host.events.filter((e) => e.type === 'player_joined')).toEqual([{ type: 'player_joined', player: 0, name: '[ABC]alice' }]);
    expect(host.events.some((e) => e.type === 'start_playing')).toBe(true);
    expect(host.events.some((e) => e.type === 'game_over')).toBe(true);
  }, 60_000);

  it('rejects a second launch while one runs, and stop() ends it with SIGTERM', async () => {
    const host = await startRealHost(path.join(root, 'host-busy'), contentDir, battle([{ userId: 'u1', name: 'Solo', password: 'pw-solo' }]));
    hosts.push(host);
    const data = battleStart(host, 'Solo', 'pw-solo');
    const { runner, statuses } = await launch(data);
    const plan = await planBattleLaunch(data, { registry, contentDirs: [contentDir], binary: 'headless' });
    if (!plan.ok) throw new Error(plan.details);
    await expect(runner.launch(plan.request)).rejects.toThrow(EngineBusyError);
    await expect(runner.launch(plan.request)).rejects.toThrow('a battle is already running');
    await waitForEvent(host, 'player_joined', 20_000);
    const stats = await runner.stats();
    expect(stats).toMatchObject({ pid: runner.snapshot().pid });
    expect(stats!.rssBytes).toBeGreaterThan(10 * 1024 * 1024);
    const exit = await runner.stop();
    expect(exit).toMatchObject({ requested: true, ok: true });
    expect(statuses.slice(-2)).toEqual(['stopping', 'offline']);
    expect(await runner.stats()).toBeUndefined();
  }, 40_000);

  it('commands go back to the engine: /kick removes the player (PLAYER_LEFT kicked) and the client exits', async () => {
    const host = await startRealHost(path.join(root, 'host-kick'), contentDir, battle([{ userId: 'u1', name: 'Alice', password: 'pw' }]));
    hosts.push(host);
    const { runner } = await launch(battleStart(host, 'Alice', 'pw'));
    await waitForEvent(host, 'player_joined', 20_000);
    await host.iface.sendCommand('kick', ['Alice']);
    expect(await waitForEvent(host, 'player_left', 10_000)).toEqual({ type: 'player_left', player: 0, reason: 'kicked' });
    const exit = (await runner.waitForExit())!;
    expect(exit).toMatchObject({ code: 0, requested: false, explanation: 'The battle host removed you from the game (kicked).' });
  }, 40_000);

  it('wrong password: the host says so, the client exits 21, the player is told the password was rejected', async () => {
    const host = await startRealHost(path.join(root, 'host-password'), contentDir, battle([{ userId: 'u1', name: 'Alice', password: 'right' }]));
    hosts.push(host);
    const { runner } = await launch(battleStart(host, 'Alice', 'wrong-password'));
    const exit = (await runner.waitForExit())!;
    expect(exit).toMatchObject({ code: 21, ok: false, requested: false });
    expect(exit.explanation).toBe('The battle host rejected the password (engine exit code 21).');
    expect(host.events).toContainEqual({ type: 'message', text: ' -> Incorrect password' });
    expect(runner.console().some((l) => l.text.includes('wrong-password'))).toBe(false);
  }, 30_000);

  it('engine killed mid-game: the exit is reported with the signal and last lines', async () => {
    const host = await startRealHost(path.join(root, 'host-killed'), contentDir, battle([{ userId: 'u1', name: 'Alice', password: 'pw' }]));
    hosts.push(host);
    const { runner } = await launch(battleStart(host, 'Alice', 'pw'));
    await waitForEvent(host, 'player_joined', 20_000);
    process.kill(runner.snapshot().pid!, 'SIGKILL');
    const exit = (await runner.waitForExit())!;
    expect(exit).toMatchObject({ code: null, signal: 'SIGKILL', ok: false, requested: false });
    expect(exit.explanation).toBe('The engine was killed (SIGKILL): another program or the system ended it.');
    expect(exit.lastLines.length).toBeGreaterThan(0);
    // The host only notices a vanished client after its network timeout (tens of seconds): not waited for here.
  }, 40_000);

  it('host not running: the client gives up after InitialNetworkTimeout with rc 233 and a clear reason', async () => {
    const port = await freePort();
    const data: BattleStartRequestData = {
      username: 'Alice',
      password: 'pw',
      ip: '127.0.0.1',
      port,
      engine: { version: '106.0' },
      game: { springName: TEST_GAME_NAME },
      map: { springName: TEST_MAP_NAME },
    };
    // 10 s is the engine's minimum wait for a host.
    const { runner } = await launch(data, { InitialNetworkTimeout: 10 });
    const exit = (await runner.waitForExit())!;
    expect(exit.code).toBe(233);
    expect(exit.explanation).toMatch(/did not answer in time/);
    expect(runner.snapshot().status).toBe('offline');
  }, 40_000);

  it('refuses before launching, with the message a player would see: unknown engine, ../ version, missing map or game, hostile join data', async () => {
    const base: BattleStartRequestData = {
      username: 'Alice',
      password: 'pw',
      ip: '127.0.0.1',
      port: 8452,
      engine: { version: '106.0' },
      game: { springName: TEST_GAME_NAME },
      map: { springName: TEST_MAP_NAME },
    };
    const context = { registry, contentDirs: [contentDir], binary: 'headless' as const };
    expect(await planBattleLaunch({ ...base, engine: { version: '2025.04.01' } }, context)).toEqual({
      ok: false,
      reason: 'internal_error',
      details: 'engine version "2025.04.01" is not installed (installed: 106.0)',
    });
    expect(await planBattleLaunch({ ...base, engine: { version: '../106.0' } }, context)).toMatchObject({ details: 'engine version "../106.0" is not installed (installed: 106.0)' });
    expect(await planBattleLaunch({ ...base, map: { springName: 'Theta Crystals 1.3' } }, context)).toEqual({
      ok: false,
      reason: 'internal_error',
      details: 'map "Theta Crystals 1.3" is not installed',
    });
    expect(await planBattleLaunch({ ...base, game: { springName: 'Beyond All Reason test-27414-a84d7e6' } }, context)).toMatchObject({
      reason: 'internal_error',
      details: 'game "Beyond All Reason test-27414-a84d7e6" is not installed',
    });
    expect(await planBattleLaunch({ ...base, username: 'x;IsHost=1' }, context)).toEqual({
      ok: false,
      reason: 'invalid_request',
      details: 'start script: username contains one of ; { } = [[ ]] (they would change the script structure)',
    });
    expect(await planBattleLaunch({ ...base, password: 'p\nIsHost=1' }, context)).toMatchObject({ reason: 'invalid_request', details: 'start script: password contains a line break or control character' });
    expect(await planBattleLaunch({ ...base, ip: 'example.org' }, context)).toMatchObject({ reason: 'invalid_request' });
    expect(await planBattleLaunch({ ...base, port: -5.5 }, context)).toMatchObject({ reason: 'invalid_request' });
    expect(await planBattleLaunch(base, context)).toMatchObject({ ok: true });
  });

  it('reports a binary that cannot be spawned, and cleans up', async () => {
    const runner = new EngineRunner({ tempBase: runnerTemp });
    runners.push(runner);
    const engine = { version: 'ghost', binaries: { headless: path.join(root, 'no-such-spring') }, dataDir: '/usr/share/games/spring', source: 'directory' as const };
    await expect(runner.launch({ engine, binary: 'headless', join: { ip: '127.0.0.1', port: 8452, username: 'A', password: 'p' } })).rejects.toThrow(
      /could not start the engine .*no-such-spring: spawn .* ENOENT/,
    );
    expect(runner.status).toBe('offline');
  });
});
