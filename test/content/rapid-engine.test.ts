// The real engine plays the game our rapid client installed: a content dir with only packages/, pool/, rapid/ (from
// the client) and maps/ — no games/ — and Debian's spring-dedicated and spring-headless play a short battle from it.
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { AutohostStartRequestData } from 'tachyon-protocol/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RapidClient } from '../../src-main/core/content';
import { planBattleLaunch } from '../../src-main/core/engine/battle-launch';
import { checkContent } from '../../src-main/core/engine/content-check';
import { EngineRegistry } from '../../src-main/core/engine/engine-registry';
import { EngineRunner } from '../../src-main/core/engine/engine-runner';
import { TEST_GAME_NAME, TEST_MAP_NAME, writeTestContent } from '../../src-main/core/engine/test-content';
import type { RealHost } from '../engine/real-host';
import { startRealHost } from '../engine/real-host';
import type { ContentServer } from '../support/content-server';
import { startContentServer } from '../support/content-server';
import { packFolder } from '../support/rapid-packer';

const ENGINE = '/usr/games/spring-dedicated';
let root: string;
let server: ContentServer;
const hosts: RealHost[] = [];
const runners: EngineRunner[] = [];

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'rapid-engine-'));
  server = await startContentServer();
});

afterAll(async () => {
  for (const runner of runners.splice(0)) await runner.dispose();
  for (const host of hosts.splice(0)) await host.stop();
  await server.close();
  await rm(root, { recursive: true, force: true });
});

describe.skipIf(!existsSync(ENGINE) || !existsSync('/usr/games/spring-headless'))('a rapid-installed game on the real engine (Debian spring 106)', () => {
  it('is found by the content check and played from packages/ and pool/ to game over', async () => {
    // One second of play; the versions.gz name is the game's modinfo name, as BAR's are.
    const source = await writeTestContent(path.join(root, 'source'), { gameOverFrame: 30 });
    server.publish('byar', 'byar:test', TEST_GAME_NAME, await packFolder(source.gamePath));
    const contentDir = path.join(root, 'content');
    const installed = await new RapidClient({ dataDir: contentDir, master: server.masterUrl }).install('rapid://byar:test');
    expect(installed.name).toBe(TEST_GAME_NAME);
    await cp(path.join(source.dir, 'maps'), path.join(contentDir, 'maps'), { recursive: true });
    expect((await readdir(contentDir)).sort()).toEqual(['maps', 'packages', 'pool', 'rapid']);

    const check = await checkContent({ dataDirs: [contentDir], gameName: TEST_GAME_NAME, mapName: TEST_MAP_NAME });
    expect(check).toMatchObject({ ok: true, game: { format: 'sdp', nameFrom: 'info' } });

    const battle: AutohostStartRequestData = {
      battleId: '00000000-0000-4000-8000-000000000001',
      engineVersion: '106.0',
      gameName: TEST_GAME_NAME,
      mapName: TEST_MAP_NAME,
      startPosType: 'fixed',
      startDelay: 1,
      allyTeams: [{ teams: [{ players: [{ userId: 'u-alice', name: 'Alice', password: 'rapid-pw-1' }] }] }],
    };
    const host = await startRealHost(path.join(root, 'host'), contentDir, battle);
    hosts.push(host);
    const registry = await EngineRegistry.discover();
    const plan = await planBattleLaunch(
      { username: 'Alice', password: 'rapid-pw-1', ip: '127.0.0.1', port: host.port, engine: { version: '106.0' }, game: { springName: TEST_GAME_NAME }, map: { springName: TEST_MAP_NAME } },
      { registry, contentDirs: [contentDir], binary: 'headless' },
    );
    if (!plan.ok) throw new Error(plan.details);
    const runner = new EngineRunner({ tempBase: path.join(root, 'runs'), stopGraceMs: 3000 });
    runners.push(runner);
    await runner.launch(plan.request);
    const exit = await runner.waitForExit();
    if (!exit) throw new Error('the engine did not run');
    expect(exit, exit.lastLines.join('\n')).toMatchObject({ code: 0, ok: true });
    expect(await host.exited).toBe(0);
    const kinds = host.events.map((e) => e.type);
    expect(kinds).toContain('start_playing');
    expect(host.events.find((e) => e.type === 'game_over')).toMatchObject({ winningAllyTeams: [0] });
  }, 60_000);
});
