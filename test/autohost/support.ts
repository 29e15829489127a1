// Test world for the local autohost: the embedded server, the tiny test content, a LocalAutohost signed in with client credentials, and clean-up checks.
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { AutohostStartRequestData, AutohostUpdateEventData } from 'tachyon-protocol/types';
import { validator } from 'tachyon-protocol/validators';
import { expect } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { LocalAutohost, type LocalAutohostOptions } from '../../src-main/core/autohost';
import { createMemoryLogger } from '../../src-main/core/log';
import { EngineRegistry, TEST_GAME_NAME, TEST_MAP_NAME, writeTestContent } from '../../src-main/core/engine';
import { TachyonServer } from '../../src-main/core/server/tachyon-server';
import type { TachyonEndpoint } from '../../src-main/core/protocol/endpoint';
import { controlsOf } from '../support/server-controls';

export const ENGINE_VERSION = '106.0';

export interface AutohostWorld {
  root: string;
  contentDir: string;
  battlesDir: string;
  registry: EngineRegistry;
  server: TachyonServer;
  autohost: LocalAutohost;
  clientId: string;
  secret: string;
  logger: ReturnType<typeof createMemoryLogger>;
  /** The server's side of the autohost's connection: send it any autohost request. */
  endpoint(): TachyonEndpoint;
  close(): Promise<void>;
}

export async function createWorld(overrides: Partial<LocalAutohostOptions> = {}, serverOptions: ConstructorParameters<typeof TachyonServer>[0] = {}): Promise<AutohostWorld> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'autohost-test-'));
  const contentDir = path.join(root, 'content');
  const battlesDir = path.join(root, 'battles');
  await mkdir(battlesDir);
  // Two seconds of play: enough for chat, luamsg and a winner.
  await writeTestContent(contentDir, { gameOverFrame: 60 });
  const registry = await EngineRegistry.discover();
  const server = new TachyonServer(serverOptions);
  controlsOf(server); // before anyone connects, so it sees every peer
  await server.listen(0);
  const clientId = 'local-autohost';
  const { secret } = server.addAutohostClient(clientId);
  const logger = createMemoryLogger('debug');
  const autohost = new LocalAutohost({
    serverUrl: server.baseUrl,
    clientId,
    clientSecret: secret,
    registry,
    contentDirs: [contentDir],
    battlesDir,
    maxBattles: 3,
    initialNetworkTimeoutSeconds: 10,
    killGraceMs: 3_000,
    stopGraceMs: 3_000,
    logger,
    backoff: { baseMs: 200, capMs: 1_000 },
    ...overrides,
  });
  await autohost.start();
  await waitFor(() => server.autohosts.statusOf(clientId) !== null, 10_000, 'the autohost to connect and send its status');
  return {
    root,
    contentDir,
    battlesDir,
    registry,
    server,
    autohost,
    clientId,
    secret,
    logger,
    endpoint() {
      const endpoint = controlsOf(server).autohostEndpoint(clientId);
      if (!endpoint) throw new Error('the autohost is not connected');
      return endpoint;
    },
    async close() {
      const pids = autohost.hostedBattles.map((b) => autohost.enginePid(b.battleId)).filter((p): p is number => p !== undefined);
      await autohost.close();
      await server.close();
      // Nothing left behind: no engine process, no battle directory, no secret in the log.
      for (const pid of pids) expect(alive(pid), `spring-dedicated ${pid} still runs`).toBe(false);
      expect(await readdir(battlesDir)).toEqual([]);
      expect(controlsOf(server).violations).toEqual([]);
      const log = logger.lines.join('\n');
      expect(log).not.toContain(secret);
      await rm(root, { recursive: true, force: true });
    },
  };
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function waitFor(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

let battleCount = 0;

export function newBattleId(): string {
  battleCount++;
  return `${(process.pid % 0xffffffff).toString(16).padStart(8, '0')}-0000-4000-8000-${String(Date.now() % 1e8).padStart(8, '0')}${String(battleCount).padStart(4, '0')}`;
}

export function battleData(players: Array<{ userId: string; name: string; password: string }>, extra: Partial<AutohostStartRequestData> = {}): AutohostStartRequestData {
  const data: AutohostStartRequestData = {
    battleId: newBattleId(),
    engineVersion: ENGINE_VERSION,
    gameName: TEST_GAME_NAME,
    mapName: TEST_MAP_NAME,
    startPosType: 'fixed',
    startDelay: 1,
    allyTeams: players.map((player) => ({ teams: [{ players: [player] }] })),
    ...extra,
  };
  // What a server may send: the request must pass tachyon 1.13.0's schema.
  expect(validator['autohost/start'].request({ type: 'request', messageId: 'm', commandId: 'autohost/start', data })).toBe(true);
  return data;
}

/** The updates the server stored for one battle. */
export function serverUpdates(server: TachyonServer, battleId: string): AutohostUpdateEventData[] {
  return controlsOf(server).updates.filter((u) => u.battleId === battleId);
}

export function expectIncreasingTimes(updates: readonly AutohostUpdateEventData[]): void {
  for (let i = 1; i < updates.length; i++) expect(updates[i]!.time).toBeGreaterThan(updates[i - 1]!.time);
}

/**
 * A bare Tachyon peer on 127.0.0.1 that puts any frame on the wire, even one the schema forbids (the embedded server
 * refuses to send those): for checking what the autohost answers to a broken server.
 */
export async function createRawPeer(): Promise<{
  url: string;
  connected: Promise<void>;
  request(commandId: string, data: unknown): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}> {
  const server = createServer((_req, res) => {
    res.writeHead(404);
    res.end();
  });
  const wss = new WebSocketServer({ server, path: '/tachyon', handleProtocols: (offered) => (offered.has('v0.tachyon') ? 'v0.tachyon' : false) });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  let socket: WebSocket | null = null;
  const waiting = new Map<string, (message: Record<string, unknown>) => void>();
  const connected = new Promise<void>((resolve) => {
    wss.on('connection', (ws) => {
      socket = ws;
      ws.on('message', (raw) => {
        const message = JSON.parse(raw.toString()) as Record<string, unknown>;
        if (message.type === 'response') waiting.get(String(message.messageId))?.(message);
      });
      resolve();
    });
  });
  let counter = 0;
  return {
    url: `http://127.0.0.1:${port}`,
    connected,
    request(commandId, data) {
      const messageId = `raw-${++counter}`;
      return new Promise((resolve) => {
        waiting.set(messageId, resolve);
        socket!.send(JSON.stringify({ type: 'request', messageId, commandId, data }));
      });
    },
    async close() {
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
