// Two `npm run content -- download` processes on one data dir, against the local content server: the second waits for
// the first's lock and finds the item installed (fetched once); the first killed, the second takes over and resumes
// the part by Range; a dead process's lock is taken over.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ContentWorld } from './fixtures';
import { contentWorld, expectInstalled, poolUrlPath, treeFiles } from './fixtures';
import { contentCli, deadPid } from './cli-run';

let world: ContentWorld;
beforeEach(async () => { world = await contentWorld(); });
afterEach(async () => { await world.dispose(); });

const MAP = 'Shared Map 1.0';
const MAP_FILE = 'shared_map_1.0.sd7';
const MAP_PATH = `/maps/${MAP_FILE}`;

function publishMap(bytes = 8 << 20): { data: Buffer; md5: string } {
  const data = randomBytes(bytes);
  const { md5 } = world.server.publishFile('map', MAP, MAP_FILE, data);
  return { data, md5 };
}

const mapArgs = (dir: string) => ['download', '--data-dir', dir, '--map', MAP, '--files-api', `${world.server.url}/find`, '--json'];

/** What the data dir holds besides the installed map: no part, lock or guard may be left. */
async function leftovers(dir: string): Promise<string[]> {
  return (await treeFiles(dir)).filter((f) => f !== `maps/${MAP_FILE}`);
}

describe('two processes, one data dir: a map', () => {
  it('the second waits for the first, then finds the map installed and verified: fetched once, both exit 0', async () => {
    const { data, md5 } = publishMap();
    const dir = world.dataDir();
    world.server.faults.held.add(MAP_PATH);
    const first = contentCli(mapArgs(dir));
    await world.server.waitHeld(MAP_PATH);
    const second = contentCli(mapArgs(dir));
    const waiting = JSON.parse(await second.line(/"phase":"waiting"/)) as Record<string, unknown>;
    expect(waiting).toMatchObject({ kind: 'progress', type: 'map', item: MAP, phase: 'waiting', bytesTotal: data.length });
    world.server.release(MAP_PATH);
    expect(await first.exited).toBe(0);
    expect(await second.exited).toBe(0);
    expect(first.records().at(-1)).toMatchObject({ kind: 'download', state: 'done', md5, bytes: data.length, fetched: true });
    expect(second.records().at(-1)).toMatchObject({ kind: 'download', state: 'done', md5, bytes: data.length, fetched: false });
    expect(world.server.requestsFor(MAP_PATH)).toEqual([{ method: 'GET', url: MAP_PATH }]);
    expect((await readFile(path.join(dir, 'maps', MAP_FILE))).equals(data)).toBe(true);
    expect(await leftovers(dir)).toEqual([]);
  });

  it('both started at once on a slow mirror: one fetches, the other waits; both exit 0', async () => {
    const { data, md5 } = publishMap(2 << 20);
    const dir = world.dataDir();
    world.server.faults.throttle.set(MAP_PATH, 64 << 10);
    const runs = [contentCli(mapArgs(dir)), contentCli(mapArgs(dir))];
    expect(await Promise.all(runs.map((r) => r.exited))).toEqual([0, 0]);
    const finals = runs.map((r) => r.records().at(-1)!);
    for (const final of finals) expect(final).toMatchObject({ state: 'done', md5, bytes: data.length });
    expect(finals.map((f) => f.fetched).sort()).toEqual([false, true]);
    expect(world.server.requestsFor(MAP_PATH)).toHaveLength(1);
    expect(await leftovers(dir)).toEqual([]);
  });

  it('the first killed mid-download: the second takes its lock over and resumes its part by Range', async () => {
    const { data, md5 } = publishMap();
    const dir = world.dataDir();
    world.server.faults.held.add(MAP_PATH);
    const first = contentCli(mapArgs(dir));
    await world.server.waitHeld(MAP_PATH);
    const half = Math.floor(data.length / 2);
    // Received (and, but for the last write batch of at most 1 MiB, written) before it is killed.
    await first.line(new RegExp(`"phase":"downloading","bytesDone":${half},`));
    const second = contentCli(mapArgs(dir));
    await second.line(/"phase":"waiting"/);
    world.server.faults.held.clear();
    first.kill('SIGKILL');
    await first.exited;
    expect(await second.exited).toBe(0);
    expect(second.records().at(-1)).toMatchObject({ state: 'done', md5, bytes: data.length, fetched: true });
    const requests = world.server.requestsFor(MAP_PATH);
    expect(requests).toHaveLength(2);
    expect(requests[0]!.range).toBeUndefined();
    const resumedAt = Number(/^bytes=(\d+)-$/.exec(requests[1]!.range ?? '')?.[1]);
    expect(resumedAt).toBeGreaterThanOrEqual(half - (1 << 20));
    expect(resumedAt).toBeLessThanOrEqual(half);
    expect(second.records().at(-1)!.networkBytes).toBeLessThan(data.length - resumedAt + 4096);
    expect((await readFile(path.join(dir, 'maps', MAP_FILE))).equals(data)).toBe(true);
    expect(await leftovers(dir)).toEqual([]);
  });

  it('a lock a dead process left is taken over, and its part resumed', async () => {
    const { data, md5 } = publishMap();
    const dir = world.dataDir();
    await mkdir(path.join(dir, 'maps'), { recursive: true });
    const lock = { pid: await deadPid(), host: os.hostname(), started: Date.now() - 60_000, token: 'a'.repeat(24) };
    await writeFile(path.join(dir, 'maps', `.${MAP_FILE}.lock`), `${JSON.stringify(lock)}\n`);
    const head = 3 << 20;
    await writeFile(path.join(dir, 'maps', `.${MAP_FILE}.part`), data.subarray(0, head));
    const run = contentCli(mapArgs(dir));
    expect(await run.exited).toBe(0);
    expect(run.records().at(-1)).toMatchObject({ state: 'done', md5, bytes: data.length, fetched: true });
    expect(world.server.requestsFor(MAP_PATH).map((r) => r.range)).toEqual([`bytes=${head}-`]);
    expect((await readFile(path.join(dir, 'maps', MAP_FILE))).equals(data)).toBe(true);
    expect(await leftovers(dir)).toEqual([]);
  });
});

describe('two processes, one data dir: a rapid package', () => {
  it('the second waits on the package lock and finds it whole: every pool file fetched once, both exit 0', async () => {
    const dir = world.dataDir();
    const held = poolUrlPath('byar', world.v1.files[0]!.md5);
    world.server.faults.held.add(held);
    const args = ['download', '--data-dir', dir, '--game', 'byar:test', '--rapid-master', world.server.masterUrl, '--json'];
    const first = contentCli(args);
    await world.server.waitHeld(held);
    const second = contentCli(args);
    expect(JSON.parse(await second.line(/"phase":"waiting"/))).toMatchObject({ kind: 'progress', type: 'game', item: 'byar:test', phase: 'waiting' });
    world.server.release(held);
    expect(await first.exited).toBe(0);
    expect(await second.exited).toBe(0);
    expect(first.records().at(-1)).toMatchObject({ state: 'done', md5: world.v1.md5, fetched: world.v1.pool.size });
    expect(second.records().at(-1)).toMatchObject({ state: 'done', md5: world.v1.md5, fetched: 0 });
    const requested = world.server.poolRequests();
    expect(requested).toHaveLength(world.v1.pool.size);
    expect(new Set(requested).size).toBe(world.v1.pool.size);
    expect(await expectInstalled(dir, world.v1)).toBe(true);
    expect(existsSync(path.join(dir, 'packages', `.${world.v1.md5}.lock`))).toBe(false);
  });
});
