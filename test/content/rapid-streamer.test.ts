// Rapid's streamer against the local content server: a repository whose pool answers no GET is installed through
// `POST streamer.cgi` byte for byte as the plain GETs install it, asking only for what is missing; a bad file, a cut
// answer, a lying frame length, a missing frame and a cancel each fail cleanly and leave no half-installed package.
import { createHash, randomBytes } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RapidClientOptions, RapidProgress } from '../../src-main/core/content';
import { RapidClient, RapidError, streamerBits } from '../../src-main/core/content';
import type { LoggedRequest } from '../support/content-server';
import type { RapidPackage } from '../support/rapid-packer';
import { packFiles } from '../support/rapid-packer';
import type { ContentWorld } from './fixtures';
import { contentWorld, expectInstalled, treeFiles } from './fixtures';

const STREAMER = '/byar/streamer.cgi';

let world: ContentWorld;
/** 24 files: most incompressible and larger than a socket read (frames span reads), two pairs of equal content, one empty. */
let big: RapidPackage;
beforeEach(async () => {
  world = await contentWorld();
  const files = new Map<string, Buffer>();
  for (let i = 0; i < 20; i++) files.set(`data/file-${String(i).padStart(2, '0')}.bin`, randomBytes(20_000 + i * 9_000));
  files.set('copies/a.txt', Buffer.from('the same bytes twice\n'));
  files.set('copies/b.txt', Buffer.from('the same bytes twice\n'));
  files.set('empty.txt', Buffer.alloc(0));
  files.set('modinfo.lua', Buffer.from('return { name = "Big Test", shortname = "BT", version = "1" }\n'));
  big = packFiles(files);
  world.server.publish('byar', 'byar:big', 'Big Test 1', big);
});
afterEach(async () => { await world.dispose(); });

function client(dataDir: string, options: Partial<RapidClientOptions> = {}): RapidClient {
  return new RapidClient({ dataDir, master: world.server.masterUrl, retryDelayMs: 0, ...options });
}

async function failure(promise: Promise<unknown>): Promise<RapidError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(RapidError);
  return error as RapidError;
}

/** The entries a full streamer request names: each distinct content's first entry, in sdp order. */
const firsts = (pkg: RapidPackage): number[] => [...new Set(pkg.files.map((f) => f.md5))].map((md5) => pkg.files.findIndex((f) => f.md5 === md5));

const posts = (): LoggedRequest[] => world.server.requests.filter((r) => r.method === 'POST');

/** Each installed file under packages/ and pool/, with its bytes. */
async function installedBytes(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const file of await treeFiles(dir)) {
    if (file.startsWith('packages/') || file.startsWith('pool/')) out.set(file, createHash('md5').update(await readFile(path.join(dir, file))).digest('hex'));
  }
  return out;
}

/** The package's entries (their indexes, in sdp order) whose pool file is not in `dir`: what a streamer request must name. */
async function missingIndexes(dir: string, pkg: RapidPackage): Promise<number[]> {
  const present = new Set(await treeFiles(dir));
  const seen = new Set<string>();
  const out: number[] = [];
  pkg.files.forEach((f, i) => {
    if (seen.has(f.md5)) return;
    seen.add(f.md5);
    if (!present.has(`pool/${f.md5.slice(0, 2)}/${f.md5.slice(2)}.gz`)) out.push(i);
  });
  return out;
}

/** No package, no temp file, and every pool file there is byte for byte the server's. */
async function nothingHalfInstalled(dir: string, pkg: RapidPackage): Promise<void> {
  const files = await treeFiles(dir);
  expect(files.filter((f) => f.startsWith('packages/') || f.endsWith('.part'))).toEqual([]);
  for (const file of files.filter((f) => f.startsWith('pool/'))) {
    const md5 = file.slice('pool/'.length).replace('/', '').replace(/\.gz$/, '');
    expect((await readFile(path.join(dir, file))).equals(pkg.pool.get(md5)!)).toBe(true);
  }
}

describe('a repository that serves its pool only through the streamer', () => {
  for (const status of [404, 405, 501]) {
    it(`pool GETs answered ${status}: installed through the streamer, byte for byte as the plain GETs install it`, async () => {
      const plain = world.dataDir();
      await client(plain).install('byar:big');
      expect(posts()).toEqual([]);

      world.server.faults.streamerOnly.set('byar', status);
      const dir = world.dataDir();
      const events: RapidProgress[] = [];
      const streaming = client(dir);
      const result = await streaming.install('byar:big', { onProgress: (p) => events.push(p) });
      expect(result).toMatchObject({ md5: big.md5, files: big.files.length, fetched: big.pool.size });
      expect(await expectInstalled(dir, big)).toBe(true);
      expect(await installedBytes(dir)).toEqual(await installedBytes(plain));
      // One POST, for every distinct file: each content's first entry in sdp order.
      const [post] = posts();
      expect(posts()).toHaveLength(1);
      expect(post!.url).toBe(`${STREAMER}?${big.md5}`);
      expect(post!.streamerFiles).toEqual(firsts(big));
      expect(post!.streamerFiles).not.toContain(big.files.findIndex((f) => f.name === 'copies/b.txt'));
      expect(post!.streamerBits).toBe(streamerBits(big.files.length, firsts(big)).toString('hex'));
      expect(post!.streamerBits).toHaveLength(2 * (Math.floor(big.files.length / 8) + 1));
      // Progress as the GET path reports it: network bytes, and content bytes up to the whole.
      const pool = events.filter((e) => e.phase === 'pool');
      const contentBytes = [...new Set(big.files.map((f) => f.md5))].reduce((sum, md5) => sum + big.files.find((f) => f.md5 === md5)!.size, 0);
      expect(pool.at(-1)).toMatchObject({ filesDone: big.pool.size, filesTotal: big.pool.size, bytesDone: contentBytes, bytesTotal: contentBytes });
      expect(events.at(-1)!.networkBytes).toBeGreaterThan([...big.pool.values()].reduce((sum, gz) => sum + gz.length, 0));

      // The client remembers: the next package from this repository goes straight to the streamer.
      const getsBefore = world.server.poolRequests().length;
      await streaming.install('byar:test');
      expect(world.server.poolRequests().length).toBe(getsBefore);
      expect(posts()).toHaveLength(2);
      expect(await expectInstalled(dir, world.v1)).toBe(true);
    });
  }

  it('asks only for the files missing, and sends nothing when none are', async () => {
    const dir = world.dataDir();
    world.server.faults.streamerOnly.set('byar', 404);
    const streamer = (options: Partial<RapidClientOptions> = {}) => client(dir, { transport: 'streamer', ...options });
    await streamer().install('byar:test');
    expect(posts().map((p) => p.streamerFiles)).toEqual([[0, 1, 2]]);
    expect(posts()[0]!.streamerBits).toBe('07');
    expect(world.server.poolRequests()).toEqual([]);

    // A second version sharing files: only the changed ones are asked for.
    world.server.publish('byar', 'byar:test', 'Tachyon Test Game test-2', world.v2);
    const changed = world.v2.files.map((f, i) => (world.v1.pool.has(f.md5) ? -1 : i)).filter((i) => i >= 0);
    expect(changed.length).toBeGreaterThan(0);
    expect(changed.length).toBeLessThan(world.v2.files.length);
    await streamer().install('byar:test');
    expect(posts()[1]!.streamerFiles).toEqual(changed);
    expect(await expectInstalled(dir, world.v2)).toBe(true);

    // Files lost from the pool are asked for again, and only they.
    await streamer().install('byar:big');
    const lost = [big.files[3]!, big.files[17]!];
    for (const f of lost) await rm(path.join(dir, 'pool', f.md5.slice(0, 2), `${f.md5.slice(2)}.gz`));
    await streamer().install('byar:big');
    expect(posts().at(-1)!.streamerFiles).toEqual([3, 17]);
    expect(await expectInstalled(dir, big)).toBe(true);

    // Everything there: no empty selection is sent.
    const count = posts().length;
    expect(await streamer().install('byar:big')).toMatchObject({ fetched: 0 });
    expect(posts()).toHaveLength(count);
  });

  it('a GET repository without a streamer keeps the GET error for a missing file, after one refused POST', async () => {
    const dir = world.dataDir();
    const bad = big.files[5]!.md5;
    world.server.faults.status.set(`/byar/pool/${bad.slice(0, 2)}/${bad.slice(2)}.gz`, 404);
    world.server.faults.status.set(STREAMER, 404);
    const error = await failure(client(dir).install('byar:big'));
    expect(error.code).toBe('not_found');
    expect(error.message).toBe(`pool file ${bad} is not on the server (HTTP 404)`);
    expect(posts()).toHaveLength(1);
    await nothingHalfInstalled(dir, big);
    // Not remembered as a streamer repository: with the file back, plain GETs finish the install.
    world.server.faults.status.clear();
    await client(dir).install('byar:big');
    expect(posts()).toHaveLength(1);
    expect(await expectInstalled(dir, big)).toBe(true);
  });
});

describe('a streamer answer that is not right: a clear error, nothing half-installed, a retry that asks only for the rest', () => {
  beforeEach(() => { world.server.faults.streamerOnly.set('byar', 404); });

  it('a tampered file names the file; the files before it stay', async () => {
    const dir = world.dataDir();
    const bad = big.files[9]!;
    world.server.faults.tampered.add(bad.md5);
    // One file being written at a time: everything after the bad file is not written.
    const error = await failure(client(dir, { transport: 'streamer', concurrency: 1 }).install('byar:big'));
    expect(error.code).toBe('corrupt');
    expect(error.message).toBe(`pool file ${bad.md5} (${bad.name}) does not match its MD5 (the server sent a damaged file)`);
    await nothingHalfInstalled(dir, big);
    expect(await missingIndexes(dir, big)).toEqual(firsts(big).filter((i) => i >= 9));

    world.server.faults.tampered.clear();
    const missing = await missingIndexes(dir, big);
    const result = await client(dir).install('byar:big');
    expect(result.fetched).toBe(missing.length);
    expect(posts().at(-1)!.streamerFiles).toEqual(missing);
    expect(await expectInstalled(dir, big)).toBe(true);
  });

  it('a body cut mid-frame fails as cut short; the retries ask for the rest, and a later run finishes it', async () => {
    const dir = world.dataDir();
    // Inside the fourth frame.
    const frames = firsts(big).slice(0, 3).reduce((sum, i) => sum + 4 + big.pool.get(big.files[i]!.md5)!.length, 0);
    world.server.faults.cut.set(STREAMER, frames + 4 + 1000);
    const error = await failure(client(dir, { retries: 0 }).install('byar:big'));
    expect(error.code).toBe('network');
    // Cut short or broken, as the socket's close reaches the client first.
    expect(error.message).toMatch(new RegExp(`^the streamer's answer for package ${big.md5}( was cut short|: the connection broke)$`));
    await nothingHalfInstalled(dir, big);
    expect(await missingIndexes(dir, big)).toEqual(firsts(big).slice(3));

    // With retries, each attempt asks for what is still missing (the cut stays, so each gets a few files further).
    const before = posts().length;
    const missing = await missingIndexes(dir, big);
    const retried = await failure(client(dir, { retries: 2 }).install('byar:big'));
    expect(retried.code).toBe('network');
    const attempts = posts().slice(before);
    expect(attempts).toHaveLength(3);
    expect(attempts[0]!.streamerFiles).toEqual(missing);
    for (let i = 1; i < attempts.length; i++) {
      expect(attempts[i]!.streamerFiles!.length).toBeLessThan(attempts[i - 1]!.streamerFiles!.length);
      expect(attempts[i - 1]!.streamerFiles!.slice(-attempts[i]!.streamerFiles!.length)).toEqual(attempts[i]!.streamerFiles);
    }
    await nothingHalfInstalled(dir, big);

    world.server.faults.cut.clear();
    const rest = await missingIndexes(dir, big);
    await client(dir).install('byar:big');
    expect(posts().at(-1)!.streamerFiles).toEqual(rest);
    expect(await expectInstalled(dir, big)).toBe(true);
  });

  it('a frame length past the end of the answer is refused before its bytes are read', async () => {
    const dir = world.dataDir();
    const liar = big.files[2]!;
    world.server.faults.frameLength.set(liar.md5, 0x7fff_ffff);
    const error = await failure(client(dir, { transport: 'streamer' }).install('byar:big'));
    expect(error.code).toBe('bad_index');
    expect(error.message).toContain(`the streamer's answer for package ${big.md5} is not what rapid sends`);
    expect(error.message).toContain(`pool file ${liar.md5} (${liar.name})`);
    await nothingHalfInstalled(dir, big);
    expect((await missingIndexes(dir, big))[0]).toBe(2);
  });

  it('a frame length a little too long or too short spoils that file, which is not kept', async () => {
    for (const delta of [3, -3]) {
      const dir = world.dataDir();
      const liar = big.files[4]!;
      world.server.faults.frameLength.set(liar.md5, big.pool.get(liar.md5)!.length + delta);
      const error = await failure(client(dir, { transport: 'streamer', retries: 0 }).install('byar:big'));
      expect(['corrupt', 'bad_index']).toContain(error.code);
      expect(error.message).toMatch(/pool file [0-9a-f]{32} \(/);
      await nothingHalfInstalled(dir, big);
      expect(await missingIndexes(dir, big)).toContain(4);
    }
  });

  it('an answer with fewer frames than files asked for, or an empty one, is refused', async () => {
    // A frame left out in the middle: the next file's bytes are taken for it, and do not match.
    const skipped = big.files[6]!;
    world.server.faults.unstreamed.add(skipped.md5);
    const wrong = await failure(client(world.dataDir(), { transport: 'streamer' }).install('byar:big'));
    expect(wrong.code).toBe('corrupt');
    expect(wrong.message).toContain(`pool file ${skipped.md5} (${skipped.name})`);
    world.server.faults.unstreamed.clear();

    const dir = world.dataDir();
    world.server.faults.unstreamed.add(big.files.at(-1)!.md5);
    const error = await failure(client(dir, { transport: 'streamer' }).install('byar:big'));
    expect(error.code).toBe('bad_index');
    expect(error.message).toBe(`the streamer's answer for package ${big.md5} is not what rapid sends: it holds ${big.pool.size - 1} of the ${big.pool.size} files asked for`);
    await nothingHalfInstalled(dir, big);

    world.server.faults.unstreamed.clear();
    world.server.faults.replace.set(STREAMER, Buffer.alloc(0));
    const empty = await failure(client(world.dataDir(), { transport: 'streamer' }).install('byar:big'));
    expect(empty.message).toBe(`the streamer's answer for package ${big.md5} is not what rapid sends: it holds 0 of the ${big.pool.size} files asked for`);
  });
});

describe('two packages at once', () => {
  it('a file both need is fetched once: the second package waits for it and asks only for its own', async () => {
    world.server.faults.streamerOnly.set('byar', 404);
    world.server.publish('byar', 'byar:next', 'Tachyon Test Game test-2', world.v2);
    const shared = world.v2.files.filter((f) => world.v1.pool.has(f.md5));
    expect(shared.length).toBeGreaterThan(0);
    world.server.faults.held.add(STREAMER);
    const dir = world.dataDir();
    const streaming = client(dir, { transport: 'streamer' });
    const first = streaming.install('byar:test');
    await world.server.waitHeld(STREAMER);
    world.server.faults.held.clear();
    // The first package's answer is half sent: its files are claimed, and the second asks only for the others.
    const second = streaming.install('byar:next');
    const own = world.v2.files.map((f, i) => (world.v1.pool.has(f.md5) ? -1 : i)).filter((i) => i >= 0);
    await world.server.waitRequests(STREAMER, 2);
    world.server.release(STREAMER);
    await Promise.all([first, second]);
    expect(posts().map((p) => p.streamerFiles)).toEqual([[0, 1, 2], own]);
    expect(await expectInstalled(dir, world.v1)).toBe(true);
    expect(await expectInstalled(dir, world.v2)).toBe(true);
  });
});

describe('cancel', () => {
  it('a cancel mid-stream stops it, keeps only whole verified files, and the next run asks for the rest', async () => {
    world.server.faults.streamerOnly.set('byar', 404);
    world.server.faults.held.add(STREAMER);
    const dir = world.dataDir();
    const controller = new AbortController();
    const install = client(dir, { transport: 'streamer' }).install('byar:big', { signal: controller.signal });
    await world.server.waitHeld(STREAMER);
    controller.abort();
    expect((await failure(install)).code).toBe('aborted');
    await nothingHalfInstalled(dir, big);
    const missing = await missingIndexes(dir, big);
    expect(missing.length).toBeGreaterThan(0);

    world.server.faults.held.clear();
    await client(dir, { transport: 'streamer' }).install('byar:big');
    expect(posts().at(-1)!.streamerFiles).toEqual(missing);
    expect(await expectInstalled(dir, big)).toBe(true);
  });
});
