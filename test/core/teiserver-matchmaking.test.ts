// Matchmaking against a scripted Teiserver-like peer: the messages the real server sends, in its order and shapes (Teiserver's
// matchmaking tests), and what the real lobby core answers. Every client message is checked against the current revision.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BattleStartRequestData } from 'tachyon-protocol/types';
import { createLobbyApp, type CoreLobbyApp } from '../../src-main/core/lobby-app';
import { createMemoryLogger } from '../../src-main/core/log';
import { startScriptedPeer, teiserverPlaylists, teiserverSelf, type ScriptedConnection, type ScriptedPeer } from '../support/scripted-peer';
import type { SchemaSet } from '../../src-main/core/protocol/validation';
import { connected, waitFor } from '../support/world';
import { recordLog, recordSecrets } from '../support/secret-ledger';

const BATTLE: BattleStartRequestData = {
  username: 'alice', password: 'battle-password-7f3a', ip: '1.2.3.4', port: 8452,
  engine: { version: '2025.04.01' }, game: { springName: 'Beyond All Reason test-1' }, map: { springName: 'Quicksilver Remake 1.24' },
};

let peer: ScriptedPeer;
let app: CoreLobbyApp;
let dataDir: string;
let logger: ReturnType<typeof createMemoryLogger>;
let connections: ScriptedConnection[];
let started: BattleStartRequestData[];

beforeEach(async () => {
  peer = await startScriptedPeer();
  dataDir = mkdtempSync(join(tmpdir(), 'lobby-teiserver-'));
  logger = createMemoryLogger();
  connections = [];
  started = [];
  recordSecrets(BATTLE.password);
  app = createLobbyApp({
    serverUrl: peer.baseUrl,
    getToken: () => 'token',
    dataDir,
    logger,
    statsIntervalMs: 3_600_000,
    connection: { backoff: { baseMs: 20, capMs: 100 } },
    onBattleStart: async (data) => { started.push(data); },
  });
});

afterEach(async () => {
  // Teiserver answers system/disconnect by closing the socket, with no response.
  const last = connections.at(-1);
  const closing = app.close();
  if (last) await Promise.race([last.next('system/disconnect').then(() => last.close(1000, 'bye')), closing]);
  await closing;
  recordLog(logger.lines);
  await peer.close();
  rmSync(dataDir, { recursive: true, force: true });
  expect(connections.flatMap((c) => c.violations)).toEqual([]);
});

/** The next connection, admitted as Teiserver admits it (one `user/self`), with the client's opening requests answered. */
async function admit(self = teiserverSelf('1', 'alice'), playlists = teiserverPlaylists(), schemas: SchemaSet = 'current'): Promise<ScriptedConnection> {
  const connection = await peer.nextConnection();
  connection.speak(schemas);
  connections.push(connection);
  connection.event('user/self', self);
  connection.succeed(await connection.next('matchmaking/list'), playlists);
  connection.succeed(await connection.next('friend/list'), { friends: [], outgoingPendingRequests: [], incomingPendingRequests: [] });
  connection.succeed(await connection.next('messaging/subscribeReceived'), { hasMissedMessages: false });
  connection.succeed(await connection.next('system/serverStats'), { userCount: 1 });
  await waitFor('the playlists', () => connected(app) && app.snapshot().matchmaking.playlists.length > 0 && app.snapshot().self);
  return connection;
}

/** The player queues for the duel and the peer accepts; returns the request the client sent. */
async function queueDuel(connection: ScriptedConnection) {
  const queued = app.intents.queue(['1v1']);
  const request = await connection.next('matchmaking/queue');
  connection.succeed(request);
  await queued;
  return request;
}

async function readyUp(connection: ScriptedConnection): Promise<void> {
  const readied = app.intents.ready();
  connection.succeed(await connection.next('matchmaking/ready'));
  await readied;
}

const mm = () => app.snapshot().matchmaking;
const sent = (connection: ScriptedConnection, commandId: string) => connection.received.filter((m) => m.commandId === commandId);

describe('matchmaking as Teiserver does it', () => {
  it('lists with versions, queues by version, readies, answers the battle/start request and is back in the menu after it', async () => {
    const connection = await admit();
    expect(mm().playlists[0]).toMatchObject({ id: '1v1', name: 'Duel', version: '1' });
    const request = await queueDuel(connection);
    expect(request.data).toEqual({ queues: [{ id: '1v1', version: '1' }] });
    expect(mm()).toMatchObject({ phase: 'queued', queues: ['1v1'] });
    connection.event('matchmaking/found', { queueId: '1v1', timeoutMs: 20_000 });
    await waitFor('found', () => mm().phase === 'found');
    expect(mm().found).toMatchObject({ queueId: '1v1', timeoutMs: 20_000 });
    await readyUp(connection);
    expect(mm().phase).toBe('readied');
    connection.event('matchmaking/foundUpdate', { readyCount: 1 });
    connection.event('matchmaking/foundUpdate', { readyCount: 2 });
    await waitFor('both ready', () => mm().readyCount === 2);
    const answer = await connection.request('battle/start', BATTLE);
    expect(answer).toMatchObject({ type: 'response', commandId: 'battle/start', status: 'success' });
    expect(started).toEqual([BATTLE]);
    expect(mm().phase).toBe('battle');
    expect(app.snapshot().battle).toMatchObject({ phase: 'running', host: '1.2.3.4:8452', map: 'Quicksilver Remake 1.24' });
    connection.event('user/updated', { users: [{ userId: '1', status: 'playing' }] });
    await waitFor('playing', () => app.snapshot().self?.status === 'playing');
    // No battle/ended from Teiserver: the engine quit, and the server puts us back in the menu.
    connection.event('user/updated', { users: [{ userId: '1', status: 'menu' }] });
    await waitFor('back in the menu', () => app.snapshot().self?.status === 'menu');
    expect(mm().phase).toBe('idle');
  });

  it('lists again and queues with the new version after a version_mismatch', async () => {
    const connection = await admit();
    const queued = app.intents.queue(['1v1']);
    const first = await connection.next('matchmaking/queue');
    expect(first.data).toEqual({ queues: [{ id: '1v1', version: '1' }] });
    connection.fail(first, 'version_mismatch');
    connection.succeed(await connection.next('matchmaking/list'), teiserverPlaylists('2'));
    const second = await connection.next('matchmaking/queue');
    expect(second.data).toEqual({ queues: [{ id: '1v1', version: '2' }] });
    connection.succeed(second);
    await queued;
    expect(mm()).toMatchObject({ phase: 'queued', queues: ['1v1'] });
    expect(mm().playlists[0]?.version).toBe('2');
  });

  it('tells the player when the version is still wrong after listing again', async () => {
    const connection = await admit();
    const queued = app.intents.queue(['1v1']);
    connection.fail(await connection.next('matchmaking/queue'), 'version_mismatch');
    connection.succeed(await connection.next('matchmaking/list'), teiserverPlaylists('2'));
    connection.fail(await connection.next('matchmaking/queue'), 'version_mismatch');
    await expect(queued).rejects.toMatchObject({ code: 'rejected', reason: 'version_mismatch', message: 'The queue keeps changing on the server; try again in a moment.' });
    expect(mm().phase).toBe('idle');
    expect(sent(connection, 'matchmaking/queue')).toHaveLength(2);
  });

  it('keeps a player who readied in the queue when the match is lost, and finds them the next one', async () => {
    const connection = await admit();
    await queueDuel(connection);
    connection.event('matchmaking/found', { queueId: '1v1', timeoutMs: 20_000 });
    await waitFor('found', () => mm().phase === 'found');
    await readyUp(connection);
    connection.event('matchmaking/lost');
    await waitFor('lost', () => mm().phase === 'lost');
    expect(mm()).toMatchObject({ queues: ['1v1'], found: null, cancelReason: null });
    connection.event('matchmaking/found', { queueId: '1v1', timeoutMs: 20_000 });
    await waitFor('found again', () => mm().phase === 'found');
  });

  it('takes a player who did not ready out of the queue, and says why', async () => {
    const connection = await admit();
    await queueDuel(connection);
    connection.event('matchmaking/found', { queueId: '1v1', timeoutMs: 20_000 });
    await waitFor('found', () => mm().phase === 'found');
    connection.event('matchmaking/lost');
    connection.event('matchmaking/cancelled', { reason: 'ready_timeout' });
    await waitFor('cancelled', () => mm().phase === 'cancelled');
    expect(mm()).toMatchObject({ cancelReason: 'ready_timeout', queues: [] });
    expect(app.snapshot().notices.at(-1)).toMatchObject({ level: 'warning', text: 'You did not ready up in time.' });
  });

  it('cancels: success, then cancelled intentional, with no warning', async () => {
    const connection = await admit();
    await queueDuel(connection);
    const cancelled = app.intents.cancelQueue();
    connection.succeed(await connection.next('matchmaking/cancel'));
    await cancelled;
    connection.event('matchmaking/cancelled', { reason: 'intentional' });
    await waitFor('cancelled', () => mm().phase === 'cancelled');
    expect(mm().cancelReason).toBe('intentional');
    expect(app.snapshot().notices).toEqual([]);
  });

  it('says what server_error (with Teiserver\'s details) and version_changed mean', async () => {
    const connection = await admit();
    await queueDuel(connection);
    connection.event('matchmaking/found', { queueId: '1v1', timeoutMs: 20_000 });
    await waitFor('found', () => mm().phase === 'found');
    await readyUp(connection);
    connection.event('matchmaking/cancelled', { reason: 'server_error', details: 'no_host_available' });
    await waitFor('cancelled', () => mm().cancelReason === 'server_error');
    expect(app.snapshot().notices.at(-1)?.text).toBe('Matchmaking stopped. The server said: no_host_available');
    await queueDuel(connection);
    connection.event('matchmaking/cancelled', { reason: 'version_changed' });
    await waitFor('cancelled again', () => mm().cancelReason === 'version_changed');
    expect(app.snapshot().notices.at(-1)?.text).toBe('The queue changed on the server; queue again to play with its new settings.');
  });

  it('shows a party member the queue their party joined, by the playlist\'s name', async () => {
    const party = { id: 'p1', members: [{ userId: '2', joinedAt: 1 }, { userId: '1', joinedAt: 2 }], maxMembers: 4, invited: [] };
    const connection = await admit(teiserverSelf('1', 'alice', { party }));
    connection.succeed(await connection.next('user/subscribeUpdates'));
    connection.event('matchmaking/queuesJoined', { queues: ['1v1'] });
    await waitFor('queued with the party', () => mm().phase === 'queued');
    expect(mm().queues).toEqual(['1v1']);
    expect(app.snapshot().notices.at(-1)).toMatchObject({ level: 'info', text: 'Your party joined the queue for Duel.' });
    // The leader leaves the queue: the party leaves with them.
    connection.event('matchmaking/cancelled', { reason: 'party_user_left' });
    await waitFor('cancelled', () => mm().phase === 'cancelled');
    expect(app.snapshot().notices.at(-1)?.text).toBe('A party member left, so the party left the queue.');
    expect(sent(connection, 'matchmaking/queue')).toEqual([]);
  });
});

describe('a reconnect within Teiserver\'s 30 s session lifetime', () => {
  /** Queued on the first connection, which then drops; the second is admitted with this user/self. */
  async function dropWhileQueued(self: { user: Record<string, unknown> }, schemas: SchemaSet = 'current'): Promise<ScriptedConnection> {
    const first = await admit();
    await queueDuel(first);
    first.drop();
    return admit(self, teiserverPlaylists(), schemas);
  }

  /** A request after the reconnect: whatever the client sent on its own before it has arrived once it is answered. */
  async function settled(connection: ScriptedConnection): Promise<void> {
    const listed = app.intents.refreshPlaylists();
    connection.succeed(await connection.next('matchmaking/list'), teiserverPlaylists());
    await listed;
  }

  it('restores queuing from user/self and sends no matchmaking/queue', async () => {
    const second = await dropWhileQueued(teiserverSelf('1', 'alice', { matchmaking: { state: 'queuing', queues: [{ id: '1v1', version: '1' }] } }));
    await settled(second);
    expect(mm()).toMatchObject({ phase: 'queued', queues: ['1v1'], found: null });
    expect(sent(second, 'matchmaking/queue')).toEqual([]);
    second.event('matchmaking/found', { queueId: '1v1', timeoutMs: 20_000 });
    await waitFor('found after the reconnect', () => mm().phase === 'found');
  });

  it('restores a found match we had readied for, with its deadline, and the battle starts on the new session', async () => {
    const deadline = Date.now() + 15_000;
    const found = { state: 'found', queue: { id: '1v1', version: '1', timeoutAt: deadline * 1000, hasAlreadyReadied: true }, otherQueues: [] };
    const second = await dropWhileQueued(teiserverSelf('1', 'alice', { matchmaking: found }));
    await settled(second);
    expect(mm()).toMatchObject({ phase: 'readied', queues: ['1v1'], found: { queueId: '1v1', deadline } });
    expect(sent(second, 'matchmaking/queue')).toEqual([]);
    const answer = await second.request('battle/start', BATTLE);
    expect(answer.status).toBe('success');
    expect(mm().phase).toBe('battle');
  });

  it('goes idle when the server no longer has us queued, and says so', async () => {
    const second = await dropWhileQueued(teiserverSelf('1', 'alice'));
    await settled(second);
    expect(mm()).toMatchObject({ phase: 'idle', queues: [] });
    expect(app.snapshot().notices.at(-1)).toMatchObject({ level: 'warning', text: 'The server no longer has you in the queue for Duel; queue again to play.' });
    expect(sent(second, 'matchmaking/queue')).toEqual([]);
  });

  it('queues again, by version, when user/self says nothing of matchmaking (a server before that field)', async () => {
    const self = teiserverSelf('1', 'alice');
    delete self.user.matchmaking;
    const second = await dropWhileQueued(self, 'either'); // a server from before that field
    const request = await second.next('matchmaking/queue');
    expect(request.data).toEqual({ queues: [{ id: '1v1', version: '1' }] });
    second.succeed(request);
    await settled(second);
    expect(mm()).toMatchObject({ phase: 'queued', queues: ['1v1'] });
  });
});
