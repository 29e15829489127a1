// The player's engine process, as a panel: status, redacted console ring buffer, stats, and start/stop/restart/kill.
import type { ChildProcess } from 'node:child_process';
import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { explainExit } from './engine-exit';
import type {
  EngineClientKind, EngineConsoleLine, EngineExit, EngineLaunchRequest, EnginePhase, EngineSnapshot, EngineStats, EngineStatus, EngineTimings,
  LaunchFiles, PreparedLaunch,
} from './engine-launch';
import { EngineBusyError, EngineLaunchAbortedError, EngineSpawnError, launchSettings, prepareLaunch, spawnLaunch } from './engine-launch';
import { keepDemos } from './keep-demos';
import { openLaunchDir, SpareLaunchDirs, sweepLaunchDirs, writeLaunchOwner } from './launch-dirs';
import { defaultProcRoot, readProcessSample } from './process-stats';
import { redactEngineText } from './redact-secrets';
import { stopEngine } from './spawn-engine';

export { explainExit } from './engine-exit';
export { EngineBusyError, EngineLaunchAbortedError, EngineSpawnError } from './engine-launch';
export type {
  EngineClientKind, EngineConsoleLine, EngineExit, EngineLaunchAbortReason, EngineLaunchRequest, EnginePhase, EngineSnapshot, EngineStats,
  EngineStatus, EngineTimings,
} from './engine-launch';

export type Unsubscribe = () => void;

export interface EngineRunnerOptions {
  /**
   * Parent of the app-private launch directories (scripts, per-launch write dir and HOME). Default: os.tmpdir(). When
   * given, launch directories a crash left there (no live lobby or engine owns them) are removed at start.
   */
  tempBase?: string;
  /** Console lines kept (default 2000). */
  consoleLines?: number;
  /** SIGTERM → SIGKILL grace for `stop()` (default 20 s, as recoil-autohost). */
  stopGraceMs?: number;
  /** Environment variables passed through to the engine (display and audio for the GL client). */
  passEnv?: readonly string[];
  /** Where per-process stats are read from: `/proc` on Linux; elsewhere none, and stats report null figures. */
  procRoot?: string;
  /**
   * Where the engine's demos go when it exits (`<dataDir>/replays`): they are moved out of the per-launch write dir
   * before it is removed. Without it they are deleted with the write dir.
   */
  replaysDir?: string;
  now?: () => number;
}

const MAX_LINE = 2000;

interface Launch {
  child: ChildProcess;
  request: EngineLaunchRequest;
  dir: string;
  startedAt: number;
  requested: boolean;
  killTimer?: NodeJS.Timeout;
  exited: Promise<EngineExit>;
  cpu?: { cpuSeconds: number; at: number };
  /** The owner file naming the engine's pid; the dir is removed only after it is written. */
  ownerWritten?: Promise<void>;
}

/**
 * One engine at a time. Every launch claims a generation synchronously, before its first await; stop, kill and dispose
 * take a new one too. A launch goes on only while it holds the latest generation: a superseded or stopped launch gives
 * up at its next step, and one that has just spawned kills its engine before it counts. Launches run one after another,
 * so a replacing launch spawns only once the engine before it has exited.
 */
export class EngineRunner {
  private statusValue: EngineStatus = 'offline';
  private phase: EnginePhase | undefined;
  private current: Launch | undefined;
  private lastRequest: EngineLaunchRequest | undefined;
  private lastExit: EngineExit | undefined;
  private timings: EngineTimings = {};
  private lines: EngineConsoleLine[] = [];
  private generation = 0;
  /** The generation of the newest launch; below `generation` once a stop, kill or dispose came after it. */
  private claimed = 0;
  /** Launches claimed and not yet settled. */
  private pending = 0;
  private chain: Promise<void> = Promise.resolve();
  /** Every engine spawned and not yet exited, current or not. */
  private readonly live = new Set<Launch>();
  private disposed = false;
  private readonly swept: Promise<number>;
  private readonly spare: SpareLaunchDirs;
  private readonly statusListeners = new Set<(status: EngineStatus, snapshot: EngineSnapshot) => void>();
  private readonly consoleListeners = new Set<(line: EngineConsoleLine) => void>();
  private readonly exitListeners = new Set<(exit: EngineExit) => void>();
  private readonly maxLines: number;
  private readonly graceMs: number;
  private readonly now: () => number;
  private readonly base: string;
  private readonly procRoot: string | undefined;

  constructor(private readonly options: EngineRunnerOptions = {}) {
    this.maxLines = options.consoleLines ?? 2000;
    this.graceMs = options.stopGraceMs ?? 20_000;
    this.now = options.now ?? Date.now;
    this.base = path.resolve(options.tempBase ?? os.tmpdir());
    this.procRoot = options.procRoot ?? defaultProcRoot();
    // Join scripts hold passwords: sweep what a crash left, but only in a dir that is ours alone (not the shared tmp).
    this.swept = options.tempBase === undefined ? Promise.resolve(0) : sweepLaunchDirs(this.base).catch(() => 0);
    this.spare = new SpareLaunchDirs(this.base, this.swept);
  }

  get status(): EngineStatus {
    return this.statusValue;
  }

  /** How many leftover launch dirs the start-up sweep removed (0 without an explicit `tempBase`). */
  sweptLeftovers(): Promise<number> {
    return this.swept;
  }

  /**
   * From now on keeps the next launch's private dir ready (HOME, write dir, springsettings.cfg for engines of `like`),
   * so that a launch only writes its script and spawns. The spare holds no secret; `dispose()` removes it. Resolves
   * once the first spare is ready (never rejects: without one a launch makes its own dir).
   */
  async warm(like: { binary?: EngineClientKind; settings?: Readonly<Record<string, string | number>> } = {}): Promise<void> {
    if (!this.disposed) await this.spare.keep(launchSettings(like.binary ?? 'client', like.settings));
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
   * Starts the engine for a battle; resolves once the process has spawned. While one runs or starts this rejects with
   * EngineBusyError, unless `replace` is set: then the newest launch wins (a new `battle/start` from the server wins
   * over the old battle). The running engine is stopped first; an older launch still starting rejects with
   * EngineLaunchAbortedError('superseded') and never leaves an engine behind.
   */
  async launch(request: EngineLaunchRequest, options: { replace?: boolean } = {}): Promise<EngineSnapshot> {
    if (this.disposed) throw new EngineLaunchAbortedError('closed');
    if (!options.replace && (this.current !== undefined || this.pending > 0)) throw new EngineBusyError();
    // Everything that can be checked is checked before touching the disk: a hostile value writes nothing.
    const prepared = prepareLaunch(request);
    const generation = ++this.generation;
    this.claimed = generation;
    this.pending++;
    this.lastRequest = request;
    this.timings = { launchRequestedAt: this.now() };
    this.setStatus('starting');
    const run = this.chain.then(() => this.run(prepared, generation));
    this.chain = run.then(() => undefined, () => undefined);
    try {
      return await run;
    } finally {
      this.pending--;
      if (this.pending === 0 && this.current === undefined) this.setStatus('offline');
    }
  }

  /** Launches the last battle again (the seed panel's `start`). */
  async start(): Promise<EngineSnapshot> {
    if (this.lastRequest === undefined) throw new Error('no battle to start: the engine has not been launched yet');
    return this.launch(this.lastRequest);
  }

  /** SIGTERM, then SIGKILL after the grace period; also stops a launch still starting. Resolves when the engine has exited. */
  async stop(graceMs = this.graceMs): Promise<EngineExit | undefined> {
    return this.halt((launch) => this.signal(launch, 'SIGTERM', graceMs));
  }

  async restart(): Promise<EngineSnapshot> {
    await this.stop();
    return this.start();
  }

  /** SIGKILL at once; also stops a launch still starting. Resolves when the engine has exited. */
  async kill(): Promise<EngineExit | undefined> {
    return this.halt((launch) => this.signal(launch, 'SIGKILL'));
  }

  /** Resolves with the running engine's exit (or undefined when none runs). */
  waitForExit(): Promise<EngineExit | undefined> {
    return this.current?.exited ?? Promise.resolve(undefined);
  }

  /** pid and uptime, with CPU and memory where the platform gives them (Linux /proc); undefined when no engine runs. */
  async stats(): Promise<EngineStats | undefined> {
    const launch = this.current;
    const pid = launch?.child.pid;
    if (launch === undefined || pid === undefined) return undefined;
    const sample = await readProcessSample(pid, this.procRoot);
    const at = this.now();
    const uptimeMs = at - launch.startedAt;
    if (sample === undefined) return { pid, uptimeMs, cpuPercent: null, rssBytes: null };
    const previous = launch.cpu ?? { cpuSeconds: 0, at: launch.startedAt };
    launch.cpu = { cpuSeconds: sample.cpuSeconds, at };
    const elapsedS = Math.max((at - previous.at) / 1000, 0.001);
    const cpuPercent = Math.max(0, ((sample.cpuSeconds - previous.cpuSeconds) / elapsedS) * 100);
    return { pid, uptimeMs, cpuPercent: Math.round(cpuPercent * 10) / 10, rssBytes: sample.rssBytes };
  }

  /** Kills every engine this runner spawned that still runs, ends launches under way, and drops listeners. */
  async dispose(): Promise<void> {
    this.disposed = true;
    this.generation++;
    for (const launch of this.live) {
      launch.requested = true;
      launch.child.kill('SIGKILL');
    }
    await this.chain;
    await Promise.all([...this.live].map((launch) => launch.exited));
    await this.swept;
    await this.spare.close();
    this.statusListeners.clear();
    this.consoleListeners.clear();
    this.exitListeners.clear();
  }

  /** Throws when `generation` is no longer the one to go on. */
  private assertLatest(generation: number): void {
    if (generation === this.generation) return;
    if (this.disposed) throw new EngineLaunchAbortedError('closed');
    throw new EngineLaunchAbortedError(this.claimed > generation ? 'superseded' : 'stopped');
  }

  private async run(prepared: PreparedLaunch, generation: number): Promise<EngineSnapshot> {
    this.assertLatest(generation);
    const previous = this.current;
    if (previous !== undefined) {
      previous.requested = true;
      this.signal(previous, 'SIGTERM', this.graceMs);
      await previous.exited;
    }
    await this.swept;
    this.assertLatest(generation);
    let dir: string | undefined;
    try {
      let files: LaunchFiles;
      ({ dir, files } = await openLaunchDir(this.base, prepared, await this.spare.take()));
      this.assertLatest(generation);
      const secrets = prepared.request.join ? [prepared.request.join.password] : [];
      // Only the current engine's output reaches the console; a superseded one is read and dropped.
      const tracked: { launch?: Launch } = {};
      const onLine = (stream: EngineConsoleLine['stream'], line: string) => {
        if (tracked.launch !== undefined && this.current === tracked.launch) this.addLine(stream, line, secrets);
      };
      const child = await spawnLaunch(prepared, files, { passEnv: this.options.passEnv, onLine, maxLineChars: MAX_LINE * 4 });
      const launch = this.track(child, prepared.request, dir);
      tracked.launch = launch;
      this.spare.refill(prepared.writeDir === undefined ? prepared.settings : undefined);
      launch.ownerWritten = writeLaunchOwner(dir, { lobbyPid: process.pid, ...(child.pid !== undefined ? { enginePid: child.pid } : {}) }).catch(() => {});
      if (generation !== this.generation) {
        // Stopped or superseded while it spawned: it never becomes the battle's engine.
        launch.requested = true;
        child.kill('SIGKILL');
        await launch.exited;
      }
      this.assertLatest(generation);
      this.current = launch;
      this.phase = undefined;
      this.lines = [];
      this.timings.spawnedAt = this.now();
      // Still `starting`, now with a pid for the panel.
      this.emitStatus();
      return this.snapshot();
    } catch (error) {
      if (dir !== undefined) await rm(dir, { recursive: true, force: true }).catch(() => {});
      this.spare.refill(prepared.writeDir === undefined ? prepared.settings : undefined);
      if (error instanceof EngineLaunchAbortedError) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      const code = (error as NodeJS.ErrnoException | undefined)?.code;
      throw new EngineSpawnError(`could not start the engine ${prepared.binary}: ${reason}`, typeof code === 'string' ? code : undefined);
    }
  }

  /** Stops the current engine and every launch still starting, with `send` for the engine. */
  private async halt(send: (launch: Launch) => void): Promise<EngineExit | undefined> {
    const launch = this.current;
    if (launch === undefined && this.pending === 0) return undefined;
    this.generation++;
    this.setStatus('stopping');
    if (launch !== undefined) {
      launch.requested = true;
      send(launch);
    }
    await this.chain;
    return launch?.exited;
  }

  private signal(launch: Launch, signal: 'SIGTERM' | 'SIGKILL', graceMs = this.graceMs): void {
    if (signal === 'SIGKILL' || launch.killTimer !== undefined) launch.child.kill(signal);
    else launch.killTimer = stopEngine(launch.child, graceMs);
  }

  private track(child: ChildProcess, request: EngineLaunchRequest, dir: string): Launch {
    const startedAt = this.now();
    let resolveExited: (exit: EngineExit) => void = () => {};
    const exited = new Promise<EngineExit>((resolve) => (resolveExited = resolve));
    const launch: Launch = { child, request, dir, startedAt, requested: false, exited };
    this.live.add(launch);

    // 'close' waits for stdio to drain, so the last lines are in the buffer when we report the exit.
    child.once('close', (code, signal) => {
      void this.finish(launch, code, signal).then(resolveExited);
    });
    return launch;
  }

  private async finish(launch: Launch, code: number | null, signal: NodeJS.Signals | null): Promise<EngineExit> {
    if (launch.killTimer !== undefined) clearTimeout(launch.killTimer);
    await launch.ownerWritten;
    // The engine has exited, so its demo is complete (or never will be): keep it before the write dir goes.
    if (this.options.replaysDir !== undefined && launch.request.writeDir === undefined) {
      await keepDemos(path.join(launch.dir, 'write'), this.options.replaysDir).catch(() => undefined);
    }
    // The script holds the password: delete it, and the per-launch write dir and HOME, as soon as the engine is gone.
    await rm(launch.dir, { recursive: true, force: true }).catch(() => {});
    this.live.delete(launch);
    const lastLines = this.lines.slice(-30).map((l) => l.text);
    // The reason comes well before the end: the engine logs a few hundred lines while shutting down.
    const recent = this.lines.slice(-500).map((l) => l.text);
    const explanation = launch.requested ? undefined : explainExit(code, signal, recent);
    const exit: EngineExit = {
      code,
      signal,
      ok: code === 0 || launch.requested,
      requested: launch.requested,
      // A newer launch that nothing stopped since is waiting for this exit.
      replaced: launch.requested && this.pending > 0 && this.claimed === this.generation,
      lastLines,
      runtimeMs: this.now() - launch.startedAt,
    };
    if (explanation !== undefined) exit.explanation = explanation;
    if (this.current !== launch) return exit; // never the battle's engine: nobody hears of it
    this.current = undefined;
    this.timings.exitedAt = this.now();
    this.lastExit = exit;
    this.phase = undefined;
    if (this.pending === 0) this.setStatus('offline');
    for (const listener of [...this.exitListeners]) listener(exit);
    return exit;
  }

  private addLine(stream: EngineConsoleLine['stream'], raw: string, secrets: readonly string[]): void {
    const clipped = raw.length > MAX_LINE ? `${raw.slice(0, MAX_LINE)}…` : raw;
    const text = redactEngineText(clipped, secrets);
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
