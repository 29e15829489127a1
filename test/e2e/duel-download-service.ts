// The setup the download browser tests share: the local content server with the rapid test game, an embedded server
// whose Duel names that game (so it must be downloaded), a player with only an unrelated map installed, and a lobby
// service for them with the content addresses set. `beforeStart` runs before the lobby starts (to hold a file).
import path from 'node:path';
import { EngineRegistry, TEST_MAP_NAME, writeTestContent } from '../../src-main/core/engine';
import { createLobbyApp } from '../../src-main/core/lobby-app';
import { createMemoryLogger } from '../../src-main/core/log';
import { createLobbyService, type LobbyService } from '../../src-main/app/lobby-service';
import { createMemorySettingsStore } from '../../src-main/app/settings';
import type { PlaylistConfig } from '../../src-main/core/server/match';
import { createWorld } from '../support/world';
import type { BrowserSuite } from '../support/e2e-page';
import { createFixedTokenSignIn } from '../support/fixed-sign-in';
import { contentWorld, GAME_NAME, type ContentWorld } from '../content/fixtures';

export const DUEL_GAME = `${GAME_NAME} test-1`;

export interface DuelDownload {
  readonly content: ContentWorld;
  readonly service: LobbyService;
  /** Where the lobby downloads to (`<data dir>/content`). */
  readonly downloads: string;
}

export async function duelDownloadService(suite: BrowserSuite, options: { fetchOnStart?: boolean; beforeStart?: (content: ContentWorld) => void } = {}): Promise<DuelDownload> {
  const content = await contentWorld();
  suite.cleanup(() => content.dispose());
  const duel: PlaylistConfig = { id: '1v1', name: 'Duel', numOfTeams: 2, teamSize: 1, engine: '106.0', game: DUEL_GAME, map: TEST_MAP_NAME };
  const world = await createWorld({ playlists: [duel] });
  suite.cleanup(() => world.dispose());
  const { token } = world.server.addPlayer('Alice');
  const dataDir = world.tempDir();
  const maps = await writeTestContent(path.join(dataDir, 'maps'), { format: 'sdz', gameName: 'Unrelated Game' });
  const downloads = path.join(dataDir, 'content');
  const registry = new EngineRegistry([{ version: '106.0', binaries: { headless: '/usr/games/spring-headless' }, dataDir: '/usr/share/games/spring', source: 'system' }]);
  options.beforeStart?.(content);
  const logger = createMemoryLogger();
  const service = await createLobbyService({
    settings: createMemorySettingsStore({ serverUrl: world.server.baseUrl }),
    auth: createFixedTokenSignIn(),
    createApp: async (settings) => createLobbyApp({
      serverUrl: settings.serverUrl ?? world.server.baseUrl, getToken: () => token, dataDir, logger,
      connection: { backoff: { baseMs: 50, capMs: 500 } },
      engine: { registry, contentDirs: [downloads, maps.dir], binary: 'headless', runner: { tempBase: path.join(dataDir, 'engine-runs') } },
      content: { dir: downloads, rapidMaster: content.server.masterUrl, filesApi: `${content.server.url}/find`, fetchOnStart: options.fetchOnStart ?? false },
    }),
    logError: (m) => logger.error(m),
  });
  return { content, service, downloads };
}
