// Who is in a lobby and where they sit, as Teiserver keeps it (`lib/teiserver/tachyon_lobby/lobby.ex`): members in join
// order, seats in the ally team layout, the join queue, bots. Part of `LobbyRoom` (`lobby-state.ts`); pure.
import type { AllyTeamConfig, AssetStatus, LobbyDetails } from '../protocol/schemas/lobby-details';
import { LobbyRefusal, optionsProblem, refuse, type LobbyLimits } from './lobby-rules';

export interface Seat { allyTeam: number; team: number; player: number }

export interface Member {
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

export interface Bot {
  readonly id: string;
  readonly hostUserId: string;
  seat: Seat;
  name?: string;
  shortName: string;
  version?: string;
  options: Record<string, string>;
}

/** Who the host script names: seated players and bots by ally team and team, and every spectator. */
export interface BattleRoster {
  allyTeams: Array<{ startBox: AllyTeamConfig[number]['startBox']; teams: Array<{ player?: Member; bot?: Bot }> }>;
  spectators: Member[];
}

export class LobbySeats {
  private allyTeams: AllyTeamConfig;
  /** In join order. */
  private readonly members = new Map<string, Member>();
  private readonly bots = new Map<string, Bot>();
  private botCounter = 0;

  constructor(allyTeamConfig: AllyTeamConfig, creator: { userId: string; name: string; password: string }, private readonly limits: LobbyLimits) {
    this.allyTeams = structuredClone(allyTeamConfig);
    const { userId, name, password } = creator;
    this.members.set(userId, { userId, name, password, seat: { allyTeam: 0, team: 0, player: 0 }, isReady: false, assetStatus: 'complete', joinQueuePosition: null });
  }

  get size(): number {
    return this.members.size;
  }

  has(userId: string): boolean {
    return this.members.has(userId);
  }

  get(userId: string): Member | undefined {
    return this.members.get(userId);
  }

  memberIds(): string[] {
    return [...this.members.keys()];
  }

  /** The seated members' ids, in join order. */
  playerIds(): string[] {
    return [...this.members.values()].filter((m) => m.seat !== null).map((m) => m.userId);
  }

  humanPlayers(): number {
    return [...this.members.values()].filter((m) => m.seat !== null).length;
  }

  /** The players an ally team layout has room for, bots included. */
  maxPlayerCount(): number {
    return this.allyTeams.reduce((sum, at) => sum + at.teams.reduce((s, t) => s + t.maxPlayers, 0), 0);
  }

  /** A newcomer is a spectator. */
  add(user: { userId: string; name: string; password: string }): void {
    this.members.set(user.userId, { ...user, seat: null, isReady: false, assetStatus: 'complete', joinQueuePosition: null });
  }

  /** A member goes, and their bots with them; the rest are repacked and the queue seated. */
  remove(userId: string): void {
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

  /**
   * A new ally team layout (Teiserver's UpdateAllyTeamConfig): players whose seat is gone go to the front of the join
   * queue in seat order, bots whose seat is gone are removed, then everyone is repacked and the queue seated.
   */
  setAllyTeamConfig(config: AllyTeamConfig): void {
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

  // ---- what the battle and clients see ----

  battleRoster(): BattleRoster {
    const allyTeams = this.allyTeams.map((at, index) => {
      const teams: Array<{ seat: Seat; player?: Member; bot?: Bot }> = [];
      for (const m of this.members.values()) if (m.seat?.allyTeam === index) teams.push({ seat: m.seat, player: m });
      for (const b of this.bots.values()) if (b.seat.allyTeam === index) teams.push({ seat: b.seat, bot: b });
      teams.sort((a, b) => compareSeats(a.seat, b.seat));
      return { startBox: at.startBox, teams: teams.map(({ player, bot }) => (player ? { player } : { bot })) };
    }).filter((at) => at.teams.length > 0);
    return { allyTeams, spectators: [...this.members.values()].filter((m) => m.seat === null) };
  }

  /** The view's players, spectators, bots and ally team layout. */
  view(): Pick<LobbyDetails, 'players' | 'spectators' | 'bots' | 'allyTeamConfig'> {
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
    return { players, spectators, bots, allyTeamConfig };
  }
}

function seatView(seat: Seat): { allyTeam: string; team: string; player: string } {
  return { allyTeam: String(seat.allyTeam), team: String(seat.team), player: String(seat.player) };
}

function compareSeats(a: Seat | null, b: Seat | null): number {
  if (!a || !b) return 0;
  return a.allyTeam - b.allyTeam || a.team - b.team || a.player - b.player;
}
