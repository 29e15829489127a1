// Who gets past the embedded server's door before any route: requests addressed to its own loopback name only, and bounded connections.
import type { IncomingMessage, ServerOptions } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ConnectionLimits {
  /** WebSockets one player may hold at once (each app window or headless client is one); one more is refused with 429. */
  readonly sessionsPerUser: number;
  /** WebSockets of all players and autohosts together; one more is refused with 503. */
  readonly sockets: number;
  /** Node's headersTimeout and requestTimeout: a client that trickles its request is cut off. */
  readonly headersTimeoutMs: number;
  readonly requestTimeoutMs: number;
}

export const DEFAULT_LIMITS: ConnectionLimits = { sessionsPerUser: 4, sockets: 1000, headersTimeoutMs: 10_000, requestTimeoutMs: 30_000 };

/** Connections beyond the WebSockets: discovery, token requests and the consent page still get in when the sockets are full. */
const HTTP_HEADROOM = 64;
/** Node's default is 16 KiB; nothing this server reads needs more than a bearer token and a short URL. */
export const MAX_HEADER_BYTES = 8 * 1024;

export function httpServerOptions(limits: ConnectionLimits): ServerOptions {
  return {
    maxHeaderSize: MAX_HEADER_BYTES,
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    // Node checks the two timeouts only this often (default 30 s).
    connectionsCheckingInterval: Math.min(1_000, limits.headersTimeoutMs),
  };
}

/** TCP connections the http server accepts at once (upgraded WebSockets count too). */
export function maxConnections(limits: ConnectionLimits): number {
  return limits.sockets + HTTP_HEADROOM;
}

/**
 * The Host values this server answers to: its loopback address and `localhost`, with its port. Any other name means a
 * browser was pointed here by DNS rebinding (a page on attacker.example whose name now resolves to 127.0.0.1), so the
 * request is answered 421 Misdirected Request (RFC 9110 §15.5.20).
 */
export function allowedHosts(address: AddressInfo): ReadonlySet<string> {
  const names = new Set(['localhost']);
  if (address.address === '0.0.0.0' || address.address === '::') ['127.0.0.1', '[::1]'].forEach((n) => names.add(n));
  else names.add(address.family === 'IPv6' ? `[${address.address}]` : address.address);
  const hosts = new Set<string>();
  for (const name of names) {
    hosts.add(`${name}:${address.port}`);
    // RFC 9110 §7.2: a client leaves the default port out.
    if (address.port === 80) hosts.add(name);
  }
  return hosts;
}

export function hostAllowed(req: IncomingMessage, allowed: ReadonlySet<string>): boolean {
  const host = req.headers.host;
  return host !== undefined && allowed.has(host.toLowerCase());
}
