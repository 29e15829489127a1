// Per-launch directories (join script with the password, write dir, HOME): who owns each, and sweeping the ones a crash left.
import type { Dirent } from 'node:fs';
import { mkdir, mkdtemp, open, readdir, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { writeLaunchBase, writeLaunchFiles, type LaunchFiles, type PreparedLaunch } from './engine-launch';

export const LAUNCH_DIR_PREFIX = 'engine-';
const OWNER_FILE = 'owner.json';
const MAX_OWNER_BYTES = 256;
const MAX_SWEPT_ENTRIES = 1_000;
// A dir without an owner file is either from before owner files, or a launch between mkdtemp and writing it.
const UNOWNED_GRACE_MS = 10 * 60_000;

export interface LaunchOwner {
  /** The lobby process that made the dir. */
  lobbyPid: number;
  /** Its engine, once spawned: a lobby that crashed leaves the engine running on the dir. */
  enginePid?: number;
}

export async function writeLaunchOwner(dir: string, owner: LaunchOwner): Promise<void> {
  await writeFile(path.join(dir, OWNER_FILE), JSON.stringify(owner), { mode: 0o600 });
}

/** A launch dir made ahead of its launch (owner file, HOME, write dir with `settings`): the launch adds only its script. */
export interface SpareLaunchDir {
  dir: string;
  settings: string;
}

/** A new private (0700) launch dir under `base` that names this process as its owner. */
async function newLaunchDir(base: string): Promise<string> {
  await mkdir(base, { recursive: true, mode: 0o700 });
  const dir = await mkdtemp(path.join(base, LAUNCH_DIR_PREFIX));
  try {
    await writeLaunchOwner(dir, { lobbyPid: process.pid });
    return dir;
  } catch (error) {
    await rm(dir, { recursive: true, force: true }).catch(() => {});
    throw error;
  }
}

/**
 * The spare launch dir a runner keeps once warmed: made ahead, taken by the next launch (which writes only its script),
 * and made again after it with that launch's settings.
 */
export class SpareLaunchDirs {
  /** Being made or ready; never rejects (undefined when it could not be made: the launch then makes its own). */
  private spare: Promise<SpareLaunchDir | undefined> | undefined;
  /** Undefined until `keep()`: no spare is made before. */
  private settings: string | undefined;
  private closed = false;

  /** @param ready awaited before the first dir is made (the runner's sweep of `base`). */
  constructor(private readonly base: string, private readonly ready: Promise<unknown>) {}

  /** Keeps a spare with `settings` from now on; resolves once one is ready (or could not be made). */
  async keep(settings: string): Promise<void> {
    this.settings = settings;
    this.refill();
    await this.spare;
  }

  /** The spare, if one is kept; the caller owns it from now on. */
  async take(): Promise<SpareLaunchDir | undefined> {
    const spare = await this.spare;
    this.spare = undefined;
    return spare;
  }

  /** A new spare after one was taken, with `settings` from now on when given. */
  refill(settings?: string): void {
    if (this.settings === undefined || this.closed) return;
    if (settings !== undefined) this.settings = settings;
    const next = this.settings;
    this.spare ??= this.ready.then(() => (this.closed ? undefined : makeSpareLaunchDir(this.base, next)));
  }

  /** Makes no more, and removes the one kept. */
  async close(): Promise<void> {
    this.closed = true;
    const spare = await this.take();
    if (spare !== undefined) await rm(spare.dir, { recursive: true, force: true }).catch(() => {});
  }
}

/** A spare launch dir with HOME and a write dir for `settings`, or undefined when it cannot be made (the launch then makes its own). */
export async function makeSpareLaunchDir(base: string, settings: string): Promise<SpareLaunchDir | undefined> {
  let dir: string | undefined;
  try {
    dir = await newLaunchDir(base);
    await writeLaunchBase(dir, settings);
    return { dir, settings };
  } catch {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true }).catch(() => {});
    return undefined;
  }
}

/** A launch's dir with its files: `spare` when given (only the script is written), else a new one; removed again when writing fails. */
export async function openLaunchDir(base: string, prepared: PreparedLaunch, spare: SpareLaunchDir | undefined): Promise<{ dir: string; files: LaunchFiles }> {
  if (spare !== undefined) {
    try {
      return { dir: spare.dir, files: await writeLaunchFiles(spare.dir, prepared, spare) };
    } catch {
      // Gone or damaged since it was made (a temp cleaner, a full disk): the spare goes, and a new dir is made.
      await rm(spare.dir, { recursive: true, force: true }).catch(() => {});
    }
  }
  const dir = await newLaunchDir(base);
  try {
    return { dir, files: await writeLaunchFiles(dir, prepared) };
  } catch (error) {
    await rm(dir, { recursive: true, force: true }).catch(() => {});
    throw error;
  }
}

async function readLaunchOwner(dir: string): Promise<LaunchOwner | undefined> {
  let handle;
  try {
    handle = await open(path.join(dir, OWNER_FILE), 'r');
    const buffer = Buffer.alloc(MAX_OWNER_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, MAX_OWNER_BYTES, 0);
    const parsed: unknown = JSON.parse(buffer.subarray(0, bytesRead).toString('utf8'));
    if (parsed === null || typeof parsed !== 'object') return undefined;
    const { lobbyPid, enginePid } = parsed as Record<string, unknown>;
    if (!Number.isSafeInteger(lobbyPid)) return undefined;
    return { lobbyPid: lobbyPid as number, ...(Number.isSafeInteger(enginePid) ? { enginePid: enginePid as number } : {}) };
  } catch {
    return undefined;
  } finally {
    await handle?.close();
  }
}

/** Whether a process with this pid exists (EPERM: it does, under another user). */
export function processAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface SweepOptions {
  now?: () => number;
  isAlive?: (pid: number) => boolean;
}

/**
 * Removes `<base>/engine-*` dirs no live process owns: their owner file names no live lobby or engine, or they have
 * none and are older than the grace. Returns how many were removed. Never follows a symlink.
 */
export async function sweepLaunchDirs(base: string, options: SweepOptions = {}): Promise<number> {
  const now = options.now ?? Date.now;
  const isAlive = options.isAlive ?? processAlive;
  let entries: Dirent[];
  try {
    entries = (await readdir(base, { withFileTypes: true })).slice(0, MAX_SWEPT_ENTRIES);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const entry of entries) {
    if (!entry.isDirectory() || !entry.name.startsWith(LAUNCH_DIR_PREFIX)) continue;
    const dir = path.join(base, entry.name);
    const owner = await readLaunchOwner(dir);
    if (owner !== undefined) {
      if (isAlive(owner.lobbyPid) || (owner.enginePid !== undefined && isAlive(owner.enginePid))) continue;
    } else {
      const info = await stat(dir).catch(() => undefined);
      if (info === undefined || now() - info.mtimeMs < UNOWNED_GRACE_MS) continue;
    }
    await rm(dir, { recursive: true, force: true }).catch(() => {});
    removed++;
  }
  return removed;
}
