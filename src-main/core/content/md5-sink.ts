// MD5 of a download as its bytes arrive. For a large file the hashing runs on a worker thread, beside the socket and
// the disk writes rather than after them: on a slow CPU MD5 costs as much as the transfer itself.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Worker } from 'node:worker_threads';

export interface Md5Sink {
  update(chunk: Buffer): void;
  /** The digest of everything given; the sink is closed after. */
  digest(): Promise<string>;
  /** Stops it without a digest (a failed download). */
  close(): void;
}

/** Files smaller than this are hashed inline: a worker costs a few tens of milliseconds to start. */
export const WORKER_MIN_BYTES = 8 << 20;
const BATCH_BYTES = 1 << 20;

const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const hash = require('node:crypto').createHash('md5');
parentPort.on('message', (m) => { if (m === 'digest') { parentPort.postMessage(hash.digest('hex')); parentPort.close(); } else hash.update(m); });
`;

function inlineSink(): Md5Sink {
  const hash = createHash('md5');
  return { update: (chunk) => { hash.update(chunk); }, digest: () => Promise.resolve(hash.digest('hex')), close: () => undefined };
}

function workerSink(): Md5Sink {
  const worker = new Worker(WORKER_SOURCE, { eval: true });
  let failure: Error | undefined;
  worker.on('error', (error) => { failure ??= error; });
  // Chunks gathered into 1 MiB batches (a copy the worker then owns: a socket's buffer may be a slice of a pool in use).
  let batch = new Uint8Array(BATCH_BYTES);
  let filled = 0;
  const flush = () => {
    if (filled === 0) return;
    const full = batch.subarray(0, filled);
    worker.postMessage(full, [batch.buffer]);
    batch = new Uint8Array(BATCH_BYTES);
    filled = 0;
  };
  return {
    update(chunk) {
      let at = 0;
      while (at < chunk.length) {
        const n = Math.min(chunk.length - at, BATCH_BYTES - filled);
        batch.set(chunk.subarray(at, at + n), filled);
        filled += n;
        at += n;
        if (filled === BATCH_BYTES) flush();
      }
    },
    digest() {
      flush();
      return new Promise<string>((resolve, reject) => {
        if (failure) return reject(failure);
        worker.once('message', (digest: unknown) => (typeof digest === 'string' ? resolve(digest) : reject(new Error('md5 worker: no digest'))));
        worker.once('error', reject);
        worker.once('exit', () => reject(failure ?? new Error('md5 worker ended')));
        worker.postMessage('digest');
      });
    },
    close() {
      void worker.terminate();
    },
  };
}

/** A sink for a file of about `bytes` (undefined: unknown, so maybe large). */
export function md5Sink(bytes: number | undefined): Md5Sink {
  return bytes !== undefined && bytes < WORKER_MIN_BYTES ? inlineSink() : workerSink();
}

/** Feeds a file's bytes to the sink (a resumed part's head). */
export async function feedFile(sink: Md5Sink, file: string): Promise<void> {
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) sink.update(chunk);
}
