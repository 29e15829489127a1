// Benchmark: the lobby's inbound pipeline (frame → parse → validate → state) against bare ws + JSON.parse on the same frames, in the same run.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { TachyonServer } from '../../src-main/core/server/tachyon-server';
import { createLobbyApp } from '../../src-main/core/lobby-app';
import { TACHYON_SUBPROTOCOL } from '../../src-main/core/protocol/commands';
import { controlsOf } from '../support/server-controls';

export function userUpdatedFrames(count: number, distinctUsers: number): string[] {
  const frames: string[] = [];
  for (let i = 0; i < count; i++) {
    const id = i % distinctUsers;
    frames.push(JSON.stringify({
      type: 'event', messageId: `bench-${i}`, commandId: 'user/updated',
      data: { users: [{ userId: `u${id}`, username: `player${id}`, displayName: `Player ${id} #${i}`, clanId: null, status: i % 3 === 0 ? 'playing' : 'menu', countryCode: 'SE' }] },
    }));
  }
  return frames;
}

async function waitUntil(probe: () => boolean): Promise<void> {
  while (!probe()) await new Promise((resolve) => setImmediate(resolve));
}

/** Events per second through createLobbyApp's whole pipeline. */
async function pipelineRate(server: TachyonServer, frames: readonly string[], dataDir: string): Promise<number> {
  const { userId, token } = server.addPlayer(`pipe${Math.random().toString(36).slice(2, 8)}`);
  const app = createLobbyApp({ serverUrl: server.baseUrl, getToken: () => token, dataDir, statsIntervalMs: 60_000 });
  await waitUntil(() => app.snapshot().connection.phase === 'connected' && app.snapshot().self !== null);
  await new Promise((resolve) => setTimeout(resolve, 100)); // let the opening requests settle
  const lastName = JSON.parse(frames[frames.length - 1] ?? '{}').data.users[0].displayName as string;
  const lastId = JSON.parse(frames[frames.length - 1] ?? '{}').data.users[0].userId as string;
  let done = false;
  const off = app.onPatch((patch) => {
    if (patch.slice === 'users' && patch.upsert.some((u) => u.userId === lastId && u.displayName === lastName)) done = true;
  });
  const started = process.hrtime.bigint();
  for (const frame of frames) controlsOf(server).sendRaw(userId, frame);
  await waitUntil(() => done);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  off();
  await app.close();
  return frames.length / seconds;
}

/** Events per second for a bare ws client that only JSON.parses each frame. */
async function bareRate(server: TachyonServer, frames: readonly string[]): Promise<number> {
  const { userId, token } = server.addPlayer(`bare${Math.random().toString(36).slice(2, 8)}`);
  const socket = new WebSocket(server.baseUrl.replace('http', 'ws') + '/tachyon', [TACHYON_SUBPROTOCOL], { headers: { Authorization: `Bearer ${token}` }, perMessageDeflate: false });
  let received = 0;
  let counting = false;
  let sink = 0;
  socket.on('message', (data) => {
    const parsed = JSON.parse(data.toString()) as { messageId?: string };
    if (!counting) return;
    sink += parsed.messageId ? 1 : 0;
    received++;
  });
  await new Promise((resolve) => socket.once('open', resolve));
  await new Promise((resolve) => setTimeout(resolve, 100));
  counting = true;
  const started = process.hrtime.bigint();
  for (const frame of frames) controlsOf(server).sendRaw(userId, frame);
  await waitUntil(() => received >= frames.length);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  socket.close();
  if (sink < 0) throw new Error('unreachable');
  return frames.length / seconds;
}

export interface InboundFigures {
  inbound_events_per_s: number;
  bare_events_per_s: number;
  inbound_ratio: number;
}

export async function measureInbound(events = 20_000, rounds = 3): Promise<InboundFigures> {
  const server = new TachyonServer({ rateLimit: null, pingIntervalMs: 60_000 });
  await server.listen(0);
  const dataDir = mkdtempSync(join(tmpdir(), 'lobby-bench-'));
  const frames = userUpdatedFrames(events, 10_000);
  const pipeline: number[] = [];
  const bare: number[] = [];
  try {
    // Warm up both paths (JIT, ajv), then alternate so machine noise hits both alike.
    await pipelineRate(server, frames.slice(0, 2_000), dataDir);
    await bareRate(server, frames.slice(0, 2_000));
    for (let i = 0; i < rounds; i++) {
      bare.push(await bareRate(server, frames));
      pipeline.push(await pipelineRate(server, frames, dataDir));
    }
  } finally {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
  const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
  const p = median(pipeline);
  const b = median(bare);
  return { inbound_events_per_s: Math.round(p), bare_events_per_s: Math.round(b), inbound_ratio: Number((p / b).toFixed(3)) };
}
