// The embedded server's content check before pairing (`matchmaking/checkAssets`, Tachyon 1.23.0), against raw players that
// answer as the test says: `complete` pairs at once, `downloading` queues but keeps the player out of pairing until a later
// ask says `complete`, `missing` or no answer refuses the queue with `party_missing_asset` (the whole party's), a player who
// turns `missing` or downloads too long leaves matchmaking in words, and a lobby that predates the check counts as ready.
import { afterEach, describe, expect, it } from 'vitest';
import { TachyonServer } from '../../src-main/core/server/tachyon-server';
import { playlistVersion, type PlaylistConfig } from '../../src-main/core/server/match';
import type { AssetCheckOptions } from '../../src-main/core/server/queue-assets';
import { rawPlayer, type Message, type RawPlayer } from './lobby-client-harness';

const duel: PlaylistConfig = { id: 'duel', name: 'Duel', numOfTeams: 2, teamSize: 1, engine: '106.0', game: 'Test Game test-1', map: 'Test Map 1.0' };
const QUEUE = { queues: [{ id: duel.id, version: playlistVersion(duel) }] };

const servers: TachyonServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

async function world(assetCheck: AssetCheckOptions = { recheckMs: 20 }) {
  const server = new TachyonServer({
    rateLimit: null, matchIntervalMs: 50, sessionGraceMs: 0, playlists: [duel], assetCheck,
    launcher: { launch: async () => ({ ip: '127.0.0.1', port: 8452 }), kill: async () => undefined },
  });
  servers.push(server);
  await server.listen(0);
  return server;
}

const answered = new WeakSet<Message>();

/** Waits for the server's next `matchmaking/checkAssets` to this player and answers it; resolves with the request's data. */
async function answerCheck(player: RawPlayer, answer: 'complete' | 'downloading' | 'missing' | 'command_unimplemented'): Promise<unknown> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const request = player.messages.find((m) => m.type === 'request' && m.commandId === 'matchmaking/checkAssets' && !answered.has(m));
    if (request) {
      answered.add(request);
      const base = { type: 'response', messageId: request.messageId, commandId: 'matchmaking/checkAssets' };
      player.socket.send(JSON.stringify(answer === 'command_unimplemented'
        ? { ...base, status: 'failed', reason: 'command_unimplemented' }
        : { ...base, status: 'success', data: { assetStatus: answer } }));
      return request.data;
    }
    if (Date.now() > deadline) throw new Error(`${player.name} was not asked for the queue's content`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function party(server: TachyonServer, leader: RawPlayer, member: RawPlayer): Promise<void> {
  const { party: { id } } = await leader.ok<{ party: { id: string } }>('party/create');
  await leader.ok('party/invite', { userId: member.userId });
  await member.ok('party/acceptInvite', { partyId: id });
  expect(server.community.partyOf(leader.userId)?.members.map((m) => m.userId).sort()).toEqual([leader.userId, member.userId].sort());
}

describe('matchmaking/checkAssets on the embedded server', () => {
  it('asks each joining player for the playlist\'s content; complete answers pair them at once', async () => {
    const server = await world();
    const alice = await rawPlayer(server, 'alice');
    const bob = await rawPlayer(server, 'bob');
    for (const player of [alice, bob]) {
      const queued = player.call('matchmaking/queue', QUEUE);
      expect(await answerCheck(player, 'complete')).toEqual({ queueId: 'duel', version: playlistVersion(duel), engines: ['106.0'], game: duel.game, maps: [duel.map] });
      expect(await queued).toMatchObject({ status: 'success' });
    }
    expect(await alice.next('matchmaking/found')).toMatchObject({ queueId: 'duel' });
    expect(await bob.next('matchmaking/found')).toMatchObject({ queueId: 'duel' });
  });

  it('queues a player who is downloading, keeps them out of pairing and asks again until complete, then pairs them', async () => {
    const server = await world();
    const alice = await rawPlayer(server, 'alice');
    const bob = await rawPlayer(server, 'bob');
    const aliceQueued = alice.call('matchmaking/queue', QUEUE);
    await answerCheck(alice, 'complete');
    await aliceQueued;
    const bobQueued = bob.call('matchmaking/queue', QUEUE);
    await answerCheck(bob, 'downloading');
    expect(await bobQueued).toMatchObject({ status: 'success' });
    expect(server.matchmaker.queuedUserIds('duel')).toEqual([alice.userId, bob.userId]);
    // Asked again while downloading: still no match, though two players are queued for a one-against-one.
    await answerCheck(bob, 'downloading');
    await answerCheck(bob, 'downloading');
    await alice.barrier();
    expect([alice.pending('matchmaking/found'), bob.pending('matchmaking/found')]).toEqual([0, 0]);
    await answerCheck(bob, 'complete');
    expect(await alice.next('matchmaking/found')).toMatchObject({ queueId: 'duel' });
    expect(await bob.next('matchmaking/found')).toMatchObject({ queueId: 'duel' });
  });

  it('refuses a party\'s queue with party_missing_asset when a member is missing the content, and queues nobody', async () => {
    const server = await world();
    const alice = await rawPlayer(server, 'alice');
    const bob = await rawPlayer(server, 'bob');
    await party(server, alice, bob);
    const queued = alice.call('matchmaking/queue', QUEUE);
    await answerCheck(alice, 'complete');
    await answerCheck(bob, 'missing');
    expect(await queued).toMatchObject({ status: 'failed', reason: 'party_missing_asset', details: 'bob does not have everything Duel needs, and it cannot be downloaded.' });
    expect(server.matchmaker.queuedUserIds('duel')).toEqual([]);
    await bob.barrier();
    expect(bob.pending('matchmaking/queuesJoined')).toBe(0);
    // Nothing is held: the same party queues once the member has it.
    const again = alice.call('matchmaking/queue', QUEUE);
    await answerCheck(alice, 'complete');
    await answerCheck(bob, 'complete');
    expect(await again).toMatchObject({ status: 'success' });
    expect(await bob.next('matchmaking/queuesJoined')).toEqual({ queues: ['duel'] });
  });

  it('takes a player whose download turns out missing out of matchmaking with the reason, and their party with them', async () => {
    const server = await world();
    const alice = await rawPlayer(server, 'alice');
    const bob = await rawPlayer(server, 'bob');
    await party(server, alice, bob);
    const queued = alice.call('matchmaking/queue', QUEUE);
    await answerCheck(alice, 'complete');
    await answerCheck(bob, 'downloading');
    expect(await queued).toMatchObject({ status: 'success' });
    expect(await bob.next('matchmaking/queuesJoined')).toEqual({ queues: ['duel'] });
    await answerCheck(bob, 'missing');
    expect(await bob.next('matchmaking/cancelled')).toEqual({ reason: 'server_error', details: 'bob does not have everything Duel needs, and it cannot be downloaded.' });
    expect(await alice.next('matchmaking/cancelled')).toEqual({ reason: 'party_user_left' });
    expect(server.matchmaker.queuedUserIds('duel')).toEqual([]);
    expect(server.matchmaker.stateOf(bob.userId)).toEqual({ state: 'no_matchmaking' });
  });

  it('takes a player out who is still downloading after the time allowed', async () => {
    const server = await world({ recheckMs: 20, downloadLimitMs: 0 });
    const bob = await rawPlayer(server, 'bob');
    const queued = bob.call('matchmaking/queue', QUEUE);
    await answerCheck(bob, 'downloading');
    expect(await queued).toMatchObject({ status: 'success' });
    await answerCheck(bob, 'downloading');
    expect(await bob.next('matchmaking/cancelled')).toEqual({ reason: 'server_error', details: 'bob was still downloading what Duel needs after the time allowed.' });
    expect(server.matchmaker.queuedUserIds('duel')).toEqual([]);
  });

  it('refuses the queue when a lobby does not answer in time; a lobby that predates the check (command_unimplemented) counts as ready', async () => {
    const server = await world({ answerTimeoutMs: 200, recheckMs: 20 });
    const carol = await rawPlayer(server, 'carol');
    expect(await carol.call('matchmaking/queue', QUEUE)).toMatchObject({ status: 'failed', reason: 'party_missing_asset', details: 'carol\'s lobby did not say whether it has what Duel needs.' });
    expect(server.matchmaker.queuedUserIds('duel')).toEqual([]);
    const dave = await rawPlayer(server, 'dave');
    const erin = await rawPlayer(server, 'erin');
    for (const player of [dave, erin]) {
      const queued = player.call('matchmaking/queue', QUEUE);
      await answerCheck(player, 'command_unimplemented');
      expect(await queued).toMatchObject({ status: 'success' });
    }
    expect(await dave.next('matchmaking/found')).toMatchObject({ queueId: 'duel' });
  });

  it('refuses a second queue while the first waits for its check, and a cancel meanwhile queues nobody', async () => {
    const server = await world();
    const alice = await rawPlayer(server, 'alice');
    const first = alice.call('matchmaking/queue', QUEUE);
    await alice.barrier();
    expect(await alice.call('matchmaking/queue', QUEUE)).toMatchObject({ status: 'failed', reason: 'already_queued' });
    expect(await alice.call('matchmaking/cancel')).toMatchObject({ status: 'success' });
    await answerCheck(alice, 'complete');
    expect(await first).toMatchObject({ status: 'success' });
    expect(await alice.next('matchmaking/cancelled')).toEqual({ reason: 'intentional' });
    expect(server.matchmaker.queuedUserIds('duel')).toEqual([]);
  });
});
