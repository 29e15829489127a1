// Benchmark: queue → both players in game on the real engine through local play (embedded server, local autohost, two
// lobby cores), over several matches, minus the time spent before readying; each step as a median, with the engine's own
// start-up (spawn → listening, spawn → connected) measured in the same run as the floor.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TEST_GAME_NAME, TEST_MAP_NAME, writeTestContent } from '../../src-main/core/engine';
import { createLobbyApp, type CoreLobbyApp } from '../../src-main/core/lobby-app';
import { startLocalPlay } from '../../src-main/core/local-play';
import { startRealHost } from '../engine/real-host';
import { controlsOf } from '../support/server-controls';

async function until(probe: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const started = Date.now();
  while (!probe()) {
    if (Date.now() - started > timeoutMs) throw new Error(`bench: timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

const median = (xs: readonly number[]) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

/** Milliseconds after `queue` at which each step of one match was reached. */
interface MatchSteps {
  found: number;
  ready: number;
  autohostStarted: number;
  battleStart: number;
  connected: number;
  inGame: number;
}

export interface LocalPlayFigures {
  matches: number;
  queue_to_in_game_ms: number;
  queue_to_in_game_min_ms: number;
  queue_to_in_game_max_ms: number;
  queue_to_found_ms: number;
  queue_to_ready_ms: number;
  queue_to_autohost_started_ms: number;
  queue_to_battle_start_ms: number;
  queue_to_connected_ms: number;
  ready_to_in_game_ms: number;
  /** The floor: spring-dedicated alone, spawn → its first autohost packet (it listens), and a client spawn → joined. */
  bare_host_start_ms: number;
  bare_client_join_ms: number;
  bare_floor_ms: number;
}

/** spring-dedicated started bare, then spring-headless joining it bare: the engine's own start-up on this machine now. */
async function bareEngineStart(base: string, contentDir: string, headless: string, version: string): Promise<{ host: number; join: number }> {
  const hostStarted = performance.now();
  const host = await startRealHost(join(base, `bare-${randomUUID()}`), contentDir, {
    battleId: randomUUID(), engineVersion: version, gameName: TEST_GAME_NAME, mapName: TEST_MAP_NAME, startPosType: 'beforegame',
    allyTeams: [{ teams: [{ players: [{ userId: 'u1', name: 'alice', password: 'bench-pw' }] }] }],
  });
  const hostMs = performance.now() - hostStarted;
  const dir = join(base, `bare-client-${randomUUID()}`);
  const { mkdir, writeFile } = await import('node:fs/promises');
  await mkdir(join(dir, 'write'), { recursive: true });
  // As the runner does: without a CA bundle in $HOME/.spring the engine's downloader waits about 2 s to fetch one.
  await mkdir(join(dir, '.spring'), { recursive: true });
  await writeFile(join(dir, '.spring', 'cacert.pem'), '# placeholder\n');
  await writeFile(join(dir, 'script.txt'), `[GAME]\n{\n\tHostIP=127.0.0.1;\n\tHostPort=${host.port};\n\tMyPlayerName=alice;\n\tMyPasswd=bench-pw;\n\tIsHost=0;\n}\n`);
  await writeFile(join(dir, 'write', 'springsettings.cfg'), 'ROAM = 0\nTextureMemPoolSize = 0\n');
  const joinStarted = performance.now();
  const client = spawn(headless, ['--isolation-dir', contentDir, '--write-dir', join(dir, 'write'), join(dir, 'script.txt')], {
    env: { PATH: '/usr/bin:/bin', HOME: dir, SPRING_DATADIR: '/usr/share/games/spring' }, stdio: 'ignore',
  });
  await until(() => host.events.some((e) => e.type === 'player_joined'), 30_000, 'bare client to join');
  const joinMs = performance.now() - joinStarted;
  client.kill('SIGKILL');
  await new Promise((resolve) => client.once('exit', resolve));
  await host.stop();
  return { host: hostMs, join: joinMs };
}

export async function measureQueueToGame(matches = 10): Promise<LocalPlayFigures> {
  const base = mkdtempSync(join(tmpdir(), 'lobby-bench-local-'));
  const contentDir = join(base, 'content');
  await writeTestContent(contentDir, { gameOverFrame: 15 });
  const play = await startLocalPlay({ dataDir: join(base, 'play'), contentDirs: [contentDir], players: ['alice', 'bob'] });
  const controls = controlsOf(play.server); // before any battle, so it records every update
  const apps: CoreLobbyApp[] = [];
  const runs: MatchSteps[] = [];
  const bare: Array<{ host: number; join: number }> = [];
  // When the autohost answered each autohost/start: the fleet's host() resolves with the answer (timing only).
  const fleet = play.server.autohosts;
  const host = fleet.host.bind(fleet);
  let autohostStartedAt = 0;
  fleet.host = async (request) => {
    const answer = await host(request);
    autohostStartedAt = performance.now();
    return answer;
  };
  try {
    await until(() => fleet.connectedCount === 1, 10_000, 'autohost');
    for (const name of ['alice', 'bob']) {
      apps.push(createLobbyApp({
        serverUrl: play.baseUrl, getToken: () => play.tokens[name] ?? '', dataDir: join(base, name),
        engine: { registry: play.registry, contentDirs: [contentDir], binary: 'headless', runner: { tempBase: join(base, `${name}-runs`) } },
      }));
    }
    await until(() => apps.every((a) => a.snapshot().connection.phase === 'connected' && a.snapshot().matchmaking.playlists.length > 0), 10_000, 'connections');
    const engine = play.registry.engines.find((e) => e.binaries.headless !== undefined && e.binaries.dedicated !== undefined);
    if (!engine?.binaries.headless) throw new Error('bench: no spring-headless and spring-dedicated installed');
    let foundAt = 0;
    let readyAt = 0;
    let battleStartAt = 0;
    const readied = new Set<CoreLobbyApp>();
    for (const app of apps) {
      app.onPatch((patch) => {
        if (patch.slice === 'matchmaking' && patch.value.phase === 'found' && !readied.has(app)) {
          readied.add(app);
          foundAt ||= performance.now();
          void app.intents.ready().then(() => { readyAt = Math.max(readyAt, performance.now()); });
        }
        if (patch.slice === 'battle' && patch.value?.phase === 'launching') battleStartAt = Math.max(battleStartAt, performance.now());
      });
    }
    for (let match = 0; match < matches; match++) {
      // The floor, measured between matches so both see the same load.
      if (match % 3 === 0) bare.push(await bareEngineStart(base, contentDir, engine.binaries.headless, engine.version));
      foundAt = 0; readyAt = 0; battleStartAt = 0; autohostStartedAt = 0;
      readied.clear();
      const seen = controls.updates.length;
      const news = () => controls.updates.slice(seen);
      let connectedAt = 0;
      const queuedAt = performance.now();
      await Promise.all(apps.map((a) => a.intents.queue(['1v1'])));
      await until(() => {
        if (connectedAt === 0 && news().filter((u) => u.update.type === 'player_joined').length >= 2) connectedAt = performance.now();
        return news().some((u) => u.update.type === 'start');
      }, 30_000, 'the game to start');
      const inGameAt = performance.now();
      const battleId = news().find((u) => u.update.type === 'start')?.battleId;
      runs.push({
        found: foundAt - queuedAt, ready: readyAt - queuedAt, autohostStarted: autohostStartedAt - queuedAt,
        battleStart: battleStartAt - queuedAt, connected: (connectedAt || inGameAt) - queuedAt, inGame: inGameAt - queuedAt,
      });
      // The game over frame ends it in a moment; the next match starts once the server has let the battle go.
      await until(() => controls.updates.some((u) => u.battleId === battleId && u.update.type === 'engine_quit'), 60_000, 'the battle to end');
      await until(() => apps.every((a) => a.snapshot().engine.status === 'offline' && a.snapshot().matchmaking.phase === 'idle'), 60_000, 'engines to exit');
    }
  } finally {
    await Promise.all(apps.map((a) => a.close()));
    await play.close();
    rmSync(base, { recursive: true, force: true });
  }
  // Time before readying is the player's, not ours: here both ready at once, so it is found → last ready.
  const toGame = runs.map((r) => r.inGame - (r.ready - r.found));
  const steps = (pick: (r: MatchSteps) => number) => Math.round(median(runs.map(pick)));
  const hostMs = median(bare.map((b) => b.host));
  const joinMs = median(bare.map((b) => b.join));
  return {
    matches: runs.length,
    queue_to_in_game_ms: Math.round(median(toGame)),
    queue_to_in_game_min_ms: Math.round(Math.min(...toGame)),
    queue_to_in_game_max_ms: Math.round(Math.max(...toGame)),
    queue_to_found_ms: steps((r) => r.found),
    queue_to_ready_ms: steps((r) => r.ready),
    queue_to_autohost_started_ms: steps((r) => r.autohostStarted),
    queue_to_battle_start_ms: steps((r) => r.battleStart),
    queue_to_connected_ms: steps((r) => r.connected),
    ready_to_in_game_ms: steps((r) => r.inGame - r.ready),
    bare_host_start_ms: Math.round(hostMs),
    bare_client_join_ms: Math.round(joinMs),
    bare_floor_ms: Math.round(hostMs + joinMs),
  };
}
