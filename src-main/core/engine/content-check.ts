// Content check: are the game and map a battle names present in the data dirs the engine will use? Names are never paths.
import type { Dirent } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import zlib from 'node:zlib';
import { quoteForMessage } from './engine-registry';
import { luaStringField, readInfoFile } from './lua-info';
import { readZipFile } from './zip-archive';

export type ContentKind = 'game' | 'map';
export type ArchiveFormat = 'sdd' | 'sdz' | 'sd7' | 'sdp';

export interface InstalledArchive {
  kind: ContentKind;
  /** The spring name: `name`, or `name version` when the info file sets a version the name does not contain. */
  name: string;
  path: string;
  format: ArchiveFormat;
  /**
   * How the name was learnt: from the archive's info file, from rapid's index, or (for .sd7, which we cannot read
   * without a 7-Zip decoder) guessed from the file name.
   */
  nameFrom: 'info' | 'rapid-index' | 'file-name';
}

export interface MissingContent {
  kind: ContentKind;
  name: string;
}

export interface ContentCheckResult {
  ok: boolean;
  game?: InstalledArchive;
  map?: InstalledArchive;
  missing: MissingContent[];
  /** For the player and for `battle/start`'s `details`, e.g. `map "Theta Crystals 1.3" is not installed`. */
  message?: string;
}

const INFO_FILE: Readonly<Record<ContentKind, string>> = { game: 'modinfo.lua', map: 'mapinfo.lua' };
// Where the engine looks inside a data dir (plus the dir itself for loose archives).
export const SCAN_SUBDIRS: readonly string[] = ['games', 'maps', 'base', 'packages', 'mods', ''];
const MAX_INFO_SIZE = 256 * 1024;
const MAX_ENTRIES_PER_DIR = 20_000;

/** The engine's archive name rule: `name` plus ` version` unless the name already contains the version. */
export function springNameFromInfo(source: string): string | undefined {
  const name = luaStringField(source, 'name');
  if (name === undefined || name.length === 0) return undefined;
  const version = luaStringField(source, 'version') ?? '';
  return version.length > 0 && !name.includes(version) ? `${name} ${version}` : name;
}

/** Letters and digits only, lower case: how a .sd7 file name is compared with a spring name. */
function looseName(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '');
}

async function listDir(dir: string): Promise<Dirent[]> {
  try {
    return (await readdir(dir, { withFileTypes: true })).slice(0, MAX_ENTRIES_PER_DIR);
  } catch {
    return [];
  }
}

async function readSddInfo(dir: string, kind: ContentKind): Promise<string | undefined> {
  // The engine's VFS ignores case: find the info file by a case-insensitive listing, never by the spring name.
  const entry = (await listDir(dir)).find((e) => e.isFile() && e.name.toLowerCase() === INFO_FILE[kind]);
  // A huge (or growing) info file costs nothing and is just not this content.
  return entry === undefined ? undefined : readInfoFile(path.join(dir, entry.name), MAX_INFO_SIZE);
}

async function readSdzInfo(file: string, kind: ContentKind): Promise<string | undefined> {
  try {
    return (await readZipFile(file, INFO_FILE[kind], MAX_INFO_SIZE))?.toString('utf8');
  } catch {
    return undefined; // a broken archive is just not this content
  }
}

async function scanArchive(entryPath: string, entry: Dirent): Promise<InstalledArchive[]> {
  const lower = entry.name.toLowerCase();
  const found: InstalledArchive[] = [];
  if (entry.isDirectory() && lower.endsWith('.sdd')) {
    for (const kind of ['map', 'game'] as const) {
      const info = await readSddInfo(entryPath, kind);
      const name = info === undefined ? undefined : springNameFromInfo(info);
      if (name !== undefined) found.push({ kind, name, path: entryPath, format: 'sdd', nameFrom: 'info' });
      if (name !== undefined) break; // the engine treats an archive with mapinfo.lua as a map
    }
  } else if (entry.isFile() && lower.endsWith('.sdz')) {
    for (const kind of ['map', 'game'] as const) {
      const info = await readSdzInfo(entryPath, kind);
      const name = info === undefined ? undefined : springNameFromInfo(info);
      if (name !== undefined) found.push({ kind, name, path: entryPath, format: 'sdz', nameFrom: 'info' });
      if (name !== undefined) break;
    }
  } else if (entry.isFile() && lower.endsWith('.sd7')) {
    // Without a 7-Zip reader we only know the file; matched loosely by name below. Maps are nearly always .sd7.
    const stem = entry.name.slice(0, -4);
    found.push({ kind: 'map', name: stem, path: entryPath, format: 'sd7', nameFrom: 'file-name' });
    found.push({ kind: 'game', name: stem, path: entryPath, format: 'sd7', nameFrom: 'file-name' });
  }
  return found;
}

/** Rapid (pr-downloader) games: `rapid/<host>/<repo>/versions.gz` lines `tag,hash,deps,name` whose packages/<hash>.sdp exists. */
async function scanRapid(dataDir: string): Promise<InstalledArchive[]> {
  const packages = new Set((await listDir(path.join(dataDir, 'packages'))).filter((e) => e.isFile()).map((e) => e.name.toLowerCase()));
  if (packages.size === 0) return [];
  const found: InstalledArchive[] = [];
  for (const host of await listDir(path.join(dataDir, 'rapid'))) {
    if (!host.isDirectory()) continue;
    for (const repo of await listDir(path.join(dataDir, 'rapid', host.name))) {
      if (!repo.isDirectory()) continue;
      let text: string;
      try {
        const gz = await readFile(path.join(dataDir, 'rapid', host.name, repo.name, 'versions.gz'));
        text = zlib.gunzipSync(gz, { maxOutputLength: 64 * 1024 * 1024 }).toString('utf8');
      } catch {
        continue;
      }
      for (const line of text.split('\n')) {
        const fields = line.split(',');
        const hash = fields[1]?.toLowerCase();
        const name = fields.slice(3).join(',').trim();
        if (hash === undefined || !/^[0-9a-f]{32}$/.test(hash) || name.length === 0) continue;
        const sdp = `${hash}.sdp`;
        if (packages.has(sdp)) found.push({ kind: 'game', name, path: path.join(dataDir, 'packages', sdp), format: 'sdp', nameFrom: 'rapid-index' });
      }
    }
  }
  return found;
}

/** Every game and map found in `dataDirs` (in order; the engine would also use the first one it finds). */
export async function scanContent(dataDirs: readonly string[]): Promise<InstalledArchive[]> {
  const found: InstalledArchive[] = [];
  for (const dataDir of dataDirs) {
    const root = path.resolve(dataDir);
    for (const sub of SCAN_SUBDIRS) {
      const dir = path.join(root, sub);
      for (const entry of await listDir(dir)) found.push(...(await scanArchive(path.join(dir, entry.name), entry)));
    }
    found.push(...(await scanRapid(root)));
  }
  return found;
}

function findContent(archives: readonly InstalledArchive[], kind: ContentKind, name: string): InstalledArchive | undefined {
  const ofKind = archives.filter((a) => a.kind === kind);
  // Exact spring name first (the engine's match), then a case-insensitive match, then a .sd7 file name.
  return (
    ofKind.find((a) => a.nameFrom !== 'file-name' && a.name === name) ??
    ofKind.find((a) => a.nameFrom !== 'file-name' && a.name.toLowerCase() === name.toLowerCase()) ??
    ofKind.find((a) => a.nameFrom === 'file-name' && looseName(a.name) === looseName(name) && looseName(name).length > 0)
  );
}

export interface ContentRequest {
  /** Data dirs the engine will see: the content dirs plus the engine's own data dir. */
  dataDirs: readonly string[];
  /** `battle/start.game.springName`. */
  gameName: string;
  /** `battle/start.map.springName`. */
  mapName: string;
}

export async function checkContent(request: ContentRequest): Promise<ContentCheckResult> {
  const archives = await scanContent(request.dataDirs);
  return matchContent(archives, request.gameName, request.mapName);
}

export function matchContent(archives: readonly InstalledArchive[], gameName: string, mapName: string): ContentCheckResult {
  const game = typeof gameName === 'string' && gameName.length > 0 ? findContent(archives, 'game', gameName) : undefined;
  const map = typeof mapName === 'string' && mapName.length > 0 ? findContent(archives, 'map', mapName) : undefined;
  const missing: MissingContent[] = [];
  if (game === undefined) missing.push({ kind: 'game', name: String(gameName) });
  if (map === undefined) missing.push({ kind: 'map', name: String(mapName) });
  const result: ContentCheckResult = { ok: missing.length === 0, missing };
  if (game !== undefined) result.game = game;
  if (map !== undefined) result.map = map;
  if (missing.length > 0) {
    result.message = `${missing.map((m) => `${m.kind} ${quoteForMessage(m.name)}`).join(' and ')} ${missing.length === 1 ? 'is' : 'are'} not installed`;
  }
  return result;
}
