// Demos recorded by a real battle (the local autohost's spring-dedicated, two spring-headless players): kept in the replays folder, read back,
// listed and replayed by the command line.
import { mkdtempSync, rmSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { BattleStartRequestData } from 'tachyon-protocol/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EngineRunner, planBattleLaunch, TEST_GAME_NAME, TEST_MAP_NAME } from '../../src-main/core/engine';
import { readReplay, type Replay } from '../../src-main/core/replays';
import { runReplaysCli } from './replays-cli-process';
import { battleData, createWorld, ENGINE_VERSION, serverUpdates, waitFor, type AutohostWorld } from '../autohost/support';

let world: AutohostWorld;
let replaysDir: string;
const alice = { userId: 'u-alice', name: 'Alice', password: 'alice-pw-50213' };
const bob = { userId: 'u-bob', name: 'Bob', password: 'bob-pw-71934' };

/** A player's headless engine joining the hosted battle, its demos kept in the same replays folder. */
async function join(player: { name: string; password: string }, port: number): Promise<EngineRunner> {
  const data: BattleStartRequestData = {
    username: player.name, password: player.password, ip: '127.0.0.1', port,
    engine: { version: ENGINE_VERSION }, game: { springName: TEST_GAME_NAME }, map: { springName: TEST_MAP_NAME },
  };
  const plan = await planBattleLaunch(data, { registry: world.registry, contentDirs: [world.contentDir], binary: 'headless' });
  if (!plan.ok) throw new Error(plan.details);
  const runner = new EngineRunner({ tempBase: path.join(world.root, 'players'), stopGraceMs: 3_000, replaysDir });
  await runner.launch(plan.request);
  return runner;
}

const demos: { client: Array<{ file: string; replay: Replay }>; host: Array<{ file: string; replay: Replay }>; files: string[] } = { client: [], host: [], files: [] };
const dataDir = mkdtempSync(path.join(tmpdir(), 'replays-recorded-'));

beforeAll(async () => {
  replaysDir = path.join(dataDir, 'replays');
  world = await createWorld({ replaysDir });
  const battle = battleData([alice, bob]);
  const { port } = await world.endpoint().call('autohost/start', battle);
  const runners = await Promise.all([join(alice, port), join(bob, port)]);
  const exits = await Promise.all(runners.map((r) => r.waitForExit()));
  for (const exit of exits) expect(exit, JSON.stringify(exit)).toMatchObject({ code: 0 });
  await waitFor(() => serverUpdates(world.server, battle.battleId).some((u) => u.update.type === 'engine_quit'), 40_000, 'engine_quit');
  await waitFor(() => world.autohost.status.currentBattles === 0, 10_000, 'the battle directory to be released');
  for (const runner of runners) await runner.dispose();
  demos.files = (await readdir(replaysDir)).sort();
  // The autohost names the demo it kept in its log; the others are the players'.
  const hostFiles = world.logger.lines.flatMap((line) => /kept the host demo as (.+\.sdfz) \(/.exec(line)?.[1] ?? []);
  for (const file of demos.files) (hostFiles.includes(file) ? demos.host : demos.client).push({ file, replay: await readReplay(path.join(replaysDir, file)) });
}, 90_000);

afterAll(async () => {
  await world?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('demos of a real battle', () => {
  it('are kept in the replays folder: two client demos and the host demo, nothing left in the battle dirs', async () => {
    expect(demos.files).toHaveLength(3);
    for (const file of demos.files) expect(file).toMatch(/^\d{8}_\d{6}_Tachyon Test Map_(-\d+)?\.sdfz$/);
    expect(demos.host).toHaveLength(1);
    expect(demos.client).toHaveLength(2);
    expect(await readdir(world.battlesDir)).toEqual([]);
    expect(await readdir(path.join(world.root, 'players')).catch(() => [])).toEqual([]);
  });

  it('read back: map, game, players, winners and duration of the client demos and the host demo', () => {
    const players = [{ name: 'Alice', team: 0, allyTeam: 0, spectator: false }, { name: 'Bob', team: 1, allyTeam: 1, spectator: false }];
    for (const { file, replay } of [...demos.client, ...demos.host]) {
      expect(replay, file).toMatchObject({ map: TEST_MAP_NAME, game: TEST_GAME_NAME, players, bots: [], allyTeams: [0, 1], header: { version: 5, headerSize: 352 } });
      // The test game ends at frame 60 (2 s of game time) with ally team 0 winning.
      expect(replay.durationS, file).toBeGreaterThanOrEqual(2);
      expect(replay.durationS, file).toBeLessThanOrEqual(4);
      expect(replay.winners, file).toEqual(replay.winnersMissing ? [] : [0]);
      expect(replay.chunks, file).toBeGreaterThan(0);
      expect(replay.header.gameId).toMatch(/^[0-9a-f]{32}$/);
      expect(replay.header.gameId).not.toBe('0'.repeat(32));
    }
    for (const { replay } of demos.client) expect(replay).toMatchObject({ durationS: 2, winners: [0], winnersMissing: false });
    // One game, one id: the host and both players recorded the same battle.
    expect(new Set([...demos.client, ...demos.host].map((d) => d.replay.header.gameId)).size).toBe(1);
  });

  it('list --json: the recorded demo and a damaged copy of it, each one record', async () => {
    const listDir = path.join(dataDir, 'list');
    await mkdir(path.join(listDir, 'replays'), { recursive: true });
    const good = demos.client[0]!;
    const bytes = await readFile(path.join(replaysDir, good.file));
    await writeFile(path.join(listDir, 'replays', good.file), bytes);
    const inflated = gunzipSync(bytes);
    await writeFile(path.join(listDir, 'replays', 'cut.sdfz'), gzipSync(inflated.subarray(0, inflated.length - 100)));
    const { code, stdout } = await runReplaysCli(['list', '--data-dir', listDir, '--json']);
    expect(code).toBe(0);
    const records = stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records).toEqual([
      { kind: 'replay', file: 'cut.sdfz', damaged: true, error: 'truncated', message: 'the demo is still being written or truncated' },
      {
        kind: 'replay', file: good.file, map: TEST_MAP_NAME, game: TEST_GAME_NAME, engine: '', startedAt: good.replay.startedAt, durationS: 2,
        players: [{ name: 'Alice', team: 0, allyTeam: 0 }, { name: 'Bob', team: 1, allyTeam: 1 }], winners: [0],
      },
    ]);
  });

  it('watch: spring-headless replays the recorded demo and exits 0', async () => {
    const { file } = demos.client[0]!;
    const result = await runReplaysCli(['watch', file, '--data-dir', dataDir, '--engine', '/usr/games/spring-headless', '--content', world.contentDir]);
    expect(result.code, result.stderr.slice(-2000)).toBe(0);
    expect(result.stderr).toContain(`replays: playing ${TEST_MAP_NAME} (${TEST_GAME_NAME})`);
    // Its throw-away write dir is gone, and watching wrote no new demo.
    expect(await readdir(path.join(dataDir, 'engine-runs'))).toEqual([]);
    expect((await readdir(replaysDir)).sort()).toEqual(demos.files);
  }, 60_000);
});
