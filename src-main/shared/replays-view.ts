// The replays list as the lobby state holds it (plain readonly JSON): the core's replay library fills it, every copy of
// the state shows it. Types only, so the core's replays folder and the lobby state can both name them.

/** One ally team of a demo: its players' and bots' names. */
export interface ReplayTeamView {
  readonly allyTeam: number;
  readonly players: readonly string[];
  readonly bots: readonly string[];
}

/** What identifies a file on disk: an unchanged file (same name, size and mtime) is not read again. */
export interface ReplayFileView {
  /** The file's name in the replays folder (never a path). */
  readonly file: string;
  readonly size: number;
  readonly mtimeMs: number;
}

export interface ReplayGoodView extends ReplayFileView {
  readonly status: 'ok';
  /** Game start, ISO 8601 UTC. */
  readonly startedAt: string;
  readonly map: string;
  readonly game: string;
  readonly engine: string;
  /** Game time, in seconds. */
  readonly durationS: number;
  readonly teams: readonly ReplayTeamView[];
  readonly spectators: readonly string[];
  /** Winning ally teams; empty when the demo names none. */
  readonly winners: readonly number[];
  /** The host demo of engine 106 declares winners it never writes: unknown rather than none. */
  readonly winnersMissing: boolean;
}

export interface ReplayDamagedView extends ReplayFileView {
  readonly status: 'damaged';
  /** The reader's stable code (`truncated`, `corrupt`, …). */
  readonly code: string;
  /** What is wrong, in words. */
  readonly message: string;
}

export type ReplayEntryView = ReplayGoodView | ReplayDamagedView;

export interface ReplaysView {
  /** Newest first (by name, which starts with the date), bounded. */
  readonly entries: readonly ReplayEntryView[];
  /** A scan is under way: the list is being filled. */
  readonly scanning: boolean;
  /** Why the folder could not be listed, in words. */
  readonly error?: string;
}
