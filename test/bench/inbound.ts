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

async function waitUntil(probe: () => boolean): Promise<void> {
  while (!probe()) await new Promise((resolve) => setImmediate(resolve));
}

/** What a pipeline run sends: the frames, given where the mix's lobby events point (null for the plain user/updated stream). */
type FramesFor = (targets: MixTargets | null) => readonly string[];

/**
 * Events per second through createLobbyApp's whole pipeline. For the mix the client first sits in a lobby of its own and
 * watches a list of LISTED_LOBBIES lobbies (one `lobby/listReset`), so every lobby event changes its state.
 */
async function pipelineRate(server: TachyonServer, framesFor: FramesFor, mix: boolean, dataDir: string): Promise<number> {
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
  inbound_mix_events_per_s: number;
  bare_mix_events_per_s: number;
  inbound_mix_ratio: number;
}

const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

/** The median pipeline and bare rates of `rounds` alternating runs, after one warm-up run of each. */
async function compare(server: TachyonServer, framesFor: FramesFor, mix: boolean, dataDir: string, rounds: number): Promise<{ pipeline: number; bare: number }> {
  const warmUp: FramesFor = (targets) => framesFor(targets).slice(-2_000);
  // Warm up both paths (JIT, ajv), then alternate so machine noise hits both alike.
  await pipelineRate(server, warmUp, mix, dataDir);
  await bareRate(server, warmUp(null));
  const pipeline: number[] = [];
  const bare: number[] = [];
  for (let i = 0; i < rounds; i++) {
    bare.push(await bareRate(server, framesFor(null)));
    pipeline.push(await pipelineRate(server, framesFor, mix, dataDir));
  }
  return { pipeline: median(pipeline), bare: median(bare) };
}

export async function measureInbound(events = 20_000, rounds = 3): Promise<InboundFigures> {
  const server = new TachyonServer({ rateLimit: null, pingIntervalMs: 60_000 });
  await server.listen(0);
  const dataDir = mkdtempSync(join(tmpdir(), 'lobby-bench-'));
  const presence = userUpdatedFrames(events, 10_000);
  const placeholder: MixTargets = { lobbyId: randomUUID(), listedLobbyIds: [randomUUID()], fromUserId: randomUUID() };
  try {
    const plain = await compare(server, () => presence, false, dataDir, rounds);
    const mixed = await compare(server, (targets) => mixedFrames(events, 10_000, targets ?? placeholder), true, dataDir, rounds);
    const rate = (x: number) => Math.round(x);
    const ratio = (p: number, b: number) => Number((p / b).toFixed(3));
    return {
      inbound_events_per_s: rate(plain.pipeline), bare_events_per_s: rate(plain.bare), inbound_ratio: ratio(plain.pipeline, plain.bare),
      inbound_mix_events_per_s: rate(mixed.pipeline), bare_mix_events_per_s: rate(mixed.bare), inbound_mix_ratio: ratio(mixed.pipeline, mixed.bare),
    };
  } finally {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
