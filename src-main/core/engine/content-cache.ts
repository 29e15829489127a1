// The content scan, cached: one scan while the data dirs stay as they are, shared by every battle/start asking meanwhile.
import { statSync } from 'node:fs';
import path from 'node:path';
import type { ArchiveReaders } from './archive-info';
import type { InstalledArchive } from './content-check';
import { SCAN_SUBDIRS, scanContent } from './content-check';

export interface ContentScanCacheOptions {
  /** The scan to run (default `scanContent` with `readers`). */
  scan?: (dataDirs: readonly string[]) => Promise<InstalledArchive[]>;
  /** How `.sd7` archives are read (core/content's 7-Zip); without it they are matched by file name. */
  readers?: ArchiveReaders;
  /** Distinct sets of data dirs kept (default 8). */
  maxEntries?: number;
  now?: () => number;
}

// File systems stamp mtimes with a coarse clock: a change in the same tick as the one before leaves the mtime as it
// was. A scan of a dir changed this recently is shared while it runs but not kept (as git treats "racily clean" files).
const SETTLED_MS = 2_000;

interface ScanKey {
  key: string;
  /** Every dir was last changed long enough ago for its mtime to show the next change. */
  settled: boolean;
}

/**
 * What the scan depends on: the mtime of every directory it lists. Adding, removing or renaming an archive (a rapid
 * package's .sdp included) changes its directory's mtime; rewriting a file inside an `.sdd` folder in place does not
 * (such an edit is seen after a restart). Archives unchanged since the last scan are not read again (ArchiveInfoCache).
 * The stats are synchronous on purpose: a dozen stats of directories the kernel has cached take microseconds, while as
 * many trips through the thread pool cost a `battle/start` milliseconds on a busy machine.
 */
function scanKey(dataDirs: readonly string[], now: number): ScanKey {
  const parts: string[] = [];
  let settled = true;
  for (const dataDir of dataDirs) {
    const root = path.resolve(dataDir);
    for (const sub of SCAN_SUBDIRS) {
      let mtimeMs: number | undefined;
      try {
        mtimeMs = statSync(path.join(root, sub), { throwIfNoEntry: false })?.mtimeMs;
      } catch {
        mtimeMs = undefined; // not a directory, or not ours to look at: scanned as absent
      }
      if (mtimeMs !== undefined && now - mtimeMs < SETTLED_MS) settled = false;
      parts.push(mtimeMs === undefined ? '-' : `${mtimeMs}`);
    }
  }
  return { key: parts.join('|'), settled };
}

interface Entry {
  key: string;
  scan: Promise<InstalledArchive[]>;
}

/** One scan per state of the data dirs; callers asking while it runs share it. */
export class ContentScanCache {
  private readonly entries = new Map<string, Entry>();
  private readonly scan: (dataDirs: readonly string[]) => Promise<InstalledArchive[]>;
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(options: ContentScanCacheOptions = {}) {
    const readers = options.readers;
    this.scan = options.scan ?? ((dataDirs) => scanContent(dataDirs, readers ? { readers } : {}));
    this.maxEntries = options.maxEntries ?? 8;
    this.now = options.now ?? Date.now;
  }

  /** The archives in `dataDirs`: from the last scan while no directory it listed has changed, else from a new one. */
  async archives(dataDirs: readonly string[]): Promise<InstalledArchive[]> {
    const dirsKey = JSON.stringify(dataDirs.map((d) => path.resolve(d)));
    const { key, settled } = scanKey(dataDirs, this.now());
    const cached = this.entries.get(dirsKey);
    if (cached !== undefined && cached.key === key) return cached.scan;
    // Keyed before the scan: a change while it runs makes the next call scan again.
    const scan = this.scan(dataDirs);
    const entry: Entry = { key, scan };
    this.entries.delete(dirsKey);
    this.entries.set(dirsKey, entry);
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
    // A failed scan is not kept, nor one of dirs changed too recently to trust their mtimes.
    const forget = () => {
      if (this.entries.get(dirsKey) === entry) this.entries.delete(dirsKey);
    };
    scan.then(() => {
      if (!settled) forget();
    }, forget);
    return scan;
  }
}
