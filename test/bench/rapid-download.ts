// Benchmark: one rapid package (600 pool files, about 60 MB of incompressible bytes, so as much on the wire) installed from
// the same local content server (a process of its own) by our client (plain GETs, then the streamer) and by Debian's
// pr-downloader (streamer mode), in the same run.
import { execFile, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { RapidClient } from '../../src-main/core/content';
import type { PackedFile, RapidPackage } from '../support/rapid-packer';
import { sdpEntryBytes, sdpName } from '../support/rapid-packer';

const PR_DOWNLOADER = '/usr/games/pr-downloader';
const run = promisify(execFile);

/**
 * A package of `files` files of random bytes, `totalBytes` in all, sizes spread from small to large as a game's are.
 * Random bytes do not compress: gzip level 1 keeps generation fast and the pool files as large as their content.
 */
export function benchPackage(files = 600, totalBytes = 60 * 1024 * 1024): RapidPackage {
  // Sizes from a fixed sequence (no Math.random): the same package every run.
  const weights = Array.from({ length: files }, (_v, i) => 1 + ((i * 7919) % 97) ** 2 / 40);
  const sum = weights.reduce((a, b) => a + b, 0);
  const sizes = weights.map((w) => Math.max(64, Math.floor((w / sum) * totalBytes)));
  const content = randomBytes(sizes.reduce((a, b) => a + b, 0));
  const pool = new Map<string, Buffer>();
  const entries: PackedFile[] = [];
  let at = 0;
  sizes.forEach((size, i) => {
    const data = content.subarray(at, at + size);
    at += size;
    const md5 = createHash('md5').update(data).digest('hex');
    pool.set(md5, zlib.gzipSync(data, { level: 1 }));
    entries.push({ name: `units/unit${String(i).padStart(4, '0')}.bin`, md5, size, crc32: zlib.crc32(data) });
  });
  entries.sort((a, b) => Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)));
  const sdp = zlib.gzipSync(Buffer.concat(entries.map((f) => sdpEntryBytes(f.name, f.md5, f.crc32, f.size))));
  return { md5: sdpName(entries), sdp, files: entries, pool };
}

async function poolCount(dataDir: string): Promise<number> {
  let n = 0;
  for (const dir of await readdir(path.join(dataDir, 'pool')).catch(() => [] as string[])) {
    n += (await readdir(path.join(dataDir, 'pool', dir)).catch(() => [] as string[])).filter((f) => f.endsWith('.gz')).length;
  }
  return n;
}

/** pr-downloader 106 reuses a cached master list younger than a day: a seeded cache points it at the local server. */
async function prDownloader(writeDir: string, serverUrl: string, request: string): Promise<void> {
  const cache = path.join(writeDir, 'rapid', 'repos.springrts.com');
  await mkdir(cache, { recursive: true });
  await writeFile(path.join(cache, 'repos.gz'), zlib.gzipSync(`byar,${serverUrl}/byar,,\n`));
  const now = new Date();
  await utimes(path.join(cache, 'repos.gz'), now, now);
  await writeFile(path.join(writeDir, 'cacert.pem'), 'placeholder: certificates come from /etc/ssl/certs\n');
  const home = path.join(writeDir, 'home');
  await mkdir(home, { recursive: true });
  await run(PR_DOWNLOADER, ['--filesystem-writepath', writeDir, '--download-game', request], { env: { PATH: '/usr/bin:/bin', HOME: home }, timeout: 300_000 });
}

export interface RapidDownloadFigures {
  rapid_download_s: number;
  prd_download_s: number;
  rapid_vs_prd_ratio: number;
  rapid_streamer_s: number;
  rapid_streamer_vs_prd_ratio: number;
  rapid_pool_files: number;
  rapid_package_mb: number;
}

/** `sync`: every dirty page written out (Linux, coreutils). */
async function flushDisk(): Promise<void> {
  await run('sync', [], { timeout: 120_000 });
}

interface BenchServer {
  url: string;
  masterUrl: string;
  poolFiles: number;
  wireBytes: number;
  close(): Promise<void>;
}

/** The server runs in a child process: our client then has the process to itself, as pr-downloader has its own. */
async function startBenchServer(): Promise<BenchServer> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'rapid-server-main.ts')], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const line = await new Promise<string>((resolve, reject) => {
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      if (text.includes('\n')) resolve(text.slice(0, text.indexOf('\n')));
    });
    child.once('exit', (code) => reject(new Error(`bench: the content server exited (${code}) before it listened`)));
  });
  const info = JSON.parse(line) as Omit<BenchServer, 'close'>;
  return { ...info, close: async () => { child.stdin.end(); await exited; } };
}

export async function measureRapidDownload(): Promise<RapidDownloadFigures> {
  if (!existsSync(PR_DOWNLOADER)) throw new Error(`bench: ${PR_DOWNLOADER} is not installed (apt-get install spring)`);
  const base = await mkdtemp(path.join(tmpdir(), 'lobby-bench-rapid-'));
  const server = await startBenchServer();
  try {
    const prdDir = path.join(base, 'prd');
    // Each client starts with no one else's writes waiting for the disk: our fsyncs would otherwise flush the other's.
    await flushDisk();
    let started = performance.now();
    await prDownloader(prdDir, server.url, 'byar:bench');
    const prdS = (performance.now() - started) / 1000;

    const oursDir = path.join(base, 'ours');
    await flushDisk();
    started = performance.now();
    await new RapidClient({ dataDir: oursDir, master: server.masterUrl }).install('byar:bench');
    const oursS = (performance.now() - started) / 1000;

    const streamerDir = path.join(base, 'streamer');
    await flushDisk();
    started = performance.now();
    await new RapidClient({ dataDir: streamerDir, master: server.masterUrl, transport: 'streamer' }).install('byar:bench');
    const streamerS = (performance.now() - started) / 1000;

    for (const [who, dir] of [['pr-downloader', prdDir], ['ours', oursDir], ['ours (streamer)', streamerDir]] as const) {
      const count = await poolCount(dir);
      if (count !== server.poolFiles) throw new Error(`bench: ${who} installed ${count} of ${server.poolFiles} pool files`);
    }
    return {
      rapid_download_s: Number(oursS.toFixed(2)),
      prd_download_s: Number(prdS.toFixed(2)),
      rapid_vs_prd_ratio: Number((oursS / prdS).toFixed(3)),
      rapid_streamer_s: Number(streamerS.toFixed(2)),
      rapid_streamer_vs_prd_ratio: Number((streamerS / prdS).toFixed(3)),
      rapid_pool_files: server.poolFiles,
      rapid_package_mb: Number((server.wireBytes / 1024 / 1024).toFixed(1)),
    };
  } finally {
    await server.close();
    await rm(base, { recursive: true, force: true });
  }
}
