// withTimeout: the value or the error of the promise, a TimeoutError when it is late, and never a timer left behind.
import { describe, expect, it } from 'vitest';
import { TimeoutError, withTimeout } from '../../src-main/shared/with-timeout';

const timers = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;

describe('withTimeout', () => {
  it('passes a value or an error through and clears its timer at once', async () => {
    const before = timers();
    await expect(withTimeout(Promise.resolve(7), 60_000)).resolves.toBe(7);
    expect(timers()).toBe(before);
    await expect(withTimeout(Promise.reject(new Error('refused')), 60_000)).rejects.toThrow('refused');
    expect(timers()).toBe(before);
  });

  it('rejects with a TimeoutError when the promise is late, and leaves no timer', async () => {
    const before = timers();
    const never = new Promise<never>(() => {});
    const late = withTimeout(never, 20, 'the server did not say goodbye');
    await expect(late).rejects.toBeInstanceOf(TimeoutError);
    await expect(late).rejects.toThrow('the server did not say goodbye');
    expect(timers()).toBe(before);
  });
});
