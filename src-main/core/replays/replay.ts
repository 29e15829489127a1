// readReplay(path): a demo file's metadata (header, start script's roster, winners), read boundedly and defensively.
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { readDemoSections, type DemoHeader } from './demo-file';
import { ReplayError, TRUNCATED_MESSAGE } from './replay-error';
import { intValue, numberedSections, readStartScript, ScriptReadError, type ScriptSection } from './start-script-reader';

const gunzipAsync = promisify(gunzip);

/** The largest demo read, before and after gunzip: a gzip bomb stops here, never allocated further. */
export const MAX_REPLAY_BYTES = 64 * 1024 * 1024;
/** The start script is a few KiB; one this large is no engine's. */
const MAX_SCRIPT_BYTES = 1024 * 1024;
/** Players, teams, ally teams and bots read from a script. */
const MAX_ENTITIES = 256;
const MAX_NAME_CHARS = 256;

export interface ReplayPlayer {
  name: string;
  team: number | null;
  /** The team's ally team; null for a spectator or an unknown team. */
  allyTeam: number | null;
  spectator: boolean;
}

export interface ReplayTeam {
  id: number;
  allyTeam: number | null;
  /** The player number leading it. */
  leader: number | null;
}

export interface ReplayBot {
  name: string;
  /** The AI's short name, e.g. NullAI. */
  shortName: string;
  team: number | null;
  allyTeam: number | null;
}

export interface Replay {
  header: DemoHeader;
  /** Game start as an ISO 8601 UTC string. */
  startedAt: string;
  map: string;
  /** The game (`gametype`). */
  game: string;
  players: ReplayPlayer[];
  teams: ReplayTeam[];
  allyTeams: number[];
  bots: ReplayBot[];
  /** The winning ally team ids; empty when the demo names none (or, for a host demo of engine 106, cannot). */
  winners: number[];
  /** The host demo's known slack: winners declared and never written (spring-dedicated 106 with no team counted). */
  winnersMissing: boolean;
  /** Game time, in seconds. */
  durationS: number;
  /** Chunks in the demo stream. */
  chunks: number;
}

/**
 * Reads a demo (`.sdfz`): at most MAX_REPLAY_BYTES from disk (a symlink is refused), gunzipped with the same cap, every
 * section checked against the length before it is read. Throws only ReplayError.
 */
export async function readReplay(file: string): Promise<Replay> {
  return parseReplay(await readCapped(file));
}

/** The same for bytes already in memory (the whole compressed file). */
export async function parseReplay(compressed: Buffer): Promise<Replay> {
  try {
    return describe(readDemoSections(await inflate(compressed)));
  } catch (error) {
    if (error instanceof ReplayError) throw error;
    throw new ReplayError('corrupt', `the demo is damaged: ${error instanceof Error ? error.message.slice(0, 200) : 'unreadable'}`);
  }
}

async function readCapped(file: string): Promise<Buffer> {
  let handle;
  try {
    handle = await open(file, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
    const info = await handle.stat();
    if (!info.isFile()) throw new ReplayError('not_a_demo', 'not a demo: not a regular file');
    if (info.size > MAX_REPLAY_BYTES) throw new ReplayError('too_large', `the demo is larger than ${MAX_REPLAY_BYTES} bytes`);
    const buffer = Buffer.alloc(info.size);
    let read = 0;
    while (read < buffer.length) {
      const { bytesRead } = await handle.read(buffer, read, buffer.length - read, read);
      if (bytesRead === 0) break;
      read += bytesRead;
    }
    return buffer.subarray(0, read);
  } catch (error) {
    if (error instanceof ReplayError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') throw new ReplayError('not_a_demo', 'not a demo: a symbolic link');
    throw new ReplayError('not_a_demo', `the demo cannot be read (${typeof code === 'string' ? code : 'error'})`);
  } finally {
    await handle?.close().catch(() => {});
  }
}

async function inflate(compressed: Buffer): Promise<Buffer> {
  // The engine creates the file at game start and writes it only at the end: an empty one is still being written.
  if (compressed.length === 0) throw new ReplayError('truncated', `${TRUNCATED_MESSAGE} (empty file)`);
  if (compressed.length < 2 || compressed[0] !== 0x1f || compressed[1] !== 0x8b) throw new ReplayError('not_a_demo', 'not a demo: the file is not gzip');
  if (compressed.length > MAX_REPLAY_BYTES) throw new ReplayError('too_large', `the demo is larger than ${MAX_REPLAY_BYTES} bytes`);
  try {
    return await gunzipAsync(compressed, { maxOutputLength: MAX_REPLAY_BYTES });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ERR_BUFFER_TOO_LARGE' || error instanceof RangeError) throw new ReplayError('too_large', `the demo unpacks to more than ${MAX_REPLAY_BYTES} bytes`);
    if (code === 'Z_BUF_ERROR') throw new ReplayError('truncated', TRUNCATED_MESSAGE);
    throw new ReplayError('corrupt', 'the demo is damaged: its gzip data does not unpack');
  }
}

function clip(text: string | undefined): string {
  return (text ?? '').slice(0, MAX_NAME_CHARS);
}

function describe(sections: ReturnType<typeof readDemoSections>): Replay {
  const { header } = sections;
  if (sections.script.length > MAX_SCRIPT_BYTES) throw new ReplayError('too_large', `the demo's start script is larger than ${MAX_SCRIPT_BYTES} bytes`);
  let root: ScriptSection;
  try {
    root = readStartScript(sections.script.toString('utf8'));
  } catch (error) {
    if (error instanceof ScriptReadError) throw new ReplayError('corrupt', `the demo is damaged: its start script has ${error.message}`);
    throw error;
  }
  const game = root.sections.get('game');
  if (game === undefined) throw new ReplayError('corrupt', 'the demo is damaged: its start script has no [game] section');
  const teams: ReplayTeam[] = numberedSections(game, 'team', MAX_ENTITIES).map(({ id, section }) => ({
    id, allyTeam: intValue(section, 'allyteam') ?? null, leader: intValue(section, 'teamleader') ?? null,
  }));
  const allyOf = (team: number | null) => (team === null ? null : teams.find((t) => t.id === team)?.allyTeam ?? null);
  const players: ReplayPlayer[] = numberedSections(game, 'player', MAX_ENTITIES).map(({ section }) => {
    const spectator = section.values.get('spectator') === '1';
    const team = intValue(section, 'team') ?? null;
    return { name: clip(section.values.get('name')), team: spectator ? null : team, allyTeam: spectator ? null : allyOf(team), spectator };
  });
  const bots: ReplayBot[] = numberedSections(game, 'ai', MAX_ENTITIES).map(({ section }) => {
    const team = intValue(section, 'team') ?? null;
    return { name: clip(section.values.get('name')), shortName: clip(section.values.get('shortname')), team, allyTeam: allyOf(team) };
  });
  const allyTeams = numberedSections(game, 'allyteam', MAX_ENTITIES).map(({ id }) => id);
  const startedAt = new Date(header.startTime * 1000);
  return {
    header,
    startedAt: Number.isNaN(startedAt.getTime()) ? new Date(0).toISOString() : startedAt.toISOString(),
    map: clip(game.values.get('mapname')),
    game: clip(game.values.get('gametype')),
    players, teams, allyTeams, bots,
    winners: sections.winners,
    winnersMissing: sections.winnersMissing,
    durationS: header.gameTimeS,
    chunks: sections.chunks,
  };
}
