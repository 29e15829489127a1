// Transcripts of a real lobby app against a scripted Teiserver: the order it expects on connect (nothing before `user/self`),
// its login queue, its rate limit, and the shapes it sends that the schema does not declare. Every client message is checked
// against the current revision by the peer, and each test asserts the client broke none.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLobbyApp, type CoreLobbyApp } from '../../src-main/core/lobby-app';
import { createMemoryLogger } from '../../src-main/core/log';
import { LOGIN_QUEUE_TEXT } from '../../src-main/core/lobby/failure-text';
import type { ConnectionStatusView } from '../../src-main/core/lobby/state';
import { TokenBucket } from '../../src-main/shared/token-bucket';
import { CLIENT_RATE_LIMIT, SERVER_RATE_LIMIT } from '../../src-main/core/connection/outbound-queue';
import { startScriptedPeer, teiserverPlaylists, teiserverSelf, type ScriptedConnection, type ScriptedPeer, type WireMessage } from '../support/scripted-peer';
import { waitFor } from '../support/world';

const SELF_ID = '1000';
const OPENING = ['friend/list', 'matchmaking/list', 'messaging/subscribeReceived', 'system/serverStats'];

const peers: ScriptedPeer[] = [];
const apps: CoreLobbyApp[] = [];
const dirs: string[] = [];

afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
  await Promise.all(peers.splice(0).map((peer) => peer.close()));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function peer(options: { loginQueue?: boolean } = {}): Promise<ScriptedPeer> {
  const started = await startScriptedPeer(options);
  peers.push(started);
  return started;
}

/** A real lobby app on the peer, with every connection view it published, from the first. */
function lobby(server: ScriptedPeer) {
  const dataDir = mkdtempSync(join(tmpdir(), 'teiserver-connect-'));
  dirs.push(dataDir);
  const logger = createMemoryLogger('debug');
  const app = createLobbyApp({
    serverUrl: server.baseUrl, getToken: () => 'token', dataDir, logger, statsIntervalMs: 60_000, autoConnect: false,
    connection: { backoff: { baseMs: 50, capMs: 500 } },
  });
  apps.push(app);
  const connection: ConnectionStatusView[] = [];
  app.onPatch((patch) => {
    if (patch.slice === 'connection') connection.push(patch.value);
  });
  app.start();
  return { app, logger, connection };
}

/** Answers the session's opening requests as Teiserver does for a player with nothing going on. */
async function answerOpening(conn: ScriptedConnection, friends: unknown = { friends: [], outgoingPendingRequests: [], incomingPendingRequests: [] }): Promise<void> {
  conn.succeed(await conn.next('system/serverStats'), { userCount: 1 });
  conn.succeed(await conn.next('messaging/subscribeReceived'), { hasMissedMessages: false });
  conn.succeed(await conn.next('matchmaking/list'), teiserverPlaylists());
  conn.succeed(await conn.next('friend/list'), friends);
}

/** A real lobby app admitted by the peer as Teiserver admits alice, with its opening requests answered. */
async function admitted(): Promise<{ app: CoreLobbyApp; conn: ScriptedConnection }> {
  const server = await peer();
  const { app } = lobby(server);
  const conn = await server.nextConnection();
  conn.event('user/self', teiserverSelf(SELF_ID, 'alice'));
  await answerOpening(conn);
  await waitFor('connected', () => app.snapshot().connection.phase === 'connected');
  return { app, conn };
}

function requestsOf(conn: ScriptedConnection, commandId?: string): WireMessage[] {
  return conn.received.filter((m) => m.type === 'request' && (commandId === undefined || m.commandId === commandId));
}

function subscribedBatches(conn: ScriptedConnection): string[][] {
  return requestsOf(conn, 'user/subscribeUpdates').map((m) => (m.data as { userIds: string[] }).userIds);
}

/** The most messages that arrived within any one second (a sliding window over the arrival times). */
function busiestSecond(times: readonly number[]): number {
  let most = 0;
  for (let i = 0, j = 0; j < times.length; j++) {
    while ((times[j] ?? 0) - (times[i] ?? 0) >= 1_000) i++;
    most = Math.max(most, j - i + 1);
  }
  return most;
}

describe('connecting to Teiserver', () => {
  it('sends nothing until user/self, then opens the session with its requests', async () => {
    const server = await peer();
    const { app, connection } = lobby(server);
    const conn = await server.nextConnection();
    await conn.roundTrip();
    expect(conn.received).toEqual([]);
    // Still connecting (a server that admits at once is not said to queue us).
    expect(app.snapshot().connection.phase).toBe('connecting');
    expect(app.snapshot().connection.loginQueue).toBeUndefined();

    conn.event('user/self', teiserverSelf(SELF_ID, 'alice'));
    await answerOpening(conn);
    await waitFor('connected', () => app.snapshot().connection.phase === 'connected');
    await conn.roundTrip();
    expect(requestsOf(conn).map((m) => m.commandId).sort()).toEqual(OPENING);
    expect(conn.received.every((m) => m.type === 'request')).toBe(true);
    expect(app.snapshot().self).toMatchObject({ userId: SELF_ID, username: 'alice' });
    expect(app.snapshot().connection.loginQueue).toBeUndefined();
    expect(connection.map((c) => c.phase)).toEqual(['connecting', 'connecting', 'connected']);
    expect(conn.violations).toEqual([]);
  });

  it('waits in the login queue without a request or a reconnect, and opens the session once admitted', async () => {
    const server = await peer({ loginQueue: true });
    const { app, connection } = lobby(server);
    const conn = await server.nextConnection();
    await waitFor('the waiting state', () => app.snapshot().connection.loginQueue === true);
    expect(app.snapshot().connection).toMatchObject({ phase: 'connecting', message: LOGIN_QUEUE_TEXT });
    // The player tries anyway: told to wait, and nothing goes out.
    await expect(app.intents.refreshPlaylists()).rejects.toMatchObject({ code: 'not_connected', message: LOGIN_QUEUE_TEXT, reason: 'waiting_for_login' });
    await expect(app.intents.createParty()).rejects.toMatchObject({ code: 'not_connected' });
    await conn.roundTrip();
    expect(conn.received).toEqual([]);
    expect(conn.waitingForLogin).toBe(true);

    conn.admit(teiserverSelf(SELF_ID, 'alice'));
    await answerOpening(conn);
    await waitFor('connected', () => app.snapshot().connection.phase === 'connected');
    await waitFor('the playlists', () => app.snapshot().matchmaking.playlists.length > 0);
    expect(app.snapshot().matchmaking.playlists.map((p) => p.id)).toEqual(['1v1']);
    expect(connection.some((c) => c.phase === 'reconnecting')).toBe(false);
    expect(connection.filter((c) => c.loginQueue === true).length).toBeGreaterThan(0);
    expect(app.snapshot().notices).toEqual([]);
    expect(conn.violations).toEqual([]);
  });

  it('batches the subscriptions for a burst of new users and stays within the rate limit', async () => {
    const server = await peer();
    const { app } = lobby(server);
    const conn = await server.nextConnection();
    const friends = Array.from({ length: 150 }, (_, i) => String(2000 + i));
    // user/self names 150 friends at once, and their own id is never subscribed to.
    conn.event('user/self', teiserverSelf(SELF_ID, 'alice', { friendIds: [...friends, SELF_ID, friends[0]] }));
    await answerOpening(conn, { friends: friends.map((userId) => ({ userId, addedAt: 1_764_000_000 })), outgoingPendingRequests: [], incomingPendingRequests: [] });
    const first = await conn.next('user/subscribeUpdates');
    conn.succeed(first);
    conn.succeed(await conn.next('user/subscribeUpdates'));
    await waitFor('connected', () => app.snapshot().connection.phase === 'connected');
    // friend/list repeats the same friends: nothing new to subscribe to.
    await conn.roundTrip();
    expect(subscribedBatches(conn).map((b) => b.length)).toEqual([100, 50]);
    expect(subscribedBatches(conn).flat().sort()).toEqual(friends.slice().sort());

    // Then 150 strangers write in one burst: they are subscribed in two requests, each id once.
    const strangers = Array.from({ length: 150 }, (_, i) => String(5000 + i));
    conn.burst(() => {
      strangers.forEach((userId, i) => conn.event('messaging/received', {
        message: `hi ${i}`, source: { type: 'player', userId }, timestamp: 1_764_000_000_000_000 + i, marker: `m${i}`,
      }));
    });
    conn.succeed(await conn.next('user/subscribeUpdates'));
    conn.succeed(await conn.next('user/subscribeUpdates'));
    await waitFor('every line shown', () => app.snapshot().chat.length === 150);
    await conn.roundTrip();
    const later = subscribedBatches(conn).slice(2);
    expect(later.map((b) => b.length)).toEqual([100, 50]);
    expect(later.flat().sort()).toEqual(strangers.slice().sort());
    expect(requestsOf(conn)).toHaveLength(OPENING.length + 4);
    expect(busiestSecond(conn.receivedAt)).toBeLessThanOrEqual(20);
    expect(conn.violations).toEqual([]);
  });

  it('asks for no more subscriptions on a session whose server said its limit is reached', async () => {
    const server = await peer();
    const { app } = lobby(server);
    const conn = await server.nextConnection();
    conn.event('user/self', teiserverSelf(SELF_ID, 'alice', { friendIds: ['2000'] }));
    await answerOpening(conn);
    conn.fail(await conn.next('user/subscribeUpdates'), 'subscription_limit_reached');
    await conn.roundTrip();
    // The batch window's timer on a fake clock: the next flush is ours to trigger, so "nothing sent" is a fact, not a wait.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'], shouldClearNativeTimers: true });
    try {
      conn.event('messaging/received', { message: 'hi', source: { type: 'player', userId: '3000' }, timestamp: 1_764_000_000_000_000, marker: 'm1' });
      await conn.roundTrip();
      expect(app.snapshot().chat).toHaveLength(1);
      vi.advanceTimersByTime(100);
    } finally {
      vi.useRealTimers();
    }
    await conn.roundTrip();
    expect(requestsOf(conn, 'user/subscribeUpdates')).toHaveLength(1);
    expect(app.snapshot().notices).toEqual([]);
    expect(conn.violations).toEqual([]);
  });

  it('holds a storm of intents to 10 a second after a burst: in order, none dropped', async () => {
    const { app, conn } = await admitted();
    const texts = Array.from({ length: 40 }, (_, i) => `line ${i}`);
    const sent = Promise.all(texts.map((text) => app.intents.sendChat({ type: 'player', userId: '2000' }, text)));
    for (let i = 0; i < texts.length; i++) conn.succeed(await conn.next('messaging/send'));
    await sent;
    const sends = requestsOf(conn, 'messaging/send');
    expect(sends.map((m) => (m.data as { message: string }).message)).toEqual(texts);
    // Teiserver's bucket, fed the arrival times, refuses none of them.
    const times = conn.receivedAt;
    let clock = times[0] ?? 0;
    const bucket = new TokenBucket(SERVER_RATE_LIMIT.perSecond, SERVER_RATE_LIMIT.burst, () => clock);
    for (const at of times) {
      clock = at;
      expect(bucket.take()).toBe(true);
    }
    expect(busiestSecond(times)).toBeLessThanOrEqual(CLIENT_RATE_LIMIT.burst + CLIENT_RATE_LIMIT.perSecond);
    expect(conn.violations).toEqual([]);
  });

  it('takes `country` for the country code in user/updated, and friend times in seconds as milliseconds', async () => {
    const server = await peer();
    const { app } = lobby(server);
    const conn = await server.nextConnection();
    conn.event('user/self', teiserverSelf(SELF_ID, 'alice', {
      friendIds: ['2001'], incomingFriendRequest: [{ from: '2002', sentAt: 1_764_000_000 }], outgoingFriendRequest: [{ to: '2003', sentAt: 1_764_000_005 }],
    }));
    await waitFor('the request from user/self', () => app.snapshot().friends.incoming[0]);
    expect(app.snapshot().friends.incoming).toEqual([{ userId: '2002', sentAt: 1_764_000_000_000 }]);
    expect(app.snapshot().friends.outgoing).toEqual([{ userId: '2003', sentAt: 1_764_000_005_000 }]);
    await answerOpening(conn, {
      friends: [{ userId: '2001', addedAt: 1_763_000_000 }],
      outgoingPendingRequests: [],
      incomingPendingRequests: [{ from: '2002', sentAt: 1_764_000_000 }, { from: '2004', sentAt: 1_764_000_100 }],
    });
    conn.succeed(await conn.next('user/subscribeUpdates'));
    await waitFor('the friend list', () => app.snapshot().friends.incoming.length === 2);
    expect(app.snapshot().friends.incoming).toEqual([{ userId: '2002', sentAt: 1_764_000_000_000 }, { userId: '2004', sentAt: 1_764_000_100_000 }]);
    // As tachyon_handler builds it: `country`, never `countryCode`.
    conn.event('user/updated', { users: [{ userId: '2001', username: 'bob', displayName: 'Bob', clanId: null, country: 'FI', status: 'menu' }] });
    await waitFor('bob', () => app.snapshot().users['2001']);
    expect(app.snapshot().users['2001']).toMatchObject({ username: 'bob', countryCode: 'FI', status: 'menu' });
    // A later diff without a country keeps the one we know; a declared countryCode wins over `country`.
    conn.event('user/updated', { users: [{ userId: '2001', status: 'playing' }] });
    await waitFor('bob playing', () => app.snapshot().users['2001']?.status === 'playing');
    expect(app.snapshot().users['2001']?.countryCode).toBe('FI');
    conn.event('user/updated', { users: [{ userId: '2001', countryCode: 'SE', country: 'FI' }] });
    await waitFor('bob in SE', () => app.snapshot().users['2001']?.countryCode === 'SE');
    expect(conn.violations).toEqual([]);
  });

  it('words command_unimplemented as a feature this server lacks, and never as a crash', async () => {
    const { app, conn } = await admitted();
    const create = app.intents.createParty();
    conn.fail(await conn.next('party/create'), 'command_unimplemented');
    await expect(create).rejects.toMatchObject({ code: 'not_available', reason: 'command_unimplemented', message: 'This server does not support parties.' });
    expect(app.snapshot().notices).toEqual([]);
    expect(app.snapshot().connection.phase).toBe('connected');
    expect(conn.violations).toEqual([]);
  });

  it('quits with system/disconnect and closes without waiting for an answer Teiserver never sends', async () => {
    const { app, conn } = await admitted();
    // A request still unanswered, as the player quits.
    const pending = app.intents.refreshPlaylists().catch((error: unknown) => error);
    await conn.next('matchmaking/list');
    // With the clock stopped no deadline can end a wait for that answer: close() resolves only because it waits for none.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'], shouldClearNativeTimers: true });
    try {
      await app.close();
    } finally {
      vi.useRealTimers();
    }
    expect(await conn.closed).toMatchObject({ code: 1000 });
    expect(conn.received.at(-1)).toMatchObject({ type: 'request', commandId: 'system/disconnect' });
    expect(await pending).toMatchObject({ code: 'not_connected' });
    expect(app.snapshot().connection.phase).toBe('closed');
    expect(conn.violations).toEqual([]);
  });
});
