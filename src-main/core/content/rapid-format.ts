// Rapid's file formats, read boundedly: the master list (repos.gz), a repository's versions.gz, and the .sdp package
// index (gzip of entries: u8 name length, name, 16-byte MD5, big-endian CRC32, big-endian size), as pr-downloader and
// the Recoil engine's PoolArchive read them. Every name and size from the network is checked here before anything uses it.
import { createHash } from 'node:crypto';
import zlib from 'node:zlib';

export type RapidErrorCode =
  | 'bad_request' | 'unknown_package' | 'bad_index' | 'too_large' | 'not_found' | 'http_error' | 'network' | 'corrupt' | 'aborted';

/** Every failure of the rapid client: a stable code and a message fit for the player (no local paths). */
export class RapidError extends Error {
  /** `status` is the HTTP status of a refused request (`not_found`, `http_error`), when a server answered one. */
  constructor(readonly code: RapidErrorCode, message: string, readonly status?: number) {
    super(message);
    this.name = 'RapidError';
  }
}

export const RAPID_LIMITS = {
  reposGzBytes: 1 << 20,
  reposTextBytes: 4 << 20,
  repos: 1000,
  versionsGzBytes: 16 << 20,
  versionsTextBytes: 64 << 20,
  versionLines: 1_000_000,
  sdpGzBytes: 16 << 20,
  sdpRawBytes: 64 << 20,
  sdpEntries: 200_000,
  /** The largest file a package may hold, uncompressed. */
  poolFileBytes: 2 ** 31,
  /** Dependencies followed from one request, in all. */
  packages: 16,
} as const;

const MD5 = /^[0-9a-f]{32}$/;
const REPO_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;
const URL_SEGMENT = /^[A-Za-z0-9_~-][A-Za-z0-9._~-]{0,99}$/;

/** A C0 control or DEL: never in a tag, a name or a file name. */
function hasControl(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

export function isMd5(text: string): boolean {
  return MD5.test(text);
}

/** gunzip with a cap on the output: a hostile gzip never expands past `max` bytes. */
export function gunzipCapped(data: Buffer, max: number, what: string): Buffer {
  try {
    return zlib.gunzipSync(data, { maxOutputLength: max });
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ERR_BUFFER_TOO_LARGE') throw new RapidError('too_large', `${what} expands to more than ${max} bytes`);
    throw new RapidError('bad_index', `${what} is not valid gzip`);
  }
}

/** Lines of a text index; a line cap and one trailing newline. */
function lines(text: string, max: number, what: string): string[] {
  const all = text.split('\n');
  if (all.at(-1) === '') all.pop();
  if (all.length > max) throw new RapidError('too_large', `${what} has more than ${max} lines`);
  return all.map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
}

export interface RapidRepo {
  readonly name: string;
  /** The repository's base URL, without a trailing slash. */
  readonly url: string;
}

/** A repository base must be http(s), without credentials, query or fragment, and each path segment a plain name. */
export function checkBaseUrl(text: string, what: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new RapidError('bad_index', `${what} is not a URL`);
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.username || url.password || url.search || url.hash) {
    throw new RapidError('bad_index', `${what} must be a plain http(s) address`);
  }
  const segments = url.pathname.split('/').filter(Boolean);
  if (segments.length > 8 || !segments.every((s) => URL_SEGMENT.test(s))) throw new RapidError('bad_index', `${what} has an unusable path`);
  return url;
}

/** `repos.gz`: lines `<name>,<base url>,<unused>,<unused>`; a line of two fields or fewer is an error, as pr-downloader has it. */
export function parseRepos(gz: Buffer): RapidRepo[] {
  const text = gunzipCapped(gz, RAPID_LIMITS.reposTextBytes, 'repos.gz').toString('utf8');
  const repos: RapidRepo[] = [];
  for (const line of lines(text, RAPID_LIMITS.repos, 'repos.gz')) {
    if (line.trim() === '') continue;
    const fields = line.split(',');
    if (fields.length <= 2) throw new RapidError('bad_index', 'repos.gz has a line with too few fields');
    const [name, base] = fields as [string, string];
    if (!REPO_NAME.test(name)) throw new RapidError('bad_index', 'repos.gz names a repository with unusable characters');
    const url = checkBaseUrl(base, `repository ${name}'s address`);
    repos.push({ name, url: url.href.replace(/\/+$/, '') });
  }
  return repos;
}

export interface RapidVersion {
  readonly tag: string;
  /** The .sdp's name: lower-case hex. */
  readonly md5: string;
  readonly depends: readonly string[];
  /** The archive name the engine knows the game by. */
  readonly name: string;
}

/** `versions.gz`: lines `<tag>,<sdp md5>,<depends separated by '|'>,<name>`. Lines that are not of this shape are skipped. */
export function parseVersions(gz: Buffer): RapidVersion[] {
  const text = gunzipCapped(gz, RAPID_LIMITS.versionsTextBytes, 'versions.gz').toString('utf8');
  const versions: RapidVersion[] = [];
  for (const line of lines(text, RAPID_LIMITS.versionLines, 'versions.gz')) {
    const fields = line.split(',');
    if (fields.length < 4) continue;
    const [tag, hash, depends] = fields as [string, string, string];
    // The name is the rest: a name may hold commas.
    const name = fields.slice(3).join(',');
    const md5 = hash.toLowerCase();
    if (tag === '' || name === '' || !MD5.test(md5) || tag.length > 1024 || name.length > 1024 || hasControl(tag + name)) continue;
    versions.push({ tag, md5, depends: depends === '' ? [] : depends.split('|').filter(Boolean).slice(0, RAPID_LIMITS.packages), name });
  }
  return versions;
}

/** `rapid://byar:test` and `byar:test` are the same request; an empty one or `*` (which would match everything) is refused. */
export function normaliseRequest(request: string): string {
  const bare = request.startsWith('rapid://') ? request.slice('rapid://'.length) : request;
  if (bare === '' || bare === '*' || bare.length > 1024 || hasControl(bare)) throw new RapidError('bad_request', 'a rapid tag or package name is needed');
  return bare;
}

/** The exact, case-sensitive match of pr-downloader: the tag (column 0) or the name (column 3). */
export function findVersion(versions: readonly RapidVersion[], request: string): RapidVersion | undefined {
  return versions.find((v) => v.tag === request || v.name === request);
}

export interface SdpEntry {
  /** '/'-separated, as in the package. */
  readonly name: string;
  /** MD5 of the uncompressed content, lower-case hex: the pool file's name. */
  readonly md5: string;
  readonly crc32: number;
  /** Uncompressed size. */
  readonly size: number;
}

/** A name inside a package: relative, no empty, `.` or `..` segment, no backslash or control character. */
export function checkEntryName(name: string): boolean {
  if (name === '' || name.startsWith('/') || name.includes('\\') || hasControl(name)) return false;
  return name.split('/').every((s) => s !== '' && s !== '.' && s !== '..');
}

/** Parses an .sdp's raw (gunzipped) bytes; a cut entry, a bad name or a repeated name is an error. */
export function parseSdpEntries(raw: Buffer): SdpEntry[] {
  const entries: SdpEntry[] = [];
  const seen = new Set<string>();
  let at = 0;
  while (at < raw.length) {
    if (entries.length >= RAPID_LIMITS.sdpEntries) throw new RapidError('too_large', `the package index has more than ${RAPID_LIMITS.sdpEntries} files`);
    const length = raw[at]!;
    if (at + 1 + length + 24 > raw.length) throw new RapidError('bad_index', 'the package index is cut short');
    const name = raw.toString('utf8', at + 1, at + 1 + length);
    if (!checkEntryName(name)) throw new RapidError('bad_index', 'the package index holds an unusable file name');
    if (seen.has(name)) throw new RapidError('bad_index', 'the package index names a file twice');
    seen.add(name);
    const fixed = at + 1 + length;
    const size = raw.readUInt32BE(fixed + 20);
    if (size > RAPID_LIMITS.poolFileBytes) throw new RapidError('too_large', 'the package index holds a file that is too large');
    entries.push({ name, md5: raw.toString('hex', fixed, fixed + 16), crc32: raw.readUInt32BE(fixed + 16), size });
    at = fixed + 24;
  }
  return entries;
}

/** The package's name: MD5 over each entry, in file order, of MD5(name bytes) followed by its raw 16-byte MD5. */
export function sdpDigest(entries: readonly SdpEntry[]): string {
  const outer = createHash('md5');
  for (const entry of entries) {
    outer.update(createHash('md5').update(entry.name, 'utf8').digest());
    outer.update(Buffer.from(entry.md5, 'hex'));
  }
  return outer.digest('hex');
}

/** A downloaded .sdp: gunzipped boundedly, parsed, and its name checked against its content. */
export function readSdp(gz: Buffer, md5: string): SdpEntry[] {
  const entries = parseSdpEntries(gunzipCapped(gz, RAPID_LIMITS.sdpRawBytes, 'the package index'));
  if (sdpDigest(entries) !== md5) throw new RapidError('corrupt', `the package index does not match its name ${md5}`);
  return entries;
}

/**
 * The streamer's request body before gzip: one bit per .sdp entry, `files / 8 + 1` bytes, entry i at bit (i % 8), least
 * significant first, of byte i / 8 (pr-downloader's `Sdp.h` documents it; its `Streamer.cpp` reads it).
 */
export function streamerBits(files: number, indexes: Iterable<number>): Buffer {
  const bits = Buffer.alloc((files >> 3) + 1);
  for (const i of indexes) {
    if (!Number.isInteger(i) || i < 0 || i >= files) throw new RangeError(`entry ${i} is not in a package of ${files} files`);
    bits[i >> 3] = bits[i >> 3]! | (1 << (i & 7));
  }
  return bits;
}

/** Where pr-downloader caches a URL's file under `rapid/`: the scheme dropped and ':' made '-' (`127.0.0.1-8080/byar`). */
export function urlCachePath(url: URL): string[] {
  const hostname = url.hostname.replace(/^\[|\]$/g, '').replace(/:/g, '-');
  const host = url.port ? `${hostname}-${url.port}` : hostname;
  if (!URL_SEGMENT.test(host)) throw new RapidError('bad_index', 'an address has an unusable host name');
  return [host, ...url.pathname.split('/').filter(Boolean)];
}
