// Builds the lobby the window shows from the settings: the configured server, or (none configured) the embedded server on 127.0.0.1.
// No Electron import: main.ts passes in what it knows (data dir, token source, logger).
import path from 'node:path';
import type { SettingsView } from '../contract';
import type { BattleEngineOptions } from '../core/battle-engine';
import { EngineRegistry, type EngineClientKind } from '../core/engine';
import { createLobbyApp } from '../core/lobby-app';
import type { LobbyApp } from '../core/lobby/intents';
import type { Logger } from '../core/log';
import { TachyonServer } from '../core/server/tachyon-server';

export interface LobbyFactoryOptions {
  /** Default data directory when the settings name none. */
  defaultDataDir: string;
  /** The session token for a configured server; stays in main. */
  readToken(): string | null;
  logger: Logger;
  /** The local player's name on the embedded server. */
  localPlayerName: string;
}

/** Playlists of the embedded server, so a newcomer can try matchmaking at once. */
const LOCAL_PLAYLISTS = [{ id: '1v1', name: 'Duel', numOfTeams: 2, teamSize: 1, engine: '106.0', game: 'Tachyon Test Game', map: 'Tachyon Test Map' }];

export interface AppEngineInput {
  /** Engine folders from the settings; the system engine (Debian's `spring`) is always looked for too. */
  enginePaths: readonly string[];
  /** The data directory in use: maps and games live in `<dataDir>/content`, engine runs in `<dataDir>/engine-runs`. */
  dataDir: string;
  /** More content folders (beside `<dataDir>/content`). */
  contentDirs?: readonly string[];
  /** `client` (GL) in the app; `headless` in tests. */
  binary?: EngineClientKind;
  statsIntervalMs?: number;
}

/** The directory maps and games are kept in, under a data directory. */
export function contentDirOf(dataDir: string): string {
  return path.join(dataDir, 'content');
}

/**
 * The engine wiring every shell passes to createLobbyApp: battle/start → content check → join script → engine runner.
 * Discovery runs in the background (it reads each binary's version); a failed discovery leaves an empty registry, so a
 * battle/start is answered with "engine not installed" in words rather than an unhandled rejection.
 */
export function appEngineOptions(input: AppEngineInput): BattleEngineOptions {
  const registry = EngineRegistry.discover({ engineDirs: [...input.enginePaths] }).catch(() =>
    EngineRegistry.discover({ engineDirs: [], includeSystem: false }),
  );
  return {
    registry,
    contentDirs: [contentDirOf(input.dataDir), ...(input.contentDirs ?? [])],
    binary: input.binary ?? 'client',
    runner: { tempBase: path.join(input.dataDir, 'engine-runs') },
    ...(input.statsIntervalMs !== undefined ? { statsIntervalMs: input.statsIntervalMs } : {}),
  };
}

export function createLobbyFactory(options: LobbyFactoryOptions): (settings: SettingsView) => Promise<LobbyApp> {
  return async (settings) => {
    const dataDir = settings.dataDir ?? options.defaultDataDir;
    if (settings.serverUrl !== null) {
      return createLobbyApp({
        serverUrl: settings.serverUrl,
        getToken: () => options.readToken() ?? '',
        dataDir,
        logger: options.logger,
        engine: appEngineOptions({ enginePaths: settings.enginePaths, dataDir }),
      });
    }
    const server = new TachyonServer({ logger: options.logger.child('embedded-server'), playlists: LOCAL_PLAYLISTS });
    const baseUrl = await server.listen(0, '127.0.0.1');
    const { token } = server.addPlayer(options.localPlayerName);
    const app = createLobbyApp({
      serverUrl: baseUrl,
      getToken: () => token,
      dataDir: path.join(dataDir, 'local'),
      logger: options.logger,
      engine: appEngineOptions({ enginePaths: settings.enginePaths, dataDir }),
    });
    return {
      snapshot: () => app.snapshot(),
      onPatch: (listener) => app.onPatch(listener),
      intents: app.intents,
      async close() {
        await app.close();
        await server.close();
      },
    };
  };
}

/** A player name the embedded server accepts, from the OS user name. */
export function localPlayerName(osUser: string): string {
  const cleaned = osUser.replace(/[^A-Za-z0-9_[\]-]/g, '').slice(0, 32);
  return cleaned.length > 0 ? cleaned : 'Player';
}
