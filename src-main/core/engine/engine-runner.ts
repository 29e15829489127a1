// The player's engine process, as a panel: status, redacted console ring buffer, stats, and start/stop/restart/kill.
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { REDACTED, redactSecretsIn } from '../protocol/redact';
import type { InstalledEngine } from './engine-registry';
import type { JoinScriptInput } from './start-script';
import { buildJoinScript } from './start-script';
import { followLines } from './output-lines';

export type EngineStatus = 'offline' | 'starting' | 'running' | 'stopping';
/** What the console says the client has reached: connected to the host (loading), then in the game. */
export type EnginePhase = 'connecting' | 'loading' | 'in_game';
export type EngineClientKind = 'client' | 'headless';

export interface EngineLaunchRequest {
  engine: InstalledEngine;
  /** `client` (GL, what players run) or `headless` (no graphics: tests, the headless lobby). Default `client`. */
  binary?: EngineClientKind;
  join: JoinScriptInput;
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
  /** Share of one core since the previous `stats()` call (or since start), 0–100 × cores. */
  cpuPercent: number;
  rssBytes: number;
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
}

export type Unsubscribe = () => void;

export interface EngineRunnerOptions {
  /** Parent of the app-private launch directories (scripts, per-launch write dir and HOME). Default: os.tmpdir(). */
  tempBase?: string;
  /** Console lines kept (default 2000). */
  consoleLines?: number;
  /** SIGTERM → SIGKILL grace for `stop()` (default 20 s, as recoil-autohost). */
  stopGraceMs?: number;
  /** Environment variables passed through to the engine (display and audio for the GL client). */
  passEnv?: readonly string[];
  now?: () => number;
}

const DEFAULT_PASS_ENV = ['PATH', 'DISPLAY', 'WAYLAND_DISPLAY', 'XAUTHORITY', 'XDG_RUNTIME_DIR', 'PULSE_SERVER', 'LANG', 'LC_ALL'];
const MAX_LINE = 2000;
// `MyPasswd=x;`, `Password = x` in script echoes, whatever the password: never in a log.
const SECRET_ASSIGNMENT = /\b(MyPasswd|Password)(\s*=\s*)[^;\r\n]*/gi;
// A headless client needs about 1.3 GB and is in game in under a second with these (engine-brief).
const HEADLESS_SETTINGS: Readonly<Record<string, string | number>> = { ROAM: 0, TextureMemPoolSize: 0 };
// The downloader wants a CA bundle in $HOME/.spring and tries to fetch one if missing (2 s lost offline).
const CACERT_PLACEHOLDER = '# placeholder: the lobby downloads content itself\n';

const EXIT_EXPLANATIONS: Readonly<Record<number, string>> = {
  21: 'The engine could not join the battle: content missing, a network problem or an incorrect password.',
  233: 'The battle host did not answer in time: it may not be running, or the network blocks it.',
  234: 'The engine failed to load the game or map.',
};

/** What a player should read about an exit, refined by what the engine said last. */
export function explainExit(code: number | null, signal: NodeJS.Signals | null, lastLines: readonly string[]): string | undefined {
  const text = lastLines.join('\n');
  // A kicked client exits 0: still worth telling the player.
  if (/Kicked from the battle/.test(text)) return 'The battle host removed you from the game (kicked).';
  if (code === 0) return undefined;
  if (/Incorrect password/i.test(text)) return 'The battle host rejected the password (engine exit code 21).';
  if (/User name not authorized/i.test(text)) return 'The battle host does not know this player name (engine exit code 21).';
  const dependency = /Dependent archive "([^"\n]{1,200})"[^\n]*not found/i.exec(text);
  if (dependency) return `Content is missing: ${JSON.stringify(dependency[1])} is not installed (engine exit code ${code ?? '?'}).`;
  if (/server connection timeout|connection timed out/i.test(text)) {
    return `The battle host did not answer in time (engine exit code ${code ?? '?'}).`;
  }
  if (code !== null) return EXIT_EXPLANATIONS[code] ?? `The engine stopped with exit code ${code}.`;
  if (signal === 'SIGKILL') return 'The engine was killed (SIGKILL): another program or the system ended it.';
  return `The engine was stopped by ${signal ?? 'an unknown signal'}.`;
}

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

function checkDir(dir: string, what: string): string {
  // SPRING_DATADIR is a `:`-separated list; a dir holding `:` or a line break would split it.
  if (!path.isAbsolute(dir) || /[:\r\n\0]/.test(dir)) throw new Error(`${what} must be an absolute path without ':' or line breaks`);
  return dir;
}

interface Launch {
  child: ChildProcess;
  request: EngineLaunchRequest;
  dir: string;
  startedAt: number;
  requested: boolean;
  killTimer?: NodeJS.Timeout;
  exited: Promise<EngineExit>;
  cpu?: { ticks: number; at: number };
  onProcessExit: () => void;
}

export class EngineRunner {
  private statusValue: EngineStatus = 'offline';
  private phase: EnginePhase | undefined;
  private current: Launch | undefined;
  private lastRequest: EngineLaunchRequest | undefined;
  private lastExit: EngineExit | undefined;
  private timings: EngineTimings = {};
  private lines: EngineConsoleLine[] = [];
  private readonly statusListeners = new Set<(status: EngineStatus, snapshot: EngineSnapshot) => void>();
  private readonly consoleListeners = new Set<(line: EngineConsoleLine) => void>();
  private readonly exitListeners = new Set<(exit: EngineExit) => void>();
  private readonly maxLines: number;
  private readonly graceMs: number;
  private readonly now: () => number;

  constructor(private readonly options: EngineRunnerOptions = {}) {
    this.maxLines = options.consoleLines ?? 2000;
    this.graceMs = options.stopGraceMs ?? 20_000;
    this.now = options.now ?? Date.now;
  }

  get status(): EngineStatus {
    return this.statusValue;
  }

  snapshot(): EngineSnapshot {
    const snap: EngineSnapshot = { status: this.statusValue, timings: { ...this.timings } };
    if (this.phase !== undefined) snap.phase = this.phase;
    if (this.current?.child.pid !== undefined) snap.pid = this.current.child.pid;
    const request = this.current?.request ?? this.lastRequest;
    if (request !== undefined) {
      snap.engineVersion = request.engine.version;
      const binary = request.engine.binaries[request.binary ?? 'client'];
      if (binary !== undefined) snap.binary = binary;
    }
    if (this.lastExit !== undefined) snap.lastExit = this.lastExit;
    return snap;
  }

  /** The console backlog (already redacted), oldest first. */
  console(): EngineConsoleLine[] {
    return [...this.lines];
  }

  onStatus(listener: (status: EngineStatus, snapshot: EngineSnapshot) => void): Unsubscribe {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  onConsole(listener: (line: EngineConsoleLine) => void): Unsubscribe {
    this.consoleListeners.add(listener);
    return () => this.consoleListeners.delete(listener);
  }

  onExit(listener: (exit: EngineExit) => void): Unsubscribe {
    this.exitListeners.add(listener);
    return () => this.exitListeners.delete(listener);
  }

  /**
   * Starts the engine for a battle; resolves once the process has spawned. While one runs this rejects with
   * EngineBusyError, unless `replace` is set: then the running one is stopped first (a new `battle/start` from the
   * server wins over the old battle).
   */
  async launch(request: EngineLaunchRequest, options: { replace?: boolean } = {}): Promise<EngineSnapshot> {
    if (this.current !== undefined || this.statusValue !== 'offline') {
      if (!options.replace) throw new EngineBusyError();
      await this.stop();
    }
    const requestedAt = this.now();
    // Everything that can be checked is checked before touching the disk: a hostile value writes nothing.
    const script = buildJoinScript(request.join);
    const kind = request.binary ?? 'client';
    const binary = request.engine.binaries[kind];
    if (binary === undefined) throw new EngineSpawnError(`engine ${request.engine.version} has no ${kind === 'client' ? 'spring' : 'spring-headless'} binary`);
    const contentDirs = (request.contentDirs ?? []).map((d) => checkDir(path.resolve(d), 'a content dir'));
    const engineDataDir = checkDir(path.resolve(request.engine.dataDir), "the engine's data dir");
    const ownWriteDir = request.writeDir === undefined;
    const settings = ownWriteDir ? settingsFile({ ...(kind === 'headless' ? HEADLESS_SETTINGS : {}), ...request.settings }) : '';
    if (request.writeDir !== undefined) checkDir(path.resolve(request.writeDir), 'the write dir');

    this.lastRequest = request;
    this.timings = { launchRequestedAt: requestedAt };
    this.phase = undefined;
    this.lines = [];
    this.setStatus('starting');

    const base = path.resolve(this.options.tempBase ?? os.tmpdir());
    let dir: string | undefined;
    try {
      await mkdir(base, { recursive: true, mode: 0o700 });
      dir = await mkdtemp(path.join(base, 'engine-'));
      const scriptPath = path.join(dir, 'script.txt');
      const writeDir = ownWriteDir ? path.join(dir, 'write') : path.resolve(request.writeDir as string);
      const home = path.join(dir, 'home');
      await writeFile(scriptPath, script, { mode: 0o600, flag: 'wx' });
      await mkdir(path.join(home, '.spring'), { recursive: true, mode: 0o700 });
      await writeFile(path.join(home, '.spring', 'cacert.pem'), CACERT_PLACEHOLDER, { mode: 0o600 });
      await mkdir(writeDir, { recursive: true, mode: 0o700 });
      if (ownWriteDir) await writeFile(path.join(writeDir, 'springsettings.cfg'), settings, { mode: 0o600 });

      const env: NodeJS.ProcessEnv = {};
      for (const name of this.options.passEnv ?? DEFAULT_PASS_ENV) {
        const value = process.env[name];
        if (value !== undefined) env[name] = value;
      }
      env.PATH ??= '/usr/bin:/bin';
      env.HOME = home;
      env.SPRING_DATADIR = [...contentDirs.slice(1), engineDataDir].join(':');
      const args = contentDirs[0] !== undefined ? ['--isolation-dir', contentDirs[0]] : [];
      args.push('--write-dir', writeDir, scriptPath);

      const child = spawn(binary, args, { env, stdio: ['ignore', 'pipe', 'pipe'], shell: false });
      await new Promise<void>((resolve, reject) => {
        child.once('spawn', resolve);
        child.once('error', reject);
      });
      this.track(child, request, dir);
      this.timings.spawnedAt = this.now();
      return this.snapshot();
    } catch (error) {
      if (dir !== undefined) await rm(dir, { recursive: true, force: true }).catch(() => {});
      this.setStatus('offline');
      const reason = error instanceof Error ? error.message : String(error);
      throw new EngineSpawnError(`could not start the engine ${binary}: ${reason}`);
    }
  }

  /** Launches the last battle again (the seed panel's `start`). */
  async start(): Promise<EngineSnapshot> {
    if (this.lastRequest === undefined) throw new Error('no battle to start: the engine has not been launched yet');
    return this.launch(this.lastRequest);
  }

  /** SIGTERM, then SIGKILL after the grace period; resolves when the engine has exited. */
  async stop(graceMs = this.graceMs): Promise<EngineExit | undefined> {
    const launch = this.current;
    if (launch === undefined) return undefined;
    launch.requested = true;
    if (this.statusValue !== 'stopping') {
      this.setStatus('stopping');
      launch.child.kill('SIGTERM');
      launch.killTimer = setTimeout(() => launch.child.kill('SIGKILL'), graceMs);
    }
    return launch.exited;
  }

  async restart(): Promise<EngineSnapshot> {
    await this.stop();
    return this.start();
  }

  /** SIGKILL at once; resolves when the engine has exited. */
  async kill(): Promise<EngineExit | undefined> {
    const launch = this.current;
    if (launch === undefined) return undefined;
    launch.requested = true;
    this.setStatus('stopping');
    launch.child.kill('SIGKILL');
    return launch.exited;
  }

  /** Resolves with the running engine's exit (or undefined when none runs). */
  waitForExit(): Promise<EngineExit | undefined> {
    return this.current?.exited ?? Promise.resolve(undefined);
  }

  /** pid, uptime, CPU and memory from /proc (Linux); undefined when no engine runs or /proc is unavailable. */
  async stats(): Promise<EngineStats | undefined> {
    const launch = this.current;
    const pid = launch?.child.pid;
    if (launch === undefined || pid === undefined) return undefined;
    try {
      const [stat, status] = await Promise.all([readFile(`/proc/${pid}/stat`, 'utf8'), readFile(`/proc/${pid}/status`, 'utf8')]);
      // Fields after the `(comm)`, which may itself hold spaces: utime and stime are fields 14 and 15.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ticks = Number(fields[11]) + Number(fields[12]);
      const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
      const at = this.now();
      const previous = launch.cpu ?? { ticks: 0, at: launch.startedAt };
      launch.cpu = { ticks, at };
      const elapsedS = Math.max((at - previous.at) / 1000, 0.001);
      // Linux reports CPU time in clock ticks of 1/100 s (USER_HZ).
      const cpuPercent = Math.max(0, ((ticks - previous.ticks) / 100 / elapsedS) * 100);
      return { pid, uptimeMs: at - launch.startedAt, cpuPercent: Math.round(cpuPercent * 10) / 10, rssBytes: rssKb * 1024 };
    } catch {
      return undefined;
    }
  }

  /** Kills a running engine and drops listeners: for app shutdown and test teardown. */
  async dispose(): Promise<void> {
    await this.kill();
    this.statusListeners.clear();
    this.consoleListeners.clear();
    this.exitListeners.clear();
  }

  private track(child: ChildProcess, request: EngineLaunchRequest, dir: string): void {
    const startedAt = this.now();
    const secrets = [request.join.password].filter((s) => s.length > 0);
    followLines(child.stdout, (line) => this.addLine('stdout', line, secrets), MAX_LINE * 4);
    followLines(child.stderr, (line) => this.addLine('stderr', line, secrets), MAX_LINE * 4);

    // If the app itself dies, the engine must not live on as an orphan spinning a core.
    const onProcessExit = () => child.kill('SIGKILL');
    process.once('exit', onProcessExit);

    let resolveExited: (exit: EngineExit) => void = () => {};
    const exited = new Promise<EngineExit>((resolve) => (resolveExited = resolve));
    const launch: Launch = { child, request, dir, startedAt, requested: false, exited, onProcessExit };
    this.current = launch;

    // 'close' waits for stdio to drain, so the last lines are in the buffer when we report the exit.
    child.once('close', (code, signal) => {
      void this.finish(launch, code, signal).then(resolveExited);
    });
  }

  private async finish(launch: Launch, code: number | null, signal: NodeJS.Signals | null): Promise<EngineExit> {
    if (launch.killTimer !== undefined) clearTimeout(launch.killTimer);
    process.off('exit', launch.onProcessExit);
    // The script holds the password: delete it, and the per-launch write dir and HOME, as soon as the engine is gone.
    await rm(launch.dir, { recursive: true, force: true }).catch(() => {});
    const lastLines = this.lines.slice(-30).map((l) => l.text);
    // The reason comes well before the end: the engine logs a few hundred lines while shutting down.
    const recent = this.lines.slice(-500).map((l) => l.text);
    const explanation = launch.requested ? undefined : explainExit(code, signal, recent);
    const exit: EngineExit = {
      code,
      signal,
      ok: code === 0 || launch.requested,
      requested: launch.requested,
      lastLines,
      runtimeMs: this.now() - launch.startedAt,
    };
    if (explanation !== undefined) exit.explanation = explanation;
    this.timings.exitedAt = this.now();
    this.lastExit = exit;
    if (this.current === launch) this.current = undefined;
    this.phase = undefined;
    this.setStatus('offline');
    for (const listener of [...this.exitListeners]) listener(exit);
    return exit;
  }

  private addLine(stream: EngineConsoleLine['stream'], raw: string, secrets: readonly string[]): void {
    const clipped = raw.length > MAX_LINE ? `${raw.slice(0, MAX_LINE)}…` : raw;
    const text = redactSecretsIn(clipped, secrets).replace(SECRET_ASSIGNMENT, `$1$2${REDACTED}`);
    const line: EngineConsoleLine = { at: this.now(), stream, text };
    this.lines.push(line);
    if (this.lines.length > this.maxLines) this.lines.splice(0, this.lines.length - this.maxLines);
    this.notePhase(text);
    for (const listener of [...this.consoleListeners]) listener(line);
  }

  // Engine 106's client log: where it connects, when it has the game data, when loading is done.
  private notePhase(text: string): void {
    if (this.phase === undefined && /\[NetProto::InitClient\] connecting/.test(text)) {
      this.phase = 'connecting';
      this.emitStatus();
    } else if (this.phase !== 'loading' && this.phase !== 'in_game' && /received local player number/.test(text)) {
      this.phase = 'loading';
      this.timings.connectedAt = this.now();
      if (this.statusValue === 'starting') this.setStatus('running');
      else this.emitStatus();
    } else if (this.phase !== 'in_game' && /^(?:\[[^\]]*\])*\s*GameID: [0-9a-f]+/.test(text)) {
      this.phase = 'in_game';
      this.timings.inGameAt = this.now();
      if (this.statusValue === 'starting') this.setStatus('running');
      else this.emitStatus();
    }
  }

  private setStatus(status: EngineStatus): void {
    if (this.statusValue === status) return;
    this.statusValue = status;
    this.emitStatus();
  }

  private emitStatus(): void {
    const snapshot = this.snapshot();
    for (const listener of [...this.statusListeners]) listener(this.statusValue, snapshot);
  }
}
