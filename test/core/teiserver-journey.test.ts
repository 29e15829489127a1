// One player's whole evening against a peer that behaves like today's Teiserver, in its order and shapes: waits in the login
// queue, queues for Duel by version, creates a party and invites a friend, chats in a lobby, loses the connection while
// queued and comes back still queued (from user/self, with no new queue request), readies and answers the battle/start
// request. Both directions are checked against the current revision: the peer refuses to script a message Teiserver would
// not send, and records every client message that Teiserver would refuse.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import type { BattleStartRequestData } from 'tachyon-protocol/types';
import { createLobbyApp, type CoreLobbyApp } from '../../src-main/core/lobby-app';
import { createMemoryLogger } from '../../src-main/core/log';
import { startScriptedPeer, teiserverPlaylists, teiserverSelf, type ScriptedConnection, type ScriptedPeer } from '../support/scripted-peer';
import { waitFor } from '../support/world';
import { recordLog, recordSecrets } from '../support/secret-ledger';

const ALICE = '1';
const BOB = '2';
const US = 1_764_000_000_000_000; // microseconds, as Teiserver stamps party and chat times
const BATTLE: BattleStartRequestData = {
  username: 'alice', password: 'journey-battle-secret-91c2', ip: '1.2.3.4', port: 8452,
  engine: { version: '2025.04.01' }, game: { springName: 'Beyond All Reason test-1' }, map: { springName: 'Quicksilver Remake 1.24' },
};

let peer: ScriptedPeer | undefined;
let app: CoreLobbyApp | undefined;
let dataDir: string | undefined;

afterEach(async () => {
  await app?.close();
  await peer?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/** Answers the opening requests of a session, in whatever order they come, as Teiserver answers them for alice. */
async function answerOpening(conn: ScriptedConnection): Promise<void> {
  await Promise.all([
    conn.next('messaging/subscribeReceived').then((r) => conn.succeed(r, { hasMissedMessages: false })),
    conn.next('matchmaking/list').then((r) => conn.succeed(r, teiserverPlaylists())),
    // Teiserver's friend times are seconds since the epoch.
    conn.next('friend/list').then((r) => conn.succeed(r, { friends: [{ userId: BOB, addedAt: 1_764_000_000 }], outgoingPendingRequests: [], incomingPendingRequests: [] })),
    conn.next('system/serverStats').then((r) => conn.succeed(r, { userCount: 2 })),
  ]);
}

it('signs in through the login queue, queues, parties, chats in a lobby, survives a drop in the queue and launches the battle', async () => {
  peer = await startScriptedPeer({ loginQueue: true });
  dataDir = mkdtempSync(join(tmpdir(), 'lobby-journey-'));
  const logger = createMemoryLogger();
  const started: BattleStartRequestData[] = [];
  recordSecrets(BATTLE.password);
  app = createLobbyApp({
    serverUrl: peer.baseUrl, getToken: () => 'token', dataDir, logger, statsIntervalMs: 3_600_000,
    connection: { backoff: { baseMs: 20, capMs: 100 } },
    onBattleStart: async (data) => { started.push(data); },
  });
  const lobby = app;
  const view = () => lobby.snapshot();

  // 1. The login queue: the player is told they wait; nothing is sent until user/self.
  const first = await peer.nextConnection();
  await waitFor('waiting in the login queue', () => view().connection.loginQueue === true);
  await first.roundTrip();
  expect(first.received).toEqual([]);
  first.admit(teiserverSelf(ALICE, 'alice', { friendIds: [BOB] }));
  await answerOpening(first);
  await waitFor('connected with the playlists', () => view().connection.phase === 'connected' && view().matchmaking.playlists.length === 1);
  expect(view().connection.protocol).toBe('tachyon-current');
  expect(view().friends.friendIds).toEqual([BOB]);

  // 2. Queue for Duel, named with the version the list gave.
  const queued = lobby.intents.queue(['1v1']);
  const queue = await first.next('matchmaking/queue');
  expect(queue.data).toEqual({ queues: [{ id: '1v1', version: '1' }] });
  first.succeed(queue);
  await queued;
  expect(view().matchmaking).toMatchObject({ phase: 'queued', queues: ['1v1'] });

  // 3. A party, and the friend invited to it.
  const creating = lobby.intents.createParty();
  first.succeed(await first.next('party/create'), { party: { id: 'P1', members: [{ userId: ALICE, joinedAt: US }], maxMembers: 5, invited: [] } });
  await creating;
  const inviting = lobby.intents.inviteToParty(BOB);
  const invite = await first.next('party/invite');
  expect(invite.data).toEqual({ userId: BOB });
  first.succeed(invite);
  first.event('party/updated', { id: 'P1', members: [{ userId: ALICE, joinedAt: US }], maxMembers: 5, invited: [{ userId: BOB, invitedAt: US + 1 }] });
  await inviting;
  await waitFor('bob invited', () => view().party.current?.invited.some((i) => i.userId === BOB) === true);
  expect(view().party.current).toMatchObject({ id: 'P1', maxMembers: 5 });

  // 4. Lobby chat: a line from the lobby, and the answer to it.
  first.event('messaging/received', { message: 'glhf', source: { type: 'lobby', lobbyId: 'L1', userId: BOB }, timestamp: US + 2, marker: '-576460751' });
  await waitFor('the lobby line', () => view().chat.some((l) => l.text === 'glhf'));
  const chatting = lobby.intents.sendChat({ type: 'lobby' }, 'you too');
  const said = await first.next('messaging/send');
  expect(said.data).toEqual({ target: { type: 'lobby' }, message: 'you too' });
  first.succeed(said);
  await chatting;

  // 5. The network drops while queued; inside Teiserver's 30 s the session lives on, and user/self says we are still queued.
  first.drop();
  await waitFor('reconnecting', () => view().connection.phase !== 'connected');
  const second = await peer.nextConnection();
  second.admit(teiserverSelf(ALICE, 'alice', {
    friendIds: [BOB],
    party: { id: 'P1', members: [{ userId: ALICE, joinedAt: US }], maxMembers: 5, invited: [{ userId: BOB, invitedAt: US + 1 }] },
    matchmaking: { state: 'queuing', queues: [{ id: '1v1', version: '1' }] },
  }));
  await answerOpening(second);
  await waitFor('connected again', () => view().connection.phase === 'connected');
  expect(view().matchmaking).toMatchObject({ phase: 'queued', queues: ['1v1'] });
  expect(view().party.current?.id).toBe('P1');

  // 6. Found, ready, and Teiserver's battle/start request, answered after the launch.
  second.event('matchmaking/found', { queueId: '1v1', timeoutMs: 20_000 });
  await waitFor('found', () => view().matchmaking.phase === 'found');
  const readying = lobby.intents.ready();
  second.succeed(await second.next('matchmaking/ready'));
  await readying;
  second.event('matchmaking/foundUpdate', { readyCount: 2 });
  const answer = await second.request('battle/start', BATTLE);
  expect(answer).toMatchObject({ type: 'response', commandId: 'battle/start', status: 'success' });
  expect(started).toEqual([BATTLE]);
  expect(view().battle).toMatchObject({ phase: 'running', host: '1.2.3.4:8452' });

  // The reconnect asked for nothing matchmaking: the queue came back from user/self alone.
  expect(second.received.filter((m) => m.commandId === 'matchmaking/queue')).toEqual([]);
  expect([...first.violations, ...second.violations]).toEqual([]);
  expect(view().notices.filter((n) => n.level === 'error')).toEqual([]);
  recordLog(logger.lines);
});
