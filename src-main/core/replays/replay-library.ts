// The replays folder as a live list for the lobby: read incrementally, cached by file identity, refreshed when the folder changes.
import { watch, type FSWatcher } from 'node:fs';
import { link, lstat, mkdir, readdir, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { ReplayEntryView, ReplayFileView, ReplayGoodView, ReplaysView } from '../../shared/replays-view';
import type { Logger } from '../log';
import { readReplay, type Replay } from './replay';
import { ReplayError } from './replay-error';
import { MAX_LISTED_REPLAYS } from './replay-list';

/** Names read from the folder before sorting: a huge folder is not read whole. */
const MAX_DIR_ENTRIES = 20_000;
/** Where a deleted demo goes: out of the list (the list reads the folder's top level only), not yet gone from the disk. */
export const DELETED_SUBDIR = 'deleted';

export interface ReplayLibraryOptions {
  /** `<dataDir>/replays`. */
  dir: string;
  publish(view: ReplaysView): void;
  /** Watch the folder and rescan on a change (default true). */
  watch?: boolean;
  /** Quiet time after a change before the rescan (default 300 ms): a demo being moved in is one rescan. */
  debounceMs?: number;
  /** Entries listed (and cached) at most, newest first (default 2000). */
  maxEntries?: number;
  /**
   * Files read before the list so far is first published (default 50), then twice as many before each next one: a large
   * folder fills in steps, and a full one (2000) in about six lists rather than forty.
   */
  batch?: number;
  logger?: Logger;
}

/** A file name the list may hold: a plain name in the folder, never a path. */
export function isReplayName(file: string): boolean {
  return file.length <= 255 && file.endsWith('.sdfz') && !file.startsWith('.') && !/[/\\\0]/.test(file);
}

/** The view of a demo read whole: the roster grouped by ally team, names as the demo has them (the reader clipped them). */
export function replayView(file: ReplayFileView, replay: Replay): ReplayGoodView {
  const allyTeams = [...new Set([...replay.allyTeams, ...replay.players.flatMap((p) => (p.allyTeam === null ? [] : [p.allyTeam]))])].sort((a, b) => a - b);
  return {
    ...file,
    status: 'ok',
    startedAt: replay.startedAt,
    map: replay.map,
    game: replay.game,
    engine: replay.header.engineVersion,
    durationS: replay.durationS,
    teams: allyTeams.map((allyTeam) => ({
      allyTeam,
      players: replay.players.filter((p) => !p.spectator && p.allyTeam === allyTeam).map((p) => p.name),
      bots: replay.bots.filter((b) => b.allyTeam === allyTeam).map((b) => b.name),
    })),
    spectators: replay.players.filter((p) => p.spectator).map((p) => p.name),
    winners: [...replay.winners],
    winnersMissing: replay.winnersMissing,
  };
}

export class ReplayLibrary {
  private readonly cache = new Map<string, ReplayEntryView>();
  private view: ReplaysView = { entries: [], scanning: false };
  private signature = '';
  private watcher: FSWatcher | null = null;
  private timer: NodeJS.Timeout | null = null;
  private scan: Promise<void> | null = null;
  private again: Promise<void> | null = null;
  private closed = false;
  private parsedCount = 0;
  readonly dir: string;

  constructor(private readonly options: ReplayLibraryOptions) {
    this.dir = path.resolve(options.dir);
  }

  /** Files read (parsed) so far; a cache hit does not count. */
  get parsed(): number {
    return this.parsedCount;
  }

  snapshot(): ReplaysView {
    return this.view;
  }

  /** Creates the folder when missing, starts watching it, and lists it. */
  async start(): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 }).catch(() => undefined);
    if (this.options.watch !== false && !this.closed) {
      try {
        this.watcher = watch(this.dir, { persistent: false }, () => this.schedule());
        this.watcher.on('error', (error) => {
          this.options.logger?.warn(`replays: watching the folder stopped: ${error.message}`);
          this.watcher?.close();
          this.watcher = null;
        });
      } catch (error) {
        this.options.logger?.warn(`replays: cannot watch the folder: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    await this.refresh();
  }

  /** Lists the folder again; a refresh asked for while one runs is one more scan after it, shared by every caller. */
  refresh(): Promise<void> {
    if (this.closed) return Promise.resolve();
    if (this.scan === null) {
      const run = this.rescan().finally(() => {
        this.scan = null;
      });
      this.scan = run;
      return run;
    }
    this.again ??= this.scan.catch(() => undefined).then(() => {
      this.again = null;
      return this.refresh();
    });
    return this.again;
  }

  /** The entry of a listed file, or undefined. */
  entry(file: string): ReplayEntryView | undefined {
    return isReplayName(file) ? this.view.entries.find((e) => e.file === file) : undefined;
  }

  /** The full path of a listed file; throws for a name the list does not hold. */
  pathOf(file: string): string {
    if (this.entry(file) === undefined) throw new Error('that replay is not in the list');
    return path.join(this.dir, file);
  }

  /** Moves a listed demo into `deleted/` (a name taken there gets `-1`, `-2`, …; nothing is overwritten), then lists again. */
  async delete(file: string): Promise<void> {
    const from = this.pathOf(file);
    const bin = path.join(this.dir, DELETED_SUBDIR);
    await mkdir(bin, { recursive: true, mode: 0o700 });
    const stem = file.slice(0, -'.sdfz'.length);
    for (let n = 0; n < 100; n++) {
      const target = path.join(bin, n === 0 ? file : `${stem}-${n}.sdfz`);
      try {
        await link(from, target);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue;
        throw error;
      }
      await unlink(from);
      this.cache.delete(file);
      await this.refresh();
      return;
    }
    throw new Error('the deleted replays folder has too many demos of that name');
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.watcher?.close();
    this.watcher = null;
    await this.scan?.catch(() => undefined);
    await this.again?.catch(() => undefined);
  }

  private schedule(): void {
    if (this.closed) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.refresh().catch((error: unknown) => this.options.logger?.warn(`replays: ${String(error)}`));
    }, this.options.debounceMs ?? 300);
  }

  private publish(view: ReplaysView): void {
    const signature = `${view.scanning}|${view.error ?? ''}|${view.entries.map((e) => `${e.file}:${e.size}:${e.mtimeMs}`).join('/')}`;
    if (signature === this.signature) return;
    this.signature = signature;
    this.view = view;
    this.options.publish(view);
  }

  private async rescan(): Promise<void> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      this.cache.clear();
      this.publish({ entries: [], scanning: false, ...(code === 'ENOENT' ? {} : { error: `The replays folder cannot be read (${code ?? 'error'}).` }) });
      return;
    }
    const max = this.options.maxEntries ?? MAX_LISTED_REPLAYS;
    const batch = this.options.batch ?? 50;
    const demos = names.slice(0, MAX_DIR_ENTRIES).filter(isReplayName).sort().reverse().slice(0, max);
    const entries: ReplayEntryView[] = [];
    let readSinceShown = 0;
    let step = batch;
    for (const file of demos) {
      if (this.closed) return;
      const full = path.join(this.dir, file);
      const info = await lstat(full).catch(() => null);
      if (!info?.isFile()) continue;
      const identity: ReplayFileView = { file, size: info.size, mtimeMs: info.mtimeMs };
      const cached = this.cache.get(file);
      if (cached !== undefined && cached.size === identity.size && cached.mtimeMs === identity.mtimeMs) {
        entries.push(cached);
        continue;
      }
      const entry = await this.read(full, identity);
      this.cache.set(file, entry);
      entries.push(entry);
      if (++readSinceShown >= step) {
        readSinceShown = 0;
        step *= 2;
        this.publish({ entries: [...entries], scanning: true });
      }
    }
    // The cache holds what is listed and no more: bounded by the list's own bound.
    const listed = new Set(entries.map((e) => e.file));
    for (const file of this.cache.keys()) if (!listed.has(file)) this.cache.delete(file);
    this.publish({ entries, scanning: false });
  }

  private async read(full: string, identity: ReplayFileView): Promise<ReplayEntryView> {
    this.parsedCount++;
    try {
      return replayView(identity, await readReplay(full));
    } catch (error) {
      const replayError = error instanceof ReplayError ? error : new ReplayError('corrupt', 'the demo could not be read');
      return { ...identity, status: 'damaged', code: replayError.code, message: replayError.message };
    }
  }
}
