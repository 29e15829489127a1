// Parties on the embedded server, by Teiserver's rules: any member may kick any other member; the invited and outsiders may not, and only members can be kicked.
import { afterEach, describe, expect, it } from 'vitest';
import { TachyonServer } from '../../src-main/core/server/tachyon-server';
import { call, wsClient } from './raw-client';

const servers: TachyonServer[] = [];
afterEach(async () => { for (const s of servers.splice(0)) await s.close(); });

async function partyOfFour() {
  const server = new TachyonServer({ rateLimit: null });
  servers.push(server);
  await server.listen(0);
  const [alice, bob, carol, dave] = await Promise.all(['alice', 'bob', 'carol', 'dave'].map(async (name) => {
    const { userId, token } = server.addPlayer(name);
    return { userId, ...(await wsClient(server, token)) };
  }));
  if (!alice || !bob || !carol || !dave) throw new Error('four players');
  const created = await call(alice.socket, 'party/create');
  // The current revision answers the whole PartyState (Tachyon 1.22.0).
  const partyId = (created.data as { party: { id: string; maxMembers: number } }).party.id;
  expect((created.data as { party: { maxMembers: number } }).party.maxMembers).toBeGreaterThanOrEqual(1);
  for (const p of [bob, carol]) expect(await call(alice.socket, 'party/invite', { userId: p.userId })).toMatchObject({ status: 'success' });
  expect(await call(bob.socket, 'party/acceptInvite', { partyId })).toMatchObject({ status: 'success' });
  const members = () => server.community.partyOf(alice.userId)?.members.map((m) => m.userId) ?? server.community.partyOf(bob.userId)?.members.map((m) => m.userId);
  return { server, alice, bob, carol, dave, partyId, members };
}

describe('party/kickMember', () => {
  it('refuses a kick from someone only invited, or from outside the party', async () => {
    const { alice, bob, carol, dave, members } = await partyOfFour();
    for (const kicker of [carol, dave]) {
      expect(await call(kicker.socket, 'party/kickMember', { userId: bob.userId })).toMatchObject({ status: 'failed', reason: 'invalid_request' });
    }
    expect(members()).toEqual([alice.userId, bob.userId]);
  });

  it('refuses to kick someone who is only invited', async () => {
    const { bob, carol, server } = await partyOfFour();
    expect(await call(bob.socket, 'party/kickMember', { userId: carol.userId })).toMatchObject({ status: 'failed', reason: 'invalid_request' });
    expect(server.community.partyOf(bob.userId)?.invited.map((i) => i.userId)).toEqual([carol.userId]);
  });

  it('lets any member kick another, the one who created the party included: parties have no leader', async () => {
    const { alice, bob, partyId, members } = await partyOfFour();
    const removed = new Promise<Record<string, unknown>>((resolve) => alice.socket.on('message', (d) => {
      const message = JSON.parse(d.toString()) as Record<string, unknown>;
      if (message.commandId === 'party/removed') resolve(message);
    }));
    expect(await call(bob.socket, 'party/kickMember', { userId: alice.userId })).toMatchObject({ status: 'success' });
    expect((await removed).data).toEqual({ partyId });
    expect(members()).toEqual([bob.userId]);
  });
});
