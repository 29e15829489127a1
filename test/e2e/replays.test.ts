// The Replays view in Debian's Chromium against the real core through the browser bridge: the list, the detail, Watch in
// the engine panel, delete; and a whole local battle on the real engine that the list then holds and Watch replays.
import { chmod, mkdir, readdir, writeFile } from 'node:fs/promises';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { EngineRegistry, TEST_MAP_NAME, writeTestContent } from '../../src-main/core/engine';
import { createLobbyApp } from '../../src-main/core/lobby-app';
import { createMemoryLogger } from '../../src-main/core/log';
import { createLobbyService, type LobbyService } from '../../src-main/app/lobby-service';
import { createMemorySettingsStore } from '../../src-main/app/settings';
import { contentDirOf, createLobbyFactory } from '../../src-main/app/lobby-factory';
import type { ReplayGoodView, SnapshotResult } from '../../src-main/contract';
import { createWorld } from '../support/world';
import { SCREENSHOTS, useBrowserSuite } from '../support/e2e-page';
import { createFixedTokenSignIn } from '../support/fixed-sign-in';
import { engineDescendants } from '../support/processes';
import { buildDemo, gzipDemo, SAMPLE_SCRIPT } from '../replays/demo-builder';

const suite = useBrowserSuite({ afterAll: () => expect(engineDescendants()).toEqual([]) });

/** The page on a lobby service through the bridge, connected, on the Replays view. */
async function openReplays(service: LobbyService): Promise<Page> {
  const page = await suite.openPage(service);
  await page.getByTestId('nav-replays').click();
  return page;
}

const demoName = (n: number) => `20261201_1200${String(n).padStart(2, '0')}_Tachyon Test Map_106.0.sdfz`;

describe('Replays in Chromium', () => {
  it('lists demos (a damaged one in words), shows the detail, watches one in the engine panel and deletes one after a confirm', async () => {
    const world = await createWorld({});
    suite.cleanup(() => world.dispose());
    const { token } = world.server.addPlayer('Alice');
    const dataDir = world.tempDir();
    const replaysDir = path.join(dataDir, 'replays');
    await mkdir(replaysDir, { recursive: true });
    const content = await writeTestContent(contentDirOf(dataDir));
    const script = SAMPLE_SCRIPT.replace('mapname=Tiny Flat;', `mapname=${content.mapName};`).replace('gametype=Test Game 1.0;', `gametype=${content.gameName};`);
    await writeFile(path.join(replaysDir, demoName(1)), gzipDemo(buildDemo({ engineVersion: '106.0', script, gameTimeS: 95 })));
    await writeFile(path.join(replaysDir, demoName(2)), gzipDemo(buildDemo({ engineVersion: '106.0', script, winners: [1] })));
    await writeFile(path.join(replaysDir, demoName(3)), Buffer.from('not a demo'));
    // A stand-in spring-headless: says what it plays (its last argument) and exits 0, as the real one does at a demo's end.
    const binary = path.join(dataDir, 'spring-headless');
    await writeFile(binary, '#!/bin/sh\nfor last; do :; done\necho "stand-in playing $(basename "$last")"\nexit 0\n');
    await chmod(binary, 0o755);
    const registry = new EngineRegistry([{ version: '106.0', binaries: { headless: binary }, dataDir: path.join(dataDir, 'engine-data'), source: 'directory' }]);
    const logger = createMemoryLogger();
    const service = await createLobbyService({
      settings: createMemorySettingsStore({ serverUrl: world.server.baseUrl }),
      auth: createFixedTokenSignIn(),
      createApp: async (settings) => createLobbyApp({
        serverUrl: settings.serverUrl ?? world.server.baseUrl, getToken: () => token, dataDir, logger, replaysDir,
        connection: { backoff: { baseMs: 50, capMs: 500 } },
        engine: { registry, contentDirs: [content.dir], binary: 'headless', runner: { tempBase: path.join(dataDir, 'engine-runs') } },
      }),
      logError: (m) => logger.error(m),
    });
    const page = await openReplays(service);

    const rows = page.locator('[data-file]');
    await expect.poll(() => rows.count()).toBe(3);
    // Newest game first: both demos started at the builder's 12:06:34 (a tie keeps the core's newest-name-first order);
    // the damaged file has only its name's 12:00:03.
    expect(await rows.evaluateAll((els) => els.map((el) => el.getAttribute('data-file')))).toEqual([2, 1, 3].map(demoName));
    const damaged = page.locator(`[data-file="${demoName(3)}"]`);
    expect(await damaged.getByTestId('replay-error').textContent()).toMatch(/not a demo|damaged/i);
    const newest = page.locator(`[data-file="${demoName(2)}"]`);
    expect(await newest.getByTestId('replay-map').textContent()).toBe(TEST_MAP_NAME);
    expect(await newest.getByTestId('replay-teams').textContent()).toBe('Alice vs Bob, Bot1');
    expect(await newest.getByTestId('replay-result').textContent()).toBe('lost');

    await page.getByTestId('replays-search').fill('nothing like it');
    await page.getByTestId('replays-empty').waitFor();
    await page.getByTestId('replays-search').fill('');

    await page.locator(`[data-file="${demoName(1)}"]`).click();
    const detail = page.getByTestId('replay-detail');
    expect(await detail.getByTestId('detail-engine').textContent()).toBe('106.0');
    expect(await detail.getByTestId('detail-winner').textContent()).toBe('Alice');
    expect(await detail.getByTestId('detail-result').textContent()).toBe('won');
    await page.screenshot({ path: path.join(SCREENSHOTS, 'replays.png'), fullPage: true });

    await detail.getByTestId('replay-watch').click();
    await expect.poll(() => page.getByTestId('engine-console').textContent()).toContain(`stand-in playing ${demoName(1)}`);
    await page.getByTestId('engine-exit').filter({ hasText: '0' }).waitFor();
    expect(await page.getByTestId('engine-status').textContent()).toContain('offline');

    await page.locator(`[data-file="${demoName(2)}"]`).click();
    await page.getByTestId('replay-delete').click();
    await page.getByTestId('replay-delete-confirm').click();
    await expect.poll(() => rows.count()).toBe(2);
    expect(await readdir(path.join(replaysDir, 'deleted'))).toEqual([demoName(2)]);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'replays-after-delete.png'), fullPage: true });
  }, 60_000);

  it('lists a local battle played on the real engine with its map, players and winner, and Watch replays it on spring-headless (exit 0)', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'replays-e2e-local-'));
    suite.cleanup(async () => rmSync(dataDir, { recursive: true, force: true }));
    // The game ends itself at frame 240 with ally team 0 the winner (the test content's default).
    await writeTestContent(contentDirOf(dataDir), { gameOverFrame: 240 });
    const logger = createMemoryLogger();
    const service = await createLobbyService({
      settings: createMemorySettingsStore(),
      auth: createFixedTokenSignIn(),
      createApp: createLobbyFactory({
        defaultDataDir: dataDir, readToken: () => null, logger, localPlayerName: 'alice', engineBinary: 'headless',
        localPlay: { matchIntervalMs: 100, readyTimeoutMs: 10_000 },
        engine: { statsIntervalMs: 300, runner: { stopGraceMs: 5_000 } },
      }),
      logError: (m) => logger.error(m),
    });
    const page = await openReplays(service);
    await page.getByTestId('replays-empty').waitFor();
    await page.getByTestId('nav-play').click();
    await page.getByTestId('playlist-vs-ai').click();
    await page.getByTestId('queue').click();
    await page.getByTestId('match-found').waitFor({ timeout: 10_000 });
    await page.getByTestId('ready').click();
    await page.getByTestId('nav-replays').click();
    // While the battle runs its demos are being written: the view says so.
    await page.getByTestId('replay-recording').waitFor({ timeout: 30_000 });
    await page.getByTestId('engine-status').filter({ hasText: 'offline' }).waitFor({ timeout: 60_000 });

    // The core's list (through the service, as the page gets it): the player's demo and the host's, from this battle.
    const listed = async () => {
      const result = await service.invoke('snapshot', null);
      if (!result.ok) throw new Error(result.message);
      return (result.value as SnapshotResult).state.replays.entries;
    };
    await expect.poll(async () => (await listed()).filter((e) => e.status === 'ok').length, { timeout: 20_000 }).toBeGreaterThanOrEqual(2);
    const entries = (await listed()).filter((e): e is ReplayGoodView => e.status === 'ok');
    for (const entry of entries) {
      expect(entry.map).toBe(TEST_MAP_NAME);
      expect(entry.teams.flatMap((t) => t.players)).toContain('alice');
      expect(entry.teams.flatMap((t) => t.bots)).toHaveLength(1);
    }
    const whole = entries.find((e) => !e.winnersMissing);
    expect(whole?.winners).toEqual([0]);
    const aliceTeam = whole!.teams.find((t) => t.players.includes('alice'))!;

    const row = page.locator(`[data-file="${whole!.file}"]`);
    expect(await row.getByTestId('replay-result').textContent()).toBe(aliceTeam.allyTeam === 0 ? 'won' : 'lost');
    await row.click();
    await page.screenshot({ path: path.join(SCREENSHOTS, 'replays-real-battle.png'), fullPage: true });
    const consoleBefore = (await page.getByTestId('engine-console').textContent()) ?? '';
    await page.getByTestId('replay-watch').click();
    // The replay's engine prints (the panel's console grows past the battle's lines), then exits on its own at the demo's end.
    await expect.poll(() => page.getByTestId('engine-console').textContent(), { timeout: 30_000 }).not.toBe(consoleBefore);
    await page.getByTestId('engine-status').filter({ hasText: 'offline' }).waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('engine-exit').textContent()).toBe('0');
    expect(await page.getByTestId('replays-action-error').count()).toBe(0);
  }, 180_000);
});
