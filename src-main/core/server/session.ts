// A connected client as the server's services see it (a player's session, an autohost's connection), and sending an event to all of a player's
// sessions. A leaf: it imports no other server module but the account type.
import type { WebSocket } from 'ws';
import type { EventCommandId, EventData } from '../protocol/commands';
import type { TachyonEndpoint } from '../protocol/endpoint';
import type { Account } from './accounts';

/** A connected player. */
export interface ClientSession {
  readonly account: Account;
  readonly endpoint: TachyonEndpoint;
  readonly socket: WebSocket;
}

/** A connected autohost. */
export interface AutohostConnection {
  readonly clientId: string;
  readonly endpoint: TachyonEndpoint;
}

/** Sends one validated event to every live session of a user. */
export function emitTo<C extends EventCommandId>(sessions: readonly ClientSession[], commandId: C, ...data: EventData<C> extends undefined ? [] : [EventData<C>]): void {
  for (const session of sessions) session.endpoint.sendEvent(commandId, ...data);
}
