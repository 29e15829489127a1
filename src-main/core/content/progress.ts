// Download progress: counts for the player, and the network speed over the last few seconds.

export interface RapidProgress {
  /** The request as asked (`byar:test`). */
  readonly item: string;
  /** `waiting`: another process is installing this package into the same data dir; this one waits for it to finish. */
  readonly phase: 'resolving' | 'waiting' | 'index' | 'pool' | 'installing' | 'done';
  /** Pool files fetched and verified, of those missing when the download began. */
  readonly filesDone: number;
  readonly filesTotal: number;
  /** Content bytes (uncompressed, as the package index counts them) verified, of those missing. */
  readonly bytesDone: number;
  readonly bytesTotal: number;
  /** Bytes received from the network so far, index files included. */
  readonly networkBytes: number;
  /** Network bytes a second over the last few seconds. */
  readonly bytesPerSecond: number;
}

const WINDOW_MS = 3000;

/** Speed over a sliding window of (time, bytes) samples, one sample at most every 100 ms. */
export class SpeedMeter {
  private readonly samples: Array<[number, number]> = [];
  private total = 0;

  constructor(private readonly now: () => number = Date.now) {
    this.samples.push([now(), 0]);
  }

  add(bytes: number): void {
    this.total += bytes;
    const t = this.now();
    const last = this.samples.at(-1)!;
    if (t - last[0] >= 100) this.samples.push([t, this.total]);
    else if (this.samples.length > 1) last[1] = this.total;
    while (this.samples.length > 2 && t - this.samples[1]![0] > WINDOW_MS) this.samples.shift();
  }

  get bytes(): number {
    return this.total;
  }

  rate(): number {
    const t = this.now();
    const first = this.samples[0]!;
    const elapsed = t - first[0];
    return elapsed <= 0 ? 0 : Math.round(((this.total - first[1]) * 1000) / elapsed);
  }
}
