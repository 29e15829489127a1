// The one seam through which a test harness watches and steers the embedded server's transport; production sets none.
import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import type { TachyonEndpoint } from '../protocol/endpoint';

/** Who is on the other end of a socket. */
export type Peer = { readonly kind: 'player'; readonly userId: string } | { readonly kind: 'autohost'; readonly clientId: string };

/**
 * Every hook is optional and consulted at the moment it applies, so hooks set after `listen()` take effect at once.
 * `test/support/server-controls.ts` builds its misbehaving-server knobs on these.
 */
export interface TransportHooks {
  /** The subprotocol to answer an upgrade with (`false`: none), in place of the server's choice; `undefined` leaves it to the server. */
  subprotocol?(offered: ReadonlySet<string>): string | false | undefined;
  /** Each TCP connection the HTTP server accepts (HTTP and WebSocket alike; those over `maxConnections` never get here). */
  connection?(socket: Socket): void;
  /** Each upgrade to the Tachyon path, before its token is read: an HTTP status refuses it, `null` lets it through. */
  refuseUpgrade?(): number | null;
  /** A socket was accepted and its endpoint made, before anything is sent on it; a hook that closes the socket ends it there. */
  opened?(peer: Peer, socket: WebSocket, endpoint: TachyonEndpoint): void;
  /** Each text frame a player sends, before it is handled: `false` drops it unanswered. */
  frame?(userId: string, text: string): boolean;
  /** Before each keep-alive round: `false` skips it. */
  pingRound?(): boolean;
  /** A peer broke the protocol (the endpoint or the server has already logged it). */
  violation?(peer: Peer, problem: string): void;
}
