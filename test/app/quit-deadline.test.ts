// Quitting's deadline: a close that never ends does not hold the process; one that ends (or fails) in time is waited for.
import { describe, expect, it } from 'vitest';
import { QUIT_DEADLINE_MS, settleWithin } from '../../src-main/app/quit-deadline';

describe('quit deadline', () => {
  it('gives up on a close that never settles', async () => {
    expect(await settleWithin(new Promise(() => {}), 20)).toBe(false);
  });

  it('waits for a close that settles, and counts a failed close as done', async () => {
    expect(await settleWithin(Promise.resolve(), 60_000)).toBe(true);
    expect(await settleWithin(Promise.reject(new Error('server gone')), 60_000)).toBe(true);
    // The deadline main uses is seconds, not minutes: the window is already gone when it runs.
    expect(QUIT_DEADLINE_MS).toBeLessThanOrEqual(10_000);
  });
});
