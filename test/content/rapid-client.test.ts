// The rapid client against the local content server: install, resume, deltas, single-flight, cancel, and every fault switch.
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RapidProgress } from '../../src-main/core/content';
import { RapidClient, RapidError } from '../../src-main/core/content';
import { packFiles } from '../support/rapid-packer';
import type { ContentWorld } from './fixtures';
import { contentWorld, expectInstalled, GAME_NAME, poolPaths, poolUrlPath, treeFiles } from './fixtures';

let world: ContentWorld;
beforeEach(async () => { world = await contentWorld(); });
afterEach(async () => { await world.dispose(); });

function client(dataDir: string, concurrency?: number): RapidClient {
  return new RapidClient({ dataDir, master: world.server.masterUrl, retryDelayMs: 0, ...(concurrency ? { concurrency } : {}) });
}

async function failure(promise: Promise<unknown>): Promise<RapidError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(RapidError);
  return error as RapidError;
}

describe('installing a rapid package', () => {
  it('resolves a tag into the engine layout, byte for byte as served, with the versions index last', async () => {
    const dir = world.dataDir();
    const events: RapidProgress[] = [];
    const result = await client(dir).install('byar:test', { onProgress: (p) => events.push(p) });
    expect(result).toMatchObject({ request: 'byar:test', repo: 'byar', tag: 'byar:test', name: `${GAME_NAME} test-1`, md5: world.v1.md5, files: 3, fetched: 3, unresolvedDepends: [] });
    expect(result.sdpPath).toBe(path.join(dir, 'packages', `${world.v1.md5}.sdp`));
    expect(await expectInstalled(dir, world.v1)).toBe(true);
    const host = `127.0.0.1-${world.server.port}`;
    expect(await treeFiles(dir)).toEqual([`packages/${world.v1.md5}.sdp`, ...poolPaths(world.v1), `rapid/${host}/byar/versions.gz`, `rapid/${host}/byar/versions.gz.etag`, `rapid/${host}/repos.gz`].sort());
    expect(zlib.gunzipSync(await readFile(path.join(dir, 'rapid', host, 'byar', 'versions.gz'))).toString()).toBe(world.server.versionsText('byar'));
    const last = events.at(-1)!;
    expect(last).toMatchObject({ phase: 'done', filesDone: 3, filesTotal: 3, bytesDone: result.bytes, bytesTotal: result.bytes });
    const pool = events.filter((e) => e.phase === 'pool');
    expect(pool.at(-1)).toMatchObject({ filesDone: 3, filesTotal: 3, bytesTotal: world.v1.files.reduce((s, f) => s + f.size, 0) });
    expect(pool.at(-1)!.bytesDone).toBe(pool.at(-1)!.bytesTotal);
    expect(last.networkBytes).toBeGreaterThan(0);
    // Index first, then the sdp, then the pool: the order of a plain-GET rapid client.
    const urls = world.server.requests.map((r) => r.url);
    expect(urls.slice(0, 3)).toEqual(['/repos.gz', '/byar/versions.gz', `/byar/packages/${world.v1.md5}.sdp`]);
    expect(world.server.poolRequests().sort()).toEqual(poolPaths(world.v1).map((p) => p.slice('pool/'.length)));
  });

  it('takes rapid:// and the full name too, and a second install fetches nothing but the indexes', async () => {
    const dir = world.dataDir();
    await client(dir).install('rapid://byar:test');
    const before = world.server.requests.length;
    const again = await client(dir).install(`${GAME_NAME} test-1`);
    expect(again).toMatchObject({ md5: world.v1.md5, fetched: 0 });
    expect(world.server.requests.slice(before).map((r) => r.url)).toEqual(['/repos.gz', '/byar/versions.gz']);
  });

  it('asks for versions.gz with the ETag of the copy it holds: a 304 reuses it, a changed one is fetched', async () => {
    const dir = world.dataDir();
    await client(dir).install('byar:test');
    const versions = () => world.server.requests.filter((r) => r.url === '/byar/versions.gz');
    expect(versions()[0]!.ifNoneMatch).toBeUndefined();
    const again = await client(dir).install('byar:test');
    expect(again).toMatchObject({ md5: world.v1.md5, fetched: 0 });
    const etag = versions()[1]!.ifNoneMatch;
    expect(etag).toMatch(/^"[0-9a-f]{32}"$/);
    world.server.publish('byar', 'byar:test', `${GAME_NAME} test-2`, world.v2);
    const changedFiles = [...world.v2.pool.keys()].filter((md5) => !world.v1.pool.has(md5)).length;
    expect(await client(dir).install('byar:test')).toMatchObject({ md5: world.v2.md5, fetched: changedFiles });
    expect(versions()[2]!.ifNoneMatch).toBe(etag);
    // The new copy's ETag is sent next time.
    await client(dir).install('byar:test');
    expect(versions()[3]!.ifNoneMatch).not.toBe(etag);
    const host = `127.0.0.1-${world.server.port}`;
    expect(zlib.gunzipSync(await readFile(path.join(dir, 'rapid', host, 'byar', 'versions.gz'))).toString()).toBe(world.server.versionsText('byar'));
  });

  it('an unknown tag, an empty request and * are clean errors that install nothing', async () => {
    const dir = world.dataDir();
    expect((await failure(client(dir).install('byar:nope'))).code).toBe('unknown_package');
    expect((await failure(client(dir).install(''))).code).toBe('bad_request');
    expect((await failure(client(dir).install('rapid://*'))).code).toBe('bad_request');
    expect((await treeFiles(dir)).filter((f) => !f.startsWith('rapid/'))).toEqual([]);
  });

  it('a new version under the same tag fetches only the files that changed', async () => {
    const dir = world.dataDir();
    await client(dir).install('byar:test');
    world.server.publish('byar', 'byar:test', `${GAME_NAME} test-2`, world.v2);
    const before = world.server.poolRequests().length;
    const result = await client(dir).install('byar:test');
    // The second version differs in its modinfo.lua (its name) and LuaRules/main.lua (its game-over frame).
    const changed = [...world.v2.pool.keys()].filter((md5) => !world.v1.pool.has(md5));
    expect(changed).toHaveLength(2);
    expect(result).toMatchObject({ md5: world.v2.md5, name: `${GAME_NAME} test-2`, fetched: 2 });
    expect([...world.server.poolRequests().slice(before)].sort()).toEqual(changed.map((md5) => `${md5.slice(0, 2)}/${md5.slice(2)}.gz`).sort());
    expect(await expectInstalled(dir, world.v1)).toBe(true);
    expect(await expectInstalled(dir, world.v2)).toBe(true);
    const host = `127.0.0.1-${world.server.port}`;
    expect(zlib.gunzipSync(await readFile(path.join(dir, 'rapid', host, 'byar', 'versions.gz'))).toString()).toContain(`byar:test,${world.v2.md5},,`);
  });
});

describe('dependencies', () => {
  it('installs what a package depends on first, and names the dependencies rapid does not know', async () => {
    const dir = world.dataDir();
    world.server.publish('byar', 'byar:base', 'Base Content', world.v1);
    world.server.publish('byar', 'byar:mod', 'Mod Content', world.v2, ['Base Content', 'Spring Cursors']);
    const result = await client(dir).install('byar:mod');
    expect(result).toMatchObject({ md5: world.v2.md5, unresolvedDepends: ['Spring Cursors'] });
    expect(result.depends.map((d) => [d.name, d.md5])).toEqual([['Base Content', world.v1.md5]]);
    expect(await expectInstalled(dir, world.v1)).toBe(true);
    expect(await expectInstalled(dir, world.v2)).toBe(true);
    // The shared files once: every file of the base, then only those of the mod that differ.
    const modOnly = [...world.v2.pool.keys()].filter((md5) => !world.v1.pool.has(md5)).length;
    expect(world.server.poolRequests()).toHaveLength(world.v1.pool.size + modOnly);
  });
});

describe('faults: a clear error, no half-installed package, and a retry that fetches only what is missing', () => {
  type Faults = ContentWorld['server']['faults'];
  const cases: Array<{ title: string; code: string; set: (f: Faults, md5: string) => void; clear: (f: Faults) => void }> = [
    // A repository without a streamer, as production's: a pool GET's 404 then stands (the client asks the streamer once).
    {
      title: 'a pool file missing (404)', code: 'not_found', clear: (f) => f.status.clear(),
      set: (f, md5) => { f.status.set(poolUrlPath('byar', md5), 404); f.status.set('/byar/streamer.cgi', 404); },
    },
    { title: 'a pool file failing (500)', code: 'http_error', set: (f, md5) => f.status.set(poolUrlPath('byar', md5), 500), clear: (f) => f.status.clear() },
    { title: 'a tampered pool file (wrong MD5)', code: 'corrupt', set: (f, md5) => f.tampered.add(md5), clear: (f) => f.tampered.clear() },
    { title: 'a pool file that is not gzip', code: 'corrupt', set: (f, md5) => f.garbled.add(md5), clear: (f) => f.garbled.clear() },
    { title: 'a pool file cut mid-stream', code: 'network', set: (f, md5) => f.cut.set(poolUrlPath('byar', md5), 20), clear: (f) => f.cut.clear() },
  ];

  for (const c of cases) {
    it(c.title, async () => {
      const dir = world.dataDir();
      const bad = world.v1.files[1]!.md5;
      c.set(world.server.faults, bad);
      const error = await failure(client(dir, 1).install('byar:test'));
      expect(error.code).toBe(c.code);
      expect(error.message).toContain(bad);
      const files = await treeFiles(dir);
      expect(files.filter((f) => f.startsWith('packages/'))).toEqual([]);
      expect(files.filter((f) => f.endsWith('.part'))).toEqual([]);
      expect(files).not.toContain(`pool/${bad.slice(0, 2)}/${bad.slice(2)}.gz`);
      // The file before it (sdp order, one at a time) was verified and kept.
      const good = world.v1.files[0]!.md5;
      expect(files).toContain(`pool/${good.slice(0, 2)}/${good.slice(2)}.gz`);
      c.clear(world.server.faults);
      const before = world.server.poolRequests().length;
      const result = await client(dir, 1).install('byar:test');
      expect(world.server.poolRequests().slice(before)).not.toContain(`${good.slice(0, 2)}/${good.slice(2)}.gz`);
      expect(result.fetched).toBe(2);
      expect(await expectInstalled(dir, world.v1)).toBe(true);
    });
  }

  it('a server that fails on the way is asked again (twice at most); a 404 or a bad file is not', async () => {
    const dir = world.dataDir();
    const [a, b, c] = world.v1.files.map((f) => poolUrlPath('byar', f.md5)) as [string, string, string];
    world.server.faults.flaky.set('/byar/versions.gz', 1);
    world.server.faults.flaky.set(a, 2);
    const result = await client(dir, 1).install('byar:test');
    expect(result.fetched).toBe(3);
    const count = (p: string) => world.server.requests.filter((r) => r.url === p).length;
    expect([count('/byar/versions.gz'), count(a)]).toEqual([2, 3]);
    expect(await expectInstalled(dir, world.v1)).toBe(true);

    const other = world.dataDir();
    world.server.faults.status.set(b, 500);
    world.server.faults.tampered.add(world.v1.files[2]!.md5);
    expect((await failure(client(other, 1).install('byar:test'))).code).toBe('http_error');
    expect(count(b)).toBe(1 + 3);
    world.server.faults.status.set(b, 404);
    world.server.faults.status.set('/byar/streamer.cgi', 404);
    expect((await failure(client(other, 1).install('byar:test'))).code).toBe('not_found');
    expect(count(b)).toBe(1 + 3 + 1);
    world.server.faults.status.clear();
    expect((await failure(client(other, 1).install('byar:test'))).code).toBe('corrupt');
    expect(count(c)).toBe(1 + 1);
  });

  it('a server that stops sending mid-file fails the request after the idle time, and the file is not kept', async () => {
    const dir = world.dataDir();
    const held = world.v1.files[0]!.md5;
    world.server.faults.held.add(poolUrlPath('byar', held));
    const stalled = new RapidClient({ dataDir: dir, master: world.server.masterUrl, idleMs: 200, retries: 0 });
    const error = await failure(stalled.install('byar:test'));
    expect(error.code).toBe('network');
    expect((await treeFiles(dir)).filter((f) => f.startsWith('packages/') || f.endsWith('.part') || f.includes(held.slice(2)))).toEqual([]);
  });

  it('the master list or versions.gz failing, or the package index missing', async () => {
    const dir = world.dataDir();
    world.server.faults.status.set('/repos.gz', 500);
    expect((await failure(client(dir).install('byar:test'))).code).toBe('http_error');
    world.server.faults.status.clear();
    world.server.faults.status.set('/byar/versions.gz', 404);
    expect((await failure(client(dir).install('byar:test'))).code).toBe('not_found');
    world.server.faults.status.clear();
    world.server.faults.cut.set(`/byar/packages/${world.v1.md5}.sdp`, 10);
    expect((await failure(client(dir).install('byar:test'))).code).toBe('network');
    expect((await treeFiles(dir)).filter((f) => !f.startsWith('rapid/'))).toEqual([]);
  });
});

describe('cancel, resume and single-flight', () => {
  it('a cancel stops the download, leaves no package and no temp file, and the resume fetches only the rest', async () => {
    const dir = world.dataDir();
    const held = world.v1.files[2]!.md5;
    world.server.faults.held.add(poolUrlPath('byar', held));
    const controller = new AbortController();
    const install = client(dir, 1).install('byar:test', { signal: controller.signal });
    await world.server.waitHeld(poolUrlPath('byar', held));
    controller.abort();
    expect((await failure(install)).code).toBe('aborted');
    const files = await treeFiles(dir);
    expect(files.filter((f) => f.startsWith('packages/') || f.endsWith('.part'))).toEqual([]);
    expect(files.filter((f) => f.startsWith('pool/'))).toHaveLength(2);
    world.server.faults.held.clear();
    const before = world.server.poolRequests().length;
    const result = await client(dir, 1).install('byar:test');
    expect(result.fetched).toBe(1);
    expect(world.server.poolRequests().slice(before)).toEqual([`${held.slice(0, 2)}/${held.slice(2)}.gz`]);
    expect(await expectInstalled(dir, world.v1)).toBe(true);
  });

  it('asked three times at once, one download: each file fetched once; one caller cancelling leaves the others', async () => {
    const dir = world.dataDir();
    const held = world.v1.files[0]!.md5;
    world.server.faults.held.add(poolUrlPath('byar', held));
    const rapid = client(dir);
    const quitter = new AbortController();
    const seen: RapidProgress[] = [];
    const a = rapid.install('byar:test', { onProgress: (p) => seen.push(p) });
    const b = rapid.install('rapid://byar:test', { signal: quitter.signal });
    const c = rapid.install('byar:test');
    await world.server.waitHeld(poolUrlPath('byar', held));
    quitter.abort();
    expect((await failure(b)).code).toBe('aborted');
    world.server.release(poolUrlPath('byar', held));
    const [ra, rc] = await Promise.all([a, c]);
    expect(ra).toEqual(rc);
    expect(ra.fetched).toBe(3);
    expect(seen.at(-1)!.phase).toBe('done');
    expect(world.server.requests.filter((r) => r.url.endsWith('.sdp'))).toHaveLength(1);
    expect(world.server.poolRequests().sort()).toEqual(poolPaths(world.v1).map((p) => p.slice('pool/'.length)));
    expect(await expectInstalled(dir, world.v1)).toBe(true);
  });

  it('the same package by tag and by name at once is installed once; every caller cancelling ends it', async () => {
    const dir = world.dataDir();
    const rapid = client(dir);
    const [x, y] = await Promise.all([rapid.install('byar:test'), rapid.install(`${GAME_NAME} test-1`)]);
    expect(x.fetched + y.fetched).toBe(3);
    expect(world.server.poolRequests()).toHaveLength(3);

    const other = world.dataDir();
    const held = world.v1.files[0]!.md5;
    world.server.faults.held.add(poolUrlPath('byar', held));
    const both = new AbortController();
    const second = client(other);
    const p = second.install('byar:test', { signal: both.signal });
    const q = second.install('byar:test', { signal: both.signal });
    await world.server.waitHeld(poolUrlPath('byar', held));
    both.abort();
    expect((await failure(p)).code).toBe('aborted');
    expect((await failure(q)).code).toBe('aborted');
    // The shared download itself ends (its held request is dropped), so a new one starts afresh.
    world.server.faults.held.clear();
    expect((await second.install('byar:test')).md5).toBe(world.v1.md5);
  });

  it('two packages installed at once fetch the files they share once', async () => {
    const dir = world.dataDir();
    world.server.publish('byar', 'byar:next', `${GAME_NAME} test-2`, world.v2);
    const shared = [...world.v1.pool.keys()].filter((md5) => world.v2.pool.has(md5));
    expect(shared.length).toBeGreaterThan(0);
    // Held, so the second package asks for them while the first is fetching them.
    for (const md5 of shared) world.server.faults.held.add(poolUrlPath('byar', md5));
    const rapid = client(dir);
    const both = Promise.all([rapid.install('byar:test'), rapid.install('byar:next')]);
    for (const md5 of shared) await world.server.waitHeld(poolUrlPath('byar', md5));
    for (const md5 of shared) world.server.release(poolUrlPath('byar', md5));
    const [a, b] = await both;
    expect(a.md5).not.toBe(b.md5);
    const requested = world.server.poolRequests();
    const distinct = new Set([...world.v1.pool.keys(), ...world.v2.pool.keys()]).size;
    expect(requested).toHaveLength(distinct);
    expect(new Set(requested).size).toBe(distinct);
    expect(await expectInstalled(dir, world.v1)).toBe(true);
    expect(await expectInstalled(dir, world.v2)).toBe(true);
  });

  it('progress counts bytes and files as a slow body arrives, with a network speed', async () => {
    const dir = world.dataDir();
    // Incompressible, so the gzip is as large as the file and arrives in many pieces.
    const big = packFiles(new Map([['big.bin', randomBytes(256 * 1024)], ['small.lua', Buffer.from('-- small')]]));
    world.server.publish('byar', 'byar:big', 'Big', big);
    const bigFile = big.files.find((f) => f.name === 'big.bin')!;
    world.server.faults.trickle.set(poolUrlPath('byar', bigFile.md5), 8192);
    const events: RapidProgress[] = [];
    await client(dir, 1).install('byar:big', { onProgress: (p) => events.push(p) });
    const pool = events.filter((e) => e.phase === 'pool');
    const total = bigFile.size + big.files.find((f) => f.name === 'small.lua')!.size;
    expect(pool.at(-1)).toMatchObject({ filesDone: 2, filesTotal: 2, bytesDone: total, bytesTotal: total });
    // Part of a file counts before the file is whole.
    const partial = new Set(pool.filter((e) => e.filesDone === 0 && e.bytesDone > 0).map((e) => e.bytesDone));
    expect(partial.size).toBeGreaterThanOrEqual(2);
    for (let i = 1; i < pool.length; i++) expect(pool[i]!.bytesDone).toBeGreaterThanOrEqual(pool[i - 1]!.bytesDone);
    for (let i = 1; i < events.length; i++) expect(events[i]!.networkBytes).toBeGreaterThanOrEqual(events[i - 1]!.networkBytes);
    expect(events.at(-1)!.networkBytes).toBeGreaterThan(256 * 1024);
    expect(events.some((e) => e.bytesPerSecond > 0)).toBe(true);
  });
});
