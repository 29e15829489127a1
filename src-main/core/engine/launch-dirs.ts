// Per-launch directories (join script with the password, write dir, HOME): who owns each, and sweeping the ones a crash left.
import type { Dirent } from 'node:fs';
import { open, readdir, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';

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
