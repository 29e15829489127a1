// Queue-ready: before a queue (or a battle) the engines, games and maps it names are checked on disk, and what is missing
// is fetched through the download manager, each item noting why. Resolves only when every one is there.
import { ContentScanCache, matchContent, quoteForMessage } from '../engine';
import type { DownloadKind } from '../../shared/downloads-view';
import { DownloadError, type DownloadManager } from './downloads';

export interface ContentNeeds {
  readonly engines: readonly string[];
  readonly games: readonly string[];
  readonly maps: readonly string[];
}

export interface MissingItem {
  readonly kind: DownloadKind;
  readonly name: string;
}

export interface ContentReadinessOptions {
  readonly manager: DownloadManager;
  /** The data dirs the engine reads (the download dir among them), with the engines' own data dirs. */
  readonly dataDirs: () => Promise<readonly string[]>;
  /** Is this engine version installed? (The engine registry's lookup.) */
  readonly hasEngine: (version: string) => Promise<boolean>;
  /** Told what is about to be fetched and why (the lobby shows a notice). */
  readonly onFetching?: (missing: readonly MissingItem[], why: string) => void;
  /** Called once downloads have finished: the engine registry may look again. */
  readonly onInstalled?: (kinds: ReadonlySet<DownloadKind>) => Promise<void>;
}

/** Names asked for at once: a playlist naming hundreds of maps is not a reason to scan or fetch hundreds. */
const MAX_NEEDS = 64;

export class ContentNotReadyError extends Error {
  constructor(message: string, readonly code: 'cancelled' | 'failed') {
    super(message);
    this.name = 'ContentNotReadyError';
  }
}

export class ContentReadiness {
  private readonly scan = new ContentScanCache();

  constructor(private readonly options: ContentReadinessOptions) {}

  /** What of `needs` is not on disk. */
  async missing(needs: ContentNeeds): Promise<MissingItem[]> {
    const uniq = (list: readonly string[]) => [...new Set(list.filter((n) => typeof n === 'string' && n.length > 0))].slice(0, MAX_NEEDS);
    const out: MissingItem[] = [];
    for (const version of uniq(needs.engines)) if (!(await this.options.hasEngine(version))) out.push({ kind: 'engine', name: version });
    const games = uniq(needs.games);
    const maps = uniq(needs.maps);
    if (games.length + maps.length === 0) return out;
    const archives = await this.scan.archives(await this.options.dataDirs());
    for (const game of games) if (matchContent(archives, game, '').game === undefined) out.push({ kind: 'game', name: game });
    for (const map of maps) if (matchContent(archives, '', map).map === undefined) out.push({ kind: 'map', name: map });
    return out;
  }

  /**
   * Fetches whatever of `needs` is missing and resolves when all of it is there; rejects with every failure in words
   * (`map "X" could not be downloaded: …`). Nothing missing: resolves at once, and nothing is downloaded.
   */
  async ensure(needs: ContentNeeds, why: string): Promise<readonly MissingItem[]> {
    const missing = await this.missing(needs);
    if (missing.length === 0) return missing;
    this.options.onFetching?.(missing, why);
    const results = await Promise.allSettled(missing.map((m) => this.options.manager.ensure(m.kind, m.name, why)));
    const done = new Set(missing.filter((_, i) => results[i]!.status === 'fulfilled').map((m) => m.kind));
    if (done.size > 0) await this.options.onInstalled?.(done).catch(() => undefined);
    const failures = missing.flatMap((m, i) => {
      const result = results[i]!;
      return result.status === 'rejected' ? [{ item: m, error: result.reason as unknown }] : [];
    });
    if (failures.length === 0) return missing;
    const cancelled = failures.every((f) => f.error instanceof DownloadError && f.error.code === 'cancelled');
    const words = failures.map((f) => `${f.item.kind} ${quoteForMessage(f.item.name)} ${cancelled ? 'was cancelled' : `could not be downloaded: ${f.error instanceof Error ? f.error.message : String(f.error)}`}`);
    throw new ContentNotReadyError(words.join('; '), cancelled ? 'cancelled' : 'failed');
  }
}
