// The protocol endpoint on an in-memory pair of transports: correlation, answers to the peer's requests, and validation both ways.
import { describe, expect, it } from 'vitest';
import { FailWith, OutboundSchemaError, TachyonEndpoint } from '../../src-main/core/protocol/endpoint';
import { createMemoryLogger } from '../../src-main/core/log';
import { Backoff } from '../../src-main/core/connection/backoff';
import { tachyonUrl } from '../../src-main/core/connection/server-url';
import { redactedJson } from '../../src-main/core/protocol/redact';

function pair(options: { timeoutMs?: number; maxPending?: number } = {}) {
  const wireA: string[] = [];
  const wireB: string[] = [];
  const closed: string[] = [];
  const a = new TachyonEndpoint({
    send: (t) => { wireA.push(t); queueMicrotask(() => b.receive(t)); }, closeForViolation: (r) => closed.push(r), logger: createMemoryLogger(),
    requestTimeoutMs: options.timeoutMs, maxPendingRequests: options.maxPending,
  });
  const b = new TachyonEndpoint({ send: (t) => { wireB.push(t); queueMicrotask(() => a.receive(t)); }, closeForViolation: (r) => closed.push(r), logger: createMemoryLogger() });
  return { a, b, wireA, wireB, closed };
}

describe('TachyonEndpoint', () => {
  it('correlates requests and responses by messageId', async () => {
    const { a, b } = pair();
    b.handle('system/serverStats', () => ({ userCount: 42 }));
    const [one, two] = await Promise.all([a.call('system/serverStats'), a.call('system/serverStats')]);
    expect(one).toEqual({ userCount: 42 });
    expect(two).toEqual({ userCount: 42 });
    expect(a.pendingCount).toBe(0);
  });

  it('never sends an invalid outbound message: it throws instead', () => {
    const { a, wireA } = pair();
    expect(() => a.sendEvent('matchmaking/found', { queueId: 7 as unknown as string, timeoutMs: 1 })).toThrow(OutboundSchemaError);
    expect(() => a.request('messaging/send', { target: { type: 'player', userId: 'x' }, message: 'x'.repeat(513) })).toThrow(OutboundSchemaError);
    expect(wireA).toEqual([]);
  });

  it('answers a throwing handler with internal_error, and FailWith with its reason', async () => {
    const { a, b } = pair();
    b.handle('user/info', ({ userId }) => {
      if (userId === 'boom') throw new Error('database on fire with secret hunter2');
      throw new FailWith<'user/info'>('unknown_user');
    });
    await expect(a.call('user/info', { userId: 'boom' })).rejects.toMatchObject({ reason: 'internal_error' });
    await expect(a.call('user/info', { userId: 'nobody' })).rejects.toMatchObject({ reason: 'unknown_user' });
  });

  it('falls back to internal_error when a handler fails with a reason its command does not allow', async () => {
    const { a, b, wireB } = pair();
    b.handle('system/serverStats', () => { throw new FailWith('no_such_reason' as never); });
    await expect(a.call('system/serverStats')).rejects.toMatchObject({ reason: 'internal_error' });
    expect(wireB.join()).not.toContain('no_such_reason');
  });

  it('answers a handler whose success data breaks the schema with internal_error', async () => {
    const { a, b } = pair();
    b.handle('system/serverStats', () => ({ userCount: 'many' }) as never);
    await expect(a.call('system/serverStats')).rejects.toMatchObject({ reason: 'internal_error' });
  });

  it('times requests out, bounds the pending map, and rejects everything on close', async () => {
    const { a } = pair({ timeoutMs: 50, maxPending: 2 });
    // Nobody answers user/info on b... b answers command_unimplemented; use a silent peer instead:
    const silent = new TachyonEndpoint({ send: () => {}, closeForViolation: () => {}, logger: createMemoryLogger(), requestTimeoutMs: 50, maxPendingRequests: 2 });
    await expect(silent.call('system/serverStats')).rejects.toThrow(/no answer within 50 ms/);
    // Callers branch on the typed cause, never on the message text.
    await expect(silent.call('system/serverStats')).rejects.toMatchObject({ name: 'RequestAbortedError', cause: 'timeout' });
    const p1 = silent.call('system/serverStats');
    const p2 = silent.call('system/serverStats');
    await expect(silent.call('system/serverStats')).rejects.toThrow(/2 requests already waiting/);
    await expect(silent.call('system/serverStats')).rejects.toMatchObject({ cause: 'overloaded' });
    silent.close(new Error('socket closed'));
    await expect(p1).rejects.toThrow(/connection closed before an answer/);
    await expect(p1).rejects.toMatchObject({ cause: 'closed' });
    await expect(p2).rejects.toThrow(/connection closed/);
    await expect(silent.call('system/serverStats')).rejects.toThrow(/not sent/);
    await expect(silent.call('system/serverStats')).rejects.toMatchObject({ cause: 'closed' });
    void a;
  });

  it('closes for a frame that is not JSON and counts every kind of bad input', () => {
    const { a, closed } = pair();
    a.receive('nope{');
    a.receive('{"type":"event","messageId":"1","commandId":"user/updated","data":{}}');
    a.receive('{"type":"response","messageId":"zzz","commandId":"system/serverStats","status":"success","data":{"userCount":1}}');
    expect(closed).toEqual(['unparseable JSON']);
    expect(a.counters).toMatchObject({ unparseable: 1, invalidInbound: 1, unknownResponses: 1 });
  });
});

describe('Backoff', () => {
  it('retries first within about a second, grows, and caps at 30 s with jitter', () => {
    const low = new Backoff({ random: () => 0 });
    const high = new Backoff({ random: () => 0.999 });
    const lows = Array.from({ length: 12 }, () => low.next());
    const highs = Array.from({ length: 12 }, () => high.next());
    expect(highs[0]).toBeLessThanOrEqual(1_000);
    expect(lows[0]).toBeGreaterThanOrEqual(500);
    expect(Math.max(...highs)).toBeLessThanOrEqual(30_000);
    expect(lows.at(-1)).toBe(15_000);
    expect(lows).toEqual(lows.slice().sort((x, y) => x - y));
    low.reset();
    expect(low.next()).toBe(500);
  });
});

describe('server addresses and redaction', () => {
  it('maps http(s) to ws(s)/tachyon and keeps plain ws for loopback only', () => {
    expect(tachyonUrl('https://lobby.example.org').href).toBe('wss://lobby.example.org/tachyon');
    expect(tachyonUrl('https://lobby.example.org/base/').href).toBe('wss://lobby.example.org/base/tachyon');
    expect(tachyonUrl('http://127.0.0.1:8200').href).toBe('ws://127.0.0.1:8200/tachyon');
    expect(tachyonUrl('http://localhost:8200').href).toBe('ws://localhost:8200/tachyon');
    expect(() => tachyonUrl('http://10.0.0.1')).toThrow(/unencrypted/);
    expect(() => tachyonUrl('ftp://x')).toThrow(/unsupported scheme/);
    expect(() => tachyonUrl('https://user:pw@x.org')).toThrow(/credentials/);
  });

  it('redacts passwords and tokens at any depth', () => {
    const text = redactedJson({ data: { password: 'p1', nested: [{ access_token: 't1', refresh_token: 'r1', code_verifier: 'v1' }], username: 'alice' } });
    for (const secret of ['p1', 't1', 'r1', 'v1']) expect(text).not.toContain(secret);
    expect(text).toContain('alice');
  });
});
