// What every part of a lobby (`lobby-state.ts`) holds to: its caps, the checks `lobby/create` and `lobby/update` share,
// the refusal a request gets, and the effects a change leaves for the service. A leaf: it imports only the protocol types.
import type { AllyTeamConfig, VoteOutcome } from '../protocol/schemas/lobby-details';

/** Why a request was refused: a reason the command declares, or `invalid_request` with Teiserver's words in `details`. */
export class LobbyRefusal extends Error {
  override readonly name = 'LobbyRefusal';
  constructor(readonly reason: string, readonly details?: string) {
    super(details ?? reason);
  }
}

/** A refusal as `invalid_request`, Teiserver's words in `details`. */
export const refuse = (details: string): LobbyRefusal => new LobbyRefusal('invalid_request', details);

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

/** What happened besides the change of state, for the service to carry out. */
export type LobbyEffect =
  | { type: 'voteStarted'; voteId: string; durationMs: number }
  | { type: 'voteEnded'; voteId: string; outcome: VoteOutcome }
  | { type: 'removed'; userId: string; reason: string; bannedUntil?: number };

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
