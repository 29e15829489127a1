// Benchmark: a verified map download through the files API (our FilesClient: /find, Range-ready .part, MD5 and size
// checked, fsync, rename into maps/) against a bare HTTP GET of the same bytes from the same local server, streamed to
// a file, in the same run; and the floor: the same bare GET whose bytes also go through the hasher our download uses
// (coreutils' md5sum, fed by a pipe) and are fsync'd, as a verified and durable download must. Each is run 3 times,
// alternating; the medians are compared.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { FilesClient } from '../../src-main/core/content';
import { startContentServer } from '../support/content-server';

const MAP_BYTES = 128 << 20;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function bareGet(url: string, file: string): Promise<void> {
  const response = await new Promise<http.IncomingMessage>((resolve, reject) => http.get(url, resolve).once('error', reject));
  if (response.statusCode !== 200) throw new Error(`bench: bare GET answered ${response.statusCode}`);
  await pipeline(response, createWriteStream(file));
}

/** The floor: a bare GET teed into a file (fsync'd at the end) and into md5sum; resolves with the digest. */
async function floorGet(url: string, file: string): Promise<string> {
  const response = await new Promise<http.IncomingMessage>((resolve, reject) => http.get(url, resolve).once('error', reject));
  if (response.statusCode !== 200) throw new Error(`bench: floor GET answered ${response.statusCode}`);
  const md5sum = spawn('md5sum', [], { stdio: ['pipe', 'pipe', 'ignore'], env: { LC_ALL: 'C' } });
  let out = '';
  md5sum.stdout.setEncoding('utf8').on('data', (text: string) => { out += text; });
  const hashed = new Promise<void>((resolve, reject) => md5sum.once('close', (code) => (code === 0 ? resolve() : reject(new Error(`bench: md5sum exited ${code}`)))));
  const disk = createWriteStream(file);
  const written = new Promise<void>((resolve, reject) => disk.once('close', resolve).once('error', reject));
  // One source, two sinks: pipe() waits for the slower of them.
  response.pipe(disk);
  response.pipe(md5sum.stdin);
  await written;
  // fsync is the file's, whichever descriptor asks.
  const handle = await open(file, 'r+');
  await handle.sync();
  await handle.close();
  await hashed;
  return out.slice(0, 32);
}

export interface DownloadFigures {
  readonly download_s: number;
  readonly bare_download_s: number;
  readonly floor_download_s: number;
  readonly download_vs_bare_ratio: number;
  readonly download_floor_ratio: number;
  readonly download_vs_floor_ratio: number;
  readonly download_mb: number;
}

export async function measureDownload(): Promise<DownloadFigures> {
  const base = await mkdtemp(path.join(tmpdir(), 'lobby-bench-download-'));
  const server = await startContentServer();
  try {
    const published = server.publishFile('map', 'Bench Map 1.0', 'bench_map_1.0.sd7', randomBytes(MAP_BYTES));
    const ours: number[] = [];
    const bare: number[] = [];
    const floor: number[] = [];
    for (let i = 0; i < 3; i++) {
      const dataDir = path.join(base, `data-${i}`);
      let t = performance.now();
      const installed = await new FilesClient({ dataDir, filesApi: `${server.url}/find` }).installMap('Bench Map 1.0');
      ours.push(performance.now() - t);
      if (installed.md5 !== published.md5 || installed.bytes !== MAP_BYTES) throw new Error('bench: the download does not match');
      await rm(dataDir, { recursive: true, force: true });
      const file = path.join(base, `bare-${i}.bin`);
      t = performance.now();
      await bareGet(`${server.url}${published.path}`, file);
      bare.push(performance.now() - t);
      await rm(file, { force: true });
      t = performance.now();
      const digest = await floorGet(`${server.url}${published.path}`, file);
      floor.push(performance.now() - t);
      if (digest !== published.md5) throw new Error('bench: the floor download does not match');
      await rm(file, { force: true });
    }
    const oursS = median(ours) / 1000;
    const bareS = median(bare) / 1000;
    const floorS = median(floor) / 1000;
    return {
      download_s: Number(oursS.toFixed(3)), bare_download_s: Number(bareS.toFixed(3)), floor_download_s: Number(floorS.toFixed(3)),
      download_vs_bare_ratio: Number((bareS / oursS).toFixed(2)), download_floor_ratio: Number((bareS / floorS).toFixed(2)),
      download_vs_floor_ratio: Number((floorS / oursS).toFixed(2)), download_mb: MAP_BYTES / 2 ** 20,
    };
  } finally {
    await server.close();
    await rm(base, { recursive: true, force: true });
  }
}

// `node --import tsx test/bench/download.ts`: this benchmark alone.
if (import.meta.url === `file://${process.argv[1]}`) console.log(JSON.stringify(await measureDownload()));
