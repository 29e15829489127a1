// Maps and engines through the files API: `/find` names the file, its mirrors, MD5 and size; the file is fetched from the
// mirrors in order into a `.part` beside its place, resumed with `Range` after a cut or a kill, and kept only when its size
// and MD5 match. A map is renamed into `maps/<filename>`; an engine archive is unpacked with 7-Zip into a hidden folder,
// checked (binaries executable, files.md5.gz), renamed to `engine/<version>/`, and the archive removed either way.
// Another process fetching the same item into the same data dir holds its lock (`download-lock.ts`): this one waits, then
// finds it installed, or takes over and resumes the part.
import { createHash, randomBytes } from 'node:crypto';
import { constants, createReadStream } from 'node:fs';
import { access, chmod, lstat, mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { FileHandle } from 'node:fs/promises';
import type { HttpAgents } from './http-get';
import { createAgents, httpGet, httpGetBuffer, withRetries } from './http-get';
import type { DownloadLock } from './download-lock';
import { withDownloadLock } from './download-lock';
import { feedFile, md5Sink } from './md5-sink';
import { PartWriter } from './part-writer';
import { SpeedMeter } from './progress';
import { SingleFlight } from './single-flight';
import { RapidError } from './rapid-format';
import type { FilesCategory, FilesEntry } from './files-format';
import { engineCategory, FILES_LIMITS, FilesError, hasControl, isEngineVersion, parseFindAnswer, parseMd5Sums, pickEntry } from './files-format';
import type { SevenZipBinary } from './seven-zip';
import { extractArchive, SevenZipError } from './seven-zip';

export const DEFAULT_FILES_API = 'https://files-cdn.beyondallreason.dev/find';

export interface FilesClientOptions {
  /** The data dir that gets `maps/` and `engine/<version>/`. */
  readonly dataDir: string;
  /** The files API's search address (`…/find`). */
  readonly filesApi?: string;
  /** No byte for this long fails a request. */
  readonly idleMs?: number;
  /** A request that fails on the way (connection, cut body, HTTP 5xx) is made again this often on each mirror (default 2). */
  readonly retries?: number;
  /** The wait before the n-th retry is n times this (default 500 ms). */
  readonly retryDelayMs?: number;
  /** Whose engine build to fetch (default: this process's platform). */
  readonly platform?: NodeJS.Platform;
  /** The 7-Zip to unpack engines with (default: the bundled one, else the system's). */
  readonly sevenZip?: SevenZipBinary;
}

export interface FileProgress {
  /** The request as asked (the map's spring name, the engine's version). */
  readonly item: string;
  readonly kind: 'map' | 'engine';
  /** `waiting`: another process is downloading this file into the same data dir; this one waits for it to finish. */
  readonly phase: 'resolving' | 'waiting' | 'downloading' | 'verifying' | 'extracting' | 'done';
  /** Bytes of the file on disk (a resumed part counts), of its size (0 while unknown). */
  readonly bytesDone: number;
  readonly bytesTotal: number;
  /** Bytes received from the network in this run, the /find answer included. */
  readonly networkBytes: number;
  /** Network bytes a second over the last few seconds. */
  readonly bytesPerSecond: number;
}

export interface FileInstallOptions {
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: FileProgress) => void;
}

export interface FileInstall {
  readonly kind: 'map' | 'engine';
  readonly request: string;
  /** The file's name on the files API (`avalanche_3.4.sd7`, `recoil_2025.01.6_amd64-linux.7z`). */
  readonly filename: string;
  /** Where it is installed: `maps/<filename>`, or the engine's folder. */
  readonly path: string;
  /** The verified file's size (the archive's, for an engine). */
  readonly bytes: number;
  /** Its MD5, computed here. */
  readonly md5: string;
  /** False when it was installed already and nothing was fetched. */
  readonly fetched: boolean;
  readonly networkBytes: number;
}

export interface EngineInstall extends FileInstall {
  readonly kind: 'engine';
  readonly version: string;
  /** The engine's files, and their unpacked bytes. */
  readonly files: number;
  readonly unpackedBytes: number;
}

interface Run {
  readonly item: string;
  readonly kind: 'map' | 'engine';
  readonly agents: HttpAgents;
  readonly signal: AbortSignal;
  readonly meter: SpeedMeter;
  readonly emit: (phase: FileProgress['phase'], bytesDone: number, bytesTotal: number) => void;
}

const ENGINE_BINARIES = ['spring', 'spring-headless', 'spring-dedicated'] as const;
/** Tools the engine runs besides itself: executable too when present. */
const ENGINE_TOOLS = ['pr-downloader'] as const;

function cancelled(): FilesError {
  return new FilesError('aborted', 'the download was cancelled');
}

/** Errors of the shared HTTP and 7-Zip layers, in the files client's words. */
function asFilesError(error: unknown): unknown {
  if (error instanceof RapidError) {
    const code = error.code === 'unknown_package' ? 'unknown_item' : error.code === 'bad_index' ? 'bad_answer' : error.code;
    return new FilesError(code, error.message);
  }
  if (error instanceof SevenZipError) return new FilesError(error.code === 'aborted' ? 'aborted' : 'bad_archive', error.message);
  return error;
}

async function isRegular(file: string): Promise<boolean> {
  try {
    return (await lstat(file)).isFile();
  } catch {
    return false;
  }
}

/** MD5 of a file's bytes (streamed). */
async function md5File(file: string, hash = createHash('md5')): Promise<ReturnType<typeof createHash>> {
  for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) hash.update(chunk);
  return hash;
}

export class FilesClient {
  private readonly dataDir: string;
  private readonly api: URL;
  private readonly idleMs: number;
  private readonly retries: number;
  private readonly retryDelayMs: number;
  private readonly platform: NodeJS.Platform;
  private readonly sevenZip: SevenZipBinary | undefined;
  private readonly flights = new SingleFlight<FileInstall, FileProgress>();

  constructor(options: FilesClientOptions) {
    this.dataDir = path.resolve(options.dataDir);
    this.api = FilesClient.checkApi(options.filesApi ?? DEFAULT_FILES_API);
    this.idleMs = options.idleMs ?? 30_000;
    this.retries = Math.max(0, Math.min(options.retries ?? 2, 10));
    this.retryDelayMs = Math.max(0, options.retryDelayMs ?? 500);
    this.platform = options.platform ?? process.platform;
    this.sevenZip = options.sevenZip;
  }

  /** The search address: plain http(s), no credentials or fragment (a query is kept: the client adds its own fields). */
  static checkApi(text: string): URL {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      throw new FilesError('bad_request', 'the files API address is not a URL');
    }
    if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.username || url.password || url.hash) {
      throw new FilesError('bad_request', 'the files API address must be plain http(s), without credentials or fragment');
    }
    return url;
  }

  /** Installs a map by its spring name (`Avalanche 3.4`) into `maps/<filename>`. */
  installMap(springName: string, options: FileInstallOptions = {}): Promise<FileInstall> {
    if (typeof springName !== 'string' || springName.trim() === '' || springName.length > 200 || hasControl(springName)) {
      return Promise.reject(new FilesError('bad_request', 'a map is named by its spring name (1 to 200 printable characters)'));
    }
    return this.join(`map:${springName}`, options, (signal, emit) => this.runMap(springName, signal, emit));
  }

  /** Installs an engine by version (`2025.01.6`) into `engine/<version>/`. */
  installEngine(version: string, options: FileInstallOptions = {}): Promise<EngineInstall> {
    if (typeof version !== 'string' || !isEngineVersion(version)) {
      return Promise.reject(new FilesError('bad_request', 'an engine version is 1 to 100 letters, digits, spaces and . + _ -, starting with a letter or digit'));
    }
    return this.join(`engine:${version}`, options, (signal, emit) => this.runEngine(version, signal, emit)) as Promise<EngineInstall>;
  }

  /** Where an engine version is (or would be) installed. */
  enginePath(version: string): string {
    return path.join(this.dataDir, 'engine', version);
  }

  /** Single-flight: a second caller joins the running download and its progress; it stops once every caller's signal has aborted. */
  private join(key: string, options: FileInstallOptions, start: (signal: AbortSignal, emit: (p: FileProgress) => void) => Promise<FileInstall>): Promise<FileInstall> {
    const mapped = (signal: AbortSignal, emit: (p: FileProgress) => void) => start(signal, emit)
      .catch((error: unknown) => { throw signal.aborted ? cancelled() : asFilesError(error); });
    return this.flights.join(key, options, mapped, cancelled);
  }

  private async withRun<T>(item: string, kind: Run['kind'], signal: AbortSignal, emit: (p: FileProgress) => void, work: (run: Run) => Promise<T>): Promise<T> {
    const meter = new SpeedMeter();
    const agents = createAgents(4);
    const run: Run = {
      item, kind, agents, signal, meter,
      emit: (phase, bytesDone, bytesTotal) => emit({ item, kind, phase, bytesDone, bytesTotal, networkBytes: meter.bytes, bytesPerSecond: meter.rate() }),
    };
    try {
      return await work(run);
    } finally {
      agents.destroy();
    }
  }

  /** `work` holding the item's lock across processes (`lock` beside `part`), reporting `waiting` while another holds it. */
  private async locked<T>(run: Run, lock: string, part: string, total: number, work: (lock: DownloadLock) => Promise<T>): Promise<T> {
    let told = 0;
    const onWait = () => {
      // The part is the other process's progress; looked at no more than once a second.
      if (Date.now() - told < 1000) return;
      told = Date.now();
      void stat(part).then((s) => s.size, () => 0).then((bytes) => { if (!run.signal.aborted) run.emit('waiting', bytes, total); });
    };
    return withDownloadLock(lock, { signal: run.signal, activity: part, onWait }, work);
  }

  private async find(run: Run, category: FilesCategory, springname: string): Promise<FilesEntry> {
    run.emit('resolving', 0, 0);
    const url = new URL(this.api);
    url.searchParams.set('category', category);
    url.searchParams.set('springname', springname);
    const what = 'the files API';
    const answer = await withRetries({ retries: this.retries, delayMs: this.retryDelayMs, signal: run.signal }, () =>
      httpGetBuffer(url, { agents: run.agents, signal: run.signal, maxBytes: FILES_LIMITS.answerBytes, what, idleMs: this.idleMs, redirects: 5 }));
    run.meter.add(answer.body.length);
    const entry = pickEntry(parseFindAnswer(answer.body, category), springname);
    const shown = JSON.stringify(springname.slice(0, 200));
    if (!entry) throw new FilesError('unknown_item', `the files API knows no ${category === 'map' ? 'map' : 'engine'} ${shown}${category === 'map' ? '' : ` for ${category}`}`);
    return entry;
  }

  /** A file already in place that matches what the files API says (MD5 when given, else the size, else being there). */
  private async matches(file: string, entry: FilesEntry): Promise<string | undefined> {
    if (!(await isRegular(file))) return undefined;
    if (entry.size !== undefined && (await stat(file)).size !== entry.size) return undefined;
    const md5 = (await md5File(file)).digest('hex');
    return entry.md5 === undefined || entry.md5 === md5 ? md5 : undefined;
  }

  private async runMap(springName: string, signal: AbortSignal, emit: (p: FileProgress) => void): Promise<FileInstall> {
    return this.withRun(springName, 'map', signal, emit, async (run) => {
      const entry = await this.find(run, 'map', springName);
      const target = path.join(this.dataDir, 'maps', entry.filename);
      const present = await this.matches(target, entry);
      const base = { kind: 'map' as const, request: springName, filename: entry.filename, path: target };
      if (present !== undefined) {
        const bytes = (await stat(target)).size;
        run.emit('done', bytes, bytes);
        return { ...base, bytes, md5: present, fetched: false, networkBytes: run.meter.bytes };
      }
      const part = path.join(this.dataDir, 'maps', `.${entry.filename}.part`);
      const lock = path.join(this.dataDir, 'maps', `.${entry.filename}.lock`);
      return this.locked(run, lock, part, entry.size ?? 0, async () => {
        // Looked at again under the lock: another process may have installed it meanwhile (verified like any file there).
        const installed = await this.matches(target, entry);
        if (installed !== undefined) {
          const bytes = (await stat(target)).size;
          run.emit('done', bytes, bytes);
          return { ...base, bytes, md5: installed, fetched: false, networkBytes: run.meter.bytes };
        }
        const { bytes, md5 } = await this.download(run, entry, part, `map ${entry.filename}`);
        await rename(part, target);
        run.emit('done', bytes, bytes);
        return { ...base, bytes, md5, fetched: true, networkBytes: run.meter.bytes };
      });
    });
  }

  /**
   * The file from its mirrors in order into `part`: each mirror gets `retries` more tries on a transient failure, and
   * every try resumes from what `part` holds (`Range`). A file whose size or MD5 does not match is deleted and the next
   * mirror tried; what failed last is reported. `part` stays after a network failure or a cancel, for the next run.
   */
  private async download(run: Run, entry: FilesEntry, part: string, what: string): Promise<{ bytes: number; md5: string }> {
    await mkdir(path.dirname(part), { recursive: true });
    let last: unknown;
    for (const mirror of entry.mirrors) {
      try {
        const md5 = await withRetries({ retries: this.retries, delayMs: this.retryDelayMs, signal: run.signal }, () => this.fetchFrom(run, mirror, entry, part, what));
        const bytes = (await stat(part)).size;
        run.emit('verifying', bytes, entry.size ?? bytes);
        if ((entry.size !== undefined && bytes !== entry.size) || (entry.md5 !== undefined && md5 !== entry.md5)) {
          await rm(part, { force: true });
          throw new FilesError('corrupt', `${what} does not match its ${entry.size !== undefined && bytes !== entry.size ? 'size' : 'MD5'} (the damaged download was deleted)`);
        }
        return { bytes, md5 };
      } catch (error) {
        if (run.signal.aborted) throw cancelled();
        last = asFilesError(error);
      }
    }
    throw last ?? new FilesError('not_found', `${what} has no mirror`);
  }

  /**
   * One try at one mirror: appends to `part` from its length on, or starts it afresh when the server sends the whole
   * file. Returns the MD5 of the whole part, hashed as the bytes arrive (a resumed part's bytes are read first).
   */
  private async fetchFrom(run: Run, mirror: URL, entry: FilesEntry, part: string, what: string): Promise<string> {
    let have = 0;
    try {
      const info = await lstat(part);
      if (!info.isFile()) await rm(part, { recursive: true, force: true });
      else have = info.size;
    } catch {
      have = 0;
    }
    if (entry.size !== undefined && have > entry.size) {
      await rm(part, { force: true });
      have = 0;
    }
    const total = entry.size;
    if (total !== undefined && have === total) return (await md5File(part)).digest('hex');
    const hash = md5Sink(total);
    // Opened once the server answers with the body: a 404 or a refused connection leaves no empty part behind.
    let file: FileHandle | undefined;
    let writer: PartWriter | undefined;
    let done = have;
    try {
      run.emit('downloading', done, total ?? 0);
      await httpGet(mirror, {
        agents: run.agents, signal: run.signal, what, idleMs: this.idleMs, redirects: 5,
        maxBytes: total ?? FILES_LIMITS.fileBytes,
        ...(have > 0 ? { rangeStart: have } : {}),
        onResponse: async ({ offset }) => {
          // A server that ignores Range sends the whole file: it replaces the part.
          file = await open(part, offset === 0 ? 'w' : 'a', 0o644);
          writer = new PartWriter(file);
          done = offset;
          if (offset > 0) await feedFile(hash, part);
        },
      }, async (chunk) => {
        await hash.update(chunk);
        done += chunk.length;
        run.meter.add(chunk.length);
        run.emit('downloading', done, total ?? 0);
        await writer!.add(chunk);
      });
      // The hasher's backlog and the disk's finish at once.
      const digest = hash.digest();
      digest.catch(() => undefined);
      await writer!.sync();
      return await digest;
    } catch (error) {
      // A part the server has no more of (a resume past its end: HTTP 416) is started afresh on the next try.
      if (error instanceof RapidError && /HTTP 416$/.test(error.message)) {
        await rm(part, { force: true });
        throw new RapidError('network', `${what}: the server could not resume the download`);
      }
      throw error;
    } finally {
      hash.close();
      // What arrived before a failure or a cancel is a true head of the file: kept, for the next try to resume after.
      await (writer as PartWriter | undefined)?.flush().catch(() => undefined);
      await (file as FileHandle | undefined)?.close();
    }
  }

  private async runEngine(version: string, signal: AbortSignal, emit: (p: FileProgress) => void): Promise<EngineInstall> {
    return this.withRun(version, 'engine', signal, emit, async (run) => {
      const dir = this.enginePath(version);
      const installed = await this.installedEngine(dir);
      const category = engineCategory(this.platform);
      if (installed) {
        run.emit('done', 0, 0);
        return { kind: 'engine', request: version, version, filename: '', path: dir, bytes: 0, md5: '', fetched: false, networkBytes: 0, ...installed };
      }
      const entry = await this.find(run, category, version);
      const engineRoot = path.join(this.dataDir, 'engine');
      const part = path.join(engineRoot, `.${entry.filename}.part`);
      return this.locked(run, path.join(engineRoot, `.${version}.lock`), part, entry.size ?? 0, async () => {
        const there = await this.installedEngine(dir);
        if (there) {
          run.emit('done', 0, 0);
          return { kind: 'engine', request: version, version, filename: entry.filename, path: dir, bytes: 0, md5: '', fetched: false, networkBytes: run.meter.bytes, ...there };
        }
        return this.fetchEngine(run, version, entry, part);
      });
    });
  }

  /** Under the version's lock: the archive fetched, unpacked beside its place, checked, renamed in. */
  private async fetchEngine(run: Run, version: string, entry: FilesEntry, part: string): Promise<EngineInstall> {
    const dir = this.enginePath(version);
    const engineRoot = path.join(this.dataDir, 'engine');
    // A killed run's unpacking folder for this version is nobody's now (one run per version at a time, across processes too).
    for (const name of await readdir(engineRoot).catch(() => [] as string[])) {
      if (name.startsWith(`.${version}.`) && /\.[0-9a-f]{12}\.unpack$/.test(name)) await rm(path.join(engineRoot, name), { recursive: true, force: true });
    }
    const { bytes, md5 } = await this.download(run, entry, part, `engine archive ${entry.filename}`);
    // Verified: it is no longer a part to resume. Unpacked beside its place, checked, then renamed in; the archive goes either way.
    const archive = path.join(engineRoot, `.${entry.filename}`);
    await rename(part, archive);
    const staging = path.join(engineRoot, `.${version}.${randomBytes(6).toString('hex')}.unpack`);
    try {
      run.emit('extracting', bytes, bytes);
      const unpacked = await extractArchive(archive, staging, {
        signal: run.signal, maxBytes: FILES_LIMITS.engineBytes, what: `engine archive ${entry.filename}`, ...(this.sevenZip ? { sevenZip: this.sevenZip } : {}),
      });
      await this.checkEngine(staging, version);
      try {
        await rename(staging, dir);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOTEMPTY' || code === 'EEXIST') throw new FilesError('bad_engine', `engine/${version} exists already and holds something that is not this engine: remove it first`);
        throw error;
      }
      const files = unpacked.entries.filter((e) => !e.directory).length;
      run.emit('done', bytes, bytes);
      return { kind: 'engine', request: version, version, filename: entry.filename, path: dir, bytes, md5, fetched: true, networkBytes: run.meter.bytes, files, unpackedBytes: unpacked.bytes };
    } finally {
      await rm(archive, { force: true });
      await rm(staging, { recursive: true, force: true });
    }
  }

  private binaryName(name: string): string {
    return this.platform === 'win32' ? `${name}.exe` : name;
  }

  /** An engine folder already in place: a spring binary that can run. */
  private async installedEngine(dir: string): Promise<{ files: number; unpackedBytes: number } | undefined> {
    for (const name of ENGINE_BINARIES) {
      const file = path.join(dir, this.binaryName(name));
      if (!(await isRegular(file))) continue;
      if (this.platform !== 'win32' && !(await access(file, constants.X_OK).then(() => true, () => false))) continue;
      return { files: 0, unpackedBytes: 0 };
    }
    return undefined;
  }

  /**
   * What a release archive holds: at least one of spring, spring-headless, spring-dedicated at its root, each binary
   * (and pr-downloader) executable (an archive made on Windows stores no Unix modes: they are set here), and every file
   * its files.md5.gz lists present with that MD5.
   */
  private async checkEngine(dir: string, version: string): Promise<void> {
    let found = 0;
    for (const name of [...ENGINE_BINARIES, ...ENGINE_TOOLS]) {
      const file = path.join(dir, this.binaryName(name));
      if (!(await isRegular(file))) continue;
      if ((ENGINE_BINARIES as readonly string[]).includes(name)) found++;
      if (this.platform === 'win32') continue;
      const { mode } = await stat(file);
      if ((mode & 0o111) !== 0o111) await chmod(file, (mode & 0o777) | 0o755);
      await access(file, constants.X_OK).catch(() => { throw new FilesError('bad_engine', `engine ${version}: ${name} cannot be made executable`); });
    }
    if (found === 0) throw new FilesError('bad_engine', `engine ${version}'s archive holds no spring, spring-headless or spring-dedicated at its top`);
    const sums = path.join(dir, 'files.md5.gz');
    if (!(await isRegular(sums))) return;
    if ((await stat(sums)).size > FILES_LIMITS.md5sumsGzBytes) throw new FilesError('bad_engine', `engine ${version}'s files.md5.gz is too large`);
    for (const { md5, path: rel } of parseMd5Sums(await readFile(sums))) {
      const file = path.join(dir, ...rel.split('/'));
      if (!(await isRegular(file)) || (await md5File(file)).digest('hex') !== md5) {
        throw new FilesError('bad_engine', `engine ${version}: ${JSON.stringify(rel.slice(0, 200))} is missing or does not match files.md5.gz`);
      }
    }
  }

  /** The engine versions installed in `engine/` (folders with a runnable spring binary). */
  async installedEngines(): Promise<string[]> {
    const root = path.join(this.dataDir, 'engine');
    const names = await readdir(root).catch(() => [] as string[]);
    const out: string[] = [];
    for (const name of names.sort()) if (isEngineVersion(name) && (await this.installedEngine(path.join(root, name)))) out.push(name);
    return out;
  }
}
