// A WebSocket client below ws: a real upgrade over a plain TCP socket, then hand-made frames (RFC 6455 §5.2), for hostile-client tests.
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import WebSocket from 'ws';
import type { TachyonServer } from '../../src-main/core/server/tachyon-server';

export interface RawSocket {
  readonly socket: Socket;
  /** Resolves when the server has closed or dropped the connection. */
  readonly ended: Promise<void>;
  /** Resolves with the status code of the server's close frame. */
  readonly closeCode: Promise<number>;
  send(frame: Buffer): void;
}

/** Sends an HTTP request by hand and resolves with the status line's code and the head. */
export function rawHttp(port: number, head: string, body = ''): Promise<{ status: number; head: string; socket: Socket }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    socket.once('error', reject);
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1');
      const end = received.indexOf('\r\n\r\n');
      if (end < 0) return;
      socket.removeAllListeners('data');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(received)?.[1] ?? 0);
      resolve({ status, head: received.slice(0, end), socket });
    });
    socket.on('close', () => reject(new Error(`the server closed the connection before answering (got ${JSON.stringify(received.slice(0, 80))})`)));
    socket.write(`${head}\r\n\r\n${body}`);
  });
}

/** Upgrades to the Tachyon WebSocket with this bearer token, then leaves the framing to the test. */
export async function rawUpgrade(server: TachyonServer, token: string, host = `127.0.0.1:${server.port}`): Promise<RawSocket> {
  const key = randomBytes(16).toString('base64');
  const { status, socket } = await rawHttp(server.port, [
    'GET /tachyon HTTP/1.1', `Host: ${host}`, 'Upgrade: websocket', 'Connection: Upgrade', `Sec-WebSocket-Key: ${key}`,
    'Sec-WebSocket-Version: 13', 'Sec-WebSocket-Protocol: v0.tachyon', `Authorization: Bearer ${token}`,
  ].join('\r\n'));
  if (status !== 101) {
    socket.destroy();
    throw new Error(`upgrade answered ${status}`);
  }
  socket.removeAllListeners('close');
  socket.removeAllListeners('error');
  socket.on('error', () => undefined);
  // Server frames are unmasked (RFC 6455 §5.1): read them whole, keep only the close frame's code.
  let buffered = Buffer.alloc(0);
  const closeCode = new Promise<number>((resolve) => {
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      for (;;) {
        const frame = nextServerFrame(buffered);
        if (!frame) return;
        buffered = buffered.subarray(frame.size);
        if (frame.opcode === 0x8) resolve(frame.payload.length >= 2 ? frame.payload.readUInt16BE(0) : 1005);
      }
    });
  });
  const ended = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  return { socket, ended, closeCode, send: (frame) => socket.write(frame) };
}

function nextServerFrame(data: Buffer): { opcode: number; payload: Buffer; size: number } | null {
  if (data.length < 2) return null;
  const opcode = (data[0] ?? 0) & 0x0f;
  let length = (data[1] ?? 0) & 0x7f;
  let offset = 2;
  if (length === 126) {
    if (data.length < 4) return null;
    length = data.readUInt16BE(2);
    offset = 4;
  } else if (length === 127) {
    if (data.length < 10) return null;
    length = Number(data.readBigUInt64BE(2));
    offset = 10;
  }
  if (data.length < offset + length) return null;
  return { opcode, payload: data.subarray(offset, offset + length), size: offset + length };
}

/** One masked client frame; `length` overrides the announced payload length (a header that claims more than it carries). */
export function clientFrame(opcode: number, payload: Buffer, options: { length?: number } = {}): Buffer {
  const length = options.length ?? payload.length;
  const head: number[] = [0x80 | opcode];
  if (length < 126) head.push(0x80 | length);
  else if (length < 65536) head.push(0x80 | 126, length >> 8, length & 0xff);
  else {
    const big = Buffer.alloc(8);
    big.writeBigUInt64BE(BigInt(length));
    head.push(0x80 | 127, ...big);
  }
  const mask = randomBytes(4);
  const masked = Buffer.from(payload.map((byte, i) => byte ^ (mask[i % 4] ?? 0)));
  return Buffer.concat([Buffer.from(head), mask, masked]);
}

/** A ws client with this token; resolves once open. */
export async function wsClient(
  server: TachyonServer, token: string,
): Promise<{ socket: WebSocket; messages: Record<string, unknown>[]; closed: Promise<{ code: number; reason: string }> }> {
  const socket = new WebSocket(`ws://127.0.0.1:${server.port}/tachyon`, ['v0.tachyon'], { headers: { Authorization: `Bearer ${token}` } });
  const messages: Record<string, unknown>[] = [];
  socket.on('message', (d) => messages.push(JSON.parse(d.toString()) as Record<string, unknown>));
  const closed = new Promise<{ code: number; reason: string }>((resolve) => socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  return { socket, messages, closed };
}

/** Resolves once the server itself holds `count` player sessions (a client sees its socket close before the server does). */
export async function serverHolds(server: TachyonServer, count: number): Promise<void> {
  for (let i = 0; i < 2_000 && server.connectedUserIds().length !== count; i++) await new Promise((resolve) => setTimeout(resolve, 5));
  if (server.connectedUserIds().length !== count) throw new Error(`the server holds ${server.connectedUserIds().length} players, not ${count}`);
}

/** Sessions of one player the server itself holds, once it holds `count`. */
export async function serverHoldsSessions(server: TachyonServer, userId: string, count: number): Promise<void> {
  for (let i = 0; i < 2_000 && server.sessionsOf(userId).length !== count; i++) await new Promise((resolve) => setTimeout(resolve, 5));
  if (server.sessionsOf(userId).length !== count) throw new Error(`the server holds ${server.sessionsOf(userId).length} sessions of ${userId}, not ${count}`);
}

/** A fresh player connects and gets an answer to system/serverStats: the server is still serving. */
export async function serverStillServes(server: TachyonServer): Promise<number> {
  const { token } = server.addPlayer(`probe${randomBytes(4).toString('hex')}`);
  const client = await wsClient(server, token);
  const answer = new Promise<Record<string, unknown>>((resolve) => {
    client.socket.on('message', (d) => {
      const message = JSON.parse(d.toString()) as Record<string, unknown>;
      if (message.messageId === 'probe') resolve(message);
    });
  });
  client.socket.send(JSON.stringify({ type: 'request', messageId: 'probe', commandId: 'system/serverStats' }));
  const response = await answer;
  client.socket.close();
  await client.closed;
  if (response.status !== 'success') throw new Error(`serverStats answered ${JSON.stringify(response)}`);
  return (response.data as { userCount: number }).userCount;
}

/** A service token for a registered autohost client, from the token endpoint. */
export async function autohostToken(server: TachyonServer, clientId: string): Promise<string> {
  const { secret } = server.addAutohostClient(clientId);
  const response = await fetch(`${server.baseUrl}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: secret, scope: 'tachyon.lobby' }),
  });
  const body = await response.json() as { access_token: string };
  return body.access_token;
}

/** Sends one request on a ws client and resolves with its response. */
export async function call(socket: WebSocket, commandId: string, data?: unknown): Promise<Record<string, unknown>> {
  const messageId = randomBytes(6).toString('hex');
  const answered = new Promise<Record<string, unknown>>((resolve) => {
    const onMessage = (raw: WebSocket.RawData) => {
      const message = JSON.parse(raw.toString()) as Record<string, unknown>;
      if (message.messageId !== messageId || message.type !== 'response') return;
      socket.off('message', onMessage);
      resolve(message);
    };
    socket.on('message', onMessage);
  });
  socket.send(JSON.stringify({ type: 'request', messageId, commandId, ...(data === undefined ? {} : { data }) }));
  return answered;
}
