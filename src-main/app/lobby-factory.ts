// Builds the lobby the window shows from the settings: the configured server, or (none configured) local play: the embedded server on 127.0.0.1 with a local autohost.
// No Electron import: main.ts passes in what it knows (data dir, token source, logger).
import path from 'node:path';
import type { SettingsView } from '../contract';
import { refreshOnUnauthorized, type TokenSession } from '../core/auth';
import { contentArchiveReaders } from '../core/content';
import type { PlayerEngineOptions } from '../core/player-engine';
import { EngineRegistry, type EngineClientKind } from '../core/engine';
import { createLobbyApp, type CoreLobbyApp, type LobbyContentOptions } from '../core/lobby-app';
import type { LobbyApp } from '../core/lobby/intents';
import type { Logger } from '../core/log';
import { startLocalPlay, type LocalPlayOptions } from '../core/local-play';
import { ensurePrivateDir } from './private-paths';

export interface LobbyFactoryOptions {
  /** Default data directory when the settings name none. */
  defaultDataDir: string;
  /**
   * A fixed token for this server address (TACHYON_TOKEN, scripts), or null; stays in main. Asked only when there is no
   * sign-in session, and per address: a token given for one server must never reach another.
   */
  readToken(serverUrl: string): string | null;
  /**
   * The signed-in session for a remote server, from the sign-in service: the lobby takes its access token
   * through `getAccessToken` (refreshed before expiry and before every reconnect) and a 401 refreshes once.
   */
  sessionFor?(serverUrl: string): TokenSession | null;
  logger: Logger;
  /** The local player's name on the embedded server. */
  localPlayerName: string;
  /** The player's engine binary: `client` (GL) in the app, `headless` in tests. */
  engineBinary?: EngineClientKind;
  /** Test tuning of local play (ready timeout, match interval, host wait) and the engine panel's stats period. */
  localPlay?: Pick<LocalPlayOptions, 'readyTimeoutMs' | 'matchIntervalMs' | 'initialNetworkTimeoutSeconds'>;
  engine?: Pick<PlayerEngineOptions, 'statsIntervalMs' | 'runner'>;
  /** Download tuning for tests (fetchers, manager, the battle's deadline); the addresses come from the settings. */
  content?: Pick<LobbyContentOptions, 'fetchers' | 'manager' | 'battleDeadlineMs'>;
  /**
   * First start: fetch the default playlist's missing content as soon as the lobby connects (`LobbyContentOptions.fetchOnStart`).
   * The app turns it on; test support leaves it off unless a test sets local content addresses, so no test reaches the
   * production addresses the settings default to.
   */
  fetchOnStart?: boolean;
}

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
  /** An engine registry already discovered (local play's); otherwise one is discovered from `enginePaths`. */
  registry?: EngineRegistry;
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
export function appEngineOptions(input: AppEngineInput): PlayerEngineOptions {
  const registry =
    input.registry ??
    EngineRegistry.discover({ engineDirs: [...input.enginePaths] }).catch(() => EngineRegistry.discover({ engineDirs: [], includeSystem: false }));
  return {
    registry,
    contentDirs: [...new Set([contentDirOf(input.dataDir), ...(input.contentDirs ?? [])])],
    binary: input.binary ?? 'client',
    runner: { tempBase: path.join(input.dataDir, 'engine-runs'), replaysDir: path.join(input.dataDir, 'replays') },
    ...(input.statsIntervalMs !== undefined ? { statsIntervalMs: input.statsIntervalMs } : {}),
  };
}

export function createLobbyFactory(options: LobbyFactoryOptions): (settings: SettingsView) => Promise<LobbyApp> {
  return async (settings) => {
    const dataDir = settings.dataDir ?? options.defaultDataDir;
    // Chat markers, local play's accounts and the engine's join scripts (battle passwords) live here: this user's alone,
    // also when the folders already existed with looser modes.
    ensurePrivateDir(dataDir);
    ensurePrivateDir(path.join(dataDir, 'engine-runs'));
    // Every lobby of this data dir lists the one replays folder the engines keep their demos in.
    const replaysDir = path.join(dataDir, 'replays');
    // Downloads go where the engine reads first; the addresses are the settings' (null: the production ones).
    const content: LobbyContentOptions = {
      ...options.content,
      dir: contentDirOf(dataDir),
      ...(settings.rapidMaster ? { rapidMaster: settings.rapidMaster } : {}),
      ...(settings.filesApi ? { filesApi: settings.filesApi } : {}),
      ...(options.fetchOnStart ? { fetchOnStart: true } : {}),
    };
    const engineFor = (extra: Partial<AppEngineInput>): PlayerEngineOptions => {
      const wired = appEngineOptions({
        enginePaths: settings.enginePaths,
        dataDir,
        binary: options.engineBinary ?? 'client',
        ...(options.engine?.statsIntervalMs !== undefined ? { statsIntervalMs: options.engine.statsIntervalMs } : {}),
        ...extra,
      });
      return options.engine?.runner ? { ...wired, runner: { ...wired.runner, ...options.engine.runner } } : wired;
    };
    if (settings.serverUrl !== null) {
      const session = options.sessionFor?.(settings.serverUrl) ?? null;
      if (!session) {
        const token = options.readToken(settings.serverUrl);
        // Not signed in and no fixed token: a lobby that does not connect until the player signs in (the page shows why).
        return createLobbyApp({ serverUrl: settings.serverUrl, getToken: () => token ?? '', dataDir, logger: options.logger, engine: engineFor({}), replaysDir, content, autoConnect: token !== null });
      }
      const app = createLobbyApp({
        serverUrl: settings.serverUrl,
        getToken: () => session.getAccessToken(),
        dataDir,
        logger: options.logger,
        engine: engineFor({}),
        replaysDir,
        content,
      });
      // A 401 on the upgrade refreshes once and reconnects; a second one ends the session (`token expired`).
      const stopRefresh = refreshOnUnauthorized(session, {
        onStatus: (listener) => app.onPatch((patch) => { if (patch.slice === 'connection') listener(patch.value); }),
        retryNow: () => void app.intents.reconnectNow().catch(() => undefined),
      });
      return closingWith(app, stopRefresh);
    }
    // Local play: the embedded server, playlists from the content found (or the tiny test content), a local autohost.
    ensurePrivateDir(path.join(dataDir, 'local'));
    const local = await startLocalPlay({
      dataDir: path.join(dataDir, 'local'),
      // The host's demos beside the player's own: one replays folder per profile.
      replaysDir,
      contentDirs: [contentDirOf(dataDir)],
      engines: { engineDirs: [...settings.enginePaths] },
      archiveReaders: contentArchiveReaders,
      logger: options.logger.child('local-play'),
      ...options.localPlay,
    });
    const token = local.tokenFor(options.localPlayerName);
    const app = createLobbyApp({
      serverUrl: local.baseUrl,
      getToken: () => token,
      dataDir: path.join(dataDir, 'local'),
      logger: options.logger,
      engine: engineFor({ registry: local.registry, contentDirs: local.content.contentDirs }),
      replaysDir,
      // Without an engine that can host, local play's playlists name none: there is nothing to fetch on start.
      content: local.autohost === null ? { ...content, fetchOnStart: false } : content,
    });
    // The hosted battles' updates (Tachyon's `autohost/update`) feed the Battle view of this lobby.
    const stopUpdates = local.forwardBattleUpdates((patch) => app.publish(patch));
    return closingWith(app, stopUpdates, () => local.close());
  };
}

/** The lobby the service sees: the core app (without its `publish`), stopping `first` before it closes and `then` after. */
function closingWith(app: CoreLobbyApp, first: () => void, then: () => Promise<void> = async () => undefined): LobbyApp {
  return {
    snapshot: () => app.snapshot(),
    onPatch: (listener) => app.onPatch(listener),
    intents: app.intents,
    async close() {
      first();
      await app.close();
      await then();
    },
  };
}

/** A player name the embedded server accepts, from the OS user name. */
export function localPlayerName(osUser: string): string {
  const cleaned = osUser.replace(/[^A-Za-z0-9_[\]-]/g, '').slice(0, 32);
  return cleaned.length > 0 ? cleaned : 'Player';
}
