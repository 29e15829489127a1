// Per-battle directories (script with passwords, settings, demos): each names its owner, and leftovers of a crashed lobby are swept at start.
import { lstat, mkdtemp, readFile, readdir, readlink, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const PREFIX = 'battle-';
const OWNER_FILE = 'owner.json';
// A directory without an owner file this young may be one being made right now (mkdtemp, then the owner file).
const UNMARKED_GRACE_MS = 60_000;
const MAX_ENTRIES = 10_000;

interface Owner {
  pid: number;
  /** The process's start time in clock ticks after boot (/proc/<pid>/stat field 22): tells a reused pid apart. */
  started: string | null;
}

/** A new 0700 battle directory under `base`, marked as this process's. */
export async function createBattleDir(base: string): Promise<string> {
  // mkdtemp creates the directory 0700: the script inside holds every player's password.
  const dir = await mkdtemp(path.join(base, PREFIX));
  const owner: Owner = { pid: process.pid, started: startTimeOf(process.pid) };
  await writeFile(path.join(dir, OWNER_FILE), JSON.stringify(owner), { mode: 0o600, flag: 'wx' });
  return dir;
}

export interface SweepOptions {
  /** Only directories that carry an owner file (for a shared parent such as the system temp dir). */
  markedOnly: boolean;
  now?: () => number;
}

/**
 * Deletes `battle-*` directories under `base` that no live process owns: neither the process named in its owner
 * file (same pid and start time) nor any process working inside it (a spring-dedicated runs there). Answers the
 * names it deleted. Symlinks and other users' directories are left alone.
 */
export async function sweepLeftoverBattleDirs(base: string, options: SweepOptions): Promise<string[]> {
  const now = options.now ?? Date.now;
  let names: string[];
  try {
    names = (await readdir(base)).filter((name) => name.startsWith(PREFIX)).slice(0, MAX_ENTRIES);
  } catch {
    return [];
  }
  if (names.length === 0) return [];
  const workingDirs = await workingDirectories();
  const uid = process.getuid?.();
  const swept: string[] = [];
  for (const name of names) {
    const dir = path.join(base, name);
    const info = await lstat(dir).catch(() => null);
    if (!info?.isDirectory() || (uid !== undefined && info.uid !== uid)) continue;
    const owner = await readOwner(dir);
    if (owner === null && (options.markedOnly || now() - info.mtimeMs < UNMARKED_GRACE_MS)) continue;
    if (owner !== null && ownerAlive(owner)) continue;
    if ([...workingDirs].some((cwd) => cwd === dir || cwd.startsWith(dir + path.sep))) continue;
    await rm(dir, { recursive: true, force: true });
    swept.push(name);
  }
  return swept;
}

async function readOwner(dir: string): Promise<Owner | null> {
  try {
    const parsed = JSON.parse(await readFile(path.join(dir, OWNER_FILE), 'utf8')) as Partial<Owner>;
    if (typeof parsed.pid !== 'number' || !Number.isInteger(parsed.pid) || parsed.pid <= 0) return null;
    return { pid: parsed.pid, started: typeof parsed.started === 'string' ? parsed.started : null };
  } catch {
    return null;
  }
}

function ownerAlive(owner: Owner): boolean {
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    // EPERM: alive, but another user's; not ours to judge.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const started = startTimeOf(owner.pid);
  return owner.started === null || started === null || started === owner.started;
}

/** Field 22 of /proc/<pid>/stat (after the parenthesised command name), or null without /proc. */
function startTimeOf(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

/** The working directories of the processes we may look at (ours), from /proc/<pid>/cwd; empty without /proc. */
async function workingDirectories(): Promise<Set<string>> {
  const dirs = new Set<string>();
  const pids = await readdir('/proc').catch(() => [] as string[]);
  await Promise.all(
    pids
      .filter((entry) => /^\d+$/.test(entry))
      .slice(0, 65_536)
      .map(async (pid) => {
        const cwd = await readlink(`/proc/${pid}/cwd`).catch(() => null);
        if (cwd !== null) dirs.add(cwd);
      }),
  );
  return dirs;
}
