// Local play out of the box: the embedded Tachyon server on 127.0.0.1, playlists from the content found (or the tiny test content), and a local autohost driving spring-dedicated.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { LocalAutohost, battleUpdateView } from '../autohost';
import { EngineRegistry, type ArchiveReaders, type EngineRegistryOptions } from '../engine';
import { silentLogger, type Logger } from '../log';
import { findLocalContent, localPlaylists, type LocalContent } from './content-playlists';
import { TachyonServer } from '../server/tachyon-server';
import type { ConnectionLimits } from '../server/admission';
import type { AssetCheckOptions } from '../server/queue-assets';
import type { ConsentPrompt } from '../server/player-authorization';
import type { LobbyPatch } from '../lobby/state';

export interface LocalPlayOptions {
  /** Where local play keeps its files: the test content it may write, the battles' directories. */
  dataDir: string;
  /** Where the hosted battles' demos are kept (default `<dataDir>/replays`). */
  replaysDir?: string;
  port?: number;
  /** Game and map directories to offer, besides any test content. */
  contentDirs?: readonly string[];
  /** How content scans look into `.sd7` archives (core/content's 7-Zip; without it they are matched by file name). */
  archiveReaders?: ArchiveReaders;
  /** Engines: settings' engine directories, or explicit binaries (the server's `--engine`). */
  engines?: EngineRegistryOptions;
  /** Start the local autohost (default true). */
  autohost?: boolean;
  /** Players to create up front (scripts connect headless clients with their tokens). */
  players?: readonly string[];
  logger?: Logger;
  /** Server tuning for tests. */
  readyTimeoutMs?: number;
  matchIntervalMs?: number;
  /** Ask each joining player's lobby for the playlist's content before pairing (`matchmaking/checkAssets`); off without it. */
  assetCheck?: AssetCheckOptions;
  /** Seconds a hosted battle waits for its first player (engine minimum 10). */
  initialNetworkTimeoutSeconds?: number;
  autohostReconnectGraceMs?: number;
  /** Socket caps of the embedded server (the standalone server raises them for benchmarks). */
  limits?: Partial<ConnectionLimits>;
  /**
   * Browser sign-in for players: each consent request's one-time code goes here, for the operator's console (the
   * standalone server's stderr). Without it there is no browser sign-in; the app signs its player in with `tokenFor`.
   */
  showConsentCode?: (prompt: ConsentPrompt) => void;
}

export interface LocalPlay {
  readonly server: TachyonServer;
  readonly baseUrl: string;
  readonly content: LocalContent;
  readonly registry: EngineRegistry;
  readonly autohost: LocalAutohost | null;
  /** Tokens of the players created up front, by name. */
  readonly tokens: Readonly<Record<string, string>>;
  /** A token for a (new or existing) local player: local players sign in without ceremony. */
  tokenFor(name: string): string;
  /** Feeds the hosted battles' updates into a lobby (the Battle view's `battleUpdates`). */
  forwardBattleUpdates(publish: (patch: LobbyPatch) => void): () => void;
  close(): Promise<void>;
}

export async function startLocalPlay(options: LocalPlayOptions): Promise<LocalPlay> {
  const logger = options.logger ?? silentLogger;
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const registry = await EngineRegistry.discover(options.engines ?? {});
  const content = await findLocalContent(options.contentDirs ?? [], options.dataDir, options.archiveReaders);
  // Matches need an engine the autohost can host with: pick the first that has spring-dedicated.
  const engine = registry.engines.find((e) => e.binaries.dedicated !== undefined);
  if (!engine) logger.warn('no engine with spring-dedicated is installed: matches cannot be hosted locally');
  const server = new TachyonServer({
    logger: logger.child('server'),
    playlists: localPlaylists(engine?.version ?? 'none', content),
    // Custom lobbies get the same engine and game (the offline skirmish); their map is the creator's choice.
    lobbies: { engine: engine?.version ?? 'none', game: content.game },
    readyTimeoutMs: options.readyTimeoutMs,
    matchIntervalMs: options.matchIntervalMs,
    assetCheck: options.assetCheck,
    autohostReconnectGraceMs: options.autohostReconnectGraceMs,
    // Our own autohost writes a `startDelay` of 0 as no countdown; an external one (recoil-autohost) gets the default.
    ...(options.autohost !== false && engine ? { matchStartDelaySeconds: 0 } : {}),
    limits: options.limits,
    oauth: options.showConsentCode ? { showConsentCode: options.showConsentCode } : undefined,
  });
  const tokens: Record<string, string> = {};
  for (const name of options.players ?? []) tokens[name] = server.addPlayer(name).token;
  const baseUrl = await server.listen(options.port ?? 0);
  let autohost: LocalAutohost | null = null;
  try {
    if (options.autohost !== false && engine) {
      const client = server.addAutohostClient('local-autohost');
      const battlesDir = join(options.dataDir, 'battles');
      mkdirSync(battlesDir, { recursive: true, mode: 0o700 });
      autohost = new LocalAutohost({
        serverUrl: baseUrl, clientId: client.clientId, clientSecret: client.secret, registry, engines: options.engines,
        contentDirs: content.contentDirs, battlesDir, replaysDir: options.replaysDir ?? join(options.dataDir, 'replays'), logger: logger.child('autohost'),
        initialNetworkTimeoutSeconds: options.initialNetworkTimeoutSeconds,
        ...(options.archiveReaders ? { archiveReaders: options.archiveReaders } : {}),
      });
      await autohost.start();
      // Ready means ready: a player who queues at once must find the autohost connected and its status known.
      const deadline = Date.now() + 15_000;
      while (server.autohosts.statusOf(client.clientId) === null) {
        if (Date.now() > deadline) throw new Error('the local autohost did not connect to the embedded server within 15 s');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
  } catch (error) {
    await autohost?.close();
    await server.close();
    throw error;
  }
  return {
    server, baseUrl, content, registry, autohost, tokens,
    tokenFor: (name) => server.addPlayer(name).token,
    forwardBattleUpdates(publish) {
      return server.autohosts.onUpdate((update) => publish({ slice: 'battleUpdates', append: [battleUpdateView(update)] }));
    },
    async close() {
      await autohost?.close();
      await server.close();
    },
  };
}
