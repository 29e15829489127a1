// MD5 of a download as its bytes arrive. For a large file the hashing runs beside the socket and the disk writes, not
// after them (on a slow CPU MD5 costs as much as the transfer itself): in coreutils' md5sum where there is one (about
// twice as fast as Node's), else on a worker thread. Both apply backpressure: a hasher that falls behind slows the socket.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { accessSync, constants, createReadStream } from 'node:fs';
import { Worker } from 'node:worker_threads';

export interface Md5Sink {
  /** Resolves when the hasher can take more (awaited by the download). */
  update(chunk: Buffer): Promise<void> | void;
  /** The digest of everything given; the sink is closed after. */
  digest(): Promise<string>;
  /** Stops it without a digest (a failed download). */
  close(): void;
}

/** Files smaller than this are hashed inline: a helper costs a few milliseconds to start. */
export const HELPER_MIN_BYTES = 8 << 20;
const BATCH_BYTES = 1 << 20;
/** Bytes handed to a hasher and not yet hashed, before the download waits. */
const BACKLOG_BYTES = 16 << 20;

function inlineSink(): Md5Sink {
  const hash = createHash('md5');
  return { update: (chunk) => { hash.update(chunk); }, digest: () => Promise.resolve(hash.digest('hex')), close: () => undefined };
}

/** Gathers chunks into 1 MiB batches (copies the hasher then owns: a socket's buffer may be a slice of a pool in use). */
function batcher(send: (batch: Uint8Array) => Promise<void> | void): { add(chunk: Buffer): Promise<void>; flush(): Promise<void> } {
  let batch = new Uint8Array(BATCH_BYTES);
  let filled = 0;
  const flush = async () => {
    if (filled === 0) return;
    const full = batch.subarray(0, filled);
    batch = new Uint8Array(BATCH_BYTES);
    filled = 0;
    await send(full);
  };
  return {
    async add(chunk) {
      let at = 0;
      while (at < chunk.length) {
        const n = Math.min(chunk.length - at, BATCH_BYTES - filled);
        batch.set(chunk.subarray(at, at + n), filled);
        filled += n;
        at += n;
        if (filled === BATCH_BYTES) await flush();
      }
    },
    flush,
  };
}

const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const hash = require('node:crypto').createHash('md5');
parentPort.on('message', (m) => {
  if (m === 'digest') { parentPort.postMessage(hash.digest('hex')); parentPort.close(); return; }
  hash.update(m);
  parentPort.postMessage(m.length);
});
`;

function workerSink(): Md5Sink {
  const worker = new Worker(WORKER_SOURCE, { eval: true });
  let failure: Error | undefined;
  let backlog = 0;
  let wake: (() => void) | undefined;
  let answer: ((digest: string) => void) | undefined;
  worker.on('error', (error) => { failure ??= error; wake?.(); });
  worker.on('message', (m: unknown) => {
    if (typeof m === 'number') {
      backlog -= m;
      if (backlog < BACKLOG_BYTES) wake?.();
    } else if (typeof m === 'string') {
      answer?.(m);
    }
  });
  const batches = batcher(async (batch) => {
    if (failure) throw failure;
    backlog += batch.length;
    worker.postMessage(batch, [batch.buffer as ArrayBuffer]);
    while (backlog >= BACKLOG_BYTES && !failure) await new Promise<void>((resolve) => { wake = resolve; });
  });
  return {
    update: (chunk) => batches.add(chunk),
    async digest() {
      await batches.flush();
      return new Promise<string>((resolve, reject) => {
        if (failure) return reject(failure);
        answer = resolve;
        worker.once('error', reject);
        worker.once('exit', () => reject(failure ?? new Error('the MD5 worker ended')));
        worker.postMessage('digest');
      });
    },
    close() {
      void worker.terminate();
    },
  };
}

let md5sumPath: string | null | undefined;

/** coreutils' md5sum, on Linux only (its output is known there). */
function findMd5sum(): string | null {
  if (md5sumPath !== undefined) return md5sumPath;
  md5sumPath = null;
  if (process.platform !== 'linux') return md5sumPath;
  for (const candidate of ['/usr/bin/md5sum', '/bin/md5sum']) {
    try {
      accessSync(candidate, constants.X_OK);
      md5sumPath = candidate;
      break;
    } catch {
      // next
    }
  }
  return md5sumPath;
}

function md5sumSink(binary: string): Md5Sink {
  const child = spawn(binary, [], { stdio: ['pipe', 'pipe', 'ignore'], env: { LC_ALL: 'C' } });
  let failure: Error | undefined;
  let out = '';
  child.once('error', (error) => { failure ??= error; });
  child.stdin.on('error', (error) => { failure ??= error; });
  child.stdout.setEncoding('utf8').on('data', (text: string) => { if (out.length < 200) out += text; });
  const closed = new Promise<number | null>((resolve) => child.once('close', resolve));
  // Chunks go to the pipe as they are (a socket's chunk is never written over): no copy.
  const send = async (chunk: Buffer) => {
    if (failure) throw failure;
    child.stdin.write(chunk);
    // Up to the backlog queued in the pipe's stream: the download runs on while md5sum catches up.
    if (child.stdin.writableLength >= BACKLOG_BYTES) await Promise.race([new Promise<void>((resolve) => child.stdin.once('drain', resolve)), closed]);
  };
  return {
    update: send,
    async digest() {
      if (failure) throw failure;
      child.stdin.end();
      const code = await closed;
      const digest = /^([0-9a-f]{32})\s/.exec(out)?.[1];
      if (failure || code !== 0 || !digest) throw failure ?? new Error(`md5sum failed (exit code ${code})`);
      return digest;
    },
    close() {
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}

export type Md5Helper = 'inline' | 'md5sum' | 'worker';

/** A sink for a file of about `bytes` (undefined: unknown, so maybe large); `helper` forces one (tests). */
export function md5Sink(bytes: number | undefined, helper?: Md5Helper): Md5Sink {
  if (helper === 'inline' || (helper === undefined && bytes !== undefined && bytes < HELPER_MIN_BYTES)) return inlineSink();
  const md5sum = helper === 'worker' ? null : findMd5sum();
  return md5sum ? md5sumSink(md5sum) : workerSink();
}

/** Feeds a file's bytes to the sink (a resumed part's head). */
export async function feedFile(sink: Md5Sink, file: string): Promise<void> {
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) await sink.update(chunk);
}
