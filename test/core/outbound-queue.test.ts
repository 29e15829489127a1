// The client's outbound limiter on a fake clock: within its bucket (Teiserver's 10 a second, burst 20, less two tokens of
// headroom) frames go at once, past it they wait in order and none is dropped; a quit's last frame does not wait behind a queue.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CLIENT_RATE_LIMIT, OutboundQueue, SERVER_RATE_LIMIT } from '../../src-main/core/connection/outbound-queue';
import { TokenBucket } from '../../src-main/shared/token-bucket';

beforeEach(() => {
  vi.useFakeTimers({ now: 0, toFake: ['setTimeout', 'clearTimeout', 'Date'] });
});
afterEach(() => {
  vi.useRealTimers();
});

function recorder() {
  const written: { at: number; text: string }[] = [];
  const queue = new OutboundQueue((text) => written.push({ at: Date.now(), text }), CLIENT_RATE_LIMIT);
  return { written, queue };
}

describe('the outbound queue', () => {
  it('sends a burst of 18 at once, then 10 a second, in order, dropping nothing', async () => {
    const { written, queue } = recorder();
    const frames = Array.from({ length: 65 }, (_, i) => `frame ${i}`);
    for (const frame of frames) queue.send(frame);
    expect(written).toHaveLength(18);
    expect(queue.queued).toBe(47);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(written).toHaveLength(28);
    await vi.advanceTimersByTimeAsync(4_500);
    expect(written.map((w) => w.text)).toEqual(frames);
    // Teiserver's bucket, fed the same moments, refuses none of them; nor when the first burst arrives 200 ms late and the
    // rest on time (what a bucket equal to the server's would not survive).
    for (const lateMs of [0, 200]) {
      let clock = 0;
      const server = new TokenBucket(SERVER_RATE_LIMIT.perSecond, SERVER_RATE_LIMIT.burst, () => clock);
      for (const [i, { at }] of written.entries()) {
        clock = i < 18 ? at + lateMs : Math.max(clock, at);
        expect(server.take()).toBe(true);
      }
    }
    for (let i = 0; i < written.length; i++) {
      const inWindow = written.filter((w) => w.at >= (written[i]?.at ?? 0) && w.at < (written[i]?.at ?? 0) + 1_000).length;
      expect(inWindow).toBeLessThanOrEqual(28); // burst 18 + 10 refilled within one second
    }
  });

  it('keeps later frames behind waiting ones, even once tokens are back', async () => {
    const { written, queue } = recorder();
    for (let i = 0; i < 19; i++) queue.send(`a${i}`);
    expect(written).toHaveLength(18);
    await vi.advanceTimersByTimeAsync(50);
    queue.send('b');
    expect(queue.queued).toBe(2);
    await vi.advanceTimersByTimeAsync(300);
    expect(written.map((w) => w.text).slice(-2)).toEqual(['a18', 'b']);
  });

  it('drops what waits for a quit, so its last frame goes next; drained() says when it is on the wire', async () => {
    const { written, queue } = recorder();
    for (let i = 0; i < 40; i++) queue.send(`r${i}`);
    queue.discardWaiting();
    queue.send('system/disconnect');
    let drained = false;
    void queue.drained().then(() => { drained = true; });
    await vi.advanceTimersByTimeAsync(100);
    expect(drained).toBe(true);
    expect(written.map((w) => w.text).slice(-1)).toEqual(['system/disconnect']);
    expect(written).toHaveLength(19);
  });

  it('writes nothing after stop() and leaves no timer behind', async () => {
    const { written, queue } = recorder();
    for (let i = 0; i < 25; i++) queue.send(`x${i}`);
    queue.stop();
    expect(vi.getTimerCount()).toBe(0);
    queue.send('late');
    await vi.advanceTimersByTimeAsync(2_000);
    expect(written).toHaveLength(18);
  });

  it('without a limit, writes everything at once', () => {
    const written: string[] = [];
    const queue = new OutboundQueue((text) => written.push(text), null);
    for (let i = 0; i < 100; i++) queue.send(String(i));
    expect(written).toHaveLength(100);
  });
});
