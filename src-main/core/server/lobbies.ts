// Custom battles (`lobby/*`) as Teiserver serves them (`lib/teiserver/player/tachyon_handler.ex`, `tachyon_lobby/lobby.ex`):
// the requests, `lobby/updated` merge patches to members, the lobby list with `listReset` then batched `listUpdated`,
// votes with their timeouts, lobby chat's members, and a lobby's battle hosted on an autohost with its bots and spectators.
import { randomBytes, randomUUID } from 'node:crypto';
import type { AutohostStartRequestData, BattleStartRequestData } from 'tachyon-protocol/types';
import { FailWith } from '../protocol/endpoint';
import type { Logger } from '../log';
import type { RequestCommandId } from '../protocol/commands';
import type { Community } from './community';
import { LaunchFailure } from './match';
import { emitTo, type ClientSession } from './session';
import { SessionGrace } from './session-grace';
import {
  DEFAULT_LOBBY_LIMITS, LobbyRefusal, LobbyRoom, VOTE_DURATION_MS, allyTeamConfigProblem, lobbyDetails, lobbyPatch, mergeDiff, nameProblem, optionsProblem,
  type LobbyLimits, type LobbyView,
} from './lobby-state';

/** Where a lobby's battle is hosted: AutohostFleet is one. */
export interface LobbyBattleHost {
  host(request: AutohostStartRequestData): Promise<{ ip: string; port: number }>;
  addPlayer(battleId: string, player: { userId: string; name: string; password: string }): Promise<void>;
}

export interface LobbyServiceOptions {
  sessionsOf: (userId: string) => ClientSession[];
  community: Pick<Community, 'setStatus' | 'publicUserName'>;
  host: LobbyBattleHost;
  /** The engine and game every lobby gets: the server chooses them (Teiserver's default lobby assets). */
  assets: () => { engine: string; game: string };
  logger: Logger;
  /** Lobbies on the server at once. */
  maxLobbies?: number;
  limits?: Partial<LobbyLimits>;
  /** How long a member's place outlives an abrupt drop of their last socket (Teiserver keeps the session 30 s). */
  sessionGraceMs?: number;
  /** How often list subscribers get the changes batched (Teiserver: 5 s). */
  listFlushMs?: number;
  voteDurationMs?: number;
}

export const DEFAULT_MAX_LOBBIES = 100;
/** The list flush here is quicker than Teiserver's 5 s: the list is small and local. */
export const DEFAULT_LIST_FLUSH_MS = 1_000;

type Overview = ReturnType<LobbyRoom['overview']>;

interface LobbyBattle {
  readonly lobbyId: string;
  readonly userIds: Set<string>;
}

export class LobbyService {
  private readonly lobbies = new Map<string, LobbyRoom>();
  private readonly lobbyOfUser = new Map<string, string>();
  /** The session each member last spoke for the lobby from: it alone gets battle/start (one engine per seat). */
  private readonly lobbySession = new Map<string, ClientSession>();
  private readonly listSubscribers = new Set<ClientSession>();
  /** What list subscribers were last sent, to batch the changes since. */
  private listSent = new Map<string, Overview>();
  private listTimer: NodeJS.Timeout | null = null;
  private readonly voteTimers = new Map<string, NodeJS.Timeout>();
  private readonly battles = new Map<string, LobbyBattle>();
  /** Where each running lobby battle is, for late joiners. */
  private readonly addresses = new Map<string, { ip: string; port: number }>();
  private readonly grace: SessionGrace;
  private readonly limits: LobbyLimits;
  private readonly maxLobbies: number;

  constructor(private readonly options: LobbyServiceOptions) {
    this.grace = new SessionGrace(options.sessionGraceMs);
    this.limits = { ...DEFAULT_LOBBY_LIMITS, ...options.limits };
    this.maxLobbies = options.maxLobbies ?? DEFAULT_MAX_LOBBIES;
  }

  stop(): void {
    this.grace.stop();
    for (const timer of this.voteTimers.values()) clearTimeout(timer);
    this.voteTimers.clear();
    if (this.listTimer) clearTimeout(this.listTimer);
    this.listTimer = null;
  }

  get lobbyCount(): number {
    return this.lobbies.size;
  }

  /** `user/self.currentLobby`. */
  lobbyOf(userId: string): string | null {
    return this.lobbyOfUser.get(userId) ?? null;
  }

  /** The other members of a player's lobby, for lobby chat. */
  chatRoomOf(userId: string): { lobbyId: string; memberIds: string[] } | null {
    const room = this.roomOf(userId);
    return room ? { lobbyId: room.id, memberIds: room.memberIds() } : null;
  }

  isInBattle(userId: string): boolean {
    for (const battle of this.battles.values()) if (battle.userIds.has(userId)) return true;
    return false;
  }

  /** A socket closed: a member's place outlives an abrupt drop of their last socket for the grace, as Teiserver's session does. */
  sessionClosed(session: ClientSession, end: 'disconnect' | 'dropped'): void {
    this.listSubscribers.delete(session);
    const userId = session.account.userId;
    const remaining = this.options.sessionsOf(userId);
    if (this.lobbySession.get(userId) === session) {
      const next = remaining[0];
      if (next) this.lobbySession.set(userId, next);
      else this.lobbySession.delete(userId);
    }
    if (remaining.length > 0 || !this.lobbyOfUser.has(userId)) return;
    if (end === 'disconnect') return this.leaveLobby(userId);
    this.grace.hold(userId, () => this.leaveLobby(userId));
  }

  sessionOpened(session: ClientSession): void {
    const userId = session.account.userId;
    this.grace.resume(userId);
    if (this.lobbyOfUser.has(userId) && !this.lobbySession.has(userId)) this.lobbySession.set(userId, session);
  }

  /** A battle is over (its engine quit, crashed, or the server gave up on it): its lobby has no battle any more. */
  battleEnded(battleId: string): void {
    const battle = this.battles.get(battleId);
    if (!battle) return;
    this.battles.delete(battleId);
    this.addresses.delete(battleId);
    for (const userId of battle.userIds) if (this.options.sessionsOf(userId).length > 0 && !this.isInBattle(userId)) this.options.community.setStatus(userId, 'menu');
    const room = this.lobbies.get(battle.lobbyId);
    if (room?.currentBattle?.id === battleId) this.change(room, () => { room.currentBattle = null; });
  }

  registerHandlers(session: ClientSession): void {
    const { endpoint } = session;
    const me = session.account.userId;
    const name = () => this.options.community.publicUserName(me);

    endpoint.handle('lobby/create', (data) => refusing(() => {
      if (this.lobbyOfUser.has(me)) throw refusal('already_in_lobby');
      if (this.lobbies.size >= this.maxLobbies) throw refusal('Cannot create lobby: the server holds as many lobbies as it can');
      const problem = nameProblem(data.name, this.limits);
      if (problem) throw refusal(`Cannot create lobby: ${problem}`);
      const configProblem = allyTeamConfigProblem(data.allyTeamConfig, this.limits) ?? (data.mapName.length === 0 || data.mapName.length > this.limits.shortText ? 'invalid map name' : null);
      if (configProblem) throw refusal(`Cannot create lobby: ${configProblem}`);
      const gameOptions = Object.fromEntries(Object.entries(data.gameOptions ?? {}).map(([k, v]) => [k, v.value]));
      const optionProblem = optionsProblem('game options', gameOptions, this.limits)
        ?? (Object.keys(gameOptions).length > this.limits.gameOptions ? `at most ${this.limits.gameOptions} game options` : null)
        ?? (Object.keys(data.tags ?? {}).length > this.limits.tags || Object.keys(data.tags ?? {}).some((k) => k.length === 0 || k.length > this.limits.shortText) ? 'invalid tags' : null);
      if (optionProblem) throw refusal(`Cannot create lobby: ${optionProblem}`);
      const assets = this.options.assets();
      const room = new LobbyRoom({
        id: randomUUID(), name: data.name, mapName: data.mapName, engineVersion: assets.engine, gameVersion: assets.game,
        allyTeamConfig: data.allyTeamConfig, areBossesEnabled: data.areBossesEnabled ?? false, gameOptions,
        tags: Object.fromEntries(Object.keys(data.tags ?? {}).map((k) => [k, {}])),
        creator: { userId: me, name: name(), password: password() },
      }, this.limits);
      this.lobbies.set(room.id, room);
      this.lobbyOfUser.set(me, room.id);
      this.lobbySession.set(me, session);
      this.listChanged();
      return lobbyDetails(room.view());
    }));

    endpoint.handle('lobby/join', ({ id }) => refusing(() => {
      const current = this.lobbyOfUser.get(me);
      const room = this.lobbies.get(id);
      if (current === id && room) {
        this.lobbySession.set(me, session);
        return lobbyDetails(room.view());
      }
      if (current !== undefined) throw refusal('already_in_lobby');
      if (!room) throw refusal('invalid_lobby');
      // The joiner is answered with the details; the others get the patch (Teiserver sends the joiner no lobby/updated).
      this.change(room, () => room.join({ userId: me, name: name(), password: password() }), me);
      this.lobbyOfUser.set(me, room.id);
      this.lobbySession.set(me, session);
      return lobbyDetails(room.view());
    }));

    endpoint.handle('lobby/leave', () => refusing(() => {
      if (!this.lobbyOfUser.has(me)) throw refusal('not_in_lobby');
      this.leaveLobby(me);
      return undefined;
    }));

    endpoint.handle('lobby/joinAllyTeam', ({ allyTeam }) => this.inRoom(me, session, (room) => room.joinAllyTeam(me, allyTeam), 'not_in_lobby'));
    endpoint.handle('lobby/spectate', () => this.inRoom(me, session, (room) => room.spectate(me), 'not_in_lobby'));
    endpoint.handle('lobby/joinQueue', () => this.inRoom(me, session, (room) => room.joinQueue(me), 'not_in_lobby'));
    endpoint.handle('lobby/updateClientStatus', (status) => this.inRoom(me, session, (room) => room.updateClientStatus(me, status)));

    endpoint.handle('lobby/addBot', (data) => refusing(() => {
      const room = this.mustRoom(me, 'not_in_lobby');
      let id = '';
      this.change(room, () => {
        id = room.addBot(me, {
          allyTeam: data.allyTeam, shortName: data.shortName,
          ...(data.name !== undefined ? { name: data.name } : {}),
          ...(data.version !== undefined ? { version: data.version } : {}),
          ...(data.options ? { options: data.options } : {}),
        });
      });
      return { id };
    }));
    endpoint.handle('lobby/removeBot', ({ id }) => this.inRoom(me, session, (room) => room.removeBot(id), 'not_in_lobby'));
    endpoint.handle('lobby/updateBot', (data) => this.inRoom(me, session, (room) => room.updateBot(data), 'not_in_lobby'));
    endpoint.handle('lobby/update', (data) => this.inRoom(me, session, (room) => room.update(me, data)));
    endpoint.handle('lobby/voteSubmit', ({ id, vote }) => this.inRoom(me, session, (room) => room.voteSubmit(me, id, vote)));
    endpoint.handle('lobby/appointBoss', ({ userId }) => this.inRoom(me, session, (room) => room.appointBoss(me, userId)));
    endpoint.handle('lobby/unboss', ({ userId }) => this.inRoom(me, session, (room) => room.unboss(me, userId ?? me)));
    endpoint.handle('lobby/kickban', ({ userId, banUntil }) => refusing(() => {
      // Teiserver answers a kickban outside a lobby with the inspected atom.
      const room = this.roomOf(me);
      if (!room) throw refusal(':not_in_lobby');
      this.change(room, () => room.kickban(me, userId, banUntil));
      return undefined;
    }));

    endpoint.handle('lobby/startBattle', () => this.startBattle(me, session));
    endpoint.handle('lobby/joinBattle', () => this.joinBattle(me, session));

    endpoint.handle('lobby/subscribeList', () => {
      this.listSubscribers.add(session);
      // The reset follows the response (Teiserver sends it in the same reply, after the success).
      setImmediate(() => {
        if (!this.listSubscribers.has(session)) return;
        const lobbies = Object.fromEntries([...this.lobbies.values()].map((room) => [room.id, room.overview()]));
        session.endpoint.sendEvent('lobby/listReset', { lobbies });
      });
      return undefined;
    });
    endpoint.handle('lobby/unsubscribeList', () => {
      this.listSubscribers.delete(session);
      return undefined;
    });
  }

  // ---- lobbies ----

  private roomOf(userId: string): LobbyRoom | undefined {
    const id = this.lobbyOfUser.get(userId);
    return id === undefined ? undefined : this.lobbies.get(id);
  }

  /** The player's lobby, or a refusal: `notInLobby` names the command's declared reason, else it is `invalid_request` "not_in_lobby". */
  private mustRoom(userId: string, notInLobby?: 'not_in_lobby'): LobbyRoom {
    const room = this.roomOf(userId);
    if (!room) throw notInLobby ? new LobbyRefusal(notInLobby) : refusal('not_in_lobby');
    return room;
  }

  private inRoom(userId: string, session: ClientSession, operation: (room: LobbyRoom) => void, notInLobby?: 'not_in_lobby'): undefined {
    return refusing(() => {
      const room = this.mustRoom(userId, notInLobby);
      this.lobbySession.set(userId, session);
      this.change(room, () => operation(room));
      return undefined;
    });
  }

  /**
   * Runs one change to a lobby and tells everyone what changed: members get the merge patch (`except` the one answered
   * with the details), removed members `lobby/left`, voters `voteEnded`, and the list its batched update. A refused
   * change changes nothing.
   */
  private change(room: LobbyRoom, operation: () => void, except?: string): void {
    const before: LobbyView = room.view();
    const membersBefore = new Set(room.memberIds());
    operation();
    const effects = room.takeEffects();
    const patch = lobbyPatch(before, room.view());
    for (const userId of membersBefore) if (!room.has(userId)) this.forgetMember(userId);
    if (patch) for (const userId of room.memberIds()) if (userId !== except) emitTo(this.options.sessionsOf(userId), 'lobby/updated', patch);
    for (const effect of effects) {
      if (effect.type === 'voteStarted') this.armVote(room, effect.voteId);
      else if (effect.type === 'voteEnded') {
        const timer = this.voteTimers.get(room.id);
        if (timer) clearTimeout(timer);
        this.voteTimers.delete(room.id);
        for (const userId of [...room.memberIds()]) emitTo(this.options.sessionsOf(userId), 'lobby/voteEnded', { id: effect.voteId, outcome: effect.outcome });
      } else {
        const left = effect.bannedUntil === undefined ? { id: room.id, reason: effect.reason } : { id: room.id, reason: effect.reason, bannedUntil: effect.bannedUntil };
        emitTo(this.options.sessionsOf(effect.userId), 'lobby/left', left);
      }
    }
    if (room.isEmpty) this.closeLobby(room);
    this.listChanged();
  }

  private armVote(room: LobbyRoom, voteId: string): void {
    const previous = this.voteTimers.get(room.id);
    if (previous) clearTimeout(previous);
    const timer = setTimeout(() => {
      this.voteTimers.delete(room.id);
      if (this.lobbies.get(room.id) === room) this.change(room, () => room.voteTimedOut(voteId));
    }, this.options.voteDurationMs ?? VOTE_DURATION_MS);
    timer.unref();
    this.voteTimers.set(room.id, timer);
  }

  private forgetMember(userId: string): void {
    this.lobbyOfUser.delete(userId);
    this.lobbySession.delete(userId);
    this.grace.resume(userId);
  }

  /** A member goes: on `lobby/leave`, a disconnect, or the end of the grace after a drop. */
  private leaveLobby(userId: string): void {
    const room = this.roomOf(userId);
    if (!room) {
      this.forgetMember(userId);
      return;
    }
    this.change(room, () => room.remove(userId));
    this.forgetMember(userId);
  }

  /** The last member left: the lobby is gone (Teiserver stops it), from the list too. A battle it started plays on. */
  private closeLobby(room: LobbyRoom): void {
    this.lobbies.delete(room.id);
    const timer = this.voteTimers.get(room.id);
    if (timer) clearTimeout(timer);
    this.voteTimers.delete(room.id);
  }

  // ---- the list ----

  private listChanged(): void {
    if (this.listTimer || this.listSubscribers.size === 0) {
      if (this.listSubscribers.size === 0) this.listSent = this.currentList();
      return;
    }
    this.listTimer = setTimeout(() => this.flushList(), this.options.listFlushMs ?? DEFAULT_LIST_FLUSH_MS);
    this.listTimer.unref();
  }

  private currentList(): Map<string, Overview> {
    return new Map([...this.lobbies.values()].map((room) => [room.id, room.overview()]));
  }

  /**
   * Sends what changed in the list since the last flush: a new lobby whole, a gone one `null`, a changed one its changed
   * fields with its `id`. A subscriber whose reset already showed a change may see it again, which a merge patch allows.
   */
  private flushList(): void {
    this.listTimer = null;
    const now = this.currentList();
    const lobbies: Record<string, Record<string, unknown> | null> = {};
    for (const id of this.listSent.keys()) if (!now.has(id)) lobbies[id] = null;
    for (const [id, overview] of now) {
      const old = this.listSent.get(id);
      if (!old) lobbies[id] = overview;
      else {
        const diff = mergeDiff(old as never, overview as never);
        if (diff) lobbies[id] = { ...diff, id };
      }
    }
    this.listSent = now;
    if (Object.keys(lobbies).length === 0) return;
    for (const session of this.listSubscribers) session.endpoint.sendEvent('lobby/listUpdated', { lobbies } as never);
  }

  // ---- the battle ----

  /**
   * `lobby/startBattle` (Teiserver's `start_battle`): the autohost starts the battle with every player, bot and spectator;
   * then the response, then `battle/start` to each player and spectator, then `lobby/updated {currentBattle}`.
   */
  private async startBattle(userId: string, session: ClientSession): Promise<undefined> {
    const room = this.roomOf(userId);
    if (!room) throw new FailWith<'lobby/startBattle'>('invalid_request', 'not_in_lobby');
    if (room.currentBattle || room.starting) throw new FailWith<'lobby/startBattle'>('invalid_request', 'battle_already_started');
    this.lobbySession.set(userId, session);
    const battleId = randomUUID();
    const roster = room.battleRoster();
    const request = this.startRequest(room, battleId, roster);
    const seated = roster.allyTeams.flatMap((at) => at.teams.flatMap((t) => (t.player ? [t.player] : [])));
    const everyone = [...seated, ...roster.spectators];
    let address: { ip: string; port: number };
    room.starting = true;
    try {
      address = await this.options.host.host(request);
    } catch (error) {
      this.options.logger.warn(`lobby ${room.id}: battle ${battleId} could not start: ${error instanceof Error ? error.message : String(error)}`);
      throw new FailWith<'lobby/startBattle'>('invalid_request', error instanceof LaunchFailure ? error.playerText : 'The battle could not be started.');
    } finally {
      room.starting = false;
    }
    const battle: LobbyBattle = { lobbyId: room.id, userIds: new Set(everyone.map((m) => m.userId)) };
    this.battles.set(battleId, battle);
    this.addresses.set(battleId, address);
    setImmediate(() => {
      for (const member of everyone) this.sendBattleStart(member.userId, room, { username: member.name, password: member.password, ...address });
      if (this.lobbies.get(room.id) === room) this.change(room, () => { room.currentBattle = { id: battleId, startedAt: Date.now() * 1000 }; });
    });
    return undefined;
  }

  /** `lobby/joinBattle`: the autohost adds the member (the engine seats them as a spectator), then their `battle/start`. */
  private async joinBattle(userId: string, session: ClientSession): Promise<undefined> {
    const room = this.roomOf(userId);
    if (!room) throw new FailWith<'lobby/joinBattle'>('invalid_request', 'not_in_lobby');
    const battleId = room.currentBattle?.id;
    if (battleId === undefined) throw new FailWith<'lobby/joinBattle'>('invalid_request', 'invalid_battle');
    const pass = room.passwordOf(userId) ?? '';
    const memberName = room.nameOf(userId) ?? this.options.community.publicUserName(userId);
    this.lobbySession.set(userId, session);
    try {
      await this.options.host.addPlayer(battleId, { userId, name: memberName, password: pass });
    } catch (error) {
      this.options.logger.warn(`lobby ${room.id}: ${userId} could not join battle ${battleId}: ${error instanceof Error ? error.message : String(error)}`);
      throw new FailWith<'lobby/joinBattle'>('invalid_request', error instanceof LaunchFailure ? error.playerText : 'The battle could not be joined.');
    }
    const battle = this.battles.get(battleId);
    const address = battle ? this.addresses.get(battleId) : undefined;
    if (!battle || !address) throw new FailWith<'lobby/joinBattle'>('invalid_request', 'invalid_battle');
    battle.userIds.add(userId);
    setImmediate(() => this.sendBattleStart(userId, room, { username: memberName, password: pass, ...address }));
    return undefined;
  }

  private sendBattleStart(userId: string, room: LobbyRoom, seat: { username: string; password: string; ip: string; port: number }): void {
    const session = this.lobbySession.get(userId) ?? this.options.sessionsOf(userId)[0];
    if (!session) return;
    const data: BattleStartRequestData = {
      ...seat, engine: { version: room.engineVersion }, game: { springName: room.gameVersion }, map: { springName: room.mapName },
    };
    this.options.community.setStatus(userId, 'playing');
    session.endpoint.request('battle/start', data).then(
      (response) => {
        if (response.status !== 'success') this.options.logger.warn(`player ${userId} could not start lobby battle: ${response.reason}`);
      },
      (error: Error) => this.options.logger.warn(`battle/start to ${userId}: ${error.message}`),
    );
  }

  /**
   * The host script: ally teams with their start boxes, one team per player or bot (bots hosted by the member who added
   * them), spectators with their passwords, the game options. `beforegame` start positions and a one-second delay, as
   * matchmaking's battles (see the README: spring-dedicated cannot start `fixed` or `random` from recoil-autohost's scripts).
   */
  private startRequest(room: LobbyRoom, battleId: string, roster: ReturnType<LobbyRoom['battleRoster']>): AutohostStartRequestData {
    const allyTeams = roster.allyTeams.map((at) => ({
      startBox: { ...at.startBox },
      teams: at.teams.map(({ player, bot }) => {
        if (player) return { players: [{ userId: player.userId, name: player.name, password: player.password }] };
        if (!bot) throw new Error('a team with neither player nor bot');
        return {
          bots: [{
            hostUserId: bot.hostUserId, aiShortName: bot.shortName, ...(bot.name !== undefined ? { name: bot.name } : {}),
            ...(bot.version !== undefined ? { aiVersion: bot.version } : {}), ...(Object.keys(bot.options).length > 0 ? { aiOptions: { ...bot.options } } : {}),
          }],
        };
      }),
    }));
    if (allyTeams.length === 0) throw new FailWith<'lobby/startBattle'>('invalid_request', 'nobody is playing');
    const request: AutohostStartRequestData = {
      battleId, engineVersion: room.engineVersion, gameName: room.gameVersion, mapName: room.mapName, startPosType: 'beforegame', startDelay: 1, allyTeams,
    };
    if (roster.spectators.length > 0) request.spectators = roster.spectators.map((s) => ({ userId: s.userId, name: s.name, password: s.password }));
    if (Object.keys(room.options).length > 0) request.gameOptions = { ...room.options };
    return request;
  }
}

function password(): string {
  return randomBytes(16).toString('hex');
}

const refusal = (details: string) => new LobbyRefusal('invalid_request', details);

/** Runs a handler's body; a LobbyRefusal becomes the failed response Teiserver sends. */
function refusing<T>(body: () => T): T {
  try {
    return body();
  } catch (error) {
    if (error instanceof LobbyRefusal) throw new FailWith<RequestCommandId>(error.reason as never, error.details);
    throw error;
  }
}
