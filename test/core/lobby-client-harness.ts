// A raw Tachyon player for the embedded server's lobby tests: a ws client that sends requests and reads every message in
// order (`next` waits for the next one of a command), and answers the server's `battle/start` requests as a client must.
import { randomBytes } from 'node:crypto';
import type WebSocket from 'ws';
import type { TachyonServer } from '../../src-main/core/server/tachyon-server';
import { call, wsClient } from './raw-client';

export type Message = Record<string, unknown> & { type: string; commandId: string; data?: unknown };

export interface RawPlayer {
  readonly userId: string;
  readonly name: string;
  readonly socket: WebSocket;
  readonly messages: Message[];
  call(commandId: string, data?: unknown): Promise<Message>;
  /** Succeeds or throws with the failure. */
  ok<T = unknown>(commandId: string, data?: unknown): Promise<T>;
  /** The next message of this command not yet taken (events and server requests), waiting up to 20 s. */
  next<T = Record<string, unknown>>(commandId: string): Promise<T>;
  /** Takes every message of this command that arrived so far. */
  skip(commandId: string): void;
  /** How many of this command arrived and were not taken yet. */
  pending(commandId: string): number;
  /** A request round trip: everything the server sent before its answer has arrived. */
  barrier(): Promise<void>;
  close(): Promise<void>;
}

export async function rawPlayer(server: TachyonServer, name: string, token?: string): Promise<RawPlayer> {
  const account = token ? { userId: server.accounts.accountForToken(token)?.userId ?? '', token } : server.addPlayer(name);
  const client = await wsClient(server, account.token);
  const taken = new Set<Message>();
  const messages = client.messages as Message[];
  client.socket.on('message', (raw) => {
    const message = JSON.parse(raw.toString()) as Message;
    if (message.type === 'request' && message.commandId === 'battle/start') {
      client.socket.send(JSON.stringify({ type: 'response', messageId: message.messageId, commandId: 'battle/start', status: 'success' }));
    }
  });
  const player: RawPlayer = {
    userId: account.userId,
    name,
    socket: client.socket,
    messages,
    call: (commandId, data) => call(client.socket, commandId, data) as Promise<Message>,
    async ok<T>(commandId: string, data?: unknown): Promise<T> {
      const answer = await player.call(commandId, data);
      if (answer.status !== 'success') throw new Error(`${commandId} failed: ${JSON.stringify(answer)}`);
      return answer.data as T;
    },
    async next<T>(commandId: string): Promise<T> {
      const deadline = Date.now() + 20_000;
      for (;;) {
        const found = messages.find((m) => m.commandId === commandId && m.type !== 'response' && !taken.has(m));
        if (found) {
          taken.add(found);
          return found.data as T;
        }
        if (Date.now() > deadline) throw new Error(`${name} got no ${commandId}; got ${messages.map((m) => m.commandId).join(', ')}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    skip(commandId) {
      for (const m of messages) if (m.commandId === commandId) taken.add(m);
    },
    pending: (commandId) => messages.filter((m) => m.commandId === commandId && m.type !== 'response' && !taken.has(m)).length,
    async barrier() {
      await player.call('system/serverStats');
    },
    async close() {
      client.socket.close();
      await client.closed;
    },
  };
  await player.next('user/self');
  return player;
}

export const startBox = { top: 0, bottom: 1, left: 0, right: 0.5 };

/** Two ally teams of `size` teams each. */
export function allyTeams(count = 2, size = 1): Array<{ maxTeams: number; startBox: typeof startBox; teams: Array<{ maxPlayers: number }> }> {
  return Array.from({ length: count }, () => ({ maxTeams: size, startBox, teams: Array.from({ length: size }, () => ({ maxPlayers: 1 })) }));
}

export function lobbyName(): string {
  return `Lobby ${randomBytes(3).toString('hex')}`;
}
