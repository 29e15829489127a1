// A deadline for one promise whose timer is always cleared, however the race ends. No Node import: any runtime may use it.

export class TimeoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TimeoutError';
  }
}

/**
 * Settles as `promise` does, or rejects with a TimeoutError after `ms`. The timer is cleared as soon as either side wins,
 * so nothing keeps the event loop alive or fires late (unlike `Promise.race` with a bare `setTimeout`).
 */
export function withTimeout<T>(promise: Promise<T>, ms: number, message = `no answer within ${ms} ms`): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new TimeoutError(message)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
