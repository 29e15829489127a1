// Benchmark: a verified map download through the files API (our FilesClient: /find, Range-ready .part, MD5 and size
// checked, fsync, rename into maps/) against a bare HTTP GET of the same bytes from the same local server, streamed to
// a file, in the same run. Each is run 3 times, alternating; the medians are compared.
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
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

export async function measureDownload(): Promise<{ download_s: number; bare_download_s: number; download_vs_bare_ratio: number; download_mb: number }> {
  const base = await mkdtemp(path.join(tmpdir(), 'lobby-bench-download-'));
  const server = await startContentServer();
  try {
    const published = server.publishFile('map', 'Bench Map 1.0', 'bench_map_1.0.sd7', randomBytes(MAP_BYTES));
    const ours: number[] = [];
    const bare: number[] = [];
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
    }
    const oursS = median(ours) / 1000;
    const bareS = median(bare) / 1000;
    return {
      download_s: Number(oursS.toFixed(3)), bare_download_s: Number(bareS.toFixed(3)),
      download_vs_bare_ratio: Number((bareS / oursS).toFixed(2)), download_mb: MAP_BYTES / 2 ** 20,
    };
  } finally {
    await server.close();
    await rm(base, { recursive: true, force: true });
  }
}

// `node --import tsx test/bench/download.ts`: this benchmark alone.
if (import.meta.url === `file://${process.argv[1]}`) console.log(JSON.stringify(await measureDownload()));
