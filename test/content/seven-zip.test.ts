// The 7-Zip module on real archives made here by the same 7za: locate (exec bit restored), list, extract, read one entry,
// and every refusal (links, `..`, absolute paths, damage, size caps, cancel, time limit).
import { chmod, copyFile, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  extractArchive, listArchive, locateSevenZip, parseListing, readArchiveEntry, SevenZipError, unsafeEntry,
} from '../../src-main/core/content/seven-zip';
import type { SevenZipBinary } from '../../src-main/core/content/seven-zip';
import { pack7z } from '../support/seven-zip-pack';

let root: string;
let sevenZip: SevenZipBinary;
let good: string;

async function failure(promise: Promise<unknown>): Promise<SevenZipError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(SevenZipError);
  return error as SevenZipError;
}

/** A 7z whose header is stored plainly, with `from` (UTF-16 in the header) replaced by `to` of the same length and the CRCs redone. */
async function patchedArchive(name: string, from: string, to: string): Promise<string> {
  const dir = path.join(root, `patch-${name}`);
  await mkdir(path.join(dir, path.dirname(from)), { recursive: true });
  await writeFile(path.join(dir, from), 'evil\n');
  const archive = path.join(root, `${name}.7z`);
  const { spawnSync } = await import('node:child_process');
  const made = spawnSync(sevenZip.path, ['a', '-t7z', '-mhc=off', '-bd', '--', archive, from], { cwd: dir });
  expect(made.status).toBe(0);
  const bytes = await readFile(archive);
  const at = bytes.indexOf(Buffer.from(from, 'utf16le'));
  expect(at).toBeGreaterThan(32);
  Buffer.from(to, 'utf16le').copy(bytes, at);
  // The start header: CRC of bytes 12..32 at 8; the next header's offset (from 32), size and CRC at 12, 20, 28.
  const offset = Number(bytes.readBigUInt64LE(12));
  const size = Number(bytes.readBigUInt64LE(20));
  bytes.writeUInt32LE(zlib.crc32(bytes.subarray(32 + offset, 32 + offset + size)), 28);
  bytes.writeUInt32LE(zlib.crc32(bytes.subarray(12, 32)), 8);
  await writeFile(archive, bytes);
  return archive;
}

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'seven-zip-'));
  sevenZip = await locateSevenZip();
  const src = path.join(root, 'src');
  await mkdir(path.join(src, 'AI', 'Skirmish'), { recursive: true });
  await writeFile(path.join(src, 'mapinfo.lua'), 'return { name = "Tiny" }\n');
  await writeFile(path.join(src, 'AI', 'Skirmish', 'b c*.lua'), 'x\n');
  await copyFile('/bin/true', path.join(src, 'spring-headless'));
  await chmod(path.join(src, 'spring-headless'), 0o755);
  good = path.join(root, 'good.7z');
  await pack7z(src, good);
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('locating 7-Zip', () => {
  it('uses the bundled 7za, giving it back the exec bit the npm tarball drops', async () => {
    const dir = path.join(root, 'bundled');
    await mkdir(dir);
    const copy = path.join(dir, '7za');
    await copyFile(sevenZip.path, copy);
    await chmod(copy, 0o644);
    const found = await locateSevenZip({ bundled: copy, searchPath: '' });
    expect(found).toEqual({ path: copy, source: 'bundled' });
    expect((await stat(copy)).mode & 0o111).toBe(0o111);
    expect((await listArchive(good, { sevenZip: found })).length).toBeGreaterThan(0);
  });

  it('falls back to a 7z or 7za on PATH, and says so in words when there is none', async () => {
    const bin = path.join(root, 'bin');
    await mkdir(bin);
    await copyFile(sevenZip.path, path.join(bin, '7za'));
    await chmod(path.join(bin, '7za'), 0o755);
    expect(await locateSevenZip({ bundled: null, searchPath: `relative/dir${path.delimiter}${bin}` })).toEqual({ path: path.join(bin, '7za'), source: 'system' });
    const none = await failure(locateSevenZip({ bundled: null, searchPath: path.join(root, 'nowhere') }));
    expect(none.code).toBe('unavailable');
    expect(none.message).toMatch(/no 7-Zip is available/);
  });
});

describe('listing, extracting and reading', () => {
  it('lists entries with their sizes and Unix modes', async () => {
    const entries = await listArchive(good);
    const byPath = new Map(entries.map((e) => [e.path, e]));
    expect([...byPath.keys()].sort()).toEqual(['AI', 'AI/Skirmish', 'AI/Skirmish/b c*.lua', 'mapinfo.lua', 'spring-headless']);
    expect(byPath.get('AI')?.directory).toBe(true);
    expect(byPath.get('mapinfo.lua')).toMatchObject({ directory: false, size: 25, mode: 0o644, symlink: false });
    expect(byPath.get('spring-headless')?.mode).toBe(0o755);
  });

  it('extracts into a new folder (0755, not 7-Zip\'s 0700), exec bits kept', async () => {
    const out = path.join(root, 'out-good');
    const result = await extractArchive(good, out);
    expect(result.bytes).toBe(result.entries.reduce((s, e) => s + e.size, 0));
    expect((await stat(out)).mode & 0o777).toBe(0o755);
    expect(await readFile(path.join(out, 'mapinfo.lua'), 'utf8')).toBe('return { name = "Tiny" }\n');
    expect((await stat(path.join(out, 'spring-headless'))).mode & 0o777).toBe(0o755);
    expect(await readFile(path.join(out, 'AI', 'Skirmish', 'b c*.lua'), 'utf8')).toBe('x\n');
  });

  it('reads one entry by its exact name (a * is no wildcard), capped by bytes', async () => {
    expect((await readArchiveEntry(good, 'mapinfo.lua', { maxBytes: 1024 })).toString()).toBe('return { name = "Tiny" }\n');
    expect((await readArchiveEntry(good, 'AI/Skirmish/b c*.lua', { maxBytes: 1024 })).toString()).toBe('x\n');
    const entries = await listArchive(good);
    expect((await readArchiveEntry(good, 'mapinfo.lua', { maxBytes: 25, entries })).length).toBe(25);
    expect((await failure(readArchiveEntry(good, 'mapinfo.lua', { maxBytes: 24, entries }))).code).toBe('too_large');
    const missing = await failure(readArchiveEntry(good, 'MAPINFO.LUA', { maxBytes: 1024, entries }));
    expect(missing.code).toBe('missing_entry');
    expect(missing.message).toBe('the archive has no file "MAPINFO.LUA"');
    expect((await failure(readArchiveEntry(good, 'AI', { maxBytes: 1024, entries }))).code).toBe('missing_entry');
  });
});

describe('refusals', () => {
  it('refuses an archive holding a symbolic link, and unpacks nothing', async () => {
    const src = path.join(root, 'linked');
    await mkdir(src);
    await writeFile(path.join(src, 'a.txt'), 'a');
    await symlink('/etc/passwd', path.join(src, 'passwd'));
    const archive = path.join(root, 'linked.7z');
    await pack7z(src, archive);
    const out = path.join(root, 'out-linked');
    const error = await failure(extractArchive(archive, out, { what: 'engine test' }));
    expect(error.code).toBe('unsafe');
    expect(error.message).toBe('engine test is refused: entry "passwd" is a symbolic link');
    expect(await readdir(out).catch(() => [])).toEqual([]);
  });

  it('refuses an entry that climbs out with ..', async () => {
    const archive = await patchedArchive('climb', 'aa/x', '../x');
    expect((await listArchive(archive)).map((e) => e.path)).toContain('../x');
    const out = path.join(root, 'nest', 'out-climb');
    const error = await failure(extractArchive(archive, out));
    expect(error.code).toBe('unsafe');
    expect(error.message).toMatch(/"\.\.\/x" climbs out of the folder/);
    expect(await readdir(path.join(root, 'nest')).catch(() => [])).toEqual([]);
  });

  it('refuses absolute paths, backslashes and forged listing lines', () => {
    const listing = (name: string) => `Path = a.7z\nType = 7z\n\n----------\nPath = ${name}\nSize = 1\nAttributes = A_ -rw-r--r--\n\n`;
    expect(unsafeEntry(parseListing(listing('/etc/x'), 'a'))).toMatch(/absolute path/);
    expect(unsafeEntry(parseListing(listing('C:/x'), 'a'))).toMatch(/absolute path/);
    expect(unsafeEntry(parseListing(listing('a\\..\\x'), 'a'))).toMatch(/backslash/);
    expect(unsafeEntry(parseListing(listing('ok/x'), 'a'))).toBeUndefined();
    expect(() => parseListing(listing('x\nSize = 5'), 'a')).toThrow(/repeats Size/);
    expect(() => parseListing(listing('x\nnot a key line'), 'a')).toThrow(/a line 7-Zip does not write/);
    expect(() => parseListing('no separator', 'a')).toThrow(/could not be listed/);
  });

  it('calls a damaged or foreign file what it is', async () => {
    const bytes = await readFile(good);
    const cut = path.join(root, 'cut.7z');
    await writeFile(cut, bytes.subarray(0, bytes.length - 20));
    expect((await failure(extractArchive(cut, path.join(root, 'out-cut')))).code).toBe('bad_archive');
    const text = path.join(root, 'text.7z');
    await writeFile(text, 'this is not an archive\n');
    const foreign = await failure(listArchive(text, {}, 'map foo.sd7'));
    expect(foreign.code).toBe('bad_archive');
    expect(foreign.message).toBe('map foo.sd7 is not an archive 7-Zip can read');
    const flipped = Buffer.from(bytes);
    flipped[40] = flipped[40]! ^ 0xff;
    const damaged = path.join(root, 'flipped.7z');
    await writeFile(damaged, flipped);
    const error = await failure(extractArchive(damaged, path.join(root, 'out-flipped')));
    expect(error.code).toBe('bad_archive');
  });

  it('refuses to unpack more bytes than allowed, or into a folder with files', async () => {
    expect((await failure(extractArchive(good, path.join(root, 'out-big'), { maxBytes: 100 }))).code).toBe('too_large');
    const busy = path.join(root, 'out-busy');
    await mkdir(busy);
    await writeFile(path.join(busy, 'x'), 'x');
    expect((await failure(extractArchive(good, busy))).message).toMatch(/is not empty/);
  });

  it('stops on a signal and on its time limit', async () => {
    const controller = new AbortController();
    controller.abort();
    expect((await failure(extractArchive(good, path.join(root, 'out-aborted'), { signal: controller.signal }))).code).toBe('aborted');
    const later = new AbortController();
    const running = extractArchive(good, path.join(root, 'out-aborted-2'), { signal: later.signal });
    later.abort();
    expect((await failure(running)).code).toBe('aborted');
    // A 7-Zip that never answers is killed at the time limit.
    const hung = path.join(root, 'hung-7za');
    await writeFile(hung, '#!/bin/sh\nexec sleep 600\n', { mode: 0o755 });
    const slow = await failure(listArchive(good, { timeoutMs: 300, sevenZip: { path: hung, source: 'system' } }));
    expect(slow.code).toBe('timeout');
    expect(slow.message).toBe('7-Zip took longer than 0.3 s on the archive');
  });
});
