// One custom-battle lobby as Teiserver keeps it (Teiserver `lib/teiserver/tachyon_lobby/lobby.ex` and its `events/`). Pure:
// no sockets, no timers. It composes who sits where (`lobby-seats.ts`), votes (`lobby-votes.ts`) and bans (`lobby-bans.ts`)
// and holds the lobby's own properties and bosses; every change is read back as its protocol view (`view()`), and members
// are sent the difference of two views (`lobbyPatch` in `lobby-patch.ts`). The caps and refusals are in `lobby-rules.ts`.
import type { AllyTeamConfig, AssetStatus, LobbyOverview, VoteAction } from '../protocol/schemas/lobby-details';
import { LobbyBans } from './lobby-bans';
import type { LobbyView } from './lobby-patch';
import { DEFAULT_LOBBY_LIMITS, LobbyRefusal, allyTeamConfigProblem, nameProblem, optionsProblem, refuse, type LobbyEffect, type LobbyLimits } from './lobby-rules';
import { LobbySeats, type BattleRoster } from './lobby-seats';
import { LobbyVotes, type Ballot } from './lobby-votes';

// The entry of the lobby's parts: callers import from here.
export { lobbyDetails, lobbyPatch, mergeDiff, type LobbyView } from './lobby-patch';
export { DEFAULT_LOBBY_LIMITS, LobbyRefusal, allyTeamConfigProblem, nameProblem, optionsProblem, type LobbyEffect, type LobbyLimits } from './lobby-rules';
export { VOTE_DURATION_MS } from './lobby-votes';

export interface LobbyCreation {
  id: string;
  name: string;
  mapName: string;
  engineVersion: string;
  gameVersion: string;
  allyTeamConfig: AllyTeamConfig;
  areBossesEnabled: boolean;
  gameOptions: Record<string, string>;
  tags: Record<string, Record<string, never>>;
  creator: { userId: string; name: string; password: string };
}

export class LobbyRoom {
  readonly id: string;
  name: string;
  mapName: string;
  readonly engineVersion: string;
  readonly gameVersion: string;
  readonly areBossesEnabled: boolean;
  private readonly bosses = new Set<string>();
  private gameOptions: Record<string, string>;
  private tags: Record<string, Record<string, never>>;
  private readonly seats: LobbySeats;
  currentBattle: { id: string; startedAt: number } | null = null;
  /** An autohost/start is under way: a second start is refused as if the battle ran. */
  starting = false;
  private readonly effects: LobbyEffect[] = [];
  private readonly votes: LobbyVotes;
  private readonly bans: LobbyBans;

  constructor(creation: LobbyCreation, private readonly limits: LobbyLimits = DEFAULT_LOBBY_LIMITS, private readonly nowUs: () => number = () => Date.now() * 1000) {
    this.id = creation.id;
    this.name = creation.name;
    this.mapName = creation.mapName;
    this.engineVersion = creation.engineVersion;
    this.gameVersion = creation.gameVersion;
    this.areBossesEnabled = creation.areBossesEnabled;
    this.gameOptions = { ...creation.gameOptions };
    this.tags = { ...creation.tags };
    this.seats = new LobbySeats(creation.allyTeamConfig, creation.creator, limits);
    this.votes = new LobbyVotes(nowUs, this.effects);
    this.bans = new LobbyBans(limits.bans, nowUs);
    if (creation.areBossesEnabled) this.bosses.add(creation.creator.userId);
  }

  /** The effects of the last operations, once. */
  takeEffects(): LobbyEffect[] {
    return this.effects.splice(0);
  }

  has(userId: string): boolean {
    return this.seats.has(userId);
  }

  get isEmpty(): boolean {
    return this.seats.size === 0;
  }

  memberIds(): string[] {
    return this.seats.memberIds();
  }

  passwordOf(userId: string): string | undefined {
    return this.seats.get(userId)?.password;
  }

  nameOf(userId: string): string | undefined {
    return this.seats.get(userId)?.name;
  }

  get voteId(): string | null {
    return this.votes.id;
  }

  // ---- joining and leaving ----

  /** Teiserver's `lobby/join`: a newcomer is a spectator. `bannedUntil` (µs) when refused for a ban. */
  join(user: { userId: string; name: string; password: string }): void {
    if (this.seats.has(user.userId)) return;
    this.bans.admit(user.userId);
    if (this.seats.size >= this.limits.members) throw new LobbyRefusal('lobby_full');
    this.seats.add(user);
  }

  /** A member leaves (or is dropped): their vote counts as abstain, a vote to kick them ends, their bots go with them. */
  remove(userId: string): void {
    if (!this.seats.has(userId)) throw new LobbyRefusal('invalid_request', 'not_in_lobby');
    const action = this.votes.action;
    if (action && action.type === 'kickban' && action.userId === userId && action.banUntil === undefined) this.votes.end('cancelled');
    this.castVote(userId, 'abstain');
    this.bosses.delete(userId);
    this.seats.remove(userId);
  }

  // ---- seats and bots ----

  joinAllyTeam(userId: string, allyTeam: string): void {
    this.seats.joinAllyTeam(userId, allyTeam);
  }

  spectate(userId: string): void {
    this.seats.spectate(userId);
  }

  joinQueue(userId: string): void {
    this.seats.joinQueue(userId);
  }

  updateClientStatus(userId: string, status: { isReady?: boolean; assetStatus?: AssetStatus }): void {
    this.seats.updateClientStatus(userId, status);
  }

  addBot(hostUserId: string, bot: { allyTeam: string; shortName: string; name?: string; version?: string; options?: Record<string, string> }): string {
    return this.seats.addBot(hostUserId, bot);
  }

  removeBot(botId: string): void {
    this.seats.removeBot(botId);
  }

  updateBot(change: { id: string; name?: string; shortName?: string; version?: string | null; options?: Record<string, string | null> }): void {
    this.seats.updateBot(change);
  }

  // ---- the lobby's properties ----

  // ---- the lobby's properties ----

  /**
   * `lobby/update`, a merge patch. With bosses only a boss may change anything; a map change among more than one human
   * player is put to a vote (Teiserver's `update_property`). Every problem is named, and nothing changes when there is one.
   */
  update(userId: string, patch: {
    name?: string; mapName?: string; allyTeamConfig?: AllyTeamConfig;
    gameOptions?: Record<string, { value: string } | null>; tags?: Record<string, object | null>;
  }): void {
    if (Object.keys(patch).length === 0) return;
    if (!this.seats.has(userId)) throw refuse('not_in_lobby');
    if (this.areBossesEnabled && !this.bosses.has(userId)) throw refuse('Cannot update lobby: you are not a boss');
    const errors: string[] = [];
    let mapAction: 'set' | 'vote' | null = null;
    if (patch.name !== undefined) {
      const problem = nameProblem(patch.name, this.limits);
      if (problem) errors.push(problem);
    }
    if (patch.mapName !== undefined) {
      const seated = this.seats.get(userId)?.seat;
      if (!seated) errors.push('Only players can change the map');
      else if (patch.mapName.length === 0 || patch.mapName.length > this.limits.shortText) errors.push('invalid map name');
      else if (this.votes.action) {
        const running = this.votes.action;
        if (!(running.type === 'changeMap' && running.newMapName === patch.mapName)) errors.push('vote_in_progress');
      } else mapAction = this.seats.humanPlayers() > 1 ? 'vote' : 'set';
    }
    if (patch.allyTeamConfig !== undefined) {
      const problem = allyTeamConfigProblem(patch.allyTeamConfig, this.limits);
      if (problem) errors.push(problem);
    }
    const gameOptions = { ...this.gameOptions };
    if (patch.gameOptions !== undefined) {
      const values = Object.fromEntries(Object.entries(patch.gameOptions).map(([k, v]) => [k, v === null ? null : v.value]));
      const problem = optionsProblem('game options', values, this.limits);
      if (problem) errors.push(problem);
      for (const [key, value] of Object.entries(values)) {
        if (value === null) delete gameOptions[key];
        else gameOptions[key] = value;
      }
      if (Object.keys(gameOptions).length > this.limits.gameOptions) errors.push(`at most ${this.limits.gameOptions} game options`);
    }
    const tags = { ...this.tags };
    if (patch.tags !== undefined) {
      for (const [key, value] of Object.entries(patch.tags)) {
        if (key.length === 0 || key.length > this.limits.shortText) errors.push('invalid tag');
        if (value === null) delete tags[key];
        else tags[key] = {};
      }
      if (Object.keys(tags).length > this.limits.tags) errors.push(`at most ${this.limits.tags} tags`);
    }
    if (errors.length > 0) throw refuse(`Cannot update lobby: ${[...new Set(errors)].join(', ')}`);
    if (patch.name !== undefined) this.name = patch.name;
    if (patch.mapName !== undefined && mapAction === 'set') this.mapName = patch.mapName;
    if (patch.mapName !== undefined && mapAction === 'vote') this.startVote(userId, { type: 'changeMap', newMapName: patch.mapName });
    if (patch.allyTeamConfig !== undefined) this.seats.setAllyTeamConfig(patch.allyTeamConfig);
    this.gameOptions = gameOptions;
    this.tags = tags;
  }

  // ---- bosses ----

  appointBoss(userId: string, appointee: string): void {
    if (!this.seats.has(userId) || !this.seats.has(appointee)) throw refuse('not_in_lobby');
    if (!this.areBossesEnabled) throw refuse('no_boss_allowed');
    if (this.bosses.size > 0 && !this.bosses.has(userId)) throw refuse('not_a_boss');
    if (this.bosses.size === 0 && this.seats.humanPlayers() > 1) {
      this.startVote(userId, { type: 'appointBoss', bossId: appointee });
      return;
    }
    this.bosses.add(appointee);
  }

  unboss(userId: string, boss: string): void {
    if (!this.seats.has(userId) || !this.seats.has(boss)) throw refuse('not_in_lobby');
    if (!this.bosses.has(userId)) throw refuse('not_a_boss');
    this.bosses.delete(boss);
  }

  // ---- kickban ----

  /** With bosses only a boss kicks; with none and more than one human player it is a vote; else it happens at once. */
  kickban(userId: string, target: string, banUntil: number | undefined): void {
    if (!this.seats.has(userId)) throw refuse(':not_in_lobby');
    if (!this.seats.has(target)) throw refuse(':invalid_request');
    const until = banUntil !== undefined && banUntil > this.nowUs() ? banUntil : undefined;
    if (this.bosses.size > 0 && !this.bosses.has(userId)) throw new LobbyRefusal('invalid_request');
    if (this.bosses.size === 0 && this.seats.humanPlayers() > 1) {
      this.startVote(userId, until === undefined ? { type: 'kickban', userId: target } : { type: 'kickban', userId: target, banUntil: until });
      return;
    }
    this.kick(target, until);
  }

  private kick(target: string, until: number | undefined): void {
    if (until !== undefined) this.bans.add(target, until);
    if (!this.seats.has(target)) return;
    this.remove(target);
    this.effects.push(until === undefined ? { type: 'removed', userId: target, reason: 'kicked' } : { type: 'removed', userId: target, reason: 'banned', bannedUntil: until });
  }

  get banCount(): number {
    return this.bans.size;
  }

  // ---- votes ----

  private startVote(initiator: string, action: VoteAction): void {
    this.votes.start(initiator, action, this.seats.playerIds());
  }

  voteSubmit(userId: string, voteId: string, ballot: Ballot): void {
    const passed = this.votes.submit(userId, voteId, ballot);
    if (passed) this.carryOut(passed);
  }

  private castVote(userId: string, ballot: Ballot): void {
    const passed = this.votes.cast(userId, ballot);
    if (passed) this.carryOut(passed);
  }

  /** What a vote that passed decides. */
  private carryOut(action: VoteAction): void {
    if (action.type === 'changeMap') this.mapName = action.newMapName;
    else if (action.type === 'appointBoss') {
      if (this.seats.has(action.bossId)) this.bosses.add(action.bossId);
    } else if (action.type === 'kickban') this.kick(action.userId, action.banUntil !== undefined && action.banUntil > this.nowUs() ? action.banUntil : undefined);
  }

  /** The vote's time is up (a timer of the service, named by the vote's id so a late one is ignored). */
  voteTimedOut(voteId: string): void {
    this.votes.timedOut(voteId);
  }

  // ---- the battle ----

  /** Who the host script names: seated players and bots by ally team and team, and every spectator. */
  battleRoster(): BattleRoster {
    return this.seats.battleRoster();
  }

  get options(): Readonly<Record<string, string>> {
    return this.gameOptions;
  }

  // ---- what clients see ----

  view(): LobbyView {
    const { players, spectators, bots, allyTeamConfig } = this.seats.view();
    const view: LobbyView = {
      id: this.id,
      name: this.name,
      mapName: this.mapName,
      engineVersion: this.engineVersion,
      gameVersion: this.gameVersion,
      gameOptions: Object.fromEntries(Object.entries(this.gameOptions).map(([k, value]) => [k, { value }])),
      tags: Object.fromEntries(Object.keys(this.tags).map((k) => [k, {}])),
      allyTeamConfig,
      areBossesEnabled: this.areBossesEnabled,
      bosses: Object.fromEntries([...this.bosses].map((id) => [id, {}])),
      players,
      spectators,
      bots,
      voteHistory: this.votes.historyView(),
    };
    if (this.currentBattle) view.currentBattle = { ...this.currentBattle };
    const currentVote = this.votes.currentView();
    if (currentVote) view.currentVote = currentVote;
    return view;
  }

  /** The lobby's line in the list; Teiserver counts human players only and also sends `areBossesEnabled` and `tags`. */
  overview(): LobbyOverview & { areBossesEnabled: boolean; tags: Record<string, object> } {
    return {
      id: this.id,
      name: this.name,
      playerCount: this.seats.humanPlayers(),
      maxPlayerCount: this.seats.maxPlayerCount(),
      mapName: this.mapName,
      engineVersion: this.engineVersion,
      gameVersion: this.gameVersion,
      areBossesEnabled: this.areBossesEnabled,
      tags: Object.fromEntries(Object.keys(this.tags).map((k) => [k, {}])),
      currentBattle: this.currentBattle ? { startedAt: this.currentBattle.startedAt } : null,
    };
  }

  /** True for a bot's id (Teiserver's `bot_id?`). */
  static isBotId(id: string): boolean {
    return id.startsWith('bot-');
  }
}
