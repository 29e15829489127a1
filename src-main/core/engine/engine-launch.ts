// What one engine launch is: its request, the checks before anything touches the disk, its files, argv and environment.
import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { checkEngineDir, defaultPassEnv, springDataDirValue } from './engine-paths';
import { engineDataDirs, type InstalledEngine } from './engine-registry';
import type { JoinScriptInput } from './start-script';
import { engineEnvironment, spawnEngine, type SpawnEngineOptions } from './spawn-engine';
import { buildJoinScript } from './start-script';

export type EngineStatus = 'offline' | 'starting' | 'running' | 'stopping';
/** What the console says the client has reached: connected to the host (loading), then in the game. */
export type EnginePhase = 'connecting' | 'loading' | 'in_game';
export type EngineClientKind = 'client' | 'headless';

export interface EngineLaunchRequest {
  engine: InstalledEngine;
  /** `client` (GL, what players run) or `headless` (no graphics: tests, the headless lobby). Default `client`. */
  binary?: EngineClientKind;
  /** The battle to join; a launch has this or `demo`. */
  join?: JoinScriptInput;
  /** A demo file to play instead of a battle (an absolute path, already read as a whole demo): no script is written. */
  demo?: string;
  /**
   * Content directories (games/, maps/): the first becomes the engine's `--isolation-dir`, the rest go before the
   * engine's own data dir in SPRING_DATADIR. With none, the engine sees only its own data dir.
   */
  contentDirs?: readonly string[];
  /**
   * A persistent write dir (demos, caches) the caller owns. Without it each launch gets its own, deleted on exit;
   * only that one gets a springsettings.cfg from us.
   */
  writeDir?: string;
  /** Extra springsettings.cfg lines (`Key = Value`), on top of the lean headless defaults. */
  settings?: Readonly<Record<string, string | number>>;
}

export interface EngineExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** True for a clean exit (code 0) or a stop/kill we asked for. */
  ok: boolean;
  /** Whether we asked for it (stop, kill, restart, replace). */
  requested: boolean;
  /** Stopped to make way for a newer launch (`launch({ replace: true })`): the battle goes on in the new engine. */
  replaced: boolean;
  /** For the player, from the exit code and the last console lines; absent for a clean exit. */
  explanation?: string;
  lastLines: string[];
  runtimeMs: number;
}

export interface EngineTimings {
  launchRequestedAt?: number;
  spawnedAt?: number;
  connectedAt?: number;
  inGameAt?: number;
  exitedAt?: number;
}

export interface EngineSnapshot {
  status: EngineStatus;
  phase?: EnginePhase;
  pid?: number;
  binary?: string;
  engineVersion?: string;
  timings: EngineTimings;
  lastExit?: EngineExit;
}

export interface EngineStats {
  pid: number;
  uptimeMs: number;
  /** Share of one core since the previous `stats()` call (or since start), 0–100 × cores; null where unavailable (no /proc). */
  cpuPercent: number | null;
  /** Resident memory; null where unavailable (no /proc). */
  rssBytes: number | null;
}

export interface EngineConsoleLine {
  at: number;
  stream: 'stdout' | 'stderr';
  text: string;
}

export class EngineBusyError extends Error {
  override readonly name = 'EngineBusyError';
  constructor() {
    super('a battle is already running: stop it first, or launch with { replace: true }');
  }
}

export class EngineSpawnError extends Error {
  override readonly name = 'EngineSpawnError';
  constructor(
    message: string,
    /** The system error code (`ENOENT`, `EACCES`, …) when there is one: says what failed without naming local paths. */
    readonly code?: string,
  ) {
    super(message);
  }
}

/** Why a launch gave up before its engine ran: a newer launch took over, a stop or kill came first, or the runner closed. */
export type EngineLaunchAbortReason = 'superseded' | 'stopped' | 'closed';

const ABORT_MESSAGES: Readonly<Record<EngineLaunchAbortReason, string>> = {
  superseded: 'a newer battle launch replaced this one before its engine started',
  stopped: 'the engine was stopped before it started',
  closed: 'the engine runner is closed',
};

export class EngineLaunchAbortedError extends Error {
  override readonly name = 'EngineLaunchAbortedError';
  constructor(readonly reason: EngineLaunchAbortReason) {
    super(ABORT_MESSAGES[reason]);
  }
}

// A headless client needs about 1.3 GB and is in game in under a second with these (measured with engine 106).
const HEADLESS_SETTINGS: Readonly<Record<string, string | number>> = { ROAM: 0, TextureMemPoolSize: 0 };
// The downloader wants a CA bundle in $HOME/.spring and tries to fetch one if missing (2 s lost offline).
const CACERT_PLACEHOLDER = '# placeholder: the lobby downloads content itself\n';

function settingsFile(settings: Readonly<Record<string, string | number>>): string {
  let out = '';
  for (const [key, value] of Object.entries(settings)) {
    const text = String(value);
    // springsettings.cfg is line-based `Key = Value`: no line breaks or `=` in keys.
    if (!/^[A-Za-z0-9_]+$/.test(key) || /[\r\n]/.test(text)) throw new Error('springsettings: keys are letters, digits and _; values are one line');
    out += `${key} = ${text}\n`;
  }
  return out;
}

/** The springsettings.cfg of a per-launch write dir: the lean headless defaults for `headless`, then `settings`. */
export function launchSettings(kind: EngineClientKind, settings?: Readonly<Record<string, string | number>>): string {
  return settingsFile({ ...(kind === 'headless' ? HEADLESS_SETTINGS : {}), ...settings });
}

/** A launch request checked and turned into what the spawn needs; made before anything touches the disk. */
export interface PreparedLaunch {
  request: EngineLaunchRequest;
  /** The join script; empty for a demo. */
  script: string;
  /** The demo to play, checked like a dir (absolute, no line breaks); the engine's last argument in place of the script. */
  demo: string | undefined;
  binary: string;
  contentDirs: string[];
  /** The engine's data dir, then its AI data dirs (`engineDataDirs`): after the content dirs in SPRING_DATADIR. */
  engineDataDirs: string[];
  /** The caller's write dir, or undefined for a per-launch one with our springsettings.cfg. */
  writeDir: string | undefined;
  settings: string;
}

/** Checks a launch request and turns it into what the spawn needs; throws (writing nothing) on a hostile value. */
export function prepareLaunch(request: EngineLaunchRequest): PreparedLaunch {
  if ((request.join === undefined) === (request.demo === undefined)) throw new EngineSpawnError('a launch joins a battle or plays a demo, exactly one');
  const script = request.join !== undefined ? buildJoinScript(request.join) : '';
  const demo = request.demo === undefined ? undefined : checkEngineDir(request.demo, 'the demo file');
  const kind = request.binary ?? 'client';
  const binary = request.engine.binaries[kind];
  if (binary === undefined) throw new EngineSpawnError(`engine ${request.engine.version} has no ${kind === 'client' ? 'spring' : 'spring-headless'} binary`);
  const contentDirs = (request.contentDirs ?? []).map((d) => checkEngineDir(d, 'a content dir'));
  const engineDirs = engineDataDirs(request.engine).map((d) => checkEngineDir(d, "the engine's data dir"));
  const writeDir = request.writeDir === undefined ? undefined : checkEngineDir(request.writeDir, 'the write dir');
  const settings = writeDir === undefined ? launchSettings(kind, request.settings) : '';
  return { request, script, demo, binary, contentDirs, engineDataDirs: engineDirs, writeDir, settings };
}

export interface LaunchFiles {
  scriptPath: string;
  writeDir: string;
  home: string;
}

/**
 * What a launch dir holds besides the script: HOME (with the downloader's CA placeholder) and the per-launch write dir
 * with `settings` as its springsettings.cfg. Made before the launch for a spare dir (EngineRunner.warm), so that a
 * `battle/start` then writes only the script.
 */
export async function writeLaunchBase(dir: string, settings: string): Promise<void> {
  const home = path.join(dir, 'home');
  await mkdir(path.join(home, '.spring'), { recursive: true, mode: 0o700 });
  await writeFile(path.join(home, '.spring', 'cacert.pem'), CACERT_PLACEHOLDER, { mode: 0o600 });
  await mkdir(path.join(dir, 'write'), { mode: 0o700 });
  await writeFile(path.join(dir, 'write', 'springsettings.cfg'), settings, { mode: 0o600 });
}

/**
 * Writes the launch's files into its private `dir`: the script (0600, never overwritten), then HOME and the write dir;
 * when `base` says the dir already has them (a spare dir), only the script, and the settings file again if it differs.
 * Into a spare dir the script is written synchronously: a few hundred bytes into the page cache take microseconds,
 * while open, write and close through the thread pool cost a `battle/start` milliseconds on a busy machine.
 */
export async function writeLaunchFiles(dir: string, prepared: PreparedLaunch, base?: { settings: string }): Promise<LaunchFiles> {
  const scriptPath = path.join(dir, 'script.txt');
  const writeDir = prepared.writeDir ?? path.join(dir, 'write');
  const home = path.join(dir, 'home');
  if (prepared.demo === undefined) {
    if (base === undefined) await writeFile(scriptPath, prepared.script, { mode: 0o600, flag: 'wx' });
    else writeFileSync(scriptPath, prepared.script, { mode: 0o600, flag: 'wx' });
  }
  if (base === undefined) await writeLaunchBase(dir, prepared.settings);
  else if (prepared.writeDir === undefined && base.settings !== prepared.settings) {
    await writeFile(path.join(writeDir, 'springsettings.cfg'), prepared.settings, { mode: 0o600 });
  }
  if (prepared.writeDir !== undefined) await mkdir(prepared.writeDir, { recursive: true, mode: 0o700 });
  return { scriptPath, writeDir, home };
}

/** Spawns the player's engine with an explicit environment (an allow-list, never the lobby's); resolves on the process's 'spawn'. */
export async function spawnLaunch(
  prepared: PreparedLaunch,
  files: LaunchFiles,
  options: { passEnv?: readonly string[]; onLine: SpawnEngineOptions['onLine']; maxLineChars: number },
): Promise<ChildProcess> {
  const env = engineEnvironment(options.passEnv ?? defaultPassEnv(), {
    HOME: files.home,
    // Read-only dirs after the write dir (--write-dir) and the isolation dir: the engine searches them in this order, and a
    // bot's library is found only where one of them holds AI/Skirmish (Recoil's DataDirLocater.cpp).
    SPRING_DATADIR: springDataDirValue([...prepared.contentDirs.slice(1), ...prepared.engineDataDirs]),
  });
  const args = prepared.contentDirs[0] !== undefined ? ['--isolation-dir', prepared.contentDirs[0]] : [];
  args.push('--write-dir', files.writeDir, prepared.demo ?? files.scriptPath);
  const child = spawnEngine({ binary: prepared.binary, args, env, onLine: options.onLine, maxLineChars: options.maxLineChars });
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', reject);
  });
  return child;
}
