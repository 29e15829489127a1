// `npm run replays -- list|watch …`: the demos kept in a data dir's replays folder, listed (one record each) or played back with the engine.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, isAbsolute, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { listReplays, playReplay, readReplay, ReplayError, type Replay, type ReplayListEntry } from '../core/replays';
import { EXIT_USAGE, runCommand } from './args';
import { jsonLine, printable } from './printable';

const USAGE = `usage: npm run replays -- list [--data-dir <dir>] [--json]
       npm run replays -- watch <file> [--data-dir <dir>] [--engine <binary>] [--content <dir>]...
  --data-dir <dir>   the lobby's data dir; demos are in <dir>/replays (default ~/.tachyon-lobby)
  --json             one JSON object per line
  --engine <binary>  the engine that plays the demo (default: the installed spring-headless)
  --content <dir>    a data directory with games/ and maps/ (repeatable; default <data-dir>/content when it exists)
`;

const OPTIONS = {
  'data-dir': { type: 'string' },
  json: { type: 'boolean', default: false },
  engine: { type: 'string' },
  content: { type: 'string', multiple: true },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

/** What `list --json` prints for one demo. */
function replayRecord(entry: ReplayListEntry): Record<string, unknown> {
  if ('error' in entry) return { kind: 'replay', file: entry.file, damaged: true, error: entry.error.code, message: entry.error.message };
  const r = entry.replay;
  return {
    kind: 'replay',
    file: entry.file,
    map: r.map,
    game: r.game,
    engine: r.header.engineVersion,
    startedAt: r.startedAt,
    durationS: r.durationS,
    players: r.players.map((p) => ({ name: p.name, team: p.team, allyTeam: p.allyTeam, ...(p.spectator ? { spectator: true } : {}) })),
    ...(r.bots.length > 0 ? { bots: r.bots.map((b) => ({ name: b.name, shortName: b.shortName, team: b.team, allyTeam: b.allyTeam })) } : {}),
    winners: r.winners,
  };
}

/** One human line; every string from the demo goes through printable(). */
function humanLine(entry: ReplayListEntry): string {
  if ('error' in entry) return `${printable(entry.file)}  damaged: ${printable(entry.error.message)}`;
  const r = entry.replay;
  const side = (ally: number | null) => r.players.filter((p) => p.allyTeam === ally).map((p) => printable(p.name, 64))
    .concat(r.bots.filter((b) => b.allyTeam === ally).map((b) => `${printable(b.shortName || b.name, 64)} (AI)`));
  const allies = [...new Set([...r.players.map((p) => p.allyTeam), ...r.bots.map((b) => b.allyTeam)].filter((a): a is number => a !== null))].sort((a, b) => a - b);
  const sides = allies.map((a) => `${side(a).join(', ')}${r.winners.includes(a) ? ' (won)' : ''}`).join(' vs ');
  const engine = r.header.engineVersion ? ` engine ${printable(r.header.engineVersion, 64)}` : '';
  return `${printable(entry.file)}  ${r.startedAt}  ${printable(r.map, 100)}  ${printable(r.game, 100)}${engine}  ${r.durationS} s  ${sides}`;
}

async function list(dataDir: string, json: boolean): Promise<number> {
  const entries = await listReplays(join(dataDir, 'replays'));
  for (const entry of entries) process.stdout.write(`${json ? jsonLine(replayRecord(entry)) : humanLine(entry)}\n`);
  if (!json && entries.length === 0) process.stdout.write('no replays\n');
  return 0;
}

async function watch(file: string, dataDir: string, engine: string | undefined, content: readonly string[] | undefined): Promise<number> {
  // A bare name is a file in the replays folder when there is one; anything else is a path.
  const inFolder = join(dataDir, 'replays', file);
  const demo = !isAbsolute(file) && basename(file) === file && existsSync(inFolder) ? inFolder : resolve(file);
  let replay: Replay;
  try {
    replay = await readReplay(demo);
  } catch (error) {
    process.stderr.write(`replays: ${printable(file)}: ${error instanceof ReplayError ? error.message : 'unreadable'}\n`);
    return 1;
  }
  const defaultContent = join(dataDir, 'content');
  const contentDirs = content ?? (existsSync(defaultContent) ? [defaultContent] : []);
  process.stderr.write(`replays: playing ${printable(replay.map)} (${printable(replay.game)}), ${replay.durationS} s\n`);
  const playback = await playReplay({
    file: demo,
    contentDirs,
    ...(engine !== undefined ? { engineBinary: engine } : {}),
    ...(replay.header.engineVersion ? { engineVersion: replay.header.engineVersion } : {}),
    tempBase: join(dataDir, 'engine-runs'),
    onLine: (_stream, line) => process.stderr.write(`${printable(line, 2000)}\n`),
  });
  const stop = () => playback.stop();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const code = await playback.exited;
  const failed = playback.spawnError();
  if (failed !== undefined) process.stderr.write(`replays: the engine could not be started: ${printable(failed.message)}\n`);
  return code;
}

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: process.argv.slice(2), options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    process.stderr.write(`replays: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}\n${USAGE}`);
    return EXIT_USAGE;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const dataDir = resolve(values['data-dir'] ?? join(homedir(), '.tachyon-lobby'));
  const [command, ...rest] = positionals;
  if (command === 'list' && rest.length === 0) return list(dataDir, values.json);
  if (command === 'watch' && rest.length === 1) return watch(rest[0]!, dataDir, values.engine, values.content);
  process.stderr.write(`replays: ${command === undefined ? 'a command is needed' : `unknown or incomplete command: ${printable(command, 40)}`}\n${USAGE}`);
  return EXIT_USAGE;
}

runCommand('replays', main);
