// Watching a demo: the engine (spring-headless by default) started on the demo file with a private, throw-away write dir.
import type { ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  EngineRegistry, LAUNCH_DIR_PREFIX, defaultPassEnv, engineEnvironment, spawnEngine, springDataDirValue, stopEngine, writeLaunchOwner, type InstalledEngine,
} from '../engine';

export interface PlaybackOptions {
  /** The demo file (already read with readReplay, so it is a whole demo). */
  file: string;
  /** The engine binary; default: spring-headless of the installed engines. */
  engineBinary?: string;
  /** Game and map dirs, as a battle launch uses them: the first is --isolation-dir, the rest precede the engine's data dir. */
  contentDirs: readonly string[];
  /** The demo's engine version, when it names one: that engine is preferred. */
  engineVersion?: string;
  /**
   * Parent of the throw-away write dir (default: the OS temp dir). It is made like a runner's launch dir (`engine-*`
   * with an owner file), so an EngineRunner on the same base sweeps what a crashed playback left.
   */
  tempBase?: string;
  onLine?: (stream: 'stdout' | 'stderr', line: string) => void;
}

export interface Playback {
  child: ChildProcess;
  /** The engine's exit code (1 when a signal ended it, or it could not start), once its write dir is gone. */
  exited: Promise<number>;
  /** Set when the engine could not be started (e.g. `spawn … ENOENT`). */
  spawnError(): Error | undefined;
  stop(graceMs?: number): void;
}

/** Finds the engine: the given binary (its siblings and data dir found as `--engine` does), else an installed spring-headless. */
async function findEngine(options: PlaybackOptions): Promise<{ binary: string; engine: InstalledEngine | undefined }> {
  if (options.engineBinary !== undefined) {
    const registry = await EngineRegistry.discover({ engineBinaries: [options.engineBinary], includeSystem: false });
    return { binary: options.engineBinary, engine: registry.engines[0] };
  }
  const registry = await EngineRegistry.discover();
  const preferred = options.engineVersion ? registry.find(options.engineVersion) : undefined;
  const engine = [preferred, ...registry.engines].find((e) => e?.binaries.headless !== undefined);
  if (engine?.binaries.headless === undefined) throw new Error('no installed engine has spring-headless: pass --engine <binary>');
  return { binary: engine.binaries.headless, engine };
}

/** Starts the engine on the demo: `--isolation-dir <content> --write-dir <private dir> <file>`; the dir is removed at exit. */
export async function playReplay(options: PlaybackOptions): Promise<Playback> {
  const { binary, engine } = await findEngine(options);
  const base = path.resolve(options.tempBase ?? os.tmpdir());
  await mkdir(base, { recursive: true, mode: 0o700 });
  const dir = await mkdtemp(path.join(base, LAUNCH_DIR_PREFIX));
  await writeLaunchOwner(dir, { lobbyPid: process.pid });
  const writeDir = path.join(dir, 'write');
  const home = path.join(dir, 'home');
  await mkdir(writeDir, { mode: 0o700 });
  await mkdir(home, { mode: 0o700 });
  // The same lean settings a headless battle gets: no roaming config, no texture pool.
  await writeFile(path.join(writeDir, 'springsettings.cfg'), 'ROAM = 0\nTextureMemPoolSize = 0\n', { mode: 0o600 });
  const contentDirs = options.contentDirs.map((d) => path.resolve(d));
  const args = contentDirs[0] !== undefined ? ['--isolation-dir', contentDirs[0]] : [];
  args.push('--write-dir', writeDir, path.resolve(options.file));
  const dataDirs = [...contentDirs.slice(1), ...(engine ? [engine.dataDir] : [])];
  const env = engineEnvironment(defaultPassEnv(), { HOME: home, ...(dataDirs.length > 0 ? { SPRING_DATADIR: springDataDirValue(dataDirs) } : {}) });
  const child = spawnEngine({ binary, args, env, onLine: options.onLine });
  if (child.pid !== undefined) await writeLaunchOwner(dir, { lobbyPid: process.pid, enginePid: child.pid }).catch(() => {});
  let timer: NodeJS.Timeout | undefined;
  let failed: Error | undefined;
  const exited = new Promise<number>((resolve) => {
    let done = false;
    const finish = (code: number) => {
      if (done) return;
      done = true;
      if (timer) clearTimeout(timer);
      void rm(dir, { recursive: true, force: true }).catch(() => {}).then(() => resolve(code));
    };
    child.once('error', (error) => {
      if (child.pid !== undefined) return;
      failed = error;
      finish(1);
    });
    child.once('close', (code) => finish(code ?? 1));
  });
  return {
    child,
    exited,
    spawnError: () => failed,
    stop(graceMs = 5_000) {
      if (timer === undefined && child.exitCode === null && child.signalCode === null) timer = stopEngine(child, graceMs);
    },
  };
}
