// A Map of expiring entries with a hard cap: expired entries go first, then the oldest (insertion order), so nobody outside can grow it without bound.
export class ExpiringMap<V extends { readonly expiresAt: number }> {
  private readonly entries = new Map<string, V>();

  constructor(private readonly capacity: number, private readonly now: () => number) {}

  get size(): number {
    return this.entries.size;
  }

  /** The live entry; an expired one is dropped on the way. */
  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (entry && entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  /** Single use: the entry is gone whatever the caller does with it. */
  take(key: string): V | undefined {
    const entry = this.get(key);
    this.entries.delete(key);
    return entry;
  }

  set(key: string, value: V): void {
    this.entries.delete(key);
    this.prune();
    for (const oldest of this.entries.keys()) {
      if (this.entries.size < this.capacity) break;
      this.entries.delete(oldest);
    }
    this.entries.set(key, value);
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  /** Every live entry, oldest first. */
  *[Symbol.iterator](): IterableIterator<[string, V]> {
    const now = this.now();
    for (const [key, value] of [...this.entries]) if (value.expiresAt > now) yield [key, value];
  }

  prune(): void {
    const now = this.now();
    for (const [key, entry] of this.entries) if (entry.expiresAt <= now) this.entries.delete(key);
  }
}
