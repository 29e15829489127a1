// Turns the server's http(s) base address into its Tachyon WebSocket URL, refusing plain ws:// to anything but loopback.
import { isIP } from 'node:net';

/** What is wrong with an address, as data: callers branch on this, never on the message text. */
export type ServerAddressProblem = 'not_a_url' | 'unsupported_scheme' | 'unencrypted_remote' | 'credentials';

export class ServerAddressError extends Error {
  constructor(readonly problem: ServerAddressProblem, message: string) {
    super(message);
    this.name = 'ServerAddressError';
  }
}

export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host === '::1') return true;
  return isIP(host) === 4 && host.startsWith('127.');
}

/** `http://127.0.0.1:8200` → `ws://127.0.0.1:8200/tachyon`; `https://lobby.example/` → `wss://lobby.example/tachyon`. */
export function tachyonUrl(base: string): URL {
  let url: URL;
  try {
    url = new URL(base);
  } catch {
    throw new ServerAddressError('not_a_url', 'the server address is not a valid URL (expected e.g. https://server.example)');
  }
  if (url.protocol === 'https:' || url.protocol === 'wss:') url.protocol = 'wss:';
  else if (url.protocol === 'http:' || url.protocol === 'ws:') url.protocol = 'ws:';
  else throw new ServerAddressError('unsupported_scheme', `unsupported scheme ${JSON.stringify(url.protocol)}: use http(s)://`);
  if (url.protocol === 'ws:' && !isLoopbackHost(url.hostname)) {
    throw new ServerAddressError('unencrypted_remote', 'refusing an unencrypted connection to a remote server: use https:// (plain http is only for 127.0.0.1/localhost)');
  }
  if (url.username || url.password) throw new ServerAddressError('credentials', 'the server address must not contain credentials');
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/tachyon`;
  url.search = '';
  url.hash = '';
  return url;
}
