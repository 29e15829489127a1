// The WebSocket lifecycle to a Tachyon server: subprotocol and bearer auth, keep-alive by silence timer, backoff reconnects, orderly quit.
import WebSocket from 'ws';
import type { Logger } from '../log';
import { TachyonEndpoint } from '../protocol/endpoint';
import { TACHYON_SUBPROTOCOL, type AnyEvent } from '../protocol/commands';
import { Backoff, type BackoffOptions } from './backoff';
import { tachyonUrl } from './server-url';

import type { ConnectionPhase, VersionParity } from '../lobby/state';

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
  maxPayloadBytes?: number;
  /** A connection that stays up this long resets the backoff. */
  stableAfterMs?: number;
  /** Send system/disconnect before closing (default true; only the user actor has that command). */
  disconnectOnClose?: boolean;
  now?: () => number;
}

const INCOMPATIBLE_MESSAGE = 'This server speaks another protocol version (it did not accept v0.tachyon). Update the app.';

export class TachyonConnection {
  private currentStatus: ConnectionStatus = { phase: 'idle', versionParity: 'unknown', failedAttempts: 0 };
  private socket: WebSocket | null = null;
  private endpoint: TachyonEndpoint | null = null;
  private readonly backoff: Backoff;
  private readonly url: URL;
  private retryTimer: NodeJS.Timeout | null = null;
  private silenceTimer: NodeJS.Timeout | null = null;
  private stableTimer: NodeJS.Timeout | null = null;
  private stopped = false;
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
    if (this.socket || this.retryTimer) return;
    void this.connect();
  }

  /** The player asked to try now: skip the backoff wait (also leaves the incompatible/unauthorized states, which never retry alone). */
  retryNow(): void {
    if (this.stopped || this.socket) return;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.backoff.reset();
    void this.connect();
  }

  /** Orderly quit: system/disconnect, then close 1000; never reconnects afterwards. */
  async close(reason = 'client quit'): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.clearTimers();
    const socket = this.socket;
    const endpoint = this.endpoint;
    if (this.options.disconnectOnClose !== false && socket && endpoint && socket.readyState === WebSocket.OPEN && this.currentStatus.phase === 'connected') {
      const answered = endpoint.request('system/disconnect', { reason }).catch(() => undefined);
      await Promise.race([answered, delay(2_000)]);
    }
    if (socket) {
      await new Promise<void>((resolve) => {
        if (socket.readyState === WebSocket.CLOSED) return resolve();
        const fallback = setTimeout(() => { socket.terminate(); resolve(); }, 2_000);
        socket.once('close', () => { clearTimeout(fallback); resolve(); });
        if (socket.readyState === WebSocket.CONNECTING) socket.terminate();
        else socket.close(1000, 'bye');
      });
    }
    this.setStatus({ phase: 'closed', versionParity: this.currentStatus.versionParity, failedAttempts: 0 });
  }

  private async connect(): Promise<void> {
    this.retryTimer = null;
    if (this.stopped) return;
    this.setStatus({ ...this.baseStatus(), phase: this.backoff.attempts === 0 && this.currentStatus.phase !== 'reconnecting' ? 'connecting' : 'reconnecting', message: this.lastFailure });
    let token: string;
    try {
      token = await this.options.getToken();
    } catch (error) {
      // A sign-in that has ended (refresh refused) will not come back by retrying: say so and wait for the player.
      if ((error as { code?: unknown }).code === 'sign_in_needed') {
        this.setStatus({ phase: 'unauthorized', versionParity: 'unknown', failedAttempts: this.backoff.attempts, message: 'Your sign-in has ended. Sign in again.' });
        return;
      }
      this.lastFailure = `could not get a sign-in token: ${errorText(error)}`;
      this.scheduleReconnect();
      return;
    }
    if (this.stopped) return;
    const socket = new WebSocket(this.url, [TACHYON_SUBPROTOCOL], {
      headers: { Authorization: `Bearer ${token}` },
      maxPayload: this.options.maxPayloadBytes ?? 4 * 1024 * 1024,
      handshakeTimeout: this.options.handshakeTimeoutMs ?? 10_000,
      perMessageDeflate: false,
    });
    this.socket = socket;
    let verdict: 'incompatible' | 'unauthorized' | null = null;

    socket.on('error', (error) => {
      const text = errorText(error);
      if (/sent no subprotocol|invalid subprotocol/i.test(text)) verdict = 'incompatible';
      else if (/Unexpected server response: 401\b/.test(text)) verdict = 'unauthorized';
      this.lastFailure = describeSocketError(text);
      this.options.logger.warn(`connection error: ${this.lastFailure}`);
    });
    socket.on('open', () => {
      if (socket.protocol !== TACHYON_SUBPROTOCOL) {
        verdict = 'incompatible';
        socket.terminate();
        return;
      }
      this.startSession(socket);
    });
    socket.on('close', (code, reasonBuffer) => {
      this.onSocketClosed(socket, code, reasonBuffer.toString('utf8').slice(0, 123), verdict);
    });
  }

  private startSession(socket: WebSocket): void {
    const endpoint = new TachyonEndpoint({
      send: (text) => {
        if (socket.readyState === WebSocket.OPEN) socket.send(text);
      },
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

  private onSocketClosed(socket: WebSocket, code: number, reason: string, verdict: 'incompatible' | 'unauthorized' | null): void {
    if (this.socket !== socket) return;
    this.socket = null;
    this.clearTimers();
    const wasConnected = this.currentStatus.phase === 'connected';
    this.endpoint?.close(new Error(`socket closed (${code}${reason ? ` ${reason}` : ''})`));
    this.endpoint = null;
    if (this.stopped) return;
    if (verdict === 'incompatible') {
      this.setStatus({ phase: 'incompatible', versionParity: 'major_mismatch', failedAttempts: this.backoff.attempts, message: INCOMPATIBLE_MESSAGE });
      return;
    }
    if (verdict === 'unauthorized') {
      // Retrying the same token would only hammer the server: a sign-in is needed (issue 7 adds the refresh step).
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
    this.retryTimer = setTimeout(() => void this.connect(), waitMs);
  }

  private armSilenceTimer(socket: WebSocket): void {
    if (this.silenceTimer) clearTimeout(this.silenceTimer);
    const limit = this.options.silenceTimeoutMs ?? 30_000;
    this.silenceTimer = setTimeout(() => {
      this.options.logger.warn(`no ping or message for ${limit} ms: dropping the connection`);
      this.lastFailure = `the server went silent for ${Math.round(limit / 1000)} s`;
      socket.terminate();
    }, limit);
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

function describeSocketError(text: string): string {
  if (/ECONNREFUSED/.test(text)) return 'the server refused the connection (is it running?)';
  if (/ENOTFOUND|EAI_AGAIN/.test(text)) return 'the server name could not be resolved';
  if (/ETIMEDOUT|Opening handshake has timed out/i.test(text)) return 'the server did not answer in time';
  const http = /Unexpected server response: (\d{3})/.exec(text);
  if (http) return `the server answered HTTP ${http[1]} instead of opening the connection`;
  if (/sent no subprotocol|invalid subprotocol/i.test(text)) return INCOMPATIBLE_MESSAGE;
  return text.replace(/Bearer\s+\S+/g, 'Bearer [redacted]').slice(0, 200);
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref?.());
}
