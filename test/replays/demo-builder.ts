// Demo files built by code, laid out as engine 106's demo recorder writes them (header, script, chunk stream, winners, player and team statistics).
import { gzipSync } from 'node:zlib';

export interface DemoSpec {
  script?: string;
  /** Chunk payload sizes in the stream. */
  chunks?: number[];
  winners?: number[];
  numPlayers?: number;
  playerStatElemSize?: number;
  /** Entries of team statistics per team. */
  teamStatCounts?: number[];
  teamStatElemSize?: number;
  gameTimeS?: number;
  wallTimeS?: number;
  startTime?: number;
  engineVersion?: string;
  /** spring-dedicated 106's slack: the winners declared, none written (its header then counts no team). */
  hostSlack?: boolean;
}

export const SAMPLE_SCRIPT = `[game]
{
[allyteam1]
{
}
[team1]
{
teamleader=1;
allyteam=1;
}
[allyteam0]
{
}
[team0]
{
teamleader=0;
allyteam=0;
}
[team2]
{
teamleader=0;
allyteam=1;
}
[ai0]
{
name=Bot1;
shortname=NullAI;
team=2;
host=0;
}
[player1]
{
name=Bob;
team=1;
}
[player0]
{
name=Alice;
team=0;
}
[player2]
{
name=Watcher;
spectator=1;
team=0;
}
mapname=Tiny Flat;
gametype=Test Game 1.0;
// a comment the reader skips
numallyteams=2;
}
`;

/** The decompressed bytes of a demo. */
export function buildDemo(spec: DemoSpec = {}): Buffer {
  const script = Buffer.from(spec.script ?? SAMPLE_SCRIPT, 'utf8');
  const stream = Buffer.concat((spec.chunks ?? [4, 0, 12, 7]).map((size, i) => {
    const chunk = Buffer.alloc(8 + size, i + 1);
    chunk.writeFloatLE(i / 30, 0);
    chunk.writeUInt32LE(size, 4);
    return chunk;
  }));
  const winners = Buffer.from(spec.winners ?? [0]);
  const numPlayers = spec.numPlayers ?? 3;
  const playerStatElemSize = spec.playerStatElemSize ?? 20;
  const playerStats = Buffer.alloc(numPlayers * playerStatElemSize, 0x11);
  const counts = spec.teamStatCounts ?? (spec.hostSlack ? [] : [2, 2, 1]);
  const teamStatElemSize = spec.teamStatElemSize ?? 80;
  const countBytes = Buffer.alloc(counts.length * 4);
  counts.forEach((c, i) => countBytes.writeUInt32LE(c, i * 4));
  const teamStats = Buffer.concat([countBytes, Buffer.alloc(counts.reduce((a, b) => a + b, 0) * teamStatElemSize, 0x22)]);
  const header = Buffer.alloc(352);
  header.write('spring demofile\0', 0, 'latin1');
  header.writeInt32LE(5, 16);
  header.writeInt32LE(352, 20);
  header.write(spec.engineVersion ?? '', 24, 'utf8');
  Buffer.from('0123456789abcdeffedcba9876543210', 'hex').copy(header, 280);
  header.writeBigUInt64LE(BigInt(spec.startTime ?? 1796126794), 296);
  const fields = [
    script.length, stream.length, spec.gameTimeS ?? 2, spec.wallTimeS ?? 6, numPlayers, playerStats.length, playerStatElemSize,
    counts.length, teamStats.length, teamStatElemSize, 15, winners.length,
  ];
  fields.forEach((value, i) => header.writeInt32LE(value, 304 + i * 4));
  return Buffer.concat([header, script, stream, spec.hostSlack ? Buffer.alloc(0) : winners, playerStats, teamStats]);
}

/** The file as the engine stores it: gzip. */
export function gzipDemo(demo: Buffer): Buffer {
  return gzipSync(demo, { level: 1 });
}
