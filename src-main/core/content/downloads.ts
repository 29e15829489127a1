// The download manager: one list of everything the lobby fetches (games, maps, engines), each item's state, bytes, network
// speed and time left, asked-twice-joins, a bounded number at a time, cancel and retry, the disk checked before a large
// download, and a capped history. Publishes the `downloads` slice, throttled to a few patches a second.
import { statfs } from 'node:fs/promises';
import type { DownloadItemView, DownloadKind, DownloadsView, DownloadState } from '../../shared/downloads-view';
import { SpeedMeter } from './progress';

/** What a fetcher reports while it runs. Bytes are content bytes; `networkBytesPerSecond` what the socket receives. */
export interface FetchProgress {
  readonly phase: 'downloading' | 'verifying';
  readonly bytesDone: number;
  readonly bytesTotal: number | null;
  readonly networkBytesPerSecond: number;
}

export interface FetchOptions {
  readonly signal: AbortSignal;
  readonly onProgress: (progress: FetchProgress) => void;
  /** Awaited once the size is known and before the bulk of the bytes is fetched: throws when the disk has no room. */
  readonly beforeFetch: (bytesTotal: number) => Promise<void>;
}

/** Fetches one item by name into the data dir, verified; rejects with a message fit for the player. */
export type ContentFetcher = (name: string, options: FetchOptions) => Promise<void>;

export type ContentFetchers = Partial<Record<DownloadKind, ContentFetcher>>;

export class DownloadError extends Error {
  constructor(readonly code: 'cancelled' | 'failed' | 'no_space' | 'not_available', message: string) {
    super(message);
    this.name = 'DownloadError';
  }
}

export interface DownloadManagerOptions {
  readonly fetchers: ContentFetchers;
  readonly publish: (view: DownloadsView) => void;
  /** Items fetched at once (default 2). */
  readonly concurrency?: number;
  /** Least time between two patches (default 250 ms); a state change is published at once. */
  readonly throttleMs?: number;
  /** Finished items kept (default 50). */
  readonly historyLimit?: number;
  /** The folder downloads go to, for the disk-space check. */
  readonly dir: string;
  /** A download at least this large is checked against the free space first (default 64 MiB). */
  readonly largeBytes?: number;
  /** Free space kept beyond the download (default 256 MiB). */
  readonly reserveBytes?: number;
  /** Free bytes where the folder is (default: `statfs`); tests pass their own. */
  readonly freeBytes?: (dir: string) => Promise<number>;
  readonly now?: () => number;
  /** Told when an item has been installed (the Library looks again). */
  readonly onDone?: (item: DownloadItemView) => void;
}

const ACTIVE: ReadonlySet<DownloadState> = new Set(['queued', 'downloading', 'verifying']);
/** Reasons kept per item, and active items at most (a hostile playlist may name many maps). */
const MAX_REASONS = 8;
const MAX_ACTIVE = 200;
const NAME_MAX = 256;

interface Item {
  view: DownloadItemView;
  controller: AbortController | null;
  waiters: Array<{ resolve: () => void; reject: (error: DownloadError) => void }>;
  content: SpeedMeter | null;
}

export async function statfsFreeBytes(dir: string): Promise<number> {
  const stats = await statfs(dir);
  return Number(stats.bavail) * Number(stats.bsize);
}

/** Bytes in words for messages: `1.5 GB`. */
export function byteWords(bytes: number): string {
  const units = ['bytes', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return unit === 0 ? `${bytes} bytes` : `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

export class DownloadManager {
  private readonly items = new Map<string, Item>();
  /** Keys (`kind:name`) to item ids, for asking-twice-joins. */
  private readonly byKey = new Map<string, string>();
  private order: string[] = [];
  private nextId = 1;
  private running = 0;
  private timer: NodeJS.Timeout | null = null;
  private lastPublished = 0;
  private closed = false;
  private readonly concurrency: number;
  private readonly throttleMs: number;
  private readonly historyLimit: number;
  private readonly now: () => number;

  constructor(private readonly options: DownloadManagerOptions) {
    this.concurrency = Math.max(1, Math.min(options.concurrency ?? 2, 8));
    this.throttleMs = Math.max(0, options.throttleMs ?? 250);
    this.historyLimit = Math.max(1, options.historyLimit ?? 50);
    this.now = options.now ?? Date.now;
  }

  view(): DownloadsView {
    return { items: this.order.map((id) => this.items.get(id)!.view) };
  }

  /** Can this kind be fetched at all (a fetcher is configured)? */
  canFetch(kind: DownloadKind): boolean {
    return this.options.fetchers[kind] !== undefined;
  }

  /**
   * Fetches the item (or joins the download of it already under way), noting why; resolves once it is installed and
   * verified, rejects with a DownloadError in words. A finished or failed item asked for again runs again.
   */
  ensure(kind: DownloadKind, name: string, why: string): Promise<void> {
    if (this.closed) return Promise.reject(new DownloadError('cancelled', 'the lobby is closing'));
    if (name.length === 0 || name.length > NAME_MAX) return Promise.reject(new DownloadError('failed', `that ${kind} name cannot be downloaded`));
    const key = `${kind}:${name}`;
    let item = this.itemOfKey(key);
    if (item && ACTIVE.has(item.view.state)) {
      if (!item.view.reasons.includes(why)) item.view = { ...item.view, reasons: [...item.view.reasons, why].slice(-MAX_REASONS) };
      this.changed(false);
    } else {
      if (this.activeCount() >= MAX_ACTIVE) return Promise.reject(new DownloadError('failed', 'too many downloads are waiting'));
      if (item) {
        this.requeue(item, why);
      } else {
        item = this.create(kind, name, why);
        this.byKey.set(key, item.view.id);
      }
    }
    const joined = item;
    const promise = new Promise<void>((resolve, reject) => joined.waiters.push({ resolve, reject }));
    this.pump();
    return promise;
  }

  /** Cancels a queued or running item: its callers hear `cancelled`; what was verified stays for a retry. */
  cancel(id: string): boolean {
    const item = this.items.get(id);
    if (!item || !ACTIVE.has(item.view.state)) return false;
    if (item.controller) item.controller.abort();
    else this.finish(item, 'cancelled', new DownloadError('cancelled', `the download of ${item.view.name} was cancelled`));
    return true;
  }

  /** Starts a failed or cancelled item again (a rapid retry fetches only the files still missing). */
  retry(id: string): boolean {
    const item = this.items.get(id);
    if (!item || (item.view.state !== 'failed' && item.view.state !== 'cancelled')) return false;
    this.requeue(item, undefined);
    this.pump();
    return true;
  }

  /** Cancels everything and stops publishing; callers still waiting hear `cancelled`. */
  close(): void {
    if (this.closed) return;
    for (const item of this.items.values()) if (ACTIVE.has(item.view.state)) this.cancel(item.view.id);
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private itemOfKey(key: string): Item | undefined {
    const id = this.byKey.get(key);
    return id === undefined ? undefined : this.items.get(id);
  }

  private activeCount(): number {
    let n = 0;
    for (const item of this.items.values()) if (ACTIVE.has(item.view.state)) n++;
    return n;
  }

  private create(kind: DownloadKind, name: string, why: string): Item {
    const id = `d${this.nextId++}`;
    const item: Item = {
      view: { id, kind, name, state: 'queued', bytesDone: 0, bytesTotal: null, bytesPerSecond: 0, etaSeconds: null, reasons: [why], queuedAt: this.now(), endedAt: null },
      controller: null,
      waiters: [],
      content: null,
    };
    this.items.set(id, item);
    this.order.push(id);
    this.changed(true);
    return item;
  }

  private requeue(item: Item, why: string | undefined): void {
    const reasons = why === undefined || item.view.reasons.includes(why) ? item.view.reasons : [...item.view.reasons, why].slice(-MAX_REASONS);
    const { error: _dropped, ...rest } = item.view;
    item.view = { ...rest, state: 'queued', bytesDone: 0, bytesPerSecond: 0, etaSeconds: null, reasons, queuedAt: this.now(), endedAt: null };
    // Active items sit before the finished ones, in the order they were asked for.
    this.order = this.order.filter((id) => id !== item.view.id);
    const firstFinished = this.order.findIndex((id) => !ACTIVE.has(this.items.get(id)!.view.state));
    this.order.splice(firstFinished < 0 ? this.order.length : firstFinished, 0, item.view.id);
    this.changed(true);
  }

  private pump(): void {
    while (!this.closed && this.running < this.concurrency) {
      const next = this.order.map((id) => this.items.get(id)!).find((item) => item.view.state === 'queued');
      if (!next) return;
      void this.run(next);
    }
  }

  private async run(item: Item): Promise<void> {
    this.running++;
    const controller = new AbortController();
    item.controller = controller;
    item.content = new SpeedMeter(this.now);
    item.view = { ...item.view, state: 'downloading' };
    this.changed(true);
    const fetcher = this.options.fetchers[item.view.kind];
    try {
      if (!fetcher) throw new DownloadError('not_available', `${item.view.kind === 'game' ? 'games' : `${item.view.kind}s`} cannot be downloaded by this lobby yet`);
      await fetcher(item.view.name, {
        signal: controller.signal,
        onProgress: (p) => this.progress(item, p),
        beforeFetch: (bytesTotal) => this.checkSpace(item, bytesTotal),
      });
      if (controller.signal.aborted) throw new DownloadError('cancelled', `the download of ${item.view.name} was cancelled`);
      this.finish(item, 'done');
    } catch (error) {
      if (controller.signal.aborted) this.finish(item, 'cancelled', new DownloadError('cancelled', `the download of ${item.view.name} was cancelled`));
      else {
        const failure = error instanceof DownloadError ? error : new DownloadError('failed', error instanceof Error ? error.message : String(error));
        this.finish(item, 'failed', failure);
      }
    } finally {
      item.controller = null;
      item.content = null;
      this.running--;
      this.pump();
    }
  }

  private progress(item: Item, p: FetchProgress): void {
    if (!ACTIVE.has(item.view.state) || item.controller?.signal.aborted) return;
    const meter = item.content!;
    const done = Math.max(0, p.bytesDone);
    // A retried file takes back what it had counted: the meter follows the total either way.
    if (done !== meter.bytes) meter.add(done - meter.bytes);
    const total = p.bytesTotal === null ? null : Math.max(0, p.bytesTotal);
    // Time left from the content rate (what the total counts), so a compressed transfer is not misjudged.
    const rate = meter.rate();
    const eta = total !== null && rate > 0 ? Math.max(0, Math.ceil((total - done) / rate)) : null;
    item.view = {
      ...item.view,
      state: p.phase,
      bytesDone: done,
      bytesTotal: total,
      bytesPerSecond: Math.max(0, Math.round(p.networkBytesPerSecond)),
      etaSeconds: eta,
    };
    this.changed(false);
  }

  private async checkSpace(item: Item, bytesTotal: number): Promise<void> {
    if (bytesTotal < (this.options.largeBytes ?? 64 * 1024 * 1024)) return;
    let free: number;
    try {
      free = await (this.options.freeBytes ?? statfsFreeBytes)(this.options.dir);
    } catch {
      return; // a file system that cannot say: the download goes on, and a full disk fails it in words
    }
    const needed = bytesTotal + (this.options.reserveBytes ?? 256 * 1024 * 1024);
    if (free < needed) {
      throw new DownloadError('no_space', `not enough disk space for ${item.view.name}: it needs ${byteWords(needed)} and ${byteWords(free)} are free`);
    }
  }

  private finish(item: Item, state: 'done' | 'failed' | 'cancelled', error?: DownloadError): void {
    const { error: _old, ...rest } = item.view;
    item.view = {
      ...rest,
      state,
      bytesPerSecond: 0,
      etaSeconds: null,
      ...(state === 'done' && rest.bytesTotal !== null ? { bytesDone: rest.bytesTotal } : {}),
      ...(error && state === 'failed' ? { error: error.message } : {}),
      endedAt: this.now(),
    };
    // Finished items move behind the active ones, newest first.
    this.order = this.order.filter((id) => id !== item.view.id);
    const firstFinished = this.order.findIndex((id) => !ACTIVE.has(this.items.get(id)!.view.state));
    this.order.splice(firstFinished < 0 ? this.order.length : firstFinished, 0, item.view.id);
    this.trimHistory();
    const waiters = item.waiters;
    item.waiters = [];
    for (const waiter of waiters) {
      if (state === 'done') waiter.resolve();
      else waiter.reject(error ?? new DownloadError('failed', `the download of ${item.view.name} failed`));
    }
    this.changed(true);
    if (state === 'done') this.options.onDone?.(item.view);
  }

  private trimHistory(): void {
    const finished = this.order.filter((id) => !ACTIVE.has(this.items.get(id)!.view.state));
    for (const id of finished.slice(this.historyLimit)) {
      const item = this.items.get(id)!;
      this.items.delete(id);
      const key = `${item.view.kind}:${item.view.name}`;
      if (this.byKey.get(key) === id) this.byKey.delete(key);
      this.order = this.order.filter((other) => other !== id);
    }
  }

  /** A state change goes out at once; progress at most once per `throttleMs`. */
  private changed(now: boolean): void {
    if (this.closed) return;
    const wait = this.lastPublished + this.throttleMs - this.now();
    if (now || wait <= 0) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
      this.flush();
      return;
    }
    this.timer ??= setTimeout(() => {
      this.timer = null;
      this.flush();
    }, wait);
  }

  private flush(): void {
    if (this.closed) return;
    this.lastPublished = this.now();
    this.options.publish(this.view());
  }
}
