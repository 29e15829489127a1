// Every frame the client puts on one socket passes here: within the server's rate limit (Teiserver: 10 a second, burst 20,
// then it closes with 1008) frames go out at once, past it they wait in order. Nothing is dropped while the socket lives.
import { TokenBucket } from '../../shared/token-bucket';

export interface OutboundRate {
  readonly perSecond: number;
  readonly burst: number;
}

/** Teiserver's limit per connection (its transport's token bucket). */
export const SERVER_RATE_LIMIT: OutboundRate = { perSecond: 10, burst: 20 };

/**
 * What the player's connection sends at most: Teiserver's bucket less two tokens. The server counts frames as they arrive, so
 * a bucket equal to its own is refused the first time a burst arrives a little late and the next frame on time; two
 * tokens of headroom absorb 200 ms of such jitter at the full rate.
 */
export const CLIENT_RATE_LIMIT: OutboundRate = { perSecond: SERVER_RATE_LIMIT.perSecond, burst: SERVER_RATE_LIMIT.burst - 2 };

export class OutboundQueue {
  private readonly bucket: TokenBucket | null;
  private readonly waiting: string[] = [];
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private readonly drainListeners: (() => void)[] = [];

  /** `rate` null sends everything at once (a peer without a limit). */
  constructor(private readonly write: (text: string) => void, rate: OutboundRate | null, now: () => number = Date.now) {
    this.bucket = rate ? new TokenBucket(rate.perSecond, rate.burst, now) : null;
  }

  /** Frames waiting for the rate limit. */
  get queued(): number {
    return this.waiting.length;
  }

  send(text: string): void {
    if (this.stopped) return;
    if (this.waiting.length === 0 && (!this.bucket || this.bucket.take())) {
      this.write(text);
      return;
    }
    this.waiting.push(text);
    this.schedule();
  }

  /** Drops what still waits (the player is quitting: those requests no longer matter), so a last frame goes next. */
  discardWaiting(): void {
    this.waiting.length = 0;
    this.settle();
  }

  /** Resolves once nothing waits any more (at once when the queue is empty). */
  drained(): Promise<void> {
    if (this.waiting.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.drainListeners.push(resolve));
  }

  /** The socket is gone: nothing more is written, and the timer is cleared. */
  stop(): void {
    this.stopped = true;
    this.waiting.length = 0;
    this.settle();
  }

  private schedule(): void {
    if (this.timer || !this.bucket) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.pump();
    }, Math.max(1, this.bucket.waitMs()));
  }

  private pump(): void {
    while (this.waiting.length > 0 && !this.stopped && (!this.bucket || this.bucket.take())) {
      this.write(this.waiting.shift() as string);
    }
    if (this.waiting.length > 0 && !this.stopped) this.schedule();
    else this.settle();
  }

  private settle(): void {
    if (this.waiting.length > 0) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    for (const resolve of this.drainListeners.splice(0)) resolve();
  }
}
