// Drives one lobby session over a Tachyon connection: the imperative shell around the pure event reducer (event-reducer.ts),
// the player's intents (lobby-intents.ts) and the opening requests (session-opening.ts). It owns the timers and the sets.
import type { AnyEvent, RequestCommandId, RequestData, SuccessData } from '../protocol/commands';
import { FailWith, type TachyonEndpoint } from '../protocol/endpoint';
import type { TachyonConnection } from '../connection/tachyon-connection';
import type { BattleStartRequestData } from 'tachyon-protocol/types';
import type { Logger } from '../log';
import type { LobbyStore } from './store';
import type { ChatMarkerFile } from './chat-marker-file';
import { IntentError } from './intents';
import type { BattleView, MatchmakingView, Notice } from './state';
import { battleView, mmBattle, mmIdle } from './reducers';
import { reduceEvent } from './event-reducer';
import { intentErrorOf } from './failure-text';
import { PlayerIntents, type LobbyCalls } from './lobby-intents';
import { openSession, requeue } from './session-opening';

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
}

const SEEN_MARKERS_LIMIT = 5_000;
const USER_SUBSCRIPTION_LIMIT = 100;

export class LobbyClient {
  /** The player's intents: queue, ready, chat, friends, party. */
  readonly intents: PlayerIntents;
  private statsTimer: NodeJS.Timeout | null = null;
  private readonly seenMarkers = new Set<string>();
  private readonly subscribedUsers = new Set<string>();
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
    connection.onStatus((status) => {
      store.publish({
        slice: 'connection',
        value: {
          serverUrl: store.view.connection.serverUrl, phase: status.phase, versionParity: status.versionParity,
          ...(status.retryAt !== undefined ? { retryAt: status.retryAt, retryInMs: status.retryInMs } : {}),
          ...(status.message !== undefined ? { message: status.message } : {}),
        },
      });
      if (status.phase !== 'connected') this.stopStats();
    });
    connection.onSession((endpoint) => this.startSession(endpoint));
    connection.onEvent((event) => this.onEvent(event));
  }

  private startSession(endpoint: TachyonEndpoint): void {
    this.subscribedUsers.clear();
    endpoint.handle('battle/start', (data) => this.onBattleStart(data));
    void this.refreshStats();
    this.stopStats();
    this.statsTimer = setInterval(() => void this.refreshStats(), this.options.statsIntervalMs ?? 10_000);
    openSession(this.calls, this.intents, this.options.chatMarkers.marker);
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
    // `user/self` carries our matchmaking in the current revision: it moves it as much as a `matchmaking/*` event does.
    if (event.commandId.startsWith('matchmaking/') || event.commandId === 'user/self') this.matchmakingEvents++;
    const outcome = reduceEvent(this.options.store, event, this.now(), (marker) => this.seenMarkers.has(marker));
    if (outcome.ignored) this.options.logger[outcome.ignored.level](outcome.ignored.text);
    if (outcome.saveMarker !== undefined) this.options.chatMarkers.save(outcome.saveMarker);
    if (outcome.shownMarker !== undefined) this.rememberMarker(outcome.shownMarker);
    for (const patch of outcome.patches) this.options.store.publish(patch);
    if (outcome.watch.length > 0) this.watchUsers(outcome.watch);
    if (outcome.requeue) void requeue(this.calls, this.intents, outcome.requeue);
  }

  private async onBattleStart(data: BattleStartRequestData): Promise<undefined> {
    const start = ++this.battleStarts;
    const battle: BattleView = battleView(data);
    this.options.store.publish({ slice: 'battle', value: battle });
    this.matchmakingEvents++;
    this.setMatchmaking(mmBattle(this.mm));
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

  /** Subscribes to presence of users we show (friends, party, chat partners), within the server's limit of 100. */
  private watchUsers(userIds: readonly string[]): void {
    const selfId = this.options.store.view.self?.userId;
    const fresh = [...new Set(userIds)].filter((id) => id !== selfId && !this.subscribedUsers.has(id));
    const room = USER_SUBSCRIPTION_LIMIT - this.subscribedUsers.size;
    const batch = fresh.slice(0, Math.max(0, room));
    if (batch.length === 0) return;
    for (const id of batch) this.subscribedUsers.add(id);
    void this.quietCall('user/subscribeUpdates', { userIds: batch });
  }

  private async quietCall<C extends RequestCommandId>(commandId: C, data: RequestData<C>): Promise<SuccessData<C> | null> {
    try {
      return await this.call(commandId, data);
    } catch (error) {
      this.options.logger.warn(`${commandId}: ${error instanceof Error ? error.message : String(error)}`);
      return null;
    }
  }

  /** Sends a request on the live session and turns every failure into an IntentError with a stable code. */
  private async call<C extends RequestCommandId>(commandId: C, data: RequestData<C>): Promise<SuccessData<C>> {
    const session = this.options.connection.session;
    if (!session) throw new IntentError('not_connected', 'Not connected to the server.');
    try {
      return await (session.call as (c: C, d: RequestData<C>) => Promise<SuccessData<C>>)(commandId, data);
    } catch (error) {
      throw intentErrorOf(commandId, error);
    }
  }
}
