// The files client against the local content server: maps and engines found through /find, fetched from mirrors in
// order, resumed with Range, verified by size and MD5, engines unpacked and checked; every fault switch ends in a clear
// error, nothing half-installed, and a retry that fetches only what is missing.
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FileProgress } from '../../src-main/core/content';
import { FilesClient, FilesError } from '../../src-main/core/content';
import { EngineRegistry, parseEngineVersion, runVersionCommand } from '../../src-main/core/engine/engine-registry';
import { TEST_MAP_NAME, writeTestContent } from '../../src-main/core/engine/test-content';
import type { ContentServer } from '../support/content-server';
import { startContentServer } from '../support/content-server';
import type { EngineArchive } from '../support/engine-archive';
import { DEBIAN_DEDICATED, DEBIAN_HEADLESS, makeEngineArchive } from '../support/engine-archive';
import { pack7z } from '../support/seven-zip-pack';
import { treeFiles } from './fixtures';

let root: string;
let server: ContentServer;
let map: Buffer;
let n = 0;
const MAP_FILE = 'tachyon_test_map_1.0.sd7';
const MAP_PATH = `/maps/${MAP_FILE}`;

const dataDir = () => path.join(root, `data-${++n}`);
const client = (dir: string, options: { retries?: number } = {}) => new FilesClient({ dataDir: dir, filesApi: `${server.url}/find`, retryDelayMs: 10, ...options });

async function failure(promise: Promise<unknown>): Promise<FilesError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(FilesError);
  return error as FilesError;
}

/** Every file under the data dir, hidden ones (parts, unpacking folders) included. */
async function everything(dir: string): Promise<string[]> {
  return treeFiles(dir);
}

function mapGets(): number {
  return server.requestsFor(MAP_PATH).filter((r) => r.method === 'GET').length;
}

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'files-client-'));
  server = await startContentServer();
  const source = await writeTestContent(path.join(root, 'source'));
  const archive = path.join(root, MAP_FILE);
  await pack7z(source.mapPath, archive, { solid: false });
  map = await readFile(archive);
});

afterAll(async () => {
  await server.close();
  await rm(root, { recursive: true, force: true });
});

function publishMap(options: Parameters<ContentServer['publishFile']>[4] = {}): void {
  for (const key of Object.keys(server.faults) as Array<keyof ContentServer['faults']>) server.faults[key].clear();
  server.publishFile('map', TEST_MAP_NAME, MAP_FILE, map, options);
}

describe('maps through the files API', () => {
  it('finds the map, fetches it into maps/<filename> verified, and a second run fetches nothing', async () => {
    publishMap();
    const dir = dataDir();
    const progress: FileProgress[] = [];
    const installed = await client(dir).installMap(TEST_MAP_NAME, { onProgress: (p) => progress.push(p) });
    expect(installed).toMatchObject({ kind: 'map', request: TEST_MAP_NAME, filename: MAP_FILE, bytes: map.length, fetched: true });
    expect(installed.path).toBe(path.join(dir, 'maps', MAP_FILE));
    expect((await readFile(installed.path)).equals(map)).toBe(true);
    expect(await everything(dir)).toEqual([`maps/${MAP_FILE}`]);
    expect(progress.at(-1)).toMatchObject({ phase: 'done', bytesDone: map.length, bytesTotal: map.length, kind: 'map' });
    expect(progress.at(-1)!.networkBytes).toBeGreaterThan(map.length);
    const find = server.requestsFor('/find').at(-1)!;
    expect(new URL(find.url, server.url).searchParams.get('category')).toBe('map');
    expect(new URL(find.url, server.url).searchParams.get('springname')).toBe(TEST_MAP_NAME);

    const gets = mapGets();
    const again = await client(dir).installMap(TEST_MAP_NAME);
    expect(again).toMatchObject({ fetched: false, bytes: map.length, md5: installed.md5 });
    expect(mapGets()).toBe(gets);
  });

  it('tries the mirrors in order: a 404 and a failing one, then the one that answers', async () => {
    publishMap({ mirrors: [`${server.url}/gone/${MAP_FILE}`, `${server.url}/broken/${MAP_FILE}`] });
    server.faults.status.set(`/broken/${MAP_FILE}`, 500);
    const start = server.requests.length;
    const installed = await client(dataDir(), { retries: 1 }).installMap(TEST_MAP_NAME);
    expect(installed.fetched).toBe(true);
    const paths = server.requests.slice(start).map((r) => new URL(r.url, server.url).pathname).filter((p) => p !== '/find');
    // The 404 is not retried; the 500 is, once; then the last mirror.
    expect(paths).toEqual([`/gone/${MAP_FILE}`, `/broken/${MAP_FILE}`, `/broken/${MAP_FILE}`, MAP_PATH]);
  });

  it('deletes a file whose MD5 or size does not match, says so, and a retry fetches it whole', async () => {
    for (const fault of ['wrongMd5', 'wrongSize'] as const) {
      publishMap();
      server.faults[fault].add(TEST_MAP_NAME);
      const dir = dataDir();
      const error = await failure(client(dir).installMap(TEST_MAP_NAME));
      expect(error.code).toBe('corrupt');
      expect(error.message).toBe(`map ${MAP_FILE} does not match its ${fault === 'wrongMd5' ? 'MD5' : 'size'} (the damaged download was deleted)`);
      expect(await everything(dir)).toEqual([]);
      server.faults[fault].clear();
      const start = server.requests.length;
      expect((await client(dir).installMap(TEST_MAP_NAME)).fetched).toBe(true);
      expect(server.requests.slice(start).filter((r) => r.url === MAP_PATH).map((r) => r.range)).toEqual([undefined]);
    }
  });

  it('keeps a cut download as a part, and the retry asks only for the rest (Range)', async () => {
    publishMap();
    const cut = Math.floor(map.length / 3);
    server.faults.cut.set(MAP_PATH, cut);
    const dir = dataDir();
    const error = await failure(client(dir, { retries: 0 }).installMap(TEST_MAP_NAME));
    expect(error.code).toBe('network');
    expect(error.message).toMatch(new RegExp(`^map ${MAP_FILE.replace(/\./g, '\\.')}( was cut short|: the connection broke)$`));
    expect(await everything(dir)).toEqual([`maps/.${MAP_FILE}.part`]);
    // What arrived before the connection dropped (at most the cut).
    const kept = (await stat(path.join(dir, 'maps', `.${MAP_FILE}.part`))).size;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThanOrEqual(cut);
    server.faults.cut.clear();
    const start = server.requests.length;
    const installed = await client(dir).installMap(TEST_MAP_NAME);
    expect((await readFile(installed.path)).equals(map)).toBe(true);
    expect(server.requests.slice(start).filter((r) => r.url === MAP_PATH).map((r) => r.range)).toEqual([`bytes=${kept}-`]);
    expect(await everything(dir)).toEqual([`maps/${MAP_FILE}`]);
  });

  it('resumes within one run after each cut, and starts afresh when a server ignores Range', async () => {
    publishMap();
    const step = Math.ceil(map.length / 4);
    server.faults.cut.set(MAP_PATH, step);
    const dir = dataDir();
    const before = server.requestsFor(MAP_PATH).length;
    const installed = await client(dir, { retries: 10 }).installMap(TEST_MAP_NAME);
    expect((await readFile(installed.path)).equals(map)).toBe(true);
    // Each try asks for the rest from where the last one stopped.
    const starts = server.requestsFor(MAP_PATH).slice(before).map((r) => (r.range === undefined ? 0 : Number(/^bytes=(\d+)-$/.exec(r.range)![1])));
    expect(starts.length).toBeGreaterThanOrEqual(4);
    expect(starts[0]).toBe(0);
    for (let i = 1; i < starts.length; i++) expect(starts[i]).toBeGreaterThanOrEqual(starts[i - 1]!);

    publishMap();
    server.faults.noRange.add(MAP_PATH);
    const other = dataDir();
    await mkdir(path.join(other, 'maps'), { recursive: true });
    await writeFile(path.join(other, 'maps', `.${MAP_FILE}.part`), Buffer.from('stale bytes from another file'));
    const whole = await client(other).installMap(TEST_MAP_NAME);
    expect((await readFile(whole.path)).equals(map)).toBe(true);
  });

  it('shows progress while the body arrives, and a cancel keeps the part for the next run', async () => {
    publishMap();
    server.faults.held.add(MAP_PATH);
    const dir = dataDir();
    const controller = new AbortController();
    const progress: FileProgress[] = [];
    const running = client(dir).installMap(TEST_MAP_NAME, { signal: controller.signal, onProgress: (p) => progress.push(p) });
    await server.waitHeld(MAP_PATH);
    const half = Math.floor(map.length / 2);
    while (!progress.some((p) => p.phase === 'downloading' && p.bytesDone === half)) await new Promise((r) => setTimeout(r, 10));
    expect(progress.find((p) => p.bytesDone === half)).toMatchObject({ kind: 'map', item: TEST_MAP_NAME, bytesTotal: map.length });
    controller.abort();
    const error = await failure(running);
    expect(error.code).toBe('aborted');
    expect(await everything(dir)).toEqual([`maps/.${MAP_FILE}.part`]);
    server.faults.held.clear();
    const start = server.requests.length;
    await client(dir).installMap(TEST_MAP_NAME);
    expect(server.requests.slice(start).filter((r) => r.url === MAP_PATH).map((r) => r.range)).toEqual([`bytes=${half}-`]);
  });

  it('fetches a map once for two callers asking at once', async () => {
    publishMap();
    const dir = dataDir();
    const gets = mapGets();
    const c = client(dir);
    const [a, b] = await Promise.all([c.installMap(TEST_MAP_NAME), c.installMap(TEST_MAP_NAME)]);
    expect(a).toEqual(b);
    expect(mapGets()).toBe(gets + 1);
  });

  it('says what is wrong: unknown map, no mirror answering, a files API that fails or answers nonsense', async () => {
    publishMap();
    const dir = dataDir();
    const unknown = await failure(client(dir).installMap('No Such Map'));
    expect(unknown).toMatchObject({ code: 'unknown_item', message: 'the files API knows no map "No Such Map"' });
    server.faults.status.set(MAP_PATH, 404);
    expect(await failure(client(dir).installMap(TEST_MAP_NAME))).toMatchObject({ code: 'not_found', message: `map ${MAP_FILE} is not on the server (HTTP 404)` });
    server.faults.status.clear();
    server.faults.status.set('/find', 500);
    expect(await failure(client(dir, { retries: 0 }).installMap(TEST_MAP_NAME))).toMatchObject({ code: 'http_error', message: 'the files API: the server answered HTTP 500' });
    server.faults.status.clear();
    const hostile: Array<[string, RegExp]> = [
      ['not json', /did not answer JSON/],
      ['{"a":1}', /is not a list/],
      [JSON.stringify([{ category: 'map', springname: TEST_MAP_NAME, filename: '../../etc/x', mirrors: [`${server.url}${MAP_PATH}`] }]), /cannot be stored/],
      [JSON.stringify([{ category: 'map', springname: TEST_MAP_NAME, filename: MAP_FILE, mirrors: [], md5: 'zz' }]), /md5 .* is not 32 hex digits/],
      [JSON.stringify([{ category: 'map', springname: TEST_MAP_NAME, filename: MAP_FILE, mirrors: ['file:///etc/passwd'] }]), /knows no map/],
    ];
    for (const [body, message] of hostile) {
      server.faults.replace.set('/find', Buffer.from(body));
      expect((await failure(client(dir).installMap(TEST_MAP_NAME))).message).toMatch(message);
    }
    server.faults.replace.clear();
    expect(await everything(dir)).toEqual([]);
    expect((await failure(client(dir).installMap(''))).code).toBe('bad_request');
    expect(() => new FilesClient({ dataDir: dir, filesApi: 'ftp://x/find' })).toThrow(/plain http/);
  });

  it('installs a map the files API gives no MD5 or size for, trusting only what arrived whole', async () => {
    publishMap({ omitMd5: true, omitSize: true });
    const installed = await client(dataDir()).installMap(TEST_MAP_NAME);
    expect(installed.bytes).toBe(map.length);
  });
});

const VERSION = '106.0';
const hasEngine = existsSync(DEBIAN_HEADLESS) && existsSync(DEBIAN_DEDICATED);

describe.skipIf(!hasEngine)('engines through the files API', () => {
  let engine: EngineArchive;
  const archiveName = `recoil_${VERSION}_amd64-linux.7z`;
  const archivePath = `/engine/${VERSION}/${archiveName}`;

  beforeAll(async () => {
    engine = await makeEngineArchive(path.join(root, 'engine-work'));
  }, 120_000);

  const publishEngine = (data: Buffer, options: { omitMd5?: boolean } = {}) => {
    for (const key of Object.keys(server.faults) as Array<keyof ContentServer['faults']>) server.faults[key].clear();
    server.publishFile('engine_linux64', VERSION, archiveName, data, options);
  };

  it('downloads, verifies and unpacks into engine/<version>/, removes the archive, and the registry runs it', async () => {
    publishEngine(engine.archive);
    const dir = dataDir();
    const progress: FileProgress[] = [];
    const installed = await client(dir).installEngine(VERSION, { onProgress: (p) => progress.push(p) });
    expect(installed).toMatchObject({ kind: 'engine', version: VERSION, filename: archiveName, bytes: engine.archive.length, fetched: true, files: engine.files.length });
    expect(installed.path).toBe(path.join(dir, 'engine', VERSION));
    expect(await readdir(path.join(dir, 'engine'))).toEqual([VERSION]);
    expect(await everything(path.join(dir, 'engine', VERSION))).toEqual([...engine.files].sort());
    expect(progress.map((p) => p.phase)).toEqual(expect.arrayContaining(['resolving', 'downloading', 'verifying', 'extracting', 'done']));
    expect(new URL(server.requestsFor('/find').at(-1)!.url, server.url).searchParams.get('category')).toBe('engine_linux64');

    const registry = await EngineRegistry.discover({ downloadDataDirs: [dir], includeSystem: false });
    expect(registry.versions).toEqual([VERSION]);
    const found = registry.resolve(VERSION);
    expect(found).toMatchObject({ source: 'downloaded', dataDir: installed.path });
    const headless = registry.binary(VERSION, 'headless');
    expect(headless).toBe(path.join(installed.path, 'spring-headless'));
    expect(parseEngineVersion(await runVersionCommand(headless))).toBe(VERSION);

    const gets = server.requestsFor(archivePath).length;
    expect((await client(dir).installEngine(VERSION)).fetched).toBe(false);
    expect(server.requestsFor(archivePath).length).toBe(gets);
  });

  it('gives binaries stored without exec bits their exec bits', async () => {
    const plain = await makeEngineArchive(path.join(root, 'engine-work-modes'), {
      mutate: async (d) => {
        await chmod(path.join(d, 'spring-headless'), 0o644);
        await chmod(path.join(d, 'spring-dedicated'), 0o600);
      },
    });
    publishEngine(plain.archive);
    const installed = await client(dataDir()).installEngine(VERSION);
    for (const name of ['spring-headless', 'spring-dedicated']) expect((await stat(path.join(installed.path, name))).mode & 0o111).toBe(0o111);
  });

  it('refuses a damaged archive, an archive with a link, a file not matching files.md5.gz, or no binary: nothing installed, the archive gone', async () => {
    const damaged = Buffer.from(engine.archive);
    for (let i = 1000; i < 1100; i++) damaged[i] = damaged[i]! ^ 0xa5;
    const linked = await makeEngineArchive(path.join(root, 'engine-work-link'), { mutate: (d) => symlink('/etc/passwd', path.join(d, 'passwd')) });
    const tampered = await makeEngineArchive(path.join(root, 'engine-work-tamper'), { mutate: (d) => writeFile(path.join(d, 'base', 'cursors.sdz'), 'changed') });
    const empty = await makeEngineArchive(path.join(root, 'engine-work-empty'), {
      md5sums: false, mutate: async (d) => { await rm(path.join(d, 'spring-headless')); await rm(path.join(d, 'spring-dedicated')); },
    });
    const cases: Array<[Buffer, string, RegExp]> = [
      [damaged, 'bad_archive', new RegExp(`engine archive ${archiveName.replace(/\./g, '\\.')} is damaged`)],
      [linked.archive, 'bad_archive', /is refused: entry "passwd" is a symbolic link/],
      [tampered.archive, 'bad_engine', /engine 106\.0: "base\/cursors\.sdz" is missing or does not match files\.md5\.gz/],
      [empty.archive, 'bad_engine', /holds no spring, spring-headless or spring-dedicated/],
    ];
    for (const [data, code, message] of cases) {
      publishEngine(data);
      const dir = dataDir();
      const error = await failure(client(dir).installEngine(VERSION));
      expect(error.code).toBe(code);
      expect(error.message).toMatch(message);
      expect(await readdir(path.join(dir, 'engine'))).toEqual([]);
    }
  });

  it('reports network speed on a throttled mirror, and a cancel mid-way leaves only the part', async () => {
    publishEngine(engine.archive);
    server.faults.throttle.set(archivePath, 64 * 1024);
    const dir = dataDir();
    const controller = new AbortController();
    const progress: FileProgress[] = [];
    const running = client(dir).installEngine(VERSION, { signal: controller.signal, onProgress: (p) => progress.push(p) });
    while (!progress.some((p) => p.bytesDone >= 1 << 20)) {
      if (progress.at(-1)?.phase === 'done') throw new Error('the throttled download ended before the cancel');
      await new Promise((r) => setTimeout(r, 20));
    }
    controller.abort();
    expect((await failure(running)).code).toBe('aborted');
    const downloading = progress.filter((p) => p.phase === 'downloading');
    expect(downloading.at(-1)!.bytesTotal).toBe(engine.archive.length);
    expect(downloading.at(-1)!.bytesPerSecond).toBeGreaterThan(0);
    for (let i = 1; i < downloading.length; i++) expect(downloading[i]!.bytesDone).toBeGreaterThanOrEqual(downloading[i - 1]!.bytesDone);
    expect(await readdir(path.join(dir, 'engine'))).toEqual([`.${archiveName}.part`]);
  });

  it('resumes a cut engine download, and refuses a version that could be a path', async () => {
    publishEngine(engine.archive);
    const cut = Math.floor(engine.archive.length / 2);
    server.faults.cut.set(archivePath, cut);
    const dir = dataDir();
    expect((await failure(client(dir, { retries: 0 }).installEngine(VERSION))).code).toBe('network');
    expect(await readdir(path.join(dir, 'engine'))).toEqual([`.${archiveName}.part`]);
    const kept = (await stat(path.join(dir, 'engine', `.${archiveName}.part`))).size;
    expect(kept).toBeLessThanOrEqual(cut);
    server.faults.cut.clear();
    const start = server.requests.length;
    const installed = await client(dir).installEngine(VERSION);
    expect(installed.fetched).toBe(true);
    expect(server.requests.slice(start).filter((r) => r.url === archivePath).map((r) => r.range)).toEqual([kept > 0 ? `bytes=${kept}-` : undefined]);
    expect(await readdir(path.join(dir, 'engine'))).toEqual([VERSION]);
    for (const bad of ['../x', '.hidden', 'a/b', '']) expect((await failure(client(dir).installEngine(bad))).code).toBe('bad_request');
  });

  it('two clients on one data dir (as two processes would be): the second waits for the engine lock, then finds it installed', async () => {
    publishEngine(engine.archive);
    server.faults.held.add(archivePath);
    const dir = dataDir();
    const before = server.requestsFor(archivePath).length;
    const first = client(dir).installEngine(VERSION);
    await server.waitHeld(archivePath);
    let sawWaiting!: () => void;
    const waiting = new Promise<void>((resolve) => { sawWaiting = resolve; });
    const second = client(dir).installEngine(VERSION, { onProgress: (p) => { if (p.phase === 'waiting') sawWaiting(); } });
    await waiting;
    server.release(archivePath);
    expect(await first).toMatchObject({ fetched: true, files: engine.files.length });
    expect(await second).toMatchObject({ fetched: false, path: path.join(dir, 'engine', VERSION) });
    expect(server.requestsFor(archivePath).length - before).toBe(1);
    expect(await readdir(path.join(dir, 'engine'))).toEqual([VERSION]);
  });
});
