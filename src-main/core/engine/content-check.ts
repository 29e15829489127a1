// Content check: are the game and map a battle names present in the data dirs the engine will use? Names are never paths.
import type { Dirent } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { ArchiveFormat, ArchiveLimits, ArchiveReaders, ContentKind } from './archive-info';
import { ARCHIVE_LIMITS, ArchiveInfoCache } from './archive-info';
import { quoteForMessage } from './engine-registry';
import { luaStringField } from './lua-info';

export type { ArchiveFormat, ContentKind } from './archive-info';

export interface InstalledArchive {
  kind: ContentKind;
  /** The spring name: `name`, or `name version` when the info file sets a version the name does not contain. */
  name: string;
  path: string;
  format: ArchiveFormat;
  /**
   * How the name was learnt: from the archive's info file (rapid packages included), or (for a .sd7 when no 7-Zip
   * reader was given) guessed from the file name.
   */
  nameFrom: 'info' | 'file-name';
}

/** An archive the scan could not read: a corrupt or hostile file, an info file over the size cap, a half-installed package. */
export interface UnreadableArchive {
  path: string;
  format: ArchiveFormat;
  /** Fit for the player, with no local path: `mapinfo.lua is larger than 256 KiB`, `not a readable 7-Zip archive`. */
  problem: string;
}

export interface ContentScan {
  archives: InstalledArchive[];
  unreadable: UnreadableArchive[];
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

export interface ScanOptions {
  /** How `.sd7` archives are read (core/content's 7-Zip); without it they are matched by file name. */
  readers?: ArchiveReaders;
  /** Archive infos kept between scans (default: one shared by the process). */
  infoCache?: ArchiveInfoCache;
  limits?: ArchiveLimits;
}

// Where the engine looks inside a data dir (plus the dir itself for loose archives).
export const SCAN_SUBDIRS: readonly string[] = ['games', 'maps', 'base', 'packages', 'mods', ''];
const MAX_ENTRIES_PER_DIR = 20_000;
const sharedInfoCache = new ArchiveInfoCache();

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

/** The format an entry of a scanned dir is in, by the engine's extensions (case-insensitive), or none. */
function formatOf(entry: Dirent, sub: string): ArchiveFormat | undefined {
  const lower = entry.name.toLowerCase();
  if (entry.isDirectory()) return lower.endsWith('.sdd') ? 'sdd' : undefined;
  if (!entry.isFile()) return undefined;
  if (lower.endsWith('.sdz')) return 'sdz';
  if (lower.endsWith('.sd7')) return 'sd7';
  // Rapid packages: packages/<md5>.sdp, their pool beside packages/.
  if (sub === 'packages' && /^[0-9a-f]{32}\.sdp$/.test(lower)) return 'sdp';
  return undefined;
}

async function scanArchive(file: string, entry: Dirent, format: ArchiveFormat, options: ScanOptions): Promise<ContentScan> {
  const into: ContentScan = { archives: [], unreadable: [] };
  const cache = options.infoCache ?? sharedInfoCache;
  const info = await cache.read(file, format, options.readers ?? {}, options.limits ?? ARCHIVE_LIMITS);
  if (info.found) {
    const name = springNameFromInfo(info.info);
    if (name !== undefined) into.archives.push({ kind: info.kind, name, path: file, format, nameFrom: 'info' });
    else into.unreadable.push({ path: file, format, problem: `${info.kind === 'map' ? 'mapinfo.lua' : 'modinfo.lua'} sets no name` });
  } else if (info.problem !== undefined) {
    into.unreadable.push({ path: file, format, problem: info.problem });
  } else if (info.unread) {
    // Not looked into: matched loosely by file name below. Maps are nearly always .sd7.
    const stem = entry.name.slice(0, -4);
    into.archives.push({ kind: 'map', name: stem, path: file, format, nameFrom: 'file-name' });
    into.archives.push({ kind: 'game', name: stem, path: file, format, nameFrom: 'file-name' });
  }
  return into;
}

/** Archives read at once: a .sd7 costs two runs of 7-Zip, so a first scan of many maps runs a few side by side. */
const READS_AT_ONCE = 4;

/** Every game and map found in `dataDirs` (in order; the engine would also use the first one it finds), and what could not be read. */
export async function scanContentReport(dataDirs: readonly string[], options: ScanOptions = {}): Promise<ContentScan> {
  const scan: ContentScan = { archives: [], unreadable: [] };
  for (const dataDir of dataDirs) {
    const root = path.resolve(dataDir);
    for (const sub of SCAN_SUBDIRS) {
      const dir = path.join(root, sub);
      const found = (await listDir(dir)).flatMap((entry) => {
        const format = formatOf(entry, sub);
        return format === undefined ? [] : [{ entry, format }];
      });
      // Read a few at a time, reported in the folder's order.
      const results: ContentScan[] = new Array<ContentScan>(found.length);
      let next = 0;
      const worker = async () => {
        while (next < found.length) {
          const i = next++;
          const { entry, format } = found[i]!;
          results[i] = await scanArchive(path.join(dir, entry.name), entry, format, options);
        }
      };
      await Promise.all(Array.from({ length: Math.min(READS_AT_ONCE, found.length) }, worker));
      for (const result of results) {
        scan.archives.push(...result.archives);
        scan.unreadable.push(...result.unreadable);
      }
    }
  }
  return scan;
}

/** Every game and map found in `dataDirs` (in order; the engine would also use the first one it finds). */
export async function scanContent(dataDirs: readonly string[], options: ScanOptions = {}): Promise<InstalledArchive[]> {
  return (await scanContentReport(dataDirs, options)).archives;
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
  /** How `.sd7` archives are read (see ScanOptions). */
  readers?: ArchiveReaders;
}

export async function checkContent(request: ContentRequest): Promise<ContentCheckResult> {
  const archives = await scanContent(request.dataDirs, request.readers ? { readers: request.readers } : {});
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
