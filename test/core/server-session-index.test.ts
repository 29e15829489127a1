// The server's sessions indexed by player: system/serverStats counts players (not sockets), a player stays online until their last socket closes.
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { TachyonServer } from '../../src-main/core/server/tachyon-server';
import { waitFor } from '../support/world';

const servers: TachyonServer[] = [];
afterEach(async () => { for (const s of servers.splice(0)) await s.close(); });

async function player(server: TachyonServer, token: string) {
  const socket = new WebSocket(`${server.baseUrl.replace('http', 'ws')}/tachyon`, ['v0.tachyon'], { headers: { Authorization: `Bearer ${token}` } });
  const messages: Record<string, unknown>[] = [];
  socket.on('message', (d) => messages.push(JSON.parse(d.toString()) as Record<string, unknown>));
  await new Promise((resolve, reject) => { socket.once('open', resolve); socket.once('error', reject); });
  await waitFor('user/self', () => messages.some((m) => m.commandId === 'user/self'));
  let next = 0;
  const userCount = async (): Promise<unknown> => {
    const messageId = `stats-${next++}`;
    socket.send(JSON.stringify({ type: 'request', messageId, commandId: 'system/serverStats' }));
    const response = await waitFor('the stats response', () => messages.find((m) => m.messageId === messageId));
    return (response.data as { userCount: unknown }).userCount;
  };
  const close = () => new Promise((resolve) => { socket.once('close', resolve); socket.close(); });
  return { userCount, close };
}

describe('embedded server sessions by player', () => {
  it('counts players, not sockets, and keeps a player online until their last socket closes', async () => {
    const server = new TachyonServer();
    servers.push(server);
    await server.listen(0);
    const alice = server.addPlayer('alice');
    const aliceAgain = server.addPlayer('alice'); // the same player, a second token
    const bob = server.addPlayer('bob');
    expect(aliceAgain.userId).toBe(alice.userId);
    const aliceOne = await player(server, alice.token);
    const aliceTwo = await player(server, aliceAgain.token);
    const bobSocket = await player(server, bob.token);
    expect(await bobSocket.userCount()).toBe(2);
    expect(server.sessionsOf(alice.userId)).toHaveLength(2);

    await aliceOne.close();
    await waitFor('one alice session left', () => server.sessionsOf(alice.userId).length === 1);
    expect(await bobSocket.userCount()).toBe(2);
    expect(server.community.statusOf(alice.userId)).toBe('menu');

    await aliceTwo.close();
    await waitFor('no alice session left', () => server.sessionsOf(alice.userId).length === 0);
    expect(await bobSocket.userCount()).toBe(1);
    expect(server.community.statusOf(alice.userId)).toBe('offline');
    expect(server.connectedUserIds()).toEqual([bob.userId]);
    await bobSocket.close();
  });
});
