// The WebSocket lifecycle to a Tachyon server: subprotocol and bearer auth, keep-alive by silence timer, backoff reconnects, orderly quit.
import WebSocket from 'ws';
import type { Logger } from '../log';
import { TachyonEndpoint } from '../protocol/endpoint';
import { TACHYON_SUBPROTOCOL, type AnyEvent } from '../protocol/commands';
import { Backoff, type BackoffOptions } from './backoff';
import { bearerTokenProblem } from './bearer-token';
import { oneLine } from './one-line';
import { tachyonUrl } from './server-url';
import { withTimeout } from '../../shared/with-timeout';
import type { ConnectionPhase, VersionParity } from './status';
import { OutboundQueue, type OutboundRate } from './outbound-queue';

export type { ConnectionPhase, VersionParity };

export interface ConnectionStatus {
  readonly phase: ConnectionPhase;
  readonly versionParity: VersionParity;
  /** How many connection attempts failed in a row. */
  readonly failedAttempts: number;
  /** While reconnecting: when the next try starts (epoch ms) and how long that is from the change. */
  readonly retryAt?: number;
  readonly retryInMs?: number;
  /** Player-facing explanation of the last problem, if any. */
  readonly message?: string;
}

export interface ConnectionOptions {
  /** http(s) base address of the server, e.g. https://server.example */
  serverUrl: string;
  /** Asked before every (re)connect so a refreshed token is used. */
  getToken: () => string | Promise<string>;
  logger: Logger;
  backoff?: BackoffOptions;
  /** Drop the socket after this long without a ping or message (3 missed server pings). */
  silenceTimeoutMs?: number;
  requestTimeoutMs?: number;
  handshakeTimeoutMs?: number;
  /** Largest message accepted from the server (default 1 MiB; Tachyon's messages are far smaller). */
  maxPayloadBytes?: number;
  /** A connection that stays up this long resets the backoff. */
  stableAfterMs?: number;
  /** Send system/disconnect before closing (default true; only the user actor has that command). */
  disconnectOnClose?: boolean;
  /** The most this client sends (the player's lobby: Teiserver's limit, `SERVER_RATE_LIMIT`); excess frames wait in order. Default: no limit. */
  outboundRate?: OutboundRate | null;
  now?: () => number;
}

const INCOMPATIBLE_MESSAGE = 'This server speaks another protocol version (it did not accept v0.tachyon). Update the app.';
const DEFAULT_MAX_PAYLOAD_BYTES = 1024 * 1024;

type Verdict = 'incompatible' | 'unauthorized' | null;

export class TachyonConnection {
  private currentStatus: ConnectionStatus = { phase: 'idle', versionParity: 'unknown', failedAttempts: 0 };
  private socket: WebSocket | null = null;
  private endpoint: TachyonEndpoint | null = null;
  private outbound: OutboundQueue | null = null;
  private readonly backoff: Backoff;
  private readonly url: URL;
  private retryTimer: NodeJS.Timeout | null = null;
  private silenceTimer: NodeJS.Timeout | null = null;
  /** When the live socket last heard from the server (performance.now()). */
  private heardAt = 0;
  private stableTimer: NodeJS.Timeout | null = null;
  private stopped = false;
  /** Numbers each connect attempt: an attempt whose token arrives after a newer attempt (or close()) started opens nothing. */
  private attempt = 0;
  private awaitingToken = false;
  private lastFailure: string | undefined;
  private readonly statusListeners = new Set<(status: ConnectionStatus) => void>();
  private readonly sessionListeners = new Set<(endpoint: TachyonEndpoint) => void>();
  private readonly eventListeners = new Set<(event: AnyEvent) => void>();
  private readonly now: () => number;

  constructor(private readonly options: ConnectionOptions) {
    this.url = tachyonUrl(options.serverUrl);
    this.backoff = new Backoff(options.backoff);
    this.now = options.now ?? Date.now;
  }

  get status(): ConnectionStatus {
    return this.currentStatus;
  }

  /** The endpoint of the live session, or null while not connected. */
  get session(): TachyonEndpoint | null {
    return this.currentStatus.phase === 'connected' ? this.endpoint : null;
  }

  onStatus(listener: (status: ConnectionStatus) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  /** Called once per established session, before any inbound message is handled: register request handlers and send the opening requests here. */
  onSession(listener: (endpoint: TachyonEndpoint) => void): () => void {
    this.sessionListeners.add(listener);
    return () => this.sessionListeners.delete(listener);
  }

  onEvent(listener: (event: AnyEvent) => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  start(): void {
    if (this.stopped) throw new Error('this connection was closed; create a new one');
    if (this.socket || this.retryTimer || this.awaitingToken) return;
    this.launch();
  }

  /** The player asked to try now: skip the backoff wait (also leaves the incompatible/unauthorized states, which never retry alone). */
  retryNow(): void {
    if (this.stopped || this.socket) return;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.backoff.reset();
    // A token request still pending belongs to the attempt this one replaces: its answer opens nothing.
    this.launch();
  }

  /** Orderly quit: system/disconnect, then close 1000; never reconnects afterwards. */
  async close(reason = 'client quit'): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.attempt++;
    this.awaitingToken = false;
    this.clearTimers();
    const socket = this.socket;
    const endpoint = this.endpoint;
    const outbound = this.outbound;
    if (this.options.disconnectOnClose !== false && socket && endpoint && outbound && socket.readyState === WebSocket.OPEN && this.currentStatus.phase === 'connected') {
      // Teiserver ends the session and closes the socket without an answer: send it (ahead of requests that no longer
      // matter) and wait only until it is on the wire, never for a reply.
      outbound.discardWaiting();
      endpoint.request('system/disconnect', { reason }).catch(() => undefined);
      await withTimeout(outbound.drained(), 1_000).catch(() => undefined);
    }
    if (socket) await closeSocket(socket, 2_000);
    this.setStatus({ phase: 'closed', versionParity: this.currentStatus.versionParity, failedAttempts: 0 });
  }

  /** Starts a new connect attempt; connect() handles its own failures, and this catch keeps any slip from becoming an unhandled rejection. */
  private launch(): void {
    const attempt = ++this.attempt;
    this.connect(attempt).catch((error: unknown) => {
      if (attempt !== this.attempt || this.stopped) return;
      this.awaitingToken = false;
      this.lastFailure = `could not connect: ${describeSocketError(errorText(error))}`;
      this.options.logger.error(this.lastFailure);
      if (!this.socket) this.scheduleReconnect();
    });
  }

  private async connect(attempt: number): Promise<void> {
    if (this.stopped) return;
    this.setStatus({ ...this.baseStatus(), phase: this.backoff.attempts === 0 && this.currentStatus.phase !== 'reconnecting' ? 'connecting' : 'reconnecting', message: this.lastFailure });
    this.awaitingToken = true;
    let token: string;
    try {
      token = await this.options.getToken();
    } catch (error) {
      if (attempt !== this.attempt) return;
      this.awaitingToken = false;
      // A sign-in that has ended (refresh refused) will not come back by retrying: say so and wait for the player.
      if ((error as { code?: unknown }).code === 'sign_in_needed') {
        this.setStatus({ phase: 'unauthorized', versionParity: 'unknown', failedAttempts: this.backoff.attempts, message: 'Your sign-in has ended. Sign in again.' });
        return;
      }
      this.lastFailure = `could not get a sign-in token: ${oneLine(errorText(error), 200)}`;
      this.scheduleReconnect();
      return;
    }
    // retryNow() or close() came while the token was on its way: that newer attempt (or nothing) opens the socket.
    if (attempt !== this.attempt || this.stopped) return;
    this.awaitingToken = false;
    // The token becomes an HTTP header: one that is not an RFC 6750 bearer token would throw inside ws or inject a header.
    const problem = bearerTokenProblem(token);
    if (problem) {
      this.lastFailure = `the sign-in token cannot be used: ${problem}`;
      this.options.logger.warn(`not connecting: ${this.lastFailure}`);
      this.setStatus({ phase: 'unauthorized', versionParity: 'unknown', failedAttempts: this.backoff.attempts, message: `The sign-in token cannot be used: ${problem}. Sign in again.` });
      return;
    }
    let socket: WebSocket;
    try {
      socket = new WebSocket(this.url, [TACHYON_SUBPROTOCOL], {
        headers: { Authorization: `Bearer ${token}` },
        maxPayload: this.options.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES,
        handshakeTimeout: this.options.handshakeTimeoutMs ?? 10_000,
        perMessageDeflate: false,
      });
    } catch (error) {
      this.lastFailure = `could not open the connection: ${describeSocketError(errorText(error))}`;
      this.options.logger.warn(this.lastFailure);
      this.scheduleReconnect();
      return;
    }
    this.socket = socket;
    this.watchHandshake(socket);
  }

  /** Classifies the upgrade from what the server answered (status code, subprotocol header), never from error texts. */
  private watchHandshake(socket: WebSocket): void {
    let verdict: Verdict = null;
    let answer: string | null = null;
    // RFC 6455 §4.1: the server names the subprotocol it chose; none, or another, means another protocol version.
    socket.on('upgrade', (response) => {
      if (response.headers['sec-websocket-protocol'] === TACHYON_SUBPROTOCOL) return;
      verdict = 'incompatible';
      answer = INCOMPATIBLE_MESSAGE;
    });
    // An HTTP answer instead of the upgrade: its status is the verdict (401: the token was refused).
    socket.on('unexpected-response', (_request, response) => {
      const status = response.statusCode ?? 0;
      if (status === 401) verdict = 'unauthorized';
      answer = `the server answered HTTP ${status} instead of opening the connection`;
      socket.terminate();
    });
    socket.on('error', (error) => {
      this.lastFailure = answer ?? describeSocketError(errorText(error), (error as { code?: unknown }).code);
      this.options.logger.warn(`connection error: ${this.lastFailure}`);
    });
    socket.on('open', () => {
      if (this.socket !== socket) {
        // A socket of an attempt that was replaced: never a second session.
        socket.terminate();
        return;
      }
      if (socket.protocol !== TACHYON_SUBPROTOCOL) {
        verdict = 'incompatible';
        socket.terminate();
        return;
      }
      this.startSession(socket);
    });
    socket.on('close', (code, reasonBuffer) => {
      // The server's close reason is free text (up to 123 bytes): escaped, so it cannot forge a log line.
      this.onSocketClosed(socket, code, oneLine(reasonBuffer.toString('utf8').slice(0, 123), 123), verdict);
    });
  }

  private startSession(socket: WebSocket): void {
    const outbound = new OutboundQueue((text) => {
      if (socket.readyState === WebSocket.OPEN) socket.send(text);
    }, this.options.outboundRate ?? null);
    this.outbound = outbound;
    const endpoint = new TachyonEndpoint({
      send: (text) => outbound.send(text),
      closeForViolation: (reason) => socket.close(1008, reason.slice(0, 123)),
      logger: this.options.logger.child('protocol'),
      requestTimeoutMs: this.options.requestTimeoutMs,
    });
    this.endpoint = endpoint;
    endpoint.onEvent((event) => {
      for (const listener of this.eventListeners) listener(event);
    });
    socket.on('message', (data, isBinary) => {
      this.armSilenceTimer(socket);
      if (isBinary) {
        this.options.logger.warn('closing: the server sent a binary frame (Tachyon uses text frames only)');
        socket.close(1003, 'binary frames are not accepted');
        return;
      }
      endpoint.receive(rawToString(data));
    });
    socket.on('ping', () => this.armSilenceTimer(socket));
    socket.on('pong', () => this.armSilenceTimer(socket));
    this.armSilenceTimer(socket);
    this.lastFailure = undefined;
    this.stableTimer = setTimeout(() => this.backoff.reset(), this.options.stableAfterMs ?? 10_000);
    this.setStatus({ phase: 'connected', versionParity: 'match', failedAttempts: this.backoff.attempts });
    for (const listener of this.sessionListeners) {
      try {
        listener(endpoint);
      } catch (error) {
        this.options.logger.error(`session setup failed: ${errorText(error)}`);
      }
    }
  }

  private onSocketClosed(socket: WebSocket, code: number, reason: string, verdict: Verdict): void {
    if (this.socket !== socket) return;
    this.socket = null;
    this.clearTimers();
    const wasConnected = this.currentStatus.phase === 'connected';
    this.outbound?.stop();
    this.outbound = null;
    this.endpoint?.close(new Error(`socket closed (${code}${reason ? ` ${reason}` : ''})`));
    this.endpoint = null;
    if (this.stopped) return;
    if (verdict === 'incompatible') {
      this.setStatus({ phase: 'incompatible', versionParity: 'major_mismatch', failedAttempts: this.backoff.attempts, message: INCOMPATIBLE_MESSAGE });
      return;
    }
    if (verdict === 'unauthorized') {
      // Retrying the same token would only hammer the server: a sign-in is needed (a signed-in session refreshes first: core/auth/connection-binding.ts).
      this.setStatus({ phase: 'unauthorized', versionParity: 'unknown', failedAttempts: this.backoff.attempts, message: 'The server rejected the sign-in (HTTP 401). Sign in again.' });
      return;
    }
    if (wasConnected) {
      // Keep a more specific reason (e.g. the silence timer's) when we already have one.
      this.lastFailure ??= `connection lost (${code}${reason ? `: ${reason}` : ''})`;
      this.options.logger.info(this.lastFailure);
    }
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.stopped) return;
    const waitMs = this.backoff.next();
    const at = this.now() + waitMs;
    this.setStatus({ ...this.baseStatus(), phase: 'reconnecting', retryAt: at, retryInMs: waitMs, message: this.lastFailure });
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.launch();
    }, waitMs);
  }

  /**
   * Something arrived: the silence limit counts from now. Thousands of messages a second arrive in a busy burst, so this only
   * notes the time; the one timer, when it fires, waits again for whatever is left of the limit since the last arrival.
   */
  private armSilenceTimer(socket: WebSocket): void {
    this.heardAt = performance.now();
    if (this.silenceTimer) return;
    const limit = this.options.silenceTimeoutMs ?? 30_000;
    const wait = (ms: number) => {
      this.silenceTimer = setTimeout(() => {
        const left = this.heardAt + limit - performance.now();
        if (left >= 1) return wait(left);
        this.silenceTimer = null;
        this.options.logger.warn(`no ping or message for ${limit} ms: dropping the connection`);
        this.lastFailure = `the server went silent for ${Math.round(limit / 1000)} s`;
        socket.terminate();
      }, ms);
    };
    wait(limit);
  }

  private clearTimers(): void {
    for (const timer of [this.retryTimer, this.silenceTimer, this.stableTimer]) if (timer) clearTimeout(timer);
    this.retryTimer = this.silenceTimer = this.stableTimer = null;
  }

  private baseStatus(): ConnectionStatus {
    return { phase: this.currentStatus.phase, versionParity: this.currentStatus.versionParity, failedAttempts: this.backoff.attempts };
  }

  private setStatus(status: ConnectionStatus): void {
    this.currentStatus = status;
    for (const listener of this.statusListeners) listener(status);
  }
}

function rawToString(data: WebSocket.RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Words for a socket error, by its Node or ws error code where there is one; any other text redacted and on one line. */
function describeSocketError(text: string, code?: unknown): string {
  switch (code) {
    case 'ECONNREFUSED': return 'the server refused the connection (is it running?)';
    case 'ENOTFOUND':
    case 'EAI_AGAIN': return 'the server name could not be resolved';
    case 'ETIMEDOUT': return 'the server did not answer in time';
    case 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH': return 'the server sent a message larger than this client accepts';
    default: break;
  }
  // ws reports its own handshake timeout without a code.
  if (/Opening handshake has timed out/i.test(text)) return 'the server did not answer in time';
  return oneLine(text.replace(/Bearer\s+\S+/g, 'Bearer [redacted]'), 200);
}

/** Closes politely (1000), or drops a socket still connecting; terminates it when the peer does not finish the close in time. */
function closeSocket(socket: WebSocket, graceMs: number): Promise<void> {
  if (socket.readyState === WebSocket.CLOSED) return Promise.resolve();
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  if (socket.readyState === WebSocket.CONNECTING) socket.terminate();
  else socket.close(1000, 'bye');
  return withTimeout(closed, graceMs).catch(() => socket.terminate());
}
