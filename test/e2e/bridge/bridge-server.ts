// The browser test bridge: serves the built renderer on 127.0.0.1 and carries the same contract as the preload over a WebSocket to a real lobby service.
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { CONTENT_SECURITY_POLICY } from '../../../src-main/app/csp';
import type { LobbyService } from '../../../src-main/app/lobby-service';

const TYPES: Record<string, string> = { '.png': 'image/png', '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.map': 'application/json' };

export interface Bridge {
  /** The page's address, e.g. http://127.0.0.1:41234/index.html */
  readonly url: string;
  close(): Promise<void>;
}

/** Frames from the page: one intent call `{ id, name, payload }`. Answers carry the same id; patches come unasked. */
function isFrame(frame: unknown): frame is { readonly id?: unknown; readonly name?: unknown; readonly payload?: unknown } {
  return typeof frame === 'object' && frame !== null && !Array.isArray(frame);
}

export async function startBridge(rendererDir: string, service: LobbyService): Promise<Bridge> {
  const http = createServer(async (req, res) => {
    const pathname = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    const file = path.resolve(rendererDir, `.${pathname === '/' ? '/index.html' : decodeURIComponent(pathname)}`);
    if (!file.startsWith(path.resolve(rendererDir) + path.sep)) return void res.writeHead(404).end();
    try {
      const body = await readFile(file);
      // The same policy the Electron app sends: the page must work under it here too.
      res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream', 'content-security-policy': CONTENT_SECURITY_POLICY });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  const wss = new WebSocketServer({ server: http, path: '/bridge', maxPayload: 1024 * 1024 });
  const sockets = new Set<WebSocket>();
  wss.on('connection', (socket) => {
    sockets.add(socket);
    const stop = service.onPatch((message) => socket.send(JSON.stringify({ patch: message })));
    socket.on('close', () => {
      stop();
      sockets.delete(socket);
    });
    socket.on('message', async (data) => {
      let frame: unknown;
      try {
        frame = JSON.parse(String(data));
      } catch {
        return void socket.close(1008, 'not json');
      }
      if (!isFrame(frame)) return void socket.close(1008, 'not a frame');
      // Exactly the service Electron's ipc.ts calls: name and payload as the page sent them, validated there.
      const result = await service.invoke(frame.name, frame.payload);
      if (socket.readyState === socket.OPEN) socket.send(JSON.stringify({ id: frame.id, result }));
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/index.html`,
    async close() {
      for (const socket of sockets) socket.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      // Chromium keeps (and pre-opens) connections to the page's origin; close() alone would wait for them to time out.
      // Stop listening first, then drop them all, so none opens in between.
      const closed = new Promise<void>((resolve) => http.close(() => resolve()));
      http.closeAllConnections();
      await closed;
    },
  };
}

/**
 * The page side, injected before any page script runs: `window.lobby` with the preload's exact shape, over the socket
 * to the page's own origin (allowed by the CSP's connect-src 'self'). Calls made before the socket opens wait for it.
 */
export const BROWSER_SHIM = `(() => {
  const socket = new WebSocket(location.origin.replace(/^http/, 'ws') + '/bridge');
  const opened = new Promise((resolve) => socket.addEventListener('open', resolve, { once: true }));
  const pending = new Map();
  const listeners = new Set();
  let nextId = 1;
  socket.addEventListener('message', (event) => {
    const frame = JSON.parse(event.data);
    if (frame.patch) { for (const l of listeners) l(frame.patch); return; }
    const done = pending.get(frame.id);
    if (done) { pending.delete(frame.id); done(frame.result); }
  });
  const lobby = Object.freeze({
    async invoke(name, payload) {
      await opened;
      const id = nextId++;
      return new Promise((resolve) => {
        pending.set(id, resolve);
        socket.send(JSON.stringify({ id, name, payload: payload === undefined ? null : payload }));
      });
    },
    onPatch(listener) {
      listeners.add(listener);
      return () => { listeners.delete(listener); };
    },
  });
  Object.defineProperty(window, 'lobby', { value: lobby, writable: false, configurable: false });
})();`;
