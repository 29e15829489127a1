// The embedded server's own rules: schema-breaking clients get invalid_request, floods are cut off like Teiserver does, tokens and OAuth discovery work.
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { TachyonServer } from '../../src-main/core/server/tachyon-server';
import { controlsOf } from '../support/server-controls';

const servers: TachyonServer[] = [];
afterEach(async () => { for (const s of servers.splice(0)) await s.close(); });

async function rawClient(server: TachyonServer, token: string) {
  const socket = new WebSocket(`${server.baseUrl.replace('http', 'ws')}/tachyon`, ['v0.tachyon'], { headers: { Authorization: `Bearer ${token}` } });
  const messages: Record<string, unknown>[] = [];
  socket.on('message', (d) => messages.push(JSON.parse(d.toString()) as Record<string, unknown>));
  const closed = new Promise<{ code: number; reason: string }>((resolve) => socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  await new Promise((resolve, reject) => { socket.once('open', resolve); socket.once('error', reject); });
  return { socket, messages, closed };
}

describe('embedded server', () => {
  it('answers a schema-breaking request with invalid_request and records the violation', async () => {
    const server = new TachyonServer();
    controlsOf(server); // before anyone connects, so it sees every peer
    servers.push(server);
    await server.listen(0);
    const { token } = server.addPlayer('alice');
    const client = await rawClient(server, token);
    client.socket.send(JSON.stringify({ type: 'request', messageId: 'm1', commandId: 'messaging/send', data: { target: { type: 'player' }, message: 'hi' } }));
    await new Promise((r) => setTimeout(r, 200));
    expect(client.messages.find((m) => m.messageId === 'm1')).toMatchObject({ status: 'failed', reason: 'invalid_request' });
    expect(controlsOf(server).violations.join()).toMatch(/invalid messaging\/send request/);
    client.socket.close();
  });

  it('closes a client that floods past 10 messages a second with a burst of 20', async () => {
    const server = new TachyonServer();
    controlsOf(server); // before anyone connects, so it sees every peer
    servers.push(server);
    await server.listen(0);
    const { token } = server.addPlayer('alice');
    const client = await rawClient(server, token);
    for (let i = 0; i < 40; i++) client.socket.send(JSON.stringify({ type: 'request', messageId: `m${i}`, commandId: 'system/serverStats' }));
    const closed = await client.closed;
    expect(closed.code).toBe(1008);
    expect(closed.reason).toMatch(/rate limit/);
    const answered = client.messages.filter((m) => m.type === 'response').length;
    // Answers still in flight when the socket closes are lost; nothing past the burst is ever answered.
    expect(answered).toBeLessThanOrEqual(20);
  });

  it('refuses upgrades without a valid token (401) and serves OAuth discovery', async () => {
    const server = new TachyonServer();
    controlsOf(server); // before anyone connects, so it sees every peer
    servers.push(server);
    await server.listen(0);
    await expect(rawClient(server, 'nope')).rejects.toThrow(/401/);
    const discovery = await (await fetch(`${server.baseUrl}/.well-known/oauth-authorization-server`)).json() as Record<string, unknown>;
    expect(discovery.issuer).toBe(server.baseUrl);
    expect(discovery.token_endpoint).toBe(`${server.baseUrl}/oauth2/token`);
    const { clientId, secret } = server.addAutohostClient('ah1');
    const ok = await fetch(`${server.baseUrl}/oauth2/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: secret, scope: 'tachyon.lobby' }) });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ token_type: 'Bearer', scope: 'tachyon.lobby' });
    const bad = await fetch(`${server.baseUrl}/oauth2/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: 'wrong' }) });
    expect(bad.status).toBe(401);
    expect(await bad.json()).toMatchObject({ error: 'invalid_client' });
  });
});
