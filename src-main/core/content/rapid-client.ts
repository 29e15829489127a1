// The rapid client: a tag or name resolved through the master list and a repository's versions.gz, then the package
// index and every missing pool file fetched with plain GETs (pr-downloader's HTTP mode), or through the streamer from a
// repository that serves only that (`rapid-streamer.ts`), each verified, into the engine's layout. The .sdp is written
// last, so a half-done install is never a package; a rerun fetches only what is missing.
import { setMaxListeners } from 'node:events';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { isRegularFile, poolFilePath, sdpFilePath, sweepTemps, writeFileAtomically } from './content-files';
import type { GetResult, HttpAgents } from './http-get';
import { createAgents, httpGetBuffer, withRetries } from './http-get';
import { withDownloadLock } from './download-lock';
import { fetchPoolFile } from './pool-file';
import type { RapidTransport } from './rapid-streamer';
import { poolRefusesGets, streamMissingFiles } from './rapid-streamer';
import type { RapidProgress } from './progress';
import { SpeedMeter } from './progress';
import { SingleFlight } from './single-flight';
import type { RapidRepo, RapidVersion, SdpEntry } from './rapid-format';
import { checkBaseUrl, findVersion, normaliseRequest, parseRepos, parseVersions, RAPID_LIMITS, RapidError, readSdp, urlCachePath } from './rapid-format';

export const DEFAULT_RAPID_MASTER = 'https://repos-cdn.beyondallreason.dev/repos.gz';
/**
 * Pool files fetched at once. Each file ends with an fsync, which waits on the disk in one of libuv's four threads: with
 * 16 in flight the waits overlap the transfers (a 600-file package installs in about half the time it takes with 8).
 */
export const DEFAULT_RAPID_CONCURRENCY = 16;

export interface RapidClientOptions {
  /** The data dir that gets `packages/`, `pool/` and `rapid/`. */
  readonly dataDir: string;
  /** The master list's address (`…/repos.gz`). */
  readonly master?: string;
  /** Pool files fetched at once (default DEFAULT_RAPID_CONCURRENCY, at most 32). */
  readonly concurrency?: number;
  /** No byte for this long fails a request. */
  readonly idleMs?: number;
  /** A request that fails on the way (connection, cut body, HTTP 5xx) is made again this often (default 2). */
  readonly retries?: number;
  /** The wait before the n-th retry is n times this (default 500 ms). */
  readonly retryDelayMs?: number;
  /** Plain GETs, the streamer, or GETs then the streamer for a repository without GETs (the default, `auto`). */
  readonly transport?: RapidTransport;
}

export interface InstallOptions {
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: RapidProgress) => void;
  /**
   * Awaited before a package's missing pool files are fetched, with their content bytes (the download manager checks the
   * disk here); a throw fails the install. Only the caller that starts a download sets it: one who joins is not asked.
   */
  readonly beforePool?: (bytesTotal: number) => Promise<void>;
}

export interface RapidInstall {
  readonly request: string;
  readonly repo: string;
  readonly tag: string;
  /** The name the engine knows the game by. */
  readonly name: string;
  readonly md5: string;
  readonly sdpPath: string;
  /** Files in the package, and their content bytes. */
  readonly files: number;
  readonly bytes: number;
  /** Pool files fetched in this run (the others were there already). */
  readonly fetched: number;
  readonly networkBytes: number;
  /** Packages it depends on that rapid installed too, and dependency names rapid does not know (engine archives, say). */
  readonly depends: readonly RapidInstall[];
  readonly unresolvedDepends: readonly string[];
}

/** Repositories searched for a name that names none: the master list may be long, and each costs a GET. */
const MAX_REPOS_SEARCHED = 32;

const rapidCancelled = (): RapidError => new RapidError('aborted', 'the download was cancelled');

/** What one download run shares: the agents, the signal, the master list and versions already fetched, the meter. */
interface Run {
  readonly item: string;
  readonly agents: HttpAgents;
  readonly signal: AbortSignal;
  readonly meter: SpeedMeter;
  readonly emit: (progress: Omit<RapidProgress, 'item' | 'networkBytes' | 'bytesPerSecond'>) => void;
  readonly beforePool?: (bytesTotal: number) => Promise<void>;
  repos?: RapidRepo[];
  readonly versions: Map<string, { gz: Buffer; list: RapidVersion[]; etag?: string }>;
  packages: number;
  /** Pool files and their content bytes fetched for every package of this run. */
  readonly fetched: { files: number; bytes: number };
}

export class RapidClient {
  private readonly dataDir: string;
  private readonly master: URL;
  private readonly concurrency: number;
  private readonly idleMs: number;
  private readonly retries: number;
  private readonly retryDelayMs: number;
  private readonly transport: RapidTransport;
  /** Repositories (base URLs) whose pool files come through the streamer: `auto` found them without plain GETs. */
  private readonly streamerRepos = new Set<string>();
  private readonly flights = new SingleFlight<RapidInstall, RapidProgress>();
  /** One install of a package at a time: a second waits, then finds the files there. */
  private readonly packageLocks = new Map<string, Promise<unknown>>();
  /** Pool files being fetched, shared by the packages that need them. */
  private readonly poolFlights = new Map<string, Promise<void>>();

  constructor(options: RapidClientOptions) {
    this.dataDir = path.resolve(options.dataDir);
    this.master = checkBaseUrl(options.master ?? DEFAULT_RAPID_MASTER, 'the rapid master address');
    this.concurrency = Math.max(1, Math.min(options.concurrency ?? DEFAULT_RAPID_CONCURRENCY, 32));
    this.idleMs = options.idleMs ?? 30_000;
    this.retries = Math.max(0, Math.min(options.retries ?? 2, 10));
    this.retryDelayMs = Math.max(0, options.retryDelayMs ?? 500);
    this.transport = options.transport ?? 'auto';
  }

  /**
   * Installs a package by tag (`byar:test`, `rapid://byar:test`) or name. Asked again while it runs, the same download
   * is shared; it is cancelled only when every caller's signal has aborted.
   */
  install(request: string, options: InstallOptions = {}): Promise<RapidInstall> {
    let key: string;
    try {
      key = normaliseRequest(request);
    } catch (error) {
      return Promise.reject(error as Error);
    }
    const { signal, onProgress, beforePool } = options;
    return this.flights.join(key, { signal, onProgress }, (flightSignal, emit) => this.run(key, flightSignal, emit, beforePool), rapidCancelled);
  }

  private async run(item: string, signal: AbortSignal, emit: (progress: RapidProgress) => void, beforePool?: (bytesTotal: number) => Promise<void>): Promise<RapidInstall> {
    const meter = new SpeedMeter();
    const agents = createAgents(this.concurrency);
    const run: Run = {
      item, agents, signal, meter, versions: new Map(), packages: 0, fetched: { files: 0, bytes: 0 }, ...(beforePool ? { beforePool } : {}),
      emit: (p) => emit({ item, ...p, networkBytes: meter.bytes, bytesPerSecond: meter.rate() }),
    };
    try {
      const result = await this.installTree(run, item, 0);
      // The tag index last: it names only packages that are whole.
      for (const [url, { gz, etag }] of run.versions) {
        const file = this.cachePath(new URL(`${url}/versions.gz`));
        // The ETag goes first and comes back last: a kill between leaves a file without one, never a stale one.
        await rm(`${file}.etag`, { force: true });
        await writeFileAtomically(file, gz);
        if (etag) await writeFileAtomically(`${file}.etag`, Buffer.from(`${etag}\n`));
      }
      const { files, bytes } = run.fetched;
      run.emit({ phase: 'done', filesDone: files, filesTotal: files, bytesDone: bytes, bytesTotal: bytes });
      return result;
    } finally {
      agents.destroy();
    }
  }

  private cachePath(url: URL, file?: string): string {
    return path.join(this.dataDir, 'rapid', ...urlCachePath(url), ...(file ? [file] : []));
  }

  private async get(run: Run, url: URL, maxBytes: number, what: string, ifNoneMatch?: string): Promise<GetResult & { body: Buffer }> {
    const result = await withRetries(this.retryOptions(run.signal), () =>
      httpGetBuffer(url, { agents: run.agents, signal: run.signal, maxBytes, what, idleMs: this.idleMs, ...(ifNoneMatch ? { ifNoneMatch } : {}) }));
    run.meter.add(result.body.length);
    return result;
  }

  private async repos(run: Run): Promise<RapidRepo[]> {
    if (run.repos) return run.repos;
    const gz = (await this.get(run, this.master, RAPID_LIMITS.reposGzBytes, 'the rapid master list')).body;
    run.repos = parseRepos(gz);
    await writeFileAtomically(this.cachePath(this.master), gz);
    return run.repos;
  }

  /** The cached versions.gz and its ETag (`versions.gz.etag` beside it), when both are there and it parses. */
  private async localVersions(url: URL): Promise<{ gz: Buffer; list: RapidVersion[]; etag: string } | undefined> {
    const file = this.cachePath(url);
    try {
      const etag = (await readFile(`${file}.etag`, 'utf8')).trim();
      if (!/^[\x21-\x7e]{1,200}$/.test(etag) || !(await isRegularFile(file))) return undefined;
      const gz = await readFile(file);
      if (gz.length > RAPID_LIMITS.versionsGzBytes) return undefined;
      return { gz, list: parseVersions(gz), etag };
    } catch {
      return undefined;
    }
  }

  private async versions(run: Run, repo: RapidRepo): Promise<RapidVersion[]> {
    const cached = run.versions.get(repo.url);
    if (cached) return cached.list;
    const url = new URL(`${repo.url}/versions.gz`);
    const what = `repository ${repo.name}'s versions.gz`;
    // The copy we hold, sent as If-None-Match: an unchanged versions.gz (megabytes for a long-lived repo) is not sent again.
    const local = await this.localVersions(url);
    let fetched = await this.get(run, url, RAPID_LIMITS.versionsGzBytes, what, local?.etag);
    if (fetched.notModified && local) {
      run.versions.set(repo.url, { gz: local.gz, list: local.list, ...(local.etag ? { etag: local.etag } : {}) });
      return local.list;
    }
    if (fetched.notModified) fetched = await this.get(run, url, RAPID_LIMITS.versionsGzBytes, what);
    const list = parseVersions(fetched.body);
    run.versions.set(repo.url, { gz: fetched.body, list, ...(fetched.etag ? { etag: fetched.etag } : {}) });
    return list;
  }

  /** The repo is the text before the first ':' when the master list has one of that name; otherwise every repo is searched. */
  private async resolve(run: Run, request: string): Promise<{ repo: RapidRepo; version: RapidVersion } | undefined> {
    const repos = await this.repos(run);
    const colon = request.indexOf(':');
    const named = colon > 0 ? repos.find((r) => r.name === request.slice(0, colon)) : undefined;
    for (const repo of named ? [named] : repos.slice(0, MAX_REPOS_SEARCHED)) {
      const version = findVersion(await this.versions(run, repo), request);
      if (version) return { repo, version };
    }
    return undefined;
  }

  private async installTree(run: Run, request: string, depth: number): Promise<RapidInstall> {
    run.emit({ phase: 'resolving', filesDone: 0, filesTotal: 0, bytesDone: 0, bytesTotal: 0 });
    const found = await this.resolve(run, request);
    if (!found) throw new RapidError('unknown_package', `no rapid package is called ${JSON.stringify(request.slice(0, 200))}`);
    if (++run.packages > RAPID_LIMITS.packages) throw new RapidError('too_large', 'the package has too many dependencies');
    const depends: RapidInstall[] = [];
    const unresolvedDepends: string[] = [];
    for (const dependency of found.version.depends) {
      if (depth >= 4) throw new RapidError('too_large', 'the package\'s dependencies nest too deep');
      try {
        depends.push(await this.installTree(run, normaliseRequest(dependency), depth + 1));
      } catch (error) {
        if (!(error instanceof RapidError) || error.code !== 'unknown_package') throw error;
        unresolvedDepends.push(dependency);
      }
    }
    const md5 = found.version.md5;
    // Across processes too (`packages/.<md5>.lock`): a second one waits, then finds the package whole.
    const waiting = () => run.emit({ phase: 'waiting', filesDone: 0, filesTotal: 0, bytesDone: 0, bytesTotal: 0 });
    const lock = { signal: run.signal, onWait: waiting };
    const installed = await this.locked(md5, run.signal, () => withDownloadLock(path.join(this.dataDir, 'packages', `.${md5}.lock`), lock, () => this.installPackage(run, found.repo, md5)));
    return { request, repo: found.repo.name, tag: found.version.tag, name: found.version.name, ...installed, depends, unresolvedDepends };
  }

  private async locked<T>(md5: string, signal: AbortSignal, work: () => Promise<T>): Promise<T> {
    const previous = this.packageLocks.get(md5);
    const current = (async () => {
      if (previous) await previous.catch(() => undefined);
      if (signal.aborted) throw new RapidError('aborted', 'the download was cancelled');
      return work();
    })();
    const settled = current.catch(() => undefined);
    this.packageLocks.set(md5, settled);
    try {
      return await current;
    } finally {
      if (this.packageLocks.get(md5) === settled) this.packageLocks.delete(md5);
    }
  }

  /** An installed .sdp is trusted once it parses and matches its name; otherwise it is fetched again. */
  private async localSdp(md5: string): Promise<SdpEntry[] | undefined> {
    const file = sdpFilePath(this.dataDir, md5);
    if (!(await isRegularFile(file))) return undefined;
    try {
      return readSdp(await readFile(file), md5);
    } catch {
      return undefined;
    }
  }

  private async installPackage(run: Run, repo: RapidRepo, md5: string): Promise<Omit<RapidInstall, 'request' | 'repo' | 'tag' | 'name' | 'depends' | 'unresolvedDepends'>> {
    run.emit({ phase: 'index', filesDone: 0, filesTotal: 0, bytesDone: 0, bytesTotal: 0 });
    const networkBefore = run.meter.bytes;
    let entries = await this.localSdp(md5);
    let sdpGz: Buffer | undefined;
    if (!entries) {
      sdpGz = (await this.get(run, new URL(`${repo.url}/packages/${md5}.sdp`), RAPID_LIMITS.sdpGzBytes, 'the package index')).body;
      entries = readSdp(sdpGz, md5);
    }
    // Equal content is one pool file, whatever its names.
    const unique = new Map<string, SdpEntry>();
    for (const entry of entries) unique.set(entry.md5, entry);
    const missing: SdpEntry[] = [];
    for (const entry of unique.values()) if (!(await isRegularFile(poolFilePath(this.dataDir, entry.md5)))) missing.push(entry);
    // What a killed run was writing for these files is garbage now; not what another package is fetching.
    const sweep = missing.map((e) => poolFilePath(this.dataDir, e.md5));
    const busy = (target: string) => [...this.poolFlights.keys()].some((m) => poolFilePath(this.dataDir, m) === target);
    await sweepTemps(sdpGz ? [...sweep, sdpFilePath(this.dataDir, md5)] : sweep, busy);
    await this.fetchPool(run, repo, md5, entries, missing);
    run.emit({ phase: 'installing', filesDone: missing.length, filesTotal: missing.length, bytesDone: 0, bytesTotal: 0 });
    // Last: only now is the package visible.
    if (sdpGz) await writeFileAtomically(sdpFilePath(this.dataDir, md5), sdpGz);
    return {
      md5,
      sdpPath: sdpFilePath(this.dataDir, md5),
      files: entries.length,
      bytes: entries.reduce((sum, e) => sum + e.size, 0),
      fetched: missing.length,
      networkBytes: run.meter.bytes - networkBefore,
    };
  }

  /** The missing files, by the repository's transport; the first failure stops the others, and all have settled when it throws. */
  private async fetchPool(run: Run, repo: RapidRepo, md5: string, entries: readonly SdpEntry[], missing: readonly SdpEntry[]): Promise<void> {
    const bytesTotal = missing.reduce((sum, e) => sum + e.size, 0);
    if (missing.length > 0 && run.beforePool) await run.beforePool(bytesTotal);
    run.fetched.files += missing.length;
    run.fetched.bytes += bytesTotal;
    const counts = { filesDone: 0, bytesDone: 0 };
    const report = () => run.emit({ phase: 'pool', ...counts, filesTotal: missing.length, bytesTotal });
    report();
    if (missing.length === 0) return;
    const stream = () => {
      // The streamer counts every file afresh, those a failed GET attempt left in the pool included.
      counts.filesDone = 0;
      counts.bytesDone = 0;
      return streamMissingFiles(
        { base: repo.url, sdpMd5: md5, entries, missing, dataDir: this.dataDir, flights: this.poolFlights, retry: this.retryOptions(run.signal) },
        { agents: run.agents, signal: run.signal, commits: this.concurrency, idleMs: this.idleMs, onAnswered: () => this.streamerRepos.add(repo.url) },
        { onNetwork: (bytes) => { run.meter.add(bytes); }, onContent: (bytes) => { counts.bytesDone += bytes; report(); }, onFile: () => { counts.filesDone++; report(); } },
      );
    };
    if (this.transport === 'streamer' || this.streamerRepos.has(repo.url)) return stream();
    try {
      await this.getPool(run, repo, missing, counts, report);
    } catch (error) {
      if (this.transport !== 'auto' || !poolRefusesGets(error) || run.signal.aborted) throw error;
      try {
        await stream();
      } catch (streamError) {
        throw poolRefusesGets(streamError) ? error : streamError;
      }
    }
  }

  private retryOptions(signal: AbortSignal) {
    return { retries: this.retries, delayMs: this.retryDelayMs, signal };
  }

  /** Plain GETs, `concurrency` at a time. */
  private async getPool(run: Run, repo: RapidRepo, missing: readonly SdpEntry[], counts: { filesDone: number; bytesDone: number }, report: () => void): Promise<void> {
    const stop = new AbortController();
    // Each request in flight (and each retry's wait) listens to it: more than Node's default 10 at a high concurrency.
    setMaxListeners(4 * this.concurrency + 10, stop.signal);
    const onAbort = () => stop.abort();
    run.signal.addEventListener('abort', onAbort, { once: true });
    let failure: unknown;
    let next = 0;
    const worker = async () => {
      while (next < missing.length && !stop.signal.aborted) {
        const entry = missing[next++]!;
        try {
          await this.poolFile(run, repo, entry, stop.signal, {
            onNetwork: (bytes) => { run.meter.add(bytes); },
            onContent: (bytes) => { counts.bytesDone += bytes; report(); },
          });
          counts.filesDone++;
          report();
        } catch (error) {
          // A cancel is reported as such, not as whichever request it broke.
          failure ??= run.signal.aborted ? new RapidError('aborted', 'the download was cancelled') : error;
          stop.abort();
        }
      }
    };
    try {
      await Promise.all(Array.from({ length: Math.min(this.concurrency, missing.length) }, worker));
    } finally {
      run.signal.removeEventListener('abort', onAbort);
    }
    if (failure !== undefined) throw failure;
  }

  /**
   * One pool file; when another package is fetching it already, that fetch is awaited, and repeated only if it failed.
   * The flight is registered before any await, and looks at the pool first: a file another package finished since
   * this package listed what it misses is not fetched again.
   */
  private async poolFile(
    run: Run, repo: RapidRepo, entry: SdpEntry, signal: AbortSignal, progress: { onNetwork(bytes: number): void; onContent(bytes: number): void },
  ): Promise<void> {
    const file = poolFilePath(this.dataDir, entry.md5);
    const other = this.poolFlights.get(entry.md5);
    if (other) {
      await other.catch(() => undefined);
      if (await isRegularFile(file)) return progress.onContent(entry.size);
    }
    const flight = (async () => {
      if (await isRegularFile(file)) return progress.onContent(entry.size);
      // A retry starts the file afresh: what the failed attempt counted is taken back.
      let counted = 0;
      const counting = { onNetwork: progress.onNetwork, onContent: (bytes: number) => { counted += bytes; progress.onContent(bytes); } };
      await withRetries(this.retryOptions(signal), async () => {
        if (counted > 0) progress.onContent(-counted);
        counted = 0;
        await fetchPoolFile(repo.url, this.dataDir, entry, { agents: run.agents, signal, idleMs: this.idleMs }, counting);
      });
    })();
    this.poolFlights.set(entry.md5, flight);
    try {
      await flight;
    } finally {
      if (this.poolFlights.get(entry.md5) === flight) this.poolFlights.delete(entry.md5);
    }
  }
}
