// The autohost's recent battle updates: each gets a unique, increasing microsecond time, and a subscriber can resume after any time still kept.
import type { AutohostUpdateEventData } from 'tachyon-protocol/types';

export type BattleUpdate = AutohostUpdateEventData['update'];

export class SinceTooOldError extends Error {
  override readonly name = 'SinceTooOldError';
}

export interface UpdateBufferOptions {
  /** How long updates are kept, and so how far back `since` may reach (recoil-autohost: 10 minutes). */
  maxAgeMs?: number;
  now?: () => number;
}

export class UpdateBuffer {
  private readonly entries: AutohostUpdateEventData[] = [];
  private lastTime = 0;
  private readonly maxAgeUs: number;
  private readonly now: () => number;

  constructor(options: UpdateBufferOptions = {}) {
    this.maxAgeUs = (options.maxAgeMs ?? 10 * 60_000) * 1000;
    this.now = options.now ?? Date.now;
  }

  /** Stamps and keeps an update. Times are `Date.now()*1000`, bumped by 1 µs on a collision. */
  push(battleId: string, update: BattleUpdate): AutohostUpdateEventData {
    const time = Math.max(this.now() * 1000, this.lastTime + 1);
    this.lastTime = time;
    const entry: AutohostUpdateEventData = { battleId, time, update };
    this.entries.push(entry);
    this.prune();
    return entry;
  }

  /** Updates with `time` strictly greater than `since`; a `since` older than what is kept is refused. */
  after(since: number): AutohostUpdateEventData[] {
    if (since < this.oldestAllowedSince()) {
      throw new SinceTooOldError(`since is too far in the past: updates are kept for ${Math.round(this.maxAgeUs / 1e6)} s`);
    }
    this.prune();
    // Times increase, so the first newer entry starts the replay.
    let low = 0;
    let high = this.entries.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.entries[mid]!.time <= since) low = mid + 1;
      else high = mid;
    }
    return this.entries.slice(low);
  }

  /** Every update still kept, oldest first. */
  all(): readonly AutohostUpdateEventData[] {
    return this.entries;
  }

  private oldestAllowedSince(): number {
    return this.now() * 1000 - this.maxAgeUs;
  }

  private prune(): void {
    const limit = this.oldestAllowedSince();
    let drop = 0;
    while (drop < this.entries.length && this.entries[drop]!.time <= limit) drop++;
    if (drop > 0) this.entries.splice(0, drop);
  }
}
