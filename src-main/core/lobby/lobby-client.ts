// Drives one lobby session over a Tachyon connection: the opening requests, periodic stats, every user-actor event, and the player's intents.
import { randomUUID } from 'node:crypto';
import type { AnyEvent, RequestCommandId, RequestData, SuccessData } from '../protocol/commands';
import { FailWith, RequestAbortedError, RequestFailedError, type TachyonEndpoint } from '../protocol/endpoint';
import type { TachyonConnection } from '../connection/tachyon-connection';
import type { BattleStartRequestData } from 'tachyon-protocol/types';
import type { Logger } from '../log';
import type { LobbyStore } from './store';
import type { ChatMarkerFile } from './chat-marker-file';
import { IntentError, type ChatTarget } from './intents';
import { MESSAGE_MAX_CHARS, type BattleView, type FriendsView, type MatchmakingView, type Notice, type PartiesView, type UserView } from './state';
import {
  battleView, boundedFriends, CANCEL_REASON_TEXT, chatLine, friendsFromSelf, isInQueue, mergeUser, mmBattle, mmCancelled, mmFound, mmIdle,
  mmLost, mmQueued, mmReadied, mmReadyCount, parsePlayersQueued, partyView, partyViews, playlistViews, selfView, userView,
} from './reducers';
import { isUsableId, LIST_CAPS, newest } from './caps';
import { LOBBY_LIMITS } from '../../shared/lobby-reducers';

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
  private statsTimer: NodeJS.Timeout | null = null;
  private readonly seenMarkers = new Set<string>();
  private readonly subscribedUsers = new Set<string>();
  private readonly now: () => number;
  /** Bumped by every server event that moves matchmaking, so a late request answer never overwrites newer news. */
  private matchmakingEvents = 0;
  /** Bumped by every battle/start: only the newest one's outcome is the player's battle. */
  private battleStarts = 0;

  constructor(private readonly options: LobbyClientOptions) {
    this.now = options.now ?? Date.now;
    const { connection, store } = options;
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

  // ---- session ----

  private startSession(endpoint: TachyonEndpoint): void {
    this.subscribedUsers.clear();
    endpoint.handle('battle/start', (data) => this.onBattleStart(data));
    void this.refreshStats();
    this.stopStats();
    this.statsTimer = setInterval(() => void this.refreshStats(), this.options.statsIntervalMs ?? 10_000);
    const marker = this.options.chatMarkers.marker;
    this.quietly('messaging/subscribeReceived', { since: marker ? { type: 'marker', value: marker } : { type: 'latest' } });
    void this.refreshPlaylists().catch(() => undefined);
    void this.quietCall('friend/list', undefined).then((friends) => {
      if (!friends) return;
      const value = boundedFriends({
        friendIds: friends.friends.map((f) => f.userId).filter(isUsableId),
        incoming: friends.incomingPendingRequests.filter((r) => isUsableId(r.from)).map((r) => ({ userId: r.from, sentAt: r.sentAt })),
        outgoing: friends.outgoingPendingRequests.filter((r) => isUsableId(r.to)).map((r) => ({ userId: r.to, sentAt: r.sentAt })),
      });
      this.options.store.publish({ slice: 'friends', value });
      this.watchUsers(value.friendIds);
    });
    // The server may have dropped us from matchmaking with the socket; queue again so a reconnect never loses our place.
    const mm = this.options.store.view.matchmaking;
    if (isInQueue(mm) && mm.queues.length > 0) void this.requeue(mm.queues);
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

  private async requeue(queues: readonly string[]): Promise<void> {
    try {
      const before = this.matchmakingEvents;
      await this.call('matchmaking/queue', { queues: queues.slice() });
      if (before === this.matchmakingEvents) this.setMatchmaking(mmQueued(this.mm, queues));
    } catch (error) {
      if (error instanceof IntentError && error.reason === 'already_queued') return;
      this.setMatchmaking(mmIdle(this.mm));
      this.notice('warning', `Could not rejoin the queue after reconnecting: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  // ---- events ----

  private onEvent(event: AnyEvent): void {
    const store = this.options.store;
    if (event.commandId.startsWith('matchmaking/')) this.matchmakingEvents++;
    switch (event.commandId) {
      case 'user/self': {
        const user = event.data.user;
        if (!isUsableId(user.userId)) {
          this.options.logger.warn('ignored user/self: the user id is longer than any real one');
          return;
        }
        store.publish({ slice: 'self', value: selfView(user) });
        store.publish({ slice: 'users', upsert: [userView(user)], remove: [] });
        store.publish({ slice: 'friends', value: friendsFromSelf(user) });
        store.publish({ slice: 'party', value: { current: user.party ? partyView(user.party) : null, invitations: partyViews(user.invitedToParties) } });
        this.watchUsers([...user.friendIds, ...(user.party?.members.map((m) => m.userId) ?? [])]);
        return;
      }
      case 'user/updated': {
        const upsert = [];
        for (const diff of event.data.users) {
          const known = diff.userId !== undefined ? store.user(diff.userId) : undefined;
          const merged = mergeUser(known, diff);
          if (merged) upsert.push(merged);
        }
        if (upsert.length > 0) store.publish({ slice: 'users', upsert, remove: this.usersToEvict(upsert) });
        const self = store.view.self;
        const mine = upsert.find((u) => u.userId === self?.userId);
        if (self && mine && mine.status !== self.status) store.publish({ slice: 'self', value: { ...self, status: mine.status } });
        return;
      }
      case 'messaging/received': {
        const line = chatLine(event.data);
        if (!line) return;
        // Only a marker we could send back is worth keeping for the next subscribe (a digest could not be).
        if (line.marker === event.data.marker) this.options.chatMarkers.save(line.marker);
        if (this.seenMarkers.has(line.marker)) return; // a replay after reconnect: already shown
        this.rememberMarker(line.marker);
        store.publish({ slice: 'chat', append: [line] });
        this.watchUsers([line.fromUserId]);
        return;
      }
      case 'matchmaking/queueUpdate':
        this.setMatchmaking({ ...this.mm, playersQueued: parsePlayersQueued(event.data.playersQueued) });
        return;
      case 'matchmaking/queuesJoined':
        this.setMatchmaking(mmQueued(this.mm, event.data.queues));
        return;
      case 'matchmaking/found':
        this.setMatchmaking(mmFound(this.mm, event.data.queueId, event.data.timeoutMs, this.now()));
        return;
      case 'matchmaking/foundUpdate':
        this.setMatchmaking(mmReadyCount(this.mm, event.data.readyCount));
        return;
      case 'matchmaking/lost':
        this.setMatchmaking(mmLost(this.mm));
        return;
      case 'matchmaking/cancelled':
        this.setMatchmaking(mmCancelled(this.mm, event.data.reason));
        if (event.data.reason !== 'intentional') this.notice('warning', CANCEL_REASON_TEXT[event.data.reason]);
        return;
      case 'friend/requestReceived':
        if (!isUsableId(event.data.from)) return;
        this.updateFriends((f) => ({ ...f, incoming: [...f.incoming.filter((r) => r.userId !== event.data.from), { userId: event.data.from, sentAt: this.now() }] }));
        this.watchUsers([event.data.from]);
        return;
      case 'friend/requestAccepted':
        if (!isUsableId(event.data.from)) return;
        this.updateFriends((f) => ({
          friendIds: f.friendIds.includes(event.data.from) ? f.friendIds : [...f.friendIds, event.data.from],
          incoming: f.incoming.filter((r) => r.userId !== event.data.from),
          outgoing: f.outgoing.filter((r) => r.userId !== event.data.from),
        }));
        this.watchUsers([event.data.from]);
        return;
      case 'friend/requestRejected':
        this.updateFriends((f) => ({ ...f, outgoing: f.outgoing.filter((r) => r.userId !== event.data.from) }));
        return;
      case 'friend/requestCancelled':
        this.updateFriends((f) => ({ ...f, incoming: f.incoming.filter((r) => r.userId !== event.data.from) }));
        return;
      case 'friend/removed':
        this.updateFriends((f) => ({ ...f, friendIds: f.friendIds.filter((id) => id !== event.data.from) }));
        return;
      case 'party/invited': {
        const invite = partyView(event.data.party);
        if (!invite) return;
        this.updateParty((p) => ({ ...p, invitations: [...p.invitations.filter((i) => i.id !== invite.id), invite] }));
        this.watchUsers(invite.members.map((m) => m.userId));
        return;
      }
      case 'party/updated': {
        const party = partyView(event.data);
        if (!party) return;
        const selfId = store.view.self?.userId;
        const isMember = party.members.some((m) => m.userId === selfId);
        this.updateParty((p) => ({
          current: isMember ? party : p.current?.id === party.id ? null : p.current,
          invitations: isMember ? p.invitations.filter((i) => i.id !== party.id) : p.invitations.map((i) => (i.id === party.id ? party : i)),
        }));
        this.watchUsers([...party.members, ...party.invited].map((m) => m.userId));
        return;
      }
      case 'party/removed':
        this.updateParty((p) => ({
          current: p.current?.id === event.data.partyId ? null : p.current,
          invitations: p.invitations.filter((i) => i.id !== event.data.partyId),
        }));
        return;
      default:
        // Events for other actors (autohost/*) never reach a user session; the schema check already dropped unknown ones.
        this.options.logger.debug(`ignored event ${event.commandId}`);
    }
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

  // ---- intents ----

  async queue(queues: readonly string[]): Promise<void> {
    const ids = queues.map((q) => q.trim()).filter((q) => q.length > 0);
    if (ids.length === 0) throw new IntentError('invalid_input', 'Choose at least one playlist.');
    const before = this.matchmakingEvents;
    await this.call('matchmaking/queue', { queues: ids });
    // A `found` can arrive in the same TCP read as the answer and be applied first: keep it.
    if (before === this.matchmakingEvents) this.setMatchmaking(mmQueued(this.mm, ids));
    else this.setMatchmaking({ ...this.mm, queues: ids });
  }

  async cancelQueue(): Promise<void> {
    try {
      await this.call('matchmaking/cancel', undefined);
    } catch (error) {
      if (!(error instanceof IntentError && error.reason === 'not_queued')) throw error;
      this.setMatchmaking(mmIdle(this.mm)); // the server had already forgotten us: agree with it
    }
  }

  async ready(): Promise<void> {
    if (this.mm.phase !== 'found') throw new IntentError('invalid_input', 'There is no match to ready up for.');
    await this.call('matchmaking/ready', undefined);
    this.setMatchmaking(mmReadied(this.mm));
  }

  async refreshPlaylists(): Promise<void> {
    const list = await this.call('matchmaking/list', undefined);
    this.setMatchmaking({ ...this.mm, playlists: playlistViews(list) });
  }

  async sendChat(target: ChatTarget, text: string): Promise<void> {
    if (text.trim().length === 0) throw new IntentError('invalid_input', 'The message is empty.');
    if ([...text].length > MESSAGE_MAX_CHARS) throw new IntentError('invalid_input', `The message is too long: at most ${MESSAGE_MAX_CHARS} characters.`);
    const wireTarget = target.type === 'player' ? { type: 'player' as const, userId: target.userId } : { type: 'party' as const };
    await this.call('messaging/send', { target: wireTarget, message: text });
    const self = this.options.store.view.self;
    const party = this.options.store.view.party.current;
    this.options.store.publish({
      slice: 'chat',
      append: [{
        marker: `local:${randomUUID()}`, at: this.now(), fromUserId: self?.userId ?? '',
        channel: target.type === 'player' ? { type: 'player', userId: target.userId } : { type: 'party', partyId: party?.id ?? '' },
        text,
      }],
    });
  }

  async friendRequest(kind: 'send' | 'accept' | 'reject' | 'cancel' | 'remove', userId: string): Promise<void> {
    if (kind === 'send') {
      await this.call('friend/sendRequest', { to: userId });
      this.updateFriends((f) => ({ ...f, outgoing: [...f.outgoing.filter((r) => r.userId !== userId), { userId, sentAt: this.now() }] }));
    } else if (kind === 'accept') {
      await this.call('friend/acceptRequest', { from: userId });
      this.updateFriends((f) => ({ ...f, friendIds: [...f.friendIds.filter((id) => id !== userId), userId], incoming: f.incoming.filter((r) => r.userId !== userId) }));
    } else if (kind === 'reject') {
      await this.call('friend/rejectRequest', { from: userId });
      this.updateFriends((f) => ({ ...f, incoming: f.incoming.filter((r) => r.userId !== userId) }));
    } else if (kind === 'cancel') {
      await this.call('friend/cancelRequest', { to: userId });
      this.updateFriends((f) => ({ ...f, outgoing: f.outgoing.filter((r) => r.userId !== userId) }));
    } else {
      await this.call('friend/remove', { userId });
      this.updateFriends((f) => ({ ...f, friendIds: f.friendIds.filter((id) => id !== userId) }));
    }
    this.watchUsers([userId]);
  }

  async party(kind: 'create' | 'invite' | 'cancelInvite' | 'kick' | 'accept' | 'decline' | 'leave', id?: string): Promise<void> {
    const need = (): string => {
      if (!id) throw new IntentError('invalid_input', 'Missing the user or party to act on.');
      return id;
    };
    switch (kind) {
      case 'create': {
        const { partyId } = await this.call('party/create', undefined);
        const selfId = this.options.store.view.self?.userId ?? '';
        this.updateParty((p) => ({ ...p, current: p.current?.id === partyId ? p.current : { id: partyId, members: [{ userId: selfId, joinedAt: this.now() }], invited: [] } }));
        return;
      }
      case 'invite': await this.call('party/invite', { userId: need() }); return;
      case 'cancelInvite': await this.call('party/cancelInvite', { userId: need() }); return;
      case 'kick': await this.call('party/kickMember', { userId: need() }); return;
      case 'accept': await this.call('party/acceptInvite', { partyId: need() }); return;
      case 'decline':
        await this.call('party/declineInvite', { partyId: need() });
        this.updateParty((p) => ({ ...p, invitations: p.invitations.filter((i) => i.id !== id) }));
        return;
      case 'leave':
        await this.call('party/leave', undefined);
        this.updateParty((p) => ({ ...p, current: null }));
        return;
    }
  }

  close(): void {
    this.stopStats();
  }

  // ---- plumbing ----

  private get mm(): MatchmakingView {
    return this.options.store.view.matchmaking;
  }

  private setMatchmaking(value: MatchmakingView): void {
    this.options.store.publish({ slice: 'matchmaking', value });
  }

  private updateFriends(change: (f: FriendsView) => FriendsView): void {
    this.options.store.publish({ slice: 'friends', value: boundedFriends(change(this.options.store.view.friends)) });
  }

  private updateParty(change: (p: PartiesView) => PartiesView): void {
    const next = change(this.options.store.view.party);
    this.options.store.publish({ slice: 'party', value: { ...next, invitations: newest(next.invitations, LIST_CAPS.partyInvitations) } });
  }

  /**
   * Which known users to forget so the store stays within its cap after `incoming` lands: those heard of longest ago,
   * never ourselves, a friend or a party member.
   */
  private usersToEvict(incoming: readonly UserView[]): string[] {
    const store = this.options.store;
    const fresh = new Set(incoming.filter((u) => store.user(u.userId) === undefined).map((u) => u.userId)).size;
    let excess = store.userCount + fresh - LOBBY_LIMITS.users;
    if (excess <= 0) return [];
    const keep = new Set([store.view.self?.userId, ...store.view.friends.friendIds, ...(store.view.party.current?.members.map((m) => m.userId) ?? [])]);
    for (const user of incoming) keep.add(user.userId);
    const evict: string[] = [];
    for (const userId of store.userIds()) {
      if (excess <= 0) break;
      if (keep.has(userId)) continue;
      evict.push(userId);
      excess--;
    }
    return evict;
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
    this.quietly('user/subscribeUpdates', { userIds: batch });
  }

  /** A request whose failure is logged, not thrown: for the background requests the player did not ask for. */
  private quietly<C extends RequestCommandId>(commandId: C, data: RequestData<C>): void {
    void this.quietCall(commandId, data);
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
      if (error instanceof RequestFailedError) throw new IntentError('rejected', failureText(commandId, error.reason), error.reason);
      if (error instanceof RequestAbortedError) {
        const timedOut = /no answer within/.test(error.message);
        throw new IntentError(timedOut ? 'timeout' : 'not_connected', timedOut ? 'The server did not answer in time.' : 'The connection dropped before the server answered.');
      }
      throw new IntentError('internal', error instanceof Error ? error.message : String(error));
    }
  }
}

const FAILURE_TEXT: Record<string, string> = {
  message_too_long: 'The message is too long for the server.',
  invalid_target: 'That player or party cannot receive messages.',
  already_queued: 'You are already in a queue.',
  already_in_battle: 'You are already in a battle.',
  invalid_queue_specified: 'That playlist does not exist on this server.',
  not_queued: 'You are not in a queue.',
  no_match: 'There is no match to ready up for any more.',
  invalid_user: 'No such player.',
  already_in_friendlist: 'You are already friends.',
  outgoing_capacity_reached: 'You have too many pending friend requests.',
  incoming_capacity_reached: 'That player has too many pending friend requests.',
  no_pending_request: 'There is no such friend request.',
  not_in_friendlist: 'That player is not your friend.',
  not_in_party: 'You are not in a party.',
  invalid_invite: 'There is no such invitation.',
  unknown_user: 'No such player.',
  subscription_limit_reached: 'Too many players watched at once.',
  unauthorized: 'You are not allowed to do that.',
  invalid_request: 'The server did not accept the request.',
  command_unimplemented: 'This server does not support that yet.',
  internal_error: 'The server had a problem; try again.',
};

function failureText(commandId: string, reason: string): string {
  return FAILURE_TEXT[reason] ?? `${commandId} failed (${reason}).`;
}
