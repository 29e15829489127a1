// Benchmark: the real headless client's resident memory once it knows N users (10,000 and 100,000; read from /proc while it runs).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TachyonServer } from '../../src-main/core/server/tachyon-server';
import { userUpdatedFrames } from './inbound';
import { spawnHeadless } from '../support/headless-process';
import { controlsOf } from '../support/server-controls';

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}

export async function measureHeadlessRss(users = 10_000): Promise<{ idle_mb: number; with_users_mb: number }> {
  const server = new TachyonServer({ rateLimit: null, pingIntervalMs: 60_000 });
  await server.listen(0);
  const dataDir = mkdtempSync(join(tmpdir(), 'lobby-bench-rss-'));
  const { userId, token } = server.addPlayer('rss');
  const sender = server.addPlayer('sender');
  const run = spawnHeadless(['--server', server.baseUrl, '--json', '--data-dir', dataDir], { TACHYON_TOKEN: token });
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
    for (const frame of userUpdatedFrames(users, users)) controlsOf(server).sendRaw(userId, frame);
    // A chat line sent after the users arrives after them: when it is printed, all users are in the state.
    server.community.deliver(userId, { message: 'bench-done', source: { type: 'player', userId: sender.userId } });
    await waitFor(() => lines.some((l) => l.includes('bench-done')));
    global.gc?.();
    await new Promise((resolve) => setTimeout(resolve, 500));
    return { idle_mb: Number(idle.toFixed(1)), with_users_mb: Number(rssMb(child.pid ?? 0).toFixed(1)) };
  } finally {
    child.kill('SIGTERM');
    await run.exited;
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
