// Exponential backoff with jitter for reconnects: first retry within about a second, capped, never a hot loop.
export interface BackoffOptions {
  baseMs?: number;
  capMs?: number;
  /** Injected for tests; Math.random in production. */
  random?: () => number;
}

export class Backoff {
  private attempt = 0;
  private readonly baseMs: number;
  private readonly capMs: number;
  private readonly random: () => number;

  constructor(options: BackoffOptions = {}) {
    this.baseMs = options.baseMs ?? 1_000;
    this.capMs = options.capMs ?? 30_000;
    this.random = options.random ?? Math.random;
  }

  get attempts(): number {
    return this.attempt;
  }

  /** The wait before the next try: half the exponential step plus a random half, so many clients spread out. */
  next(): number {
    const step = Math.min(this.capMs, this.baseMs * 2 ** Math.min(this.attempt, 30));
    this.attempt++;
    return Math.round(step / 2 + this.random() * (step / 2));
  }

  reset(): void {
    this.attempt = 0;
  }
}
