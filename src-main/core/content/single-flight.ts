/** What one caller brings to a flight: its own cancel and its own progress listener. */
export interface FlightCaller<P> {
  readonly signal?: AbortSignal | undefined;
  readonly onProgress?: ((progress: P) => void) | undefined;
}

interface Flight<T, P> {
  readonly promise: Promise<T>;
  readonly controller: AbortController;
  readonly listeners: Set<(progress: P) => void>;
  waiters: number;
}

/**
 * One running job per key, so two callers never download one item into the same temp files: a later caller joins the
 * running job and its progress; a caller's abort only detaches that caller, and the job is aborted only when every
 * caller has aborted. The job is forgotten once it settles.
 */
export class SingleFlight<T, P> {
  private readonly flights = new Map<string, Flight<T, P>>();

  /** Joins the job for `key`, starting it with `start` if none runs; `cancelled` makes the error an aborted caller gets. */
  join(key: string, caller: FlightCaller<P>, start: (signal: AbortSignal, emit: (progress: P) => void) => Promise<T>, cancelled: () => Error): Promise<T> {
    const { signal, onProgress } = caller;
    if (signal?.aborted) return Promise.reject(cancelled());
    let flight = this.flights.get(key);
    if (!flight) {
      const controller = new AbortController();
      const listeners = new Set<(progress: P) => void>();
      const promise = start(controller.signal, (progress) => { for (const listener of listeners) listener(progress); })
        .finally(() => { if (this.flights.get(key) === flight) this.flights.delete(key); });
      flight = { promise, controller, listeners, waiters: 0 };
      this.flights.set(key, flight);
    }
    const joined = flight;
    joined.waiters++;
    if (onProgress) joined.listeners.add(onProgress);
    return new Promise<T>((resolve, reject) => {
      const leave = () => {
        if (onProgress) joined.listeners.delete(onProgress);
        signal?.removeEventListener('abort', onAbort);
      };
      const onAbort = () => {
        leave();
        if (--joined.waiters > 0) return reject(cancelled());
        // Nobody waits any more: a new request starts afresh rather than joining a dying job, and the caller hears of it
        // only once the job has stopped (its requests ended, its temp files tidied).
        if (this.flights.get(key) === joined) this.flights.delete(key);
        joined.controller.abort();
        joined.promise.then(() => reject(cancelled()), () => reject(cancelled()));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      joined.promise.then(
        (result) => { if (!signal?.aborted) { leave(); resolve(result); } },
        (error: unknown) => { if (!signal?.aborted) { leave(); reject(error as Error); } },
      );
    });
  }

  /** How many keys have a job running (for tests). */
  get size(): number {
    return this.flights.size;
  }
}
