// One pool file: fetched with a plain GET, its gzip bytes stored verbatim, and kept only when the MD5 of the gunzipped
// content and its size match the package index (as pr-downloader's HashGzip check and the engine's PoolArchive expect).
import { createHash } from 'node:crypto';
import { finished } from 'node:stream/promises';
import zlib from 'node:zlib';
import { poolFilePath, writeAtomically } from './content-files';
import type { GetOptions } from './http-get';
import { httpGet } from './http-get';
import { RapidError } from './rapid-format';
import type { SdpEntry } from './rapid-format';

const GUNZIP_CHUNK = 128 * 1024;
const WRITE_BATCH = 512 * 1024;

/** The gzip of a file is at most a little larger than the file (stored blocks): this cap never refuses an honest one. */
export function maxGzipBytes(size: number): number {
  return size + Math.ceil(size / 1024) + 65_536;
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
  await writeAtomically(poolFilePath(dataDir, entry.md5), async (file) => {
    // Output in large pieces: each piece is a round trip to zlib's thread, and 16 KiB (the default) makes many.
    const gunzip = zlib.createGunzip({ chunkSize: GUNZIP_CHUNK });
    const hash = createHash('md5');
    let content = 0;
    let failure: RapidError | undefined;
    const fail = (error: RapidError) => {
      failure ??= error;
      gunzip.destroy(); // a gzip bomb stops here, not after inflating all of it
    };
    gunzip.on('data', (chunk: Buffer) => {
      content += chunk.length;
      if (content > entry.size) return fail(new RapidError('corrupt', `${what} is larger than its package index says`));
      hash.update(chunk);
      progress.onContent(chunk.length);
    });
    gunzip.on('error', () => fail(new RapidError('corrupt', `${what} is not valid gzip`)));
    const done = finished(gunzip).catch(() => undefined);
    // The received bytes go to disk in batches: one write per batch, not per network chunk.
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    const flush = async () => {
      if (pendingBytes === 0) return;
      const batch = pending;
      pending = [];
      pendingBytes = 0;
      await file.writev(batch);
    };
    try {
      await httpGet(url, { ...options, maxBytes: maxGzipBytes(entry.size), what }, async (chunk) => {
        if (failure) throw failure;
        pending.push(chunk);
        pendingBytes += chunk.length;
        progress.onNetwork(chunk.length);
        gunzip.write(chunk);
        if (pendingBytes >= WRITE_BATCH) await flush();
      });
      await flush();
      gunzip.end();
      await done;
    } finally {
      if (!gunzip.destroyed) gunzip.destroy();
    }
    if (failure) throw failure;
    if (content !== entry.size || hash.digest('hex') !== entry.md5) throw new RapidError('corrupt', `${what} does not match its MD5 (the server sent a damaged file)`);
  });
}
