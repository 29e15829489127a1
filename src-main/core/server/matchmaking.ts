// Matchmaking as Teiserver does it (Tachyon protocol docs, `matchmaking/*`): queues, found with a ready timeout, lost/cancelled with the right reason, then a battle.
import { randomBytes, randomUUID } from 'node:crypto';
import type { BattleStartRequestData } from 'tachyon-protocol/types';
import { FailWith } from '../protocol/endpoint';
import type { Logger } from '../log';
import type { EventCommandId, EventData } from '../protocol/commands';
import { emitTo, type ClientSession } from './session';
import { GENERIC_START_FAILURE, LaunchFailure, playlistVersion, type BattleLauncher, type MatchPlayer, type PlaylistConfig } from './match';
import type { MatchmakingState } from '../protocol/schemas/index';
import type { Community } from './community';
import { SessionGrace } from './session-grace';
import { AssetGate, type AssetCheckOptions, type JoiningPlayer } from './queue-assets';

// Re-exported for the modules that name them from here (core/local-play's playlists, tests); match.ts defines them.
export type { BattleLauncher, MatchPlayer, MatchToLaunch, PlaylistConfig } from './match';
export { LaunchFailure, playlistVersion } from './match';

/** What matchmaking needs of the social side: a player's status and battle name. */
export type Presence = Pick<Community, 'setStatus' | 'publicUserName' | 'partyOf'>;

type QueueRef = { id: string; version: string };

interface PendingMatch {
  readonly id: string;
  readonly playlist: PlaylistConfig;
  readonly userIds: readonly string[];
  readonly ready: Set<string>;
  /** When the ready check ends (ms since the epoch). */
  readonly deadline: number;
  timer: NodeJS.Timeout | null;
  /** Set once the battle is being hosted: later readies must not host it again. */
  launching: boolean;
}

export interface MatchmakerOptions {
  sessionsOf: (userId: string) => ClientSession[];
  community: Presence;
  playlists: readonly PlaylistConfig[];
  launcher?: BattleLauncher;
  matchIntervalMs?: number;
  readyTimeoutMs?: number;
  /** How long a player's matchmaking outlives their last socket dropping (Teiserver: 30 s). */
  sessionGraceMs?: number;
  /** Ask every joining player's lobby for the playlist's content (`matchmaking/checkAssets`) before pairing them; off without it. */
  assetCheck?: AssetCheckOptions;
  logger: Logger;
}

/** How a socket ended: `system/disconnect` ends the session at once, anything else is a drop the session outlives for a while. */
export type SessionEnd = 'disconnect' | 'dropped';

export class Matchmaker {
  private readonly queues = new Map<string, string[]>(); // playlist id → user ids in queue order
  private readonly matches = new Map<string, PendingMatch>();
  private readonly inBattle = new Map<string, string>(); // userId → battleId
  /** The session whose matchmaking/queue put each queued player in: it alone gets the battle/start. */
  private readonly queuedBy = new Map<string, ClientSession>();
  /** The queues (with the versions named) each queued player asked for, for `user/self.matchmaking`. */
  private readonly queuedFor = new Map<string, QueueRef[]>();
  /** Players whose last socket dropped while they held a queue place or a seat: held until they reconnect or the grace ends. */
  private readonly grace: SessionGrace;
  /** A battle/start for a player who was away when their battle started: it goes to the session they come back with. */
  private readonly startsOnReturn = new Map<string, { data: BattleStartRequestData; queue: QueueRef & { timeoutAt: number } }>();
  private tickTimer: NodeJS.Timeout | null = null;
  /** With `assetCheck`: queues waiting for the first content answers, and players kept out of pairing while they download. */
  private readonly assets: AssetGate | null;

  constructor(private readonly options: MatchmakerOptions) {
    for (const playlist of options.playlists) this.queues.set(playlist.id, []);
    this.grace = new SessionGrace(options.sessionGraceMs);
    this.assets = options.assetCheck === undefined ? null : new AssetGate({
      ...options.assetCheck,
      sessionOf: (userId) => this.queuedBy.get(userId),
      playlist: (id) => options.playlists.find((p) => p.id === id),
      nameOf: (userId) => options.community.publicUserName(userId),
      onComplete: () => setImmediate(() => this.formMatches()),
      onFailed: (userId, text) => this.leaveForContent(userId, text),
    });
  }

  start(): void {
    this.tickTimer = setInterval(() => this.formMatches(), this.options.matchIntervalMs ?? 1_000);
  }

  stop(): void {
    if (this.tickTimer) clearInterval(this.tickTimer);
    for (const match of this.matches.values()) if (match.timer) clearTimeout(match.timer);
    this.matches.clear();
    this.grace.stop();
    this.assets?.stop();
  }

  playlistIds(): string[] {
    return this.options.playlists.map((p) => p.id);
  }

  queuedUserIds(playlistId: string): readonly string[] {
    return this.queues.get(playlistId) ?? [];
  }

  /** What `user/self.matchmaking` tells a (re)connecting player: queuing, a found match waiting for ready, or nothing. */
  stateOf(userId: string): MatchmakingState {
    // Their match is ready and its battle/start follows this user/self: to them it is still the match they readied for.
    const waiting = this.startsOnReturn.get(userId);
    if (waiting) return { state: 'found', queue: { ...waiting.queue, hasAlreadyReadied: true }, otherQueues: [] };
    const refs = this.queuedFor.get(userId) ?? [];
    const match = this.matchOf(userId);
    if (match) {
      const queue = { id: match.playlist.id, version: playlistVersion(match.playlist), timeoutAt: match.deadline * 1000, hasAlreadyReadied: match.ready.has(userId) };
      return { state: 'found', queue, otherQueues: refs.filter((r) => r.id !== queue.id) };
    }
    const [first, ...rest] = refs;
    return first ? { state: 'queuing', queues: [first, ...rest] } : { state: 'no_matchmaking' };
  }

  isInBattle(userId: string): boolean {
    return this.inBattle.has(userId);
  }

  /**
   * A battle is over: its players go back to the menu. When the server ended it itself (its autohost lost it or never
   * came back), `playerText` says why, sent as a `server_error` cancellation's `details` as Teiserver does.
   */
  battleEnded(battleId: string, playerText?: string): void {
    for (const [userId, id] of this.inBattle) {
      if (id !== battleId) continue;
      this.inBattle.delete(userId);
      this.startsOnReturn.delete(userId);
      if (this.options.sessionsOf(userId).length === 0) continue;
      this.options.community.setStatus(userId, 'menu');
      if (playerText !== undefined) this.emit(userId, 'matchmaking/cancelled', cancelled('server_error', playerText));
    }
  }

  /**
   * A socket closed. A player's matchmaking belongs to the session that queued: when that one goes, the player leaves
   * matchmaking as on a disconnect, and any other session of theirs is told it was cancelled. When it was their last socket
   * and it dropped (no `system/disconnect`), their queue place and seat are kept for the grace period, as Teiserver keeps
   * the session: the ready check runs on, and a reconnect within it picks everything up.
   */
  sessionClosed(session: ClientSession, end: SessionEnd): void {
    const userId = session.account.userId;
    const remaining = this.options.sessionsOf(userId);
    if (remaining.length === 0) {
      if (end === 'disconnect' || !this.queuedFor.has(userId)) return this.userDisconnected(userId);
      this.queuedBy.delete(userId); // the session they come back with takes its place
      this.grace.hold(userId, () => this.graceEnded(userId));
      return;
    }
    if (this.queuedBy.get(userId) !== session) return;
    this.userDisconnected(userId);
    emitTo(remaining, 'matchmaking/cancelled', { reason: 'intentional' });
  }

  /** A player's socket opened (after its `user/self`): a held session is theirs again, with a battle/start that waited for it. */
  sessionOpened(session: ClientSession): void {
    const userId = session.account.userId;
    if (!this.grace.resume(userId)) return;
    if (this.queuedFor.has(userId)) this.queuedBy.set(userId, session);
    const start = this.startsOnReturn.get(userId);
    this.startsOnReturn.delete(userId);
    if (start) this.sendBattleStart(userId, [session], start.data);
  }

  private graceEnded(userId: string): void {
    this.startsOnReturn.delete(userId);
    this.userDisconnected(userId);
    if (this.options.sessionsOf(userId).length === 0) this.options.community.setStatus(userId, 'offline');
  }

  userDisconnected(userId: string): void {
    // A dropped player leaves matchmaking like a cancel, but nobody is told `intentional`.
    const match = this.matchOf(userId);
    if (match) this.dissolve(match, new Set([userId]), null);
    this.leaveQueues(userId);
  }

  registerHandlers(session: ClientSession): void {
    const { endpoint } = session;
    const me = session.account.userId;
    endpoint.handle('matchmaking/list', () => ({
      playlists: this.options.playlists.map((p) => ({
        id: p.id, version: playlistVersion(p), name: p.name, numOfTeams: p.numOfTeams, teamSize: p.teamSize, ranked: false,
        engines: [{ version: p.engine }], games: [{ springName: p.game }], maps: [{ springName: p.map }],
      })),
    }));
    endpoint.handle('matchmaking/queue', async ({ queues }) => {
      // The current revision's schema admits only `{id, version}` items; a 1.13.0 client's bare ids never get here.
      const refs = queues.filter((q): q is QueueRef => typeof q !== 'string');
      if (this.inBattle.has(me)) throw new FailWith<'matchmaking/queue'>('already_in_battle');
      const playlists = refs.map((ref) => this.options.playlists.find((p) => p.id === ref.id));
      if (refs.length === 0 || playlists.some((p) => p === undefined)) throw new FailWith<'matchmaking/queue'>('invalid_queue_specified');
      if (refs.some((ref, i) => playlistVersion(playlists[i] as PlaylistConfig) !== ref.version)) throw new FailWith<'matchmaking/queue'>('version_mismatch');
      if (this.isQueued(me)) throw new FailWith<'matchmaking/queue'>('already_queued');
      const unique = [...new Map(refs.map((r) => [r.id, { id: r.id, version: r.version }])).values()];
      // A party queues together (Teiserver's party matchmaking): every other free member joins the same queues and is told.
      const joining: JoiningPlayer[] = [{ userId: me, session }, ...this.freePartyMembers(me)];
      const checked = await this.checkAssets(joining, unique.map((r) => this.options.playlists.find((p) => p.id === r.id)!));
      if (checked === null) return undefined; // cancelled while the content was checked: the cancel told them
      const { downloading, cancelled: gone } = checked;
      for (const player of joining) {
        const free = !gone.has(player.userId) && !this.inBattle.has(player.userId) && !this.isQueued(player.userId);
        if (player.userId !== me && (!free || !this.options.sessionsOf(player.userId).includes(player.session))) continue;
        this.enqueue(player.userId, player.session, unique);
        this.assets?.hold(player.userId, downloading.get(player.userId) ?? []);
        if (player.userId !== me) this.emit(player.userId, 'matchmaking/queuesJoined', { queues: unique.map((r) => r.id) });
      }
      setImmediate(() => this.formMatches());
      return undefined;
    });
    endpoint.handle('matchmaking/ready', () => {
      const match = this.matchOf(me);
      if (!match) throw new FailWith<'matchmaking/ready'>('no_match');
      if (match.ready.has(me)) return undefined; // readying twice changes nothing
      match.ready.add(me);
      for (const userId of match.userIds) this.emit(userId, 'matchmaking/foundUpdate', { readyCount: match.ready.size });
      if (match.ready.size === match.userIds.length && !match.launching) {
        match.launching = true;
        setImmediate(() => void this.launch(match));
      }
      return undefined;
    });
    endpoint.handle('matchmaking/cancel', () => {
      const match = this.matchOf(me);
      if (!match && !this.isQueued(me)) throw new FailWith<'matchmaking/cancel'>('not_queued');
      this.assets?.cancelled(me);
      if (match) this.dissolve(match, new Set([me]), null);
      this.leaveQueues(me);
      setImmediate(() => this.emit(me, 'matchmaking/cancelled', { reason: 'intentional' }));
      this.partyLeaves(me);
      return undefined;
    });
  }

  /** The party queued together, so it leaves together: the others are told a member left. */
  private partyLeaves(userId: string): void {
    for (const member of this.options.community.partyOf(userId)?.members ?? []) {
      if (member.userId === userId || !this.queuedFor.has(member.userId)) continue;
      const theirs = this.matchOf(member.userId);
      if (theirs) this.dissolve(theirs, new Set([member.userId]), null);
      this.leaveQueues(member.userId);
      this.emit(member.userId, 'matchmaking/cancelled', { reason: 'party_user_left' });
    }
  }

  private freePartyMembers(userId: string): JoiningPlayer[] {
    return (this.options.community.partyOf(userId)?.members ?? []).flatMap((member) => {
      if (member.userId === userId || this.inBattle.has(member.userId) || this.isQueued(member.userId)) return [];
      const session = this.options.sessionsOf(member.userId)[0];
      return session ? [{ userId: member.userId, session }] : [];
    });
  }

  /** With `assetCheck`: everyone joining asked for the content (queue-assets.ts); null when the player cancelled meanwhile. */
  private async checkAssets(joining: readonly JoiningPlayer[], playlists: readonly PlaylistConfig[]) {
    if (!this.assets) return { downloading: new Map<string, readonly string[]>(), cancelled: new Set<string>() };
    const outcome = await this.assets.check(joining, playlists);
    const [{ userId: me, session }] = joining as [JoiningPlayer];
    if (!this.options.sessionsOf(me).includes(session) || ('cancelled' in outcome && outcome.cancelled.has(me))) return null;
    if ('refusal' in outcome) throw new FailWith<'matchmaking/queue'>('party_missing_asset', outcome.refusal);
    if (this.inBattle.has(me)) throw new FailWith<'matchmaking/queue'>('already_in_battle');
    if (this.isQueued(me)) throw new FailWith<'matchmaking/queue'>('already_queued');
    return outcome;
  }

  /** A held player's content cannot be had: they leave matchmaking with the reason in words, and their party with them. */
  private leaveForContent(userId: string, text: string): void {
    const match = this.matchOf(userId);
    if (match) this.dissolve(match, new Set([userId]), null);
    this.leaveQueues(userId);
    this.emit(userId, 'matchmaking/cancelled', cancelled('server_error', text));
    this.partyLeaves(userId);
  }

  private isQueued(userId: string): boolean {
    if (this.assets?.isChecking(userId)) return true;
    for (const queue of this.queues.values()) if (queue.includes(userId)) return true;
    return this.matchOf(userId) !== undefined;
  }

  private matchOf(userId: string): PendingMatch | undefined {
    for (const match of this.matches.values()) if (match.userIds.includes(userId)) return match;
    return undefined;
  }

  private enqueue(userId: string, session: ClientSession, refs: readonly QueueRef[]): void {
    for (const ref of refs) this.queues.get(ref.id)?.push(userId);
    this.queuedBy.set(userId, session);
    this.queuedFor.set(userId, [...refs]);
  }

  private leaveQueues(userId: string): void {
    this.assets?.release(userId);
    this.queuedBy.delete(userId);
    this.queuedFor.delete(userId);
    for (const [id, queue] of this.queues) this.queues.set(id, queue.filter((u) => u !== userId));
  }

  private formMatches(): void {
    for (const playlist of this.options.playlists) {
      const size = (playlist.numOfTeams - (playlist.botSides ?? 0)) * playlist.teamSize;
      const queue = this.queues.get(playlist.id) ?? [];
      const waiting = queue.filter((userId) => !this.matchOf(userId) && !this.assets?.isHeld(userId, playlist.id));
      while (waiting.length >= size) {
        const userIds = waiting.splice(0, size);
        const timeoutMs = this.options.readyTimeoutMs ?? 20_000;
        const match: PendingMatch = { id: randomUUID(), playlist, userIds, ready: new Set(), deadline: Date.now() + timeoutMs, timer: null, launching: false };
        this.matches.set(match.id, match);
        match.timer = setTimeout(() => this.readyTimedOut(match), timeoutMs);
        for (const userId of userIds) this.emit(userId, 'matchmaking/found', { queueId: playlist.id, timeoutMs });
      }
    }
  }

  private readyTimedOut(match: PendingMatch): void {
    if (!this.matches.has(match.id)) return;
    const late = new Set(match.userIds.filter((userId) => !match.ready.has(userId)));
    this.dissolve(match, late, 'ready_timeout');
  }

  /**
   * Ends a found match. `leaving` players are out of matchmaking (told `cancelled` with `reason` when one is given);
   * everyone else is told `lost` and stays queued for the next match.
   */
  private dissolve(match: PendingMatch, leaving: ReadonlySet<string>, reason: 'ready_timeout' | 'server_error' | null, details?: string): void {
    // Once only: a second dissolve would tell players who are queued again `lost`/`cancelled` about a match long gone.
    if (this.matches.get(match.id) !== match) return;
    if (match.timer) clearTimeout(match.timer);
    this.matches.delete(match.id);
    for (const userId of match.userIds) {
      if (leaving.has(userId)) {
        this.leaveQueues(userId);
        if (reason) {
          this.emit(userId, 'matchmaking/lost');
          this.emit(userId, 'matchmaking/cancelled', cancelled(reason, details));
        }
      } else {
        this.emit(userId, 'matchmaking/lost');
      }
    }
    setImmediate(() => this.formMatches());
  }

  private async launch(match: PendingMatch): Promise<void> {
    if (!this.matches.has(match.id)) return;
    if (match.timer) clearTimeout(match.timer);
    const players: MatchPlayer[] = match.userIds.map((userId, index) => ({
      userId,
      name: this.options.community.publicUserName(userId),
      password: randomBytes(12).toString('base64url'),
      team: index % (match.playlist.numOfTeams - (match.playlist.botSides ?? 0)),
    }));
    const launcher = this.options.launcher;
    let address: { ip: string; port: number };
    try {
      if (!launcher) throw new LaunchFailure('no launcher is configured', 'No autohost is connected to host the battle.');
      address = await launcher.launch({ battleId: match.id, playlist: match.playlist, players });
    } catch (error) {
      this.options.logger.warn(`battle ${match.id} could not start: ${error instanceof Error ? error.message : String(error)}`);
      // The players read why in words; anything else (a bug, a launcher's own message) stays in the log.
      this.dissolve(match, new Set(match.userIds), 'server_error', error instanceof LaunchFailure ? error.playerText : GENERIC_START_FAILURE);
      return;
    }
    // A player cancelled or dropped while the autohost started it: the others were told `lost` and may be in a new match
    // by now, so nobody gets this battle/start, and the battle nobody will join goes.
    if (this.matches.get(match.id) !== match) {
      this.options.logger.info(`battle ${match.id} started after its match fell apart: killing it`);
      launcher.kill?.(match.id).catch((error: unknown) => this.options.logger.warn(`autohost/kill ${match.id}: ${error instanceof Error ? error.message : String(error)}`));
      return;
    }
    this.matches.delete(match.id);
    for (const player of players) {
      // Only the session that queued: two windows or headless clients of one player would each launch an engine for one seat.
      const queuedFrom = this.queuedBy.get(player.userId);
      const sessions = queuedFrom ? [queuedFrom] : this.options.sessionsOf(player.userId).slice(0, 1);
      this.leaveQueues(player.userId);
      this.inBattle.set(player.userId, match.id);
      const data: BattleStartRequestData = {
        username: player.name, password: player.password, ip: address.ip, port: address.port,
        engine: { version: match.playlist.engine }, game: { springName: match.playlist.game }, map: { springName: match.playlist.map },
      };
      // Away within the grace period: the battle/start waits for the session they come back with.
      if (sessions.length === 0 && this.grace.isHeld(player.userId)) {
        const queue = { id: match.playlist.id, version: playlistVersion(match.playlist), timeoutAt: match.deadline * 1000 };
        this.startsOnReturn.set(player.userId, { data, queue });
      } else this.sendBattleStart(player.userId, sessions, data);
      this.options.community.setStatus(player.userId, 'playing');
    }
  }

  private sendBattleStart(userId: string, sessions: readonly ClientSession[], data: BattleStartRequestData): void {
    for (const session of sessions) {
      session.endpoint.request('battle/start', data).then(
        (response) => {
          if (response.status !== 'success') this.options.logger.warn(`player ${userId} could not start the battle: ${response.reason}`);
        },
        (error: Error) => this.options.logger.warn(`battle/start to ${userId}: ${error.message}`),
      );
    }
  }

  private emit<C extends EventCommandId>(userId: string, commandId: C, ...data: EventData<C> extends undefined ? [] : [EventData<C>]): void {
    emitTo(this.options.sessionsOf(userId), commandId, ...data);
  }
}

/**
 * `matchmaking/cancelled` with Teiserver's `details`: the protocol's schema declares only `reason`, and Teiserver adds the
 * why in words, which clients show.
 */
function cancelled(reason: 'ready_timeout' | 'server_error', details: string | undefined): EventData<'matchmaking/cancelled'> {
  return (details === undefined ? { reason } : { reason, details }) as EventData<'matchmaking/cancelled'>;
}
