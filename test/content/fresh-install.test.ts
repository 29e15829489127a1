// A fresh install, end to end: two players with empty data dirs — the lobby core (createLobbyApp, as the app runs it) and
// the headless client (a child process with --rapid-master and --files-api) — queue for local play's Duel, whose engine
// (a version no one has installed: an archive on the files API), game (a rapid package) and map (an .sd7 on the files
// API) exist only on the local content server. Each fetches and verifies all three, with progress, queues only then, is
// matched with the other, and plays the battle the local autohost hosts on the downloaded engines to its end.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentArchiveReaders, FilesClient, RapidClient } from '../../src-main/core/content';
import { EngineRegistry, TEST_MAP_NAME, writeTestContent } from '../../src-main/core/engine';
import { createLobbyApp, type CoreLobbyApp } from '../../src-main/core/lobby-app';
import type { LobbyPatch } from '../../src-main/core/lobby/state';
import { startLocalPlay, type LocalPlay } from '../../src-main/core/local-play';
import { createMemoryLogger } from '../../src-main/core/log';
import type { DownloadItemView } from '../../src-main/shared/downloads-view';
import { DEBIAN_DEDICATED, DEBIAN_HEADLESS, makeEngineArchive } from '../support/engine-archive';
import { spawnHeadless, type HeadlessProcess } from '../support/headless-process';
import { recordLog, recordSecrets } from '../support/secret-ledger';
import { pack7z } from '../support/seven-zip-pack';
import { contentWorld, GAME_NAME, type ContentWorld } from './fixtures';

/** A release version, not Debian's 106.0: only the files API has it, so both players must download it. */
const ENGINE = '2025.01.6';
const GAME = `${GAME_NAME} test-1`;

let base: string;
let content: ContentWorld;
let play: LocalPlay;
let app: CoreLobbyApp | undefined;
let bob: HeadlessProcess | undefined;
const logger = createMemoryLogger('info');
const appLogger = createMemoryLogger('info');

function diagnostics(): string {
  return [JSON.stringify(bob?.stdout.slice(-12)), bob?.stderr.join(''), logger.lines.slice(-20).join('\n'), appLogger.lines.slice(-20).join('\n')].join('\n');
}

async function until(what: string, probe: () => boolean, ms: number): Promise<void> {
  const started = Date.now();
  while (!probe()) {
    if (Date.now() - started > ms) throw new Error(`timed out waiting for ${what}\n${diagnostics()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

beforeAll(async () => {
  base = await mkdtemp(path.join(os.tmpdir(), 'fresh-install-'));
  content = await contentWorld();
  const filesApi = `${content.server.url}/find`;
  const source = await writeTestContent(path.join(base, 'source'));
  await pack7z(source.mapPath, path.join(base, 'tachyon_test_map.sd7'), { solid: false });
  content.server.publishFile('map', TEST_MAP_NAME, 'tachyon_test_map.sd7', await readFile(path.join(base, 'tachyon_test_map.sd7')));
  content.server.publishFile('engine_linux64', ENGINE, 'recoil_2025.01.6_amd64-linux.7z', (await makeEngineArchive(path.join(base, 'engine-work'))).archive);
  // The host installs all three from the same server (as a host operator would); the players start with nothing.
  const host = path.join(base, 'host');
  const files = new FilesClient({ dataDir: host, filesApi });
  await Promise.all([
    files.installEngine(ENGINE),
    files.installMap(TEST_MAP_NAME),
    new RapidClient({ dataDir: host, master: content.server.masterUrl }).install('byar:test'),
  ]);
  play = await startLocalPlay({
    dataDir: path.join(base, 'play'), contentDirs: [host], engines: { downloadDataDirs: [host], includeSystem: false }, archiveReaders: contentArchiveReaders,
    players: ['alice', 'bob'], logger, initialNetworkTimeoutSeconds: 15,
  });
  recordSecrets(...Object.values(play.tokens));
}, 120_000);

afterAll(async () => {
  if (bob) {
    bob.child.kill('SIGTERM');
    await bob.exited;
    recordLog([...bob.stdout, ...bob.stderr]);
  }
  await app?.close();
  recordLog(logger.lines);
  recordLog(appLogger.lines);
  await play?.close();
  await content?.dispose();
  await rm(base, { recursive: true, force: true });
});

describe.skipIf(!existsSync(DEBIAN_DEDICATED) || !existsSync(DEBIAN_HEADLESS))('a fresh install (Debian spring 106 repacked as a release)', () => {
  it('the app core and the headless client, both from empty data dirs, fetch engine, game and map, queue only then, and play a Duel', async () => {
    expect(play.content).toMatchObject({ game: GAME, map: TEST_MAP_NAME, builtTestContent: false });
    expect(play.registry.engines.map((e) => e.version)).toEqual([ENGINE]);
    expect(play.server.autohosts.connectedCount).toBe(1);
    const filesApi = `${content.server.url}/find`;

    // Alice: the lobby core, as the app composes it, with nothing installed and no system engine.
    const aliceDir = path.join(base, 'alice');
    const aliceContent = path.join(aliceDir, 'content');
    const patches: LobbyPatch[] = [];
    app = createLobbyApp({
      serverUrl: play.baseUrl, getToken: () => play.tokens.alice ?? '', dataDir: aliceDir, logger: appLogger,
      engine: { registry: new EngineRegistry([]), contentDirs: [aliceContent], binary: 'headless', runner: { tempBase: path.join(aliceDir, 'runs') } },
      content: { dir: aliceContent, rapidMaster: content.server.masterUrl, filesApi, manager: { throttleMs: 0 } },
    });
    const alice = app;
    alice.onPatch((patch) => {
      patches.push(patch);
      if (patch.slice === 'matchmaking' && patch.value.phase === 'found') void alice.intents.ready().catch(() => undefined);
    });
    // Bob: the headless client, no --engine (Debian's 106.0 is found and does not fit), no display.
    const bobDir = path.join(base, 'bob');
    bob = spawnHeadless(
      ['--server', play.baseUrl, '--json', '--queue', '1v1', '--auto-ready', '--data-dir', bobDir, '--rapid-master', content.server.masterUrl, '--files-api', filesApi],
      { TACHYON_TOKEN: play.tokens.bob ?? '', DISPLAY: '', WAYLAND_DISPLAY: '' },
    );
    await until('alice connected with playlists', () => alice.snapshot().connection.phase === 'connected' && alice.snapshot().matchmaking.playlists.length === 2, 20_000);
    await alice.intents.queue(['1v1']);

    const bobRecords = () => bob!.records();
    await until('both battles ended', () => alice.snapshot().battle?.phase === 'ended'
      && bobRecords().some((l) => l.kind === 'engine' && l.status === 'offline' && l.exitCode === 0)
      && bobRecords().some((l) => l.kind === 'battle' && l.phase === 'ended'), 120_000);

    // Alice: every item went through downloading with bytes counted, ended verified and whole, and only then was she queued.
    const downloadPatches = patches.flatMap((p) => (p.slice === 'downloads' ? [p.value.items] : []));
    const seen = (kind: string, test: (i: DownloadItemView) => boolean) => downloadPatches.some((items) => items.some((i) => i.kind === kind && test(i)));
    for (const kind of ['engine', 'game', 'map']) {
      expect(seen(kind, (i) => i.state === 'downloading'), kind).toBe(true);
      expect(seen(kind, (i) => i.state !== 'done' && i.bytesDone > 0 && i.bytesTotal !== null), `${kind} progress`).toBe(true);
    }
    const aliceItems = alice.snapshot().downloads.items;
    expect(aliceItems.map((i) => `${i.kind} ${i.name} ${i.state}`).sort()).toEqual([`engine ${ENGINE} done`, `game ${GAME} done`, `map ${TEST_MAP_NAME} done`]);
    expect(aliceItems.every((i) => i.reasons.join() === 'for playlist Duel' && i.bytesTotal !== null && i.bytesDone === i.bytesTotal)).toBe(true);
    const allDoneAt = patches.findIndex((p) => p.slice === 'downloads' && p.value.items.length === 3 && p.value.items.every((i) => i.state === 'done'));
    const queuedAt = patches.findIndex((p) => p.slice === 'matchmaking' && p.value.phase !== 'idle');
    expect(allDoneAt).toBeGreaterThanOrEqual(0);
    expect(queuedAt).toBeGreaterThan(allDoneAt);
    const battlePhases = patches.flatMap((p) => (p.slice === 'battle' && p.value ? [p.value.phase] : []));
    expect([...new Set(battlePhases)]).toEqual(['launching', 'running', 'ended']);
    expect(alice.snapshot().battle).toMatchObject({ engine: ENGINE, game: GAME, map: TEST_MAP_NAME });

    // Bob: a download record per state change, each of the three downloading then done, then queued, matched and played.
    const lines = bobRecords();
    const downloads = lines.filter((l) => l.kind === 'download');
    for (const type of ['engine', 'game', 'map']) {
      const states = downloads.filter((l) => l.type === type).map((l) => l.state);
      expect(states, type).toContain('downloading');
      expect(states.at(-1), type).toBe('done');
    }
    expect(downloads.filter((l) => l.state === 'done')).toEqual(expect.arrayContaining([
      expect.objectContaining({ type: 'engine', name: ENGINE, why: 'for playlist Duel' }),
      expect.objectContaining({ type: 'game', name: GAME, why: 'for playlist Duel', bytesDone: content.v1.files.reduce((s, f) => s + f.size, 0) }),
      expect.objectContaining({ type: 'map', name: TEST_MAP_NAME, why: 'for playlist Duel' }),
    ]));
    const doneAt = lines.findLastIndex((l) => l.kind === 'download' && l.state === 'done');
    const bobQueuedAt = lines.findIndex((l) => l.kind === 'matchmaking' && l.state !== 'idle');
    expect(bobQueuedAt).toBeGreaterThan(doneAt);
    expect(lines.filter((l) => l.kind === 'matchmaking').map((l) => l.state)).toEqual(expect.arrayContaining(['found', 'battle']));
    expect(lines.filter((l) => l.kind === 'battle').map((l) => l.phase)).toEqual(['launching', 'running', 'ended']);
    expect(lines.find((l) => l.kind === 'battle')).toMatchObject({ engine: ENGINE, game: GAME, map: TEST_MAP_NAME });
    // The engines that played are the downloaded ones, in each player's own data dir.
    expect(existsSync(path.join(aliceContent, 'engine', ENGINE, 'spring-headless'))).toBe(true);
    expect(existsSync(path.join(bobDir, 'content', 'engine', ENGINE, 'spring-headless'))).toBe(true);
  }, 180_000);
});
