// The composables outside any component: an intent whose call rejects shows an error, and each caller of useNow ticks at its own period.
import { effectScope } from 'vue';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { IpcResult } from '../../src-main/contract';
import { NO_ANSWER_WORDS, useAction } from '../../src-renderer/composables/action';
import { useNow } from '../../src-renderer/composables/clock';

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('useAction', () => {
  it('turns a rejected call into an error the component shows, not an unhandled rejection', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const action = useAction();
    const result = await action.run((): Promise<IpcResult<null>> => Promise.reject(new Error('bridge gone')));
    expect(result).toBeUndefined();
    expect(action.error.value).toBe(NO_ANSWER_WORDS);
    expect(action.pending.value).toBe(false);
    // The next call starts clean.
    expect(await action.run(async (): Promise<IpcResult<number>> => ({ ok: true, value: 7 }))).toBe(7);
    expect(action.error.value).toBeNull();
  });

  it('still shows an intent refused by main in its words', async () => {
    const action = useAction();
    await action.run(async (): Promise<IpcResult<null>> => ({ ok: false, code: 'invalid_input', message: 'Engine folder "/x" does not exist.' }));
    expect(action.error.value).toBe('Engine folder "/x" does not exist.');
  });
});

describe('useNow', () => {
  it('gives each caller the period it asked for, whoever came first', () => {
    vi.useFakeTimers({ now: 0 });
    const scope = effectScope();
    const [slow, fast] = scope.run(() => [useNow(1000), useNow(100)])!;
    vi.advanceTimersByTime(100);
    expect(fast.value).toBe(100);
    expect(slow.value).toBe(0);
    vi.advanceTimersByTime(900);
    expect(fast.value).toBe(1000);
    expect(slow.value).toBe(1000);
    scope.stop();
    // Every timer goes with its last user.
    expect(vi.getTimerCount()).toBe(0);
  });

  it('shares one timer between callers of the same period', () => {
    vi.useFakeTimers({ now: 0 });
    const first = effectScope();
    const second = effectScope();
    const a = first.run(() => useNow(250))!;
    const b = second.run(() => useNow(250))!;
    expect(vi.getTimerCount()).toBe(1);
    first.stop();
    vi.advanceTimersByTime(250);
    expect(b.value).toBe(250);
    expect(a).toBe(b);
    second.stop();
    expect(vi.getTimerCount()).toBe(0);
  });
});
