// The connection against the embedded server when attempts race, tokens are unusable, and the server sends what a log or the client must not take.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TachyonConnection, type ConnectionPhase } from '../../src-main/core/connection/tachyon-connection';
import { createMemoryLogger } from '../../src-main/core/log';
import { connected, createWorld, waitFor, type World } from '../support/world';
import { recordLog, recordSecrets } from '../support/secret-ledger';

let world: World;
const logs: string[][] = [];
beforeEach(async () => { world = await createWorld(); });
afterEach(async () => {
  for (const lines of logs.splice(0)) recordLog(lines);
  await world.dispose();
});

function memoryLogger() {
  const logger = createMemoryLogger();
  logs.push(logger.lines);
  return logger;
}

describe('one connect attempt at a time', () => {
  it('opens one socket when retryNow and start come while the token is on its way, and leaves none after close', async () => {
    const { userId, token } = world.server.addPlayer('alice');
    recordSecrets(token);
    // Each getToken call waits until the test hands the token out, as a slow refresh would.
    const pending: ((token: string) => void)[] = [];
    const connection = new TachyonConnection({
      serverUrl: world.server.baseUrl, logger: memoryLogger(), backoff: { baseMs: 20, capMs: 50 },
      getToken: () => new Promise<string>((resolve) => pending.push(resolve)),
    });
    connection.start();
    await waitFor('the first token request', () => pending.length === 1);
    connection.retryNow();
    connection.start();
    // retryNow starts the attempt that counts; start() sees one under way and does nothing.
    expect(pending).toHaveLength(2);
    for (const resolve of pending) resolve(token);
    await waitFor('connected', () => connection.status.phase === 'connected');
    await waitFor('the server sees the session', () => world.server.sessionsOf(userId).length > 0);
    expect(world.server.sessionsOf(userId)).toHaveLength(1);
    await connection.close();
    await waitFor('no session left on the server', () => world.server.sessionsOf(userId).length === 0);
    expect(connection.status.phase).toBe('closed');
  });

  it('opens nothing when closed while the token is on its way', async () => {
    const { userId, token } = world.server.addPlayer('alice');
    let handOut: (token: string) => void = () => {};
    let markAsked: () => void = () => {};
    const asked = new Promise<void>((resolve) => { markAsked = resolve; });
    const connection = new TachyonConnection({
      serverUrl: world.server.baseUrl, logger: memoryLogger(),
      getToken: () => new Promise<string>((resolve) => { handOut = resolve; markAsked(); }),
    });
    connection.start();
    await asked;
    await connection.close();
    handOut(token);
    // A round trip to the server on a fresh socket: had the stale attempt opened one, its upgrade would be there first.
    const probe = world.server.addPlayer('probe');
    const check = new TachyonConnection({ serverUrl: world.server.baseUrl, getToken: () => probe.token, logger: memoryLogger() });
    check.start();
    await waitFor('probe connected', () => check.status.phase === 'connected');
    await check.close();
    expect(world.server.sessionsOf(userId)).toHaveLength(0);
  });
});

describe('tokens that cannot be a bearer token', () => {
  for (const [name, bad] of [['a trailing CR', 'abc\r'], ['an injected header', 'abc\r\nX-Injected: 1'], ['a character above U+00FF', 'tok\u0100en']] as const) {
    it(`refuses a token with ${name} before any socket: unauthorized in words, no retry loop, no unhandled rejection`, async () => {
      const rejections: unknown[] = [];
      const onRejection = (reason: unknown) => rejections.push(reason);
      process.on('unhandledRejection', onRejection);
      try {
        let attempts = 0;
        const logger = memoryLogger();
        const connection = new TachyonConnection({
          serverUrl: world.server.baseUrl, logger, backoff: { baseMs: 20, capMs: 50 },
          getToken: async () => { attempts++; return bad; },
        });
        connection.start();
        const status = await waitFor('unauthorized', () => connection.status.phase === 'unauthorized' && connection.status);
        expect(status.message).toMatch(/^The sign-in token cannot be used: the token holds characters a bearer token cannot .*\. Sign in again\.$/);
        // Nothing retries by itself: a few backoff periods later it is still the one attempt.
        await new Promise((r) => setTimeout(r, 200));
        expect(attempts).toBe(1);
        expect(connection.status.phase).toBe('unauthorized');
        expect(logger.lines.join('\n')).not.toContain(bad);
        await connection.close();
        expect(rejections).toEqual([]);
      } finally {
        process.off('unhandledRejection', onRejection);
      }
    });
  }
});

describe('what the server sends', () => {
  it('escapes a close reason, so it cannot forge a log line', async () => {
    const alice = await world.player('alice');
    await waitFor('connected', () => connected(alice.app));
    const messages: (string | undefined)[] = [];
    alice.app.onPatch((p) => { if (p.slice === 'connection') messages.push(p.value.message); });
    const forged = 'x\n2026-01-01T00:00:00Z error fake: \u202eexe.txt\u2028y\u0085z';
    world.server.sessionsOf(alice.userId)[0]?.socket.close(4000, forged);
    const line = await waitFor('the drop logged', () => alice.logs.find((l) => l.includes('connection lost')));
    expect(line).toContain('x\\n2026-01-01T00:00:00Z error fake: \\u202eexe.txt\\u2028y\\u0085z');
    for (const text of [...alice.logs, ...messages.filter((m) => m !== undefined)]) {
      // eslint-disable-next-line no-control-regex
      expect(text).not.toMatch(/[\u0000-\u001f\u0085\u2028\u2029\u202e]/);
    }
    await waitFor('connected again', () => connected(alice.app));
  });

  it('closes with 1009 on a message over 1 MiB, says why, and reconnects', async () => {
    const alice = await world.player('alice');
    await waitFor('connected', () => connected(alice.app) && alice.app.snapshot().self);
    const phases: ConnectionPhase[] = [];
    alice.app.onPatch((p) => { if (p.slice === 'connection') phases.push(p.value.phase); });
    const session = world.server.sessionsOf(alice.userId)[0];
    const closeCode = new Promise<number>((resolve) => session?.socket.once('close', (code) => resolve(code)));
    // A valid event padded with JSON whitespace to 1.5 MiB: only its size is wrong.
    const event = JSON.stringify({ type: 'event', messageId: 'big', commandId: 'user/updated', data: { users: [] } });
    world.controls.sendRaw(alice.userId, event + ' '.repeat(1.5 * 1024 * 1024));
    expect(await closeCode).toBe(1009);
    await waitFor('reconnected', () => phases.includes('reconnecting') && phases.at(-1) === 'connected');
    expect(alice.logs.some((l) => l.includes('larger than this client accepts'))).toBe(true);
  });
});
