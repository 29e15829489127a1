// Files of the installed layout: written under a temporary name beside the target and renamed into place, so a reader
// (the engine, the content scan, the next run) sees the whole file or none.
import { randomBytes } from 'node:crypto';
import { lstat, mkdir, open, readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { FileHandle } from 'node:fs/promises';
import { processAlive } from './download-lock';

/** `.<name>.<pid>-<random>.part`: the writer's pid tells a sweep in another process that the file is someone's. */
export function tempBeside(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}-${randomBytes(6).toString('hex')}.part`);
}

/**
 * Removes the temp files a killed run left for these targets (`.<name>.<pid>-<random>.part` beside each, or the older
 * `.<name>.<random>.part`). Only one download of a file runs at a time in this process (`busy` says which run now), so
 * this process's other temp files for the target are nobody's; another live process's are left alone (it may be
 * fetching a pool file another package shares), a dead one's removed.
 */
export async function sweepTemps(targets: readonly string[], busy: (target: string) => boolean = () => false): Promise<void> {
  const byDir = new Map<string, Set<string>>();
  for (const target of targets) {
    const names = byDir.get(path.dirname(target)) ?? new Set<string>();
    names.add(path.basename(target));
    byDir.set(path.dirname(target), names);
  }
  for (const [dir, names] of byDir) {
    const entries = await readdir(dir).catch(() => [] as string[]);
    for (const entry of entries) {
      const match = /^\.(.+)\.(?:(\d{1,10})-)?[0-9a-f]{12}\.part$/.exec(entry);
      if (!match || !names.has(match[1]!)) continue;
      const pid = match[2] === undefined ? process.pid : Number(match[2]);
      if (pid !== process.pid && processAlive(pid)) continue;
      // Asked just before the removal: a download that began after the listing made a temp file this list does not hold.
      if (!busy(path.join(dir, match[1]!))) await rm(path.join(dir, entry), { force: true });
    }
  }
}

/** A temp file beside its target: written through `file`, then renamed over the target (`commit`) or removed (`discard`). */
export interface AtomicFile {
  readonly file: FileHandle;
  /** fsync, close, rename over the target; on a failure the temp file is removed. */
  commit(): Promise<void>;
  /** Closes and removes the temp file; never throws. */
  discard(): Promise<void>;
}

/** Opens a fresh temp file for `target` (its folder made when missing), for a writer that cannot be one callback. */
export async function openAtomically(target: string): Promise<AtomicFile> {
  const temp = tempBeside(target);
  let file: FileHandle;
  try {
    file = await open(temp, 'wx', 0o644);
  } catch (error) {
    // The folder is made only when missing: a package of thousands of pool files spares a mkdir for each.
    if ((error as { code?: string }).code !== 'ENOENT') throw error;
    await mkdir(path.dirname(target), { recursive: true });
    file = await open(temp, 'wx', 0o644);
  }
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await file.close();
  };
  return {
    file,
    async commit() {
      try {
        try {
          await file.sync();
        } finally {
          await close();
        }
        await rename(temp, target);
      } catch (error) {
        await rm(temp, { force: true });
        throw error;
      }
    },
    async discard() {
      await close().catch(() => undefined);
      await rm(temp, { force: true });
    },
  };
}

/** Writes through `write` into a temp file, then renames it over `target`; on any failure the temp file is removed. */
export async function writeAtomically(target: string, write: (file: FileHandle) => Promise<void>): Promise<void> {
  const atomic = await openAtomically(target);
  try {
    await write(atomic.file);
  } catch (error) {
    await atomic.discard();
    throw error;
  }
  await atomic.commit();
}

export async function writeFileAtomically(target: string, data: Uint8Array): Promise<void> {
  await writeAtomically(target, async (file) => { await file.writeFile(data); });
}

/** A regular file (never a link someone planted) at `file`. */
export async function isRegularFile(file: string): Promise<boolean> {
  try {
    return (await lstat(file)).isFile();
  } catch {
    return false;
  }
}

/** `pool/<2 hex>/<30 hex>.gz`, from an MD5 already checked to be 32 lower-case hex digits. */
export function poolFilePath(dataDir: string, md5: string): string {
  return path.join(dataDir, 'pool', md5.slice(0, 2), `${md5.slice(2)}.gz`);
}

export function sdpFilePath(dataDir: string, md5: string): string {
  return path.join(dataDir, 'packages', `${md5}.sdp`);
}
