// The real engine plays the game our rapid client installed on the tiny map as a .sd7: a content dir with only
// packages/, pool/, rapid/ (from the client) and maps/<map>.sd7 — no games/ — both named by the content check from their
// info files, and Debian's spring-dedicated and spring-headless play a short battle from it.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { AutohostStartRequestData } from 'tachyon-protocol/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentArchiveReaders, RapidClient } from '../../src-main/core/content';
import { planBattleLaunch } from '../../src-main/core/engine/battle-launch';
import { ContentScanCache } from '../../src-main/core/engine/content-cache';
import { checkContent } from '../../src-main/core/engine/content-check';
import { EngineRegistry } from '../../src-main/core/engine/engine-registry';
import { EngineRunner } from '../../src-main/core/engine/engine-runner';
import { TEST_GAME_NAME, TEST_MAP_NAME, writeTestContent } from '../../src-main/core/engine/test-content';
import type { RealHost } from '../engine/real-host';
import { startRealHost } from '../engine/real-host';
import type { ContentServer } from '../support/content-server';
import { startContentServer } from '../support/content-server';
import { packFolder } from '../support/rapid-packer';
import { pack7z } from '../support/seven-zip-pack';

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

describe.skipIf(!existsSync(ENGINE) || !existsSync('/usr/games/spring-headless'))('a rapid-installed game and a .sd7 map on the real engine (Debian spring 106)', () => {
  it('are found by the content check and played from packages/, pool/ and maps/*.sd7 to game over', async () => {
    // One second of play; the versions.gz name is the game's modinfo name, as BAR's are.
    const source = await writeTestContent(path.join(root, 'source'), { gameOverFrame: 30 });
    server.publish('byar', 'byar:test', TEST_GAME_NAME, await packFolder(source.gamePath));
    const contentDir = path.join(root, 'content');
    const installed = await new RapidClient({ dataDir: contentDir, master: server.masterUrl }).install('rapid://byar:test');
    expect(installed.name).toBe(TEST_GAME_NAME);
    // The map as maps are shipped: a non-solid 7-Zip archive whose file name is not its spring name.
    await mkdir(path.join(contentDir, 'maps'), { recursive: true });
    await pack7z(source.mapPath, path.join(contentDir, 'maps', 'tiny_1.0.sd7'), { solid: false });
    expect((await readdir(contentDir)).sort()).toEqual(['maps', 'packages', 'pool', 'rapid']);

    const check = await checkContent({ dataDirs: [contentDir], gameName: TEST_GAME_NAME, mapName: TEST_MAP_NAME, readers: contentArchiveReaders });
    expect(check).toMatchObject({ ok: true, game: { format: 'sdp', nameFrom: 'info' }, map: { format: 'sd7', nameFrom: 'info' } });

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
      { registry, contentDirs: [contentDir], binary: 'headless', content: new ContentScanCache({ readers: contentArchiveReaders }) },
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
