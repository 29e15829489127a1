// Runs around every test file: no test may reach past this computer. Every TCP connect in the test process (node:http,
// https, fetch, WebSocket: all go through net.Socket#connect) must name a loopback address or a local socket path; any
// other is refused at once, before a DNS lookup, and the file fails naming it. The production content addresses are
// the defaults of the settings, so a test that forgets to set local ones fails here instead of downloading.
import net from 'node:net';
import { afterAll } from 'vitest';

const refused: string[] = [];

export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  return bare === 'localhost' || bare === '::1' || bare === '0:0:0:0:0:0:0:1' || /^127(?:\.\d{1,3}){3}$/.test(bare) || /^::ffff:127(?:\.\d{1,3}){3}$/.test(bare);
}

/** Where a connect call is going: `host:port`, or null for a local socket path. */
function target(args: unknown[]): { host: string; port: string } | null {
  const first = Array.isArray(args[0]) ? (args[0] as unknown[])[0] : args[0];
  if (typeof first === 'object' && first !== null) {
    const options = first as { path?: unknown; host?: unknown; port?: unknown };
    if (typeof options.path === 'string') return null;
    return { host: typeof options.host === 'string' ? options.host : 'localhost', port: String(options.port) };
  }
  if (typeof first === 'string' && !/^\d+$/.test(first)) return null; // a path
  return { host: typeof args[1] === 'string' ? args[1] : 'localhost', port: String(first) };
}

type Connect = (this: net.Socket, ...args: unknown[]) => net.Socket;
const original = net.Socket.prototype.connect as unknown as Connect;
(net.Socket.prototype as unknown as { connect: Connect }).connect = function guardedConnect(this: net.Socket, ...args: unknown[]): net.Socket {
  const to = target(args);
  if (to !== null && !isLoopbackHost(to.host)) {
    refused.push(`${to.host}:${to.port}`);
    const error = Object.assign(new Error(`test guard: connecting to ${to.host}:${to.port} is refused (tests reach 127.0.0.1 only)`), { code: 'ECONNREFUSED' });
    process.nextTick(() => this.destroy(error));
    return this;
  }
  return original.apply(this, args);
};

/** The refusals so far, forgotten: for the guard's own test, which makes them on purpose. */
export function takeRefused(): string[] {
  return refused.splice(0);
}

afterAll(() => {
  if (refused.length > 0) throw new Error(`this test file tried to reach addresses off this computer: ${[...new Set(refused)].join(', ')}`);
});
