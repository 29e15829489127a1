// Composition root: createLobbyApp() wires connection, protocol, lobby state and (when configured) the engine into the one object every shell drives.
import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { TachyonConnection, type ConnectionOptions } from './connection/tachyon-connection';
import { CLIENT_RATE_LIMIT } from './connection/outbound-queue';
import { silentLogger, type Logger } from './log';
import { ChatMarkerFile } from './lobby/chat-marker-file';
import { LobbyClient, type BattleStartHandler } from './lobby/lobby-client';
import { LobbyStore } from './lobby/store';
import { IntentError, type CustomLobbyIntents, type LobbyApp, type LobbyIntents } from './lobby/intents';
import type { LobbyPatch } from './lobby/state';
import { contentArchiveReaders } from './content';
import { PlayerEngine, SkirmishAiCatalog, type PlayerEngineOptions } from './player-engine';
import { ReplayLibrary, type ReplayLibraryOptions } from './replays';

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
}

export interface CoreLobbyApp extends LobbyApp {
  /** Starts connecting (when autoConnect was false). */
  start(): void;
  /** Lets the engine layer publish its panel state and tell the lobby a battle ended. */
  readonly publish: (patch: LobbyPatch) => void;
  battleEnded(message?: string): void;
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
  const client: LobbyClient = new LobbyClient({
    connection,
    store,
    chatMarkers,
    logger: logger.child('lobby'),
    now: options.now,
    statsIntervalMs: options.statsIntervalMs,
    onBattleStart: options.onBattleStart ?? (options.engine ? (data) => (battleEngine as PlayerEngine).launch(data) : undefined),
  });
  if (options.engine) {
    // .sd7 maps are read with core/content's 7-Zip, unless the caller chose otherwise.
    battleEngine = new PlayerEngine({ archiveReaders: contentArchiveReaders, ...options.engine }, (patch) => store.publish(patch), (message) => client.battleEnded(message), logger.child('engine'));
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
  const intents: LobbyIntents = {
    queue: (queues) => client.intents.queue(queues),
    cancelQueue: () => client.intents.cancelQueue(),
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
    async close() {
      client.close();
      await Promise.all([connection.close(), battleEngine?.dispose(), chatMarkers.flush(), replays?.close()]);
    },
  };
}
