// Composition root: createLobbyApp() wires connection, protocol, lobby state and (when configured) the engine into the one object every shell drives.
import { createHash } from 'node:crypto';
import type { BattleStartRequestData } from 'tachyon-protocol/types';
import { mkdir } from 'node:fs/promises';
import { TachyonConnection, type ConnectionOptions } from './connection/tachyon-connection';
import { CLIENT_RATE_LIMIT } from './connection/outbound-queue';
import { silentLogger, type Logger } from './log';
import { ChatMarkerFile } from './lobby/chat-marker-file';
import { BattleStartFailure, LobbyClient, type BattleStartHandler } from './lobby/lobby-client';
import { LobbyStore } from './lobby/store';
import { IntentError, type ContentIntents, type CustomLobbyIntents, type LobbyApp, type LobbyIntents } from './lobby/intents';
import type { LobbyPatch, UserView } from './lobby/state';
import { contentArchiveReaders } from './content';
import { PlayerEngine, SkirmishAiCatalog, type PlayerEngineOptions } from './player-engine';
import { ReplayLibrary, type ReplayLibraryOptions } from './replays';
import {
  AssetCheck, ContentLibrary, ContentNotReadyError, ContentReadiness, DownloadManager, FirstStartFetch, createContentFetchers,
  type ContentFetchers, type ContentNeeds, type DownloadManagerOptions,
} from './content';
import { EngineRegistry, quoteForMessage } from './engine';
import { TimeoutError, withTimeout } from '../shared/with-timeout';

export interface LobbyAppOptions {
  /** http(s) base address of the Tachyon server. */
  serverUrl: string;
  /** Asked before every (re)connect. */
  getToken: () => string | Promise<string>;
  /** Where the app keeps its files (chat marker, engine runs). */
  dataDir: string;
  logger?: Logger;
  now?: () => number;
  /** Connection tuning (timeouts, backoff) for tests; production uses the defaults. */
  connection?: Partial<Omit<ConnectionOptions, 'serverUrl' | 'getToken' | 'logger'>>;
  statsIntervalMs?: number;
  /** The player's engine: battle/start launches it, and the engine panel intents drive it. */
  engine?: PlayerEngineOptions;
  /** A custom battle/start handler (tests); without it or `engine`, battles are answered `internal_error` with a clear reason. */
  onBattleStart?: BattleStartHandler;
  /** Engine panel intents; without them those intents answer `not_available`. */
  engineControl?: Partial<Pick<LobbyIntents, 'engineStart' | 'engineStop' | 'engineRestart' | 'engineKill'>>;
  /** `<dataDir>/replays`: listed as the `replays` slice and watched; without it the replays intents answer `not_available`. */
  replaysDir?: string;
  /** Replay library tuning for tests (debounce, batch, watching). */
  replays?: Pick<ReplayLibraryOptions, 'debounceMs' | 'batch' | 'watch' | 'maxEntries'>;
  /** Connect at once (default) or wait for start(). */
  autoConnect?: boolean;
  /** Downloads: without it nothing is fetched (a queue goes out as it is) and the downloads intents answer `not_available`. */
  content?: LobbyContentOptions;
}

export interface LobbyContentOptions {
  /** Where downloads go: the first content dir the engine reads (`packages/`, `pool/`, `rapid/`, `maps/`, `engine/`). */
  dir: string;
  /** The rapid master list (`…/repos.gz`); default the production one. */
  rapidMaster?: string;
  /** The files API (`…/find`) for maps and engines; default the production one. */
  filesApi?: string;
  /** Fetchers beside (or instead of) the built-in ones, per kind. */
  fetchers?: ContentFetchers;
  /** Download manager tuning for tests. */
  manager?: Pick<DownloadManagerOptions, 'concurrency' | 'throttleMs' | 'largeBytes' | 'reserveBytes' | 'freeBytes'>;
  /** How long a battle/start may wait for what it names to download (default 4 minutes; the host gives up after 5). */
  battleDeadlineMs?: number;
  /**
   * First start: once the server lists its playlists, fetch what the first (default) one needs and is missing, without
   * being asked (`to play <playlist>`). Off unless set: the shell decides (the app turns it on; tests use local addresses).
   */
  fetchOnStart?: boolean;
}

export interface CoreLobbyApp extends LobbyApp {
  /** Starts connecting (when autoConnect was false). */
  start(): void;
  /** Lets the engine layer publish its panel state and tell the lobby a battle ended. */
  readonly publish: (patch: LobbyPatch) => void;
  battleEnded(message?: string): void;
  /** A known user, read from the core's state without copying it (a snapshot copies every user). */
  user(userId: string): UserView | undefined;
}

export function createLobbyApp(options: LobbyAppOptions): CoreLobbyApp {
  const logger = options.logger ?? silentLogger;
  const connection = new TachyonConnection({
    // The player's connection never sends faster than Teiserver allows (it closes the socket past 10 a second, burst 20).
    outboundRate: CLIENT_RATE_LIMIT,
    ...options.connection,
    serverUrl: options.serverUrl,
    getToken: options.getToken,
    logger: logger.child('connection'),
    now: options.now,
  });
  const store = new LobbyStore(options.serverUrl);
  const serverKey = createHash('sha256').update(options.serverUrl).digest('hex').slice(0, 16);
  let battleEngine: PlayerEngine | null = null;
  const chatMarkers = new ChatMarkerFile(options.dataDir, serverKey, (error) => logger.warn(`could not save the chat marker: ${error instanceof Error ? error.message : String(error)}`));
  const content = options.content ? wireContent(options, store, logger) : null;
  const client: LobbyClient = new LobbyClient({
    connection,
    store,
    chatMarkers,
    logger: logger.child('lobby'),
    now: options.now,
    statsIntervalMs: options.statsIntervalMs,
    onBattleStart: options.onBattleStart ?? (options.engine ? (data) => (battleEngine as PlayerEngine).launch(data) : undefined),
    // The server's content question: answered from the disk, what is missing fetched meanwhile (content/asset-check.ts).
    onCheckAssets: content ? (needs, why) => content.assetCheck.answer(needs, why) : undefined,
  });
  if (options.engine) {
    // .sd7 maps are read with core/content's 7-Zip, unless the caller chose otherwise. The registry is read at each
    // launch, so an engine downloaded for this battle is found.
    const baseEngine: PlayerEngineOptions = { archiveReaders: contentArchiveReaders, ...options.engine };
    const engineOptions: PlayerEngineOptions = content
      ? Object.defineProperty({ ...baseEngine, prepare: content.prepareBattle }, 'registry', { get: () => content.registry(), enumerable: true })
      : baseEngine;
    battleEngine = new PlayerEngine(engineOptions, (patch) => store.publish(patch), (message) => client.battleEnded(message), logger.child('engine'));
  }
  // The AIs a bot may run: listed once now, and again on request (AIs installed while the lobby runs).
  const skirmishAis = options.engine
    ? new SkirmishAiCatalog(options.engine.registry, (value) => store.publish({ slice: 'skirmishAis', value }), logger.child('skirmish-ais'))
    : null;
  if (skirmishAis) void skirmishAis.refresh().catch((error: unknown) => logger.warn(`skirmish AIs: ${String(error)}`));
  const refreshSkirmishAis = async (): Promise<void> => {
    if (!skirmishAis) throw new IntentError('not_available', 'No engine is configured in this lobby.');
    await skirmishAis.refresh();
  };
  const engineControl = options.engineControl ?? (battleEngine
    ? { engineStart: () => battleEngine.start(), engineStop: () => battleEngine.stop(), engineRestart: () => battleEngine.restart(), engineKill: () => battleEngine.kill() }
    : undefined);

  const replays = options.replaysDir === undefined ? null : new ReplayLibrary({
    ...options.replays,
    dir: options.replaysDir,
    publish: (value) => store.publish({ slice: 'replays', value }),
    logger: logger.child('replays'),
  });
  if (replays) void replays.start().catch((error: unknown) => logger.warn(`replays: ${String(error)}`));
  const library = (): ReplayLibrary => {
    if (!replays) throw new IntentError('not_available', 'This lobby keeps no replays.');
    return replays;
  };
  const listed = (file: string) => {
    const entry = library().entry(file);
    if (!entry) throw new IntentError('invalid_input', 'That replay is not in the list (it may have been moved or deleted).');
    return entry;
  };
  const watchReplay = async (file: string): Promise<void> => {
    const entry = listed(file);
    if (entry.status === 'damaged') throw new IntentError('invalid_input', `This replay is damaged: ${entry.message}.`);
    if (!battleEngine) throw new IntentError('not_available', 'No engine is configured in this lobby.');
    await battleEngine.watchReplay({ file: library().pathOf(file), engineVersion: entry.engine, game: entry.game, map: entry.map });
  };
  const deleteReplay = async (file: string): Promise<void> => {
    listed(file);
    try {
      await library().delete(file);
    } catch (error) {
      throw new IntentError('not_available', `The replay could not be deleted (${(error as NodeJS.ErrnoException).code ?? 'error'}).`);
    }
  };

  const engineIntent = (name: 'engineStart' | 'engineStop' | 'engineRestart' | 'engineKill') => async (): Promise<void> => {
    const handler = engineControl?.[name];
    if (!handler) throw new IntentError('not_available', 'No engine is configured in this lobby.');
    await handler();
  };

  const lobbies = client.lobbies;
  const customLobbyIntents: CustomLobbyIntents = {
    watchLobbies: () => lobbies.watchLobbies(),
    unwatchLobbies: () => lobbies.unwatchLobbies(),
    createLobby: (params) => lobbies.createLobby(params),
    joinLobby: (params) => lobbies.joinLobby(params),
    leaveLobby: () => lobbies.leaveLobby(),
    joinAllyTeam: (params) => lobbies.joinAllyTeam(params),
    spectateLobby: () => lobbies.spectateLobby(),
    joinLobbyQueue: () => lobbies.joinLobbyQueue(),
    addBot: (params) => lobbies.addBot(params),
    updateBot: (params) => lobbies.updateBot(params),
    removeBot: (params) => lobbies.removeBot(params),
    updateLobby: (params) => lobbies.updateLobby(params),
    setLobbyReady: (params) => lobbies.setLobbyReady(params),
    startLobbyBattle: () => lobbies.startLobbyBattle(),
    joinLobbyBattle: () => lobbies.joinLobbyBattle(),
    voteInLobby: (params) => lobbies.voteInLobby(params),
    appointBoss: (params) => lobbies.appointBoss(params),
    unboss: (params) => lobbies.unboss(params),
    kickbanFromLobby: (params) => lobbies.kickbanFromLobby(params),
    refreshSkirmishAis,
  };
  // Queue-ready: the playlists' engines, games and maps are fetched first; a cancel meanwhile means "do not queue".
  let queueAttempt = 0;
  const queue = async (queues: readonly string[]): Promise<void> => {
    const attempt = ++queueAttempt;
    if (content) {
      const playlists = store.view.matchmaking.playlists.filter((p) => queues.includes(p.id));
      try {
        await Promise.all(playlists.map((p) => content.readiness.ensure(p, `for playlist ${p.name}`)));
      } catch (error) {
        if (error instanceof ContentNotReadyError) throw new IntentError('not_available', `Not queued: ${error.message}.`, 'content_missing');
        throw error;
      }
      if (attempt !== queueAttempt) throw new IntentError('rejected', 'Not queued: the queue was cancelled while its content downloaded.', 'cancelled');
    }
    await client.intents.queue(queues);
  };
  const cancelQueue = async (): Promise<void> => {
    queueAttempt++;
    await client.intents.cancelQueue();
  };
  const contentIntents: ContentIntents = {
    cancelDownload: async (id) => {
      if (!content) throw new IntentError('not_available', 'This lobby downloads nothing.');
      if (!content.manager.cancel(id)) throw new IntentError('invalid_input', 'That download is not running.');
    },
    retryDownload: async (id) => {
      if (!content) throw new IntentError('not_available', 'This lobby downloads nothing.');
      if (!content.manager.retry(id)) throw new IntentError('invalid_input', 'That download cannot be retried (it is running or done).');
    },
    refreshLibrary: async () => {
      if (!content) throw new IntentError('not_available', 'This lobby has no content library.');
      content.markLibraryAsked();
      await content.library.refresh();
    },
    deleteContent: async (id) => {
      if (!content) throw new IntentError('not_available', 'This lobby has no content library.');
      const entry = content.library.view().entries.find((e) => e.id === id);
      if (!entry) throw new IntentError('invalid_input', 'That is not in the Library (it may have been deleted already).');
      if (!entry.deletable) throw new IntentError('invalid_input', `${entry.name} was not installed by this lobby, so it is not deleted here.`);
      try {
        if (!(await content.library.delete(id))) throw new IntentError('invalid_input', 'That is not in the Library any more.');
      } catch (error) {
        if (error instanceof IntentError) throw error;
        throw new IntentError('not_available', `${entry.name} could not be deleted (${(error as NodeJS.ErrnoException).code ?? 'error'}).`);
      }
    },
  };
  const intents: LobbyIntents = {
    queue,
    cancelQueue,
    ready: () => client.intents.ready(),
    refreshPlaylists: () => client.intents.refreshPlaylists(),
    sendChat: (target, text) => client.intents.sendChat(target, text),
    sendFriendRequest: (userId) => client.intents.friendRequest('send', userId),
    acceptFriendRequest: (userId) => client.intents.friendRequest('accept', userId),
    rejectFriendRequest: (userId) => client.intents.friendRequest('reject', userId),
    cancelFriendRequest: (userId) => client.intents.friendRequest('cancel', userId),
    removeFriend: (userId) => client.intents.friendRequest('remove', userId),
    createParty: () => client.intents.party('create'),
    inviteToParty: (userId) => client.intents.party('invite', userId),
    cancelPartyInvite: (userId) => client.intents.party('cancelInvite', userId),
    kickFromParty: (userId) => client.intents.party('kick', userId),
    acceptPartyInvite: (partyId) => client.intents.party('accept', partyId),
    declinePartyInvite: (partyId) => client.intents.party('decline', partyId),
    leaveParty: () => client.intents.party('leave'),
    reconnectNow: async () => connection.retryNow(),
    engineStart: engineIntent('engineStart'),
    engineStop: engineIntent('engineStop'),
    engineRestart: engineIntent('engineRestart'),
    engineKill: engineIntent('engineKill'),
    refreshReplays: () => library().refresh(),
    watchReplay,
    deleteReplay,
    openReplaysFolder: async (open) => {
      const dir = library().dir;
      await mkdir(dir, { recursive: true, mode: 0o700 }).catch(() => undefined);
      await open(dir);
    },
    ...customLobbyIntents,
    ...contentIntents,
  };

  let started = false;
  const start = () => {
    if (started) return;
    started = true;
    connection.start();
  };
  if (options.autoConnect !== false) start();

  return {
    snapshot: () => store.snapshot(),
    onPatch: (listener) => store.onPatch(listener),
    intents,
    start,
    publish: (patch) => store.publish(patch),
    battleEnded: (message) => client.battleEnded(message),
    user: (userId) => store.user(userId),
    async close() {
      content?.manager.close();
      client.close();
      await Promise.all([connection.close(), battleEngine?.dispose(), chatMarkers.flush(), replays?.close()]);
    },
  };
}

interface WiredContent {
  readonly manager: DownloadManager;
  readonly readiness: ContentReadiness;
  readonly assetCheck: AssetCheck;
  readonly library: ContentLibrary;
  /** The battle/start hook: what the battle names is fetched first, within the deadline. */
  readonly prepareBattle: (data: BattleStartRequestData) => Promise<void>;
  readonly markLibraryAsked: () => void;
  /** The engine registry with the downloaded engines: what the player's engine launches with. */
  readonly registry: () => Promise<EngineRegistry>;
}

/** The download manager, queue-ready checks and the Library over the lobby's store. */
function wireContent(options: LobbyAppOptions, store: LobbyStore, logger: Logger): WiredContent {
  const settings = options.content!;
  // The engines the shell found, with those downloaded into `<dir>/engine/<version>/`; looked for again after a download.
  const base = options.engine?.registry;
  const withDownloaded = async (): Promise<EngineRegistry | null> => {
    if (base === undefined) return null;
    const [found, downloaded] = await Promise.all([
      Promise.resolve(base),
      EngineRegistry.discover({ downloadDataDirs: [settings.dir], includeSystem: false }).catch(() => null),
    ]);
    const extra = (downloaded?.engines ?? []).filter((e) => found.find(e.version) === undefined);
    return extra.length === 0 ? found : new EngineRegistry([...found.engines, ...extra], found.problems);
  };
  let current = withDownloaded();
  const registry = () => current;
  const contentDirs = [...new Set([settings.dir, ...(options.engine?.contentDirs ?? [])])];
  const notice = (level: 'info' | 'warning' | 'error', text: string) => store.publish({ slice: 'notice', value: { at: (options.now ?? Date.now)(), level, text } });
  let libraryAsked = false;
  const library = new ContentLibrary({
    dir: settings.dir,
    otherDirs: contentDirs.slice(1),
    engines: async () => ((await registry())?.engines ?? []).map((e) => ({ version: e.version, dir: e.source === 'system' ? null : e.dataDir, source: e.source })),
    publish: (value) => store.publish({ slice: 'library', value }),
  });
  const manager = new DownloadManager({
    ...settings.manager,
    dir: settings.dir,
    fetchers: createContentFetchers({
      dir: settings.dir,
      ...(settings.rapidMaster !== undefined ? { rapidMaster: settings.rapidMaster } : {}),
      ...(settings.filesApi !== undefined ? { filesApi: settings.filesApi } : {}),
      ...(settings.fetchers ? { extra: settings.fetchers } : {}),
    }),
    publish: (value) => store.publish({ slice: 'downloads', value }),
    // A Library the player has looked at shows what just arrived.
    onDone: () => { if (libraryAsked) void library.refresh(); },
  });
  const readiness = new ContentReadiness({
    manager,
    dataDirs: async () => [...contentDirs, ...((await registry())?.engines.map((e) => e.dataDir) ?? [])],
    hasEngine: async (version) => {
      const found = await registry();
      return found === null || found.find(version) !== undefined;
    },
    onInstalled: async (kinds) => {
      if (kinds.has('engine')) current = withDownloaded();
      await current;
    },
    onFetching: (missing, why) => {
      const list = missing.map((m) => `${m.kind} ${quoteForMessage(m.name)}`).join(', ');
      notice('info', `Downloading ${list} ${why}.`);
      logger.info(`downloading ${missing.length} item(s) ${why}`);
    },
  });
  if (settings.fetchOnStart) watchForFirstStart(store, readiness, logger);
  const prepareBattle = async (data: BattleStartRequestData): Promise<void> => {
    const deadlineMs = settings.battleDeadlineMs ?? 240_000;
    const needs: ContentNeeds = { engines: [data.engine.version], games: [data.game.springName], maps: [data.map.springName] };
    try {
      const fetched = await withTimeout(readiness.ensure(needs, 'for the battle'), deadlineMs, 'deadline');
      if (fetched.length > 0) notice('info', 'Everything the battle needs is downloaded: launching.');
    } catch (error) {
      const words = error instanceof TimeoutError
        ? `what the battle needs did not download within ${Math.round(deadlineMs / 1000)} s`
        : error instanceof Error ? error.message : String(error);
      throw new BattleStartFailure('internal_error', `content missing: ${words}`, words);
    }
  };
  return {
    manager, readiness, assetCheck: new AssetCheck(readiness, manager), library, prepareBattle, registry: async () => (await registry()) ?? (await Promise.resolve(base!)),
    markLibraryAsked: () => { libraryAsked = true; },
  };
}

/** First start: the default playlist's content, fetched as soon as the server has listed its playlists. */
function watchForFirstStart(store: LobbyStore, readiness: ContentReadiness, logger: Logger): void {
  const first = new FirstStartFetch({
    readiness,
    onSettled: (result) => {
      if ('error' in result) logger.warn(`first start: the content to play ${quoteForMessage(result.playlist)} could not be fetched: ${result.error instanceof Error ? result.error.message : String(result.error)}`);
      else if (result.fetched.length > 0) logger.info(`first start: fetched ${result.fetched.length} item(s) to play ${quoteForMessage(result.playlist)}`);
    },
  });
  const stop = store.onPatch((patch) => {
    if (patch.slice !== 'matchmaking' || patch.value.playlists.length === 0) return;
    void first.offer(patch.value.playlists);
    stop();
  });
}
