// Benchmark: how many concurrent users the embedded server (its own process) holds with the connection core's clients, and the request latency as it fills.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TachyonConnection } from '../../src-main/core/connection/tachyon-connection';
import { silentLogger } from '../../src-main/core/log';

const STEPS = [100, 1000, 2500, 5000, 10000];
const LATENCY_LIMIT_MS = 1_000;

export interface CapacityFigures {
  server_concurrent_users: number;
  stats_rtt_ms_at_100: number;
  stats_rtt_ms_at_max: number;
  stats_rtt_ratio: number;
}

function percentile(values: number[], p: number): number {
  const sorted = values.slice().sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;
}

export async function measureCapacity(): Promise<CapacityFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'lobby-bench-capacity-'));
  const names = Array.from({ length: STEPS.at(-1) ?? 0 }, (_, i) => `u${i}`);
  const tokensFile = join(dir, 'tokens.json');
  // BENCH_SERVER_NODE_FLAGS passes node flags to the server process, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to see where its time goes.
  const nodeFlags = (process.env.BENCH_SERVER_NODE_FLAGS ?? '').split(' ').filter((flag) => flag !== '');
  const server = spawn(process.execPath, [...nodeFlags, '--import', 'tsx', 'src-main/cli/server.ts', '--port', '0', '--users', names.join(','), '--tokens-out', tokensFile, '--log-level', 'error', '--no-autohost', '--max-sockets', String((STEPS.at(-1) ?? 0) + 100)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const baseUrl = await new Promise<string>((resolve, reject) => {
    server.stdout.on('data', (chunk: Buffer) => {
      const match = /listening on (http:\/\/\S+)/.exec(chunk.toString());
      if (match?.[1]) resolve(match[1]);
    });
    server.once('exit', () => reject(new Error('the server exited early')));
  });
  const tokens = JSON.parse(readFileSync(tokensFile, 'utf8')) as Record<string, string>;
  const clients: TachyonConnection[] = [];
  let held = 0;
  let rttAt100 = 0;
  let rttAtMax = 0;
  // Where the time goes (a `--cpu-prof` of the server): the bench's clients subscribe to nothing, so no broadcast reaches
  // them and the round trip measures the server; the growth was the server scanning every session per request (see the
  // server README). A round of 100 round trips, all at once, from a sample of clients: what a busy server feels like.
  const probeRound = async (): Promise<number> => {
    const sample = clients.filter((_, i) => i % Math.max(1, Math.floor(clients.length / 100)) === 0).slice(0, 100);
    const rtts = await Promise.all(sample.map(async (c) => {
      const t = performance.now();
      await c.session?.call('system/serverStats');
      return performance.now() - t;
    }));
    return percentile(rtts, 0.95);
  };
  // The median of three rounds' p95: one round right after a step's logins (JIT warm-up, a neighbour's burst) swings it.
  const probe = async (): Promise<number> => {
    const rounds = [await probeRound(), await probeRound(), await probeRound()];
    return percentile(rounds, 0.5);
  };
  try {
    for (const target of STEPS) {
      while (clients.length < target) {
        const name = names[clients.length] ?? '';
        const connection = new TachyonConnection({ serverUrl: baseUrl, getToken: () => tokens[name] ?? '', logger: silentLogger, handshakeTimeoutMs: 10_000 });
        connection.start();
        clients.push(connection);
        if (clients.length % 50 === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      }
      const started = Date.now();
      while (clients.some((c) => c.status.phase !== 'connected') && Date.now() - started < 30_000) await new Promise((resolve) => setTimeout(resolve, 50));
      const connected = clients.filter((c) => c.status.phase === 'connected').length;
      if (connected < target) break;
      const rtt = await probe();
      if (target === STEPS[0]) rttAt100 = rtt;
      if (rtt > LATENCY_LIMIT_MS) break;
      held = target;
      rttAtMax = rtt;
    }
  } finally {
    await Promise.all(clients.map((c) => c.close('bench done').catch(() => undefined)));
    server.kill('SIGTERM');
    await new Promise((resolve) => server.once('exit', resolve));
    rmSync(dir, { recursive: true, force: true });
  }
  return {
    server_concurrent_users: held,
    stats_rtt_ms_at_100: Number(rttAt100.toFixed(1)),
    stats_rtt_ms_at_max: Number(rttAtMax.toFixed(1)),
    stats_rtt_ratio: Number((rttAtMax / Math.max(rttAt100, 0.001)).toFixed(2)),
  };
}
