// The Library: installed engines, games and maps with their sizes, and deleting one the lobby installed. The page names
// an entry by the id this library gave it, never by a path; only what lies inside the lobby's own download dir goes.
import { lstat, readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { scanContent, type InstalledArchive } from '../engine';
import type { LibraryEntryView, LibraryKind, LibraryView } from '../../shared/downloads-view';
import { poolFilePath, sdpFilePath } from './content-files';
import { readSdp } from './rapid-format';

export interface LibraryEngine {
  readonly version: string;
  /** The engine's folder; null when it has none of its own (the system engine's binaries live in /usr/games). */
  readonly dir: string | null;
  readonly source: 'system' | 'directory' | 'downloaded';
}

export interface ContentLibraryOptions {
  /** The lobby's download dir: what lies inside it may be deleted. */
  readonly dir: string;
  /** More content dirs the engine reads (listed, never deleted). */
  readonly otherDirs?: readonly string[];
  readonly engines: () => Promise<readonly LibraryEngine[]>;
  readonly publish: (view: LibraryView) => void;
}

/** Files counted per folder size, and entries listed: a huge folder is counted in part rather than forever. */
const MAX_WALK_ENTRIES = 100_000;
const MAX_ENTRIES = 2_000;
const MD5 = /^[0-9a-f]{32}$/;

interface Held {
  readonly view: LibraryEntryView;
  readonly path: string;
  readonly format: InstalledArchive['format'] | 'engine';
}

async function sizeOf(target: string): Promise<number> {
  let total = 0;
  let seen = 0;
  const walk = async (p: string): Promise<void> => {
    if (++seen > MAX_WALK_ENTRIES) return;
    const stats = await lstat(p).catch(() => null);
    if (!stats) return;
    if (stats.isDirectory()) {
      for (const name of await readdir(p).catch(() => [] as string[])) await walk(path.join(p, name));
    } else if (stats.isFile()) total += stats.size;
  };
  await walk(target);
  return total;
}

function inside(dir: string, target: string): boolean {
  const rel = path.relative(path.resolve(dir), path.resolve(target));
  return rel.length > 0 && !rel.startsWith('..') && !path.isAbsolute(rel);
}

const FORMAT_WORDS: Readonly<Record<Held['format'] | 'system', string>> = {
  sdp: 'rapid package', sdz: '.sdz archive', sd7: '.sd7 archive', sdd: '.sdd folder', engine: 'engine folder', system: 'system engine',
};

export class ContentLibrary {
  private held = new Map<string, Held>();
  private scanning: Promise<LibraryView> | null = null;
  private last: LibraryView = { entries: [], scanning: false };

  constructor(private readonly options: ContentLibraryOptions) {}

  view(): LibraryView {
    return this.last;
  }

  /** Lists everything again and publishes it; asked while a scan runs, that scan is shared. */
  refresh(): Promise<LibraryView> {
    this.scanning ??= (async () => {
      this.options.publish({ ...this.last, scanning: true });
      try {
        const held = await this.scan();
        this.held = new Map(held.map((h) => [h.view.id, h]));
        this.last = { entries: held.map((h) => h.view), scanning: false };
      } catch {
        this.last = { ...this.last, scanning: false };
      }
      this.options.publish(this.last);
      return this.last;
    })().finally(() => { this.scanning = null; });
    return this.scanning;
  }

  /** Deletes a listed entry the lobby installed; false when the id is not listed or not deletable. */
  async delete(id: string): Promise<boolean> {
    const entry = this.held.get(id);
    if (!entry || !entry.view.deletable || !inside(this.options.dir, entry.path)) return false;
    if (entry.format === 'sdp') await this.deleteRapid(entry.path);
    else await rm(entry.path, { recursive: true, force: true });
    await this.refresh();
    return true;
  }

  /** A rapid package: its index, then the pool files no other installed package names. */
  private async deleteRapid(sdp: string): Promise<void> {
    const md5 = path.basename(sdp, '.sdp');
    const own = await this.poolOf(md5);
    const shared = new Set<string>();
    for (const other of await this.packages()) if (other !== md5) for (const file of await this.poolOf(other)) shared.add(file);
    await rm(sdp, { force: true });
    for (const file of own) if (!shared.has(file)) await rm(poolFilePath(this.options.dir, file), { force: true });
  }

  private async packages(): Promise<string[]> {
    const names = await readdir(path.join(this.options.dir, 'packages')).catch(() => [] as string[]);
    return names.filter((n) => n.endsWith('.sdp')).map((n) => n.slice(0, -4)).filter((m) => MD5.test(m));
  }

  private poolOf(md5: string): Promise<string[]> {
    return this.poolOfIn(this.options.dir, md5);
  }

  private async scan(): Promise<Held[]> {
    const out: Held[] = [];
    const counters: Record<LibraryKind, number> = { engine: 0, game: 0, map: 0 };
    const add = (kind: LibraryKind, name: string, target: string, format: Held['format'], bytes: number, deletable: boolean, words = FORMAT_WORDS[format]) => {
      if (out.length >= MAX_ENTRIES) return;
      const id = `${kind}:${++counters[kind]}`;
      out.push({ view: { id, kind, name, bytes, format: words, deletable }, path: target, format });
    };
    for (const engine of await this.options.engines()) {
      const deletable = engine.dir !== null && engine.source !== 'system' && inside(this.options.dir, engine.dir);
      const words = engine.dir === null ? FORMAT_WORDS.system : FORMAT_WORDS.engine;
      add('engine', engine.version, engine.dir ?? '', 'engine', engine.dir === null ? 0 : await sizeOf(engine.dir), deletable, words);
    }
    const dirs = [this.options.dir, ...(this.options.otherDirs ?? [])];
    const seen = new Set<string>();
    for (const archive of await scanContent([...new Set(dirs.map((d) => path.resolve(d)))])) {
      // A .sd7 read by file name only is listed once, as a map (maps nearly always are).
      if (seen.has(archive.path)) continue;
      if (archive.nameFrom === 'file-name' && archive.kind !== 'map') continue;
      seen.add(archive.path);
      let bytes: number;
      if (archive.format === 'sdp') {
        const md5 = path.basename(archive.path, '.sdp');
        bytes = await sizeOf(archive.path);
        const base = path.dirname(path.dirname(archive.path));
        for (const file of MD5.test(md5) ? await this.poolOfIn(base, md5) : []) bytes += await sizeOf(poolFilePath(base, file));
      } else {
        bytes = await sizeOf(archive.path);
      }
      add(archive.kind, archive.name, archive.path, archive.format, bytes, inside(this.options.dir, archive.path));
    }
    return out;
  }

  private async poolOfIn(base: string, md5: string): Promise<string[]> {
    try {
      return [...new Set(readSdp(await readFile(sdpFilePath(base, md5)), md5).map((e) => e.md5))];
    } catch {
      return [];
    }
  }
}
