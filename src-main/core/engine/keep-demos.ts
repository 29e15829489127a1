// Demos kept after a battle: the engine writes `demos/` (a client) or `demos-server/` (spring-dedicated) into a write dir that is deleted when
// the battle ends; the finished demos move to the replays folder first.
import { constants } from 'node:fs';
import { link, lstat, mkdir, open, readdir, unlink } from 'node:fs/promises';
import path from 'node:path';

/** The engine's demo folders inside a write dir: a client's, and spring-dedicated's (`ServerRecordDemos`). */
export const DEMO_SUBDIRS = ['demos', 'demos-server'] as const;
/**
 * What an engine 106 demo is called: `<YYYYMMDD_HHMMSS>_<map>_<version>[_n].sdfz`, the map name with its spaces. Letters,
 * digits and plain punctuation only: no separator, control or bidi character, nothing hidden or option-like.
 */
const DEMO_NAME = /^[\p{L}\p{N}_][\p{L}\p{N} _.+()[\]{},'&!~@#$%=-]{0,199}\.sdfz$/u;
/** Demos looked at per folder of one battle (a battle writes one, a clash adds `_n`). */
const MAX_DEMOS_PER_DIR = 16;
/** A demo larger than this is left to be deleted with the write dir: no real match comes near it. */
export const MAX_KEPT_DEMO_BYTES = 512 * 1024 * 1024;
/** Name clashes in the replays folder tried before giving up on a demo. */
const MAX_NAME_TRIES = 100;

export interface KeptDemo {
  /** The file's name in the replays folder. */
  file: string;
  /** `demos` for a client's demo, `demos-server` for the host's. */
  from: (typeof DEMO_SUBDIRS)[number];
  bytes: number;
}

export interface KeptDemos {
  kept: KeptDemo[];
  /** Demos left behind and why (bad name, symlink, empty, too large, a failed copy). */
  skipped: Array<{ name: string; why: string }>;
}

/**
 * Moves the finished demos of one battle from `writeDir` into `replaysDir` (made 0700 if missing). Call it only once the
 * engine that writes there has exited: a demo is created at game start and filled at the end, so a running engine's
 * file is half-written. Never follows a symlink, never overwrites a file (a clash gets `-1`, `-2`, … before `.sdfz`),
 * and never throws: what cannot be kept is listed in `skipped` and goes with the write dir.
 */
export async function keepDemos(writeDir: string, replaysDir: string): Promise<KeptDemos> {
  const result: KeptDemos = { kept: [], skipped: [] };
  for (const from of DEMO_SUBDIRS) {
    const dir = path.join(writeDir, from);
    const info = await lstat(dir).catch(() => null);
    if (!info?.isDirectory()) continue;
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const entry of entries.slice(0, MAX_DEMOS_PER_DIR)) {
      const why = await keepOne(dir, entry.name, entry.isFile(), replaysDir, from, result);
      if (why !== undefined) result.skipped.push({ name: entry.name.slice(0, 200), why });
    }
    if (entries.length > MAX_DEMOS_PER_DIR) result.skipped.push({ name: from, why: `more than ${MAX_DEMOS_PER_DIR} files: the rest are not kept` });
  }
  return result;
}

async function keepOne(dir: string, name: string, isFile: boolean, replaysDir: string, from: KeptDemo['from'], result: KeptDemos): Promise<string | undefined> {
  if (!DEMO_NAME.test(name)) return 'not a demo file name';
  if (!isFile) return 'not a regular file';
  const source = path.join(dir, name);
  const info = await lstat(source).catch(() => null);
  if (!info?.isFile()) return 'not a regular file';
  if (info.size === 0) return 'empty: the engine never filled it';
  if (info.size > MAX_KEPT_DEMO_BYTES) return `larger than ${MAX_KEPT_DEMO_BYTES} bytes`;
  try {
    if (!(await ensureReplaysDir(replaysDir))) return 'the replays folder is not a directory';
    const file = await placeDemo(source, name, replaysDir, info.size);
    await unlink(source).catch(() => {});
    result.kept.push({ file, from, bytes: info.size });
    return undefined;
  } catch (error) {
    return `could not be kept: ${(error as NodeJS.ErrnoException).code ?? (error instanceof Error ? error.message : String(error))}`;
  }
}

async function ensureReplaysDir(replaysDir: string): Promise<boolean> {
  await mkdir(replaysDir, { recursive: true, mode: 0o700 });
  const info = await lstat(replaysDir);
  return info.isDirectory();
}

/** A free name in the replays folder, taken exclusively (a hard link, or a copy across file systems); answers the name. */
async function placeDemo(source: string, name: string, replaysDir: string, size: number): Promise<string> {
  const stem = name.slice(0, -'.sdfz'.length);
  for (let n = 0; n < MAX_NAME_TRIES; n++) {
    const file = n === 0 ? name : `${stem}-${n}.sdfz`;
    const target = path.join(replaysDir, file);
    try {
      // link() fails on an existing target and does not follow a symlinked source.
      await link(source, target);
      return file;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') continue;
      if (code !== 'EXDEV' && code !== 'EPERM' && code !== 'ENOTSUP') throw error;
    }
    try {
      await copyExclusive(source, target, size);
      return file;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw error;
    }
  }
  throw new Error(`no free name after ${MAX_NAME_TRIES} tries`);
}

/** Copies at most `size` bytes from a source opened without following links to a target that must not exist yet. */
async function copyExclusive(source: string, target: string, size: number): Promise<void> {
  const input = await open(source, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    const output = await open(target, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
    try {
      const buffer = Buffer.alloc(1024 * 1024);
      let copied = 0;
      while (copied < size) {
        const { bytesRead } = await input.read(buffer, 0, Math.min(buffer.length, size - copied), copied);
        if (bytesRead === 0) break;
        await output.write(buffer, 0, bytesRead);
        copied += bytesRead;
      }
    } catch (error) {
      await output.close();
      await unlink(target).catch(() => {});
      throw error;
    }
    await output.close();
  } finally {
    await input.close();
  }
}
