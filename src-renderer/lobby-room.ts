// The Lobby room as plain functions of the `lobby` slice: ally teams as columns, where the player is, what they may do
// (the server decides; these only choose which buttons to show), the vote's tally and countdown, and a bot's options
// as a form. Without a boss the server turns a start, a map change or a kick into a vote (docs/protocol-revisions.md).
import type {
  LobbyBotView, LobbyRoomView, LobbyVoteView, LobbyVoterState, SkirmishAiOptionView, SkirmishAiView,
} from '../src-main/contract';

export type RoomMember =
  | { readonly kind: 'player'; readonly key: string; readonly userId: string; readonly name: string; readonly isReady: boolean; readonly assetStatus: string; readonly isBoss: boolean; readonly isSelf: boolean }
  | { readonly kind: 'bot'; readonly key: string; readonly botId: string; readonly name: string; readonly shortName: string; readonly version: string | null; readonly hostUserId: string; readonly hostName: string; readonly mine: boolean };

export interface TeamColumn {
  readonly allyTeam: string;
  /** "Team 1", "Team 2", … (ids are the server's "0", "1", …). */
  readonly label: string;
  readonly members: readonly RoomMember[];
  /** Places in all: the sum of its teams' players. */
  readonly capacity: number;
  readonly full: boolean;
  readonly selfHere: boolean;
}

const byNumber = (a: string, b: string) => {
  const na = Number(a);
  const nb = Number(b);
  if (Number.isFinite(na) && Number.isFinite(nb) && na !== nb) return na - nb;
  return a < b ? -1 : a > b ? 1 : 0;
};

/** Team then player slot, so a column lists its members in the order the engine will seat them. */
const seatOrder = (a: { team: string; player: string }, b: { team: string; player: string }) => byNumber(a.team, b.team) || byNumber(a.player, b.player);

export function allyTeamLabel(allyTeam: string): string {
  const n = Number(allyTeam);
  return Number.isInteger(n) && n >= 0 ? `Team ${n + 1}` : `Team ${allyTeam}`;
}

/** One column per ally team, in the room's order, with its players and bots seated; a member on an unknown ally team gets a column of its own. */
export function teamColumns(room: LobbyRoomView, selfId: string | null, nameOf: (userId: string) => string): readonly TeamColumn[] {
  const ids = room.allyTeams.map((a) => a.id);
  const extra = new Set<string>();
  for (const p of Object.values(room.players)) if (!ids.includes(p.allyTeam)) extra.add(p.allyTeam);
  for (const b of Object.values(room.bots)) if (!ids.includes(b.allyTeam)) extra.add(b.allyTeam);
  const all = [...ids, ...[...extra].sort(byNumber)];
  return all.map((allyTeam) => {
    const config = room.allyTeams.find((a) => a.id === allyTeam);
    const seats: { team: string; player: string; member: RoomMember }[] = [];
    for (const p of Object.values(room.players)) {
      if (p.allyTeam !== allyTeam) continue;
      seats.push({
        team: p.team, player: p.player,
        member: { kind: 'player', key: `player:${p.userId}`, userId: p.userId, name: nameOf(p.userId), isReady: p.isReady, assetStatus: p.assetStatus, isBoss: room.bosses.includes(p.userId), isSelf: p.userId === selfId },
      });
    }
    for (const b of Object.values(room.bots)) {
      if (b.allyTeam !== allyTeam) continue;
      seats.push({
        team: b.team, player: b.player,
        member: { kind: 'bot', key: `bot:${b.id}`, botId: b.id, name: botName(b), shortName: b.shortName, version: b.version, hostUserId: b.hostUserId, hostName: nameOf(b.hostUserId), mine: b.hostUserId === selfId },
      });
    }
    seats.sort(seatOrder);
    const capacity = config ? config.teams.reduce((sum, t) => sum + t.maxPlayers, 0) : 0;
    const members = seats.map((s) => s.member);
    return {
      allyTeam, label: allyTeamLabel(allyTeam), members, capacity,
      full: capacity > 0 && members.length >= capacity,
      selfHere: members.some((m) => m.kind === 'player' && m.isSelf),
    };
  });
}

export const botName = (bot: LobbyBotView): string => bot.name ?? bot.shortName;

export interface Onlooker {
  readonly userId: string;
  readonly name: string;
  readonly isBoss: boolean;
  readonly isSelf: boolean;
  /** 1 is next; null when only watching. */
  readonly queuePosition: number | null;
}

/** Spectators by name, and the join queue in its order. */
export function onlookers(room: LobbyRoomView, selfId: string | null, nameOf: (userId: string) => string): { spectators: readonly Onlooker[]; queue: readonly Onlooker[] } {
  const all = Object.values(room.spectators).map((s) => ({
    userId: s.userId, name: nameOf(s.userId), isBoss: room.bosses.includes(s.userId), isSelf: s.userId === selfId, queuePosition: s.joinQueuePosition,
  }));
  const spectators = all.filter((o) => o.queuePosition === null).sort((a, b) => a.name.localeCompare(b.name) || (a.userId < b.userId ? -1 : 1));
  const queue = all.filter((o) => o.queuePosition !== null).sort((a, b) => (a.queuePosition ?? 0) - (b.queuePosition ?? 0));
  return { spectators, queue };
}

export type SelfPlace =
  | { readonly kind: 'player'; readonly allyTeam: string; readonly isReady: boolean }
  | { readonly kind: 'spectator' }
  | { readonly kind: 'queue'; readonly position: number }
  | { readonly kind: 'absent' };

export function selfPlace(room: LobbyRoomView, selfId: string | null): SelfPlace {
  if (selfId === null) return { kind: 'absent' };
  const player = room.players[selfId];
  if (player) return { kind: 'player', allyTeam: player.allyTeam, isReady: player.isReady };
  const spectator = room.spectators[selfId];
  if (spectator) return spectator.joinQueuePosition === null ? { kind: 'spectator' } : { kind: 'queue', position: spectator.joinQueuePosition };
  return { kind: 'absent' };
}

export interface RoomPowers {
  readonly isBoss: boolean;
  /** Name, map, game options: a boss, or anyone while the lobby has no boss (the server may make it a vote). */
  readonly canEditLobby: boolean;
  /** Anyone seated, while no battle runs. */
  readonly canStart: boolean;
  /** A battle runs and the player's engine is not in it: they may join it late. */
  readonly canJoinBattle: boolean;
  /** Kick or ban someone else: a boss, or anyone while there is no boss (a vote). */
  readonly canKick: boolean;
  /** Appoint a boss: bosses are on, and the player is one or there is none yet (a vote). */
  readonly canAppoint: boolean;
  /** Remove a boss (or step down): only a boss. */
  readonly canUnboss: boolean;
  /** A bot runs on its host's engine: the host, or a boss, may change or remove it. */
  canManageBot(bot: { readonly hostUserId: string }): boolean;
}

export function roomPowers(room: LobbyRoomView, selfId: string | null, localBattleRunning: boolean): RoomPowers {
  const isBoss = selfId !== null && room.bosses.includes(selfId);
  const noBoss = room.bosses.length === 0;
  const place = selfPlace(room, selfId);
  const present = place.kind !== 'absent';
  return {
    isBoss,
    canEditLobby: present && (isBoss || noBoss),
    canStart: place.kind === 'player' && room.battle === null,
    canJoinBattle: present && room.battle !== null && !localBattleRunning,
    canKick: present && (isBoss || noBoss),
    canAppoint: present && room.areBossesEnabled && (isBoss || noBoss),
    canUnboss: isBoss,
    canManageBot: (bot) => isBoss || bot.hostUserId === selfId,
  };
}

export interface VoteStatus {
  readonly remainingMs: number;
  readonly tally: Readonly<Record<LobbyVoterState, number>>;
  readonly voters: number;
  /** The player's own vote; null when they are not asked. */
  readonly mine: LobbyVoterState | null;
  /** May still vote: asked, and the time is not up (the server takes a changed vote too). */
  readonly canVote: boolean;
}

export function voteStatus(vote: LobbyVoteView, now: number, selfId: string | null): VoteStatus {
  const tally: Record<LobbyVoterState, number> = { pending: 0, yes: 0, no: 0, abstain: 0 };
  const states = Object.values(vote.voters);
  for (const state of states) tally[state] += 1;
  const mine = selfId !== null ? vote.voters[selfId] ?? null : null;
  const remainingMs = Math.max(0, vote.until - now);
  return { remainingMs, tally, voters: states.length, mine, canVote: mine !== null && remainingMs > 0 };
}

/** The countdown as the vote panel shows it: whole seconds, rounded up, so "0 s" means it is over. */
export const countdownSeconds = (remainingMs: number): number => Math.ceil(Math.max(0, remainingMs) / 1000);

/** A bot's options as the form edits them: every option the AI offers, at the bot's value or else the AI's default. */
export function botOptionValues(ai: SkirmishAiView | undefined, current: Readonly<Record<string, string>>): Record<string, string> {
  const values: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const option of ai?.options ?? []) values[option.key] = current[option.key] ?? option.default;
  return values;
}

/** Null when the value fits the option, else what is wrong (shown beside the field). */
export function botOptionError(option: SkirmishAiOptionView, value: string): string | null {
  switch (option.type) {
    case 'bool': return value === '0' || value === '1' || value === 'true' || value === 'false' ? null : 'On or off.';
    case 'number': {
      const n = Number(value);
      if (value.trim() === '' || !Number.isFinite(n)) return 'A number.';
      if (option.min !== undefined && n < option.min) return `At least ${option.min}.`;
      if (option.max !== undefined && n > option.max) return `At most ${option.max}.`;
      return null;
    }
    case 'list': return option.items?.some((i) => i.key === value) ? null : 'Choose one of the list.';
    case 'string': return value.length > 512 ? 'At most 512 characters.' : null;
  }
}

/** The options that differ from the AI's defaults: what a new bot is added with (the engine fills in the rest). */
export function botOptionsToSend(ai: SkirmishAiView, values: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const option of ai.options) {
    const value = values[option.key];
    if (value !== undefined && value !== option.default) out[option.key] = value;
  }
  return out;
}

/** An edit as `updateBot` carries it: only what changed; an option back at its default is removed (`null`). */
export function botChanges(
  bot: LobbyBotView, ai: SkirmishAiView | undefined, name: string, values: Readonly<Record<string, string>>,
): { name?: string; options?: Record<string, string | null> } | null {
  const changes: { name?: string; options?: Record<string, string | null> } = {};
  const trimmed = name.trim();
  if (trimmed && trimmed !== botName(bot)) changes.name = trimmed;
  const options: Record<string, string | null> = {};
  for (const option of ai?.options ?? []) {
    const value = values[option.key];
    if (value === undefined) continue;
    const had = bot.options[option.key];
    if (value === option.default) {
      if (had !== undefined) options[option.key] = null;
    } else if (value !== had) {
      options[option.key] = value;
    }
  }
  if (Object.keys(options).length > 0) changes.options = options;
  return Object.keys(changes).length > 0 ? changes : null;
}

/** A new bot's name: the AI's short name with the first free number ("NullAI 2" if "NullAI 1" is taken), within 20 characters. */
export function nextBotName(room: LobbyRoomView, shortName: string): string {
  const taken = new Set(Object.values(room.bots).map(botName));
  for (let n = 1; ; n++) {
    const suffix = ` ${n}`;
    const name = `${shortName.slice(0, 20 - suffix.length)}${suffix}`;
    if (!taken.has(name)) return name;
  }
}

/** Game options as editable rows, by key. */
export const gameOptionRows = (options: Readonly<Record<string, string>>): readonly { key: string; value: string }[] =>
  Object.keys(options).sort().map((key) => ({ key, value: options[key]! }));

/** A bool option's value written the way its default is ("true"/"false" or "1"/"0"). */
export function boolOptionValue(option: SkirmishAiOptionView, on: boolean): string {
  const words = option.default === 'true' || option.default === 'false';
  return words ? String(on) : on ? '1' : '0';
}

export const isOptionOn = (value: string | undefined): boolean => value === '1' || value === 'true';

export interface LobbyDraft {
  readonly name: string;
  readonly mapName: string;
  readonly gameOptions: readonly { readonly key: string; readonly value: string }[];
}

export const lobbyDraftOf = (room: LobbyRoomView): LobbyDraft => ({ name: room.name, mapName: room.mapName, gameOptions: gameOptionRows(room.gameOptions) });

/**
 * The boss's edit as `updateLobby` carries it (a merge patch): only what changed, a game option whose row is gone as
 * `null`; rows without a key are ignored. Null when nothing changed.
 */
export function lobbyChanges(room: LobbyRoomView, draft: LobbyDraft): { name?: string; mapName?: string; gameOptions?: Record<string, string | null> } | null {
  const changes: { name?: string; mapName?: string; gameOptions?: Record<string, string | null> } = {};
  const name = draft.name.trim();
  const mapName = draft.mapName.trim();
  if (name && name !== room.name) changes.name = name;
  if (mapName && mapName !== room.mapName) changes.mapName = mapName;
  const options: Record<string, string | null> = {};
  const kept = new Set<string>();
  for (const row of draft.gameOptions) {
    const key = row.key.trim();
    if (!key) continue;
    kept.add(key);
    if (room.gameOptions[key] !== row.value) options[key] = row.value;
  }
  for (const key of Object.keys(room.gameOptions)) if (!kept.has(key)) options[key] = null;
  if (Object.keys(options).length > 0) changes.gameOptions = options;
  return Object.keys(changes).length > 0 ? changes : null;
}
