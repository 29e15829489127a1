// Battles hosted by the LocalAutohost on the real engine with spring-headless players: the server's update history, reconnect with `since`, and a crash.
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { AutohostUpdateEventData, BattleStartRequestData } from 'tachyon-protocol/types';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EngineRunner, planBattleLaunch, TEST_CHAT_LINE, TEST_LUA_MESSAGE } from '../../src-main/core/engine';
import { alive, battleData, createWorld, ENGINE_VERSION, expectIncreasingTimes, serverUpdates, waitFor, type AutohostWorld } from './support';
import { controlsOf } from '../support/server-controls';

let world: AutohostWorld;
const runners: EngineRunner[] = [];

beforeAll(async () => {
  // Pings every 250 ms and a 1 s silence limit: a silent server is noticed quickly in the reconnect test.
  world = await createWorld({ silenceTimeoutMs: 1_000 }, { pingIntervalMs: 250 });
});

afterEach(async () => {
  for (const runner of runners.splice(0)) await runner.dispose();
  expect(await readdir(path.join(world.root, 'players')).catch(() => [])).toEqual([]);
});

afterAll(async () => {
  if (world) {
    // Passwords reach the engine only through the 0600 script: never an update, a log line or a crash detail.
    const seen = JSON.stringify(controlsOf(world.server).updates) + world.logger.lines.join('\n');
    for (const player of [alice, bob]) expect(seen).not.toContain(player.password);
  }
  await world?.close();
});

const alice = { userId: 'u-alice', name: 'Alice', password: 'alice-pw-61842' };
const bob = { userId: 'u-bob', name: 'Bob', password: 'bob-pw-30517' };

/** A player's headless engine joining from what the server would put in its battle/start. */
async function join(player: { name: string; password: string }, port: number): Promise<EngineRunner> {
  const data: BattleStartRequestData = {
    username: player.name,
    password: player.password,
    ip: '127.0.0.1',
    port,
    engine: { version: ENGINE_VERSION },
    game: { springName: battleDataGame },
    map: { springName: battleDataMap },
  };
  const plan = await planBattleLaunch(data, { registry: world.registry, contentDirs: [world.contentDir], binary: 'headless' });
  if (!plan.ok) throw new Error(plan.details);
  const runner = new EngineRunner({ tempBase: path.join(world.root, 'players'), stopGraceMs: 3_000 });
  runners.push(runner);
  await runner.launch(plan.request);
  return runner;
}

const battleDataGame = battleData([alice]).gameName;
const battleDataMap = battleData([alice]).mapName;

function types(updates: readonly AutohostUpdateEventData[]): string[] {
  return updates.map((u) => u.update.type);
}

describe.sequential('battles hosted by the LocalAutohost (spring-dedicated + spring-headless, 127.0.0.1)', () => {
  it('two players: joined ×2, start, finished per player, left, engine_quit, in order; the battle state ends with the winners tallied', async () => {
    const battle = battleData([alice, bob], { luamsgRegexp: '^tachyon-test' });
    const before = performance.now();
    const { port } = await world.endpoint().call('autohost/start', battle);
    console.log(`[timing] autohost/start request → answer: ${(performance.now() - before).toFixed(1)} ms`);
    const pid = world.autohost.enginePid(battle.battleId)!;
    const players = await Promise.all([join(alice, port), join(bob, port)]);
    const exited = Promise.all(players.map((p) => p.waitForExit()));
    await waitFor(() => serverUpdates(world.server, battle.battleId).some((u) => u.update.type === 'engine_quit'), 40_000, 'engine_quit at the server');
    const exits = await exited;
    for (const exit of exits) expect(exit, JSON.stringify(exit)).toMatchObject({ code: 0 });
    // A battle counts against maxBattles until its directory is gone.
    await waitFor(() => !alive(pid) && world.autohost.status.currentBattles === 0, 10_000, 'spring-dedicated to exit and its battle to be cleaned up');

    const updates = serverUpdates(world.server, battle.battleId);
    const story = JSON.stringify(updates.map((u) => u.update));
    expectIncreasingTimes(updates);
    // The server has exactly what the autohost made: nothing lost, nothing twice.
    expect(updates).toEqual(world.autohost.bufferedUpdates.filter((u) => u.battleId === battle.battleId));
    const main = types(updates).filter((t) => ['player_joined', 'start', 'finished', 'player_left', 'engine_quit'].includes(t));
    // Each client reports game over and then quits on its own, so one player's `finished` and `player_left` may come
    // before the other's `finished`: both joins come first, then start, and engine_quit closes the battle.
    expect(main.slice(0, 3), story).toEqual(['player_joined', 'player_joined', 'start']);
    expect(main.slice(3).sort(), story).toEqual(['engine_quit', 'finished', 'finished', 'player_left', 'player_left']);
    expect(main.at(-1)).toBe('engine_quit');
    for (const userId of ['u-alice', 'u-bob']) {
      const at = (type: string) => updates.findIndex((u) => u.update.type === type && 'userId' in u.update && u.update.userId === userId);
      expect(at('finished'), userId).toBeLessThan(at('player_left'));
    }
    const joined = updates.flatMap((u) => (u.update.type === 'player_joined' ? [[u.update.userId, u.update.playerNumber]] : []));
    expect(joined.sort()).toEqual([['u-alice', 0], ['u-bob', 1]]);
    const finished = updates.flatMap((u) => (u.update.type === 'finished' ? [u.update] : []));
    expect(finished.map((f) => f.userId).sort()).toEqual(['u-alice', 'u-bob']);
    for (const f of finished) expect(f.winningAllyTeams).toEqual([0]);
    const chat = updates.flatMap((u) => (u.update.type === 'player_chat' ? [u.update] : []));
    expect(chat, story).toContainEqual({ type: 'player_chat', userId: 'u-alice', message: TEST_CHAT_LINE, destination: 'all' });
    const luamsg = updates.flatMap((u) => (u.update.type === 'luamsg' ? [u.update] : []));
    expect(luamsg.length, story).toBeGreaterThanOrEqual(1);
    expect(luamsg[0]).toMatchObject({ script: 'rules', data: Buffer.from(TEST_LUA_MESSAGE).toString('base64') });
    expect(updates.filter((u) => u.update.type === 'player_left').map((u) => u.update.type === 'player_left' && u.update.reason)).toEqual(['left', 'left']);

    const state = world.autohost.hostedBattle(battle.battleId)!;
    expect(state).toMatchObject({ phase: 'ended', end: { kind: 'quit' }, winners: [{ winningAllyTeams: [0], reports: 2 }] });
    expect(state.players.map((p) => [p.userId, p.connected, p.leftReason])).toEqual([['u-alice', false, 'left'], ['u-bob', false, 'left']]);
    expect(state.chat.filter((line) => line.message === TEST_CHAT_LINE)).toHaveLength(2);
    expect(world.autohost.status.currentBattles).toBe(0);
    expect(await readdir(world.battlesDir)).toEqual([]);
    const startAt = updates.find((u) => u.update.type === 'start')!.time;
    const quitAt = updates.at(-1)!.time;
    console.log(`[timing] two-player battle: start → engine_quit ${((quitAt - startAt) / 1000).toFixed(0)} ms, ${updates.length} updates`);
  }, 60_000);

  it('the server goes silent, the autohost reconnects and is resubscribed with since: no update lost or repeated', async () => {
    const battle = battleData([alice]);
    const { port } = await world.endpoint().call('autohost/start', battle);
    await join(alice, port);
    await waitFor(() => serverUpdates(world.server, battle.battleId).some((u) => u.update.type === 'start'), 30_000, 'the game to start');

    // A hung server: no pings; and no new connections for a while, so the battle goes on while the autohost is away.
    controlsOf(world.server).refuseUpgrades(503);
    controlsOf(world.server).goSilent(true);
    await waitFor(() => world.autohost.connectionStatus.phase !== 'connected', 5_000, 'the autohost to drop the silent connection');
    const droppedAt = Date.now() * 1000;
    controlsOf(world.server).goSilent(false);
    await waitFor(() => world.autohost.hostedBattle(battle.battleId)?.phase === 'ended', 30_000, 'the battle to end while disconnected');
    // Times may run a few µs ahead of the clock (collisions are bumped), so the window ends at the newest one.
    const reconnectAt = Math.max(Date.now() * 1000, world.autohost.bufferedUpdates.at(-1)?.time ?? 0);
    controlsOf(world.server).refuseUpgrades(null);
    await waitFor(() => serverUpdates(world.server, battle.battleId).some((u) => u.update.type === 'engine_quit'), 15_000, 'the replay to reach the server');

    const mine = world.autohost.bufferedUpdates.filter((u) => u.battleId === battle.battleId);
    const theirs = serverUpdates(world.server, battle.battleId);
    expect(theirs).toEqual(mine);
    expectIncreasingTimes(controlsOf(world.server).updates);
    const missed = mine.filter((u) => u.time > droppedAt && u.time <= reconnectAt);
    expect(types(missed)).toContain('engine_quit');
    console.log(`[timing] reconnect: ${missed.length} updates made while disconnected were replayed (${types(missed).join(', ')})`);
    expect(world.autohost.connectionStatus.phase).toBe('connected');
  }, 60_000);

  it('spring-dedicated killed mid-battle: engine_crash, nothing after it, and the battle ends crashed', async () => {
    const battle = battleData([alice]);
    const { port } = await world.endpoint().call('autohost/start', battle);
    const runner = await join(alice, port);
    await waitFor(() => serverUpdates(world.server, battle.battleId).some((u) => u.update.type === 'player_joined'), 30_000, 'the player to join');
    const pid = world.autohost.enginePid(battle.battleId)!;
    process.kill(pid, 'SIGKILL');
    await waitFor(() => serverUpdates(world.server, battle.battleId).some((u) => u.update.type === 'engine_crash'), 10_000, 'engine_crash');
    await runner.dispose();
    await new Promise((resolve) => setTimeout(resolve, 200));
    const updates = serverUpdates(world.server, battle.battleId);
    const last = updates.at(-1)!.update;
    expect(last.type).toBe('engine_crash');
    expect(last.type === 'engine_crash' && last.details).toMatch(/^spring-dedicated was killed by SIGKILL/);
    expect(types(updates).filter((t) => t === 'engine_crash' || t === 'engine_quit')).toEqual(['engine_crash']);
    expect(world.autohost.hostedBattle(battle.battleId)).toMatchObject({ phase: 'ended', end: { kind: 'crash' } });
    await waitFor(() => world.autohost.status.currentBattles === 0, 5_000, `no battle left running (${JSON.stringify(world.autohost.hostedBattles.map((b) => [b.phase, world.autohost.enginePid(b.battleId)]))})`);
    expect(await readdir(world.battlesDir)).toEqual([]);
  }, 60_000);
});
