// Rapid's streamer, pr-downloader's other transport: one `POST <base>/streamer.cgi?<sdp md5>` whose body is the gzip of a
// bit array naming the wanted .sdp entries, answered with, for each of them in .sdp order, a 4-byte big-endian length and
// that many bytes of the file's pool gzip. The answer is parsed as it arrives (never held whole): each frame goes through
// the same verified, atomic pool write as a plain GET, and its length, the frame count and the whole answer are capped.
import zlib from 'node:zlib';
import { isRegularFile, poolFilePath } from './content-files';
import type { HttpAgents, RetryOptions } from './http-get';
import { httpGet, withRetries } from './http-get';
import { maxGzipBytes, PoolFileWriter } from './pool-file';
import type { SdpEntry } from './rapid-format';
import { RapidError, streamerBits } from './rapid-format';

/**
 * How pool files are fetched: `get`, plain GETs only; `streamer`, the streamer only; `auto` (the default), plain GETs,
 * and for a repository whose pool answers a GET 404, 405 or 501 the streamer, remembered for that repository while the
 * client lives. When the streamer is refused the same way, the GET's failure stands (a file really missing stays `not_found`).
 */
export type RapidTransport = 'auto' | 'get' | 'streamer';

/** The statuses of a pool that has no files to GET (the repository answered its index): try the streamer. */
const NO_POOL_GET = new Set([404, 405, 501]);

/** A failure that says the repository's pool (or its streamer) is not there for this way of asking. */
export function poolRefusesGets(error: unknown): boolean {
  return error instanceof RapidError && error.status !== undefined && NO_POOL_GET.has(error.status);
}

/** A wanted pool file: its place in the .sdp (the bit that asks for it) and its entry. */
export interface StreamedFile {
  readonly index: number;
  readonly entry: SdpEntry;
}

export interface StreamOptions {
  readonly agents: HttpAgents;
  readonly signal: AbortSignal;
  readonly idleMs?: number;
  /** Files whose fsync and rename may still run while the next ones arrive. */
  readonly commits: number;
  /** The streamer answered 200: the repository has one. */
  readonly onAnswered?: () => void;
}

export interface StreamProgress {
  onNetwork(bytes: number): void;
  /** Gunzipped bytes of a file being received. */
  onContent(file: StreamedFile, bytes: number): void;
  /** A file is verified and in the pool. */
  onFile(file: StreamedFile): void;
}

/** A frame is a 4-byte length and the gzip; the whole answer is at most every wanted file's largest honest gzip. */
export function maxStreamBytes(files: readonly StreamedFile[]): number {
  return files.reduce((sum, f) => sum + 4 + maxGzipBytes(f.entry.size), 0);
}

/**
 * Asks the streamer of the repository at `base` for `files` (in .sdp order, at least one) of package `sdpMd5`, which has
 * `entries` files, and writes each into the pool as it arrives. A failure (a bad file, a cut or malformed answer, a
 * cancel) throws once every file received whole before it has been written or dropped: those stay in the pool.
 */
export async function streamPoolFiles(
  base: string, sdpMd5: string, entries: number, files: readonly StreamedFile[], dataDir: string, options: StreamOptions, progress: StreamProgress,
): Promise<void> {
  const url = new URL(`${base}/streamer.cgi?${sdpMd5}`);
  const body = zlib.gzipSync(streamerBits(entries, files.map((f) => f.index)));
  const parser = new FrameParser(sdpMd5, files, dataDir, options.commits, progress);
  try {
    await httpGet(url, {
      agents: options.agents, signal: options.signal, maxBytes: maxStreamBytes(files), what: `the streamer's answer for package ${sdpMd5}`,
      ...(options.idleMs !== undefined ? { idleMs: options.idleMs } : {}),
      post: { body, type: 'application/octet-stream' },
      onResponse: ({ total }) => {
        parser.expectTotal(total);
        options.onAnswered?.();
      },
    }, async (chunk) => {
      progress.onNetwork(chunk.length);
      await parser.push(chunk);
    });
    await parser.end();
  } catch (error) {
    await parser.abort();
    throw error;
  }
}

/** A package's missing pool files, for the streamer. */
export interface MissingFiles {
  /** The repository's base URL. */
  readonly base: string;
  readonly sdpMd5: string;
  /** The package's entries, in .sdp order: an entry's place is its bit. */
  readonly entries: readonly SdpEntry[];
  /** The distinct pool files to fetch. */
  readonly missing: readonly SdpEntry[];
  readonly dataDir: string;
  /** Pool files (by MD5) being fetched in this process, shared with the plain GETs: awaited first, and joined. */
  readonly flights: Map<string, Promise<void>>;
  readonly retry: RetryOptions;
}

/**
 * Fetches through the streamer every file of `missing` not in the pool; after a transient failure (a broken or cut
 * answer, a 5xx) it asks again for what is still missing. `onContent` gets content bytes (negative when a failed
 * attempt's are taken back), `onFile` each file once it is in the pool, whoever put it there.
 */
export async function streamMissingFiles(
  job: MissingFiles, options: StreamOptions, progress: { onNetwork(bytes: number): void; onContent(bytes: number): void; onFile(entry: SdpEntry): void },
): Promise<void> {
  const firstIndex = new Map<string, number>();
  job.entries.forEach((entry, i) => { if (!firstIndex.has(entry.md5)) firstIndex.set(entry.md5, i); });
  const done = new Set<string>();
  const arrived = (entry: SdpEntry) => {
    if (done.has(entry.md5)) return;
    done.add(entry.md5);
    progress.onFile(entry);
  };
  const present = async (entry: SdpEntry) => {
    if (!(await isRegularFile(poolFilePath(job.dataDir, entry.md5)))) return false;
    progress.onContent(entry.size);
    arrived(entry);
    return true;
  };
  await withRetries(job.retry, async () => {
    // Rounds: what another package is fetching is waited for (and looked for again after), the rest asked for now.
    for (;;) {
      const candidates: SdpEntry[] = [];
      for (const entry of job.missing) {
        // The flight first, then the file: a flight ends only after its files are in place.
        if (!done.has(entry.md5) && (job.flights.has(entry.md5) || !(await present(entry)))) candidates.push(entry);
      }
      // No await from this look to the claim below: a file another package began fetching meanwhile is not fetched twice.
      const others = candidates.filter((entry) => job.flights.has(entry.md5));
      const wanted = candidates.filter((entry) => !job.flights.has(entry.md5)).map((entry) => ({ index: firstIndex.get(entry.md5)!, entry }));
      if (wanted.length === 0 && others.length === 0) return; // an empty selection is never sent
      const joined = Promise.all(others.map((entry) => job.flights.get(entry.md5)!.catch(() => undefined)));
      if (wanted.length > 0) await streamRound(job, wanted.sort((a, b) => a.index - b.index), options, progress, arrived);
      await joined;
    }
  });
}

/** One streamer request for `wanted`, each file claimed in `flights` until the request has settled. */
async function streamRound(
  job: MissingFiles, wanted: readonly StreamedFile[], options: StreamOptions, progress: { onNetwork(bytes: number): void; onContent(bytes: number): void },
  arrived: (entry: SdpEntry) => void,
): Promise<void> {
  const counted = new Map<string, number>();
  let settle = () => {};
  const flight = new Promise<void>((resolve) => { settle = resolve; });
  for (const file of wanted) job.flights.set(file.entry.md5, flight);
  try {
    await streamPoolFiles(job.base, job.sdpMd5, job.entries.length, wanted, job.dataDir, options, {
      onNetwork: progress.onNetwork,
      onContent: (file, bytes) => {
        counted.set(file.entry.md5, (counted.get(file.entry.md5) ?? 0) + bytes);
        progress.onContent(bytes);
      },
      onFile: (file) => {
        counted.delete(file.entry.md5);
        arrived(file.entry);
      },
    });
  } catch (error) {
    // The files that did not arrive are asked for afresh: what they counted is taken back.
    for (const bytes of counted.values()) progress.onContent(-bytes);
    throw error;
  } finally {
    for (const file of wanted) if (job.flights.get(file.entry.md5) === flight) job.flights.delete(file.entry.md5);
    settle();
  }
}

/** The answer's state machine: a frame's 4 length bytes (which may arrive split), then its body, into one writer at a time. */
class FrameParser {
  private readonly header = Buffer.alloc(4);
  private headerBytes = 0;
  private current: { file: StreamedFile; writer: PoolFileWriter; left: number } | undefined;
  private frames = 0;
  private consumed = 0;
  private total: number | undefined;
  private readonly committing = new Set<Promise<void>>();
  private failure: unknown;

  constructor(
    private readonly sdpMd5: string, private readonly files: readonly StreamedFile[], private readonly dataDir: string,
    private readonly commits: number, private readonly progress: StreamProgress,
  ) {}

  private malformed(why: string): RapidError {
    return new RapidError('bad_index', `the streamer's answer for package ${this.sdpMd5} is not what rapid sends: ${why}`);
  }

  expectTotal(total: number | undefined): void {
    this.total = total;
  }

  async push(chunk: Buffer): Promise<void> {
    let at = 0;
    while (at < chunk.length) {
      if (this.failure !== undefined) throw this.failure;
      if (this.current === undefined) {
        if (this.frames === this.files.length) throw this.malformed(`it goes on after the ${this.files.length} files asked for`);
        const take = Math.min(4 - this.headerBytes, chunk.length - at);
        chunk.copy(this.header, this.headerBytes, at, at + take);
        this.headerBytes += take;
        this.consumed += take;
        at += take;
        if (this.headerBytes < 4) break;
        this.headerBytes = 0;
        await this.startFrame(this.header.readUInt32BE(0));
        continue;
      }
      const frame = this.current;
      const take = Math.min(frame.left, chunk.length - at);
      frame.left -= take;
      this.consumed += take;
      await frame.writer.write(chunk.subarray(at, at + take));
      at += take;
      if (frame.left === 0) this.finishFrame();
    }
  }

  private async startFrame(length: number): Promise<void> {
    const file = this.files[this.frames]!;
    const name = poolFileName(file);
    if (length > maxGzipBytes(file.entry.size)) throw this.malformed(`it says ${name} is ${length} bytes, more than its gzip can be`);
    if (this.total !== undefined && length > this.total - this.consumed) throw this.malformed(`it says ${name} is ${length} bytes, more than the rest of the answer`);
    // The fsyncs of earlier files overlap this one's transfer, a bounded number of them.
    while (this.committing.size >= this.commits) await Promise.race(this.committing);
    if (this.failure !== undefined) throw this.failure;
    this.current = { file, writer: await PoolFileWriter.open(this.dataDir, file.entry, name, (bytes) => this.progress.onContent(file, bytes)), left: length };
    if (length === 0) this.finishFrame();
  }

  private finishFrame(): void {
    const { file, writer } = this.current!;
    this.current = undefined;
    this.frames++;
    const commit = writer.commit().then(() => this.progress.onFile(file), (error: unknown) => { this.failure ??= error; });
    this.committing.add(commit);
    void commit.finally(() => this.committing.delete(commit));
  }

  /** The answer is all in: every frame asked for, none cut; then every file is written (or the first bad one thrown). */
  async end(): Promise<void> {
    if (this.current !== undefined || this.headerBytes > 0) {
      const name = poolFileName(this.files[this.frames]!);
      throw this.malformed(`it ends in the middle of ${name}`);
    }
    if (this.frames !== this.files.length) throw this.malformed(`it holds ${this.frames} of the ${this.files.length} files asked for`);
    await this.settle();
    if (this.failure !== undefined) throw this.failure;
  }

  /** Drops the file being received and waits for the ones received whole (they stay when they verify). */
  async abort(): Promise<void> {
    const frame = this.current;
    this.current = undefined;
    if (frame) await frame.writer.discard();
    await this.settle();
  }

  private async settle(): Promise<void> {
    while (this.committing.size > 0) await Promise.all(this.committing);
  }
}

/** How messages name a file: its pool name and its name in the package. */
function poolFileName(file: StreamedFile): string {
  return `pool file ${file.entry.md5} (${file.entry.name})`;
}
