// The connection core against a real server that misbehaves in every way a real server can: each bad input gets a clear outcome and loses nothing.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TachyonConnection } from '../../src-main/core/connection/tachyon-connection';
import { createMemoryLogger } from '../../src-main/core/log';
import { connected, createWorld, waitFor, type World } from '../support/world';
import { TachyonServer } from '../../src-main/core/server/tachyon-server';
import { recordSecrets } from '../support/secret-ledger';
import { controlsOf } from '../support/server-controls';

recordSecrets('hunter2', 'sekrit-value');

let world: World;
beforeEach(async () => { world = await createWorld(); });
afterEach(async () => { await world.dispose(); });

function answersTo(server: TachyonServer, messageId: string): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    const off = controlsOf(server).onFrame((_user, text) => {
      const msg = JSON.parse(text) as Record<string, unknown>;
      if (msg.messageId === messageId) { off(); resolve(msg); }
    });
  });
}

const validBattleStart = {
  username: 'alice', password: 'hunter2', ip: '127.0.0.1', port: 8452,
  engine: { version: '106.0' }, game: { springName: 'Test Game' }, map: { springName: 'Test Map' },
};

describe('bad input from the server', () => {
  it('closes with 1008 on a frame that is not JSON, then reconnects', async () => {
    const alice = await world.player('alice');
    await waitFor('connected', () => connected(alice.app));
    const phases: string[] = [];
    alice.app.onPatch((p) => { if (p.slice === 'connection') phases.push(p.value.phase); });
    world.controls.sendRaw(alice.userId, '{not json');
    await waitFor('reconnecting', () => phases.includes('reconnecting'));
    await waitFor('connected again', () => phases.at(-1) === 'connected');
    expect(alice.logs.some((l) => l.includes('not JSON'))).toBe(true);
    expect(alice.logs.join('\n')).not.toContain(alice.token);
  });

  it('drops schema-invalid events and keeps working', async () => {
    const alice = await world.player('alice');
    await waitFor('connected', () => connected(alice.app) && alice.app.snapshot().self);
    world.controls.sendRaw(alice.userId, JSON.stringify({ type: 'event', messageId: 'e1', commandId: 'matchmaking/found', data: { queueId: 5, timeoutMs: 1000 } }));
    world.controls.sendRaw(alice.userId, JSON.stringify({ type: 'event', messageId: 'e2', commandId: 'user/updated', data: { users: 'everyone' } }));
    world.controls.sendRaw(alice.userId, JSON.stringify({ type: 'event', messageId: 'e3', commandId: 'no/such', data: {} }));
    world.controls.sendRaw(alice.userId, JSON.stringify([1, 2, 3]));
    world.controls.sendRaw(alice.userId, JSON.stringify({ hello: 'world' }));
    await waitFor('logged drops', () => alice.logs.filter((l) => l.includes('dropped')).length >= 5);
    expect(alice.app.snapshot().matchmaking.phase).toBe('idle');
    expect(connected(alice.app)).toBe(true);
    const drop = alice.logs.find((l) => l.includes('invalid matchmaking/found event'));
    expect(drop).toContain('/data/queueId must be string');
    // Still fully usable:
    await alice.app.intents.refreshPlaylists();
  });

  it('answers unknown server requests with command_unimplemented', async () => {
    const alice = await world.player('alice');
    await waitFor('connected', () => connected(alice.app));
    const answer = answersTo(world.server, 'r1');
    world.controls.sendRaw(alice.userId, JSON.stringify({ type: 'request', messageId: 'r1', commandId: 'lobby/join', data: {} }));
    expect(await answer).toMatchObject({ type: 'response', messageId: 'r1', commandId: 'lobby/join', status: 'failed', reason: 'command_unimplemented' });
    // A known command this client never answers (an autohost request) too:
    const answer2 = answersTo(world.server, 'r2');
    world.controls.sendRaw(alice.userId, JSON.stringify({ type: 'request', messageId: 'r2', commandId: 'autohost/kill', data: { battleId: '1b4e28ba-2fa1-11d2-883f-0016d3cca427' } }));
    expect(await answer2).toMatchObject({ status: 'failed', reason: 'command_unimplemented', commandId: 'autohost/kill' });
  });

  it('answers a battle/start with a wrong type with invalid_request naming the path, never the value', async () => {
    const alice = await world.player('alice');
    await waitFor('connected', () => connected(alice.app));
    const answer = answersTo(world.server, 'b1');
    const bad = { ...validBattleStart, port: 'eight-thousand', password: 'sekrit-value' };
    world.controls.sendRaw(alice.userId, JSON.stringify({ type: 'request', messageId: 'b1', commandId: 'battle/start', data: bad }));
    const response = await answer;
    expect(response).toMatchObject({ status: 'failed', reason: 'invalid_request', commandId: 'battle/start' });
    expect(response.details).toContain('/data/port');
    expect(JSON.stringify(response)).not.toContain('eight-thousand');
    expect(JSON.stringify(response)).not.toContain('sekrit-value');
    expect(alice.logs.join('\n')).not.toContain('sekrit-value');
    expect(alice.app.snapshot().battle).toBeNull();
  });

  it('answers a valid battle/start with internal_error and a reason when no engine is configured', async () => {
    const alice = await world.player('alice');
    await waitFor('connected', () => connected(alice.app));
    const response = await world.controls.request(alice.userId, 'battle/start', validBattleStart);
    expect(response).toMatchObject({ status: 'failed', reason: 'internal_error' });
    expect(alice.app.snapshot().battle).toMatchObject({ phase: 'failed', map: 'Test Map' });
    expect(JSON.stringify(alice.app.snapshot())).not.toContain('hunter2');
    expect(alice.logs.join('\n')).not.toContain('hunter2');
  });

  it('logs and drops a response to a request never made', async () => {
    const alice = await world.player('alice');
    await waitFor('connected', () => connected(alice.app));
    world.controls.sendRaw(alice.userId, JSON.stringify({ type: 'response', messageId: 'never-asked', commandId: 'system/serverStats', status: 'success', data: { userCount: 5 } }));
    await waitFor('logged', () => alice.logs.some((l) => l.includes('never made')));
    expect(connected(alice.app)).toBe(true);
  });

  it('refuses binary frames by closing and reconnecting', async () => {
    const alice = await world.player('alice');
    await waitFor('connected', () => connected(alice.app));
    const phases: string[] = [];
    alice.app.onPatch((p) => { if (p.slice === 'connection') phases.push(p.value.phase); });
    world.controls.sendRaw(alice.userId, Buffer.from([1, 2, 3]), true);
    await waitFor('reconnected', () => phases.includes('reconnecting') && phases.at(-1) === 'connected');
    expect(alice.logs.some((l) => l.includes('binary frame'))).toBe(true);
  });

  it('survives a flood of 20,000 events and keeps every user', async () => {
    const alice = await world.player('alice');
    await waitFor('connected', () => connected(alice.app) && alice.app.snapshot().self);
    for (let i = 0; i < 20_000; i++) {
      world.controls.sendEvent(alice.userId, 'user/updated', { users: [{ userId: `u${i % 5000}`, username: `user${i % 5000}`, displayName: `User ${i}`, clanId: null, status: 'menu' }] });
    }
    await waitFor('the last event applied', () => alice.app.snapshot().users.u4999?.displayName === 'User 19999', 20_000);
    expect(Object.keys(alice.app.snapshot().users)).toHaveLength(5001);
    expect(connected(alice.app)).toBe(true);
  });
});

describe('servers that misbehave at the connection level', () => {
  it('declares a server without our subprotocol incompatible and does not retry', async () => {
    for (const subprotocol of [null, 'v1.tachyon']) {
      const odd = new TachyonServer({ rateLimit: null });
      controlsOf(odd).answerSubprotocol(subprotocol);
      await odd.listen(0);
      const { token } = odd.addPlayer('alice');
      let attempts = 0;
      controlsOf(odd).onFrame(() => {});
      const connection = new TachyonConnection({
        serverUrl: odd.baseUrl, getToken: () => { attempts++; return token; }, logger: createMemoryLogger(), backoff: { baseMs: 20, capMs: 50 },
      });
      connection.start();
      const status = await waitFor('incompatible', () => connection.status.phase === 'incompatible' && connection.status);
      expect(status.versionParity).toBe('major_mismatch');
      expect(status.message).toMatch(/another protocol version/);
      await new Promise((r) => setTimeout(r, 300));
      expect(attempts).toBe(1);
      await connection.close();
      await odd.close();
    }
  });

  it('treats HTTP 401 as a sign-in problem without a retry loop', async () => {
    let attempts = 0;
    const connection = new TachyonConnection({ serverUrl: world.server.baseUrl, getToken: () => { attempts++; return 'wrong-token'; }, logger: createMemoryLogger(), backoff: { baseMs: 20, capMs: 50 } });
    connection.start();
    const status = await waitFor('unauthorized', () => connection.status.phase === 'unauthorized' && connection.status);
    expect(status.message).toMatch(/Sign in again/);
    await new Promise((r) => setTimeout(r, 300));
    expect(attempts).toBe(1);
    await connection.close();
  });

  it('rides out a server that closes every connection for a while, with backoff and no hot loop', async () => {
    world.controls.closeConnectionsOnArrival(true);
    const logger = createMemoryLogger();
    const { token } = world.server.addPlayer('alice');
    let attempts = 0;
    const connection = new TachyonConnection({ serverUrl: world.server.baseUrl, getToken: () => { attempts++; return token; }, logger, backoff: { baseMs: 100, capMs: 1_000 } });
    const waits: number[] = [];
    connection.onStatus((s) => { if (s.retryInMs !== undefined) waits.push(s.retryInMs); });
    connection.start();
    await new Promise((r) => setTimeout(r, 2_500));
    world.controls.closeConnectionsOnArrival(false);
    await waitFor('connected at last', () => connection.status.phase === 'connected', 5_000);
    // 2.5 s of refusals with a 100 ms base and 1 s cap is a handful of tries, not hundreds.
    expect(attempts).toBeLessThan(12);
    expect(waits[0]).toBeLessThanOrEqual(100);
    expect(Math.max(...waits)).toBeLessThanOrEqual(1_000);
    expect(waits.at(-1)).toBeGreaterThan(waits[0] ?? 0);
    await connection.close();
  });

  it('retries while the server refuses upgrades with an HTTP error', async () => {
    world.controls.refuseUpgrades(503);
    const alice = await world.player('alice');
    await waitFor('reconnecting with a reason', () => alice.app.snapshot().connection.message?.includes('HTTP 503'));
    const c = alice.app.snapshot().connection;
    expect(c.phase).toBe('reconnecting');
    expect(c.retryAt).toBeGreaterThan(Date.now() - 1000);
    world.controls.refuseUpgrades(null);
    await waitFor('connected', () => connected(alice.app));
  });

  it('drops a silent server after the silence timeout and reconnects', async () => {
    const alice = await world.player('alice', { connection: { silenceTimeoutMs: 400 } });
    await waitFor('connected', () => connected(alice.app) && alice.app.snapshot().stats.userCount === 1);
    world.controls.goSilent(true);
    await waitFor('dropped for silence', () => alice.app.snapshot().connection.phase === 'reconnecting', 3_000);
    expect(alice.app.snapshot().connection.message).toMatch(/silent/);
    world.controls.goSilent(false);
    await waitFor('connected again', () => connected(alice.app), 3_000);
  });

  it('stays connected while the server pings, even with no messages', async () => {
    const server = new TachyonServer({ pingIntervalMs: 100, rateLimit: null });
    await server.listen(0);
    const { token } = server.addPlayer('alice');
    const connection = new TachyonConnection({ serverUrl: server.baseUrl, getToken: () => token, logger: createMemoryLogger(), silenceTimeoutMs: 400 });
    let drops = 0;
    connection.onStatus((s) => { if (s.phase === 'reconnecting') drops++; });
    connection.start();
    await waitFor('connected', () => connection.status.phase === 'connected');
    await new Promise((r) => setTimeout(r, 1_200));
    expect(drops).toBe(0);
    await connection.close();
    await server.close();
  });

  it('rejects pending requests when the socket closes, and times requests out', async () => {
    const alice = await world.player('alice', { connection: { requestTimeoutMs: 300 } });
    await waitFor('connected', () => connected(alice.app));
    world.controls.goSilent(true);
    await expect(alice.app.intents.refreshPlaylists()).rejects.toMatchObject({ code: 'timeout' });
    const pending = alice.app.intents.refreshPlaylists();
    world.controls.dropAllConnections();
    await expect(pending).rejects.toMatchObject({ code: 'not_connected' });
    world.controls.goSilent(false);
  });

  it('quits in order: system/disconnect, close 1000, no reconnect', async () => {
    const alice = await world.player('alice');
    await waitFor('connected', () => connected(alice.app));
    const frames: string[] = [];
    world.controls.onFrame((_u, text) => frames.push(JSON.parse(text).commandId));
    await alice.app.close();
    expect(frames).toContain('system/disconnect');
    expect(alice.app.snapshot().connection.phase).toBe('closed');
    await new Promise((r) => setTimeout(r, 300));
    expect(world.server.connectedUserIds()).toEqual([]);
  });

  it('refuses to send a token over plain ws to a remote host', () => {
    expect(() => new TachyonConnection({ serverUrl: 'http://lobby.example.org', getToken: () => 't', logger: createMemoryLogger() })).toThrow(/unencrypted/);
  });
});
