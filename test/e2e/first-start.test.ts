// First start in Debian's Chromium against the real core through the browser bridge: with an empty data dir the lobby
// fetches the default playlist's game by itself, the Play view says what and for which playlist (bytes of total), the
// player queues meanwhile (the line turns into the queue-ready one), and is queued once the game is verified.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EngineRegistry, TEST_MAP_NAME, writeTestContent } from '../../src-main/core/engine';
import { createLobbyApp } from '../../src-main/core/lobby-app';
import { createMemoryLogger } from '../../src-main/core/log';
import { createLobbyService } from '../../src-main/app/lobby-service';
import { createMemorySettingsStore } from '../../src-main/app/settings';
import type { PlaylistConfig } from '../../src-main/core/server/match';
import { createWorld } from '../support/world';
import { useBrowserSuite } from '../support/e2e-page';
import { createFixedTokenSignIn } from '../support/fixed-sign-in';
import { contentWorld, GAME_NAME, poolUrlPath } from '../content/fixtures';

const GAME = `${GAME_NAME} test-1`;

const suite = useBrowserSuite();

describe('First start in Chromium', () => {
  it('shows what the default playlist is getting before anything is asked, lets the player queue meanwhile, and queues once it is here', async () => {
    const content = await contentWorld();
    suite.cleanup(() => content.dispose());
    const duel: PlaylistConfig = { id: '1v1', name: 'Duel', numOfTeams: 2, teamSize: 1, engine: '106.0', game: GAME, map: TEST_MAP_NAME };
    const world = await createWorld({ playlists: [duel] });
    suite.cleanup(() => world.dispose());
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
    const page = await suite.openPage(service);
    await content.server.waitHeld(held);

    const line = page.getByTestId('first-start');
    await expect.poll(() => line.textContent()).toMatch(new RegExp(`^Getting ${GAME} to play Duel: .* of .*\\. You can queue now: the queue goes out once it is here\\.$`));
    expect(await page.getByTestId('mm-phase').textContent()).toContain('idle');
    await suite.shot(page, 'first-start-play');

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
