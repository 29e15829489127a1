// Benchmark: the real headless client's resident memory once it knows N users (10,000 and 100,000; read from /proc while it runs).
// It runs as the app ships its core: bundled by esbuild (node packages left to node_modules, as `electron.build.ts` builds
// main). Under `npm run headless` tsx compiles the sources in a loader thread of the same process, which holds its own
// heap: that figure is measured too, connected only, for the record.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { TachyonServer } from '../../src-main/core/server/tachyon-server';
import { userUpdatedFrames } from './inbound';
import { spawnHeadless } from '../support/headless-process';
import { controlsOf } from '../support/server-controls';

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}

/** Bundles src-main/cli/headless.ts into dist/bench (under the repository, so its node packages resolve); returns the file. */
export async function buildHeadless(): Promise<string> {
  const dir = join(process.cwd(), 'dist', 'bench');
  mkdirSync(dir, { recursive: true });
  const outfile = join(dir, 'headless.mjs');
  await build({ entryPoints: ['src-main/cli/headless.ts'], outfile, bundle: true, platform: 'node', target: 'node20', format: 'esm', packages: 'external', logLevel: 'warning' });
  return outfile;
}

export interface HeadlessMemory {
  idle_mb: number;
  with_users_mb: number;
}

/** `entry`: the built client (buildHeadless), or undefined for the sources under tsx; `users` 0 measures connected only. */
export async function measureHeadlessRss(users: number, entry?: string): Promise<HeadlessMemory> {
  const server = new TachyonServer({ rateLimit: null, pingIntervalMs: 60_000 });
  await server.listen(0);
  const dataDir = mkdtempSync(join(tmpdir(), 'lobby-bench-rss-'));
  const { userId, token } = server.addPlayer('rss');
  const sender = server.addPlayer('sender');
  const run = spawnHeadless(['--server', server.baseUrl, '--json', '--data-dir', dataDir], { TACHYON_TOKEN: token }, entry);
  const { child, stdout: lines } = run;
  const waitFor = async (probe: () => boolean) => {
    const started = Date.now();
    while (!probe()) {
      if (Date.now() - started > 60_000) throw new Error('headless client did not get there in 60 s');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  try {
    await waitFor(() => lines.some((l) => l.includes('"userCount"')));
    await new Promise((resolve) => setTimeout(resolve, 500));
    const idle = rssMb(child.pid ?? 0);
    if (users === 0) return { idle_mb: Number(idle.toFixed(1)), with_users_mb: Number(idle.toFixed(1)) };
    for (const frame of userUpdatedFrames(users, users)) controlsOf(server).sendRaw(userId, frame);
    // A chat line sent after the users arrives after them: when it is printed, all users are in the state.
    server.community.deliver(userId, { message: 'bench-done', source: { type: 'player', userId: sender.userId } });
    await waitFor(() => lines.some((l) => l.includes('bench-done')));
    await new Promise((resolve) => setTimeout(resolve, 500));
    return { idle_mb: Number(idle.toFixed(1)), with_users_mb: Number(rssMb(child.pid ?? 0).toFixed(1)) };
  } finally {
    child.kill('SIGTERM');
    await run.exited;
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
