// The replay library on real files: the list's fields, the cache by file identity, damaged files, the bound, delete,
// the folder watched, and the lobby's replays intents (watch on a stand-in engine through the engine panel).
import { chmod, mkdir, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EngineRegistry } from '../../src-main/core/engine';
import { writeTestContent } from '../../src-main/core/engine/test-content';
import { createLobbyApp, type CoreLobbyApp } from '../../src-main/core/lobby-app';
import type { LobbyPatch } from '../../src-main/core/lobby/state';
import { IntentError } from '../../src-main/core/lobby/intents';
import { ReplayLibrary, isReplayName } from '../../src-main/core/replays';
import { PlayerEngine } from '../../src-main/core/player-engine';
import { silentLogger } from '../../src-main/core/log';
import type { ReplaysView } from '../../src-main/shared/replays-view';
import { buildDemo, gzipDemo, SAMPLE_SCRIPT } from './demo-builder';

let dir: string;
let replaysDir: string;
const libraries: ReplayLibrary[] = [];
const apps: CoreLobbyApp[] = [];

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'replay-library-'));
  replaysDir = path.join(dir, 'replays');
  await mkdir(replaysDir);
});
afterEach(async () => {
  for (const library of libraries.splice(0)) await library.close();
  for (const app of apps.splice(0)) await app.close();
  await rm(dir, { recursive: true, force: true });
});

const demoName = (n: number) => `20261201_1200${String(n).padStart(2, '0')}_Tiny Flat_2025.04.01.sdfz`;

async function writeDemo(name: string, bytes = gzipDemo(buildDemo({ engineVersion: '2025.04.01', gameTimeS: 754 }))): Promise<string> {
  const file = path.join(replaysDir, name);
  await writeFile(file, bytes);
  return file;
}

/** A library that records every list it publishes. */
function library(options: Partial<ConstructorParameters<typeof ReplayLibrary>[0]> = {}): { lib: ReplayLibrary; views: ReplaysView[] } {
  const views: ReplaysView[] = [];
  const lib = new ReplayLibrary({ dir: replaysDir, watch: false, publish: (view) => views.push(view), ...options });
  libraries.push(lib);
  return { lib, views };
}

describe('ReplayLibrary', () => {
  it('lists a demo with its date, map, game, engine, duration, teams, spectators and winner', async () => {
    await writeDemo(demoName(1));
    const { lib } = library();
    await lib.start();
    expect(lib.snapshot().scanning).toBe(false);
    expect(lib.snapshot().entries).toEqual([
      expect.objectContaining({
        file: demoName(1), status: 'ok', startedAt: '2026-12-01T12:06:34.000Z', map: 'Tiny Flat', game: 'Test Game 1.0', engine: '2025.04.01',
        durationS: 754, winners: [0], winnersMissing: false, spectators: ['Watcher'],
        teams: [{ allyTeam: 0, players: ['Alice'], bots: [] }, { allyTeam: 1, players: ['Bob'], bots: ['Bot1'] }],
      }),
    ]);
  });

  it('reads an unchanged file once, and again when its size or mtime changes', async () => {
    const file = await writeDemo(demoName(1));
    await writeDemo(demoName(2));
    const { lib, views } = library();
    await lib.start();
    expect(lib.parsed).toBe(2);
    await lib.refresh();
    await lib.refresh();
    expect(lib.parsed).toBe(2);
    // Nothing changed: nothing published either.
    expect(views).toHaveLength(1);
    await utimes(file, new Date(), new Date(Date.now() + 60_000));
    await lib.refresh();
    expect(lib.parsed).toBe(3);
    await writeDemo(demoName(2), gzipDemo(buildDemo({ engineVersion: '2025.04.01', gameTimeS: 99 })));
    await lib.refresh();
    expect(lib.parsed).toBe(4);
    expect(lib.entry(demoName(2))).toMatchObject({ durationS: 99 });
  });

  it('lists a damaged file as damaged, with its error in words, and keeps listing the rest', async () => {
    const whole = gzipDemo(buildDemo());
    await writeDemo(demoName(1));
    await writeDemo(demoName(2), whole.subarray(0, whole.length - 40));
    await writeDemo(demoName(3), Buffer.from('not a demo at all'));
    const { lib } = library();
    await lib.start();
    const [third, second, first] = lib.snapshot().entries;
    expect(third).toMatchObject({ file: demoName(3), status: 'damaged', code: 'not_a_demo' });
    expect(second).toMatchObject({ file: demoName(2), status: 'damaged', code: 'truncated' });
    expect(second?.status === 'damaged' && second.message).toMatch(/still being written or truncated/);
    expect(first).toMatchObject({ file: demoName(1), status: 'ok' });
  });

  it('fills a large folder in steps, newest first, and holds no more than its bound (nor caches more)', async () => {
    for (let n = 1; n <= 9; n++) await writeDemo(demoName(n));
    await writeFile(path.join(replaysDir, 'notes.txt'), 'not listed');
    const { lib, views } = library({ batch: 2, maxEntries: 7 });
    await lib.start();
    // Published after 2 reads, then 4 more, then the whole list.
    expect(views.map((v) => [v.scanning, v.entries.length])).toEqual([[true, 2], [true, 6], [false, 7]]);
    expect(lib.snapshot().entries.map((e) => e.file)).toEqual([9, 8, 7, 6, 5, 4, 3].map(demoName));
    expect(lib.parsed).toBe(7);
    await rm(path.join(replaysDir, demoName(9)));
    await lib.refresh();
    // The eighth newest is read now; the others come from the cache.
    expect(lib.snapshot().entries.map((e) => e.file)).toEqual([8, 7, 6, 5, 4, 3, 2].map(demoName));
    expect(lib.parsed).toBe(8);
  });

  it('moves a deleted demo out of the list into deleted/, never overwriting one of the same name', async () => {
    await writeDemo(demoName(1));
    await writeDemo(demoName(2));
    const { lib } = library();
    await lib.start();
    await lib.delete(demoName(2));
    expect(lib.snapshot().entries.map((e) => e.file)).toEqual([demoName(1)]);
    await writeDemo(demoName(2));
    await lib.refresh();
    await lib.delete(demoName(2));
    expect((await readdir(path.join(replaysDir, 'deleted'))).sort()).toEqual([demoName(2), demoName(2).replace('.sdfz', '-1.sdfz')].sort());
    expect(() => lib.pathOf('../outside.sdfz')).toThrow(/not in the list/);
    await expect(lib.delete(demoName(9))).rejects.toThrow(/not in the list/);
  });

  it('lists again when the folder changes (watched, debounced)', async () => {
    let resolveArrived: (view: ReplaysView) => void = () => {};
    const arrived = new Promise<ReplaysView>((resolve) => (resolveArrived = resolve));
    const { lib } = library({ watch: true, debounceMs: 20, publish: (view) => view.entries.length > 0 && resolveArrived(view) });
    await lib.start();
    expect(lib.snapshot().entries).toEqual([]);
    await writeDemo(demoName(1));
    expect((await arrived).entries[0]).toMatchObject({ file: demoName(1), status: 'ok' });
  });

  it('shares one more scan among the refreshes asked for during a scan', async () => {
    await writeDemo(demoName(1));
    const { lib } = library();
    await lib.start();
    const first = lib.refresh();
    const second = lib.refresh();
    const third = lib.refresh();
    expect(second).toBe(third);
    expect(first).not.toBe(second);
    await Promise.all([first, second, third]);
    expect(lib.parsed).toBe(1);
  });

  it('takes plain demo names only', () => {
    expect(isReplayName(demoName(1))).toBe(true);
    for (const bad of ['../x.sdfz', 'a/b.sdfz', '.hidden.sdfz', 'x.txt', 'x\0.sdfz']) expect(isReplayName(bad)).toBe(false);
  });
});

describe('the lobby app replays intents', () => {
  /** Stand-in spring-headless binaries, one per version, that say which they are and what they play (the last argument), and exit 0. */
  async function standInRegistry(...versions: string[]): Promise<EngineRegistry> {
    const engines = [];
    for (const version of versions) {
      const binary = path.join(dir, `spring-headless-${version}`);
      await writeFile(binary, `#!/bin/sh\nfor last; do :; done\necho "engine ${version} playing $last"\nexit 0\n`);
      await chmod(binary, 0o755);
      engines.push({ version, binaries: { headless: binary }, dataDir: path.join(dir, 'engine-data'), source: 'directory' as const });
    }
    return new EngineRegistry(engines);
  }

  async function lobby(registry: EngineRegistry, contentDir: string): Promise<{ app: CoreLobbyApp; patches: LobbyPatch[] }> {
    const app = createLobbyApp({
      serverUrl: 'http://127.0.0.1:9', getToken: () => 'unused', dataDir: dir, autoConnect: false, replaysDir,
      replays: { watch: false },
      engine: { registry, contentDirs: [contentDir], binary: 'headless', runner: { tempBase: path.join(dir, 'engine-runs') } },
    });
    apps.push(app);
    const patches: LobbyPatch[] = [];
    app.onPatch((patch) => patches.push(patch));
    await app.intents.refreshReplays();
    return { app, patches };
  }

  const scriptFor = (game: string, map: string) => SAMPLE_SCRIPT.replace('mapname=Tiny Flat;', `mapname=${map};`).replace('gametype=Test Game 1.0;', `gametype=${game};`);

  it('plays a listed demo in the engine panel (console, exit 0) with the engine of its version, and ends no battle', async () => {
    const content = await writeTestContent(path.join(dir, 'content'));
    await writeDemo(demoName(1), gzipDemo(buildDemo({ engineVersion: '106.0', script: scriptFor(content.gameName, content.mapName) })));
    const { app, patches } = await lobby(await standInRegistry('105.0', '106.0', '107.0'), content.dir);
    expect(app.snapshot().replays.entries).toHaveLength(1);
    const exited = new Promise<void>((resolve) => app.onPatch((patch) => {
      if (patch.slice === 'engine' && patch.value.status === 'offline' && patch.value.exitCode !== null) resolve();
    }));
    await app.intents.watchReplay(demoName(1));
    await exited;
    await expect.poll(() => app.snapshot().engine.console.join('\n')).toContain(`engine 106.0 playing ${path.join(replaysDir, demoName(1))}`);
    expect(app.snapshot().engine).toMatchObject({ status: 'offline', exitCode: 0 });
    expect(patches.some((p) => p.slice === 'battle')).toBe(false);
  });

  it('does not replace a running battle with a replay, and a replay that ends ends no battle', async () => {
    const content = await writeTestContent(path.join(dir, 'content'));
    // Plays a demo (exit 0) or, for a battle's script, runs until stopped.
    const binary = path.join(dir, 'spring-headless');
    await writeFile(binary, '#!/bin/sh\nfor last; do :; done\ncase "$last" in *.sdfz) echo "replay"; exit 0;; esac\nwhile :; do sleep 0.05; done\n');
    await chmod(binary, 0o755);
    const registry = new EngineRegistry([{ version: '106.0', binaries: { headless: binary }, dataDir: path.join(dir, 'engine-data'), source: 'directory' }]);
    const ended: (string | undefined)[] = [];
    const engine = new PlayerEngine(
      { registry, contentDirs: [content.dir], binary: 'headless', runner: { tempBase: path.join(dir, 'engine-runs'), stopGraceMs: 1_000 } },
      () => {}, (message) => ended.push(message), silentLogger,
    );
    try {
      const replay = { file: await writeDemo(demoName(1)), engineVersion: '106.0', game: content.gameName, map: content.mapName };
      await engine.watchReplay(replay);
      expect(await engine.runner.waitForExit()).toMatchObject({ code: 0 });
      expect(ended).toEqual([]);
      await engine.launch({
        username: 'Alice', password: 'pw-replay-test', ip: '127.0.0.1', port: 8452,
        engine: { version: '106.0' }, game: { springName: content.gameName }, map: { springName: content.mapName },
      });
      await expect(engine.watchReplay(replay)).rejects.toMatchObject({ code: 'invalid_input', message: expect.stringMatching(/battle is running/) });
      expect(engine.runner.status).not.toBe('offline');
    } finally {
      await engine.dispose();
    }
  });

  it('refuses a demo whose content is missing, a damaged one and one not listed, in words', async () => {
    const content = await writeTestContent(path.join(dir, 'content'));
    await writeDemo(demoName(1), gzipDemo(buildDemo({ engineVersion: '106.0', script: scriptFor(content.gameName, 'Missing Map') })));
    await writeDemo(demoName(2), Buffer.from('damaged'));
    const { app } = await lobby(await standInRegistry('106.0'), content.dir);
    await expect(app.intents.watchReplay(demoName(1))).rejects.toMatchObject({ code: 'not_available', message: expect.stringMatching(/Missing Map/) });
    await expect(app.intents.watchReplay(demoName(2))).rejects.toMatchObject({ code: 'invalid_input', message: expect.stringMatching(/damaged/) });
    await expect(app.intents.watchReplay('20990101_000000_x_1.sdfz')).rejects.toBeInstanceOf(IntentError);
    await app.intents.deleteReplay(demoName(2));
    expect(app.snapshot().replays.entries.map((e) => e.file)).toEqual([demoName(1)]);
    let opened = '';
    await app.intents.openReplaysFolder(async (folder) => void (opened = folder));
    expect(opened).toBe(replaysDir);
  });
});
