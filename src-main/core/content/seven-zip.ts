// 7-Zip archives (engine .7z, .sd7 maps) through a 7-Zip binary: the `7za` of the npm package 7zip-bin (whose Linux
// tarball loses the exec bit, so it is restored here), else a system `7z`/`7za` on PATH. Every archive is listed first
// (`7za l -slt`) and refused when an entry could escape its folder (absolute, `..`, a symlink); reads are capped by bytes,
// runs by time, and a signal stops them. Errors are SevenZipError with a code and a message that names no local path.
import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access, chmod, lstat, mkdir, readdir, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';

export type SevenZipErrorCode =
  /** No usable 7-Zip binary. */
  | 'unavailable'
  /** Not an archive 7-Zip reads, or a damaged one. */
  | 'bad_archive'
  /** An entry that would land outside the folder, a link, an encrypted entry. */
  | 'unsafe'
  | 'too_large'
  | 'missing_entry'
  | 'timeout'
  | 'aborted'
  /** 7-Zip failed for another reason (a full disk, say); `detail` has what it printed. */
  | 'failed';

export class SevenZipError extends Error {
  override readonly name = 'SevenZipError';
  constructor(readonly code: SevenZipErrorCode, message: string, /** What 7-Zip printed (may name local paths: for logs only). */ readonly detail = '') {
    super(message);
  }
}

export const SEVEN_ZIP_LIMITS = {
  /** Entries in one archive. */
  entries: 200_000,
  /** `7za l -slt` output kept (a few hundred bytes an entry). */
  listingBytes: 128 << 20,
  /** Unpacked bytes an extraction may write, unless the caller says otherwise. */
  extractBytes: 16 * 2 ** 30,
  /** What 7-Zip prints on stderr, kept for messages. */
  stderrBytes: 64 << 10,
  listTimeoutMs: 60_000,
  readTimeoutMs: 60_000,
  extractTimeoutMs: 15 * 60_000,
} as const;

export interface SevenZipBinary {
  readonly path: string;
  readonly source: 'bundled' | 'system';
}

export interface LocateOptions {
  /** The bundled binary to try first; `null` skips it (default: 7zip-bin's `7za`). */
  readonly bundled?: string | null;
  /** The PATH searched for `7z`/`7za`/`7zz` (default: the process's). */
  readonly searchPath?: string;
}

/** 7zip-bin's `7za`, with a path inside app.asar turned to app.asar.unpacked (a binary cannot run from inside the asar). */
function bundledPath(): string | undefined {
  try {
    const required = createRequire(import.meta.url)('7zip-bin') as { path7za?: unknown };
    if (typeof required.path7za !== 'string' || !path.isAbsolute(required.path7za)) return undefined;
    return required.path7za.replace(/([\\/])app\.asar([\\/])/, '$1app.asar.unpacked$2');
  } catch {
    return undefined;
  }
}

async function isExecutableFile(file: string): Promise<boolean> {
  try {
    if (!(await stat(file)).isFile()) return false;
    await access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The npm tarball stores the Linux `7za` as 0644: give it its exec bits back (fails quietly on a read-only mount). */
async function restoreExecBit(file: string): Promise<boolean> {
  if (await isExecutableFile(file)) return true;
  if (process.platform === 'win32') return false;
  try {
    const { mode } = await stat(file);
    await chmod(file, (mode & 0o777) | 0o555);
  } catch {
    return false;
  }
  return isExecutableFile(file);
}

async function onPath(searchPath: string): Promise<string | undefined> {
  const names = process.platform === 'win32' ? ['7z.exe', '7za.exe', '7zz.exe'] : ['7z', '7za', '7zz'];
  for (const dir of searchPath.split(path.delimiter)) {
    if (!dir || !path.isAbsolute(dir)) continue;
    for (const name of names) {
      const file = path.join(dir, name);
      if (await isExecutableFile(file)) return file;
    }
  }
  return undefined;
}

let located: Promise<SevenZipBinary> | undefined;

/** The 7-Zip binary to use: the bundled `7za` (exec bit restored if need be), else `7z`/`7za`/`7zz` on PATH. */
export function locateSevenZip(options: LocateOptions = {}): Promise<SevenZipBinary> {
  const custom = options.bundled !== undefined || options.searchPath !== undefined;
  if (!custom && located) return located;
  const search = (async (): Promise<SevenZipBinary> => {
    const bundled = options.bundled === undefined ? bundledPath() : options.bundled;
    if (bundled && (await restoreExecBit(bundled))) return { path: bundled, source: 'bundled' };
    const system = await onPath(options.searchPath ?? process.env.PATH ?? '');
    if (system) return { path: system, source: 'system' };
    throw new SevenZipError('unavailable', bundled
      ? 'the bundled 7-Zip cannot be run (it is not executable and its mode could not be fixed), and no 7z or 7za is on PATH'
      : 'no 7-Zip is available: install 7zip (or p7zip-full) so that 7z or 7za is on PATH');
  })();
  if (!custom) {
    located = search;
    search.catch(() => { if (located === search) located = undefined; });
  }
  return search;
}

export interface ArchiveEntry {
  /** The path inside the archive, '/'-separated. */
  readonly path: string;
  readonly directory: boolean;
  /** Unpacked bytes (0 for a directory). */
  readonly size: number;
  /** The Unix mode 7-Zip stored (`0o755`), when it stored one. */
  readonly mode: number | undefined;
  readonly symlink: boolean;
  readonly encrypted: boolean;
}

export interface RunOptions {
  readonly signal?: AbortSignal;
  readonly timeoutMs?: number;
  /** The binary to use (default: `locateSevenZip()`). */
  readonly sevenZip?: SevenZipBinary;
}

interface RunResult {
  readonly code: number | null;
  readonly stderr: string;
}

/** The process's environment: no inherited variables beyond PATH, names printed as UTF-8. */
function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C.UTF-8', LANG: 'C.UTF-8' };
  if (process.platform === 'win32') env.SystemRoot = process.env.SystemRoot;
  return env;
}

/** Runs 7-Zip with stdin closed (an encrypted archive's password prompt fails at once), feeding stdout to `onStdout`. */
async function run(args: readonly string[], what: string, options: RunOptions & { timeoutMs: number }, onStdout?: (chunk: Buffer) => void): Promise<RunResult> {
  const { signal } = options;
  if (signal?.aborted) throw new SevenZipError('aborted', `reading ${what} was cancelled`);
  const binary = options.sevenZip ?? (await locateSevenZip());
  if (signal?.aborted) throw new SevenZipError('aborted', `reading ${what} was cancelled`);
  return new Promise<RunResult>((resolve, reject) => {
    const child = spawn(binary.path, args, { stdio: ['ignore', 'pipe', 'pipe'], env: childEnv(), windowsHide: true });
    let stderr = '';
    let failure: SevenZipError | undefined;
    const stop = (error: SevenZipError) => {
      failure ??= error;
      child.kill('SIGKILL');
    };
    const timer = setTimeout(() => stop(new SevenZipError('timeout', `7-Zip took longer than ${Number((options.timeoutMs / 1000).toFixed(1))} s on ${what}`)), options.timeoutMs);
    const onAbort = () => stop(new SevenZipError('aborted', `reading ${what} was cancelled`));
    signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout.on('data', (chunk: Buffer) => {
      if (failure) return;
      try {
        onStdout?.(chunk);
      } catch (error) {
        stop(error instanceof SevenZipError ? error : new SevenZipError('failed', `7-Zip's output for ${what} could not be read`));
      }
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < SEVEN_ZIP_LIMITS.stderrBytes) stderr += chunk.toString('utf8').slice(0, SEVEN_ZIP_LIMITS.stderrBytes - stderr.length);
    });
    child.once('error', (error: NodeJS.ErrnoException) => {
      failure ??= new SevenZipError('unavailable', `7-Zip could not be started (${error.code ?? 'error'})`);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (failure) reject(failure);
      else resolve({ code, stderr });
    });
  });
}

/** A failed run in words: 7-Zip's own text decides between a damaged archive and anything else. */
function runFailure(result: RunResult, what: string): SevenZipError {
  const text = result.stderr;
  if (/can ?not open (the )?file as archive|is not archive|unsupported (archive|method)/i.test(text)) {
    return new SevenZipError('bad_archive', `${what} is not an archive 7-Zip can read`, text);
  }
  if (/data error|crc failed|headers error|unexpected end|wrong password|encrypted/i.test(text)) {
    return new SevenZipError('bad_archive', `${what} is damaged (7-Zip: ${/crc failed/i.test(text) ? 'CRC failed' : 'data error'})`, text);
  }
  if (/no space left|disk full|ENOSPC/i.test(text)) return new SevenZipError('failed', `there is no space left on the disk to unpack ${what}`, text);
  return new SevenZipError('failed', `7-Zip failed on ${what} (exit code ${result.code ?? 'none'})`, text);
}

const UNIX_MODE = /(?:^|[\s_])([-dlcbps])([-r][-w][-xsS][-r][-w][-xsS][-r][-w][-xtT])(?:\s|$)/;

/** `rwxr-xr-x` → 0o755 (a capital S/T is a set-id or sticky bit without the x under it). */
function modeBits(perms: string): number {
  let mode = 0;
  for (let i = 0; i < 9; i++) if (perms[i] !== '-' && perms[i] !== 'S' && perms[i] !== 'T') mode |= 1 << (8 - i);
  return mode;
}

/** An entry's path, refused when extracting it could write outside the folder or confuse the tools after us. */
function checkEntryPath(name: string): string | undefined {
  if (name.length === 0) return 'an entry has no name';
  if (name.length > 4096) return 'an entry\'s name is too long';
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(name)) return 'an entry\'s name has control characters';
  if (name.includes('\\')) return `entry ${JSON.stringify(name.slice(0, 200))} has a backslash in its name`;
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) return `entry ${JSON.stringify(name.slice(0, 200))} has an absolute path`;
  if (name.split('/').some((segment) => segment === '..')) return `entry ${JSON.stringify(name.slice(0, 200))} climbs out of the folder (..)`;
  return undefined;
}

/**
 * Parses `7z l -slt` output: the archive's own block, a `----------` line, then one `Key = value` block per entry. A
 * line that is not `Key = value`, or a key twice in a block (a name with a line break forging one), refuses the listing.
 */
export function parseListing(text: string, what: string): ArchiveEntry[] {
  const lines = text.split(/\r?\n/);
  const start = lines.indexOf('----------');
  if (start < 0) throw new SevenZipError('bad_archive', `${what} could not be listed`);
  const entries: ArchiveEntry[] = [];
  let block = new Map<string, string>();
  const flush = () => {
    if (block.size === 0) return;
    const name = block.get('Path');
    if (name === undefined) throw new SevenZipError('bad_archive', `${what}'s listing has an entry without a path`);
    const attributes = block.get('Attributes') ?? '';
    const unix = UNIX_MODE.exec(attributes);
    const directory = block.get('Folder') === '+' || /^D/.test(attributes) || unix?.[1] === 'd';
    const size = Number(block.get('Size') ?? '0');
    if (!Number.isSafeInteger(size) || size < 0) throw new SevenZipError('bad_archive', `${what}'s listing has a bad size`);
    entries.push({
      path: name.replace(/\/+$/, ''),
      directory,
      size: directory ? 0 : size,
      mode: unix ? modeBits(unix[2]!) : undefined,
      symlink: unix?.[1] === 'l',
      encrypted: block.get('Encrypted') === '+',
    });
    if (entries.length > SEVEN_ZIP_LIMITS.entries) throw new SevenZipError('too_large', `${what} has more than ${SEVEN_ZIP_LIMITS.entries} entries`);
    block = new Map();
  };
  for (const line of lines.slice(start + 1)) {
    if (line === '') {
      flush();
      continue;
    }
    const m = /^([A-Za-z][A-Za-z0-9 ]{0,40}?) = ?(.*)$/.exec(line);
    if (!m) throw new SevenZipError('unsafe', `${what}'s listing has a line 7-Zip does not write (a name with a line break?)`);
    if (block.has(m[1]!)) throw new SevenZipError('unsafe', `${what}'s listing repeats ${m[1]} in one entry (a name with a line break?)`);
    block.set(m[1]!, m[2]!);
  }
  flush();
  return entries;
}

/** The entries of an archive, as 7-Zip lists them. */
export async function listArchive(archive: string, options: RunOptions = {}, what = 'the archive'): Promise<ArchiveEntry[]> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  const result = await run(['l', '-slt', '-bd', '-y', '--', path.resolve(archive)], what,
    { ...options, timeoutMs: options.timeoutMs ?? SEVEN_ZIP_LIMITS.listTimeoutMs }, (chunk) => {
      bytes += chunk.length;
      if (bytes > SEVEN_ZIP_LIMITS.listingBytes) throw new SevenZipError('too_large', `${what} has too many entries to list`);
      chunks.push(chunk);
    });
  if (result.code !== 0) throw runFailure(result, what);
  return parseListing(Buffer.concat(chunks).toString('utf8'), what);
}

/** Why an archive may not be unpacked into a folder, or undefined when every entry stays inside it as a plain file or folder. */
export function unsafeEntry(entries: readonly ArchiveEntry[]): string | undefined {
  for (const entry of entries) {
    const bad = checkEntryPath(entry.path);
    if (bad) return bad;
    if (entry.symlink) return `entry ${JSON.stringify(entry.path.slice(0, 200))} is a symbolic link`;
    if (entry.encrypted) return `entry ${JSON.stringify(entry.path.slice(0, 200))} is encrypted`;
  }
  return undefined;
}

export interface ExtractOptions extends RunOptions {
  /** Unpacked bytes at most, from the listing (default SEVEN_ZIP_LIMITS.extractBytes). */
  readonly maxBytes?: number;
  /** What the archive is, for messages ("engine 2025.01.6"). */
  readonly what?: string;
}

export interface ExtractResult {
  readonly entries: readonly ArchiveEntry[];
  /** Unpacked bytes, from the listing. */
  readonly bytes: number;
}

/** What extraction left: every path a plain file or folder (no links), group/other write and set-id bits taken off. */
async function checkTree(dir: string, what: string): Promise<void> {
  const walk = async (sub: string, depth: number): Promise<void> => {
    if (depth > 64) throw new SevenZipError('unsafe', `${what} nests folders too deep`);
    for (const entry of await readdir(sub, { withFileTypes: true })) {
      const full = path.join(sub, entry.name);
      const info = await lstat(full);
      if (info.isSymbolicLink() || (!info.isFile() && !info.isDirectory())) {
        throw new SevenZipError('unsafe', `${what} unpacked something that is not a plain file or folder`);
      }
      const wanted = info.isDirectory() ? (info.mode & 0o755) | 0o700 : info.mode & 0o755;
      if ((info.mode & 0o7777) !== wanted) await chmod(full, wanted);
      if (info.isDirectory()) await walk(full, depth + 1);
    }
  };
  await walk(dir, 0);
}

/**
 * Unpacks a whole archive into `dir`, which must not exist yet or be empty (it is made 0755, not 7-Zip's 0700).
 * The archive is listed first and refused when an entry is absolute, climbs out with `..`, is a link or is encrypted,
 * or when it unpacks to more than `maxBytes`. On failure `dir` may hold part of it: the caller removes it.
 */
export async function extractArchive(archive: string, dir: string, options: ExtractOptions = {}): Promise<ExtractResult> {
  const what = options.what ?? 'the archive';
  const entries = await listArchive(archive, options, what);
  const bad = unsafeEntry(entries);
  if (bad) throw new SevenZipError('unsafe', `${what} is refused: ${bad}`);
  const bytes = entries.reduce((sum, e) => sum + e.size, 0);
  const maxBytes = options.maxBytes ?? SEVEN_ZIP_LIMITS.extractBytes;
  if (bytes > maxBytes) throw new SevenZipError('too_large', `${what} unpacks to ${bytes} bytes, more than the ${maxBytes} allowed`);
  const target = path.resolve(dir);
  await mkdir(target, { recursive: true, mode: 0o755 });
  await chmod(target, 0o755);
  if ((await readdir(target)).length > 0) throw new SevenZipError('failed', `the folder for ${what} is not empty`);
  const result = await run(['x', '-y', '-bd', '-aoa', `-o${target}`, '--', path.resolve(archive)], what,
    { ...options, timeoutMs: options.timeoutMs ?? SEVEN_ZIP_LIMITS.extractTimeoutMs });
  if (result.code !== 0) throw runFailure(result, what);
  await checkTree(target, what);
  return { entries, bytes };
}

export interface ReadEntryOptions extends RunOptions {
  /** The entry's bytes at most; a larger entry is refused before 7-Zip unpacks it. */
  readonly maxBytes: number;
  /** The listing, when the caller has it already (saves one run of 7-Zip). */
  readonly entries?: readonly ArchiveEntry[];
  readonly what?: string;
}

/**
 * One entry's bytes (`7za x -so`), by its exact path in the archive (see `listArchive` for the names; pick one
 * case-insensitively there if need be). Refused when it is larger than `maxBytes`; the bytes must add up to the listed size.
 */
export async function readArchiveEntry(archive: string, entryPath: string, options: ReadEntryOptions): Promise<Buffer> {
  const what = options.what ?? 'the archive';
  const entries = options.entries ?? (await listArchive(archive, options, what));
  const shown = JSON.stringify(entryPath.slice(0, 200));
  const entry = entries.find((e) => e.path === entryPath);
  if (!entry || entry.directory) throw new SevenZipError('missing_entry', `${what} has no file ${shown}`);
  const bad = checkEntryPath(entry.path);
  if (bad) throw new SevenZipError('unsafe', `${what} is refused: ${bad}`);
  if (entry.symlink || entry.encrypted) throw new SevenZipError('unsafe', `${shown} in ${what} is ${entry.symlink ? 'a symbolic link' : 'encrypted'}`);
  // 7-Zip reads a name beginning with '@' as a list file, even after `--`.
  if (entry.path.startsWith('@')) throw new SevenZipError('unsafe', `${shown} in ${what} cannot be named to 7-Zip`);
  if (entry.size > options.maxBytes) throw new SevenZipError('too_large', `${shown} in ${what} is ${entry.size} bytes, more than the ${options.maxBytes} allowed`);
  const chunks: Buffer[] = [];
  let bytes = 0;
  // -spd: the name is not a wildcard; -r-: it is matched at its full path only.
  const result = await run(['x', '-so', '-spd', '-r-', '-bd', '-y', '--', path.resolve(archive), entry.path], what,
    { ...options, timeoutMs: options.timeoutMs ?? SEVEN_ZIP_LIMITS.readTimeoutMs }, (chunk) => {
      bytes += chunk.length;
      if (bytes > Math.min(options.maxBytes, entry.size)) throw new SevenZipError('too_large', `${shown} in ${what} is larger than its listing says`);
      chunks.push(chunk);
    });
  if (result.code !== 0) throw runFailure(result, what);
  if (bytes !== entry.size) throw new SevenZipError('bad_archive', `${shown} in ${what} unpacked to ${bytes} bytes, not the ${entry.size} listed`);
  return Buffer.concat(chunks, bytes);
}
