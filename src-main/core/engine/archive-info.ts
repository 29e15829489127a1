// The info file (mapinfo.lua / modinfo.lua) of one archive, in every form the engine loads: .sdd folders, .sdz zips, .sd7
// 7-Zip archives (through a reader the caller supplies) and rapid packages (packages/<md5>.sdp + pool/). Every read is
// bounded by entry count, entry size and bytes read in all; a broken or hostile archive is a problem, never a throw.
import { createHash } from 'node:crypto';
import type { Dirent } from 'node:fs';
import { lstat, open, readdir } from 'node:fs/promises';
import path from 'node:path';
import zlib from 'node:zlib';
import { listZip, readZipEntry, ZipFormatError } from './zip-archive';

export type ContentKind = 'game' | 'map';
export type ArchiveFormat = 'sdd' | 'sdz' | 'sd7' | 'sdp';

export const ARCHIVE_LIMITS = {
  /** An info file larger than this is not read (real ones are a few KiB). */
  infoBytes: 256 * 1024,
  /** Entries listed in one archive (a zip's central directory, a 7-Zip listing, an .sdp index). */
  entries: 100_000,
  /** Bytes read from one archive in all: its directory plus the info file. */
  totalBytes: 32 * 1024 * 1024,
  /** Entries listed in one .sdd folder's root. */
  sddEntries: 20_000,
} as const;

export type ArchiveLimits = { readonly [K in keyof typeof ARCHIVE_LIMITS]: number };

/**
 * Reads `.sd7` archives (7-Zip has no decoder in Node: core/content's 7-Zip module provides one). `readEntry` lists the
 * archive (failing beyond `maxEntries`), lets `choose` pick one of its file entries by path as stored, and reads that
 * entry (failing beyond `maxBytes`); undefined when `choose` picks none. It rejects with an Error whose message says
 * what is wrong with the archive and names no local path (with `transient: true` on it when the archive may well be
 * fine: a time limit, a cancel); it resolves `'unavailable'` when no 7-Zip can run here (the archive is then matched by
 * its file name).
 */
export interface SevenZipReader {
  readEntry(
    archive: string,
    choose: (files: readonly string[]) => string | undefined,
    limits: { maxEntries: number; maxBytes: number },
  ): Promise<{ path: string; bytes: Buffer } | undefined | 'unavailable'>;
}

export interface ArchiveReaders {
  readonly sevenZip?: SevenZipReader;
}

export const INFO_FILE: Readonly<Record<ContentKind, string>> = { game: 'modinfo.lua', map: 'mapinfo.lua' };

/** What one archive holds: its kind and info file text, nothing (no info file), or why it could not be read. */
export type ArchiveInfo =
  | { readonly found: true; readonly kind: ContentKind; readonly info: string }
  | {
    readonly found: false;
    readonly problem?: string;
    /** Not looked into (a .sd7 with no 7-Zip to read it). */
    readonly unread?: true;
    /** The problem was not the archive's (a time limit on a loaded machine): asked again, it is read again. */
    readonly transient?: true;
  };

/** A problem with the archive itself (its message is fit for the player: no local path). */
export class ArchiveReadError extends Error {
  override readonly name = 'ArchiveReadError';
}

const NOTHING: ArchiveInfo = { found: false };
const UNREAD: ArchiveInfo = { found: false, unread: true };

/** Why an archive could not be read, in words with no local path: our own errors say so, a file system error by its code. */
function problem(error: unknown, fallback: string, trustMessages = false): ArchiveInfo {
  if (error instanceof ArchiveReadError || error instanceof ZipFormatError) return { found: false, problem: error.message };
  const code = (error as { code?: string }).code;
  if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR' || code === 'ELOOP') return { found: false, problem: `cannot be opened (${code})` };
  const message = error instanceof Error ? error.message : '';
  if (trustMessages && message.length > 0 && (error as { syscall?: unknown }).syscall === undefined) return { found: false, problem: message.slice(0, 300) };
  return { found: false, problem: fallback };
}

function kb(bytes: number): string {
  return `${Math.floor(bytes / 1024)} KiB`;
}

/**
 * The root entry named like an info file, ignoring case as the engine's VFS does (maps first: the engine treats an
 * archive with mapinfo.lua as a map). Names are compared whole: `sub/mapinfo.lua`, `./mapinfo.lua` or one with a NUL
 * byte are other files.
 */
function pickInfoEntry<T>(entries: Iterable<T>, nameOf: (entry: T) => string): { kind: ContentKind; entry: T } | undefined {
  let game: T | undefined;
  for (const entry of entries) {
    const lower = nameOf(entry).toLowerCase();
    if (lower === INFO_FILE.map) return { kind: 'map', entry };
    if (lower === INFO_FILE.game && game === undefined) game = entry;
  }
  return game === undefined ? undefined : { kind: 'game', entry: game };
}

function decodeInfo(bytes: Buffer, name: string): string {
  if (bytes.length > ARCHIVE_LIMITS.infoBytes) throw new ArchiveReadError(`${name} is larger than ${kb(ARCHIVE_LIMITS.infoBytes)}`);
  return bytes.toString('utf8');
}

async function readSdd(dir: string, limits: ArchiveLimits): Promise<ArchiveInfo> {
  let entries: Dirent[];
  try {
    entries = (await readdir(dir, { withFileTypes: true })).slice(0, limits.sddEntries);
  } catch (error) {
    return problem(error, 'the folder cannot be listed');
  }
  const picked = pickInfoEntry(entries.filter((e) => e.isFile()), (e) => e.name);
  if (picked === undefined) return NOTHING;
  const file = path.join(dir, picked.entry.name);
  const name = INFO_FILE[picked.kind];
  try {
    // Size first, then at most the cap: a huge (or growing) info file costs nothing.
    if ((await lstat(file)).size > limits.infoBytes) return { found: false, problem: `${name} is larger than ${kb(limits.infoBytes)}` };
    const handle = await open(file, 'r');
    try {
      const buffer = Buffer.alloc(limits.infoBytes + 1);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
      if (bytesRead > limits.infoBytes) return { found: false, problem: `${name} is larger than ${kb(limits.infoBytes)}` };
      return { found: true, kind: picked.kind, info: buffer.subarray(0, bytesRead).toString('utf8') };
    } finally {
      await handle.close();
    }
  } catch (error) {
    return problem(error, `${name} cannot be read`);
  }
}

async function readSdz(file: string, limits: ArchiveLimits): Promise<ArchiveInfo> {
  try {
    const handle = await open(file, 'r');
    try {
      const entries = await listZip(handle, { maxEntries: limits.entries, maxDirectoryBytes: limits.totalBytes - limits.infoBytes });
      const picked = pickInfoEntry(entries, (e) => e.name);
      if (picked === undefined) return NOTHING;
      const name = INFO_FILE[picked.kind];
      if (picked.entry.size > limits.infoBytes) return { found: false, problem: `${name} is larger than ${kb(limits.infoBytes)}` };
      return { found: true, kind: picked.kind, info: decodeInfo(await readZipEntry(handle, picked.entry, limits.infoBytes), name) };
    } finally {
      await handle.close();
    }
  } catch (error) {
    return problem(error, 'not a readable zip archive');
  }
}

async function readSd7(file: string, limits: ArchiveLimits, reader: SevenZipReader): Promise<ArchiveInfo> {
  try {
    let kind: ContentKind | undefined;
    const read = await reader.readEntry(file, (files) => {
      const picked = pickInfoEntry(files, (f) => f);
      kind = picked?.kind;
      return picked?.entry;
    }, { maxEntries: limits.entries, maxBytes: limits.infoBytes });
    if (read === 'unavailable') return UNREAD;
    if (read === undefined || kind === undefined) return NOTHING;
    return { found: true, kind, info: decodeInfo(read.bytes, INFO_FILE[kind]) };
  } catch (error) {
    const found = problem(error, 'not a readable 7-Zip archive', true);
    return (error as { transient?: unknown }).transient === true ? { ...found, found: false, transient: true } : found;
  }
}

/** Reads at most `max` bytes of a regular file; more is an error (a file that grows while read included). */
async function readCapped(file: string, max: number, what: string): Promise<Buffer> {
  const stats = await lstat(file);
  if (!stats.isFile()) throw new ArchiveReadError(`${what} is not a file`);
  if (stats.size > max) throw new ArchiveReadError(`${what} is larger than ${kb(max)}`);
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(stats.size + 1);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    if (bytesRead > stats.size) throw new ArchiveReadError(`${what} changed while it was read`);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

function gunzipCapped(data: Buffer, max: number, what: string): Buffer {
  try {
    return zlib.gunzipSync(data, { maxOutputLength: max });
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw new ArchiveReadError(`${what} expands to more than ${kb(max)}`);
    throw new ArchiveReadError(`${what} is not valid gzip`);
  }
}

/**
 * A rapid package: the .sdp index (gzip of entries: u8 name length, name, 16-byte MD5, big-endian CRC32, big-endian
 * size) names the info file's pool file `pool/<2 hex>/<30 hex>.gz` beside `packages/`, whose gunzipped MD5 must match.
 */
async function readSdp(file: string, limits: ArchiveLimits): Promise<ArchiveInfo> {
  try {
    const index = gunzipCapped(await readCapped(file, limits.totalBytes / 2, 'the package index'), limits.totalBytes - limits.infoBytes, 'the package index');
    const entries: Array<{ name: string; md5: string; size: number }> = [];
    for (let at = 0; at < index.length;) {
      if (entries.length >= limits.entries) throw new ArchiveReadError(`the package index lists more than ${limits.entries} files`);
      const length = index[at]!;
      if (at + 1 + length + 24 > index.length) throw new ArchiveReadError('the package index is cut short');
      const name = index.toString('utf8', at + 1, at + 1 + length);
      const md5 = index.toString('hex', at + 1 + length, at + 17 + length);
      entries.push({ name, md5, size: index.readUInt32BE(at + 21 + length) });
      at += 1 + length + 24;
    }
    const picked = pickInfoEntry(entries, (e) => e.name);
    if (picked === undefined) return NOTHING;
    const name = INFO_FILE[picked.kind];
    const { md5, size } = picked.entry;
    if (size > limits.infoBytes) return { found: false, problem: `${name} is larger than ${kb(limits.infoBytes)}` };
    const poolFile = path.join(path.dirname(path.dirname(file)), 'pool', md5.slice(0, 2), `${md5.slice(2)}.gz`);
    // A gzip is at most a little larger than its content (stored blocks).
    const gz = await readCapped(poolFile, limits.infoBytes + 65_536, `${name}'s pool file`).catch((error: unknown) => {
      if ((error as { code?: string }).code === 'ENOENT') throw new ArchiveReadError(`${name}'s pool file is missing (the package is not fully installed)`);
      throw error;
    });
    const content = gunzipCapped(gz, limits.infoBytes, `${name}'s pool file`);
    if (content.length !== size || createHash('md5').update(content).digest('hex') !== md5) throw new ArchiveReadError(`${name}'s pool file does not match its MD5`);
    return { found: true, kind: picked.kind, info: content.toString('utf8') };
  } catch (error) {
    return problem(error, 'not a readable rapid package');
  }
}

/**
 * The info file of the archive at `file`. A `.sd7` without a `sevenZip` reader (or with no 7-Zip to run) gives
 * `{ found: false, unread: true }`: it cannot be looked into.
 */
export async function readArchiveInfo(file: string, format: ArchiveFormat, readers: ArchiveReaders = {}, limits: ArchiveLimits = ARCHIVE_LIMITS): Promise<ArchiveInfo> {
  switch (format) {
    case 'sdd': return readSdd(file, limits);
    case 'sdz': return readSdz(file, limits);
    case 'sdp': return readSdp(file, limits);
    case 'sd7': return readers.sevenZip ? readSd7(file, limits, readers.sevenZip) : UNREAD;
  }
}

interface CachedInfo {
  readonly key: string;
  readonly info: ArchiveInfo;
}

/**
 * Archive infos by path, kept while the archive's size and mtime stay the same (for an .sdd folder: its info file's),
 * so a rescan after a folder changed reads only the archives that changed. An .sdp's answer depends on the pool too:
 * only a found one is kept; nor is an archive not looked into, nor a transient problem.
 */
export class ArchiveInfoCache {
  private readonly entries = new Map<string, CachedInfo>();

  constructor(private readonly maxEntries = 20_000) {}

  async read(file: string, format: ArchiveFormat, readers: ArchiveReaders = {}, limits: ArchiveLimits = ARCHIVE_LIMITS): Promise<ArchiveInfo> {
    const key = await this.identity(file, format, readers, limits);
    const cached = key === undefined ? undefined : this.entries.get(file);
    if (cached !== undefined && cached.key === key) {
      // Most recently used last, so the oldest goes first.
      this.entries.delete(file);
      this.entries.set(file, cached);
      return cached.info;
    }
    const info = await readArchiveInfo(file, format, readers, limits);
    if (key !== undefined && (format !== 'sdp' || info.found) && !(!info.found && (info.unread || info.transient))) {
      this.entries.delete(file);
      this.entries.set(file, { key, info });
      while (this.entries.size > this.maxEntries) {
        const oldest = this.entries.keys().next().value;
        if (oldest === undefined) break;
        this.entries.delete(oldest);
      }
    }
    return info;
  }

  get size(): number {
    return this.entries.size;
  }

  private async identity(file: string, format: ArchiveFormat, readers: ArchiveReaders, limits: ArchiveLimits): Promise<string | undefined> {
    const bounds = limits === ARCHIVE_LIMITS ? '' : JSON.stringify(limits);
    try {
      let stats = await lstat(file);
      if (format === 'sdd') {
        // The folder's mtime changes when a file is added or removed; the info file's when it is rewritten.
        const names = await readdir(file);
        const info = names.find((n) => n.toLowerCase() === INFO_FILE.map) ?? names.find((n) => n.toLowerCase() === INFO_FILE.game);
        const folder = `${stats.mtimeMs}`;
        if (info === undefined) return `sdd:${folder}:-:${bounds}`;
        stats = await lstat(path.join(file, info));
        return `sdd:${folder}:${info}:${stats.size}:${stats.mtimeMs}:${bounds}`;
      }
      // Whether .sd7 could be looked into is part of the answer.
      return `${format}:${stats.size}:${stats.mtimeMs}:${format === 'sd7' && readers.sevenZip ? '7z' : ''}:${bounds}`;
    } catch {
      return undefined;
    }
  }
}
