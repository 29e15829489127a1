// The setup of the tests that play downloaded content on the real engine: a temp root and a local content server for the
// file, and one solo battle (Alice alone, fixed start, the test game's game over) hosted on spring-dedicated from a
// content dir and joined with spring-headless as `planBattleLaunch` plans it. Every host and runner is stopped after the file.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { AutohostStartRequestData } from 'tachyon-protocol/types';
import { afterAll, beforeAll, expect } from 'vitest';
import { planBattleLaunch, type BattleLaunchContext } from '../../src-main/core/engine/battle-launch';
import type { EngineLaunchRequest } from '../../src-main/core/engine/engine-launch';
import { EngineRunner } from '../../src-main/core/engine/engine-runner';
import { TEST_GAME_NAME, TEST_MAP_NAME } from '../../src-main/core/engine/test-content';
import { startRealHost, type RealHost } from '../engine/real-host';
import { startContentServer, type ContentServer } from './content-server';

export interface SoloBattleOptions {
  battleId: string;
  password: string;
  /** The content dir the host plays from (its `--isolation-dir`). */
  contentDir: string;
  /** How the player's engine is found and what it reads (`binary` is always `headless`). */
  launch: Omit<BattleLaunchContext, 'binary'>;
}

export interface SoloBattleResult {
  readonly host: RealHost;
  readonly request: EngineLaunchRequest;
}

export interface SoloBattleSuite {
  /** The file's temp root (deleted after the file). */
  root(): string;
  /** The file's local content server (rapid and files API). */
  server(): ContentServer;
  /** Hosts the battle, plans and runs the player's engine, and expects both to end cleanly at the game's own game over. */
  playSolo(options: SoloBattleOptions): Promise<SoloBattleResult>;
}

/** Registers the file's hooks; call once at the top level of a test file. */
export function useSoloBattleSuite(prefix: string): SoloBattleSuite {
  let root: string | undefined;
  let server: ContentServer | undefined;
  const hosts: RealHost[] = [];
  const runners: EngineRunner[] = [];

  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), prefix));
    server = await startContentServer();
  });
  afterAll(async () => {
    for (const runner of runners.splice(0)) await runner.dispose();
    for (const host of hosts.splice(0)) await host.stop();
    await server?.close();
    if (root) await rm(root, { recursive: true, force: true });
  });

  const suite: SoloBattleSuite = {
    root: () => root ?? fail('the root'),
    server: () => server ?? fail('the content server'),
    async playSolo({ battleId, password, contentDir, launch }) {
      const battle: AutohostStartRequestData = {
        battleId,
        engineVersion: '106.0',
        gameName: TEST_GAME_NAME,
        mapName: TEST_MAP_NAME,
        startPosType: 'fixed',
        startDelay: 1,
        allyTeams: [{ teams: [{ players: [{ userId: 'u-alice', name: 'Alice', password }] }] }],
      };
      const host = await startRealHost(path.join(suite.root(), 'host'), contentDir, battle);
      hosts.push(host);
      const plan = await planBattleLaunch(
        { username: 'Alice', password, ip: '127.0.0.1', port: host.port, engine: { version: '106.0' }, game: { springName: TEST_GAME_NAME }, map: { springName: TEST_MAP_NAME } },
        { ...launch, binary: 'headless' },
      );
      if (!plan.ok) throw new Error(plan.details);
      const runner = new EngineRunner({ tempBase: path.join(suite.root(), 'runs'), stopGraceMs: 3000 });
      runners.push(runner);
      await runner.launch(plan.request);
      const exit = await runner.waitForExit();
      if (!exit) throw new Error('the engine did not run');
      expect(exit, exit.lastLines.join('\n')).toMatchObject({ code: 0, ok: true });
      expect(await host.exited).toBe(0);
      expect(host.events.find((e) => e.type === 'game_over')).toMatchObject({ winningAllyTeams: [0] });
      return { host, request: plan.request };
    },
  };
  return suite;
}

function fail(what: string): never {
  throw new Error(`${what} is not ready yet (use it inside a test)`);
}
