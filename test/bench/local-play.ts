// Benchmark: queue → both players in game on the real engine through local play (embedded server, local autohost, two lobby cores), minus the time spent before readying.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeTestContent } from '../../src-main/core/engine';
import { createLobbyApp, type CoreLobbyApp } from '../../src-main/core/lobby-app';
import { startLocalPlay } from '../../src-main/core/local-play';
import { controlsOf } from '../support/server-controls';

async function until(probe: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const started = Date.now();
  while (!probe()) {
    if (Date.now() - started > timeoutMs) throw new Error(`bench: timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export async function measureQueueToGame(): Promise<{ queue_to_in_game_ms: number; queue_to_found_ms: number; ready_to_in_game_ms: number }> {
  const base = mkdtempSync(join(tmpdir(), 'lobby-bench-local-'));
  const contentDir = join(base, 'content');
  await writeTestContent(contentDir, { gameOverFrame: 60 });
  const play = await startLocalPlay({ dataDir: join(base, 'play'), contentDirs: [contentDir], players: ['alice', 'bob'] });
  controlsOf(play.server); // before any battle, so it records every update
  const apps: CoreLobbyApp[] = [];
  try {
    await until(() => play.server.autohosts.connectedCount === 1, 10_000, 'autohost');
    for (const name of ['alice', 'bob']) {
      apps.push(createLobbyApp({
        serverUrl: play.baseUrl, getToken: () => play.tokens[name] ?? '', dataDir: join(base, name),
        engine: { registry: play.registry, contentDirs: [contentDir], binary: 'headless', runner: { tempBase: base } },
      }));
    }
    await until(() => apps.every((a) => a.snapshot().connection.phase === 'connected' && a.snapshot().matchmaking.playlists.length > 0), 10_000, 'connections');
    let readyAt = 0;
    let foundAt = 0;
    for (const app of apps) {
      app.onPatch((patch) => {
        if (patch.slice === 'matchmaking' && patch.value.phase === 'found') {
          foundAt ||= performance.now();
          void app.intents.ready().then(() => { readyAt = Math.max(readyAt, performance.now()); });
        }
      });
    }
    const queuedAt = performance.now();
    await Promise.all(apps.map((a) => a.intents.queue(['1v1'])));
    await until(() => controlsOf(play.server).updates.filter((u) => u.update.type === 'player_joined').length >= 2, 30_000, 'both players in game');
    const inGameAt = performance.now();
    await until(() => apps.every((a) => a.snapshot().engine.status === 'offline' && a.snapshot().engine.exitCode !== null), 60_000, 'engines to exit');
    // Time before readying is the player's, not ours: here both ready at once, so it is just found → last ready.
    const waitBeforeReady = Math.max(0, readyAt - foundAt);
    return {
      queue_to_in_game_ms: Math.round(inGameAt - queuedAt - waitBeforeReady),
      queue_to_found_ms: Math.round(foundAt - queuedAt),
      ready_to_in_game_ms: Math.round(inGameAt - readyAt),
    };
  } finally {
    await Promise.all(apps.map((a) => a.close()));
    await play.close();
    rmSync(base, { recursive: true, force: true });
  }
}
