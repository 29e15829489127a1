// One custom-battle lobby as Teiserver keeps it (Teiserver `lib/teiserver/tachyon_lobby/lobby.ex` and its `events/`): seats,
// spectators and the join queue, bots, bosses, votes, bans. Pure: no sockets, no timers. Every change is read back as the
// lobby's protocol view (`view()`), and what members are sent is the difference of two views (`lobbyPatch`), so a patch
// names exactly what changed, `null` for what went. A leaf: it imports only the protocol types.
import type { AllyTeamConfig, AssetStatus, LobbyDetails, LobbyOverview, LobbyUpdate, VoteAction, VoteOutcome } from '../protocol/schemas/lobby-details';

/** Why a request was refused: a reason the command declares, or `invalid_request` with Teiserver's words in `details`. */
export class LobbyRefusal extends Error {
  override readonly name = 'LobbyRefusal';
  constructor(readonly reason: string, readonly details?: string) {
    super(details ?? reason);
  }
}

const refuse = (details: string): LobbyRefusal => new LobbyRefusal('invalid_request', details);

/** The caps one lobby holds to; a hostile member cannot grow it past them. */
export interface LobbyLimits {
  /** Players and spectators (Teiserver: 251, the engine's limit for players, spectators and bots together). */
  members: number;
  allyTeams: number;
  /** `maxTeams` of one ally team and the teams listed in it. */
  teamsPerAllyTeam: number;
  /** Characters of a lobby name (Teiserver's "Maximum lobby name length", 70). */
  nameLength: number;
  /** Characters of a map name, a bot's version, an option's key. */
  shortText: number;
  /** Characters of an option's value. */
  optionValue: number;
  gameOptions: number;
  tags: number;
  botOptions: number;
  /** Bans one lobby remembers; the soonest to expire go first. */
  bans: number;
}

export const DEFAULT_LOBBY_LIMITS: LobbyLimits = {
  members: 251, allyTeams: 16, teamsPerAllyTeam: 32, nameLength: 70, shortText: 256, optionValue: 1024, gameOptions: 128, tags: 32, botOptions: 32, bans: 256,
};

/** How long a vote runs (Teiserver: 60 s). */
export const VOTE_DURATION_MS = 60_000;
/** Finished votes a lobby shows (Teiserver keeps 10). */
const VOTE_HISTORY = 10;

interface Seat { allyTeam: number; team: number; player: number }

interface Member {
  readonly userId: string;
  readonly name: string;
  /** The secret the host script and this member's battle/start share. */
  readonly password: string;
  /** null: a spectator. */
  seat: Seat | null;
  isReady: boolean;
  assetStatus: AssetStatus;
  joinQueuePosition: number | null;
}

interface Bot {
  readonly id: string;
  readonly hostUserId: string;
  seat: Seat;
  name?: string;
  shortName: string;
  version?: string;
  options: Record<string, string>;
}

interface Vote {
  readonly id: string;
  readonly action: VoteAction;
  readonly initiator: string;
  readonly voters: Map<string, 'pending' | 'yes' | 'no' | 'abstain'>;
  /** Microseconds since the epoch, as the protocol's times are. */
  readonly until: number;
  readonly quorum: number;
  readonly majority: number;
}

/** What happened besides the change of state, for the service to carry out. */
export type LobbyEffect =
  | { type: 'voteStarted'; voteId: string; durationMs: number }
  | { type: 'voteEnded'; voteId: string; outcome: VoteOutcome }
  | { type: 'removed'; userId: string; reason: string; bannedUntil?: number };

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

/** The full view of a lobby: LobbyDetails plus what Teiserver also sends (`tags`, a vote's `quorum` and `majority`). */
export type LobbyView = LobbyDetails & { tags: Record<string, object>; currentVote?: LobbyDetails['currentVote'] & { quorum: number; majority: number } };

/** The checks `lobby/create` and `lobby/update` share; the words are Teiserver's (`Teiserver.Lobby.LobbyLib.validate_name`). */
export function nameProblem(name: string, limits: LobbyLimits): string | null {
  if (name === '') return 'Lobby name must not be empty';
  if ([...name].length > limits.nameLength) return 'Lobby name is too long';
  if (!/^[a-zA-Z0-9_\-[\] <>+|:()]+$/.test(name)) return 'Lobby name contains invalid characters';
  return null;
}

export function allyTeamConfigProblem(config: AllyTeamConfig, limits: LobbyLimits): string | null {
  if (config.length === 0) return 'at least one ally team is needed';
  if (config.length > limits.allyTeams) return `at most ${limits.allyTeams} ally teams`;
  for (const at of config) {
    if (at.maxTeams > limits.teamsPerAllyTeam || at.teams.length > limits.teamsPerAllyTeam) return `at most ${limits.teamsPerAllyTeam} teams in an ally team`;
    if (at.teams.length === 0) return 'an ally team needs at least one team';
    if (at.teams.some((t) => t.maxPlayers > limits.members)) return `at most ${limits.members} players in a team`;
  }
  // Players and bots each take a team: the engine's limit holds for the seats too.
  if (config.reduce((sum, at) => sum + at.maxTeams, 0) > limits.members) return `at most ${limits.members} seats`;
  return null;
}

/** Checks a map of option values (game options, bot options) against the caps; `null` values are removals. */
export function optionsProblem(what: string, values: Record<string, string | null>, limits: LobbyLimits): string | null {
  for (const [key, value] of Object.entries(values)) {
    if (key.length === 0 || key.length > limits.shortText) return `${what}: a key must have 1 to ${limits.shortText} characters`;
    if (value !== null && value.length > limits.optionValue) return `${what}: a value has at most ${limits.optionValue} characters`;
  }
  return null;
}

const isBotId = (id: string) => id.startsWith('bot-');

export class LobbyRoom {
  readonly id: string;
  name: string;
  mapName: string;
  readonly engineVersion: string;
  readonly gameVersion: string;
  private allyTeams: AllyTeamConfig;
  readonly areBossesEnabled: boolean;
  private readonly bosses = new Set<string>();
  private gameOptions: Record<string, string>;
  private tags: Record<string, Record<string, never>>;
  /** In join order. */
  private readonly members = new Map<string, Member>();
  private readonly bots = new Map<string, Bot>();
  private botCounter = 0;
  private voteCounter = 1;
  currentBattle: { id: string; startedAt: number } | null = null;
  /** An autohost/start is under way: a second start is refused as if the battle ran. */
  starting = false;
  private vote: Vote | null = null;
  private readonly voteHistory = new Map<string, { vote: VoteAction; outcome: VoteOutcome; finishedAt: number }>();
  /** userId → banned until (µs). */
  private readonly bans = new Map<string, number>();
  private readonly effects: LobbyEffect[] = [];

  constructor(creation: LobbyCreation, private readonly limits: LobbyLimits = DEFAULT_LOBBY_LIMITS, private readonly nowUs: () => number = () => Date.now() * 1000) {
    this.id = creation.id;
    this.name = creation.name;
    this.mapName = creation.mapName;
    this.engineVersion = creation.engineVersion;
    this.gameVersion = creation.gameVersion;
    this.allyTeams = structuredClone(creation.allyTeamConfig);
    this.areBossesEnabled = creation.areBossesEnabled;
    this.gameOptions = { ...creation.gameOptions };
    this.tags = { ...creation.tags };
    const { userId, name, password } = creation.creator;
    this.members.set(userId, { userId, name, password, seat: { allyTeam: 0, team: 0, player: 0 }, isReady: false, assetStatus: 'complete', joinQueuePosition: null });
    if (creation.areBossesEnabled) this.bosses.add(userId);
  }

  /** The effects of the last operations, once. */
  takeEffects(): LobbyEffect[] {
    return this.effects.splice(0);
  }

  has(userId: string): boolean {
    return this.members.has(userId);
  }

  get isEmpty(): boolean {
    return this.members.size === 0;
  }

  memberIds(): string[] {
    return [...this.members.keys()];
  }

  passwordOf(userId: string): string | undefined {
    return this.members.get(userId)?.password;
  }

  nameOf(userId: string): string | undefined {
    return this.members.get(userId)?.name;
  }

  get voteId(): string | null {
    return this.vote?.id ?? null;
  }

  // ---- joining and leaving ----

  /** Teiserver's `lobby/join`: a newcomer is a spectator. `bannedUntil` (µs) when refused for a ban. */
  join(user: { userId: string; name: string; password: string }): void {
    if (this.members.has(user.userId)) return;
    const ban = this.bans.get(user.userId);
    if (ban !== undefined) {
      if (ban > this.nowUs()) throw new LobbyRefusal('banned', `Banned until ${new Date(Math.floor(ban / 1000)).toISOString()}`);
      this.bans.delete(user.userId);
    }
    if (this.members.size >= this.limits.members) throw new LobbyRefusal('lobby_full');
    this.members.set(user.userId, { ...user, seat: null, isReady: false, assetStatus: 'complete', joinQueuePosition: null });
  }

  /** A member leaves (or is dropped): their vote counts as abstain, a vote to kick them ends, their bots go with them. */
  remove(userId: string): void {
    if (!this.members.has(userId)) throw new LobbyRefusal('invalid_request', 'not_in_lobby');
    if (this.vote && this.vote.action.type === 'kickban' && this.vote.action.userId === userId && this.vote.action.banUntil === undefined) this.endVote('cancelled');
    this.castVote(userId, 'abstain');
    this.bosses.delete(userId);
    for (const bot of [...this.bots.values()]) if (bot.hostUserId === userId) this.bots.delete(bot.id);
    this.members.delete(userId);
    this.repack();
    this.fillFromJoinQueue();
  }

  // ---- seats ----

  private seated(): Array<{ seat: Seat; set: (seat: Seat) => void }> {
    const out: Array<{ seat: Seat; set: (seat: Seat) => void }> = [];
    for (const m of this.members.values()) if (m.seat) out.push({ seat: m.seat, set: (seat) => { m.seat = seat; } });
    for (const b of this.bots.values()) out.push({ seat: b.seat, set: (seat) => { b.seat = seat; } });
    return out;
  }

  private inAllyTeam(allyTeam: number): number {
    return this.seated().filter((s) => s.seat.allyTeam === allyTeam).length;
  }

  /** Teams stay consecutive in each ally team, in their order (Teiserver's RepackPlayers). */
  private repack(): void {
    const seated = this.seated();
    for (let at = 0; at < this.allyTeams.length; at++) {
      const here = seated.filter((s) => s.seat.allyTeam === at).sort((a, b) => a.seat.team - b.seat.team || a.seat.player - b.seat.player);
      here.forEach((s, index) => {
        if (s.seat.team !== index || s.seat.player !== 0) s.set({ allyTeam: at, team: index, player: 0 });
      });
    }
  }

  /** The ally team with the most room (the first of equals), or null when every one is full. Each player or bot plays its own team. */
  private freeSeat(): Seat | null {
    let best: { room: number; allyTeam: number } | null = null;
    this.allyTeams.forEach((at, allyTeam) => {
      const room = at.maxTeams - this.inAllyTeam(allyTeam);
      if (room > 0 && (!best || room > best.room)) best = { room, allyTeam };
    });
    const chosen = best as { room: number; allyTeam: number } | null;
    return chosen ? { allyTeam: chosen.allyTeam, team: this.inAllyTeam(chosen.allyTeam), player: 0 } : null;
  }

  private firstInQueue(): Member | null {
    let first: Member | null = null;
    for (const m of this.members.values()) {
      if (m.seat === null && m.joinQueuePosition !== null && (!first || m.joinQueuePosition < (first.joinQueuePosition ?? Infinity))) first = m;
    }
    return first;
  }

  private nextQueuePosition(): number {
    let max = 0;
    for (const m of this.members.values()) if (m.joinQueuePosition !== null) max = Math.max(max, m.joinQueuePosition);
    return max + 1;
  }

  /** Seats the join queue in order while there is room (Teiserver's FillFromJoinQueue). */
  private fillFromJoinQueue(): void {
    for (;;) {
      const next = this.firstInQueue();
      const seat = next ? this.freeSeat() : null;
      if (!next || !seat) return;
      this.seat(next, seat);
    }
  }

  private seat(member: Member, seat: Seat): void {
    member.seat = seat;
    member.joinQueuePosition = null;
    member.isReady = false;
    member.assetStatus = 'complete';
  }

  private allyTeamIndex(allyTeam: string): number {
    if (!/^-?\d+$/.test(allyTeam)) throw refuse('Invalid ally team');
    const index = Number(allyTeam);
    if (index < 0 || index >= this.allyTeams.length) throw refuse('invalid_ally_team');
    return index;
  }

  private member(userId: string): Member {
    const member = this.members.get(userId);
    if (!member) throw new LobbyRefusal('not_in_lobby');
    return member;
  }

  joinAllyTeam(userId: string, allyTeam: string): void {
    const member = this.member(userId);
    const index = this.allyTeamIndex(allyTeam);
    if (member.seat?.allyTeam === index) return;
    const count = this.inAllyTeam(index);
    if (count >= (this.allyTeams[index]?.maxTeams ?? 0)) throw new LobbyRefusal('ally_team_full');
    // Last in its new ally team: repacking the old one moves nobody ahead of it.
    this.seat(member, { allyTeam: index, team: count, player: 0 });
    this.repack();
    this.fillFromJoinQueue();
  }

  spectate(userId: string): void {
    const member = this.member(userId);
    member.joinQueuePosition = null;
    if (member.seat === null) return;
    member.seat = null;
    member.isReady = false;
    this.repack();
    this.fillFromJoinQueue();
  }

  /** Teiserver's `join_queue`: a spectator queues (or sits down at once when there is room); a player swaps with the first in the queue. */
  joinQueue(userId: string): void {
    const member = this.member(userId);
    if (member.joinQueuePosition !== null) return;
    if (member.seat) {
      const first = this.firstInQueue();
      if (!first) return;
      const seat = member.seat;
      const position = this.nextQueuePosition();
      this.seat(first, seat);
      member.seat = null;
      member.isReady = false;
      member.joinQueuePosition = position;
      this.repack();
      return;
    }
    const seat = this.freeSeat();
    if (seat) this.seat(member, seat);
    else member.joinQueuePosition = this.nextQueuePosition();
  }

  updateClientStatus(userId: string, status: { isReady?: boolean; assetStatus?: AssetStatus }): void {
    const member = this.members.get(userId);
    if (!member) throw refuse('not_in_lobby');
    if (!member.seat) throw refuse('not_a_player');
    if (status.isReady !== undefined) member.isReady = status.isReady;
    if (status.assetStatus !== undefined) member.assetStatus = status.assetStatus;
  }

  // ---- bots ----

  addBot(hostUserId: string, bot: { allyTeam: string; shortName: string; name?: string; version?: string; options?: Record<string, string> }): string {
    this.member(hostUserId);
    const index = this.allyTeamIndex(bot.allyTeam);
    const count = this.inAllyTeam(index);
    if (count >= (this.allyTeams[index]?.maxTeams ?? 0)) throw new LobbyRefusal('ally_team_full');
    const options = bot.options ?? {};
    if (Object.keys(options).length > this.limits.botOptions) throw refuse(`a bot has at most ${this.limits.botOptions} options`);
    const problem = optionsProblem('bot options', options, this.limits) ?? (bot.version !== undefined && bot.version.length > this.limits.shortText ? 'the bot version is too long' : null);
    if (problem) throw refuse(problem);
    const id = `bot-${this.botCounter++}`;
    const entry: Bot = { id, hostUserId, seat: { allyTeam: index, team: count, player: 0 }, shortName: bot.shortName, options: { ...options } };
    if (bot.name !== undefined) entry.name = bot.name;
    if (bot.version !== undefined) entry.version = bot.version;
    this.bots.set(id, entry);
    return id;
  }

  removeBot(botId: string): void {
    if (!this.bots.delete(botId)) throw refuse('invalid_bot_id');
    this.repack();
    this.fillFromJoinQueue();
  }

  /** A merge patch: fields left out stay, `null` clears the version or an option. */
  updateBot(change: { id: string; name?: string; shortName?: string; version?: string | null; options?: Record<string, string | null> }): void {
    const bot = this.bots.get(change.id);
    if (!bot) throw refuse('invalid_bot_id');
    const options = { ...bot.options };
    for (const [key, value] of Object.entries(change.options ?? {})) {
      if (value === null) delete options[key];
      else options[key] = value;
    }
    if (Object.keys(options).length > this.limits.botOptions) throw refuse(`a bot has at most ${this.limits.botOptions} options`);
    const problem = optionsProblem('bot options', change.options ?? {}, this.limits) ?? (typeof change.version === 'string' && change.version.length > this.limits.shortText ? 'the bot version is too long' : null);
    if (problem) throw refuse(problem);
    if (change.name !== undefined) bot.name = change.name;
    if (change.shortName !== undefined) bot.shortName = change.shortName;
    if (change.version === null) delete bot.version;
    else if (change.version !== undefined) bot.version = change.version;
    bot.options = options;
  }

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
    if (!this.members.has(userId)) throw refuse('not_in_lobby');
    if (this.areBossesEnabled && !this.bosses.has(userId)) throw refuse('Cannot update lobby: you are not a boss');
    const errors: string[] = [];
    let mapAction: 'set' | 'vote' | null = null;
    if (patch.name !== undefined) {
      const problem = nameProblem(patch.name, this.limits);
      if (problem) errors.push(problem);
    }
    if (patch.mapName !== undefined) {
      const seated = this.members.get(userId)?.seat;
      if (!seated) errors.push('Only players can change the map');
      else if (patch.mapName.length === 0 || patch.mapName.length > this.limits.shortText) errors.push('invalid map name');
      else if (this.vote) {
        if (!(this.vote.action.type === 'changeMap' && this.vote.action.newMapName === patch.mapName)) errors.push('vote_in_progress');
      } else mapAction = this.humanPlayers() > 1 ? 'vote' : 'set';
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
    if (patch.allyTeamConfig !== undefined) this.setAllyTeamConfig(patch.allyTeamConfig);
    this.gameOptions = gameOptions;
    this.tags = tags;
  }

  /**
   * A new ally team layout (Teiserver's UpdateAllyTeamConfig): players whose seat is gone go to the front of the join
   * queue in seat order, bots whose seat is gone are removed, then everyone is repacked and the queue seated.
   */
  private setAllyTeamConfig(config: AllyTeamConfig): void {
    this.allyTeams = structuredClone(config);
    const fits = (seat: Seat) => {
      const at = config[seat.allyTeam];
      return at !== undefined && seat.team < at.maxTeams;
    };
    const displaced = [...this.members.values()].filter((m) => m.seat && !fits(m.seat)).sort((a, b) => compareSeats(a.seat, b.seat));
    const first = this.firstInQueue()?.joinQueuePosition ?? displaced.length + 1;
    displaced.forEach((m, i) => {
      m.seat = null;
      m.isReady = false;
      m.joinQueuePosition = first - displaced.length + i;
    });
    for (const bot of [...this.bots.values()]) if (!fits(bot.seat)) this.bots.delete(bot.id);
    this.repack();
    this.fillFromJoinQueue();
  }

  // ---- bosses ----

  appointBoss(userId: string, appointee: string): void {
    if (!this.members.has(userId) || !this.members.has(appointee)) throw refuse('not_in_lobby');
    if (!this.areBossesEnabled) throw refuse('no_boss_allowed');
    if (this.bosses.size > 0 && !this.bosses.has(userId)) throw refuse('not_a_boss');
    if (this.bosses.size === 0 && this.humanPlayers() > 1) {
      this.startVote(userId, { type: 'appointBoss', bossId: appointee });
      return;
    }
    this.bosses.add(appointee);
  }

  unboss(userId: string, boss: string): void {
    if (!this.members.has(userId) || !this.members.has(boss)) throw refuse('not_in_lobby');
    if (!this.bosses.has(userId)) throw refuse('not_a_boss');
    this.bosses.delete(boss);
  }

  // ---- kickban ----

  /** With bosses only a boss kicks; with none and more than one human player it is a vote; else it happens at once. */
  kickban(userId: string, target: string, banUntil: number | undefined): void {
    if (!this.members.has(userId)) throw refuse(':not_in_lobby');
    if (!this.members.has(target)) throw refuse(':invalid_request');
    const until = banUntil !== undefined && banUntil > this.nowUs() ? banUntil : undefined;
    if (this.bosses.size > 0 && !this.bosses.has(userId)) throw new LobbyRefusal('invalid_request');
    if (this.bosses.size === 0 && this.humanPlayers() > 1) {
      this.startVote(userId, until === undefined ? { type: 'kickban', userId: target } : { type: 'kickban', userId: target, banUntil: until });
      return;
    }
    this.kick(target, until);
  }

  private kick(target: string, until: number | undefined): void {
    if (until !== undefined) this.ban(target, until);
    if (!this.members.has(target)) return;
    this.remove(target);
    this.effects.push(until === undefined ? { type: 'removed', userId: target, reason: 'kicked' } : { type: 'removed', userId: target, reason: 'banned', bannedUntil: until });
  }

  private ban(userId: string, until: number): void {
    const now = this.nowUs();
    for (const [id, expires] of this.bans) if (expires <= now) this.bans.delete(id);
    this.bans.delete(userId);
    this.bans.set(userId, until);
    if (this.bans.size > this.limits.bans) {
      const soonest = [...this.bans].sort((a, b) => a[1] - b[1])[0];
      if (soonest) this.bans.delete(soonest[0]);
    }
  }

  get banCount(): number {
    return this.bans.size;
  }

  // ---- votes ----

  private humanPlayers(): number {
    return [...this.members.values()].filter((m) => m.seat !== null).length;
  }

  /**
   * Teiserver's `new_vote`: the human players vote, the initiator's yes counted; an absolute majority both to decide
   * (quorum) and to pass. One vote at a time: a second is refused while one runs.
   */
  private startVote(initiator: string, action: VoteAction): void {
    if (this.vote) throw refuse('vote_in_progress');
    const voters = new Map<string, 'pending' | 'yes' | 'no' | 'abstain'>();
    for (const m of this.members.values()) if (m.seat) voters.set(m.userId, m.userId === initiator ? 'yes' : 'pending');
    const quorum = Math.ceil(voters.size * 0.501);
    const id = `vote-${this.voteCounter++}`;
    this.vote = { id, action, initiator, voters, until: this.nowUs() + VOTE_DURATION_MS * 1000, quorum, majority: quorum };
    this.effects.push({ type: 'voteStarted', voteId: id, durationMs: VOTE_DURATION_MS });
  }

  voteSubmit(userId: string, voteId: string, ballot: 'yes' | 'no' | 'abstain'): void {
    if (!this.vote || this.vote.id !== voteId || !this.vote.voters.has(userId)) throw refuse('invalid_vote');
    this.castVote(userId, ballot);
  }

  private castVote(userId: string, ballot: 'yes' | 'no' | 'abstain'): void {
    const vote = this.vote;
    if (!vote || !vote.voters.has(userId)) return;
    vote.voters.set(userId, ballot);
    const ballots = [...vote.voters.values()];
    if (ballots.filter((b) => b !== 'pending').length < vote.quorum) return;
    const passed = ballots.filter((b) => b === 'yes').length >= vote.majority;
    this.endVote(passed ? 'passed' : 'failed');
    if (!passed) return;
    const action = vote.action;
    if (action.type === 'changeMap') this.mapName = action.newMapName;
    else if (action.type === 'appointBoss') {
      if (this.members.has(action.bossId)) this.bosses.add(action.bossId);
    } else if (action.type === 'kickban') this.kick(action.userId, action.banUntil !== undefined && action.banUntil > this.nowUs() ? action.banUntil : undefined);
  }

  /** The vote's time is up (a timer of the service, named by the vote's id so a late one is ignored). */
  voteTimedOut(voteId: string): void {
    if (this.vote?.id === voteId) this.endVote('timeout');
  }

  private endVote(outcome: VoteOutcome): void {
    const vote = this.vote;
    if (!vote) return;
    this.vote = null;
    this.voteHistory.set(vote.id, { vote: vote.action, outcome, finishedAt: this.nowUs() });
    while (this.voteHistory.size > VOTE_HISTORY) this.voteHistory.delete(this.voteHistory.keys().next().value as string);
    this.effects.push({ type: 'voteEnded', voteId: vote.id, outcome });
  }

  // ---- the battle ----

  /** Who the host script names: seated players and bots by ally team and team, and every spectator. */
  battleRoster(): {
    allyTeams: Array<{ startBox: AllyTeamConfig[number]['startBox']; teams: Array<{ player?: Member; bot?: Bot }> }>;
    spectators: Member[];
  } {
    const allyTeams = this.allyTeams.map((at, index) => {
      const teams: Array<{ seat: Seat; player?: Member; bot?: Bot }> = [];
      for (const m of this.members.values()) if (m.seat?.allyTeam === index) teams.push({ seat: m.seat, player: m });
      for (const b of this.bots.values()) if (b.seat.allyTeam === index) teams.push({ seat: b.seat, bot: b });
      teams.sort((a, b) => compareSeats(a.seat, b.seat));
      return { startBox: at.startBox, teams: teams.map(({ player, bot }) => (player ? { player } : { bot })) };
    }).filter((at) => at.teams.length > 0);
    return { allyTeams, spectators: [...this.members.values()].filter((m) => m.seat === null) };
  }

  get options(): Readonly<Record<string, string>> {
    return this.gameOptions;
  }

  // ---- what clients see ----

  view(): LobbyView {
    const players: LobbyDetails['players'] = {};
    const spectators: LobbyDetails['spectators'] = {};
    for (const m of this.members.values()) {
      if (m.seat) {
        players[m.userId] = { id: m.userId, ...seatView(m.seat), isReady: m.isReady, assetStatus: m.assetStatus };
      } else {
        spectators[m.userId] = m.joinQueuePosition === null ? { id: m.userId } : { id: m.userId, joinQueuePosition: m.joinQueuePosition };
      }
    }
    const bots: LobbyDetails['bots'] = {};
    for (const b of this.bots.values()) {
      const entry: LobbyDetails['bots'][string] = { id: b.id, hostUserId: b.hostUserId, ...seatView(b.seat), shortName: b.shortName };
      if (b.name !== undefined) entry.name = b.name;
      if (b.version !== undefined) entry.version = b.version;
      if (Object.keys(b.options).length > 0) entry.options = { ...b.options };
      bots[b.id] = entry;
    }
    const allyTeamConfig: LobbyDetails['allyTeamConfig'] = {};
    this.allyTeams.forEach((at, i) => {
      allyTeamConfig[String(i)] = {
        startBox: { ...at.startBox }, maxTeams: at.maxTeams, teams: Object.fromEntries(at.teams.map((t, j) => [String(j), { maxPlayers: t.maxPlayers }])),
      };
    });
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
      voteHistory: Object.fromEntries([...this.voteHistory].map(([id, r]) => [id, { vote: structuredClone(r.vote), outcome: r.outcome, finishedAt: r.finishedAt }])),
    };
    if (this.currentBattle) view.currentBattle = { ...this.currentBattle };
    if (this.vote) {
      view.currentVote = {
        id: this.vote.id, action: structuredClone(this.vote.action), initiator: this.vote.initiator,
        voters: Object.fromEntries([...this.vote.voters].map(([id, vote]) => [id, { vote }])),
        until: this.vote.until, quorum: this.vote.quorum, majority: this.vote.majority,
      };
    }
    return view;
  }

  /** The lobby's line in the list; Teiserver counts human players only and also sends `areBossesEnabled` and `tags`. */
  overview(): LobbyOverview & { areBossesEnabled: boolean; tags: Record<string, object> } {
    return {
      id: this.id,
      name: this.name,
      playerCount: this.humanPlayers(),
      maxPlayerCount: this.allyTeams.reduce((sum, at) => sum + at.teams.reduce((s, t) => s + t.maxPlayers, 0), 0),
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
    return isBotId(id);
  }
}

function seatView(seat: Seat): { allyTeam: string; team: string; player: string } {
  return { allyTeam: String(seat.allyTeam), team: String(seat.team), player: String(seat.player) };
}

function compareSeats(a: Seat | null, b: Seat | null): number {
  if (!a || !b) return 0;
  return a.allyTeam - b.allyTeam || a.team - b.team || a.player - b.player;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const isObject = (value: unknown): value is Record<string, Json> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** RFC 7386's merge patch from `before` to `after`: changed values, `null` for removed keys; undefined when nothing changed. */
export function mergeDiff(before: Record<string, Json>, after: Record<string, Json>): Record<string, Json> | undefined {
  const patch: Record<string, Json> = {};
  for (const key of Object.keys(before)) if (!(key in after)) patch[key] = null;
  for (const [key, value] of Object.entries(after)) {
    const old = before[key];
    if (old === undefined) patch[key] = value;
    else if (isObject(old) && isObject(value)) {
      const inner = mergeDiff(old, value);
      if (inner) patch[key] = inner;
    } else if (JSON.stringify(old) !== JSON.stringify(value)) patch[key] = value;
  }
  return Object.keys(patch).length > 0 ? patch : undefined;
}

/**
 * The `lobby/updated` a member gets for a change from `before` to `after`, or null when nothing they see changed. A merge
 * patch, shaped as LobbyUpdate requires: entries keep their `id`, a bot entry always carries `version` and `options`
 * (null when unset; `options` the patch of its options, `{}` when they did not change), an ally team entry its `teams`,
 * and what must come whole (a start box, a new vote, a vote's action) comes whole.
 */
export function lobbyPatch(before: LobbyView, after: LobbyView): LobbyUpdate | null {
  const diff = mergeDiff(before as unknown as Record<string, Json>, after as unknown as Record<string, Json>);
  if (!diff) return null;
  const patch = diff as Record<string, Json>;
  for (const group of ['players', 'spectators'] as const) {
    const entries = patch[group];
    if (isObject(entries)) for (const [id, entry] of Object.entries(entries)) if (isObject(entry)) entry.id = id;
  }
  if (isObject(patch.bots)) {
    for (const [id, entry] of Object.entries(patch.bots)) {
      if (!isObject(entry)) continue;
      const bot = after.bots[id];
      entry.id = id;
      entry.version = bot?.version ?? null;
      if (!('options' in entry)) entry.options = bot?.options ? {} : null;
    }
  }
  if (isObject(patch.allyTeamConfig)) {
    for (const [index, entry] of Object.entries(patch.allyTeamConfig)) {
      if (!isObject(entry)) continue;
      const full = after.allyTeamConfig[index];
      if (!('teams' in entry)) entry.teams = {};
      if ('startBox' in entry && full) entry.startBox = { ...full.startBox };
    }
  }
  if (isObject(patch.currentVote)) {
    const vote = after.currentVote;
    if (vote && before.currentVote?.id !== vote.id) patch.currentVote = structuredClone(vote) as unknown as Json;
    else if (vote) {
      patch.currentVote.id = vote.id;
      if ('action' in patch.currentVote) patch.currentVote.action = structuredClone(vote.action) as unknown as Json;
    }
  }
  if (isObject(patch.currentBattle) && after.currentBattle) patch.currentBattle = { ...after.currentBattle };
  if (isObject(patch.voteHistory)) {
    for (const [id, entry] of Object.entries(patch.voteHistory)) {
      const full = after.voteHistory?.[id];
      if (isObject(entry) && full) patch.voteHistory[id] = structuredClone(full) as unknown as Json;
    }
  }
  patch.id = after.id;
  return patch as unknown as LobbyUpdate;
}

/** LobbyDetails as `lobby/create` and `lobby/join` answer. */
export function lobbyDetails(view: LobbyView): LobbyDetails {
  return structuredClone(view);
}
