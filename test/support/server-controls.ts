// Test controls for the embedded server, built on its transport hooks: each knob reproduces a way real servers misbehave, and the records
// (frames, violations, autohost updates) are what tests assert on.
import type { Socket } from 'node:net';
import type { AutohostUpdateEventData } from 'tachyon-protocol/types';
import { WebSocket } from 'ws';
import type { EventCommandId, EventData, RequestCommandId, RequestData, ResponseOf } from '../../src-main/core/protocol/commands';
import type { TachyonEndpoint } from '../../src-main/core/protocol/endpoint';
import type { TachyonServer } from '../../src-main/core/server/tachyon-server';

interface OpenAutohost {
  readonly clientId: string;
  readonly socket: WebSocket;
  readonly endpoint: TachyonEndpoint;
}

const attached = new WeakMap<TachyonServer, TestControls>();

/**
 * The controls of a server, attached on first use. Players are reached through the server's sessions at any time; attach
 * before autohosts connect to reach them, and before anyone connects to see every violation and update.
 */
export function controlsOf(server: TachyonServer): TestControls {
  let controls = attached.get(server);
  if (!controls) {
    controls = new TestControls(server);
    attached.set(server, controls);
  }
  return controls;
}

export class TestControls {
  /** Every protocol violation a client or autohost committed (empty means all clean). */
  readonly violations: string[] = [];
  /** Every autohost update the server stored, in order: the battle history. */
  readonly updates: AutohostUpdateEventData[] = [];
  private readonly autohosts = new Set<OpenAutohost>();
  private readonly tcp = new Set<Socket>();
  private readonly frameListeners = new Set<(userId: string, text: string) => void>();
  private upgradeRefusal: number | null = null;
  private closeOnArrival = false;
  private silent = false;
  private subprotocolAnswer: string | null | undefined = undefined;

  constructor(private readonly server: TachyonServer) {
    server.hookTransport({
      subprotocol: () => (this.subprotocolAnswer === undefined ? undefined : this.subprotocolAnswer ?? false),
      refuseUpgrade: () => this.upgradeRefusal,
      connection: (socket) => {
        this.tcp.add(socket);
        socket.once('close', () => this.tcp.delete(socket));
      },
      opened: (peer, socket, endpoint) => {
        if (this.closeOnArrival && peer.kind === 'player') {
          socket.close(1011, 'server restarting');
          return;
        }
        if (peer.kind !== 'autohost') return;
        const entry = { clientId: peer.clientId, socket, endpoint };
        this.autohosts.add(entry);
        socket.on('close', () => this.autohosts.delete(entry));
      },
      frame: (userId, text) => {
        if (this.silent) return false;
        for (const listener of this.frameListeners) listener(userId, text);
        return true;
      },
      pingRound: () => !this.silent,
      violation: (peer, problem) => this.violations.push(`${peer.kind === 'player' ? `user ${peer.userId}` : `autohost ${peer.clientId}`}: ${problem}`),
    });
    server.autohosts.onUpdate((update) => this.updates.push(update));
  }

  /** Answer upgrades with this subprotocol (`null`: none) instead of the server's choice; `undefined` gives the choice back. */
  answerSubprotocol(subprotocol: string | null | undefined): void {
    this.subprotocolAnswer = subprotocol;
  }

  /** Answer every upgrade with this HTTP status (e.g. 503) until called with null. */
  refuseUpgrades(status: number | null): void {
    this.upgradeRefusal = status;
  }

  /** Accept player upgrades and close each connection at once (1011), until called with false. */
  closeConnectionsOnArrival(enabled: boolean): void {
    this.closeOnArrival = enabled;
  }

  /** Stop pinging and answering (a hung server). */
  goSilent(enabled: boolean): void {
    this.silent = enabled;
  }

  /** Sees every text frame a player sends, before it is handled: tests read the client's answers with it. */
  onFrame(listener: (userId: string, text: string) => void): () => void {
    this.frameListeners.add(listener);
    return () => this.frameListeners.delete(listener);
  }

  /** Drops every connection as a crashing server would (no close frame). */
  dropAllConnections(): void {
    for (const userId of this.server.connectedUserIds()) for (const { socket } of this.server.sessionsOf(userId)) socket.terminate();
    for (const { socket } of this.autohosts) socket.terminate();
  }

  /** TCP connections open now (HTTP and WebSocket alike), as the server's `maxConnections` counts them; attach before anyone connects. */
  openConnections(): number {
    return this.tcp.size;
  }

  sendEvent<C extends EventCommandId>(userId: string, commandId: C, ...data: EventData<C> extends undefined ? [] : [EventData<C>]): void {
    for (const { endpoint } of this.server.sessionsOf(userId)) endpoint.sendEvent(commandId, ...data);
  }

  /** Puts raw text on the wire, bypassing validation: for hostile-server tests. */
  sendRaw(userId: string, text: string | Buffer, binary = false): void {
    for (const { socket } of this.server.sessionsOf(userId)) socket.send(text, { binary });
  }

  request<C extends RequestCommandId>(userId: string, commandId: C, data: RequestData<C>): Promise<ResponseOf<C>> {
    const session = this.server.sessionsOf(userId)[0];
    if (!session) return Promise.reject(new Error(`user ${userId} is not connected`));
    return (session.endpoint.request as (c: C, d: RequestData<C>) => Promise<ResponseOf<C>>)(commandId, data);
  }

  /** The live endpoint of a connected autohost, to send it requests directly. */
  autohostEndpoint(clientId: string): TachyonEndpoint | null {
    const entry = [...this.autohosts].find((a) => a.clientId === clientId && a.socket.readyState === WebSocket.OPEN);
    return entry?.endpoint ?? null;
  }
}
