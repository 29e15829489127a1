// The engine's demo file (a "spring demofile", version 5) after gunzip: the header and where each section lies, every offset checked against the length.
import { ReplayError, TRUNCATED_MESSAGE } from './replay-error';

const MAGIC = Buffer.from('spring demofile\0', 'latin1');
export const DEMO_VERSION = 5;
/** The version 5 header: magic, version, headerSize, versionString[256], gameID[16], unixTime, then 14 int32 fields. */
export const HEADER_SIZE = 352;
/** A later header may grow; more than this is no demo the reader knows. */
const MAX_HEADER_SIZE = 4096;
/** Sane bounds for the counts in the header (the engine plays far fewer). */
const MAX_PLAYERS = 1024;
const MAX_TEAMS = 1024;
const MAX_WINNERS = 256;
const MAX_STAT_ELEM = 64 * 1024;

export interface DemoHeader {
  version: number;
  headerSize: number;
  /** The engine's version string (empty on Debian's 106). */
  engineVersion: string;
  /** 32 lower-case hex digits. */
  gameId: string;
  /** Game start, seconds since the Unix epoch (UTC). */
  startTime: number;
  /** Seconds of game time, and of wall-clock time, the demo covers. */
  gameTimeS: number;
  wallTimeS: number;
  scriptSize: number;
  demoStreamSize: number;
  numPlayers: number;
  playerStatSize: number;
  playerStatElemSize: number;
  numTeams: number;
  teamStatSize: number;
  teamStatElemSize: number;
  teamStatPeriod: number;
  winningAllyTeamsSize: number;
}

export interface DemoSections {
  header: DemoHeader;
  script: Buffer;
  /** Chunks in the stream (each `{f32 modGameTime, u32 length, data}`). */
  chunks: number;
  /** The winning ally teams, empty when the demo has none. */
  winners: number[];
  /**
   * spring-dedicated 106 declares its winners but skips writing them when it counted no team (`numTeams` 0): such a
   * file is one byte per winner (in practice one) short of its declared sizes, and its winners are unknown.
   */
  winnersMissing: boolean;
}

function corrupt(what: string): never {
  throw new ReplayError('corrupt', `the demo is damaged: ${what}`);
}

function cString(bytes: Buffer): string {
  const end = bytes.indexOf(0);
  return bytes.subarray(0, end < 0 ? bytes.length : end).toString('utf8');
}

/** Reads the header; throws ReplayError for a short, foreign or inconsistent one. */
export function readDemoHeader(data: Buffer): DemoHeader {
  const prefix = Math.min(data.length, MAGIC.length);
  if (!data.subarray(0, prefix).equals(MAGIC.subarray(0, prefix))) throw new ReplayError('not_a_demo', 'not a demo: the file does not start with "spring demofile"');
  if (data.length < 24) throw new ReplayError('truncated', TRUNCATED_MESSAGE);
  const version = data.readInt32LE(16);
  const headerSize = data.readInt32LE(20);
  if (version !== DEMO_VERSION) throw new ReplayError('unsupported_version', `demo version ${version} is not supported (only ${DEMO_VERSION})`);
  if (headerSize < HEADER_SIZE || headerSize > MAX_HEADER_SIZE) corrupt(`header size ${headerSize}`);
  if (data.length < headerSize) throw new ReplayError('truncated', TRUNCATED_MESSAGE);
  const int = (offset: number) => data.readInt32LE(offset);
  const unixTime = data.readBigUInt64LE(296);
  const header: DemoHeader = {
    version,
    headerSize,
    engineVersion: cString(data.subarray(24, 280)),
    gameId: data.subarray(280, 296).toString('hex'),
    startTime: unixTime > BigInt(Number.MAX_SAFE_INTEGER) ? corrupt('start time') : Number(unixTime),
    scriptSize: int(304),
    demoStreamSize: int(308),
    gameTimeS: int(312),
    wallTimeS: int(316),
    numPlayers: int(320),
    playerStatSize: int(324),
    playerStatElemSize: int(328),
    numTeams: int(332),
    teamStatSize: int(336),
    teamStatElemSize: int(340),
    teamStatPeriod: int(344),
    winningAllyTeamsSize: int(348),
  };
  for (const [name, value] of Object.entries(header)) {
    if (typeof value === 'number' && value < 0) corrupt(`negative ${name}`);
  }
  if (header.numPlayers > MAX_PLAYERS || header.numTeams > MAX_TEAMS || header.winningAllyTeamsSize > MAX_WINNERS) corrupt('counts out of range');
  if (header.playerStatElemSize > MAX_STAT_ELEM || header.teamStatElemSize > MAX_STAT_ELEM) corrupt('statistics entry size out of range');
  if (header.playerStatSize !== header.numPlayers * header.playerStatElemSize) corrupt('player statistics size');
  return header;
}

/**
 * Splits a whole demo into its sections. The declared sizes must add up to the length exactly, or (the host demo's
 * known slack) to exactly the declared winner bytes more when no team was counted; anything else is truncated (short) or corrupt (long, or
 * sections that do not parse).
 */
export function readDemoSections(data: Buffer): DemoSections {
  const header = readDemoHeader(data);
  const declared = header.headerSize + header.scriptSize + header.demoStreamSize + header.winningAllyTeamsSize + header.playerStatSize + header.teamStatSize;
  let winnersMissing = false;
  if (declared !== data.length) {
    const hostSlack = header.numTeams === 0 && header.teamStatSize === 0 && header.winningAllyTeamsSize > 0 && declared - data.length === header.winningAllyTeamsSize;
    if (hostSlack) winnersMissing = true;
    else if (declared > data.length) throw new ReplayError('truncated', TRUNCATED_MESSAGE);
    else corrupt(`${data.length - declared} bytes after the declared sections`);
  }
  let offset = header.headerSize;
  const script = data.subarray(offset, offset + header.scriptSize);
  offset += header.scriptSize;
  const chunks = countChunks(data.subarray(offset, offset + header.demoStreamSize));
  offset += header.demoStreamSize;
  const winnersSize = winnersMissing ? 0 : header.winningAllyTeamsSize;
  const winners = [...data.subarray(offset, offset + winnersSize)];
  offset += winnersSize;
  offset += header.playerStatSize;
  checkTeamStats(data.subarray(offset, offset + header.teamStatSize), header);
  return { header, script, chunks, winners, winnersMissing };
}

/** Walks the chunk stream: every chunk must fit inside it. */
function countChunks(stream: Buffer): number {
  let offset = 0;
  let chunks = 0;
  while (offset < stream.length) {
    if (stream.length - offset < 8) corrupt('a cut chunk at the end of the stream');
    const length = stream.readUInt32LE(offset + 4);
    if (length > stream.length - offset - 8) corrupt('a chunk longer than the stream');
    offset += 8 + length;
    chunks++;
  }
  return chunks;
}

/** The team statistics: one u32 count per team, then that many entries of each team. */
function checkTeamStats(stats: Buffer, header: DemoHeader): void {
  if (header.numTeams === 0) {
    if (stats.length !== 0) corrupt('team statistics without teams');
    return;
  }
  if (stats.length < header.numTeams * 4) corrupt('team statistics size');
  let entries = 0;
  for (let team = 0; team < header.numTeams; team++) entries += stats.readUInt32LE(team * 4);
  if (header.numTeams * 4 + entries * header.teamStatElemSize !== stats.length) corrupt('team statistics size');
}
