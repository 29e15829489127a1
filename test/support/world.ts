// Test fixtures that own their world: a real Tachyon server on 127.0.0.1:0, temp data dirs, lobby apps, and teardown that leaves nothing behind.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TachyonServer, type TachyonServerOptions } from '../../src-main/core/server/tachyon-server';
import { createLobbyApp, type CoreLobbyApp, type LobbyAppOptions } from '../../src-main/core/lobby-app';
import { createMemoryLogger } from '../../src-main/core/log';
import type { LobbySnapshot } from '../../src-main/core/lobby/state';
import { recordLog, recordSecrets } from './secret-ledger';
import { showConsentCode } from './consent-console';
import { controlsOf, type TestControls } from './server-controls';

export interface World {
  server: TachyonServer;
  /** The server's test knobs and records (`server-controls.ts`). */
  controls: TestControls;
  tempDir(): string;
  player(name: string, options?: Partial<LobbyAppOptions>): Promise<{ app: CoreLobbyApp; userId: string; token: string; logs: string[]; dataDir: string }>;
  /** Stops everything; fails when any client broke the protocol, unless the test expected it. */
  dispose(options?: { allowViolations?: boolean }): Promise<void>;
}

export async function createWorld(serverOptions: TachyonServerOptions = {}): Promise<World> {
  const server = new TachyonServer({ rateLimit: null, matchIntervalMs: 100, ...serverOptions, oauth: { showConsentCode, ...serverOptions.oauth } });
  const controls = controlsOf(server);
  await server.listen(0);
  const dirs: string[] = [];
  const apps: CoreLobbyApp[] = [];
  const logs: string[][] = [];
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'lobby-test-'));
    dirs.push(dir);
    return dir;
  };
  return {
    server,
    controls,
    tempDir,
    async player(name, options = {}) {
      const { userId, token } = server.addPlayer(name);
      const logger = createMemoryLogger();
      recordSecrets(token);
      logs.push(logger.lines);
      const dataDir = options.dataDir ?? tempDir();
      const app = createLobbyApp({
        serverUrl: server.baseUrl,
        getToken: () => token,
        dataDir,
        logger,
        statsIntervalMs: 500,
        ...options,
        connection: { backoff: { baseMs: 50, capMs: 500 }, ...options.connection },
      });
      apps.push(app);
      return { app, userId, token, logs: logger.lines, dataDir };
    },
    async dispose(options = {}) {
      await Promise.all(apps.map((app) => app.close()));
      for (const lines of logs) recordLog(lines);
      const violations = controls.violations.slice();
      await server.close();
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
      if (!options.allowViolations && violations.length > 0) throw new Error(`clients broke the protocol:\n${violations.join('\n')}`);
    },
  };
}

/** Polls until `predicate` holds (real sockets are asynchronous), failing with `what` after the timeout. */
export async function waitFor<T>(what: string, probe: () => T | undefined | null | false, timeoutMs = 5_000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * Connected, and the session opened: the answer to the stats request, which goes out after the opening requests (chat
 * subscription, playlists, friends), has arrived, so an event a test injects is not overwritten by a late opening answer.
 */
export function connected(app: { snapshot(): LobbySnapshot }): boolean {
  const view = app.snapshot();
  return view.connection.phase === 'connected' && view.self !== null && view.stats.userCount !== null;
}
