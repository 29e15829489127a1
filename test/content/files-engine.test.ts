// The real engine plays with what the files client installed: an engine archive made from Debian's spring 106 and a map,
// both fetched from the local files API into an empty data dir; the downloaded spring-headless (found by the registry
// by version alone, the system engine left out) joins a spring-dedicated host and plays to game over.
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { AutohostStartRequestData } from 'tachyon-protocol/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FilesClient } from '../../src-main/core/content';
import { planBattleLaunch } from '../../src-main/core/engine/battle-launch';
import { EngineRegistry } from '../../src-main/core/engine/engine-registry';
import { EngineRunner } from '../../src-main/core/engine/engine-runner';
import { TEST_GAME_NAME, TEST_MAP_NAME, writeTestContent } from '../../src-main/core/engine/test-content';
import type { RealHost } from '../engine/real-host';
import { startRealHost } from '../engine/real-host';
import type { ContentServer } from '../support/content-server';
import { startContentServer } from '../support/content-server';
import { DEBIAN_DEDICATED, DEBIAN_HEADLESS, makeEngineArchive } from '../support/engine-archive';

let root: string;
let server: ContentServer;
const hosts: RealHost[] = [];
const runners: EngineRunner[] = [];

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'files-engine-'));
  server = await startContentServer();
});

afterAll(async () => {
  for (const runner of runners.splice(0)) await runner.dispose();
  for (const host of hosts.splice(0)) await host.stop();
  await server.close();
  await rm(root, { recursive: true, force: true });
});

describe.skipIf(!existsSync(DEBIAN_DEDICATED) || !existsSync(DEBIAN_HEADLESS))('a downloaded engine and map on the real engine (Debian spring 106)', () => {
  it('installs both into an empty data dir and plays a battle with the downloaded spring-headless', async () => {
    const source = await writeTestContent(path.join(root, 'source'), { gameOverFrame: 30, format: 'sdz' });
    const engine = await makeEngineArchive(path.join(root, 'engine-work'));
    server.publishFile('engine_linux64', '106.0', 'recoil_106.0_amd64-linux.7z', engine.archive);
    server.publishFile('map', TEST_MAP_NAME, 'tachyon_test_map.sdz', await readFile(source.mapPath));

    const dataDir = path.join(root, 'data');
    const files = new FilesClient({ dataDir, filesApi: `${server.url}/find` });
    const [installedEngine, installedMap] = await Promise.all([files.installEngine('106.0'), files.installMap(TEST_MAP_NAME)]);
    expect(installedEngine.fetched && installedMap.fetched).toBe(true);
    // The game comes from elsewhere (rapid, in play); here the test game's archive beside the downloaded map.
    await cp(source.gamePath, path.join(dataDir, 'games', path.basename(source.gamePath)), { recursive: true });

    const battle: AutohostStartRequestData = {
      battleId: '00000000-0000-4000-8000-000000000002',
      engineVersion: '106.0',
      gameName: TEST_GAME_NAME,
      mapName: TEST_MAP_NAME,
      startPosType: 'fixed',
      startDelay: 1,
      allyTeams: [{ teams: [{ players: [{ userId: 'u-alice', name: 'Alice', password: 'files-pw-1' }] }] }],
    };
    const host = await startRealHost(path.join(root, 'host'), dataDir, battle);
    hosts.push(host);
    const registry = await EngineRegistry.discover({ downloadDataDirs: [dataDir], includeSystem: false });
    expect(registry.resolve('106.0')).toMatchObject({ source: 'downloaded', dataDir: installedEngine.path });
    const plan = await planBattleLaunch(
      { username: 'Alice', password: 'files-pw-1', ip: '127.0.0.1', port: host.port, engine: { version: '106.0' }, game: { springName: TEST_GAME_NAME }, map: { springName: TEST_MAP_NAME } },
      { registry, contentDirs: [dataDir], binary: 'headless' },
    );
    if (!plan.ok) throw new Error(plan.details);
    expect(plan.request.engine.binaries.headless).toBe(path.join(installedEngine.path, 'spring-headless'));
    const runner = new EngineRunner({ tempBase: path.join(root, 'runs'), stopGraceMs: 3000 });
    runners.push(runner);
    await runner.launch(plan.request);
    const exit = await runner.waitForExit();
    if (!exit) throw new Error('the engine did not run');
    expect(exit, exit.lastLines.join('\n')).toMatchObject({ code: 0, ok: true });
    expect(await host.exited).toBe(0);
    expect(host.events.find((e) => e.type === 'game_over')).toMatchObject({ winningAllyTeams: [0] });
  }, 90_000);
});
