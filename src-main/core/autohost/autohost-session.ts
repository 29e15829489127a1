// The autohost's Tachyon side: the request handlers of each session, subscribeUpdates with its replay, autohost/status, and the retry after a 401.
import type { AutohostStartRequestData, AutohostStatusEventData, AutohostUpdateEventData } from 'tachyon-protocol/types';
import type { ConnectionStatus, TachyonConnection } from '../connection/tachyon-connection';
import type { Logger } from '../log';
import { FailWith, type TachyonEndpoint } from '../protocol/endpoint';
import type { RequestData } from '../protocol/commands';
import { SinceTooOldError, type UpdateBuffer } from './update-buffer';

/** What the server can ask of the autohost; each throws FailWith to answer `failed`. */
export interface AutohostService {
  startBattle(data: AutohostStartRequestData): Promise<{ ips: string[]; port: number }>;
  killBattle(data: RequestData<'autohost/kill'>): Promise<void>;
  addPlayer(data: RequestData<'autohost/addPlayer'>): Promise<void>;
  kickPlayer(data: RequestData<'autohost/kickPlayer'>): Promise<void>;
  mutePlayer(data: RequestData<'autohost/mutePlayer'>): Promise<void>;
  specPlayers(data: RequestData<'autohost/specPlayers'>): Promise<void>;
  sendCommand(data: RequestData<'autohost/sendCommand'>): Promise<void>;
  sendMessage(data: RequestData<'autohost/sendMessage'>): Promise<void>;
  installEngine(data: RequestData<'autohost/installEngine'>): Promise<void>;
}

export interface AutohostSessionOptions {
  connection: TachyonConnection;
  service: AutohostService;
  updates: UpdateBuffer;
  /** The status as it is now, sent when it changed and on every new session. */
  status: () => AutohostStatusEventData;
  /** Called after a 401 on the upgrade: drop the cached token so the retry fetches a fresh one. */
  onUnauthorized?: () => void;
  logger: Logger;
}

export class AutohostSession {
  private session: TachyonEndpoint | null = null;
  private lastStatusSent: string | null = null;
  private subscription: { endpoint: TachyonEndpoint; live: boolean } | null = null;
  private unauthorizedTimer: NodeJS.Timeout | null = null;
  private unauthorizedRetries = 0;
  private closed = false;
  private readonly statusListeners = new Set<(status: AutohostStatusEventData) => void>();

  constructor(private readonly options: AutohostSessionOptions) {
    options.connection.onSession((endpoint) => this.start(endpoint));
    options.connection.onStatus((status) => this.handleConnectionStatus(status));
  }

  onStatus(listener: (status: AutohostStatusEventData) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  /** No more retries after a 401. */
  close(): void {
    this.closed = true;
    if (this.unauthorizedTimer) clearTimeout(this.unauthorizedTimer);
  }

  /** Tells the listeners, and the server when it differs from what it last heard. */
  sendStatus(): void {
    const endpoint = this.session;
    const status = this.options.status();
    for (const listener of this.statusListeners) listener(status);
    if (!endpoint) return;
    const text = JSON.stringify(status);
    if (text === this.lastStatusSent) return;
    try {
      endpoint.sendEvent('autohost/status', status);
      this.lastStatusSent = text;
    } catch (error) {
      this.options.logger.error(`could not send autohost/status: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** A new update (already in the buffer): streamed at once to a live subscription; a replay under way picks it up from the buffer. */
  publish(entry: AutohostUpdateEventData): void {
    const subscription = this.subscription;
    if (subscription?.live) this.sendUpdate(subscription.endpoint, entry);
  }

  private start(endpoint: TachyonEndpoint): void {
    const service = this.options.service;
    this.session = endpoint;
    this.subscription = null;
    this.lastStatusSent = null;
    this.unauthorizedRetries = 0;
    endpoint.handle('autohost/start', (data) => service.startBattle(data));
    endpoint.handle('autohost/kill', (data) => answered(service.killBattle(data)));
    endpoint.handle('autohost/addPlayer', (data) => answered(service.addPlayer(data)));
    endpoint.handle('autohost/kickPlayer', (data) => answered(service.kickPlayer(data)));
    endpoint.handle('autohost/mutePlayer', (data) => answered(service.mutePlayer(data)));
    endpoint.handle('autohost/specPlayers', (data) => answered(service.specPlayers(data)));
    endpoint.handle('autohost/sendCommand', (data) => answered(service.sendCommand(data)));
    endpoint.handle('autohost/sendMessage', (data) => answered(service.sendMessage(data)));
    endpoint.handle('autohost/installEngine', (data) => answered(service.installEngine(data)));
    endpoint.handle('autohost/subscribeUpdates', (data) => {
      this.subscribe(endpoint, data.since);
      return undefined;
    });
    this.sendStatus();
  }

  private subscribe(endpoint: TachyonEndpoint, since: number): void {
    const updates = this.options.updates;
    try {
      updates.after(since);
    } catch (error) {
      if (error instanceof SinceTooOldError) throw new FailWith<'autohost/subscribeUpdates'>('invalid_request', error.message);
      throw error;
    }
    if (this.subscription?.endpoint === endpoint) throw new FailWith<'autohost/subscribeUpdates'>('invalid_request', 'already subscribed on this connection');
    this.subscription = { endpoint, live: false };
    // After the success answer has gone out: replay what is newer than `since`, in order, then stream. Updates made
    // meanwhile are in the buffer, so the replay includes them and nothing is sent twice.
    setImmediate(() => {
      const subscription = this.subscription;
      if (subscription?.endpoint !== endpoint) return;
      let replay: readonly AutohostUpdateEventData[];
      try {
        replay = updates.after(since);
      } catch {
        replay = updates.all();
      }
      for (const entry of replay) this.sendUpdate(endpoint, entry);
      subscription.live = true;
    });
  }

  private handleConnectionStatus(status: ConnectionStatus): void {
    if (status.phase !== 'connected') {
      this.session = null;
      this.subscription = null;
    }
    if (status.phase === 'unauthorized' && !this.closed) {
      // A refused token may simply have expired: drop it and try again later with a fresh one (the connection
      // itself stops at a 401, which suits a player who must sign in, not a service).
      this.options.onUnauthorized?.();
      const waitMs = Math.min(30_000, 1_000 * 2 ** Math.min(this.unauthorizedRetries++, 5));
      this.unauthorizedTimer = setTimeout(() => {
        this.unauthorizedTimer = null;
        if (!this.closed) this.options.connection.retryNow();
      }, waitMs);
    }
  }

  private sendUpdate(endpoint: TachyonEndpoint, entry: AutohostUpdateEventData): void {
    try {
      endpoint.sendEvent('autohost/update', entry);
    } catch (error) {
      this.options.logger.error(`could not send a ${entry.update.type} update: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

/** A request that answers plain `success` once the work is done. */
async function answered(work: Promise<void>): Promise<undefined> {
  await work;
  return undefined;
}
