// One pool file: its gzip bytes stored verbatim, and kept only when the MD5 of the gunzipped content and its size match
// the package index (as pr-downloader's HashGzip check and the engine's PoolArchive expect). The bytes come from a plain
// GET (`fetchPoolFile`) or from a frame of the streamer's answer (`rapid-streamer.ts`): both write through `PoolFileWriter`.
import { createHash } from 'node:crypto';
import { finished } from 'node:stream/promises';
import zlib from 'node:zlib';
import type { AtomicFile } from './content-files';
import { openAtomically, poolFilePath } from './content-files';
import type { GetOptions } from './http-get';
import { httpGet } from './http-get';
import { RapidError } from './rapid-format';
import type { SdpEntry } from './rapid-format';

const GUNZIP_CHUNK = 128 * 1024;
const WRITE_BATCH = 512 * 1024;
/** A gzip member's header and trailer: no gzip is shorter (an empty body would otherwise pass as an empty file). */
const MIN_GZIP_BYTES = 18;

/** The gzip of a file is at most a little larger than the file (stored blocks): this cap never refuses an honest one. */
export function maxGzipBytes(size: number): number {
  return size + Math.ceil(size / 1024) + 65_536;
}

/**
 * A pool file being received: each chunk goes to a temp file beside `pool/xx/<30 hex>.gz` (in batches) and through a
 * gunzip that hashes and counts the content; `commit` checks MD5 and size and renames it into place, `discard` drops it.
 */
export class PoolFileWriter {
  private readonly gunzip = zlib.createGunzip({ chunkSize: GUNZIP_CHUNK }); // large pieces: each is a round trip to zlib's thread
  private readonly hash = createHash('md5');
  private readonly done: Promise<void>;
  private content = 0;
  private received = 0;
  /** The last 4 bytes received: the gzip trailer's size of the content (little-endian) when nothing follows it. */
  private readonly tail = Buffer.alloc(4);
  private failure: RapidError | undefined;
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  private constructor(private readonly atomic: AtomicFile, private readonly entry: SdpEntry, private readonly what: string, onContent: (bytes: number) => void) {
    this.gunzip.on('data', (chunk: Buffer) => {
      this.content += chunk.length;
      if (this.content > entry.size) return this.fail(new RapidError('corrupt', `${what} is larger than its package index says`));
      this.hash.update(chunk);
      onContent(chunk.length);
    });
    this.gunzip.on('error', () => this.fail(new RapidError('corrupt', `${what} is not valid gzip`)));
    this.done = finished(this.gunzip).then(() => undefined, () => undefined);
  }

  /** `what` names the file in messages (`pool file <md5>`); `onContent` gets each gunzipped piece's length. */
  static async open(dataDir: string, entry: SdpEntry, what: string, onContent: (bytes: number) => void): Promise<PoolFileWriter> {
    return new PoolFileWriter(await openAtomically(poolFilePath(dataDir, entry.md5)), entry, what, onContent);
  }

  private fail(error: RapidError): void {
    this.failure ??= error;
    this.gunzip.destroy(); // a gzip bomb stops here, not after inflating all of it
  }

  /** Takes the next received bytes; throws once the content is known to be bad. */
  async write(chunk: Buffer): Promise<void> {
    if (this.failure) throw this.failure;
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    this.received += chunk.length;
    if (chunk.length >= 4) {
      chunk.copy(this.tail, 0, chunk.length - 4);
    } else {
      this.tail.copyWithin(0, chunk.length);
      chunk.copy(this.tail, 4 - chunk.length);
    }
    this.gunzip.write(chunk);
    if (this.pendingBytes >= WRITE_BATCH) await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.pendingBytes === 0) return;
    const batch = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    await this.atomic.file.writev(batch);
  }

  /** All bytes are in: verified, then fsynced and renamed into the pool. On a failure nothing is left behind. */
  async commit(): Promise<void> {
    try {
      await this.flush();
      this.gunzip.end();
      await this.done;
      if (this.failure) throw this.failure;
      // zlib stops at a gzip member's end and ignores what follows when it starts with a zero byte: the file must end
      // there, with the trailer's size (RFC 1952, ISIZE: the content's size modulo 2^32).
      if (this.received < MIN_GZIP_BYTES || this.tail.readUInt32LE(0) !== this.content % 2 ** 32) {
        throw new RapidError('corrupt', `${this.what} is not valid gzip`);
      }
      if (this.content !== this.entry.size || this.hash.digest('hex') !== this.entry.md5) {
        throw new RapidError('corrupt', `${this.what} does not match its MD5 (the server sent a damaged file)`);
      }
    } catch (error) {
      await this.discard();
      throw error;
    }
    await this.atomic.commit();
  }

  /** Drops what was received; never throws. */
  async discard(): Promise<void> {
    if (!this.gunzip.destroyed) this.gunzip.destroy();
    await this.atomic.discard();
  }
}

/** GETs `<base>/pool/xx/<30 hex>.gz` into the pool; `onNetwork` gets each received chunk's length, `onContent` each gunzipped one's. */
export async function fetchPoolFile(
  base: string,
  dataDir: string,
  entry: SdpEntry,
  options: Omit<GetOptions, 'maxBytes' | 'what'>,
  progress: { onNetwork(bytes: number): void; onContent(bytes: number): void },
): Promise<void> {
  const url = new URL(`${base}/pool/${entry.md5.slice(0, 2)}/${entry.md5.slice(2)}.gz`);
  const what = `pool file ${entry.md5}`;
  const writer = await PoolFileWriter.open(dataDir, entry, what, progress.onContent);
  try {
    await httpGet(url, { ...options, maxBytes: maxGzipBytes(entry.size), what }, async (chunk) => {
      progress.onNetwork(chunk.length);
      await writer.write(chunk);
    });
  } catch (error) {
    await writer.discard();
    throw error;
  }
  await writer.commit();
}
