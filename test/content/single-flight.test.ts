import { describe, expect, it } from 'vitest';
import { SingleFlight } from '../../src-main/core/content/single-flight';

class Cancelled extends Error {}
const cancelled = () => new Cancelled('cancelled');

/** Jobs the test settles by hand (the latest started unless told); on abort one settles only when `stop` is called, like a download tidying up. */
function manualJob() {
  const runs: { signal: AbortSignal; emit: (p: number) => void; finish: (v: string) => void; stop: () => void }[] = [];
  const start = (signal: AbortSignal, emit: (p: number) => void) => new Promise<string>((resolve, reject) => {
    runs.push({ signal, emit, finish: resolve, stop: () => reject(new Error('stopped')) });
  });
  const run = (index: number) => {
    const found = runs[index < 0 ? runs.length + index : index];
    if (!found) throw new Error('no such run');
    return found;
  };
  return {
    start,
    get starts() { return runs.length; },
    get signal() { return run(-1).signal; },
    emit: (p: number, index = -1) => run(index).emit(p),
    finish: (v: string, index = -1) => run(index).finish(v),
    stop: (index = -1) => run(index).stop(),
  };
}

describe('SingleFlight', () => {
  it('runs one job per key; a second caller joins it and its progress', async () => {
    const flights = new SingleFlight<string, number>();
    const job = manualJob();
    const seenA: number[] = [];
    const seenB: number[] = [];
    const a = flights.join('k', { onProgress: (p) => seenA.push(p) }, job.start, cancelled);
    const b = flights.join('k', { onProgress: (p) => seenB.push(p) }, job.start, cancelled);
    expect(job.starts).toBe(1);
    job.emit(7);
    job.finish('done');
    await expect(a).resolves.toBe('done');
    await expect(b).resolves.toBe('done');
    expect(seenA).toEqual([7]);
    expect(seenB).toEqual([7]);
  });

  it('an abort by one of two callers detaches only that caller', async () => {
    const flights = new SingleFlight<string, number>();
    const job = manualJob();
    const quitter = new AbortController();
    const seen: number[] = [];
    const a = flights.join('k', { signal: quitter.signal, onProgress: (p) => seen.push(p) }, job.start, cancelled);
    const b = flights.join('k', {}, job.start, cancelled);
    quitter.abort();
    await expect(a).rejects.toBeInstanceOf(Cancelled);
    expect(job.signal.aborted).toBe(false);
    job.emit(1);
    expect(seen).toEqual([]);
    job.finish('done');
    await expect(b).resolves.toBe('done');
  });

  it('aborts the job once every caller has aborted, and tells the last one after the job stopped', async () => {
    const flights = new SingleFlight<string, number>();
    const job = manualJob();
    const one = new AbortController();
    const two = new AbortController();
    const a = flights.join('k', { signal: one.signal }, job.start, cancelled);
    const b = flights.join('k', { signal: two.signal }, job.start, cancelled);
    one.abort();
    await expect(a).rejects.toBeInstanceOf(Cancelled);
    let heard = false;
    const last = b.catch((error: unknown) => { heard = true; throw error; });
    two.abort();
    expect(job.signal.aborted).toBe(true);
    // A new request after the last abort starts afresh rather than joining the dying job.
    const fresh = flights.join('k', {}, job.start, cancelled);
    expect(job.starts).toBe(2);
    await Promise.resolve();
    expect(heard).toBe(false);
    job.stop(0);
    await expect(last).rejects.toBeInstanceOf(Cancelled);
    job.finish('again');
    await expect(fresh).resolves.toBe('again');
  });

  it('rejects an already aborted caller without starting, and forgets a job once it settles', async () => {
    const flights = new SingleFlight<string, number>();
    const job = manualJob();
    await expect(flights.join('k', { signal: AbortSignal.abort() }, job.start, cancelled)).rejects.toBeInstanceOf(Cancelled);
    expect(job.starts).toBe(0);
    const first = flights.join('k', {}, job.start, cancelled);
    expect(flights.size).toBe(1);
    job.stop();
    await expect(first).rejects.toThrow('stopped');
    expect(flights.size).toBe(0);
    const second = flights.join('k', {}, job.start, cancelled);
    expect(job.starts).toBe(2);
    job.finish('ok');
    await expect(second).resolves.toBe('ok');
    expect(flights.size).toBe(0);
  });
});
