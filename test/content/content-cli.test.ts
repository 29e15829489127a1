// `npm run content -- download …` as a child process against the local content server.
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TEST_MAP_NAME, writeTestContent } from '../../src-main/core/engine/test-content';
import type { EngineArchive } from '../support/engine-archive';
import { DEBIAN_HEADLESS, makeEngineArchive } from '../support/engine-archive';
import { pack7z } from '../support/seven-zip-pack';
import { contentCli, type CliRun } from './cli-run';
import type { ContentWorld } from './fixtures';
import { contentWorld, expectInstalled, GAME_NAME, poolUrlPath, treeFiles } from './fixtures';

let world: ContentWorld;
beforeEach(async () => { world = await contentWorld(); });
afterEach(async () => { await world.dispose(); });

const content = contentCli;
const records = (run: CliRun) => run.records();

describe('npm run content -- download', () => {
  it('installs a tag, prints a progress record a second and a final record, and exits 0', async () => {
    const dir = world.dataDir();
    const held = poolUrlPath('byar', world.v1.files[0]!.md5);
    world.server.faults.held.add(held);
    const run = content(['download', '--data-dir', dir, '--game', 'byar:test', '--rapid-master', world.server.masterUrl, '--json']);
    await world.server.waitHeld(held);
    const progress = JSON.parse(await run.line(/"kind":"progress"/)) as Record<string, unknown>;
    expect(progress).toMatchObject({ kind: 'progress', item: 'byar:test', phase: 'pool', filesTotal: 3 });
    expect(typeof progress.bytesPerSecond).toBe('number');
    world.server.release(held);
    expect(await run.exited).toBe(0);
    const done = records(run).at(-1)!;
    expect(done).toMatchObject({ kind: 'download', item: 'byar:test', state: 'done', name: `${GAME_NAME} test-1`, md5: world.v1.md5, files: 3, fetched: 3 });
    expect(done.bytes).toBe(world.v1.files.reduce((s, f) => s + f.size, 0));
    expect(await expectInstalled(dir, world.v1)).toBe(true);
  });

  it('exits 1 when any item is not installed, and still installs the others', async () => {
    const dir = world.dataDir();
    const run = content(['download', '--data-dir', dir, '--game', 'byar:nope', '--game', 'rapid://byar:test', '--rapid-master', world.server.masterUrl, '--json']);
    expect(await run.exited).toBe(1);
    const finals = records(run).filter((r) => r.kind === 'download');
    expect(finals).toEqual([
      expect.objectContaining({ item: 'byar:nope', state: 'failed', error: 'unknown_package' }),
      expect.objectContaining({ item: 'rapid://byar:test', state: 'done' }),
    ]);
    expect(await expectInstalled(dir, world.v1)).toBe(true);
  });

  it('a damaged pool file: a failed record naming it, exit 1; human lines without --json', async () => {
    const dir = world.dataDir();
    world.server.faults.tampered.add(world.v1.files[1]!.md5);
    const run = content(['download', '--data-dir', dir, '--game', 'byar:test', '--rapid-master', world.server.masterUrl]);
    expect(await run.exited).toBe(1);
    expect(run.lines.at(-1)).toMatch(/^byar:test: failed: pool file [0-9a-f]{32} does not match its MD5/);
  });

  it('bad usage exits 64', async () => {
    for (const args of [['download'], ['fetch', '--game', 'x'], ['download', '--game', 'x', '--bogus'], ['download', '--game', 'x', '--concurrency', '0']]) {
      const run = content(args);
      expect(await run.exited, args.join(' ')).toBe(64);
      expect(run.stderr.join('')).toContain('usage:');
    }
    const ftp = content(['download', '--game', 'x', '--rapid-master', 'ftp://127.0.0.1/repos.gz']);
    expect(await ftp.exited).toBe(64);
    expect(ftp.stderr.join('')).toContain('plain http(s) address');
  });
});

describe('npm run content -- download, killed and interrupted', () => {
  it('SIGKILLed mid-file: no package; the rerun clears its temp file and fetches only what is missing', async () => {
    const dir = world.dataDir();
    const held = world.v1.files[2]!.md5;
    world.server.faults.held.add(poolUrlPath('byar', held));
    const args = ['download', '--data-dir', dir, '--game', 'byar:test', '--rapid-master', world.server.masterUrl, '--json', '--concurrency', '1'];
    const first = content(args);
    await world.server.waitHeld(poolUrlPath('byar', held));
    first.kill('SIGKILL');
    await first.exited;
    const left = await treeFiles(dir);
    // No package (its lock, which names the dead process, is taken over by the rerun).
    expect(left.filter((f) => f.startsWith('packages/'))).toEqual([`packages/.${world.v1.md5}.lock`]);
    expect(left.filter((f) => f.endsWith('.part'))).toHaveLength(1);
    world.server.faults.held.clear();
    const before = world.server.poolRequests().length;
    const second = content(args);
    expect(await second.exited).toBe(0);
    expect(world.server.poolRequests().slice(before)).toEqual([`${held.slice(0, 2)}/${held.slice(2)}.gz`]);
    expect((await treeFiles(dir)).filter((f) => f.endsWith('.part') || f.endsWith('.lock'))).toEqual([]);
    expect(await expectInstalled(dir, world.v1)).toBe(true);
  });

  it('SIGINT cancels: a cancelled record and exit 1', async () => {
    const dir = world.dataDir();
    const held = poolUrlPath('byar', world.v1.files[0]!.md5);
    world.server.faults.held.add(held);
    const run = content(['download', '--data-dir', dir, '--game', 'byar:test', '--rapid-master', world.server.masterUrl, '--json']);
    await world.server.waitHeld(held);
    run.kill('SIGINT');
    expect(await run.exited).toBe(1);
    expect(records(run).at(-1)).toMatchObject({ kind: 'download', item: 'byar:test', state: 'cancelled', error: 'aborted' });
    expect((await treeFiles(dir)).filter((f) => f.startsWith('packages/') || f.endsWith('.part'))).toEqual([]);
  });
});

describe.skipIf(!existsSync(DEBIAN_HEADLESS))('npm run content -- download --map --engine', () => {
  let work: string;
  let map: Buffer;
  let engine: EngineArchive;
  const mapFile = 'tachyon_test_map_1.0.sd7';
  const engineFile = 'recoil_106.0_amd64-linux.7z';

  beforeAll(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), 'content-cli-files-'));
    const source = await writeTestContent(path.join(work, 'source'));
    await pack7z(source.mapPath, path.join(work, mapFile), { solid: false });
    map = await readFile(path.join(work, mapFile));
    engine = await makeEngineArchive(work);
  }, 120_000);
  afterAll(async () => { await rm(work, { recursive: true, force: true }); });

  it('installs a game, a map and an engine in one run: progress records, a verified final record each, exit 0', async () => {
    world.server.publishFile('map', TEST_MAP_NAME, mapFile, map);
    world.server.publishFile('engine_linux64', '106.0', engineFile, engine.archive);
    const held = `/maps/${mapFile}`;
    world.server.faults.held.add(held);
    const dir = world.dataDir();
    const run = content([
      'download', '--data-dir', dir, '--game', 'byar:test', '--map', TEST_MAP_NAME, '--engine', '106.0',
      '--rapid-master', world.server.masterUrl, '--files-api', `${world.server.url}/find`, '--json',
    ]);
    await world.server.waitHeld(held);
    // The record printed once the held half has arrived (an earlier tick may show resolving, or 0 bytes).
    const half = Math.floor(map.length / 2);
    const progress = JSON.parse(await run.line(new RegExp(`"kind":"progress","type":"map".*"bytesDone":${half},`))) as Record<string, unknown>;
    expect(progress).toMatchObject({ item: TEST_MAP_NAME, phase: 'downloading', bytesDone: half, bytesTotal: map.length });
    expect(progress.networkBytes).toBeGreaterThanOrEqual(half);
    world.server.release(held);
    expect(await run.exited).toBe(0);
    const finals = records(run).filter((r) => r.kind === 'download');
    expect(finals).toEqual([
      expect.objectContaining({ type: 'game', item: 'byar:test', state: 'done' }),
      expect.objectContaining({ type: 'map', item: TEST_MAP_NAME, state: 'done', filename: mapFile, bytes: map.length, fetched: true }),
      expect.objectContaining({ type: 'engine', item: '106.0', state: 'done', version: '106.0', bytes: engine.archive.length, files: engine.files.length, fetched: true }),
    ]);
    expect((await readFile(path.join(dir, 'maps', mapFile))).equals(map)).toBe(true);
    expect((await stat(path.join(dir, 'engine', '106.0', 'spring-headless'))).mode & 0o111).toBe(0o111);
    expect((await readdir(dir)).sort()).toEqual(['engine', 'maps', 'packages', 'pool', 'rapid']);
    expect(await readdir(path.join(dir, 'engine'))).toEqual(['106.0']);
  });

  it('a map whose MD5 does not match: a failed record saying so, nothing left, exit 1; the engine still installs', async () => {
    world.server.publishFile('map', TEST_MAP_NAME, mapFile, map);
    world.server.publishFile('engine_linux64', '106.0', engineFile, engine.archive);
    world.server.faults.wrongMd5.add(TEST_MAP_NAME);
    const dir = world.dataDir();
    const run = content(['download', '--data-dir', dir, '--map', TEST_MAP_NAME, '--engine', '106.0', '--engine', '999.0', '--files-api', `${world.server.url}/find`, '--json']);
    expect(await run.exited).toBe(1);
    expect(records(run).filter((r) => r.kind === 'download')).toEqual([
      expect.objectContaining({ type: 'map', state: 'failed', error: 'corrupt', message: `map ${mapFile} does not match its MD5 (the damaged download was deleted)` }),
      expect.objectContaining({ type: 'engine', item: '106.0', state: 'done' }),
      expect.objectContaining({ type: 'engine', item: '999.0', state: 'failed', error: 'unknown_item', message: 'the files API knows no engine "999.0" for engine_linux64' }),
    ]);
    expect(await readdir(path.join(dir, 'maps'))).toEqual([]);
  });

  it('bad usage exits 64: nothing asked for, a files API that is not http(s), a version that is a path', async () => {
    for (const args of [['download', '--data-dir', world.dataDir()], ['download', '--map', 'x', '--files-api', 'ftp://127.0.0.1/find']]) {
      const run = content(args);
      expect(await run.exited, args.join(' ')).toBe(64);
    }
    const run = content(['download', '--data-dir', world.dataDir(), '--engine', '../x', '--files-api', `${world.server.url}/find`, '--json']);
    expect(await run.exited).toBe(1);
    expect(records(run).at(-1)).toMatchObject({ type: 'engine', state: 'failed', error: 'bad_request' });
  });
});
