// The content check reads mapinfo.lua/modinfo.lua from .sd7 (our 7-Zip), .sdz, .sdd and rapid packages alike, with
// bounded reads; hostile archives (huge info files, many entries, odd names, corrupt files) are reported, never thrown.
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rename, rm, truncate, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentArchiveReaders, sevenZipInfoReader } from '../../src-main/core/content';
import type { ArchiveLimits, SevenZipReader } from '../../src-main/core/engine';
import {
  ARCHIVE_LIMITS, checkContent, ContentScanCache, scanContent, scanContentReport, TEST_GAME_NAME, TEST_MAP_NAME, writeTestContent,
} from '../../src-main/core/engine';
import { SCAN_SUBDIRS } from '../../src-main/core/engine/content-check';
import { writeZip } from '../../src-main/core/engine/zip-archive';
import { packFiles, packFolder, sdpEntryBytes } from '../support/rapid-packer';
import { pack7z } from '../support/seven-zip-pack';

const readers = contentArchiveReaders;
let root: string;
let n = 0;
const fresh = async (name = `d${++n}`) => {
  const dir = path.join(root, name);
  await mkdir(dir, { recursive: true });
  return dir;
};

/** A folder's files packed into a .sd7 as maps are packed (`-ms=off`), the folder removed. */
async function sd7From(folder: string, target: string, solid = false): Promise<string> {
  await pack7z(folder, target, { solid });
  await rm(folder, { recursive: true, force: true });
  return target;
}

async function sd7Of(dataDir: string, file: string, files: ReadonlyMap<string, string | Buffer>): Promise<string> {
  const src = path.join(root, `src-${++n}`);
  for (const [name, data] of files) {
    await mkdir(path.dirname(path.join(src, name)), { recursive: true });
    await writeFile(path.join(src, name), data);
  }
  await mkdir(path.join(dataDir, 'maps'), { recursive: true });
  return sd7From(src, path.join(dataDir, 'maps', file));
}

/** A rapid package installed in `dataDir` the way the rapid client leaves it: pool/ first, packages/<md5>.sdp last. */
async function installRapid(dataDir: string, pkg: ReturnType<typeof packFiles>): Promise<string> {
  for (const [md5, gz] of pkg.pool) {
    await mkdir(path.join(dataDir, 'pool', md5.slice(0, 2)), { recursive: true });
    await writeFile(path.join(dataDir, 'pool', md5.slice(0, 2), `${md5.slice(2)}.gz`), gz);
  }
  await mkdir(path.join(dataDir, 'packages'), { recursive: true });
  const sdp = path.join(dataDir, 'packages', `${pkg.md5}.sdp`);
  await writeFile(sdp, pkg.sdp);
  return sdp;
}

const md5Of = (data: Buffer) => createHash('md5').update(data).digest('hex');

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'archive-read-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('the tiny map and game as .sd7, .sdz, .sdd and rapid', () => {
  it('names a .sd7 map and game by their info files, as the .sdz and .sdd forms', async () => {
    const names = new Map<string, string>();
    for (const format of ['sdd', 'sdz', 'sd7'] as const) {
      const dir = await fresh();
      const content = await writeTestContent(dir, { format: format === 'sd7' ? 'sdd' : format });
      if (format === 'sd7') {
        await sd7From(content.mapPath, path.join(dir, 'maps', 'tachyon_test_map.sd7'));
        await sd7From(content.gamePath, path.join(dir, 'games', 'tachyon_test_game.sd7'), true);
      }
      const result = await checkContent({ dataDirs: [dir], gameName: TEST_GAME_NAME, mapName: TEST_MAP_NAME, readers });
      expect(result, format).toMatchObject({ ok: true, map: { format, nameFrom: 'info', kind: 'map' }, game: { format, nameFrom: 'info', kind: 'game' } });
      names.set(format, `${result.map?.name}|${result.game?.name}`);
    }
    expect(new Set(names.values()).size).toBe(1);
  });

  it('without a 7-Zip reader a .sd7 is matched by file name only (as before)', async () => {
    const dir = await fresh();
    const content = await writeTestContent(dir);
    await sd7From(content.mapPath, path.join(dir, 'maps', 'tachyon_test_map.sd7'));
    const result = await checkContent({ dataDirs: [dir], gameName: TEST_GAME_NAME, mapName: TEST_MAP_NAME });
    expect(result.map).toMatchObject({ format: 'sd7', nameFrom: 'file-name' });
    // Read for real, a .sd7 whose file name says nothing is still found by its mapinfo.lua.
    await rename(path.join(dir, 'maps', 'tachyon_test_map.sd7'), path.join(dir, 'maps', 'x_1.0.sd7'));
    expect((await checkContent({ dataDirs: [dir], gameName: TEST_GAME_NAME, mapName: TEST_MAP_NAME })).ok).toBe(false);
    expect(await checkContent({ dataDirs: [dir], gameName: TEST_GAME_NAME, mapName: TEST_MAP_NAME, readers })).toMatchObject({ ok: true, map: { nameFrom: 'info' } });
  });

  it('names a rapid package by the modinfo.lua its .sdp points to in the pool (not by versions.gz)', async () => {
    const dir = await fresh();
    const src = await writeTestContent(path.join(root, `rapid-src-${++n}`));
    const pkg = await packFolder(src.gamePath);
    const sdp = await installRapid(dir, pkg);
    const scan = await scanContentReport([dir], { readers });
    expect(scan.archives).toEqual([{ kind: 'game', name: TEST_GAME_NAME, path: sdp, format: 'sdp', nameFrom: 'info' }]);
    expect(scan.unreadable).toEqual([]);
  });

  it('finds the info file whatever its case, at the root only', async () => {
    const dir = await fresh();
    await sd7Of(dir, 'upper.sd7', new Map([['MapInfo.LUA', 'return { name = "Upper Map", version = "2" }']]));
    await sd7Of(dir, 'nested.sd7', new Map([['sub/mapinfo.lua', 'return { name = "Nested" }']]));
    await writeFile(path.join(dir, 'maps', 'upper.sdz'), writeZip(new Map([['MAPINFO.lua', Buffer.from('return { name = "Zip Upper" }')]])));
    await writeFile(path.join(dir, 'maps', 'climb.sdz'), writeZip(new Map([['../mapinfo.lua', Buffer.from('return { name = "Climber" }')]])));
    const scan = await scanContentReport([dir], { readers });
    expect(scan.archives.map((a) => a.name).sort()).toEqual(['Upper Map 2', 'Zip Upper']);
    expect(scan.unreadable).toEqual([]);
  });
});

describe('hostile archives: a clear problem, the rest of the scan goes on', () => {
  /** The scan of `dir` with the tiny map and game beside whatever the test put there: they are still found. */
  async function scanBeside(dir: string, limits: ArchiveLimits = ARCHIVE_LIMITS) {
    await writeTestContent(dir);
    const scan = await scanContentReport([dir], { readers, limits });
    expect(scan.archives.map((a) => a.name)).toEqual(expect.arrayContaining([TEST_GAME_NAME, TEST_MAP_NAME]));
    return scan;
  }
  const problemOf = (scan: Awaited<ReturnType<typeof scanBeside>>, file: string) => scan.unreadable.find((u) => path.basename(u.path) === file)?.problem;

  it('a mapinfo.lua over 256 KiB, in every format, is not read', async () => {
    const dir = await fresh();
    const huge = `return { name = "Huge" }\n--${'x'.repeat(300 * 1024)}\n`;
    await mkdir(path.join(dir, 'maps', 'huge.sdd'), { recursive: true });
    await writeFile(path.join(dir, 'maps', 'huge.sdd', 'mapinfo.lua'), huge);
    await writeFile(path.join(dir, 'maps', 'huge.sdz'), writeZip(new Map([['mapinfo.lua', Buffer.from(huge)]])));
    await sd7Of(dir, 'huge.sd7', new Map([['mapinfo.lua', huge]]));
    const big = packFiles(new Map([['modinfo.lua', Buffer.from(huge)]]));
    await installRapid(dir, big);
    const scan = await scanBeside(dir);
    expect(problemOf(scan, 'huge.sdd')).toBe('mapinfo.lua is larger than 256 KiB');
    expect(problemOf(scan, 'huge.sdz')).toBe('mapinfo.lua is larger than 256 KiB');
    expect(problemOf(scan, 'huge.sd7')).toMatch(/"mapinfo\.lua" in the archive is \d+ bytes, more than the 262144 allowed/);
    expect(problemOf(scan, `${big.md5}.sdp`)).toBe('modinfo.lua is larger than 256 KiB');
    expect(scan.archives.some((a) => a.name === 'Huge')).toBe(false);
  });

  it('an info file whose size is a lie (a zip entry, a rapid pool file that inflates past the cap) stops at the cap', async () => {
    const dir = await fresh();
    // A zip whose central directory says 30 bytes for an entry that inflates to 10 MiB.
    const bomb = Buffer.from(writeZip(new Map([['mapinfo.lua', Buffer.alloc(10 << 20, 0x20)]])));
    const central = bomb.lastIndexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    bomb.writeUInt32LE(30, central + 24);
    await mkdir(path.join(dir, 'maps'), { recursive: true });
    await writeFile(path.join(dir, 'maps', 'bomb.sdz'), bomb);
    // An .sdp that says modinfo.lua is 30 bytes, its pool file a gzip of 10 MiB.
    const content = Buffer.alloc(10 << 20, 0x20);
    const md5 = md5Of(content);
    const sdp = zlib.gzipSync(sdpEntryBytes('modinfo.lua', md5, 0, 30));
    const sdpName = createHash('md5').update(createHash('md5').update('modinfo.lua').digest()).update(Buffer.from(md5, 'hex')).digest('hex');
    await installRapid(dir, { md5: sdpName, sdp, files: [], pool: new Map([[md5, zlib.gzipSync(content)]]) });
    const scan = await scanBeside(dir);
    expect(problemOf(scan, 'bomb.sdz')).toBe('entry too large');
    expect(problemOf(scan, `${sdpName}.sdp`)).toBe("modinfo.lua's pool file expands to more than 256 KiB");
  });

  it('more entries than the cap, in a zip, a 7-Zip archive and an .sdp', async () => {
    const dir = await fresh();
    const limits = { ...ARCHIVE_LIMITS, entries: 300 };
    const many = new Map<string, Buffer>([['mapinfo.lua', Buffer.from('return { name = "Many" }')]]);
    for (let i = 0; i < 400; i++) many.set(`f/${i}.txt`, Buffer.from(`${i}`));
    await mkdir(path.join(dir, 'maps'), { recursive: true });
    await writeFile(path.join(dir, 'maps', 'many.sdz'), writeZip(many));
    await sd7Of(dir, 'many.sd7', many);
    const pkg = packFiles(new Map([...many].map(([k, v]) => [k.replace('mapinfo', 'modinfo'), v])));
    await installRapid(dir, pkg);
    const scan = await scanBeside(dir, limits);
    expect(problemOf(scan, 'many.sdz')).toBe('more than 300 entries');
    expect(problemOf(scan, 'many.sd7')).toBe('the archive has more than 300 entries');
    expect(problemOf(scan, `${pkg.md5}.sdp`)).toBe('the package index lists more than 300 files');
    // Under the default caps the same archives read.
    const all = await scanContentReport([dir], { readers });
    expect(all.archives.filter((a) => a.name === 'Many').map((a) => a.format).sort()).toEqual(['sd7', 'sdp', 'sdz']);
  });

  it('odd entry names (wildcards, @, line breaks, unicode, a NUL) neither match nor break the reader', async () => {
    const dir = await fresh();
    const odd = new Map<string, string>([
      ['mapinfo.lua', 'return { name = "Odd Names" }'],
      ['*.lua', 'x'], ['@list', 'x'], ['? [a].lua', 'x'], ['карта.lua', 'x'], ['-rf', 'x'], ['mapinfo.lua.bak', 'return { name = "Backup" }'],
    ]);
    await sd7Of(dir, 'odd.sd7', odd);
    // A name with a line break that forges a listing line: the listing is refused, the archive reported.
    await sd7Of(dir, 'forged.sd7', new Map([['x\nPath = mapinfo.lua', 'return { name = "Forged" }']]));
    // A zip name with a NUL byte after the info file's name is another file.
    await writeFile(path.join(dir, 'maps', 'nul.sdz'), writeZip(new Map([['mapinfo.lua\u0000.txt', Buffer.from('return { name = "Nul" }')]])));
    const scan = await scanBeside(dir);
    expect(scan.archives.map((a) => a.name)).toContain('Odd Names');
    expect(scan.archives.map((a) => a.name)).not.toContain('Backup');
    expect(scan.archives.map((a) => a.name)).not.toContain('Nul');
    expect(problemOf(scan, 'nul.sdz')).toBeUndefined();
    expect(scan.archives.map((a) => a.name)).not.toContain('Forged');
    expect(problemOf(scan, 'forged.sd7')).toMatch(/line break/);
  });

  it('corrupt files: garbage, cut short, a missing or tampered pool file, an info file without a name', async () => {
    const dir = await fresh();
    await mkdir(path.join(dir, 'maps'), { recursive: true });
    await writeFile(path.join(dir, 'maps', 'garbage.sd7'), Buffer.from('7z¼¯garbage that is not an archive at all'));
    await writeFile(path.join(dir, 'maps', 'garbage.sdz'), `PK${'not a zip '.repeat(20)}`);
    const good = await sd7Of(dir, 'cut.sd7', new Map([['mapinfo.lua', `return { name = "Cut" }\n--${createHash('sha512').update('x').digest('hex').repeat(50)}`]]));
    await truncate(good, 40);
    const zip = writeZip(new Map([['mapinfo.lua', Buffer.from('return { name = "Cut Zip" }')]]));
    await writeFile(path.join(dir, 'maps', 'cut.sdz'), zip.subarray(0, zip.length - 10));
    await writeFile(path.join(dir, 'maps', 'noname.sdz'), writeZip(new Map([['mapinfo.lua', Buffer.from('return { shortname = "X" }')]])));
    await mkdir(path.join(dir, 'packages'), { recursive: true });
    await writeFile(path.join(dir, 'packages', `${'0'.repeat(32)}.sdp`), 'not gzip');
    await writeFile(path.join(dir, 'packages', `${'1'.repeat(32)}.sdp`), zlib.gzipSync(Buffer.from([40, 1, 2, 3])));
    const missing = packFiles(new Map([['modinfo.lua', Buffer.from('return { name = "Half Installed" }')]]));
    await writeFile(path.join(dir, 'packages', `${missing.md5}.sdp`), missing.sdp);
    const tampered = packFiles(new Map([['modinfo.lua', Buffer.from('return { name = "Tampered" }')]]));
    await installRapid(dir, tampered);
    const [md5] = tampered.pool.keys();
    await writeFile(path.join(dir, 'pool', md5!.slice(0, 2), `${md5!.slice(2)}.gz`), zlib.gzipSync('return { name = "Swapped" }'));

    const scan = await scanBeside(dir);
    expect(problemOf(scan, 'garbage.sd7')).toBe('the archive is not an archive 7-Zip can read');
    expect(problemOf(scan, 'cut.sd7')).toMatch(/^the archive is (not an archive 7-Zip can read|damaged)/);
    expect(problemOf(scan, 'garbage.sdz')).toBe('no end of central directory record');
    expect(problemOf(scan, 'cut.sdz')).toBe('no end of central directory record');
    expect(problemOf(scan, 'noname.sdz')).toBe('mapinfo.lua sets no name');
    expect(problemOf(scan, `${'0'.repeat(32)}.sdp`)).toBe('the package index is not valid gzip');
    expect(problemOf(scan, `${'1'.repeat(32)}.sdp`)).toBe('the package index is cut short');
    expect(problemOf(scan, `${missing.md5}.sdp`)).toBe("modinfo.lua's pool file is missing (the package is not fully installed)");
    expect(problemOf(scan, `${tampered.md5}.sdp`)).toBe("modinfo.lua's pool file does not match its MD5");
    // No problem names a local path.
    for (const { problem } of scan.unreadable) expect(problem).not.toContain(root);
    // And the content check simply finds what is there.
    expect((await checkContent({ dataDirs: [dir], gameName: TEST_GAME_NAME, mapName: TEST_MAP_NAME, readers })).ok).toBe(true);
  });
});

describe('scans cached, refreshed when a folder changes', () => {
  function counting(): { reader: SevenZipReader; reads: string[] } {
    const reads: string[] = [];
    return { reads, reader: { readEntry: (archive, choose, limits) => { reads.push(path.basename(archive)); return sevenZipInfoReader.readEntry(archive, choose, limits); } } };
  }

  it('a rescan after a map arrives reads only the new archive; an unchanged folder is not scanned again', async () => {
    const dir = await fresh();
    await sd7Of(dir, 'first.sd7', new Map([['mapinfo.lua', 'return { name = "First" }']]));
    const past = new Date(Date.now() - 3_600_000);
    const settle = async () => { for (const sub of SCAN_SUBDIRS) await utimes(path.join(dir, sub), past, past).catch(() => {}); };
    await settle();
    const { reader, reads } = counting();
    const cache = new ContentScanCache({ readers: { sevenZip: reader } });
    expect((await cache.archives([dir])).map((a) => a.name)).toEqual(['First']);
    expect((await cache.archives([dir])).map((a) => a.name)).toEqual(['First']);
    expect(reads).toEqual(['first.sd7']);
    // Downloaded elsewhere, then moved in: the maps folder's mtime changes.
    const incoming = await fresh();
    const second = await sd7Of(incoming, 'second.sd7', new Map([['mapinfo.lua', 'return { name = "Second" }']]));
    await rename(second, path.join(dir, 'maps', 'second.sd7'));
    expect((await cache.archives([dir])).map((a) => a.name).sort()).toEqual(['First', 'Second']);
    expect(reads).toEqual(['first.sd7', 'second.sd7']);
  });

  it('an archive replaced under the same name (new size or mtime) is read again', async () => {
    const dir = await fresh();
    const file = await sd7Of(dir, 'map.sd7', new Map([['mapinfo.lua', 'return { name = "Old" }']]));
    const { reader, reads } = counting();
    const options = { readers: { sevenZip: reader } };
    expect((await scanContent([dir], options)).map((a) => a.name)).toEqual(['Old']);
    expect((await scanContent([dir], options)).map((a) => a.name)).toEqual(['Old']);
    expect(reads).toHaveLength(1);
    const incoming = await fresh();
    await rename(await sd7Of(incoming, 'map.sd7', new Map([['mapinfo.lua', 'return { name = "New Version" }']])), file);
    expect((await scanContent([dir], options)).map((a) => a.name)).toEqual(['New Version']);
    expect(reads).toHaveLength(2);
  });

  it('a transient problem (7-Zip timed out on a loaded machine) is not remembered: the next scan reads the archive again', async () => {
    const dir = await fresh();
    await sd7Of(dir, 'slow.sd7', new Map([['mapinfo.lua', 'return { name = "Slow Map" }']]));
    let calls = 0;
    const reader: SevenZipReader = {
      readEntry: (archive, choose, limits) => {
        if (++calls === 1) return Promise.reject(Object.assign(new Error('7-Zip took longer than 20 s on the archive'), { transient: true }));
        return sevenZipInfoReader.readEntry(archive, choose, limits);
      },
    };
    const first = await scanContentReport([dir], { readers: { sevenZip: reader } });
    expect(first.unreadable.map((u) => u.problem)).toEqual(['7-Zip took longer than 20 s on the archive']);
    expect((await scanContent([dir], { readers: { sevenZip: reader } })).map((a) => a.name)).toEqual(['Slow Map']);
    expect(calls).toBe(2);
  });
});
