// Queue-ready on the real engine: a headless player with an empty data dir queues for a playlist whose game (a rapid
// package) and map (an .sd7 on the files API) exist only on the local content server; it downloads and verifies both
// with --rapid-master and --files-api, queues only then, and plays the battle the local autohost hosts on
// spring-dedicated with spring-headless.
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RapidClient } from '../../src-main/core/content';
import { TEST_MAP_NAME, writeTestContent } from '../../src-main/core/engine';
import { startLocalPlay, type LocalPlay } from '../../src-main/core/local-play';
import { createMemoryLogger } from '../../src-main/core/log';
import { spawnHeadless, type HeadlessProcess } from '../support/headless-process';
import { recordLog, recordSecrets } from '../support/secret-ledger';
import { packFolder, type RapidPackage } from '../support/rapid-packer';
import { pack7z } from '../support/seven-zip-pack';
import { contentWorld, expectInstalled, type ContentWorld } from '../content/fixtures';

/** The versions.gz name is the game's modinfo name, as Beyond All Reason's are: the engine knows the package by it. */
const GAME = 'Rapid Only Game';

async function until(what: string, probe: () => boolean, ms: number, clients: HeadlessProcess[] = []): Promise<void> {
  const t = Date.now();
  while (!probe()) {
    if (Date.now() - t > ms) throw new Error(`timed out waiting for ${what}\n${clients.map((c) => JSON.stringify(c.stdout.slice(-12)) + c.stderr.join('')).join('\n')}\n${logger.lines.slice(-30).join('\n')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

let base: string;
let content: ContentWorld;
let play: LocalPlay;
let pkg: RapidPackage;
const clients: HeadlessProcess[] = [];
const logger = createMemoryLogger('info');
beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'lobby-queue-ready-'));
  content = await contentWorld();
  const source = await writeTestContent(join(base, 'source'), { gameName: GAME, gameOverFrame: 120 });
  pkg = await packFolder(source.gamePath);
  content.server.publish('byar', 'byar:rapid', GAME, pkg);
  // The map as the files API serves Beyond All Reason's: an .sd7.
  await pack7z(source.mapPath, join(base, 'tachyon_test_map.sd7'), { solid: false });
  content.server.publishFile('map', TEST_MAP_NAME, 'tachyon_test_map.sd7', await readFile(join(base, 'tachyon_test_map.sd7')));
  // The host has the game (installed from the same server) and the map; the player has nothing.
  const host = join(base, 'host');
  await new RapidClient({ dataDir: host, master: content.server.masterUrl }).install('byar:rapid');
  const written = await writeTestContent(host, { format: 'sdz' });
  await rm(written.gamePath, { recursive: true, force: true });
  play = await startLocalPlay({ dataDir: join(base, 'play'), contentDirs: [host], players: ['alice'], logger, initialNetworkTimeoutSeconds: 15 });
  recordSecrets(...Object.values(play.tokens));
}, 60_000);
afterAll(async () => {
  for (const c of clients) {
    c.child.kill('SIGTERM');
    await c.exited;
    recordLog([...c.stdout, ...c.stderr]);
  }
  recordLog(logger.lines);
  await play?.close();
  await content?.dispose();
  rmSync(base, { recursive: true, force: true });
});

describe('queue-ready local play', () => {
  it('downloads the playlist\'s game and map from the content server into an empty data dir, then queues and plays on the real engine', async () => {
    expect(play.content).toMatchObject({ game: GAME, map: TEST_MAP_NAME, builtTestContent: false });
    await until('autohost connected', () => play.server.autohosts.connectedCount === 1, 10_000);
    const dataDir = join(base, 'alice');
    const alice = spawnHeadless(
      ['--server', play.baseUrl, '--json', '--queue', 'vs-ai', '--auto-ready', '--data-dir', dataDir, '--engine', '/usr/games/spring-headless',
        '--rapid-master', content.server.masterUrl, '--files-api', `${content.server.url}/find`],
      { TACHYON_TOKEN: play.tokens.alice ?? '' },
    );
    clients.push(alice);
    const records = () => alice.records();
    await until('engine exited and battle ended', () => records().some((l) => l.kind === 'engine' && l.status === 'offline' && l.exitCode === 0)
      && records().some((l) => l.kind === 'battle' && l.phase === 'ended'), 90_000, clients);
    const done = records().filter((l) => l.kind === 'download' && l.state === 'done');
    expect(done).toEqual(expect.arrayContaining([
      expect.objectContaining({ type: 'game', name: GAME, why: 'for playlist Versus AI', bytesDone: pkg.files.reduce((s, f) => s + f.size, 0) }),
      expect.objectContaining({ type: 'map', name: TEST_MAP_NAME, why: 'for playlist Versus AI' }),
    ]));
    expect(done).toHaveLength(2);
    expect(records().some((l) => l.kind === 'download' && l.state === 'failed')).toBe(false);
    // Queued only once both were there: the first matchmaking record after idle comes after the last download's end.
    const lines = records();
    const doneAt = lines.findLastIndex((l) => l.kind === 'download' && l.state === 'done');
    const queuedAt = lines.findIndex((l) => l.kind === 'matchmaking' && l.state !== 'idle');
    expect(doneAt).toBeGreaterThanOrEqual(0);
    expect(queuedAt).toBeGreaterThan(doneAt);
    expect(lines.filter((l) => l.kind === 'battle').map((l) => l.phase)).toEqual(['launching', 'running', 'ended']);
    expect(await expectInstalled(join(dataDir, 'content'), pkg)).toBe(true);
  }, 120_000);
});
