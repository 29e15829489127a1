// The files API's answer (`GET <base>?category=…&springname=…`, as pr-downloader's HttpDownloader and bar-lobby read it):
// a JSON array of `{ category, springname, filename, mirrors[], md5?, size?, … }`, checked field by field with caps
// before anything uses it. Also the engine's `files.md5.gz` (md5sum lines), which Recoil's release archives carry.
import zlib from 'node:zlib';

export type FilesErrorCode =
  | 'bad_request'
  /** The files API knows no such map or engine. */
  | 'unknown_item'
  /** The answer, or a file list, is not what the files API writes. */
  | 'bad_answer'
  | 'too_large'
  | 'not_found'
  | 'http_error'
  | 'network'
  /** A size or MD5 that does not match: the file was deleted. */
  | 'corrupt'
  | 'aborted'
  /** The engine archive could not be unpacked (damaged, unsafe, no 7-Zip). */
  | 'bad_archive'
  /** The archive unpacked, but is no engine (no binaries, a file that does not match files.md5.gz). */
  | 'bad_engine';

/** Every failure of the files client: a stable code and a message fit for the player (no local paths). */
export class FilesError extends Error {
  override readonly name = 'FilesError';
  constructor(readonly code: FilesErrorCode, message: string) {
    super(message);
  }
}

export const FILES_LIMITS = {
  /** The /find answer's bytes and entries. */
  answerBytes: 1 << 20,
  answerEntries: 200,
  /** Mirrors tried for one file. */
  mirrors: 16,
  /** A map or engine archive. */
  fileBytes: 8 * 2 ** 30,
  /** An engine's unpacked bytes. */
  engineBytes: 16 * 2 ** 30,
  /** files.md5.gz, packed and unpacked, and its lines. */
  md5sumsGzBytes: 4 << 20,
  md5sumsBytes: 16 << 20,
  md5sumsLines: 100_000,
} as const;

export type FilesCategory = 'map' | 'engine_linux64' | 'engine_windows64';

export interface FilesEntry {
  readonly category: FilesCategory;
  readonly springname: string;
  /** The file's name as it is stored (`maps/<filename>`), already made safe. */
  readonly filename: string;
  /** Lower-case hex, when the answer gave one. */
  readonly md5: string | undefined;
  readonly size: number | undefined;
  readonly mirrors: readonly URL[];
}

/** The engine build for this platform. */
export function engineCategory(platform: NodeJS.Platform = process.platform): FilesCategory {
  return platform === 'win32' ? 'engine_windows64' : 'engine_linux64';
}

function quote(text: string): string {
  return JSON.stringify(text.length > 120 ? `${text.slice(0, 120)}…` : text);
}

export function hasControl(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

/**
 * A name from the network made into one plain file name: `\ / : ? " < > |` become `_` (as pr-downloader's
 * EscapeFilename does); refused when empty, hidden (a leading dot: our temp files), over 200 bytes or with controls.
 */
export function safeFilename(name: string): string | undefined {
  const escaped = name.replace(/[\\/:?"<>|*]/g, '_');
  if (escaped.length === 0 || escaped.startsWith('.') || Buffer.byteLength(escaped) > 200 || hasControl(escaped) || escaped.trim() !== escaped) return undefined;
  return escaped;
}

/** An engine version as a folder name: tachyon's engineVersion alphabet, never a path. */
export function isEngineVersion(version: string): boolean {
  return /^[0-9A-Za-z][0-9A-Za-z .+_-]{0,99}$/.test(version) && !version.endsWith('.') && !version.endsWith(' ');
}

/** A mirror: plain http(s), no credentials. */
function mirrorUrl(text: unknown): URL | undefined {
  if (typeof text !== 'string' || text.length > 2000) return undefined;
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && !url.username && !url.password ? url : undefined;
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The entries of a /find answer for `category`, in the answer's order. An entry with a field of the wrong type is
 * refused whole (the answer is bad); mirrors that are not plain http(s) are dropped, and an entry left with none too.
 */
export function parseFindAnswer(body: Buffer, category: FilesCategory): FilesEntry[] {
  if (body.length > FILES_LIMITS.answerBytes) throw new FilesError('too_large', `the files API's answer is larger than ${FILES_LIMITS.answerBytes} bytes`);
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    throw new FilesError('bad_answer', 'the files API did not answer JSON');
  }
  if (!Array.isArray(json)) throw new FilesError('bad_answer', 'the files API\'s answer is not a list');
  if (json.length > FILES_LIMITS.answerEntries) throw new FilesError('too_large', `the files API answered more than ${FILES_LIMITS.answerEntries} entries`);
  const entries: FilesEntry[] = [];
  for (const item of json) {
    if (!isObject(item)) throw new FilesError('bad_answer', 'the files API\'s answer holds something that is not an entry');
    const { category: cat, springname, filename, md5, size, mirrors } = item;
    if (typeof cat !== 'string' || typeof springname !== 'string' || typeof filename !== 'string' || !Array.isArray(mirrors)) {
      throw new FilesError('bad_answer', 'an entry of the files API\'s answer lacks category, springname, filename or mirrors');
    }
    if (springname.length > 500 || filename.length > 500) throw new FilesError('bad_answer', 'an entry of the files API\'s answer has an overlong name');
    if (md5 !== undefined && md5 !== null && (typeof md5 !== 'string' || !/^[0-9a-fA-F]{32}$/.test(md5))) {
      throw new FilesError('bad_answer', `the files API's md5 for ${quote(springname)} is not 32 hex digits`);
    }
    if (size !== undefined && size !== null && (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0)) {
      throw new FilesError('bad_answer', `the files API's size for ${quote(springname)} is not a byte count`);
    }
    if (cat !== category) continue;
    const name = safeFilename(filename);
    if (name === undefined) throw new FilesError('bad_answer', `the files API's file name ${quote(filename)} cannot be stored`);
    const urls = mirrors.slice(0, FILES_LIMITS.mirrors).map(mirrorUrl).filter((u): u is URL => u !== undefined);
    if (urls.length === 0) continue;
    entries.push({
      category, springname, filename: name, mirrors: urls,
      md5: typeof md5 === 'string' ? md5.toLowerCase() : undefined,
      size: typeof size === 'number' ? size : undefined,
    });
  }
  return entries;
}

/** The entry for `springname`: an exact match first, else one that differs only in case. */
export function pickEntry(entries: readonly FilesEntry[], springname: string): FilesEntry | undefined {
  return entries.find((e) => e.springname === springname) ?? entries.find((e) => e.springname.toLowerCase() === springname.toLowerCase());
}

/** files.md5.gz: md5sum lines (`<md5>  <path>`, `*` before a binary file's path, `./` allowed), paths relative and plain. */
export function parseMd5Sums(gz: Buffer): Array<{ md5: string; path: string }> {
  let text: string;
  try {
    text = zlib.gunzipSync(gz, { maxOutputLength: FILES_LIMITS.md5sumsBytes }).toString('utf8');
  } catch {
    throw new FilesError('bad_engine', 'the engine\'s files.md5.gz is not valid gzip, or too large');
  }
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  if (lines.length > FILES_LIMITS.md5sumsLines) throw new FilesError('bad_engine', 'the engine\'s files.md5.gz lists too many files');
  return lines.map((line) => {
    const m = /^([0-9a-fA-F]{32}) [ *](.+?)\r?$/.exec(line);
    const file = m?.[2]?.replace(/^(\.\/)+/, '');
    if (!m || !file || file.startsWith('/') || file.split('/').some((s) => s === '..' || s === '') || hasControl(file) || file.includes('\\')) {
      throw new FilesError('bad_engine', 'the engine\'s files.md5.gz has a line md5sum does not write');
    }
    return { md5: m[1]!.toLowerCase(), path: file };
  });
}
