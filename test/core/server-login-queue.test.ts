// The embedded server's login queue (`loginQueue: true`) with a real lobby app: the app waits, sends nothing, never
// reconnects, and opens its session once `admit()` lets it in; and a storm of intents passes the server's rate limit.
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { LOGIN_QUEUE_TEXT } from '../../src-main/core/lobby/failure-text';
import type { ConnectionStatusView } from '../../src-main/core/lobby/state';
import { connected, createWorld, waitFor, type World } from '../support/world';

let world: World | null = null;
afterEach(async () => {
  await world?.dispose();
  world = null;
});

describe('the embedded server with a login queue', () => {
  it('holds the app until admitted: it waits, sends nothing, never reconnects, then opens its session', async () => {
    world = await createWorld({ loginQueue: true });
    const frames: string[] = [];
    world.controls.onFrame((_user, text) => frames.push(text));
    const alice = await world.player('alice', { autoConnect: false });
    const phases: ConnectionStatusView[] = [];
    alice.app.onPatch((patch) => {
      if (patch.slice === 'connection') phases.push(patch.value);
    });
    alice.app.start();
    const server = world.server;
    await waitFor('alice in the login queue', () => server.inLoginQueue(alice.userId) === 1);
    await waitFor('the waiting state', () => alice.app.snapshot().connection.loginQueue === true);
    expect(alice.app.snapshot().connection).toMatchObject({ phase: 'connecting', message: LOGIN_QUEUE_TEXT });
    await expect(alice.app.intents.refreshPlaylists()).rejects.toMatchObject({ code: 'not_connected', reason: 'waiting_for_login' });
    expect(server.connectedUserIds()).toEqual([]);

    expect(server.admit(alice.userId)).toBe(1);
    await waitFor('alice connected', () => connected(alice.app) && alice.app.snapshot().self?.username === 'alice');
    await waitFor('the user count', () => alice.app.snapshot().stats.userCount === 1);
    expect(server.inLoginQueue(alice.userId)).toBe(0);
    expect(phases.some((c) => c.phase === 'reconnecting')).toBe(false);
    expect(alice.app.snapshot().notices).toEqual([]);
    // Nothing reached the server before admission: its first frame is one of the opening requests.
    expect(frames.length).toBeGreaterThan(0);
  });

  it('answers every request of a socket in the queue "waiting for login", and sends it nothing else', async () => {
    world = await createWorld({ loginQueue: true });
    const { userId, token } = world.server.addPlayer('bob');
    const socket = new WebSocket(`${world.server.baseUrl.replace('http', 'ws')}/tachyon`, ['v0.tachyon'], { headers: { Authorization: `Bearer ${token}` } });
    const messages: Record<string, unknown>[] = [];
    socket.on('message', (data) => messages.push(JSON.parse(String(data)) as Record<string, unknown>));
    await new Promise((resolve) => socket.once('open', resolve));
    await waitFor('bob in the login queue', () => world?.server.inLoginQueue(userId) === 1);
    socket.send(JSON.stringify({ type: 'request', messageId: 'm1', commandId: 'system/serverStats' }));
    await waitFor('an answer', () => messages.length === 1);
    expect(messages[0]).toEqual({ type: 'response', messageId: 'm1', commandId: 'system/serverStats', status: 'failed', reason: 'invalid_request', details: 'waiting for login' });
    world.server.admit(userId);
    await waitFor('user/self', () => messages.length === 2);
    expect(messages[1]).toMatchObject({ type: 'event', commandId: 'user/self', data: { user: { userId, username: 'bob' } } });
    const closed = new Promise((resolve) => socket.once('close', resolve));
    socket.close();
    await closed;
  });

  it('lets a storm of intents through its rate limit (10 a second, burst 20) without closing the socket', async () => {
    world = await createWorld({ rateLimit: { perSecond: 10, burst: 20 } });
    const alice = await world.player('alice');
    const bob = await world.player('bob');
    // Bob's user count comes after his chat subscription (the opening requests are answered in order).
    await waitFor('both subscribed', () => connected(alice.app) && bob.app.snapshot().stats.userCount === 2);
    const lines = Array.from({ length: 35 }, (_, i) => `line ${i}`);
    await Promise.all(lines.map((text) => alice.app.intents.sendChat({ type: 'player', userId: bob.userId }, text)));
    await waitFor('every line', () => bob.app.snapshot().chat.length === lines.length);
    expect(bob.app.snapshot().chat.map((l) => l.text)).toEqual(lines);
    expect(connected(alice.app)).toBe(true);
    expect(alice.logs.some((line) => line.includes('connection lost'))).toBe(false);
  });
});
