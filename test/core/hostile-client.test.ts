// Hostile clients against the embedded server: broken frames, too many sockets, floods, junk HTTP. Each drops only the offender; the server keeps serving.
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { TachyonServer, type TachyonServerOptions } from '../../src-main/core/server/tachyon-server';
import { autohostToken, clientFrame, rawHttp, rawUpgrade, serverHolds, serverHoldsSessions, serverStillServes, wsClient } from './raw-client';
import { controlsOf } from '../support/server-controls';

const servers: TachyonServer[] = [];
afterEach(async () => { for (const s of servers.splice(0)) await s.close(); });

async function startServer(options: TachyonServerOptions = {}): Promise<TachyonServer> {
  const server = new TachyonServer(options);
  controlsOf(server); // before anyone connects, so it sees every peer
  servers.push(server);
  await server.listen(0);
  return server;
}

const TEXT = 0x1;
const CLOSE = 0x8;
const closeCode = (code: number) => Buffer.from([code >> 8, code & 0xff]);

// Each is a frame ws refuses with an 'error' on the accepted socket (RFC 6455 §5.2, §5.6, §7.4.1).
const badFrames: { name: string; frame: () => Buffer; problem: RegExp }[] = [
  { name: 'a text frame that is not UTF-8', frame: () => clientFrame(TEXT, Buffer.from([0xff, 0xfe, 0xfd])), problem: /UTF-8/ },
  { name: 'a frame one byte over the 1 MiB maxPayload', frame: () => clientFrame(TEXT, Buffer.alloc(0), { length: 1024 * 1024 + 1 }), problem: /max payload size/ },
  { name: 'a reserved opcode', frame: () => clientFrame(0x3, Buffer.from('x')), problem: /opcode/ },
  { name: 'a close frame with a forbidden code', frame: () => clientFrame(CLOSE, closeCode(1005)), problem: /status code/ },
];

describe('frame errors', () => {
  for (const kind of ['player', 'autohost'] as const) {
    for (const bad of badFrames) {
      it(`drops ${kind === 'player' ? 'a player' : 'an autohost'} that sends ${bad.name}, and keeps serving`, async () => {
        const server = await startServer();
        const token = kind === 'player' ? server.addPlayer('mallory').token : await autohostToken(server, 'evil-host');
        const raw = await rawUpgrade(server, token);
        raw.send(bad.frame());
        await raw.ended;
        await serverHolds(server, 0);
        expect(controlsOf(server).violations.join('\n')).toMatch(new RegExp(`${kind === 'player' ? 'user' : 'autohost'} .*bad frame: .*${bad.problem.source}`, 'i'));
        expect(await serverStillServes(server)).toBe(1);
      });
    }
  }
});

/** Opens plain TCP connections to the server and notes which ones the server drops. */
async function tcpConnections(server: TachyonServer, count: number): Promise<{ sockets: Socket[]; dropped: () => number; allDropped: (n: number) => Promise<void> }> {
  const sockets: Socket[] = [];
  let dropped = 0;
  const waiters: (() => void)[] = [];
  for (let i = 0; i < count; i++) {
    const socket = connect(server.port, '127.0.0.1');
    socket.on('error', () => undefined);
    socket.on('close', () => {
      dropped++;
      for (const wake of waiters.splice(0)) wake();
    });
    await new Promise((resolve) => socket.once('connect', resolve));
    sockets.push(socket);
  }
  const allDropped = async (n: number) => {
    while (dropped < n) await new Promise<void>((resolve) => waiters.push(resolve));
  };
  return { sockets, dropped: () => dropped, allDropped };
}

async function openConnectionsSettle(server: TachyonServer, count: number): Promise<void> {
  for (let i = 0; i < 2_000 && controlsOf(server).openConnections() !== count; i++) await new Promise((resolve) => setTimeout(resolve, 5));
  expect(controlsOf(server).openConnections()).toBe(count);
}

describe('connection caps', () => {
  it('refuses a fifth socket of one player with 429 until one of the four closes', async () => {
    const server = await startServer();
    const { token } = server.addPlayer('mallory');
    const four = await Promise.all([1, 2, 3, 4].map(() => wsClient(server, token)));
    await expect(wsClient(server, token)).rejects.toThrow(/429/);
    // 200 sockets with the one token: each is refused, none gets a session (the rate limit is per socket).
    const refused = await Promise.allSettled(Array.from({ length: 200 }, () => wsClient(server, token)));
    expect(refused.every((r) => r.status === 'rejected')).toBe(true);
    expect(server.sessionsOf(server.accounts.accountForToken(token)?.userId ?? '')).toHaveLength(4);
    four[0]?.socket.close();
    await serverHoldsSessions(server, server.accounts.accountForToken(token)?.userId ?? '', 3);
    const fifth = await wsClient(server, token);
    expect(await serverStillServes(server)).toBe(2);
    for (const c of [...four.slice(1), fifth]) c.socket.close();
  });

  it('refuses sockets over the global cap with 503, and drops TCP connections over maxConnections', async () => {
    const server = await startServer({ limits: { sockets: 2 } });
    const a = await wsClient(server, server.addPlayer('a').token);
    const b = await wsClient(server, server.addPlayer('b').token);
    await expect(wsClient(server, server.addPlayer('c').token)).rejects.toThrow(/503/);
    b.socket.close();
    await serverHolds(server, 1);
    // The refused upgrade's connection and b's are gone on the server's side too: only a's socket is counted.
    await openConnectionsSettle(server, 1);
    // Two sockets plus the headroom of 64 for plain HTTP: one is still a WebSocket, so 65 more get in and 4 are dropped.
    const tcp = await tcpConnections(server, 69);
    await tcp.allDropped(4);
    expect(tcp.dropped()).toBe(4);
    for (const socket of tcp.sockets) socket.destroy();
    await tcp.allDropped(69);
    await openConnectionsSettle(server, 1);
    expect(await serverStillServes(server)).toBe(2);
    a.socket.close();
  });

  it('cuts off a flood of frames on one socket and keeps serving', async () => {
    const server = await startServer();
    const { token } = server.addPlayer('mallory');
    const raw = await rawUpgrade(server, token);
    const request = clientFrame(TEXT, Buffer.from(JSON.stringify({ type: 'request', messageId: 'x', commandId: 'system/serverStats' })));
    raw.send(Buffer.concat(Array.from({ length: 5_000 }, () => request)));
    expect(await raw.closeCode).toBe(1008);
    raw.socket.destroy();
    await serverHolds(server, 0);
    expect(await serverStillServes(server)).toBe(1);
  });
});

describe('unauthenticated HTTP', () => {
  it('answers junk paths 404 and upgrades without a bearer 401, and keeps serving', async () => {
    const server = await startServer();
    const host = `Host: 127.0.0.1:${server.port}`;
    for (let i = 0; i < 50; i++) {
      const junk = await rawHttp(server.port, `GET /../../etc/passwd${i} HTTP/1.1\r\n${host}\r\nConnection: close`);
      expect(junk.status).toBe(404);
      junk.socket.destroy();
      const upgrade = await rawHttp(server.port, ['GET /tachyon HTTP/1.1', host, 'Upgrade: websocket', 'Connection: Upgrade', 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Version: 13'].join('\r\n'));
      expect(upgrade.status).toBe(401);
      upgrade.socket.destroy();
    }
    // A valid token with a broken handshake (ws answers it), and a request line that is not HTTP (Node answers it).
    const { token } = server.addPlayer('mallory');
    const broken = await rawHttp(server.port, ['GET /tachyon HTTP/1.1', host, 'Upgrade: websocket', 'Connection: Upgrade', 'Sec-WebSocket-Key: short', 'Sec-WebSocket-Version: 8', `Authorization: Bearer ${token}`].join('\r\n'));
    expect(broken.status).toBeGreaterThanOrEqual(400);
    broken.socket.destroy();
    const garbage = await rawHttp(server.port, '\u0000\u0001 nonsense');
    expect(garbage.status).toBe(400);
    garbage.socket.destroy();
    expect(await serverStillServes(server)).toBe(1);
  });

  it('refuses headers over 8 KiB (431) and cuts off a client that trickles its headers', async () => {
    const server = await startServer({ limits: { headersTimeoutMs: 200, requestTimeoutMs: 400 } });
    const big = await rawHttp(server.port, `GET / HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nX-Pad: ${'a'.repeat(9 * 1024)}`);
    expect(big.status).toBe(431);
    big.socket.destroy();
    const slow = connect(server.port, '127.0.0.1');
    slow.on('error', () => undefined);
    const answered: Buffer[] = [];
    slow.on('data', (chunk: Buffer) => answered.push(chunk));
    const closed = new Promise((resolve) => slow.once('close', resolve));
    slow.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    await closed;
    expect(Buffer.concat(answered).toString()).toMatch(/^HTTP\/1\.1 408/);
    expect(await serverStillServes(server)).toBe(1);
  });
});

describe('Host check (DNS rebinding)', () => {
  const routes = [
    'GET /.well-known/oauth-authorization-server', 'GET /oauth2/authorize?client_id=generic_lobby', 'POST /oauth2/authorize',
    'POST /oauth2/token', 'POST /oauth2/revoke', 'GET /no-such-path',
  ];
  for (const route of routes) {
    it(`answers ${route} 421 for another Host, and serves it for 127.0.0.1 and localhost`, async () => {
      const server = await startServer();
      const ask = async (host: string) => {
        const body = 'grant_type=client_credentials';
        const answer = await rawHttp(server.port, `${route} HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\nConnection: close`, route.startsWith('POST') ? body : '');
        answer.socket.destroy();
        return answer.status;
      };
      for (const host of ['attacker.example', `attacker.example:${server.port}`, `127.0.0.1:${server.port + 1}`, '127.0.0.1']) expect(await ask(host)).toBe(421);
      for (const host of [`127.0.0.1:${server.port}`, `LOCALHOST:${server.port}`]) expect(await ask(host)).not.toBe(421);
    });
  }

  it('refuses the WebSocket upgrade with 421 for another Host, even with a valid token', async () => {
    const server = await startServer();
    const { token } = server.addPlayer('alice');
    await expect(rawUpgrade(server, token, 'attacker.example')).rejects.toThrow(/421/);
    await expect(rawUpgrade(server, token, `attacker.example:${server.port}`)).rejects.toThrow(/421/);
    const fine = await rawUpgrade(server, token, `localhost:${server.port}`);
    expect(server.sessionsOf(server.accounts.accountForToken(token)?.userId ?? '')).toHaveLength(1);
    fine.socket.destroy();
  });
});
