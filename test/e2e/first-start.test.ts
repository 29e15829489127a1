// First start in Debian's Chromium against the real core through the browser bridge: with an empty data dir the lobby
// fetches the default playlist's game by itself, the Play view says what and for which playlist (bytes of total), the
// player queues meanwhile (the line turns into the queue-ready one), and is queued once the game is verified.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EngineRegistry, TEST_MAP_NAME, writeTestContent } from '../../src-main/core/engine';
import { createLobbyApp } from '../../src-main/core/lobby-app';
import { createMemoryLogger } from '../../src-main/core/log';
import { createLobbyService } from '../../src-main/app/lobby-service';
import { createMemorySettingsStore } from '../../src-main/app/settings';
import type { PlaylistConfig } from '../../src-main/core/server/match';
import { createWorld } from '../support/world';
import { launchRendererBrowser, type BrowserWorld } from '../support/browser';
import { createFixedTokenSignIn } from '../support/fixed-sign-in';
import { BROWSER_SHIM, startBridge } from './bridge/bridge-server';
import { contentWorld, GAME_NAME, poolUrlPath } from '../content/fixtures';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SCREENSHOTS = path.join(ROOT, 'test-output', 'screenshots');
const GAME = `${GAME_NAME} test-1`;

let browser: BrowserWorld | undefined;
let cleanup: (() => Promise<void>)[] = [];
let problems: string[] = [];

beforeAll(async () => {
  await mkdir(SCREENSHOTS, { recursive: true });
  browser = await launchRendererBrowser({ initScript: BROWSER_SHIM });
}, 60_000);
afterAll(async () => {
  await browser?.dispose();
});
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
  const seen = problems;
  problems = [];
  expect(seen).toEqual([]);
});

describe('First start in Chromium', () => {
  it('shows what the default playlist is getting before anything is asked, lets the player queue meanwhile, and queues once it is here', async () => {
    const content = await contentWorld();
    cleanup.push(() => content.dispose());
    const duel: PlaylistConfig = { id: '1v1', name: 'Duel', numOfTeams: 2, teamSize: 1, engine: '106.0', game: GAME, map: TEST_MAP_NAME };
    const world = await createWorld({ playlists: [duel] });
    cleanup.push(() => world.dispose());
    const { token } = world.server.addPlayer('Alice');
    const dataDir = world.tempDir();
    const maps = await writeTestContent(path.join(dataDir, 'maps'), { format: 'sdz', gameName: 'Unrelated Game' });
    const downloads = path.join(dataDir, 'content');
    const registry = new EngineRegistry([{ version: '106.0', binaries: { headless: '/usr/games/spring-headless' }, dataDir: '/usr/share/games/spring', source: 'system' }]);
    // Held halfway through a pool file from the start: the first-start download stays in sight.
    const held = poolUrlPath('byar', [...content.v1.pool.keys()][0]!);
    content.server.faults.held.add(held);
    const logger = createMemoryLogger();
    const service = await createLobbyService({
      settings: createMemorySettingsStore({ serverUrl: world.server.baseUrl }),
      auth: createFixedTokenSignIn(),
      createApp: async (settings) => createLobbyApp({
        serverUrl: settings.serverUrl ?? world.server.baseUrl, getToken: () => token, dataDir, logger,
        connection: { backoff: { baseMs: 50, capMs: 500 } },
        engine: { registry, contentDirs: [downloads, maps.dir], binary: 'headless', runner: { tempBase: path.join(dataDir, 'engine-runs') } },
        content: { dir: downloads, rapidMaster: content.server.masterUrl, filesApi: `${content.server.url}/find`, fetchOnStart: true },
      }),
      logError: (m) => logger.error(m),
    });
    const bridge = await startBridge(browser!.rendererDir, service);
    cleanup.push(() => service.close());
    cleanup.push(() => bridge.close());
    const page: Page = await browser!.context.newPage();
    page.setDefaultTimeout(8_000);
    cleanup.push(() => page.close());
    page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
    page.on('console', (message) => { if (message.type() === 'error') problems.push(`console: ${message.text()}`); });
    await page.goto(bridge.url);
    await content.server.waitHeld(held);
    await page.getByTestId('connection').filter({ hasText: 'Connected' }).waitFor({ timeout: 30_000 });

    const line = page.getByTestId('first-start');
    await expect.poll(() => line.textContent()).toMatch(new RegExp(`^Getting ${GAME} to play Duel: .* of .*\\. You can queue now: the queue goes out once it is here\\.$`));
    expect(await page.getByTestId('mm-phase').textContent()).toContain('idle');
    await page.screenshot({ path: path.join(SCREENSHOTS, 'first-start-play.png'), fullPage: true });

    await page.getByTestId('playlist-1v1').click();
    await page.getByTestId('queue').click();
    await expect.poll(() => page.getByTestId('queue-ready').textContent()).toMatch(new RegExp(`^Downloading game "${GAME}" for playlist Duel: .*\\. You are queued once it is here\\.$`));
    expect(await line.count()).toBe(0);
    content.server.faults.held.clear();
    content.server.release(held);
    await page.getByTestId('mm-phase').filter({ hasText: 'queued' }).waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('queue-ready').count()).toBe(0);
    expect(await line.count()).toBe(0);
    await page.getByTestId('leave-queue').click();
  }, 90_000);
});
