// Benchmark: battle/start → engine spawned and → player in game on the real engine, against a bare spawn of the same binary in the same run.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EngineRegistry, TEST_GAME_NAME, TEST_MAP_NAME, writeTestContent } from '../../src-main/core/engine';
import { TachyonServer } from '../../src-main/core/server/tachyon-server';
import { createLobbyApp } from '../../src-main/core/lobby-app';
import { startRealHost } from '../engine/real-host';
import { controlsOf } from '../support/server-controls';

async function until(probe: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const started = Date.now();
  while (!probe()) {
    if (Date.now() - started > timeoutMs) throw new Error(`bench: timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

async function bareSpawnMs(binary: string): Promise<number> {
  const started = process.hrtime.bigint();
  const child = spawn(binary, ['--version'], { stdio: 'ignore' });
  await new Promise((resolve) => child.once('spawn', resolve));
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  await new Promise((resolve) => child.once('exit', resolve));
  return ms;
}

export interface BattleFigures {
  battle_start_to_spawn_ms: number;
  bare_spawn_ms: number;
  spawn_ratio: number;
  battle_start_to_in_game_ms: number;
}

export async function measureBattleStart(rounds = 8): Promise<BattleFigures> {
  const base = mkdtempSync(join(tmpdir(), 'lobby-bench-battle-'));
  const server = new TachyonServer({ rateLimit: null });
  await server.listen(0);
  const registry = await EngineRegistry.discover();
  const engine = registry.engines[0];
  if (!engine?.binaries.headless) throw new Error('bench: no spring-headless installed');
  const contentDir = join(base, 'content');
  await writeTestContent(contentDir, { gameOverFrame: 45 });
  const { userId, token } = server.addPlayer('alice');
  const app = createLobbyApp({
    serverUrl: server.baseUrl, getToken: () => token, dataDir: join(base, 'data'),
    engine: { registry, contentDirs: [contentDir], binary: 'headless', runner: { tempBase: base } },
  });
  const spawnTimes: number[] = [];
  const inGameTimes: number[] = [];
  const bare: number[] = [];
  try {
    await until(() => app.snapshot().connection.phase === 'connected', 10_000, 'connection');
    for (let round = 0; round < rounds; round++) {
      const host = await startRealHost(join(base, `host${round}`), contentDir, {
        battleId: randomUUID(), engineVersion: engine.version, gameName: TEST_GAME_NAME, mapName: TEST_MAP_NAME, startPosType: 'fixed',
        allyTeams: [{ teams: [{ players: [{ userId, name: 'alice', password: 'bench-pw' }] }] }],
      });
      // The bare spawn right before the battle/start, with the host up: both under the same load.
      bare.push(await bareSpawnMs(engine.binaries.headless));
      let spawnedAt = 0;
      const off = app.onPatch((patch) => {
        // The engine slice carries a pid once the process has spawned (`starting` comes first, before any work).
        if (patch.slice === 'engine' && patch.value.pid !== null && spawnedAt === 0) spawnedAt = performance.now();
      });
      const sentAt = performance.now();
      const answer = controlsOf(server).request(userId, 'battle/start', {
        username: 'alice', password: 'bench-pw', ip: '127.0.0.1', port: host.port,
        engine: { version: engine.version }, game: { springName: TEST_GAME_NAME }, map: { springName: TEST_MAP_NAME },
      });
      await until(() => spawnedAt > 0, 10_000, 'engine spawn');
      bare.push(await bareSpawnMs(engine.binaries.headless)); // and right after, while the engine loads
      const response = await answer;
      if (response.status !== 'success') throw new Error(`bench: battle/start failed: ${response.reason}`);
      await until(() => host.events.some((e) => e.type === 'player_joined'), 30_000, 'player in game');
      const inGameAt = performance.now();
      spawnTimes.push(spawnedAt - sentAt);
      inGameTimes.push(inGameAt - sentAt);
      off();
      await until(() => app.snapshot().engine.status === 'offline', 30_000, 'engine exit');
      await host.stop();
    }
  } finally {
    await app.close();
    await server.close();
    rmSync(base, { recursive: true, force: true });
  }
  const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
  const spawnMs = median(spawnTimes);
  const bareMs = median(bare);
  return {
    battle_start_to_spawn_ms: Number(spawnMs.toFixed(1)),
    bare_spawn_ms: Number(bareMs.toFixed(1)),
    spawn_ratio: Number((spawnMs / bareMs).toFixed(2)),
    battle_start_to_in_game_ms: Math.round(median(inGameTimes)),
  };
}
