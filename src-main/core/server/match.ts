// What a match is once it becomes a battle, and the port that hosts it: Matchmaker needs a BattleLauncher, AutohostFleet is one. A leaf.
import { createHash } from 'node:crypto';

export interface PlaylistConfig {
  readonly id: string;
  readonly name: string;
  readonly numOfTeams: number;
  readonly teamSize: number;
  readonly engine: string;
  readonly game: string;
  readonly map: string;
  /** How many of the last sides are played by bots (a one-player playlist against the AI has 1). */
  readonly botSides?: number;
  readonly botAi?: string;
  /** The queue definition's version (`matchmaking/list`); by default a digest of what a battle of it needs. */
  readonly version?: string;
}

/** A playlist's version: a client must name it to queue, so a playlist that changes refuses queues for the old one. */
export function playlistVersion(playlist: PlaylistConfig): string {
  if (playlist.version !== undefined) return playlist.version;
  const { numOfTeams, teamSize, engine, game, map, botSides, botAi } = playlist;
  return createHash('sha256').update(JSON.stringify([numOfTeams, teamSize, engine, game, map, botSides ?? 0, botAi ?? ''])).digest('hex').slice(0, 12);
}

export interface MatchPlayer {
  readonly userId: string;
  readonly name: string;
  /** Per-player secret the host script and the player's battle/start share. */
  readonly password: string;
  readonly team: number;
}

export interface MatchToLaunch {
  readonly battleId: string;
  readonly playlist: PlaylistConfig;
  readonly players: readonly MatchPlayer[];
}

/**
 * A battle that could not start, or one the server had to end: `message` is for the server's log, `playerText` is what
 * the players read (in `matchmaking/cancelled`'s `details`, as Teiserver sends it), in words and with no internals.
 */
export class LaunchFailure extends Error {
  override readonly name = 'LaunchFailure';
  constructor(message: string, readonly playerText: string) {
    super(message);
  }
}

/** What players read when a battle could not start for a reason nobody put in words. */
export const GENERIC_START_FAILURE = 'The battle could not be started.';

/** Where battles are hosted: an autohost, or (in protocol-only tests) a fixed address. */
export interface BattleLauncher {
  launch(match: MatchToLaunch): Promise<{ ip: string; port: number }>;
  /** Ends a battle it started (the match fell apart while it was starting). */
  kill?(battleId: string): Promise<void>;
}
