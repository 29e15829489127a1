// Benchmark: the lobby's inbound pipeline (frame → parse → validate → state) against bare ws + JSON.parse on the same frames, in the same run.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { TachyonServer } from '../../src-main/core/server/tachyon-server';
import { createLobbyApp } from '../../src-main/core/lobby-app';
import { TACHYON_SUBPROTOCOL } from '../../src-main/core/protocol/commands';
import { controlsOf } from '../support/server-controls';
import { mixedFrames, type MixTargets } from './inbound-mix';

/** Lobbies in the list the mix's client watches (BAR's server lists a few dozen to a few hundred). */
const LISTED_LOBBIES = 200;

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

/** Events per second of wall time, and per second of this process's CPU time. */
interface Rate { wall: number; cpu: number }

/**
 * Both clocks from now. On a machine other processes load, wall time swings with their demand; the CPU time this process
 * spends (the server that sends, the socket and the client that receives all run in it) does not, so the ratios use it.
 */
function startClock(): { rate(events: number): Rate } {
  const wall = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  return {
    rate(events) {
      const used = process.cpuUsage(cpu);
      return { wall: events / (Number(process.hrtime.bigint() - wall) / 1e9), cpu: events / ((used.user + used.system) / 1e6) };
    },
  };
}

async function waitUntil(probe: () => boolean): Promise<void> {
  while (!probe()) await new Promise((resolve) => setImmediate(resolve));
}

/** What a pipeline run sends: the frames, given where the mix's lobby events point (null for the plain user/updated stream). */
type FramesFor = (targets: MixTargets | null) => readonly string[];

/**
 * Events per second through createLobbyApp's whole pipeline. For the mix the client first sits in a lobby of its own and
 * watches a list of LISTED_LOBBIES lobbies (one `lobby/listReset`), so every lobby event changes its state.
 */
async function pipelineRate(server: TachyonServer, framesFor: FramesFor, mix: boolean, dataDir: string): Promise<Rate> {
  const { userId, token } = server.addPlayer(`pipe${Math.random().toString(36).slice(2, 8)}`);
  const app = createLobbyApp({ serverUrl: server.baseUrl, getToken: () => token, dataDir, statsIntervalMs: 60_000 });
  await waitUntil(() => app.snapshot().connection.phase === 'connected' && app.snapshot().self !== null);
  let targets: MixTargets | null = null;
  if (mix) {
    const { lobbyId } = await app.intents.createLobby({ name: `bench ${userId.slice(0, 8)}`, mapName: 'Bench Map', allyTeams: 2, teamSize: 1, bossesEnabled: false });
    await app.intents.watchLobbies();
    const listedLobbyIds = Array.from({ length: LISTED_LOBBIES }, (_, i) => (i === 0 ? lobbyId : `listed-${i}`));
    const lobbies = Object.fromEntries(listedLobbyIds.map((id, i) => [id, {
      id, name: `Lobby ${i}`, playerCount: i % 16, maxPlayerCount: 16, mapName: `Map ${i % 50}`, engineVersion: '2025.04.01', gameVersion: 'Beyond All Reason test-1', currentBattle: null,
    }]));
    controlsOf(server).sendRaw(userId, JSON.stringify({ type: 'event', messageId: 'bench-reset', commandId: 'lobby/listReset', data: { lobbies } }));
    await waitUntil(() => Object.keys(app.snapshot().lobbies.entries).length === LISTED_LOBBIES && app.snapshot().lobby?.id === lobbyId);
    targets = { lobbyId, listedLobbyIds, fromUserId: server.addPlayer(`chat${Math.random().toString(36).slice(2, 8)}`).userId };
  }
  const frames = framesFor(targets);
  await new Promise((resolve) => setTimeout(resolve, 100)); // let the opening requests settle
  const lastName = JSON.parse(frames[frames.length - 1] ?? '{}').data.users[0].displayName as string;
  const lastId = JSON.parse(frames[frames.length - 1] ?? '{}').data.users[0].userId as string;
  let done = false;
  const off = app.onPatch((patch) => {
    if (patch.slice === 'users' && patch.upsert.some((u) => u.userId === lastId && u.displayName === lastName)) done = true;
  });
  const clock = startClock();
  for (const frame of frames) controlsOf(server).sendRaw(userId, frame);
  await waitUntil(() => done);
  const rate = clock.rate(frames.length);
  off();
  await app.close();
  return rate;
}

/** Events per second for a bare ws client that only JSON.parses each frame. */
async function bareRate(server: TachyonServer, frames: readonly string[]): Promise<Rate> {
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
  const clock = startClock();
  for (const frame of frames) controlsOf(server).sendRaw(userId, frame);
  await waitUntil(() => received >= frames.length);
  const rate = clock.rate(frames.length);
  socket.close();
  if (sink < 0) throw new Error('unreachable');
  return rate;
}

export interface InboundFigures {
  inbound_events_per_s: number;
  bare_events_per_s: number;
  inbound_ratio: number;
  inbound_wall_ratio: number;
  inbound_mix_events_per_s: number;
  bare_mix_events_per_s: number;
  inbound_mix_ratio: number;
  inbound_mix_wall_ratio: number;
}

const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

/** Median rates of `rounds` alternating runs (after one warm-up run of each), per CPU second and per wall second. */
async function compare(server: TachyonServer, framesFor: FramesFor, mix: boolean, dataDir: string, rounds: number) {
  const warmUp: FramesFor = (targets) => framesFor(targets).slice(-2_000);
  // Warm up both paths (JIT, ajv), then alternate so machine noise hits both alike.
  await pipelineRate(server, warmUp, mix, dataDir);
  await bareRate(server, warmUp(null));
  const pipeline: Rate[] = [];
  const bare: Rate[] = [];
  for (let i = 0; i < rounds; i++) {
    bare.push(await bareRate(server, framesFor(null)));
    pipeline.push(await pipelineRate(server, framesFor, mix, dataDir));
  }
  const p = median(pipeline.map((r) => r.cpu));
  const b = median(bare.map((r) => r.cpu));
  const wallRatio = median(pipeline.map((r, i) => r.wall / (bare[i]?.wall ?? Infinity)));
  return { pipeline: Math.round(p), bare: Math.round(b), ratio: Number((p / b).toFixed(3)), wallRatio: Number(wallRatio.toFixed(3)) };
}

/**
 * The inbound pipeline against bare ws + JSON.parse on the same frames: the `user/updated` stream and the mixed one. Rates are
 * events per CPU second of the bench process; the wall-time ratios (median of the rounds' ratios) are printed beside them.
 */
export async function measureInbound(events = 20_000, rounds = 5): Promise<InboundFigures> {
  const server = new TachyonServer({ rateLimit: null, pingIntervalMs: 60_000 });
  await server.listen(0);
  const dataDir = mkdtempSync(join(tmpdir(), 'lobby-bench-'));
  const presence = userUpdatedFrames(events, 10_000);
  const placeholder: MixTargets = { lobbyId: randomUUID(), listedLobbyIds: [randomUUID()], fromUserId: randomUUID() };
  try {
    const plain = await compare(server, () => presence, false, dataDir, rounds);
    const mixed = await compare(server, (targets) => mixedFrames(events, 10_000, targets ?? placeholder), true, dataDir, rounds);
    return {
      inbound_events_per_s: plain.pipeline, bare_events_per_s: plain.bare, inbound_ratio: plain.ratio, inbound_wall_ratio: plain.wallRatio,
      inbound_mix_events_per_s: mixed.pipeline, bare_mix_events_per_s: mixed.bare, inbound_mix_ratio: mixed.ratio, inbound_mix_wall_ratio: mixed.wallRatio,
    };
  } finally {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
