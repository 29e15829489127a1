// A scripted Tachyon server for transcript tests: it accepts a client the way Teiserver does (Bearer token, the `v0.tachyon`
// subprotocol, echoed), then a test sends exactly the messages the real server sends, in its order and shapes, and reads
// what the client sends back. Every client message is checked against the current revision's schemas (what Teiserver
// validates incoming messages with); a message that fails is answered `invalid_request` as Teiserver answers it and kept
// in `violations`, which a test asserts empty.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { randomUUID } from 'node:crypto';
import { validateMessage, type SchemaSet } from '../../src-main/core/protocol/validation';
import { TACHYON_SUBPROTOCOL } from '../../src-main/core/protocol/commands';

export interface WireMessage {
  type: 'request' | 'response' | 'event';
  messageId: string;
  commandId: string;
  status?: 'success' | 'failed';
  reason?: string;
  details?: string;
  data?: unknown;
}

export interface ScriptedConnection {
  /** The Bearer token the client connected with. */
  readonly token: string;
  /** When each message in `received` arrived (epoch ms, same order): for checking the client against the rate limit. */
  readonly receivedAt: readonly number[];
  /** Still in the login queue (`startScriptedPeer({ loginQueue: true })`): every request is answered "waiting for login". */
  readonly waitingForLogin: boolean;
  /** Lets the connection out of the login queue with its one `user/self`, as Teiserver's admission does. */
  admit(self: { user: Record<string, unknown> }): void;
  /** Resolves once the client has sent `count` messages in all (those answered "waiting for login" included). */
  receivedCount(count: number): Promise<void>;
  /**
   * A ping answered by the client's pong: the pong leaves the client after everything it wrote while handling what came
   * before the ping, so once this resolves `received` holds all of that. The barrier for "the client sent nothing".
   */
  roundTrip(): Promise<void>;
  /** Sends whatever `send` sends in one socket write, so the client reads it all at once (a burst of events). */
  burst(send: () => void): void;
  /** Everything the client sent, in order. */
  readonly received: readonly WireMessage[];
  /** Client messages that failed the current revision's schemas (each answered `invalid_request` when a request). */
  readonly violations: readonly { commandId: string; problem: string }[];
  /** The next client message of this command (and type, default request) not yet taken by an earlier `next`. */
  next(commandId: string, type?: WireMessage['type']): Promise<WireMessage>;
  event(commandId: string, data?: unknown): void;
  /** From now on this connection plays a server of another revision (`either`: a 1.13.0 server's shapes are allowed too). */
  speak(schemas: SchemaSet): void;
  /** Answers a client request `success` (with data when given). */
  succeed(request: WireMessage, data?: unknown): void;
  fail(request: WireMessage, reason: string, details?: string): void;
  /** A server → client request; resolves with the client's answer. */
  request(commandId: string, data: unknown): Promise<WireMessage>;
  /** Sends raw text, for shapes no helper builds. */
  sendRaw(text: string): void;
  /** Ends the socket abruptly (no close frame), as a network drop would. */
  drop(): void;
  close(code?: number, reason?: string): void;
  readonly closed: Promise<{ code: number; reason: string }>;
}

export interface ScriptedPeer {
  /** Base address to give the client (`http://127.0.0.1:<port>`). */
  readonly baseUrl: string;
  /** The next client connection (in the order they arrived). */
  nextConnection(): Promise<ScriptedConnection>;
  close(): Promise<void>;
}

export interface ScriptedPeerOptions {
  /** Hold every connection in a login queue until `admit()`: nothing is sent, each request is answered "waiting for login". */
  loginQueue?: boolean;
  /**
   * What the peer's own scripted messages must fit, checked before each is sent (a test bug throws): `current` (default)
   * keeps every transcript in the shapes Teiserver sends; `either` lets a test play a 1.13.0 server.
   */
  schemas?: SchemaSet;
}

export async function startScriptedPeer(options: ScriptedPeerOptions = {}): Promise<ScriptedPeer> {
  const http: Server = createServer((_req, res) => {
    res.writeHead(404).end();
  });
  const wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (protocols) => (protocols.has(TACHYON_SUBPROTOCOL) ? TACHYON_SUBPROTOCOL : false),
  });
  const arrived: ScriptedConnection[] = [];
  const waiting: ((c: ScriptedConnection) => void)[] = [];
  const sockets = new Set<WebSocket>();
  http.on('upgrade', (req: IncomingMessage, socket, head) => {
    const auth = req.headers.authorization ?? '';
    const token = auth.startsWith('Bearer ') ? auth.slice('Bearer '.length) : '';
    if (!token || new URL(req.url ?? '/', 'http://x').pathname !== '/tachyon') {
      socket.end('HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n{"error":"invalid_token"}');
      return;
    }
    // Teiserver answers an upgrade without the subprotocol with HTTP 400, never with a socket that speaks none.
    const offered = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
    if (!offered.includes(TACHYON_SUBPROTOCOL)) {
      socket.end('HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n{"error":"invalid_request"}');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      ws.on('close', () => sockets.delete(ws));
      const connection = scripted(ws, token, options.loginQueue === true, options.schemas ?? 'current');
      const taker = waiting.shift();
      if (taker) taker(connection);
      else arrived.push(connection);
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    nextConnection: () => {
      const ready = arrived.shift();
      return ready ? Promise.resolve(ready) : new Promise((resolve) => waiting.push(resolve));
    },
    close: async () => {
      for (const ws of sockets) ws.terminate();
      wss.close();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

function scripted(ws: WebSocket, token: string, loginQueue: boolean, peerSchemas: SchemaSet): ScriptedConnection {
  let schemas = peerSchemas;
  const received: WireMessage[] = [];
  const receivedAt: number[] = [];
  const countWaiters: { count: number; resolve: () => void }[] = [];
  let waitingForLogin = loginQueue;
  const violations: { commandId: string; problem: string }[] = [];
  const taken = new Set<WireMessage>();
  const watchers: { match: (m: WireMessage) => boolean; resolve: (m: WireMessage) => void }[] = [];
  const answers = new Map<string, (m: WireMessage) => void>();
  const send = (message: object) => {
    if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(message));
  };
  /** A scripted message: it must be one the server could send. */
  const script = (message: { type: WireMessage['type']; commandId: string; [field: string]: unknown }) => {
    const check = validateMessage(message, schemas);
    if (!check.ok) throw new Error(`the scripted peer would send an invalid ${message.commandId} ${message.type}: ${check.problem}`);
    send(message);
  };
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() }));
  });
  ws.on('message', (raw) => {
    let message: WireMessage;
    try {
      message = JSON.parse(raw.toString()) as WireMessage;
    } catch {
      ws.close(1008, 'Invalid json sent');
      return;
    }
    // Teiserver checks the envelope before any schema: anything else closes the socket.
    const envelope = message as unknown as Record<string, unknown> | null;
    if (typeof envelope !== 'object' || envelope === null || Array.isArray(envelope) || !['request', 'response', 'event'].includes(String(envelope.type))
      || typeof envelope.messageId !== 'string' || typeof envelope.commandId !== 'string') {
      violations.push({ commandId: String(envelope?.commandId), problem: 'invalid envelope' });
      ws.close(1008, 'Invalid json sent');
      return;
    }
    received.push(message);
    receivedAt.push(Date.now());
    for (const waiter of countWaiters.filter((w) => received.length >= w.count)) {
      countWaiters.splice(countWaiters.indexOf(waiter), 1);
      waiter.resolve();
    }
    const check = validateMessage(message, 'current');
    if (!check.ok) violations.push({ commandId: message.commandId, problem: check.problem });
    if (waitingForLogin) {
      if (message.type === 'request') {
        send({ type: 'response', messageId: message.messageId, commandId: message.commandId, status: 'failed', reason: 'invalid_request', details: 'waiting for login' });
      }
      taken.add(message);
      return;
    }
    if (!check.ok) {
      if (message.type === 'request') {
        const reason = check.problem.startsWith('no request schema') ? 'command_unimplemented' : 'invalid_request';
        send({ type: 'response', messageId: message.messageId, commandId: message.commandId, status: 'failed', reason, details: check.problem });
        taken.add(message);
        return;
      }
    }
    if (message.type === 'response') {
      const answer = answers.get(message.messageId);
      if (answer) {
        answers.delete(message.messageId);
        taken.add(message);
        answer(message);
        return;
      }
    }
    const index = watchers.findIndex((w) => w.match(message));
    if (index >= 0) {
      const [watcher] = watchers.splice(index, 1);
      taken.add(message);
      watcher?.resolve(message);
    }
  });
  return {
    token,
    receivedAt,
    get waitingForLogin() {
      return waitingForLogin;
    },
    admit: (self) => {
      waitingForLogin = false;
      send({ type: 'event', messageId: randomUUID(), commandId: 'user/self', data: self });
    },
    roundTrip: () => new Promise<void>((resolve, reject) => {
      const payload = Buffer.from(randomUUID());
      const onPong = (data: Buffer) => {
        if (!data.equals(payload)) return;
        ws.off('pong', onPong);
        resolve();
      };
      ws.on('pong', onPong);
      ws.ping(payload, undefined, (error) => {
        if (error) reject(error);
      });
    }),
    burst: (sendAll) => {
      const tcp = (ws as unknown as { _socket: { cork(): void; uncork(): void } })._socket;
      tcp.cork();
      try {
        sendAll();
      } finally {
        tcp.uncork();
      }
    },
    receivedCount: (count) => (received.length >= count ? Promise.resolve() : new Promise((resolve) => countWaiters.push({ count, resolve }))),
    received: received as readonly WireMessage[],
    violations,
    next: (commandId, type = 'request') => {
      const match = (m: WireMessage) => m.commandId === commandId && m.type === type && !taken.has(m);
      const already = received.find(match);
      if (already) {
        taken.add(already);
        return Promise.resolve(already);
      }
      return new Promise((resolve) => watchers.push({ match, resolve }));
    },
    speak: (set) => {
      schemas = set;
    },
    event: (commandId, data) => script({ type: 'event', messageId: randomUUID(), commandId, ...(data === undefined ? {} : { data }) }),
    succeed: (request, data) =>
      script({ type: 'response', messageId: request.messageId, commandId: request.commandId, status: 'success', ...(data === undefined ? {} : { data }) }),
    fail: (request, reason, details) =>
      script({ type: 'response', messageId: request.messageId, commandId: request.commandId, status: 'failed', reason, ...(details === undefined ? {} : { details }) }),
    request: (commandId, data) => {
      const messageId = randomUUID();
      const answered = new Promise<WireMessage>((resolve) => answers.set(messageId, resolve));
      script({ type: 'request', messageId, commandId, data });
      return answered;
    },
    sendRaw: (text) => {
      if (ws.readyState === WebSocket.OPEN) ws.send(text);
    },
    drop: () => ws.terminate(),
    close: (code = 1000, reason = '') => ws.close(code, reason),
    closed,
  };
}

/** `user/self` as Teiserver builds it on admission (tachyon_handler's do_admit): a player with nothing going on. */
export function teiserverSelf(userId: string, username: string, overrides: Record<string, unknown> = {}): { user: Record<string, unknown> } {
  return {
    user: {
      userId, username, displayName: username, clanId: null, countryCode: 'DE', status: 'menu',
      party: null, invitedToParties: [], friendIds: [], outgoingFriendRequest: [], incomingFriendRequest: [], ignoreIds: [],
      currentLobby: null, clanInvites: [], matchmaking: { state: 'no_matchmaking' },
      ...overrides,
    },
  };
}

/** A `matchmaking/list` answer as Teiserver sends it (every playlist with its version). */
export function teiserverPlaylists(version = '1'): { playlists: unknown[] } {
  return {
    playlists: [{
      id: '1v1', version, name: 'Duel', numOfTeams: 2, teamSize: 1, ranked: true,
      engines: [{ version: '2025.04.01' }], games: [{ springName: 'Beyond All Reason test-1' }], maps: [{ springName: 'Quicksilver Remake 1.24' }],
    }],
  };
}
