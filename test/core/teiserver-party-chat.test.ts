// Transcripts against a scripted Teiserver-like peer: parties in the current revision's shapes (PartyState with maxMembers,
// `party/create` answering the whole party, refusals as `invalid_request` with details), lobby chat, and which protocol
// revision the client learns from what the server sends. The peer checks every client message against the current revision.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLobbyApp, type CoreLobbyApp } from '../../src-main/core/lobby-app';
import { createMemoryLogger } from '../../src-main/core/log';
import { startScriptedPeer, teiserverPlaylists, teiserverSelf, type ScriptedConnection, type ScriptedPeer } from '../support/scripted-peer';
import type { SchemaSet } from '../../src-main/core/protocol/validation';
import { waitFor } from '../support/world';

const ALICE = 'u-alice';
const BOB = 'u-bob';
const US = 1_767_000_000_000_000; // a time in microseconds, as Teiserver sends party times

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

/** Answers every request of these commands on this connection as Teiserver would, for as long as it lasts. */
function keepAnswering(conn: ScriptedConnection, answers: Record<string, unknown>): void {
  for (const [commandId, data] of Object.entries(answers)) {
    void (async () => {
      for (;;) conn.succeed(await conn.next(commandId), data);
    })();
  }
}

/** The client's opening requests, answered; `playlists` is the `matchmaking/list` answer. */
function answerOpening(conn: ScriptedConnection, playlists: unknown = teiserverPlaylists()): void {
  keepAnswering(conn, {
    'messaging/subscribeReceived': { hasMissedMessages: false },
    'matchmaking/list': playlists,
    'friend/list': { friends: [], outgoingPendingRequests: [], incomingPendingRequests: [] },
    'system/serverStats': { userCount: 2 },
    'user/subscribeUpdates': undefined,
  });
  // Teiserver answers an orderly quit and closes the socket.
  void conn.next('system/disconnect').then((request) => {
    conn.succeed(request);
    conn.close();
  });
}

interface Session { peer: ScriptedPeer; app: CoreLobbyApp; conn: ScriptedConnection }

/** A real lobby app connected to the peer, which admits it with `self` (Teiserver's `user/self` by default). */
async function connect(self: unknown = teiserverSelf(ALICE, 'alice'), playlists?: unknown, schemas: SchemaSet = 'current'): Promise<Session> {
  const peer = await startScriptedPeer({ schemas });
  const dataDir = mkdtempSync(join(tmpdir(), 'lobby-test-'));
  const app = createLobbyApp({
    serverUrl: peer.baseUrl, getToken: () => 'token', dataDir, logger: createMemoryLogger(), statsIntervalMs: 60_000,
    connection: { backoff: { baseMs: 50, capMs: 500 } },
  });
  cleanup.push(async () => {
    await app.close();
    await peer.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  const conn = await peer.nextConnection();
  // Teiserver sends user/self first on admission (tachyon_handler's do_admit).
  conn.event('user/self', self);
  answerOpening(conn, playlists);
  await waitFor('signed in', () => app.snapshot().self !== null && app.snapshot().matchmaking.playlists.length > 0);
  return { peer, app, conn };
}

const party = (id: string, members: string[], invited: string[] = [], maxMembers = 8) => ({
  id, maxMembers,
  members: members.map((userId, i) => ({ userId, joinedAt: US + i })),
  invited: invited.map((userId, i) => ({ userId, invitedAt: US + 100 + i })),
});

describe('parties against a Teiserver-like server', () => {
  it('creates a party from the whole PartyState, follows invite, accept and kick through party/updated, and says each refusal in words', async () => {
    const { app, conn } = await connect();
    const current = () => app.snapshot().party.current;

    const creating = app.intents.createParty();
    conn.succeed(await conn.next('party/create'), { party: party('p1', [ALICE]) });
    await creating;
    expect(current()).toEqual({ id: 'p1', maxMembers: 8, members: [{ userId: ALICE, joinedAt: US }], invited: [] });

    const inviting = app.intents.inviteToParty(BOB);
    const invite = await conn.next('party/invite');
    expect(invite.data).toEqual({ userId: BOB });
    conn.succeed(invite);
    await inviting;
    conn.event('party/updated', party('p1', [ALICE], [BOB]));
    await waitFor('bob invited', () => current()?.invited.some((i) => i.userId === BOB));

    // Bob accepts on his own client: we hear of it as an update.
    conn.event('party/updated', party('p1', [ALICE, BOB]));
    await waitFor('bob a member', () => current()?.members.length === 2 && current()?.invited.length === 0);

    const refusing = app.intents.inviteToParty('u-carol');
    conn.fail(await conn.next('party/invite'), 'invalid_request', 'party_at_capacity');
    await expect(refusing).rejects.toMatchObject({
      code: 'rejected', reason: 'invalid_request', message: 'The party is full. The server said: party_at_capacity',
    });
    const oddly = app.intents.cancelPartyInvite('u-carol');
    conn.fail(await conn.next('party/cancelInvite'), 'invalid_request', 'a reason no client knows yet');
    await expect(oddly).rejects.toMatchObject({ message: 'The server did not accept the request. The server said: a reason no client knows yet' });

    const kicking = app.intents.kickFromParty(BOB);
    const kick = await conn.next('party/kickMember');
    expect(kick.data).toEqual({ userId: BOB });
    conn.succeed(kick);
    await kicking;
    conn.event('party/updated', party('p1', [ALICE]));
    await waitFor('bob gone', () => current()?.members.length === 1);
    expect(current()?.maxMembers).toBe(8);

    // Then someone kicks us: Teiserver tells the kicked player party/removed.
    conn.event('party/removed', { partyId: 'p1' });
    await waitFor('out of the party', () => current() === null);
    expect(conn.violations).toEqual([]);
  });

  it('shows an invitation received, accepts one and declines another', async () => {
    const { app, conn } = await connect();
    conn.event('party/invited', { party: party('p2', [BOB], [ALICE], 4) });
    await waitFor('invitation shown', () => app.snapshot().party.invitations.length === 1);
    expect(app.snapshot().party.invitations[0]).toMatchObject({ id: 'p2', maxMembers: 4, members: [{ userId: BOB }] });

    const accepting = app.intents.acceptPartyInvite('p2');
    const accept = await conn.next('party/acceptInvite');
    expect(accept.data).toEqual({ partyId: 'p2' });
    conn.succeed(accept);
    await accepting;
    conn.event('party/updated', party('p2', [BOB, ALICE], [], 4));
    await waitFor('in the party', () => app.snapshot().party.current?.id === 'p2');
    expect(app.snapshot().party.invitations).toEqual([]);
    expect(app.snapshot().party.current?.members.map((m) => m.userId)).toEqual([BOB, ALICE]);

    conn.event('party/invited', { party: party('p3', ['u-carol'], [ALICE]) });
    await waitFor('second invitation', () => app.snapshot().party.invitations.some((i) => i.id === 'p3'));
    const declining = app.intents.declinePartyInvite('p3');
    const decline = await conn.next('party/declineInvite');
    expect(decline.data).toEqual({ partyId: 'p3' });
    conn.succeed(decline);
    await declining;
    expect(app.snapshot().party.invitations).toEqual([]);
    expect(conn.violations).toEqual([]);
  });

  it('still chats in the party with the new PartyState', async () => {
    const { app, conn } = await connect(teiserverSelf(ALICE, 'alice', { party: party('p1', [ALICE, BOB]) }));
    expect(app.snapshot().party.current).toMatchObject({ id: 'p1', maxMembers: 8 });
    conn.event('messaging/received', { message: 'ready?', source: { type: 'party', partyId: 'p1', userId: BOB }, timestamp: US, marker: '1' });
    await waitFor('party line', () => app.snapshot().chat.some((l) => l.text === 'ready?'));
    expect(app.snapshot().chat[0]?.channel).toEqual({ type: 'party', partyId: 'p1' });
    const sending = app.intents.sendChat({ type: 'party' }, 'yes');
    const send = await conn.next('messaging/send');
    expect(send.data).toEqual({ target: { type: 'party' }, message: 'yes' });
    conn.succeed(send);
    await sending;
    expect(app.snapshot().chat.at(-1)).toMatchObject({ text: 'yes', fromUserId: ALICE, channel: { type: 'party', partyId: 'p1' } });
    expect(conn.violations).toEqual([]);
  });
});

describe('lobby chat against a Teiserver-like server', () => {
  it('shows a line from a lobby in its own thread and answers it with target {type: "lobby"}', async () => {
    const { app, conn } = await connect();
    conn.event('messaging/received', { message: 'gl hf', source: { type: 'lobby', lobbyId: 'L1', userId: BOB }, timestamp: US, marker: '7' });
    await waitFor('lobby line', () => app.snapshot().chat.some((l) => l.text === 'gl hf'));
    expect(app.snapshot().chat[0]).toMatchObject({ fromUserId: BOB, channel: { type: 'lobby', lobbyId: 'L1' } });

    const sending = app.intents.sendChat({ type: 'lobby' }, 'you too');
    const send = await conn.next('messaging/send');
    expect(send.data).toEqual({ target: { type: 'lobby' }, message: 'you too' });
    conn.succeed(send);
    await sending;
    // Our own line joins the thread of the lobby we are chatting in.
    expect(app.snapshot().chat.at(-1)).toMatchObject({ text: 'you too', fromUserId: ALICE, channel: { type: 'lobby', lobbyId: 'L1' } });

    // Out of the lobby, the server refuses the target: the player reads why, and no line of ours is shown.
    const lines = app.snapshot().chat.length;
    const refused = app.intents.sendChat({ type: 'lobby' }, 'anyone?');
    conn.fail(await conn.next('messaging/send'), 'invalid_target');
    await expect(refused).rejects.toMatchObject({ code: 'rejected', message: expect.stringContaining('lobby cannot receive messages') });
    expect(app.snapshot().chat).toHaveLength(lines);
    expect(conn.violations).toEqual([]);
  });
});

describe('the protocol revision', () => {
  it('is Teiserver\'s current one for its user/self, unknown again on a new connection, and 1.13.0 for a server that speaks it', async () => {
    const { app, conn, peer } = await connect();
    expect(app.snapshot().connection.protocol).toBe('tachyon-current');

    conn.drop();
    const next = await peer.nextConnection();
    next.speak('either'); // this one plays a 1.13.0 server
    // The new connection has said nothing yet: what the last server spoke is forgotten.
    expect(app.snapshot().connection.protocol).toBe('unknown');
    const { currentLobby: _lobby, clanInvites: _invites, matchmaking: _mm, ...oldUser } = teiserverSelf(ALICE, 'alice').user;
    next.event('user/self', { user: oldUser });
    const oldPlaylists = teiserverPlaylists().playlists.map((p) => {
      const { version: _version, ...rest } = p as Record<string, unknown>;
      return rest;
    });
    answerOpening(next, { playlists: oldPlaylists });
    await waitFor('1.13.0 learnt', () => app.snapshot().connection.protocol === 'tachyon-1.13' && app.snapshot().matchmaking.playlists[0]?.version === null);

    // A 1.13.0 server answers party/create with the id alone: the party has no known maximum, and the revision stays.
    const creating = app.intents.createParty();
    next.succeed(await next.next('party/create'), { partyId: 'p-old' });
    await creating;
    expect(app.snapshot().party.current).toMatchObject({ id: 'p-old', maxMembers: null });
    expect(app.snapshot().connection.protocol).toBe('tachyon-1.13');
    expect(conn.violations).toEqual([]);
    expect(next.violations).toEqual([]);
  });

  it('is "newer than 1.13.0" for a user/self with currentLobby and clanInvites but no matchmaking', async () => {
    const { matchmaking: _mm, ...user } = teiserverSelf(ALICE, 'alice').user;
    const { app, conn } = await connect({ user }, undefined, 'either');
    expect(app.snapshot().connection.protocol).toBe('tachyon-newer');
    expect(conn.violations).toEqual([]);
  });
});
