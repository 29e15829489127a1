// Drives one lobby session over a Tachyon connection: the imperative shell around the pure event reducer (event-reducer.ts),
// the player's intents (lobby-intents.ts) and the opening requests (session-opening.ts). It owns the timers and the sets.
import type { AnyEvent, RequestCommandId, RequestData, SuccessData } from '../protocol/commands';
import { FailWith, type TachyonEndpoint } from '../protocol/endpoint';
import type { ConnectionStatus, TachyonConnection } from '../connection/tachyon-connection';
import type { BattleStartRequestData } from 'tachyon-protocol/types';
import type { Logger } from '../log';
import type { LobbyStore } from './store';
import type { ChatMarkerFile } from './chat-marker-file';
import { IntentError } from './intents';
import type { BattleView, MatchmakingView, Notice } from './state';
import { battleView, mmBattle, mmIdle } from './reducers';
import { reduceEvent } from './event-reducer';
import { intentErrorOf, LOGIN_QUEUE_TEXT } from './failure-text';
import { PlayerIntents, type LobbyCalls } from './lobby-intents';
import { openSession, requeue } from './session-opening';
import { CustomLobbyRequests } from './custom-lobby-intents';
import { isInQueue } from '../../shared/matchmaking';
import { answerCheckAssets, type AssetChecker } from './check-assets';

/** Launches the engine for a battle/start; resolves once it has spawned, throws FailWith or an Error with a player-facing message otherwise. */
export type BattleStartHandler = (data: BattleStartRequestData) => Promise<void>;

/** A battle/start failure whose details for the server leave out what only the player should read (local paths). */
export class BattleStartFailure extends FailWith<'battle/start'> {
  constructor(reason: FailWith<'battle/start'>['reason'], serverDetails: string, readonly localDetails: string) {
    super(reason, serverDetails);
  }
}

export interface LobbyClientOptions {
  connection: TachyonConnection;
  store: LobbyStore;
  chatMarkers: ChatMarkerFile;
  logger: Logger;
  now?: () => number;
  statsIntervalMs?: number;
  onBattleStart?: BattleStartHandler;
  /** Answers the server's `matchmaking/checkAssets` from the content on disk; without it the lobby says it does not manage content. */
  onCheckAssets?: AssetChecker;
  /** How long an open socket may go without `user/self` before the player is told the server holds it in its login queue. */
  loginQueueAfterMs?: number;
}

const SEEN_MARKERS_LIMIT = 5_000;
/** Ids in one `user/subscribeUpdates` (the schema's maxItems). */
const SUBSCRIBE_BATCH_MAX = 100;
/** Users watched in one session: Teiserver sets no limit; this keeps a hostile stream of names from growing it forever (the friends cap). */
const USER_SUBSCRIPTION_LIMIT = 1_000;
/** New users named within this window go out in one request (a burst of events arrives over a few socket reads). */
const WATCH_BATCH_WINDOW_MS = 20;

export class LobbyClient {
  /** The player's intents: queue, ready, chat, friends, party. */
  readonly intents: PlayerIntents;
  /** The player's custom-lobby requests (`lobby/*`). */
  readonly lobbies: CustomLobbyRequests;
  private statsTimer: NodeJS.Timeout | null = null;
  private readonly seenMarkers = new Set<string>();
  /** Whether a chat line's key was already shown: made once, not per event. */
  private readonly shown = (marker: string): boolean => this.seenMarkers.has(marker);
  private readonly subscribedUsers = new Set<string>();
  /** Users to subscribe to in the next batch. */
  private readonly pendingWatch = new Set<string>();
  private watchTimer: NodeJS.Timeout | null = null;
  /** The live socket's session has been admitted (its `user/self` arrived); until then nothing is sent on it. */
  private admitted = false;
  /** No `user/self` for a while on an open socket: we are in the server's login queue, and the player is told so. */
  private inLoginQueue = false;
  private loginQueueTimer: NodeJS.Timeout | null = null;
  /** The server refused more presence subscriptions on this session. */
  private subscriptionsFull = false;
  private readonly now: () => number;
  private readonly calls: LobbyCalls;
  /** Bumped by every server event that moves matchmaking, so a late request answer never overwrites newer news. */
  private matchmakingEvents = 0;
  /** Bumped by every battle/start: only the newest one's outcome is the player's battle. */
  private battleStarts = 0;

  constructor(private readonly options: LobbyClientOptions) {
    this.now = options.now ?? Date.now;
    const { connection, store } = options;
    this.calls = {
      store, now: this.now, call: this.call.bind(this), quietCall: this.quietCall.bind(this),
      matchmakingEvents: () => this.matchmakingEvents, watchUsers: this.watchUsers.bind(this), notice: this.notice.bind(this),
    };
    this.intents = new PlayerIntents(this.calls);
    this.lobbies = new CustomLobbyRequests(this.calls, (event) => this.onEvent(event));
    connection.onStatus((status) => {
      if (status.phase !== 'connected') {
        this.admitted = false;
        this.stopStats();
        this.lobbies.connectionLost();
      }
      this.watchLoginQueue(status.phase === 'connected' && !this.admitted);
      this.publishConnection(status);
    });
    connection.onSession((endpoint) => this.startSession(endpoint));
    connection.onEvent((event) => this.onEvent(event));
  }

  /**
   * The connection's status as the player sees it: an open socket whose session the server has not admitted yet (Teiserver's
   * login queue sends nothing until then) is still connecting, and says why.
   */
  private publishConnection(status: ConnectionStatus): void {
    const store = this.options.store;
    const waiting = status.phase === 'connected' && !this.admitted;
    const queued = waiting && this.inLoginQueue;
    store.publish({
      slice: 'connection',
      value: {
        serverUrl: store.view.connection.serverUrl, phase: waiting ? 'connecting' : status.phase, versionParity: status.versionParity,
        ...(status.retryAt !== undefined ? { retryAt: status.retryAt, retryInMs: status.retryInMs } : {}),
        ...(queued ? { message: LOGIN_QUEUE_TEXT, loginQueue: true } : !waiting && status.message !== undefined ? { message: status.message } : {}),
      },
    });
  }

  /** A server that admits at once sends `user/self` right away: only a socket left waiting is said to be in the login queue. */
  private watchLoginQueue(waiting: boolean): void {
    if (this.loginQueueTimer) clearTimeout(this.loginQueueTimer);
    this.loginQueueTimer = null;
    this.inLoginQueue = false;
    if (!waiting) return;
    this.loginQueueTimer = setTimeout(() => {
      this.loginQueueTimer = null;
      this.inLoginQueue = true;
      this.publishConnection(this.options.connection.status);
    }, this.options.loginQueueAfterMs ?? 1_000);
  }

  /** A new socket: answer battle/start at once, but send nothing until the server admits us with `user/self`. */
  private startSession(endpoint: TachyonEndpoint): void {
    this.subscribedUsers.clear();
    this.pendingWatch.clear();
    this.admitted = false;
    this.subscriptionsFull = false;
    endpoint.handle('battle/start', (data) => this.onBattleStart(data));
    endpoint.handle('matchmaking/checkAssets', (data) => answerCheckAssets(data, {
      checker: this.options.onCheckAssets,
      playlistName: (id) => this.options.store.view.matchmaking.playlists.find((p) => p.id === id)?.name,
      notice: (level, text) => this.notice(level, text),
    }));
  }

  /** `user/self` arrived on this socket: the session is open, so its opening requests and the stats timer start now. */
  private admit(): void {
    this.admitted = true;
    this.watchLoginQueue(false);
    this.publishConnection(this.options.connection.status);
    openSession(this.calls, this.intents, this.options.chatMarkers.marker);
    // After the opening requests: the server answers in order, so a user count means the chat subscription is in place.
    void this.refreshStats();
    this.stopStats();
    this.statsTimer = setInterval(() => void this.refreshStats(), this.options.statsIntervalMs ?? 10_000);
    this.flushWatch();
    // A new session starts with no list subscription: the list the player looks at is asked for again.
    if (this.lobbies.watchingWanted) {
      this.lobbies.subscribeList().catch((error: unknown) => this.options.logger.info(`lobby/subscribeList: ${error instanceof Error ? error.message : String(error)}`));
    }
  }

  private stopStats(): void {
    if (this.statsTimer) clearInterval(this.statsTimer);
    this.statsTimer = null;
  }

  private async refreshStats(): Promise<void> {
    const stats = await this.quietCall('system/serverStats', undefined);
    if (!stats) return;
    const at = this.now();
    this.options.store.publish({ slice: 'stats', userCount: stats.userCount, sample: { at, userCount: stats.userCount } });
  }

  private onEvent(event: AnyEvent): void {
    if (this.lobbies.holdRoomEvent(event)) return;
    const admission = event.commandId === 'user/self' && !this.admitted && this.options.connection.session !== null;
    // `user/self` carries our matchmaking in the current revision: it moves it as much as a `matchmaking/*` event does.
    if (event.commandId.startsWith('matchmaking/') || event.commandId === 'user/self') this.matchmakingEvents++;
    const store = this.options.store;
    const outcome = reduceEvent(store, event, this.now(), this.shown);
    if (outcome.ignored) this.options.logger[outcome.ignored.level](outcome.ignored.text);
    if (outcome.saveMarker !== undefined) this.options.chatMarkers.save(outcome.saveMarker);
    if (outcome.shownMarker !== undefined) this.rememberMarker(outcome.shownMarker);
    for (const patch of outcome.patches) store.publish(patch);
    if (outcome.draft) store.markDraft(outcome.draft);
    if (outcome.watch.length > 0) this.watchUsers(outcome.watch);
    if (admission) this.admit();
    // After admission: the session's requests may go out now.
    if (outcome.requeue) void requeue(this.calls, this.intents, outcome.requeue);
    if (outcome.restoreLobby !== undefined) void this.lobbies.restore(outcome.restoreLobby);
  }

  private async onBattleStart(data: BattleStartRequestData): Promise<undefined> {
    const start = ++this.battleStarts;
    const battle: BattleView = battleView(data);
    this.options.store.publish({ slice: 'battle', value: battle });
    this.matchmakingEvents++;
    // A custom lobby's battle is no matchmaking step: a player in a lobby and in no queue keeps matchmaking as it is.
    if (isInQueue(this.mm) || this.options.store.view.lobby === null) this.setMatchmaking(mmBattle(this.mm));
    const launch = this.options.onBattleStart;
    try {
      if (!launch) throw new FailWith<'battle/start'>('internal_error', 'this client has no engine configured');
      await launch(data);
      if (start === this.battleStarts) this.options.store.publish({ slice: 'battle', value: { ...battle, phase: 'running' } });
      return undefined;
    } catch (error) {
      const message = error instanceof BattleStartFailure ? error.localDetails
        : error instanceof FailWith ? (error.details ?? String(error.reason)) : error instanceof Error ? error.message : String(error);
      // A battle/start a newer one replaced is answered failed, but the player's battle is the newer one.
      if (start === this.battleStarts) {
        this.options.store.publish({ slice: 'battle', value: { ...battle, phase: 'failed', message } });
        this.notice('error', `Could not launch the battle: ${message}`);
      }
      if (error instanceof FailWith) throw error;
      throw new FailWith<'battle/start'>('internal_error', message);
    }
  }

  /** The engine for the current battle has exited: the player is back in the menu. */
  battleEnded(message?: string): void {
    const battle = this.options.store.view.battle;
    if (battle) this.options.store.publish({ slice: 'battle', value: { ...battle, phase: battle.phase === 'failed' ? 'failed' : 'ended', ...(message ? { message } : {}) } });
    if (this.mm.phase === 'battle') this.setMatchmaking(mmIdle(this.mm));
  }

  close(): void {
    this.stopStats();
    this.watchLoginQueue(false);
    if (this.watchTimer) clearTimeout(this.watchTimer);
    this.watchTimer = null;
    this.pendingWatch.clear();
  }

  private get mm(): MatchmakingView {
    return this.options.store.view.matchmaking;
  }

  private setMatchmaking(value: MatchmakingView): void {
    this.options.store.publish({ slice: 'matchmaking', value });
  }

  notice(level: Notice['level'], text: string): void {
    this.options.store.publish({ slice: 'notice', value: { at: this.now(), level, text } });
  }

  private rememberMarker(marker: string): void {
    this.seenMarkers.add(marker);
    if (this.seenMarkers.size > SEEN_MARKERS_LIMIT) {
      const oldest = this.seenMarkers.values().next().value;
      if (oldest !== undefined) this.seenMarkers.delete(oldest);
    }
  }

  /**
   * Subscribes to presence of users we show (friends, party, chat partners, the people of our custom lobby). Ids named within a short window go out together,
   * deduplicated, at most 100 per request; nothing goes out before the session is admitted.
   */
  private watchUsers(userIds: readonly string[]): void {
    for (const id of userIds) if (!this.subscribedUsers.has(id)) this.pendingWatch.add(id);
    if (this.pendingWatch.size === 0 || this.watchTimer) return;
    this.watchTimer = setTimeout(() => {
      this.watchTimer = null;
      this.flushWatch();
    }, WATCH_BATCH_WINDOW_MS);
  }

  private flushWatch(): void {
    if (!this.admitted || this.options.connection.session === null || this.watchTimer) return;
    if (this.subscriptionsFull) {
      this.pendingWatch.clear();
      return;
    }
    const selfId = this.options.store.view.self?.userId;
    const room = Math.max(0, USER_SUBSCRIPTION_LIMIT - this.subscribedUsers.size);
    const fresh = [...this.pendingWatch].filter((id) => id !== selfId && !this.subscribedUsers.has(id)).slice(0, room);
    this.pendingWatch.clear();
    for (let i = 0; i < fresh.length; i += SUBSCRIBE_BATCH_MAX) {
      const batch = fresh.slice(i, i + SUBSCRIBE_BATCH_MAX);
      for (const id of batch) this.subscribedUsers.add(id);
      void this.call('user/subscribeUpdates', { userIds: batch }).catch((error: unknown) => {
        // A server with a limit (1.13.0 declares one; Teiserver has none) said we reached it: ask for no more this session.
        if (error instanceof IntentError && error.reason === 'subscription_limit_reached') this.subscriptionsFull = true;
        this.options.logger.info(`user/subscribeUpdates: ${error instanceof Error ? error.message : String(error)}`);
      });
    }
  }

  private async quietCall<C extends RequestCommandId>(commandId: C, data: RequestData<C>): Promise<SuccessData<C> | null> {
    try {
      return await this.call(commandId, data);
    } catch (error) {
      // Waiting in the login queue is no problem: the session opens once the server admits us.
      const level = error instanceof IntentError && (error.reason === 'waiting_for_login' || error.code === 'not_available') ? 'info' : 'warn';
      this.options.logger[level](`${commandId}: ${error instanceof Error ? error.message : String(error)}`);
      return null;
    }
  }

  /** Sends a request on the live session and turns every failure into an IntentError with a stable code. */
  private async call<C extends RequestCommandId>(commandId: C, data: RequestData<C>): Promise<SuccessData<C>> {
    const session = this.options.connection.session;
    if (!session) throw new IntentError('not_connected', 'Not connected to the server.');
    if (!this.admitted) throw new IntentError('not_connected', LOGIN_QUEUE_TEXT, 'waiting_for_login');
    try {
      return await (session.call as (c: C, d: RequestData<C>) => Promise<SuccessData<C>>)(commandId, data);
    } catch (error) {
      throw intentErrorOf(commandId, error);
    }
  }
}
